//! The server side of the catalogue agrees with the client side: every operation a client builds
//! is read back by `Incoming` as the same typed operation (with its body and credentials), and
//! every response a server encodes with `ToResponse` decodes as the same value.

mod common;

use std::collections::BTreeMap;

use veeam_em_api::incoming::{AnyRequest, Incoming, RequestError};
use veeam_em_api::{
    BaseUrl, Credentials, FromResponse, LoggedOn, Route, SessionToken, ToResponse, CATALOGUE,
};
use veeam_em_model::{Document, Wire};

/// One fixture per root element.
fn documents() -> BTreeMap<&'static str, (Vec<u8>, Document)> {
    let mut out = BTreeMap::new();
    for path in common::fixtures("ok") {
        let bytes = std::fs::read(&path).unwrap();
        let doc = Document::from_slice(&bytes).unwrap();
        out.entry(doc.root_element()).or_insert((bytes, doc));
    }
    out
}

#[test]
fn every_operation_a_client_builds_is_read_back_by_the_server() {
    let docs = documents();
    let base = BaseUrl::parse("https://em:9398/api").unwrap();
    let token = SessionToken::new("token-1");
    let credentials = Credentials::new("CORP\\admin", "p:ss");
    for entry in CATALOGUE {
        let ids = ["a1", "b2", "c3"];
        let route = Route {
            entry,
            path_values: ids[..entry.path.matches('{').count()]
                .iter()
                .map(|s| (*s).into())
                .collect(),
            query: Vec::new(),
        };
        let body = entry.request.map(|root| {
            docs.get(root)
                .unwrap_or_else(|| panic!("no fixture with root {root}"))
                .0
                .clone()
        });
        let request = route
            .request(&base, Some(&token), Some(&credentials), body)
            .unwrap();
        let incoming = Incoming::parse(&request).unwrap_or_else(|e| panic!("{}: {e}", entry.name));
        assert_eq!(incoming.route.entry.name, entry.name);
        let typed = AnyRequest::from_incoming(&incoming).unwrap();
        assert_eq!(typed.entry().name, entry.name);
        // Built again from the typed value, the request is the same.
        let again = typed.request(&base, Some(&token)).unwrap();
        assert_eq!(again.uri(), request.uri(), "{}", entry.name);
        assert_eq!(again.method(), request.method(), "{}", entry.name);
        if entry.request.is_some() {
            assert_eq!(
                Document::from_slice(again.body()).unwrap(),
                incoming.body.clone().unwrap(),
                "{}",
                entry.name
            );
        }
        match entry.auth {
            veeam_em_api::Auth::Basic => {
                assert_eq!(incoming.credentials.as_ref(), Some(&credentials))
            }
            veeam_em_api::Auth::Session => assert_eq!(incoming.session.as_ref(), Some(&token)),
            veeam_em_api::Auth::None => assert_eq!(incoming.session, None),
        }
    }
}

#[test]
fn bodies_that_do_not_fit_are_refused() {
    let post = |body: &[u8]| {
        http::Request::post("/api/cdpReplicas/r/vms/v?action=failover")
            .body(body.to_vec())
            .unwrap()
    };
    assert!(matches!(
        Incoming::parse(&post(b"")),
        Err(RequestError::MissingBody { .. })
    ));
    assert!(matches!(
        Incoming::parse(&post(b"<Task xmlns=\"http://www.veeam.com/ent/v1.0\"/>")),
        Err(RequestError::WrongBody { found, .. }) if found == "Task"
    ));
    assert!(matches!(
        Incoming::parse(&post(b"{\"json\": true}")),
        Err(RequestError::BadBody { .. })
    ));
    let bad_auth = http::Request::post("/api/sessionMngr/?v=latest")
        .header("Authorization", "Basic !!!")
        .body(Vec::new())
        .unwrap();
    assert_eq!(
        Incoming::parse(&bad_auth).unwrap_err(),
        RequestError::BadAuthorization
    );
}

#[test]
fn the_cookie_token_wins_over_the_header() {
    let request = http::Request::get("/api/tasks")
        .header("X-RestSvcSessionId", "from-header")
        .header("Cookie", "other=1; X-RestSvcSessionId=from-cookie")
        .body(Vec::new())
        .unwrap();
    let incoming = Incoming::parse(&request).unwrap();
    assert_eq!(incoming.session.unwrap().expose(), "from-cookie");
}

#[test]
fn every_response_a_server_encodes_decodes_as_the_same_value() {
    let docs = documents();
    for wire in [Wire::Xml, Wire::Json] {
        for entry in CATALOGUE {
            let Some(root) = entry.representation() else {
                let response = ().to_response(entry, wire);
                assert_eq!(response.status().as_u16(), entry.status());
                continue;
            };
            let (_, doc) = docs
                .get(root)
                .unwrap_or_else(|| panic!("no fixture with root {root}"));
            // Through the Document, whatever the type: encode, then decode as a client would.
            let response = veeam_em_api::response::body_response(
                http::StatusCode::from_u16(entry.status()).unwrap(),
                doc.to_wire(wire).into_bytes(),
                wire,
            );
            let (parts, body) = response.into_parts();
            let response = http::Response::from_parts(parts, &body[..]);
            if entry.name == "Logon" {
                let session = match wire {
                    Wire::Xml => veeam_em_model::from_slice(&body).unwrap(),
                    Wire::Json => veeam_em_model::json::from_slice(&body).unwrap(),
                };
                let logged_on = LoggedOn {
                    session,
                    token: SessionToken::new("tok"),
                };
                let response = logged_on.to_response(entry, wire);
                assert_eq!(response.headers()["x-restsvcsessionid"], "tok");
                let (parts, body) = response.into_parts();
                let back =
                    LoggedOn::from_response(entry, &http::Response::from_parts(parts, &body[..]))
                        .unwrap();
                assert_eq!(back, logged_on);
                continue;
            }
            veeam_em_api::response::check_status(entry, &response).unwrap();
            assert!(response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(wire.media_type()));
            let back = Document::from_wire(wire, Some(root), response.body()).unwrap();
            match wire {
                Wire::Xml => assert_eq!(&back, doc),
                // The JSON form keeps unknown content in its own shape: compare the JSON.
                Wire::Json => assert_eq!(back.to_json_string(), doc.to_json_string(), "{root}"),
            }
        }
    }
}
