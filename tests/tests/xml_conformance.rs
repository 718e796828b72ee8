//! What XML 1.0 says a value is, read and written: line ends, attribute-value normalisation,
//! escaping that other parsers read back the same, white space between elements, inputs that
//! are not XML, and the place of unknown elements. `tests/xml_conformance.py` checks the same
//! documents against libxml2 (lxml) in CI.

mod common;

use veeam_em_model::{
    from_slice, from_str, to_string, DateTime, DecodeErrorKind, Document, EntityReferences, Error,
    NotXml,
};

const NS: &str = r#"xmlns="http://www.veeam.com/ent/v1.0""#;

fn error_doc(message_attr: &str, stack_trace: &str) -> String {
    format!(
        r#"<Error {NS} Message="{message_attr}" StatusCode="500"><StackTrace>{stack_trace}</StackTrace></Error>"#
    )
}

#[test]
fn line_ends_in_text_read_as_line_feeds() {
    let e: Error = from_str(&error_doc("m", "a\r\nb\rc\nd")).unwrap();
    assert_eq!(e.stack_trace.as_deref(), Some("a\nb\nc\nd"));
    // In CDATA too; a character reference keeps its carriage return.
    let e: Error = from_str(&error_doc("m", "<![CDATA[x\r\ny]]>&#13;z&#xD;\r\n")).unwrap();
    assert_eq!(e.stack_trace.as_deref(), Some("x\ny\rz\r\n"));
    let json = serde_json::to_string(&Document::Error(e)).unwrap();
    assert!(json.contains(r#""x\ny\rz\r\n""#), "{json}");
}

#[test]
fn attribute_values_are_normalised() {
    let e: Error = from_str(&error_doc("a\tb\nc\r\nd\re", "")).unwrap();
    assert_eq!(&*e.message, "a b c d e");
    let e: Error = from_str(&error_doc("a&#9;b&#10;c&#13;d&#xA;", "")).unwrap();
    assert_eq!(&*e.message, "a\tb\nc\rd\n");
    // Unknown attributes are normalised the same way.
    let doc = format!(r#"<Error {NS} Message="m" StatusCode="1" Extra="x&#10;y&#9;z	w"/>"#);
    let e: Error = from_str(&doc).unwrap();
    assert_eq!(
        e.unknown.attributes(),
        [("Extra".to_owned(), "x\ny\tz w".to_owned())]
    );
}

#[test]
fn written_values_read_back_the_same() {
    let value = "tab\there\nline\rcr\r\ncrlf & <x> \"q\" 'a' \u{a0}nbsp";
    let e = Error {
        message: value.into(),
        status_code: 500,
        status: None,
        first_chance_exception_message: Some(value.into()),
        stack_trace: None,
        unknown: Default::default(),
    };
    let xml = to_string(&e);
    let message = xml.split("Message=\"").nth(1).unwrap().split('"').next();
    assert_eq!(
        message,
        Some("tab&#9;here&#10;line&#13;cr&#13;&#10;crlf &amp; &lt;x&gt; &quot;q&quot; 'a' \u{a0}nbsp"),
        "{xml}"
    );
    assert!(
        xml.contains("<FirstChanceExceptionMessage>tab\there\nline&#13;cr&#13;\ncrlf &amp; &lt;x&gt; \"q\" 'a' \u{a0}nbsp</FirstChanceExceptionMessage>"),
        "{xml}"
    );
    let back: Error = from_str(&xml).unwrap();
    assert_eq!(back, e);
}

#[test]
fn no_break_space_indentation_of_reference_pages_is_not_content() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let nbsp = std::fs::read(dir.join("entity_references_seed_nbsp.xml")).unwrap();
    assert!(
        nbsp.windows(2).any(|w| w == [0xC2, 0xA0]),
        "the fixture keeps the page's U+00A0"
    );
    let plain = std::fs::read(dir.join("entity_references_seed.xml")).unwrap();
    let a: EntityReferences = from_slice(&nbsp).unwrap();
    let b: EntityReferences = from_slice(&plain).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.refs.len(), 6);
    // The streaming decoder skips it too, whatever the chunking.
    for chunk in [1, 2, 3, 7, 4096] {
        let mut decoder = <EntityReferences as veeam_em_model::stream::Collection>::decoder();
        let mut items = Vec::new();
        for piece in nbsp.chunks(chunk) {
            decoder.feed(piece);
            while let veeam_em_model::stream::Next::Item(item) = decoder.next_item().unwrap() {
                items.push(item);
            }
        }
        decoder.finish();
        while let veeam_em_model::stream::Next::Item(item) = decoder.next_item().unwrap() {
            items.push(item);
        }
        assert_eq!(items, a.refs, "chunk {chunk}");
    }
}

#[test]
fn stray_text_is_shown_escaped() {
    let doc = format!("<EntityReferences {NS}>\n  \u{a0}x\n  <Ref Type=\"R\" Href=\"a\" UID=\"urn:veeam:R:1\"/></EntityReferences>");
    let e = from_str::<EntityReferences>(&doc).unwrap_err();
    assert_eq!(e.kind(), &DecodeErrorKind::UnexpectedText("\u{a0}x".into()));
    assert!(e.to_string().ends_with(r#"found text "\u{a0}x""#), "{e}");
    let streamed: Result<Vec<_>, _> = EntityReferences::stream_from(doc.as_bytes());
    let e = streamed.unwrap_err();
    assert!(e.to_string().ends_with(r#"found text "\u{a0}x""#), "{e}");
}

/// `Collection::stream` collected, for brevity.
trait StreamFrom: veeam_em_model::stream::Collection {
    fn stream_from(input: &[u8]) -> Result<Vec<Self::Item>, veeam_em_model::DecodeError> {
        Self::stream(input).collect()
    }
}
impl<T: veeam_em_model::stream::Collection> StreamFrom for T {}

#[test]
fn hour_24_is_midnight_of_the_next_day() {
    let t = DateTime::parse("2021-02-11T24:00:00Z").unwrap();
    assert_eq!(t, DateTime::parse("2021-02-12T00:00:00Z").unwrap());
    let t = DateTime::parse("2021-12-31T24:00:00.000").unwrap();
    assert_eq!(t.to_string(), "2022-01-01T00:00:00");
    for bad in [
        "2021-02-11T24:00:01Z",
        "2021-02-11T24:30:00Z",
        "2021-02-11T25:00:00Z",
    ] {
        assert!(DateTime::parse(bad).is_err(), "{bad}");
    }
}

fn not_xml(input: &[u8]) -> NotXml {
    let whole = Document::from_slice(input).unwrap_err();
    let streamed = EntityReferences::stream_from(input).unwrap_err();
    assert_eq!(whole.kind(), streamed.kind(), "{input:?}");
    match whole.kind() {
        DecodeErrorKind::NotXml(what) => what.clone(),
        other => panic!("{input:?}: {other:?}"),
    }
}

#[test]
fn inputs_that_are_not_xml_say_what_they_are() {
    assert_eq!(not_xml(b""), NotXml::Empty);
    assert_eq!(not_xml(b" \r\n\t"), NotXml::Empty);
    assert_eq!(
        not_xml(br#"{"EntityReferences": {"Ref": []}}"#),
        NotXml::Json
    );
    assert_eq!(not_xml(b"\n[1, 2]"), NotXml::Json);
    assert_eq!(
        not_xml(b"<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>"),
        NotXml::Html
    );
    assert_eq!(
        not_xml(b"<HTML><HEAD><TITLE>Error</TITLE></HEAD></HTML>"),
        NotXml::Html
    );
    assert_eq!(
        not_xml(b"Service Unavailable"),
        NotXml::Text("Service Unavailable".into())
    );
    let utf16 = |big_endian: bool, bom: bool| {
        let text = format!("<EntityReferences {NS}/>");
        let mut out = Vec::new();
        if bom {
            out.extend(if big_endian {
                [0xFE, 0xFF]
            } else {
                [0xFF, 0xFE]
            });
        }
        for unit in text.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    };
    for big_endian in [false, true] {
        for bom in [false, true] {
            assert_eq!(
                not_xml(&utf16(big_endian, bom)),
                NotXml::Utf16 { big_endian, bom }
            );
        }
    }
    let message = Document::from_slice(b"").unwrap_err().to_string();
    assert!(message.contains("empty"), "{message}");
    let message = Document::from_slice(b"{}").unwrap_err().to_string();
    assert!(message.contains("JSON"), "{message}");
}

#[test]
fn unknown_elements_keep_their_place_among_known_children() {
    // A newer server adds `First` before every known child, `PolicyKind` between `PolicyType`
    // and `CreationTimeUTC`, and `Tail` at the end.
    let doc = format!(
        r#"<CdpReplicaSession {NS} Type="CdpReplicaSession" Href="h">
  <First>1</First>
  <PolicyUid>urn:veeam:CdpPolicy:1</PolicyUid>
  <PolicyName>p</PolicyName>
  <PolicyType>CdpReplica</PolicyType>
  <PolicyKind Legacy="false">Continuous</PolicyKind>
  <CreationTimeUTC>2021-02-11T19:08:36Z</CreationTimeUTC>
  <State>Working</State>
  <Result>Success</Result>
  <Tail />
</CdpReplicaSession>
"#
    );
    let session: veeam_em_model::CdpReplicaSession = from_str(&doc).unwrap();
    let out = to_string(&session);
    let position = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from\n{out}"))
    };
    assert!(position("<First>") < position("<PolicyUid>"), "{out}");
    assert!(position("<PolicyType>") < position("<PolicyKind"), "{out}");
    assert!(
        position("<PolicyKind") < position("<CreationTimeUTC>"),
        "{out}"
    );
    assert!(position("<Result>") < position("<Tail />"), "{out}");
    // Exactly the input, since it was in schema order.
    assert_eq!(
        out.split_once('\n').unwrap().1,
        doc.split_once('\n').unwrap().1
    );
    // And a second trip changes nothing.
    let again: veeam_em_model::CdpReplicaSession = from_str(&out).unwrap();
    assert_eq!(again, session);
    assert_eq!(to_string(&again), out);
}
