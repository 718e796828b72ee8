//! Snapshot tests over the fixture corpus: every `ok/` document decodes (JSON snapshot) and
//! re-encodes (XML snapshot), every `err/` document fails with a positioned message (snapshot).

mod common;

use veeam_em_model::Document;

#[test]
fn ok_documents_decode_to_json() {
    insta::glob!("../fixtures/ok", "*.xml", |path| {
        let input = std::fs::read(path).unwrap();
        let doc =
            Document::from_slice(&input).unwrap_or_else(|e| panic!("{}: {e}", common::name(path)));
        insta::assert_json_snapshot!(doc);
    });
}

#[test]
fn ok_documents_encode_to_xml() {
    insta::glob!("../fixtures/ok", "*.xml", |path| {
        let input = std::fs::read(path).unwrap();
        let doc = Document::from_slice(&input).unwrap();
        insta::assert_snapshot!(doc.to_xml_string());
    });
}

#[test]
fn err_documents_fail_with_positioned_messages() {
    insta::glob!("../fixtures/err", "*.xml", |path| {
        let input = std::fs::read(path).unwrap();
        let err = match Document::from_slice(&input) {
            Ok(doc) => panic!("{} decoded: {doc:?}", common::name(path)),
            Err(e) => e,
        };
        assert!(err.line() >= 1 && err.column() >= 1, "{err}");
        assert!(err.offset() <= input.len(), "{err}");
        insta::assert_snapshot!(err.to_string());
    });
}

#[test]
fn every_root_element_has_a_fixture() {
    let mut seen = std::collections::BTreeSet::new();
    for path in common::fixtures("ok") {
        let doc = Document::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        seen.insert(doc.root_element());
    }
    let missing: Vec<_> = Document::ROOT_ELEMENTS
        .iter()
        .filter(|r| !seen.contains(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "root elements without an ok/ fixture: {missing:?}"
    );
}
