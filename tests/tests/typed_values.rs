//! Typed access to decoded values, and the positions and paths of errors.

mod common;

use veeam_em_model::{
    from_slice, from_str, CdpReplicaSessionItem, DecodeErrorKind, Document, EntityReferences,
    QueryResult, SessionResult, SessionState,
};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/ok")
            .join(name),
    )
    .unwrap()
}

#[test]
fn seed_document_values() {
    let refs: EntityReferences = from_slice(&fixture("entity_references_seed.xml")).unwrap();
    assert_eq!(refs.refs.len(), 6);
    let first = &refs.refs[0];
    let uid = &first.uid;
    assert_eq!(uid.kind(), "CdpReplicaTaskSession");
    assert_eq!(uid.id(), "2ec4d35f-b5d8-4cb3-9d11-12e1d5792625");
    assert!(uid.as_uuid().is_some());
    assert_eq!(&*first.type_, "CdpReplicaTaskSessionReference");
    let links = &first.links.as_ref().unwrap().links;
    assert_eq!(links.len(), 3);
    assert_eq!(links[2].rel.as_deref(), Some("Alternate"));
    assert!(links[2].href.ends_with("?format=Entity"));
}

#[test]
fn a_reference_without_href_type_or_uid_is_an_error() {
    let ns = r#"xmlns="http://www.veeam.com/ent/v1.0""#;
    let full = r#"Type="CdpPolicyReference" Href="/cdpPolicies/1" UID="urn:veeam:CdpPolicy:1""#;
    let ok: EntityReferences = veeam_em_model::from_str(&format!(
        "<EntityReferences {ns}><Ref {full}/></EntityReferences>"
    ))
    .unwrap();
    assert_eq!(ok.refs[0].name, None, "Name is optional");
    for missing in ["Type", "Href", "UID"] {
        let attrs: Vec<&str> = full
            .split("\" ")
            .filter(|a| !a.starts_with(&format!("{missing}=")))
            .collect();
        let attrs = attrs.join("\" ");
        let attrs = if attrs.ends_with('"') {
            attrs
        } else {
            format!("{attrs}\"")
        };
        let doc = format!("<EntityReferences {ns}><Ref {attrs}/></EntityReferences>");
        let err = veeam_em_model::from_str::<EntityReferences>(&doc).unwrap_err();
        assert_eq!(
            err.kind(),
            &veeam_em_model::DecodeErrorKind::MissingAttribute(missing),
            "{doc}"
        );
        assert_eq!(err.path(), "EntityReferences/Ref[1]", "{doc}");
    }
}

#[test]
fn prefixed_namespace_decodes_like_the_default_one() {
    let refs: EntityReferences = from_slice(&fixture("entity_references_prefixed.xml")).unwrap();
    assert_eq!(refs.refs.len(), 1);
    assert!(refs.refs[0].links.is_some());
}

#[test]
fn escaped_hrefs_are_decoded() {
    let refs: EntityReferences =
        from_slice(&fixture("entity_references_server_variant.xml")).unwrap();
    let mut hrefs: Vec<&str> = refs.refs.iter().map(|r| r.href.as_str()).collect();
    for r in &refs.refs {
        hrefs.extend(
            r.links
                .iter()
                .flat_map(|l| &l.links)
                .map(|l| l.href.as_str()),
        );
    }
    assert!(
        hrefs[0].starts_with("https://localhost:9398/api/cdpPolicies/"),
        "{hrefs:?}"
    );
    assert!(
        hrefs
            .iter()
            .all(|h| !h.contains("&#x2F;") && !h.contains("&amp;")),
        "{hrefs:?}"
    );
    assert!(hrefs.iter().any(|h| h.contains('&')), "{hrefs:?}");
}

#[test]
fn query_result_with_policy_session_items() {
    let result: QueryResult =
        from_slice(&fixture("query_result_cdp_replica_session_entities.xml")).unwrap();
    let Some(veeam_em_model::EntityList::CdpReplicaSessions(sessions)) =
        result.entities.unwrap().list
    else {
        panic!("not a list of sessions")
    };
    assert!(!sessions.cdp_replica_session_items.is_empty());
    for item in &sessions.cdp_replica_session_items {
        assert_eq!(item.element_name(), "CdpPolicySession");
        let CdpReplicaSessionItem::CdpPolicySession(s) = item else {
            panic!("{item:?}");
        };
        assert!(s.uid.is_some());
    }
}

#[test]
fn enumerations_are_open() {
    let xml = r#"<CdpReplicaSession xmlns="http://www.veeam.com/ent/v1.0"><State>Hibernating</State><Result>None</Result></CdpReplicaSession>"#;
    let Document::CdpReplicaSession(s) = Document::from_slice(xml.as_bytes()).unwrap() else {
        panic!("wrong root");
    };
    assert_eq!(s.state, Some(SessionState::Other("Hibernating".into())));
    assert_eq!(s.result, Some(SessionResult::None));
    assert!(Document::CdpReplicaSession(s)
        .to_xml_string()
        .contains("<State>Hibernating</State>"));
}

