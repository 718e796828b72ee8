//! The contenders: each decodes (or encodes) the same document and returns a checksum so the
//! work cannot be optimised away and the contenders can be checked against each other.

use quick_xml::events::Event;
use veeam_em_model::EntityReferences;

/// Names accepted by `veeam-em-bench one <contender>`.
pub const ALL: &[&str] = &[
    "raw_reader",
    "raw_attributes",
    "owned_decode",
    "streaming_decode",
    "quick_xml_serde",
    "encode",
    "json_value",
    "json_owned_decode",
    "json_encode",
];

/// What a run produced: items seen and bytes processed (input, or output for the encoder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub items: usize,
    pub bytes: usize,
}

/// The practical upper bound: a `quick_xml::Reader` loop that visits every event and does
/// nothing else (counts `Ref` start tags).
pub fn raw_reader(input: &str) -> Outcome {
    let mut reader = quick_xml::Reader::from_str(input);
    let mut refs = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"Ref" => refs += 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("raw reader: {e}"),
        }
    }
    Outcome {
        items: refs,
        bytes: input.len(),
    }
}

/// Our owned decode into the generated model.
pub fn owned_decode(input: &str) -> (Outcome, EntityReferences) {
    let refs: EntityReferences = veeam_em_model::from_str(input).expect("owned decode");
    (
        Outcome {
            items: refs.refs.len(),
            bytes: input.len(),
        },
        refs,
    )
}

/// `quick_xml::de` into the hand-written serde structs.
pub fn quick_xml_serde(input: &str) -> (Outcome, crate::serde_model::EntityReferences) {
    let refs: crate::serde_model::EntityReferences =
        quick_xml::de::from_str(input).expect("quick-xml serde decode");
    let links: usize = refs
        .refs
        .iter()
        .filter_map(|r| r.links.as_ref())
        .map(|l| l.links.len())
        .sum();
    assert_eq!(links, refs.refs.len() * 3);
    let outcome = Outcome {
        items: refs.refs.len(),
        bytes: input.len(),
    };
    (outcome, refs)
}

/// Our encoder, from an already decoded value; `bytes` is the output size.
pub fn encode(value: &EntityReferences) -> (Outcome, String) {
    let xml = veeam_em_model::to_string(value);
    let outcome = Outcome {
        items: value.refs.len(),
        bytes: xml.len(),
    };
    (outcome, xml)
}

/// Our streaming decode: `Ref`s one at a time from a `Read` source (64 KiB reads), each dropped
/// after a look at it.
pub fn streaming_decode(source: impl std::io::Read, bytes: usize) -> Outcome {
    use veeam_em_model::stream::Collection as _;
    let mut items = 0;
    let mut links = 0;
    for item in EntityReferences::stream(source) {
        let item = item.expect("streaming decode");
        links += item.links.as_ref().map_or(0, |l| l.links.len());
        items += 1;
    }
    assert_eq!(links, items * 3);
    Outcome { items, bytes }
}

/// The raw loop plus splitting every attribute (our scanner) and checking each value is UTF-8,
/// allocating nothing: the floor of any decode that reads the attributes.
pub fn raw_attributes(input: &str) -> Outcome {
    let mut reader = quick_xml::Reader::from_str(input);
    let mut refs = 0;
    let mut total = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                if e.local_name().as_ref() == b"Ref" {
                    refs += 1;
                }
                for a in veeam_em_model::xml::RawAttributes::new(e.attributes_raw()) {
                    let a = a.unwrap();
                    total += std::str::from_utf8(a.value).unwrap().len();
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("raw reader: {e}"),
        }
    }
    assert!(total > 0);
    Outcome {
        items: refs,
        bytes: input.len(),
    }
}

/// The untyped floor of the JSON form: `serde_json::Value` of the same document in JSON.
pub fn json_value(input: &str) -> (Outcome, serde_json::Value) {
    let value: serde_json::Value = serde_json::from_str(input).expect("JSON value");
    let items = value["Refs"].as_array().map_or(0, Vec::len);
    (
        Outcome {
            items,
            bytes: input.len(),
        },
        value,
    )
}

/// Our typed decode of the JSON form into the generated model.
pub fn json_owned_decode(input: &str) -> (Outcome, EntityReferences) {
    let refs: EntityReferences = veeam_em_model::json::from_str(input).expect("JSON decode");
    let links: usize = refs
        .refs
        .iter()
        .filter_map(|r| r.links.as_ref())
        .map(|l| l.links.len())
        .sum();
    assert_eq!(links, refs.refs.len() * 3);
    (
        Outcome {
            items: refs.refs.len(),
            bytes: input.len(),
        },
        refs,
    )
}

/// Our JSON encoder, from an already decoded value; `bytes` is the output size.
pub fn json_encode(value: &EntityReferences) -> (Outcome, String) {
    let json = veeam_em_model::json::to_string(value);
    (
        Outcome {
            items: value.refs.len(),
            bytes: json.len(),
        },
        json,
    )
}

/// The JSON form streamed from a `Read` source, `Ref`s one at a time.
pub fn json_streaming_decode(source: impl std::io::Read, bytes: usize) -> Outcome {
    use veeam_em_model::stream::Collection as _;
    let mut items = 0;
    let mut links = 0;
    for item in EntityReferences::stream_json(source) {
        let item = item.expect("JSON streaming decode");
        links += item.links.as_ref().map_or(0, |l| l.links.len());
        items += 1;
    }
    assert_eq!(links, items * 3);
    Outcome { items, bytes }
}
