//! Reverse routing: every href of the CDP fixtures resolves; `route(build(op)) == op` for every
//! routable operation and any ids (property test).

mod common;

use proptest::prelude::*;
use veeam_em_api::{
    api, paging, route, AnyOperation, BaseUrl, Follow, Links, Route, SessionToken, CATALOGUE,
};
use veeam_em_model::{Document, EntityReferences, QueryResult};

/// Every `Href="..."` of a document.
fn hrefs(xml: &str) -> Vec<String> {
    let doc = Document::from_slice(xml.as_bytes()).unwrap();
    let json = serde_json::to_value(&doc).unwrap();
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if k == "Href" {
                        out.push(v.as_str().unwrap().to_owned());
                    } else {
                        walk(v, out);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(&json, &mut out);
    out
}

/// The CDP family's documents (others link to resources the catalogue does not cover yet).
const CDP_FIXTURES: &[&str] = &[
    "cdp_",
    "vm_cdp_",
    "vapp_cdp_",
    "query_result_cdp_",
    "entity_ref",
    "object",
    "create_object",
];

#[test]
fn every_href_in_the_cdp_fixtures_resolves() {
    let mut count = 0;
    for path in common::fixtures("ok") {
        let name = common::name(&path);
        if !CDP_FIXTURES.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        let xml = std::fs::read_to_string(&path).unwrap();
        for href in hrefs(&xml) {
            // Links with Rel="Delete"/"Edit"/... name other methods; try GET first, then any.
            let resolved = ["GET", "POST", "PUT", "DELETE"]
                .iter()
                .find_map(|m| veeam_em_api::route_method(m, &href).ok());
            assert!(resolved.is_some(), "{name}: {href} does not resolve");
            count += 1;
        }
    }
    assert!(count > 150, "only {count} hrefs checked");
}

#[test]
fn format_entity_selects_the_entity_form() {
    let plain =
        route("https://localhost:9398/api/cdpReplicaSessions/6b872a71-51e8-437a-8d45-5c6494b92f3f")
            .unwrap();
    let entity = route("https://localhost:9398/api/cdpReplicaSessions/6b872a71-51e8-437a-8d45-5c6494b92f3f?format=Entity").unwrap();
    assert_eq!(plain.entry.representation, Some("EntityRef"));
    assert_eq!(entity.entry.representation, Some("CdpReplicaSession"));
    assert_eq!(
        entity.path_values[0].as_str(),
        "6b872a71-51e8-437a-8d45-5c6494b92f3f"
    );
}

#[test]
fn escaped_hrefs_resolve() {
    let r = route("https://localhost:9398/api/cdpPolicies/a%2Fb").unwrap();
    assert_eq!(r.path_values[0].as_str(), "a/b");
}

#[test]
fn task_session_alias_path_resolves() {
    let r = route("https://localhost:9398/api/replicaTaskSessions/2ec4d35f-b5d8-4cb3-9d11-12e1d5792625?format=Entity").unwrap();
    assert_eq!(r.entry.representation, Some("CdpReplicaTaskSession"));
}

#[test]
fn alternate_link_of_a_ref_gives_the_entity_operation() {
    let xml = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/ok/entity_references_seed.xml"),
    )
    .unwrap();
    let refs: EntityReferences = veeam_em_model::from_slice(&xml).unwrap();
    let first = &refs.refs[0];
    let op: veeam_em_api::ops::GetCdpReplicaTaskSessionEntity =
        first.alternate().unwrap().follow().unwrap();
    assert_eq!(
        op.task_session_id.as_str(),
        "2ec4d35f-b5d8-4cb3-9d11-12e1d5792625"
    );
    // Following the reference itself gives the reference form.
    let r = first.route().unwrap();
    assert_eq!(r.entry.representation, Some("EntityRef"));
    // The wrong type is an error naming both.
    let wrong: Result<veeam_em_api::ops::GetCdpPolicy, _> = first.follow();
    assert!(wrong.unwrap_err().to_string().contains("GetCdpPolicy"));
}

#[test]
fn paging_links_become_query_operations() {
    let xml = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/ok/query_result_cdp_replica_session_entities.xml"),
    )
    .unwrap();
    let result: QueryResult = veeam_em_model::from_slice(&xml).unwrap();
    let link = paging::page_link(&result, paging::Page::Next)
        .or_else(|| paging::page_link(&result, paging::Page::First));
    let link = link.expect("the fixture has paging links");
    let op: veeam_em_api::ops::QueryCdpReplicaSessions = link.follow().unwrap();
    assert!(op.query.filter_text().is_some() || !op.query.to_pairs().is_empty());
    // And it builds a request for the same URL the server gave.
    let base = BaseUrl::parse("https://localhost:9398/api").unwrap();
    let request =
        veeam_em_api::Operation::request(&op, &base, Some(&SessionToken::new("t"))).unwrap();
    let again = veeam_em_api::ops::QueryCdpReplicaSessions::try_from(
        &route(&request.uri().to_string()).unwrap(),
    )
    .unwrap();
    assert_eq!(again, op);
}

