//! The JSON form of `vem decode` reads back: JSON -> model -> JSON is the identity on every
//! fixture, and hand-written JSON with a mistake is an error that names it.

mod common;

use veeam_em_model::Document;

#[test]
fn json_reads_back_to_the_same_value_for_every_fixture() {
    for path in common::fixtures("ok") {
        let name = common::name(&path);
        let doc = Document::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let json = serde_json::to_value(&doc).unwrap();
        let back: Document = serde_json::from_value(json.clone())
            .unwrap_or_else(|e| panic!("{name}: the JSON does not read back: {e}"));
        assert_eq!(serde_json::to_value(&back).unwrap(), json, "{name}");
        // Without unknown content (which includes extra namespace declarations), the model
        // itself is the same. Not either when the items of a list come under several names in
        // turn: the JSON form keys them by name, so their interleaving is not kept.
        if !name.contains("unknown_content")
            && !name.contains("mixed_item_names")
            && !doc.to_xml_string().contains("xmlns:")
        {
            assert_eq!(back, doc, "{name}");
        }
        // And from JSON text, the way `vem encode` reads it.
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let again: Document = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_value(&again).unwrap(), json, "{name}");
    }
}

fn error(json: &str) -> String {
    serde_json::from_str::<Document>(json)
        .map(|d| panic!("{json} reads as {d:?}"))
        .unwrap_err()
        .to_string()
}

#[test]
fn mistakes_are_named() {
    let e = error(r#"{"Error": {"Mesage": "m", "StatusCode": 1}}"#);
    assert!(
        e.contains("unknown field `Mesage`") && e.contains("`Message`"),
        "{e}"
    );
    let e = error(r#"{"Error": {"StatusCode": 1}}"#);
    assert!(e.contains("missing field `Message`"), "{e}");
    let e = error(r#"{"Error": {"Message": "m", "Message": "n", "StatusCode": 1}}"#);
    assert!(e.contains("duplicate field `Message`"), "{e}");
    let e = error(r#"{"Error": {"Message": "m", "StatusCode": "five"}}"#);
    assert!(e.contains("invalid type"), "{e}");
    let e = error(r#"{"Eror": {}}"#);
    assert!(e.contains("unknown variant `Eror`"), "{e}");
    let e = error(r#"{"Error": {"Message": "m", "StatusCode": 1}, "Task": {}}"#);
    assert!(e.contains("invalid length"), "{e}");
    let e = error(r#"{"EntityRef": {"Type": "T", "Href": "h", "UID": "not-a-uid"}}"#);
    assert!(e.contains("expected a Veeam UID"), "{e}");
    // Optional values may be null; enumerations keep values they do not list.
    let doc: Document =
        serde_json::from_str(r#"{"Error": {"Message": "m", "StatusCode": 1, "Status": null}}"#)
            .unwrap();
    let Document::Error(e) = doc else { panic!() };
    assert_eq!(e.status, None);
}
