//! Decode, encode, decode gives the same value, for every `ok/` fixture; unknown content from a
//! newer server survives the trip.

mod common;

use veeam_em_model::{from_str, CdpReplicaSession, Document, EntityReferences};

#[test]
fn every_ok_fixture_round_trips() {
    for path in common::fixtures("ok") {
        let first = Document::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let xml = first.to_xml_string();
        let second = Document::from_slice(xml.as_bytes()).unwrap_or_else(|e| {
            panic!(
                "{}: re-encoded form does not decode: {e}\n{xml}",
                common::name(&path)
            )
        });
        assert_eq!(first, second, "{}", common::name(&path));
        // Encoding is a fixed point after one trip.
        assert_eq!(second.to_xml_string(), xml, "{}", common::name(&path));
    }
}

#[test]
fn unknown_content_is_kept_and_written_back() {
    let input = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/ok/cdp_replica_session_unknown_content.xml"),
    )
    .unwrap();
    let session: CdpReplicaSession = from_str(&input).unwrap();
    assert!(session
        .unknown
        .attributes()
        .iter()
        .any(|(k, v)| k == "SchemaRevision" && v == "14"));
    assert_eq!(session.unknown.elements().len(), 2, "{:?}", session.unknown);
    // Known fields around the unknown element are still decoded.
    assert_eq!(session.progress, Some(0));
    let out = veeam_em_model::to_string(&session);
    for needle in [
        "SchemaRevision=\"14\"",
        "Hint=\"primary\"",
        "<PolicyKind Legacy=\"false\">Continuous</PolicyKind>",
        "<Bottleneck><Source>Network</Source></Bottleneck>",
    ] {
        assert!(out.contains(needle), "{needle} missing from\n{out}");
    }
}

#[test]
fn unknown_content_in_lists_is_kept() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/ok/entity_references_unknown_content.xml");
    let refs: EntityReferences = from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let kept = !refs.unknown.is_empty()
        && refs.refs.iter().any(|r| !r.unknown.is_empty())
        && refs
            .refs
            .iter()
            .flat_map(|r| r.links.iter().flat_map(|l| &l.links))
            .any(|l| !l.unknown.is_empty());
    assert!(kept, "unknown content was dropped: {refs:#?}");
    let again: EntityReferences = from_str(&veeam_em_model::to_string(&refs)).unwrap();
    assert_eq!(again, refs);
}

#[test]
fn unprefixed_unknown_content_under_a_prefixed_root_keeps_its_namespace() {
    let xml = r#"<v:EntityReferences xmlns:v="http://www.veeam.com/ent/v1.0" xmlns="urn:other"><v:Ref Type="R" Href="a" UID="urn:veeam:R:a"><Name>not ours</Name></v:Ref></v:EntityReferences>"#;
    let refs: EntityReferences = from_str(xml).unwrap();
    assert_eq!(
        refs.refs[0].name, None,
        "an element of another namespace is not the schema's Name"
    );
    let out = veeam_em_model::to_string(&refs);
    assert!(
        out.contains(r#"<Name xmlns="urn:other">not ours</Name>"#),
        "{out}"
    );
    let again: EntityReferences = from_str(&out).unwrap();
    assert_eq!(
        again.refs[0].name, None,
        "re-encoding must not move it into the Veeam namespace"
    );
}

#[test]
fn an_element_declaring_another_default_namespace_is_not_the_schemas() {
    // Found by `cargo fuzz run decode_document`: a foreign `Link` kept under a prefixed root is
    // written back with `xmlns="..."`; reading that back must keep it foreign.
    let xml = r#"<v:EntityReferences xmlns:v="http://www.veeam.com/ent/v1.0"><v:Ref Type="R" Href="a" UID="urn:veeam:R:a"><v:Links><Link Rel="Up" odd<="x"/><v:Link Href="b"/></v:Links></v:Ref></v:EntityReferences>"#;
    let first = from_str::<EntityReferences>(xml);
    // quick-xml accepts the odd start tag of an element that is not ours; we keep it verbatim.
    let first = first.unwrap();
    let links = &first.refs[0].links.as_ref().unwrap();
    assert_eq!(links.links.len(), 1);
    assert_eq!(links.unknown.elements().len(), 1);
    let out = veeam_em_model::to_string(&first);
    assert!(out.contains(r#"<Link xmlns="" Rel="Up""#), "{out}");
    let again: EntityReferences = from_str(&out).unwrap();
    assert_eq!(again, first);
    let plain = r#"<EntityReferences xmlns="http://www.veeam.com/ent/v1.0"><Ref Type="R" Href="a" UID="urn:veeam:R:a"><Links><Link xmlns="urn:other" Odd="1"/></Links></Ref></EntityReferences>"#;
    let refs: EntityReferences = from_str(plain).unwrap();
    assert!(refs.refs[0].links.as_ref().unwrap().links.is_empty());
}

#[test]
fn unknown_content_is_listed_by_path() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let doc = Document::from_slice(
        &std::fs::read(dir.join("cdp_replica_session_unknown_content.xml")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        veeam_em_model::xml::unknown_paths("", &doc),
        [
            "CdpReplicaSession/@SchemaRevision",
            "CdpReplicaSession/Links/Link/@Hint",
            "CdpReplicaSession/PolicyKind",
            "CdpReplicaSession/Statistics",
        ]
    );
    // Namespace declarations are markup, not content.
    let plain =
        Document::from_slice(&std::fs::read(dir.join("backup_servers.xml")).unwrap()).unwrap();
    assert!(veeam_em_model::xml::unknown_paths("", &plain).is_empty());
    let refs = Document::from_slice(
        &std::fs::read(dir.join("entity_references_unknown_content.xml")).unwrap(),
    )
    .unwrap();
    let paths = veeam_em_model::xml::unknown_paths("", &refs);
    assert!(
        paths.contains(&"EntityReferences/Ref/@TenantUid".to_owned()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"EntityReferences/ContinuationToken".to_owned()),
        "{paths:?}"
    );
}