#[test]
fn an_action_is_never_a_get() {
    assert!(route("/cdpReplicas/r1/vms/v1?action=failover").is_err());
    let post =
        veeam_em_api::route_method("POST", "/cdpReplicas/r1/vms/v1?action=failover").unwrap();
    assert_eq!(post.entry.name, "FailoverVmCdpReplica");
    assert!(
        route("/cdpPolicies/x/api/cdpReplicas").is_err(),
        "only a leading api segment is the base"
    );
    assert_eq!(
        route("/cdpPolicies/api").unwrap().path_values[0].as_str(),
        "api"
    );
}

#[test]
fn dot_segments_are_refused() {
    let base = BaseUrl::parse("https://em:9398/api").unwrap();
    let err = veeam_em_api::Operation::request(
        &api::cdp_policies().id("..").get(),
        &base,
        Some(&SessionToken::new("t")),
    )
    .unwrap_err();
    assert!(err.to_string().contains("cannot be \"..\""), "{err}");
}

#[test]
fn navigation_and_routing_agree() {
    let op = api::cdp_replicas().id("r1").vms().id("v1").get_entity();
    let base = BaseUrl::parse("https://em:9398/api").unwrap();
    let request =
        veeam_em_api::Operation::request(&op, &base, Some(&SessionToken::new("t"))).unwrap();
    let back = veeam_em_api::ops::GetVmCdpReplicaEntity::try_from(
        &route(&request.uri().to_string()).unwrap(),
    )
    .unwrap();
    assert_eq!(back, op);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// For every routable operation and arbitrary ids (including characters that need
    /// escaping), routing the URL of the built request gives back the same operation.
    #[test]
    fn route_of_build_is_identity(
        ids in proptest::collection::vec("[A-Za-z0-9 _.:/?#%&=+-]{1,24}", 3),
        v in proptest::option::of("[a-z0-9_]{1,8}"),
    ) {
        // `.` and `..` cannot be path segments (URLs normalise them away); building refuses them.
        prop_assume!(ids.iter().all(|id| id != "." && id != ".."));
        let base = BaseUrl::parse("https://em.example.com:9398/api").unwrap();
        let token = SessionToken::new("t");
        for entry in CATALOGUE {
            if entry.request.is_some() || entry.auth == veeam_em_api::Auth::Basic {
                continue;
            }
            let count = entry.path.matches('{').count();
            let route0 = Route {
                entry,
                path_values: ids[..count].iter().map(|s| s.as_str().into()).collect(),
                query: entry.query_params.iter().zip(v.iter()).map(|(p, v)| (p.to_string(), v.clone())).collect(),
            };
            let op = AnyOperation::from_route(&route0).unwrap();
            let request = op.request(&base, Some(&token)).unwrap();
            let routed = veeam_em_api::route_method(entry.method, &request.uri().to_string()).unwrap();
            prop_assert_eq!(routed.entry.name, entry.name);
            let back = AnyOperation::from_route(&routed).unwrap();
            prop_assert_eq!(back, op);
        }
    }

    /// Uid: parse(display(uid)) == uid; kind and id survive.
    #[test]
    fn uid_round_trips(kind in "[A-Za-z][A-Za-z0-9]{0,20}", id in "[A-Za-z0-9:._-]{1,40}") {
        let uid = veeam_em_model::Uid::new(&kind, &id).unwrap();
        prop_assert_eq!(uid.kind(), kind.as_str());
        prop_assert_eq!(uid.id(), id.as_str());
        prop_assert_eq!(veeam_em_model::Uid::parse(&uid.to_string()).unwrap(), uid);
    }

    /// Uid::parse never panics and accepts exactly the urn:veeam:<Kind>:<id> shape.
    #[test]
    fn uid_parse_total(text in ".{0,40}") {
        let ok = veeam_em_model::Uid::parse(&text).is_ok();
        let expected = text.strip_prefix("urn:veeam:").and_then(|rest| rest.split_once(':')).is_some_and(|(k, i)| {
            !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric()) && !i.is_empty()
        });
        prop_assert_eq!(ok, expected);
    }
}
