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

#[test]
fn every_href_in_every_fixture_routes() {
    let mut count = 0;
    let mut unresolved = Vec::new();
    for path in common::fixtures("ok") {
        let name = common::name(&path);
        let xml = std::fs::read_to_string(&path).unwrap();
        for href in hrefs(&xml) {
            // Links with Rel="Delete"/"Edit"/... name other methods; try GET first, then any.
            let resolved = ["GET", "POST", "PUT", "DELETE"]
                .iter()
                .find_map(|m| veeam_em_api::route_method(m, &href).ok());
            if resolved.is_some() {
                count += 1;
            } else {
                unresolved.push(format!("{name}: {href}"));
            }
        }
    }
    assert!(
        unresolved.is_empty(),
        "{} hrefs do not route:\n{}",
        unresolved.len(),
        unresolved.join("\n")
    );
    assert!(count > 900, "only {count} hrefs checked");
}

#[test]
fn format_entity_selects_the_entity_form() {
    let plain =
        route("https://localhost:9398/api/cdpReplicaSessions/6b872a71-51e8-437a-8d45-5c6494b92f3f")
            .unwrap();
    let entity = route("https://localhost:9398/api/cdpReplicaSessions/6b872a71-51e8-437a-8d45-5c6494b92f3f?format=Entity").unwrap();
    assert_eq!(plain.entry.representation(), Some("EntityRef"));
    assert_eq!(entity.entry.representation(), Some("CdpReplicaSession"));
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

/// Servers write CDP task session hrefs under `/replicaTaskSessions/`; that path is the sessions
/// family's own operation (no CDP alias for it, so reverse routing is unambiguous).
#[test]
fn replica_task_session_path_routes_to_the_sessions_family() {
    let r = route("https://localhost:9398/api/replicaTaskSessions/2ec4d35f-b5d8-4cb3-9d11-12e1d5792625?format=Entity").unwrap();
    assert_eq!(r.entry.name, "GetReplicaTaskSessionEntity");
    assert_eq!(r.entry.representation(), Some("ReplicaTaskSession"));
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
    assert_eq!(r.entry.representation(), Some("EntityRef"));
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
            // A rest-of-path value's pieces are segments: empty or dot pieces are refused.
            let rest_of_path = entry.path.ends_with("*}");
            let bad_rest = |v: &str| v.split('/').any(|p| p.is_empty() || p == "." || p == "..");
            let request = match op.request(&base, Some(&token)) {
                Err(_) if rest_of_path && bad_rest(&ids[count - 1]) => continue,
                other => other.unwrap(),
            };
            let routed = veeam_em_api::route_method(entry.method.as_str(), &request.uri().to_string()).unwrap();
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

#[test]
fn hrefs_with_character_references_resolve() {
    // As servers send them ("Special Characters in Responses"), copied from a raw response.
    let r = route("https:&#x2F;&#x2F;localhost:9398&#x2F;api&#x2F;cdpPolicies&#x2F;p1").unwrap();
    assert_eq!(r.entry.name, "GetCdpPolicy");
    assert_eq!(r.path_values[0].as_str(), "p1");
    let r = route("/query?type=CdpPolicy&amp;format=Entities&amp;pageSize=5").unwrap();
    assert_eq!(r.entry.name, "QueryCdpPolicies");
    assert_eq!(r.query_value("format"), Some("Entities"));
    assert_eq!(r.query_value("pageSize"), Some("5"));
    let r = route("https://em:9398/api/cdpPolicies/it&#39;s").unwrap();
    assert_eq!(r.path_values[0].as_str(), "it's");
}

#[test]
fn what_is_not_an_api_url_is_an_error() {
    for text in [
        "",
        "  ",
        "https://em:9398/",
        "https://em:9398/cdpPolicies",
        "not a url",
        "/cdp\tPolicies",
        "/cdpPolicies/p1/../../tasks",
        "urn:veeam:CdpPolicy:1",
        "/cdpPolicies//p1",
    ] {
        assert!(route(text).is_err(), "{text:?} routes to {:?}", route(text));
    }
    // The entry point is `/` below the base, not the empty string.
    assert_eq!(route("/").unwrap().entry.name, "GetEntryPoint");
    assert_eq!(
        route("https://em:9398/api/").unwrap().entry.name,
        "GetEntryPoint"
    );
}

#[test]
fn a_known_path_with_another_method_lists_its_methods() {
    let err = veeam_em_api::route_method("PUT", "/logonSessions/abc").unwrap_err();
    match &err {
        veeam_em_api::RouteError::MethodNotAllowed { allowed, .. } => {
            assert_eq!(allowed, &["GET", "DELETE"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().ends_with("it has GET, DELETE"), "{err}");
    assert!(matches!(
        veeam_em_api::route_method("GET", "/noSuchThing"),
        Err(veeam_em_api::RouteError::NoMatch { .. })
    ));
}

/// Whether `text` names `entry`'s URL, decided without the SDK's parser: the test's own reading
/// of an href (XML references, optional scheme and host, the `/api` base, percent-escapes).
/// `None` when the text has references this reading does not cover.
fn independently_matches(entry: &veeam_em_api::Entry, text: &str) -> Option<bool> {
    let mut t = text
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_owned();
    for (reference, c) in [
        ("&#x2F;", "/"),
        ("&#39;", "'"),
        ("&quot;", "\""),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ] {
        t = t.replace(reference, c);
    }
    if t.contains("&#") {
        return None;
    }
    if t.is_empty()
        || t.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Some(false);
    }
    let t = t.split('#').next().unwrap();
    let (path, query) = t.split_once('?').unwrap_or((t, ""));
    let path = if let Some(after) = path
        .strip_prefix("https://")
        .or_else(|| path.strip_prefix("http://"))
    {
        let Some(slash) = after.find('/') else {
            return Some(false);
        };
        if slash == 0 || after[..slash].contains('@') {
            return Some(false);
        }
        let p = &after[slash + 1..];
        if p.eq_ignore_ascii_case("api") {
            String::new()
        } else if p.len() >= 4 && p[..4].eq_ignore_ascii_case("api/") {
            p[4..].to_owned()
        } else {
            return Some(false);
        }
    } else {
        if path.contains(':') || path.starts_with("//") {
            return Some(false);
        }
        let p = path.strip_prefix('/').unwrap_or(path);
        if p.eq_ignore_ascii_case("api") {
            String::new()
        } else if p.len() >= 4 && p[..4].eq_ignore_ascii_case("api/") {
            p[4..].to_owned()
        } else {
            p.to_owned()
        }
    };
    let path = path.strip_suffix('/').unwrap_or(&path);
    let mut segments = Vec::new();
    if !path.is_empty() {
        for raw in path.split('/') {
            let Ok(decoded) = percent_encoding::percent_decode_str(raw).decode_utf8() else {
                return Some(false);
            };
            let bad_escape = raw.match_indices('%').any(|(i, _)| {
                !raw[i + 1..]
                    .chars()
                    .take(2)
                    .filter(char::is_ascii_hexdigit)
                    .count()
                    .eq(&2)
            });
            if raw.is_empty() || bad_escape || matches!(&*decoded, "." | "..") {
                return Some(false);
            }
            segments.push(decoded.into_owned());
        }
    }
    let templates = std::iter::once(entry.path).chain(entry.aliases.iter().copied());
    let path_ok = templates.into_iter().any(|template| {
        let parts: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
        // A last `{name*}` takes the rest of the path: one segment or more.
        let rest = parts.last().is_some_and(|p| p.ends_with("*}"));
        let count_ok = if rest {
            segments.len() >= parts.len()
        } else {
            segments.len() == parts.len()
        };
        count_ok
            && parts
                .iter()
                .zip(&segments)
                .all(|(p, s)| p.starts_with('{') || p.eq_ignore_ascii_case(s))
    });
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect();
    let fixed_ok = entry.fixed_query.iter().all(|(name, value)| {
        pairs
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(name) && v.eq_ignore_ascii_case(value))
    });
    Some(path_ok && fixed_ok)
}

/// An href of a random catalogue entry with random ids, then mangled at random places with
/// pieces that matter to URL readers.
fn mangled_href() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("/"),
        Just("."),
        Just(".."),
        Just("%2F"),
        Just("%2e"),
        Just("%"),
        Just("&#x2F;"),
        Just("&amp;"),
        Just("?"),
        Just("#"),
        Just(" "),
        Just("\t"),
        Just("\\"),
        Just("api/"),
        Just("https://em:9398"),
        Just("//"),
        Just("?format=Entity"),
        Just("&action=start"),
        Just("x"),
    ];
    (
        0..CATALOGUE.len(),
        proptest::collection::vec("[A-Za-z0-9._%-]{1,6}", 3),
        proptest::bool::ANY,
        proptest::collection::vec((0usize..80, pieces), 0..4),
    )
        .prop_map(|(i, ids, absolute, edits)| {
            let entry = &CATALOGUE[i];
            let mut ids = ids.into_iter();
            let mut url = if absolute {
                "https://em:9398/api".to_owned()
            } else {
                String::new()
            };
            for segment in entry.path.split('/').filter(|s| !s.is_empty()) {
                url.push('/');
                if segment.starts_with('{') {
                    url.push_str(&ids.next().unwrap_or_default());
                } else {
                    url.push_str(segment);
                }
            }
            for (i, (name, value)) in entry.fixed_query.iter().enumerate() {
                url.push_str(if i == 0 { "?" } else { "&" });
                url.push_str(&format!("{name}={value}"));
            }
            for (at, piece) in edits {
                let mut at = at.min(url.len());
                while !url.is_char_boundary(at) {
                    at -= 1;
                }
                url.insert_str(at, piece);
            }
            url
        })
}

/// The independent matcher knows a last `{name*}` takes the rest of the path (a case the
/// property test once found: the matcher, not the router, was wrong).
#[test]
fn the_independent_matcher_knows_rest_of_path_parameters() {
    let text = "https://em:9398/api/vmReplicaPoints/Aa/mounts/api/_-a_0/a";
    let r = veeam_em_api::route_method("GET", text).unwrap();
    assert_eq!(r.entry.name, "GetVmReplicaPointFile");
    assert_eq!(independently_matches(r.entry, text), Some(true));
    // One segment too few for the rest parameter: no match.
    let short = "https://em:9398/api/vmReplicaPoints/Aa/mounts/m";
    assert_eq!(independently_matches(r.entry, short), Some(false));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// No string routes to an operation whose URL template it does not match: routing refuses
    /// rather than guesses.
    #[test]
    fn routing_never_guesses(text in prop_oneof![mangled_href(), ".{0,40}"]) {
        for method in ["GET", "POST", "PUT", "DELETE"] {
            if let Ok(r) = veeam_em_api::route_method(method, &text) {
                if let Some(matches) = independently_matches(r.entry, &text) {
                    prop_assert!(matches, "{text:?} routed to {} ({})", r.entry.name, r.entry.template());
                }
            }
        }
    }
}

/// Every type with an href of its own follows it, and every type with links finds them: the
/// impls are generated from the schemas (an `xs:anyURI` `Href`, a `Links` element).
#[test]
fn entities_and_tasks_follow_their_own_hrefs() {
    use veeam_em_api::ops;
    use veeam_em_model::{from_slice, CdpReplicaSession, Task};
    let fixture = |name: &str| {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/").to_owned() + name).unwrap()
    };
    let session: CdpReplicaSession = from_slice(&fixture("ok/cdp_replica_session.xml")).unwrap();
    let again: ops::GetCdpReplicaSessionEntity = session.follow().unwrap();
    assert_eq!(
        again.session_id.as_str(),
        session.uid.as_ref().unwrap().id()
    );
    // Its task sessions, by relation.
    let down = session.link("Down").expect("a Down link");
    let any: AnyOperation = down.follow().unwrap();
    assert_eq!(any.entry().name, "GetCdpReplicaSessionTaskSessions");
    // A task's own href is the task.
    let task: Task = from_slice(&fixture("ok/task.xml")).unwrap();
    let get: ops::GetTask = task.follow().unwrap();
    assert_eq!(get.task_id.as_str(), task.task_id.as_str());
    // And any href field on its own.
    let href = task.href.clone().unwrap();
    assert_eq!(
        href.follow::<AnyOperation>().unwrap().entry().name,
        "GetTask"
    );
}

#[test]
fn every_declared_link_routes_to_the_operation_it_names() {
    use veeam_em_api::resource::{collections, resource, resources};
    let mut checked = 0;
    for r in resources() {
        for l in r.links {
            // Fill every identifier (a guest path takes the rest of the path).
            let href = l.href.replace("{}", "0f5afb99-7468-42c4-a45d-28e98bc6122b");
            let routed = veeam_em_api::route_method(
                l.method.as_str(),
                &format!("https://em:9398/api{href}"),
            )
            .unwrap_or_else(|e| panic!("{} {}: {} {href}: {e}", r.path, l.rel, l.method));
            assert_eq!(
                routed.entry.name, l.operation,
                "{} {} {href}",
                r.path, l.rel
            );
            checked += 1;
        }
    }
    assert!(checked > 280, "{checked} links");
    // Every collection lists a kind, and every kind has a name.
    for c in collections() {
        let item = resource(c.item).unwrap_or_else(|| panic!("{}: no resource {}", c.path, c.item));
        assert!(
            item.kind.is_some(),
            "{} lists {}, which is not a kind",
            c.path,
            c.item
        );
    }
    // One name per item path: no two kinds share a path.
    let mut paths: Vec<_> = resources().iter().map(|r| r.path).collect();
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), resources().len());
}
