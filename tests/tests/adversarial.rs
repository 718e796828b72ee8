//! Hostile and broken inputs against both decoders (whole document and streaming): each one ends
//! in a typed error, in bounded time and with bounded memory.
//!
//! Memory is the process's peak resident set (Linux `VmHWM`, reset before each input through
//! `/proc/self/clear_refs`) above what it was before: it must stay within a small multiple of the
//! input's size (the decoders borrow the input; what they keep is the error). The inputs are
//! decoded one after the other in one test.

use std::time::{Duration, Instant};

use veeam_em_model::stream::{ItemDecoder, Next};
use veeam_em_model::xml::{Limit, Limits};
use veeam_em_model::{DecodeErrorKind, Document, EntityRef, NotXml};

const NS: &str = "http://www.veeam.com/ent/v1.0";

/// The tests of this file run one at a time: the peak resident set is the process's.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}
/// A hang detector, not a speed goal: every input here decodes in milliseconds.
const TIME_BOUND: Duration = Duration::from_secs(10);

fn status_kib(field: &str) -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Runs `f`, returns its result, the time it took and the growth of the peak resident set in
/// bytes (`None` where the peak cannot be reset or read).
fn measured<R>(f: impl FnOnce() -> R) -> (R, Duration, Option<usize>) {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kib("VmRSS:");
    let started = Instant::now();
    let r = f();
    let elapsed = started.elapsed();
    let peak = status_kib("VmHWM:");
    let growth = match (reset, before, peak) {
        (true, Some(b), Some(p)) => Some(p.saturating_sub(b) * 1024),
        _ => None,
    };
    (r, elapsed, growth)
}

/// The streaming decoder over `input` fed in 64 KiB chunks: the first error.
fn stream_error(input: &[u8]) -> Option<DecodeErrorKind> {
    let mut decoder = ItemDecoder::<EntityRef>::new("EntityReferences", "Ref");
    let mut chunks = input.chunks(64 * 1024);
    loop {
        match decoder.next_item() {
            Ok(Next::Item(_)) => {}
            Ok(Next::NeedData) => match chunks.next() {
                Some(c) => decoder.feed(c),
                None => decoder.finish(),
            },
            Ok(Next::End) => return None,
            Err(e) => return Some(e.kind().clone()),
        }
    }
}

struct Case {
    name: &'static str,
    input: Vec<u8>,
    /// Whether the streaming decoder (items of `EntityReferences`) must fail too.
    streams: bool,
    expect: fn(&DecodeErrorKind) -> bool,
}

