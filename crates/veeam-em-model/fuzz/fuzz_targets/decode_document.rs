//! Any bytes: decoding never panics; a decoded document re-encodes to a document that decodes
//! to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use veeam_em_model::Document;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = Document::from_slice(data) {
        let xml = doc.to_xml_string();
        let again = Document::from_slice(xml.as_bytes()).expect("re-encoded document decodes");
        assert_eq!(again.to_xml_string(), xml, "encoding is stable");
        let _ = serde_json_free_check(&doc);
    }
});

fn serde_json_free_check(doc: &Document) -> usize {
    doc.root_element().len()
}
