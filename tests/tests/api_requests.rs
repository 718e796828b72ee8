//! Every operation of the catalogue builds the request we expect (insta snapshot per operation),
//! and typed operations build the same requests as their routes.

mod common;

use veeam_em_api::{
    api, fields::cdp_replica_session as f, query::Query, query::QueryFormat, BaseUrl, Credentials,
    Entry, Operation, Route, SessionToken, CATALOGUE,
};

fn base() -> BaseUrl {
    BaseUrl::parse("https://em.example.com:9398/api").unwrap()
}

fn token() -> SessionToken {
    SessionToken::new("NDRjZmJkYmUtNWE5NS00MTU2LTg4NjctOTFmMDY5YjdjMmNj")
}

/// A fixture whose root is `representation`, as a request body.
fn body_for(representation: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    for path in common::fixtures("ok") {
        let doc = veeam_em_model::Document::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        if doc.root_element() == representation {
            return doc.to_xml_string().into_bytes();
        }
    }
    panic!(
        "no fixture in {} has the root {representation}",
        dir.display()
    );
}

/// The request as text, with the secret headers shown as what they are.
fn show(request: &http::Request<Vec<u8>>) -> String {
    let mut out = format!("{} {}\n", request.method(), request.uri());
    for (name, value) in request.headers() {
        out.push_str(&format!("{name}: {}\n", value.to_str().unwrap()));
    }
    if !request.body().is_empty() {
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(request.body()));
    }
    out
}

fn example_route(entry: &'static Entry) -> Route {
    let count = entry.path.matches('{').count();
    Route {
        entry,
        path_values: (1..=count)
            .map(|i| format!("00000000-0000-0000-0000-00000000000{i}").into())
            .collect(),
        query: entry
            .query_params
            .iter()
            .map(|p| (p.to_string(), "latest".to_string()))
            .collect(),
    }
}

#[test]
fn every_operation_builds_its_request() {
    for entry in CATALOGUE {
        let route = example_route(entry);
        let body = entry.request.map(body_for);
        let credentials = Credentials::new("CORP\\admin", "hunter2");
        let request = route
            .request(&base(), Some(&token()), Some(&credentials), body)
            .unwrap_or_else(|e| panic!("{}: {e}", entry.name));
        assert_eq!(request.method().as_str(), entry.method);
        insta::with_settings!({ snapshot_suffix => entry.name, omit_expression => true }, {
            insta::assert_snapshot!(show(&request));
        });
    }
}

#[test]
fn typed_navigation_builds_the_documented_urls() {
    let op = api::cdp_replica_sessions()
        .id("6b872a71-51e8-437a-8d45-5c6494b92f3f")
        .cdp_replica_task_sessions()
        .get();
    let request = op.request(&base(), Some(&token())).unwrap();
    assert_eq!(
        request.uri(),
        "https://em.example.com:9398/api/cdpReplicaSessions/6b872a71-51e8-437a-8d45-5c6494b92f3f/cdpReplicaTaskSessions"
    );
    assert_eq!(request.headers()["accept"], "application/xml");
    assert_eq!(request.headers()["x-restsvcsessionid"], token().expose());
    assert!(request.body().is_empty());
}

#[test]
fn session_is_required_where_the_catalogue_says_so() {
    let op = api::cdp_policies().get();
    let err = op.request(&base(), None).unwrap_err();
    assert!(
        err.to_string().contains("logon session is required"),
        "{err}"
    );
    // The entry point needs none.
    let entry = api::root().get();
    assert!(entry
        .request(&base(), None)
        .unwrap()
        .headers()
        .get("x-restsvcsessionid")
        .is_none());
}

#[test]
fn logon_sends_basic_credentials() {
    let mut op = api::session_mngr().logon(Credentials::new("CORP\\admin", "hunter2"));
    assert_eq!(
        op.v.as_deref(),
        Some("latest"),
        "navigation logs on with the latest version"
    );
    let request = op.request(&base(), None).unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri(),
        "https://em.example.com:9398/api/sessionMngr/?v=latest"
    );
    assert_eq!(
        request.headers()["authorization"],
        "Basic Q09SUFxhZG1pbjpodW50ZXIy"
    );
    assert!(request.headers()["authorization"].is_sensitive());
    op.v = Some("v1_7".into());
    assert_eq!(
        op.request(&base(), None).unwrap().uri().query(),
        Some("v=v1_7")
    );
}

#[test]
fn query_service_request() {
    let query = Query::new()
        .filter(
            f::CREATION_TIME_UTC
                .ge(veeam_em_model::DateTime::parse("2021-06-15T00:00:00Z").unwrap()),
        )
        .sort_desc(f::CREATION_TIME_UTC)
        .page_size(50)
        .format(QueryFormat::Entities);
    let op = api::query().cdp_replica_session(query);
    let request = op.request(&base(), Some(&token())).unwrap();
    assert_eq!(
        request.uri(),
        "https://em.example.com:9398/api/query?type=CdpReplicaSession&format=Entities&filter=CreationTimeUTC%3E%3D%222021-06-15T00:00:00Z%22&sortDesc=CreationTimeUTC&pageSize=50"
    );
}

#[test]
fn path_values_are_escaped() {
    let op = api::cdp_policies().id("a/b c?").get();
    let request = op.request(&base(), Some(&token())).unwrap();
    assert_eq!(
        request.uri(),
        "https://em.example.com:9398/api/cdpPolicies/a%2Fb%20c%3F"
    );
}

#[test]
fn base_url_for_host_accepts_a_scheme_and_a_port_or_refuses_them() {
    use veeam_em_api::BaseUrl;
    let cases = [
        ("em", "https://em:9398/api"),
        ("https://em", "https://em:9398/api"),
        ("http://em", "http://em:9398/api"),
        ("em:9398", "https://em:9398/api"),
        ("em:9443", "https://em:9443/api"),
        ("https://em:9443/", "https://em:9443/api"),
        ("https://em:9443/api", "https://em:9443/api"),
        ("[::1]", "https://[::1]:9398/api"),
        ("[::1]:9443", "https://[::1]:9443/api"),
    ];
    for (host, url) in cases {
        assert_eq!(BaseUrl::for_host(host).unwrap().as_str(), url, "{host}");
    }
    for bad in ["", "ftp://em", "em/other", "user@em", "em?x=1", "https://"] {
        assert!(BaseUrl::for_host(bad).is_err(), "{bad:?}");
    }
}

/// Issue 19, defect 10: no generated method hides a standard trait's (`clone` of `CloneJob` is
/// `clone_job`), so a navigation value clones as any value does.
#[test]
fn navigation_values_keep_the_standard_methods() {
    let job = api::jobs().id("78c3919c-54d7-43fe-b047-485d3566f11f");
    let copy = job.clone();
    assert_eq!(copy, job);
    let op = copy.clone_job(veeam_em_model::JobCloneSpec::default());
    let request = op.request(&base(), Some(&token())).unwrap();
    assert_eq!(
        request.uri().to_string(),
        "https://em.example.com:9398/api/jobs/78c3919c-54d7-43fe-b047-485d3566f11f?action=clone"
    );
}
