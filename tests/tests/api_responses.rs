//! Decoding responses: success bodies from fixtures, and each failure stage told apart.

use veeam_em_api::{api, ApiError, Credentials, Operation, SESSION_HEADER};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
    )
    .unwrap()
}

/// The error and its sources, `: `-separated, as `anyhow` prints them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

fn response<'b>(
    status: u16,
    content_type: Option<&str>,
    body: &'b [u8],
) -> http::Response<&'b [u8]> {
    let mut builder = http::Response::builder().status(status);
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    builder.body(body).unwrap()
}

#[test]
fn success_decodes_the_representation() {
    let body = fixture("ok/entity_references_seed.xml");
    let op = api::cdp_replica_sessions()
        .id("6b872a71")
        .cdp_replica_task_sessions()
        .get();
    let refs = op
        .decode(response(200, Some("application/xml; charset=utf-8"), &body))
        .unwrap();
    assert_eq!(refs.refs.len(), 6);
}

#[test]
fn entity_form_decodes_entities() {
    let body = fixture("ok/cdp_replica_session.xml");
    let op = api::cdp_replica_sessions().id("6b872a71").get_entity();
    let session = op
        .decode(response(200, Some("application/xml"), &body))
        .unwrap();
    assert_eq!(session.policy_name.as_deref(), Some("CDP Policy 1"));
}

#[test]
fn logon_takes_the_token_from_the_header_or_the_cookie() {
    let body = fixture("ok/logon_session.xml");
    let op = api::session_mngr().logon(Credentials::new("u", "p"));
    let with_header = http::Response::builder()
        .status(201)
        .header(SESSION_HEADER, "NDRjZmJk")
        .body(&body[..])
        .unwrap();
    let logged_on = op.decode(with_header).unwrap();
    assert_eq!(logged_on.token.expose(), "NDRjZmJk");
    let with_cookie = http::Response::builder()
        .status(201)
        .header(
            "set-cookie",
            format!("{SESSION_HEADER}=Y29va2ll; path=/; secure"),
        )
        .body(&body[..])
        .unwrap();
    assert_eq!(op.decode(with_cookie).unwrap().token.expose(), "Y29va2ll");
    let without = response(201, Some("application/xml"), &body);
    assert!(matches!(
        op.decode(without),
        Err(ApiError::MissingHeader { .. })
    ));
}

#[test]
fn no_content_for_logout() {
    let op = api::logon_sessions().id("abc").logout();
    op.decode(response(204, None, b"")).unwrap();
}

#[test]
fn error_status_carries_the_server_message() {
    let body = br#"<Error xmlns="http://www.veeam.com/ent/v1.0" Message="Object not found" StatusCode="404" />"#;
    let op = api::cdp_policies().id("missing").get();
    let err = op
        .decode(response(404, Some("application/xml"), body))
        .unwrap_err();
    match &err {
        ApiError::Status {
            status,
            error: Some(e),
            body: raw,
            ..
        } => {
            assert_eq!(status.as_u16(), 404);
            assert_eq!(e.message, "Object not found");
            assert_eq!(raw.as_slice(), body);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "GetCdpPolicy: HTTP 404 Not Found: Object not found (StatusCode 404)"
    );
}

#[test]
fn error_status_without_error_document() {
    let op = api::cdp_policies().get();
    let err = op
        .decode(response(
            503,
            Some("text/html"),
            b"<html>Service Unavailable</html>",
        ))
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Status { error: None, .. }),
        "{err:?}"
    );
    assert_eq!(err.body(), Some(&b"<html>Service Unavailable</html>"[..]));
}