fn wrap(inner: &str) -> String {
    format!(r#"<EntityReferences xmlns="{NS}">{inner}</EntityReferences>"#)
}

fn cases() -> Vec<Case> {
    let mut bomb =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        bomb.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    bomb.push_str(&format!(
        "]>\n<EntityReferences xmlns=\"{NS}\"><Ref Href=\"&lol9;\"/></EntityReferences>"
    ));
    let deep = format!(
        r#"<EntityReferences xmlns="{NS}">{}{}</EntityReferences>"#,
        "<Ref>".repeat(200_000),
        "</Ref>".repeat(200_000)
    );
    let big_attribute = format!(
        r#"<EntityReferences xmlns="{NS}" Extra="{}"/>"#,
        "a".repeat(10 << 20)
    );
    let mut many_attributes = format!(r#"<EntityReferences xmlns="{NS}""#);
    for i in 0..1_000_000 {
        many_attributes.push_str(&format!(" a{i}=\"\""));
    }
    many_attributes.push_str("/>");
    let mut invalid_utf8 =
        wrap(r#"<Ref Type="x" Href="h" Name="n" UID="urn:veeam:Job:1"/>"#).into_bytes();
    let at = invalid_utf8
        .windows(8)
        .position(|w| w == b"Name=\"n\"")
        .unwrap();
    invalid_utf8[at + 6] = 0xff;
    let html = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
                <body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>\n";
    let deep_text = format!("{}x", "<a>".repeat(200_000));
    vec![
        Case {
            name: "entity bomb",
            input: bomb.into_bytes(),
            streams: true,
            expect: |k| matches!(k, DecodeErrorKind::DocType),
        },
        Case {
            name: "200,000-deep nesting",
            input: deep.into_bytes(),
            streams: true,
            expect: |k| matches!(k, DecodeErrorKind::TooDeep { .. }),
        },
        Case {
            name: "unclosed 200,000-deep nesting",
            input: wrap(&deep_text).into_bytes(),
            streams: true,
            expect: |k| matches!(k, DecodeErrorKind::TooDeep { .. }),
        },
        Case {
            name: "10 MB attribute",
            input: big_attribute.into_bytes(),
            streams: true,
            expect: |k| {
                matches!(
                    k,
                    DecodeErrorKind::LimitExceeded {
                        limit: Limit::ValueBytes,
                        ..
                    }
                )
            },
        },
        Case {
            name: "1,000,000 attributes",
            input: many_attributes.into_bytes(),
            streams: true,
            expect: |k| {
                matches!(
                    k,
                    DecodeErrorKind::LimitExceeded {
                        limit: Limit::Attributes,
                        ..
                    }
                )
            },
        },
        Case {
            name: "invalid UTF-8",
            input: invalid_utf8,
            streams: true,
            expect: |k| matches!(k, DecodeErrorKind::InvalidUtf8),
        },
        Case {
            name: "a proxy's HTML error page",
            input: html.as_bytes().to_vec(),
            streams: true,
            expect: |k| matches!(k, DecodeErrorKind::NotXml(NotXml::Html)),
        },
        Case {
            name: "a JSON body",
            input: br#"{"EntityReferences": {"Ref": []}}"#.to_vec(),
            streams: true,
            expect: |k| matches!(k, DecodeErrorKind::NotXml(_)),
        },
        Case {
            name: "an empty body",
            input: Vec::new(),
            streams: true,
            expect: |k| matches!(k, DecodeErrorKind::NotXml(NotXml::Empty)),
        },
        Case {
            name: "two root elements",
            input: format!("{}{}", wrap(""), wrap("")).into_bytes(),
            streams: true,
            expect: |k| matches!(k, DecodeErrorKind::TrailingContent),
        },
        Case {
            name: "duplicate attributes",
            input: wrap(r#"<Ref Type="a" Href="h1" Href="h2" Name="n" UID="urn:veeam:Job:1"/>"#)
                .into_bytes(),
            streams: true,
            expect: |k| matches!(k, DecodeErrorKind::DuplicateAttribute(_)),
        },
    ]
}

#[test]
fn hostile_inputs_fail_typed_in_bounded_time_and_memory() {
    let _alone = alone();
    if measured(|| ()).2.is_none() {
        eprintln!(
            "note: this system does not let the peak resident set be reset (/proc/self/clear_refs); \
             memory is not checked here (errors and time are)"
        );
    }
    for case in cases() {
        let size = case.input.len();
        let (result, elapsed, peak) = measured(|| Document::from_slice(&case.input));
        let err = result.expect_err(case.name);
        assert!((case.expect)(err.kind()), "{}: {err}", case.name);
        assert!(elapsed < TIME_BOUND, "{}: {elapsed:?}", case.name);
        // The error and small bookkeeping; never a copy per level or per attribute.
        eprintln!(
            "{}: {size} bytes, {elapsed:?}, peak +{peak:?} bytes",
            case.name
        );
        if let Some(peak) = peak {
            assert!(
                peak <= size + (16 << 20),
                "{}: peak +{peak} bytes",
                case.name
            );
        }

        if case.streams {
            let (kind, elapsed, peak) = measured(|| stream_error(&case.input));
            let kind = kind.unwrap_or_else(|| panic!("{}: streaming accepted it", case.name));
            assert!((case.expect)(&kind), "{} (streaming): {kind}", case.name);
            assert!(
                elapsed < TIME_BOUND,
                "{} (streaming): {elapsed:?}",
                case.name
            );
            // The streaming decoder buffers what it was fed (at most the input) once or twice
            // while it compacts.
            if let Some(peak) = peak {
                assert!(
                    peak <= 2 * size + (16 << 20),
                    "{} (streaming): peak +{peak} bytes",
                    case.name
                );
            }
        }
    }
}

#[test]
fn every_truncation_of_a_fixture_is_an_error() {
    let _alone = alone();
    for name in [
        "entity_references_seed.xml",
        "cdp_replica_session.xml",
        "cloud_tenant.xml",
    ] {
        let bytes =
            std::fs::read(format!("{}/fixtures/ok/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let end = bytes.trim_ascii_end().len();
        for cut in 0..end {
            let started = Instant::now();
            let result = Document::from_slice(&bytes[..cut]);
            assert!(result.is_err(), "{name} cut at {cut} decodes");
            assert!(started.elapsed() < TIME_BOUND);
        }
        assert!(Document::from_slice(&bytes).is_ok(), "{name}");
    }
    // Streaming, every cut of a collection.
    let bytes = std::fs::read(format!(
        "{}/fixtures/ok/entity_references_seed.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let end = bytes.trim_ascii_end().len();
    for cut in 0..end {
        assert!(
            stream_error(&bytes[..cut]).is_some(),
            "streaming: cut at {cut} ends cleanly"
        );
    }
    assert!(stream_error(&bytes).is_none());
}

#[test]
fn limits_are_configurable_and_name_themselves() {
    let _alone = alone();
    let refs = wrap(&r#"<Ref Type="JobReference" Href="h" UID="urn:veeam:Job:1"/>"#.repeat(10));
    assert!(Document::from_slice(refs.as_bytes()).is_ok());
    let small = Limits::DEFAULT.max_items(5);
    let err = small
        .scope(|| Document::from_slice(refs.as_bytes()))
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            DecodeErrorKind::LimitExceeded {
                limit: Limit::Items,
                max: 5
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("Limits::max_items"), "{err}");
    // The streaming decoder takes the limits of the thread that made it.
    let mut decoder = small.scope(|| ItemDecoder::<EntityRef>::new("EntityReferences", "Ref"));
    decoder.feed(refs.as_bytes());
    decoder.finish();
    let mut items = 0;
    let err = loop {
        match decoder.next_item() {
            Ok(Next::Item(_)) => items += 1,
            Ok(other) => panic!("{other:?}"),
            Err(e) => break e,
        }
    };
    assert_eq!(items, 5);
    assert!(
        matches!(
            err.kind(),
            DecodeErrorKind::LimitExceeded {
                limit: Limit::Items,
                ..
            }
        ),
        "{err}"
    );
    // Document size, depth, value length.
    let tiny = Limits::DEFAULT
        .max_document_bytes(100)
        .max_depth(2)
        .max_value_bytes(4);
    let err = tiny
        .scope(|| Document::from_slice(refs.as_bytes()))
        .unwrap_err();
    assert!(matches!(
        err.kind(),
        DecodeErrorKind::LimitExceeded {
            limit: Limit::DocumentBytes,
            ..
        }
    ));
    let err = Limits::DEFAULT
        .max_value_bytes(4)
        .scope(|| {
            Document::from_slice(
                format!(
                    r#"<Error xmlns="{NS}" Message="m" StatusCode="500"><StackTrace>12345</StackTrace></Error>"#
                )
                .as_bytes(),
            )
        })
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            DecodeErrorKind::LimitExceeded {
                limit: Limit::ValueBytes,
                ..
            }
        ),
        "{err}"
    );
    let nested = wrap(r#"<Ref Type="JobReference" Href="h" UID="urn:veeam:Job:1"><Links/></Ref>"#);
    assert!(Document::from_slice(nested.as_bytes()).is_ok());
    let err = Limits::DEFAULT
        .max_depth(1)
        .scope(|| Document::from_slice(nested.as_bytes()))
        .unwrap_err();
    assert!(
        matches!(err.kind(), DecodeErrorKind::TooDeep { limit: 1 }),
        "{err}"
    );
}

/// The JSON form: the same kinds of hostile input, through the whole-document decoder, the
/// page decoder of the clients (`items_at`) and the pull stream (`stream_json`), each ending in
/// a typed error in bounded time and memory.
#[test]
fn hostile_json_ends_in_typed_errors() {
    use veeam_em_model::json::stream::{items_at, Stop};
    use veeam_em_model::stream::Collection as _;
    use veeam_em_model::{EntityReferences, PagingInfo};

    let _alone = alone();
    let deep = format!("{}{}", "{\"Refs\": [".repeat(100_000), "]}".repeat(100_000));
    let long = format!(
        r#"{{"Refs": [{{"Type": "T", "Href": "h", "UID": "urn:veeam:A:1", "Name": "{}"}}]}}"#,
        "x".repeat(10 << 20)
    );
    let item = r#"{"Type": "T", "Href": "h", "UID": "urn:veeam:A:1"},"#;
    let many = format!(
        r#"{{"Refs": [{}{}]}}"#,
        item.repeat(3000),
        &item[..item.len() - 1]
    );
    let members: String = (0..300).map(|i| format!("\"K{i}\": {i},")).collect();
    let wide = format!(r#"{{"Refs": [{{{members} "Type": "T", "Href": "h"}}]}}"#);
    type JsonCase = (&'static str, Vec<u8>, Limits, fn(&DecodeErrorKind) -> bool);
    let cases: Vec<JsonCase> = vec![
        ("deep nesting", deep.into_bytes(), Limits::DEFAULT, |k| {
            matches!(
                k,
                DecodeErrorKind::TooDeep { .. } | DecodeErrorKind::Json(_)
            )
        }),
        (
            "10 MB string",
            long.into_bytes(),
            Limits::DEFAULT.max_value_bytes(1 << 20),
            |k| {
                matches!(
                    k,
                    DecodeErrorKind::LimitExceeded {
                        limit: Limit::ValueBytes,
                        ..
                    }
                )
            },
        ),
        (
            "3001 items",
            many.into_bytes(),
            Limits::DEFAULT.max_items(3000),
            |k| {
                matches!(
                    k,
                    DecodeErrorKind::LimitExceeded {
                        limit: Limit::Items,
                        ..
                    }
                )
            },
        ),
        (
            "300 members",
            wide.into_bytes(),
            Limits::DEFAULT.max_attributes(256),
            |k| {
                matches!(
                    k,
                    DecodeErrorKind::LimitExceeded {
                        limit: Limit::Attributes,
                        ..
                    }
                )
            },
        ),
        (
            "a document over the size limit",
            br#"{"Refs": []}"#.to_vec(),
            Limits::DEFAULT.max_document_bytes(4),
            |k| {
                matches!(
                    k,
                    DecodeErrorKind::LimitExceeded {
                        limit: Limit::DocumentBytes,
                        ..
                    }
                )
            },
        ),
        (
            "XML",
            b"<EntityReferences/>".to_vec(),
            Limits::DEFAULT,
            |k| matches!(k, DecodeErrorKind::NotJson(_)),
        ),
        (
            "HTML",
            b"<html><body>502</body></html>".to_vec(),
            Limits::DEFAULT,
            |k| matches!(k, DecodeErrorKind::NotJson(_)),
        ),
        ("empty", Vec::new(), Limits::DEFAULT, |k| {
            matches!(k, DecodeErrorKind::NotJson(_))
        }),
        (
            "truncated",
            br#"{"Refs": [{"Type": "T", "Hr"#.to_vec(),
            Limits::DEFAULT,
            |k| matches!(k, DecodeErrorKind::Json(_)),
        ),
        (
            "invalid UTF-8",
            b"{\"Refs\": [\"\xff\xfe\"]}".to_vec(),
            Limits::DEFAULT,
            |k| matches!(k, DecodeErrorKind::Json(_)),
        ),
    ];
    for (name, input, limits, expect) in cases {
        let (result, elapsed, growth) = measured(|| {
            limits.scope(|| veeam_em_model::json::from_slice::<EntityReferences>(&input))
        });
        let e = result.expect_err(name);
        assert!(expect(e.kind()), "{name}: {e}");
        assert!(elapsed < TIME_BOUND, "{name}: {elapsed:?}");
        if let Some(growth) = growth {
            assert!(
                growth < 4 * input.len() + (16 << 20),
                "{name}: grew {growth} bytes"
            );
        }
        // The clients' page decoder.
        let page = limits
            .scope(|| items_at::<EntityRef, PagingInfo, ()>(&input, &[], "PagingInfo", |_| Ok(())));
        assert!(
            matches!(page, Err(Stop::Decode(_))),
            "{name}: the page decoder"
        );
        // The pull stream ends in an error too (or, for a document too small to break a limit
        // it does not apply per item, in its items).
        if name != "a document over the size limit" {
            let streamed =
                limits.scope(|| EntityReferences::stream_json(&input[..]).find_map(Result::err));
            assert!(streamed.is_some(), "{name}: the pull stream");
        }
    }
}
