//! Streaming decode: the items equal those of the whole-document decode, whatever the chunk
//! boundaries; errors carry the same position as the whole-document decode.

use std::io::Read;

use proptest::prelude::*;
use veeam_em_model::stream::{Collection, ItemDecoder, Next};
use veeam_em_model::{from_slice, CdpPolicies, EntityReferences, Tasks};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
    )
    .unwrap()
}

/// A reader that returns at most `n` bytes per call.
struct Chunked<'a> {
    data: &'a [u8],
    n: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let k = self.n.min(out.len()).min(self.data.len());
        out[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

fn streamed<C: Collection>(
    doc: &[u8],
    n: usize,
) -> Result<Vec<C::Item>, veeam_em_model::DecodeError> {
    C::stream(Chunked { data: doc, n }).collect()
}

/// A big document: the seed's refs repeated, with a comment and an unknown element between.
fn big() -> Vec<u8> {
    let seed = String::from_utf8(fixture("ok/entity_references_seed.xml")).unwrap();
    let body_start = seed.find("<Ref ").unwrap();
    let body_end = seed.rfind("</EntityReferences>").unwrap();
    let body = &seed[body_start..body_end];
    let mut doc = seed[..body_start].to_owned();
    for i in 0..40 {
        doc.push_str(body);
        if i == 7 {
            doc.push_str("<!-- a comment -->\n<Extra><Nested>text</Nested></Extra>\n");
        }
    }
    doc.push_str("</EntityReferences>\n");
    doc.into_bytes()
}

#[test]
fn items_equal_the_whole_document_decode() {
    for doc in [
        fixture("ok/entity_references_seed.xml"),
        fixture("ok/entity_references_prefixed.xml"),
        big(),
    ] {
        let whole: EntityReferences = from_slice(&doc).unwrap();
        for n in [1, 3, 17, 100, 4096, 1 << 20] {
            let items = streamed::<EntityReferences>(&doc, n).unwrap();
            assert_eq!(items, whole.refs, "chunk size {n}");
        }
    }
}

#[test]
fn other_collections_stream_too() {
    let whole: Tasks = from_slice(&fixture("ok/tasks.xml")).unwrap();
    assert_eq!(
        streamed::<Tasks>(&fixture("ok/tasks.xml"), 5).unwrap(),
        whole.tasks
    );
    let whole: CdpPolicies = from_slice(&fixture("ok/cdp_policies.xml")).unwrap();
    assert_eq!(
        streamed::<CdpPolicies>(&fixture("ok/cdp_policies.xml"), 11).unwrap(),
        whole.cdp_policies
    );
    assert!(
        streamed::<EntityReferences>(&fixture("ok/entity_references_empty.xml"), 2)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn push_decoder_byte_by_byte() {
    let doc = big();
    let mut decoder: ItemDecoder<veeam_em_model::EntityRef> = EntityReferences::decoder();
    let mut items = Vec::new();
    let mut fed = 0;
    loop {
        match decoder.next_item().unwrap() {
            Next::Item(item) => items.push(item),
            Next::End => break,
            Next::NeedData if fed < doc.len() => {
                decoder.feed(&doc[fed..fed + 1]);
                fed += 1;
            }
            Next::NeedData => decoder.finish(),
        }
    }
    assert_eq!(items.len(), 240);
}

#[test]
fn owned_chunks_decode_like_borrowed_ones_and_the_buffer_comes_back() {
    let doc = big();
    let (head, tail) = doc.split_at(doc.len() / 3);
    let mut decoder: ItemDecoder<veeam_em_model::EntityRef> = EntityReferences::decoder();
    decoder.feed_vec(head.to_vec());
    let mut items = Vec::new();
    while let Next::Item(item) = decoder.next_item().unwrap() {
        items.push(item);
    }
    decoder.feed_vec(tail.to_vec()); // appended after what is still pending
    decoder.finish();
    while let Next::Item(item) = decoder.next_item().unwrap() {
        items.push(item);
    }
    assert_eq!(items, from_slice::<EntityReferences>(&doc).unwrap().refs);
    // Fed once, the buffer is the document itself.
    let mut once: ItemDecoder<veeam_em_model::EntityRef> = EntityReferences::decoder();
    once.feed_vec(doc.clone());
    assert!(matches!(once.next_item().unwrap(), Next::Item(_)));
    assert_eq!(once.into_buffer(), doc);
}

#[test]
fn errors_have_the_positions_of_the_whole_document_decode() {
    let good = String::from_utf8(big()).unwrap();
    // Corrupt the UID of a Ref far into the document.
    let at = good.match_indices("UID=\"urn:veeam:").nth(100).unwrap().0;
    let bad = format!(
        "{}UID=\"nope{}",
        &good[..at],
        &good[at + "UID=\"urn:veeam:".len()..]
    );
    let whole = from_slice::<EntityReferences>(bad.as_bytes()).unwrap_err();
    for n in [1, 64, 65536] {
        let err = streamed::<EntityReferences>(bad.as_bytes(), n).unwrap_err();
        assert_eq!(err.to_string(), whole.to_string(), "chunk size {n}");
    }
    assert!(
        whole.path().starts_with("EntityReferences/Ref[101]"),
        "{whole}"
    );
}

#[test]
fn truncated_and_wrong_documents_fail() {
    let doc = big();
    let err = streamed::<EntityReferences>(&doc[..doc.len() / 2], 1000).unwrap_err();
    assert!(
        err.to_string().contains("end of input") || err.to_string().contains("malformed"),
        "{err}"
    );
    let err = streamed::<EntityReferences>(&fixture("ok/task.xml"), 1000).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected root element <EntityReferences>, found <Task>"),
        "{err}"
    );
    for name in [
        "err/doctype_entity.xml",
        "err/no_namespace.xml",
        "err/empty.xml",
    ] {
        assert!(
            streamed::<EntityReferences>(&fixture(name), 7).is_err(),
            "{name}"
        );
    }
}

#[test]
fn text_between_items_and_trailing_content_are_errors() {
    let text = br#"<EntityReferences xmlns="http://www.veeam.com/ent/v1.0"><Ref Type="R" Href="a" UID="urn:veeam:R:a"/>stray<Ref Type="R" Href="b" UID="urn:veeam:R:b"/></EntityReferences>"#;
    let err = streamed::<EntityReferences>(text, 5).unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"expected child elements, found text "stray""#),
        "{err}"
    );
    let trailing = br#"<EntityReferences xmlns="http://www.veeam.com/ent/v1.0"><Ref Type="R" Href="a" UID="urn:veeam:R:a"/></EntityReferences><!-- ok --> <Extra/>"#;
    let err = streamed::<EntityReferences>(trailing, 3).unwrap_err();
    assert_eq!(
        err.kind(),
        &veeam_em_model::DecodeErrorKind::TrailingContent,
        "{err}"
    );
    let fine = br#"<EntityReferences xmlns="http://www.veeam.com/ent/v1.0"><Ref Type="R" Href="a" UID="urn:veeam:R:a"/></EntityReferences> <!-- ok -->
"#;
    assert_eq!(streamed::<EntityReferences>(fine, 3).unwrap().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any split of the input into chunks gives the same items.
    #[test]
    fn any_chunking(n in 1usize..5000) {
        let doc = big();
        let whole: EntityReferences = from_slice(&doc).unwrap();
        prop_assert_eq!(streamed::<EntityReferences>(&doc, n).unwrap(), whole.refs);
    }

    /// Every prefix of a document fails or gives a prefix of the items; never a panic.
    #[test]
    fn prefixes_never_panic(cut in 0usize..3000) {
        let doc = fixture("ok/entity_references_seed.xml");
        let cut = cut.min(doc.len());
        let whole: EntityReferences = from_slice(&doc).unwrap();
        let mut seen = 0;
        for item in EntityReferences::stream(&doc[..cut]) {
            match item {
                Ok(item) => {
                    prop_assert_eq!(&item, &whole.refs[seen]);
                    seen += 1;
                }
                Err(_) => break,
            }
        }
    }
}

/// Found by `cargo fuzz run stream_items`: an unknown element whose start tag holds a stray `"`
/// makes the tokenizer look far ahead for the closing quote; the streaming decoder must wait for
/// more data instead of reporting the end of its window as an error.
#[test]
fn stray_quote_in_an_unknown_tag_streams_like_the_whole_decode() {
    let doc = fixture("stream/quote_in_unknown_start_tag.xml");
    let whole: EntityReferences = from_slice(&doc).unwrap();
    for n in [1, 7, 64, 4096] {
        assert_eq!(
            streamed::<EntityReferences>(&doc, n).unwrap(),
            whole.refs,
            "chunk size {n}"
        );
    }
}

#[test]
fn items_nested_in_a_query_result() {
    use veeam_em_model::{CdpReplicaSession, CdpReplicaSessionItem, EntityRef, QueryResult};
    // References of a paged query result (PagingInfo after Refs is skipped).
    let doc = fixture("ok/query_result_refs_backup_server_paged.xml");
    let whole: QueryResult = from_slice(&doc).unwrap();
    let decoder = ItemDecoder::<EntityRef>::nested("QueryResult", &["Refs"], &["Ref"]);
    let items: Vec<EntityRef> =
        veeam_em_model::stream::Items::new(Chunked { data: &doc, n: 13 }, decoder)
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(items, whole.refs.unwrap().refs);
    // Entities under two containers, with both item names.
    let doc = fixture("ok/query_result_cdp_replica_session_entities.xml");
    let whole: QueryResult = from_slice(&doc).unwrap();
    let Some(veeam_em_model::EntityList::CdpReplicaSessions(sessions)) =
        whole.entities.unwrap().list
    else {
        panic!("not a list of sessions")
    };
    let expected: Vec<CdpReplicaSession> = sessions
        .cdp_replica_session_items
        .into_iter()
        .map(|i| match i {
            CdpReplicaSessionItem::CdpReplicaSession(s)
            | CdpReplicaSessionItem::CdpPolicySession(s) => s,
        })
        .collect();
    assert!(!expected.is_empty());
    for n in [1, 50, 100_000] {
        let decoder = ItemDecoder::<CdpReplicaSession>::nested(
            "QueryResult",
            &["Entities", "CdpReplicaSessions"],
            &["CdpReplicaSession", "CdpPolicySession"],
        );
        let items: Vec<CdpReplicaSession> =
            veeam_em_model::stream::Items::new(Chunked { data: &doc, n }, decoder)
                .collect::<Result<_, _>>()
                .unwrap();
        assert_eq!(items, expected, "chunk size {n}");
    }
}

/// Found by `cargo fuzz run stream_items`: kept content of another namespace under a prefixed
/// root must be kept the same way by the streaming and the whole-document decode.
#[test]
fn foreign_content_under_a_prefixed_root_streams_like_the_whole_decode() {
    let doc = br#"<v:EntityReferences xmlns:v="http://www.veeam.com/ent/v1.0" xmlns="urn:other"><v:Ref Type="R" Href="a" UID="urn:veeam:R:a"><Extra>1</Extra></v:Ref><v:Ref Type="R" Href="b" UID="urn:veeam:R:b"/></v:EntityReferences>"#;
    let whole: EntityReferences = from_slice(doc).unwrap();
    assert_eq!(
        whole.refs[0].unknown.elements()[0].xml,
        r#"<Extra xmlns="urn:other">1</Extra>"#
    );
    for n in [1, 9, 4096] {
        assert_eq!(
            streamed::<EntityReferences>(doc, n).unwrap(),
            whole.refs,
            "chunk size {n}"
        );
    }
}