#[test]
fn error_path_names_the_nth_item() {
    let mut xml = String::from(r#"<EntityReferences xmlns="http://www.veeam.com/ent/v1.0">"#);
    for i in 1..=3 {
        xml.push_str(&format!(
            "\n  <Ref Type=\"R\" Href=\"/r/{i}\" UID=\"urn:veeam:R:1\"><Links>"
        ));
        if i == 3 {
            xml.push_str("<Link Rel=\"Up\" />");
        } else {
            xml.push_str("<Link Href=\"/x\" />");
        }
        xml.push_str("</Links></Ref>");
    }
    xml.push_str("\n</EntityReferences>");
    let err = from_str::<EntityReferences>(&xml).unwrap_err();
    assert_eq!(err.path(), "EntityReferences/Ref[3]/Links/Link[1]");
    assert_eq!(err.kind(), &DecodeErrorKind::MissingAttribute("Href"));
    assert_eq!((err.line(), err.column()), (4, 56));
    assert_eq!(&xml[err.offset()..err.offset() + 5], "<Link");
}

#[test]
fn attribute_errors_point_at_the_value() {
    let xml =
        "<Task xmlns=\"http://www.veeam.com/ent/v1.0\"><TaskId>t</TaskId><State>Running</State>\
               <Operation>o</Operation><Result Success=\"perhaps\" /></Task>";
    let err = from_str::<veeam_em_model::Task>(xml).unwrap_err();
    assert_eq!(err.path(), "Task/Result/@Success");
    assert_eq!(&xml[err.offset()..err.offset() + 7], "perhaps");
}

#[test]
fn required_elements_are_required() {
    let xml = "<Task xmlns=\"http://www.veeam.com/ent/v1.0\"><TaskId>t</TaskId><State>Running</State></Task>";
    let err = from_str::<veeam_em_model::Task>(xml).unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::MissingElement("Operation"));
    assert_eq!(err.path(), "Task");
}

#[test]
fn typed_decode_rejects_another_root() {
    let err = from_slice::<EntityReferences>(&fixture("task.xml")).unwrap_err();
    assert!(
        matches!(err.kind(), DecodeErrorKind::UnexpectedRoot { .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "1:1 (byte 0): expected root element <EntityReferences>, found <Task>"
    );
}

#[test]
fn no_input_panics_truncated_or_corrupted() {
    // Every prefix of a real document, and every single-byte corruption of its first 600 bytes,
    // must give a value or an error, never a panic.
    let input = fixture("cdp_replica_session_unknown_content.xml");
    for end in 0..input.len() {
        let _ = Document::from_slice(&input[..end]);
    }
    for i in 0..input.len().min(600) {
        for b in [b'<', b'>', b'&', b'"', b'/', 0xff, b' ', b'x'] {
            let mut bad = input.clone();
            bad[i] = b;
            if let Err(e) = Document::from_slice(&bad) {
                assert!(e.offset() <= bad.len());
            }
        }
    }
}

#[test]
fn depth_is_bounded_without_recursion_limits_of_the_stack() {
    let mut xml = String::from(r#"<Tasks xmlns="http://www.veeam.com/ent/v1.0">"#);
    xml.push_str(&"<X>".repeat(100_000));
    let err = Document::from_slice(xml.as_bytes()).unwrap_err();
    assert!(
        matches!(err.kind(), DecodeErrorKind::TooDeep { .. }),
        "{err}"
    );
}

#[test]
fn nil_and_empty_optional_values_are_absent() {
    let xml = r#"<CdpReplicaSession xmlns="http://www.veeam.com/ent/v1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" UID="">
      <EndTimeUTC xsi:nil="true" /><Progress></Progress><IsRetry> </IsRetry><FailureMessage /><PolicyName xsi:nil="true"/>
    </CdpReplicaSession>"#;
    let s: veeam_em_model::CdpReplicaSession = from_str(xml).unwrap();
    assert_eq!(s.end_time_utc, None);
    assert_eq!(s.progress, None);
    assert_eq!(s.is_retry, None);
    assert_eq!(s.uid, None, "an empty optional typed attribute is absent");
    assert_eq!(
        s.failure_message.as_deref(),
        Some(""),
        "an empty string stays an empty string"
    );
    assert_eq!(s.policy_name, None, "xsi:nil is absent even for strings");
    // Non-empty invalid values are still errors.
    let err = from_str::<veeam_em_model::CdpReplicaSession>(
        r#"<CdpReplicaSession xmlns="http://www.veeam.com/ent/v1.0"><Progress>lots</Progress></CdpReplicaSession>"#,
    )
    .unwrap_err();
    assert_eq!(err.path(), "CdpReplicaSession/Progress");
}