#[test]
fn success_with_a_content_type_of_neither_form() {
    let op = api::cdp_policies().get();
    let err = op
        .decode(response(200, Some("text/plain"), br#"{"Refs":[]}"#))
        .unwrap_err();
    assert!(matches!(err, ApiError::ContentType { .. }), "{err:?}");
    assert!(err.to_string().contains(r#"{"Refs":[]}"#));
}

#[test]
fn success_in_the_json_form_decodes_whatever_was_asked_for() {
    let op = api::cdp_policies().get();
    let refs = op
        .decode(response(
            200,
            Some("application/json; charset=utf-8"),
            br#"{"Refs":[{"Type":"CdpPolicyReference","Href":"https://em/api/cdpPolicies/1","Name":"P","UID":"urn:veeam:CdpPolicy:1","Links":[]}]}"#,
        ))
        .unwrap();
    assert_eq!(refs.refs.len(), 1);
    assert_eq!(refs.refs[0].name.as_deref(), Some("P"));
    // Without a content type, the first character tells.
    let refs = op
        .decode(response(200, None, br#"{"Refs": null}"#))
        .unwrap();
    assert!(refs.refs.is_empty());
    // An error document in JSON is the server's message.
    let err = op
        .decode(response(
            404,
            Some("application/json"),
            br#"{"Message": "There is no such policy", "StatusCode": 404}"#,
        ))
        .unwrap_err();
    assert!(err.to_string().contains("There is no such policy"), "{err}");
}

#[test]
fn success_with_a_body_that_is_not_in_its_form() {
    let op = api::cdp_policies().get();
    let err = op
        .decode(response(200, None, b"Service Unavailable"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::NotTheForm {
                expected: veeam_em_model::Wire::Xml,
                ..
            }
        ),
        "{err:?}"
    );
    let err = op
        .decode(response(
            200,
            Some("application/json"),
            b"<html>Busy</html>",
        ))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::NotTheForm {
                expected: veeam_em_model::Wire::Json,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn success_with_the_wrong_document_has_a_positioned_error() {
    let body = fixture("ok/task.xml");
    let op = api::cdp_policies().get();
    let err = op
        .decode(response(200, Some("application/xml"), &body))
        .unwrap_err();
    let ApiError::Decode { source, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((source.line(), source.column()), (1, 1));
    assert!(
        chain(&err).contains("expected root element <EntityReferences>, found <Task>"),
        "{err}"
    );
}

#[test]
fn bad_input_in_a_success_body() {
    let body = fixture("err/bad_uid.xml");
    let op = api::cdp_replica_sessions().id("x").get_entity();
    let err = op
        .decode(response(200, Some("application/xml"), &body))
        .unwrap_err();
    assert!(chain(&err).contains("at CdpReplicaSession/@UID"), "{err}");
}

#[test]
fn the_vm_replica_entity_decodes_under_the_root_servers_send() {
    // Servers answer with <CdpReplicaVm>, the schema mapping says <VmCdpReplica>: both decode.
    let body = fixture("ok/cdp_replica_vm_server_root.xml");
    let op = api::cdp_replicas().id("r").vms().id("v").get_entity();
    let vm = op
        .decode(response(200, Some("application/xml"), &body))
        .unwrap();
    assert_eq!(vm.name.as_deref(), Some("virt03-vm01"));
    assert_eq!(
        vm.policy_uid.as_deref(),
        Some("145f3365-6ec0-44e9-9538-8c8c34ebdcce"),
        "a bare id, as servers send"
    );
    let documented = fixture("ok/vm_cdp_replica.xml");
    assert!(op
        .decode(response(200, Some("application/xml"), &documented))
        .is_ok());
}

#[test]
fn display_does_not_repeat_the_source() {
    let body = fixture("err/bad_uid.xml");
    let op = api::cdp_replica_sessions().id("x").get_entity();
    let err = op
        .decode(response(200, Some("application/xml"), &body))
        .unwrap_err();
    let source = std::error::Error::source(&err).expect("a decode error has its source");
    assert!(
        !err.to_string().contains(&source.to_string()),
        "Display repeats the source: {err}"
    );
    // The whole chain, as anyhow prints it, says each thing once.
    let printed = chain(&err);
    assert_eq!(
        printed.matches("expected a Veeam UID").count(),
        1,
        "{printed}"
    );
}

#[test]
fn debug_shows_the_body_as_text() {
    let body = b"<Error xmlns=\"http://www.veeam.com/ent/v1.0\" Message=\"Access denied\" StatusCode=\"403\" />";
    let err = api::cdp_policies()
        .get()
        .decode(response(403, Some("application/xml"), body))
        .unwrap_err();
    let debug = format!("{err:?}");
    assert!(debug.contains("Access denied"), "{debug}");
    assert!(
        debug.contains(&format!("({} bytes)", body.len())),
        "{debug}"
    );
    assert!(!debug.contains("60, 69, 114"), "bytes as numbers: {debug}");
    // Long bodies are cut.
    let long = vec![b'x'; 5000];
    let err = api::cdp_policies()
        .get()
        .decode(response(502, Some("text/plain"), &long))
        .unwrap_err();
    let debug = format!("{err:?}");
    assert!(
        debug.len() < 1500 && debug.contains("(5000 bytes)"),
        "{debug}"
    );
}

#[test]
fn an_empty_success_body_says_empty_body() {
    for body in [&b""[..], b"  \r\n"] {
        let err = api::cdp_policies()
            .get()
            .decode(response(200, Some("application/xml"), body))
            .unwrap_err();
        assert!(matches!(err, ApiError::EmptyBody { .. }), "{err:?}");
        assert!(err.to_string().contains("empty body"), "{err}");
        assert!(err.to_string().contains("<EntityReferences>"), "{err}");
    }
}
