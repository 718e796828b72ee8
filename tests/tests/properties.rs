//! Property tests over every generated type: for every root element of the schemas, arbitrary
//! documents (written from the run-time description of the schemas, `veeam_em_model::reflect`,
//! with random values, optional members, list lengths, choice alternatives, and elements and
//! attributes no schema declares) decode to a value `x` with `decode(encode(x)) == x`, and
//! `encode` is stable.
//!
//! Documents are written by this file, not by the generated code, so a mistake in the
//! generator's decoders or encoders is not mirrored here. (Filters, routes and UIDs have their
//! property tests in `query_filters.rs` and `api_routing.rs`.)

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use veeam_em_model::reflect::{self, ElementInfo, ElementKind, ParticleInfo, TypeInfo, ValueKind};
use veeam_em_model::{Document, Wire};

const NS: &str = "http://www.veeam.com/ent/v1.0";
/// Cases per root element.
const CASES: u32 = 48;
/// Below this depth optional members may appear; deeper, only required ones.
const OPTIONAL_DEPTH: usize = 6;

/// A deterministic generator seeded by proptest.
struct Gen {
    state: u64,
    unknown: bool,
    unknown_count: u32,
}

impl Gen {
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a", "Job", " ", "1", "&", "<", ">", "\"", "'", "é", "日本", "\t", "x y", "/", "\\",
            "😀", "%20", "]]>",
        ];
        let n = self.below(6);
        (0..n)
            .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
            .collect()
    }

    fn value(&mut self, kind: ValueKind) -> String {
        match kind {
            ValueKind::String => self.text(),
            ValueKind::Href => format!("https://em:9398/api/jobs/{}?format=Entity", self.next()),
            ValueKind::Bool => ["true", "false", "1", "0"][self.below(4) as usize].into(),
            ValueKind::Int => (self.next() as i32).to_string(),
            ValueKind::Long => (self.next() as i64).to_string(),
            ValueKind::UnsignedInt => (self.next() as u32).to_string(),
            ValueKind::Double => {
                let v = (self.next() as i32) as f64 / 64.0;
                format!("{v}")
            }
            ValueKind::DateTime => {
                let zone = ["Z", "+02:00", "-05:30", ""][self.below(4) as usize];
                let fraction = if self.coin() {
                    format!(".{}", self.below(10_000_000))
                } else {
                    String::new()
                };
                format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}{zone}",
                    1990 + self.below(60),
                    1 + self.below(12),
                    1 + self.below(28),
                    self.below(24),
                    self.below(60),
                    self.below(60)
                )
            }
            ValueKind::Uid => format!(
                "urn:veeam:{}:{:08x}-0000-4000-8000-{:012x}",
                ["Job", "CloudTenant", "CdpPolicy"][self.below(3) as usize],
                self.next() as u32,
                self.next() & 0xffff_ffff_ffff
            ),
            ValueKind::Enum(name) => {
                let values = reflect::enumeration(name).map_or(&[][..], |e| e.values);
                if values.is_empty() || self.below(8) == 0 {
                    // Open enumerations keep values a newer server sends.
                    "SomeFutureValue".into()
                } else {
                    values[self.below(values.len() as u64) as usize].into()
                }
            }
        }
    }

    fn unknown_element(&mut self, out: &mut String) {
        self.unknown_count += 1;
        let n = self.unknown_count;
        let text = escape(&self.text());
        match self.below(3) {
            0 => write!(out, "<ZzFuture{n}>{text}</ZzFuture{n}>"),
            1 => write!(
                out,
                "<ZzFuture{n} Kind=\"{text}\"><Inner>{text}</Inner></ZzFuture{n}>"
            ),
            _ => write!(
                out,
                "<ext:Thing{n} xmlns:ext=\"urn:example:ext\">{text}</ext:Thing{n}>"
            ),
        }
        .unwrap();
    }

    fn element(&mut self, out: &mut String, name: &str, ty: &TypeInfo, depth: usize) {
        out.push('<');
        out.push_str(name);
        if depth == 0 {
            write!(out, " xmlns=\"{NS}\"").unwrap();
        }
        for a in ty.attributes {
            if a.required || (depth < OPTIONAL_DEPTH && self.coin()) {
                let v = escape(&self.value(a.value));
                write!(out, " {}=\"{v}\"", a.name).unwrap();
            }
        }
        if self.unknown && self.below(4) == 0 {
            self.unknown_count += 1;
            let (n, text) = (self.unknown_count, escape(&self.text()));
            write!(out, " zzFutureAttr{n}=\"{text}\"").unwrap();
        }
        out.push('>');
        if let Some(kind) = ty.text {
            out.push_str(&escape(&self.value(kind)));
        } else {
            for particle in ty.content {
                if self.unknown && self.below(6) == 0 {
                    self.unknown_element(out);
                }
                match particle {
                    ParticleInfo::Element(e) => {
                        let n = self.count(e.min, e.max, depth);
                        for _ in 0..n {
                            self.member(out, e, depth);
                        }
                    }
                    ParticleInfo::Choice {
                        min,
                        max,
                        alternatives,
                    } => {
                        let n = self.count(*min, *max, depth);
                        for _ in 0..n {
                            let alt = &alternatives[self.below(alternatives.len() as u64) as usize];
                            self.member(out, alt, depth);
                        }
                    }
                }
            }
            if self.unknown && self.below(6) == 0 {
                self.unknown_element(out);
            }
        }
        write!(out, "</{name}>").unwrap();
    }

    fn count(&mut self, min: u32, max: Option<u32>, depth: usize) -> u32 {
        let extra = if depth < OPTIONAL_DEPTH {
            self.below(3) as u32
        } else {
            0
        };
        let n = min + extra;
        max.map_or(n, |m| n.min(m))
    }

    fn member(&mut self, out: &mut String, e: &ElementInfo, depth: usize) {
        match e.kind {
            ElementKind::Value(kind) => {
                let v = escape(&self.value(kind));
                write!(out, "<{0}>{v}</{0}>", e.name).unwrap();
            }
            ElementKind::Complex(t) => {
                if let Some(ty) = reflect::complex(t) {
                    self.element(out, e.name, ty, depth + 1);
                }
            }
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Whether a document of `type_name` can hold a list whose items come under several names.
fn mixed_lists(type_name: &'static str) -> bool {
    fn walk(t: &'static str, seen: &mut Vec<&'static str>) -> bool {
        if seen.contains(&t) {
            return false;
        }
        seen.push(t);
        let Some(info) = reflect::complex(t) else {
            return false;
        };
        info.content.iter().any(|p| match p {
            reflect::ParticleInfo::Choice {
                max, alternatives, ..
            } => {
                (max.is_none_or(|m| m > 1) && alternatives.len() > 1)
                    || alternatives.iter().any(|a| match a.kind {
                        reflect::ElementKind::Complex(c) => walk(c, seen),
                        reflect::ElementKind::Value(_) => false,
                    })
            }
            reflect::ParticleInfo::Element(e) => match e.kind {
                reflect::ElementKind::Complex(c) => walk(c, seen),
                reflect::ElementKind::Value(_) => false,
            },
        })
    }
    walk(type_name, &mut Vec::new())
}

static CASES_RUN: AtomicUsize = AtomicUsize::new(0);
static DECODED: AtomicUsize = AtomicUsize::new(0);

#[test]
fn every_root_type_decodes_what_it_encodes() {
    let mut roots: Vec<_> = reflect::roots().collect();
    roots.sort_by_key(|r| r.element);
    assert!(roots.len() >= 200, "{} roots", roots.len());
    for root in roots {
        let ty = reflect::complex(root.type_name).unwrap();
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&(any::<u64>(), any::<bool>()), |(seed, unknown)| {
                let mut g = Gen {
                    state: seed,
                    unknown,
                    unknown_count: 0,
                };
                let mut xml = String::new();
                g.element(&mut xml, root.element, ty, 0);
                CASES_RUN.fetch_add(1, Ordering::Relaxed);
                let Ok(x) = Document::from_slice(xml.as_bytes()) else {
                    // A document the generator made invalid (a required member beyond its
                    // depth, a value out of range): counted, checked below to be rare.
                    return Ok(());
                };
                DECODED.fetch_add(1, Ordering::Relaxed);
                prop_assert_eq!(x.root_element(), root.element);
                let encoded = x.to_xml_string();
                let y = Document::from_slice(encoded.as_bytes())
                    .map_err(|e| TestCaseError::fail(format!("{e}\n{encoded}")))?;
                prop_assert_eq!(&y, &x, "{}", xml);
                prop_assert_eq!(y.to_xml_string(), encoded.clone());
                // XML -> value -> JSON -> value -> XML: the JSON reads back to the same
                // JSON, and to the same value but for what the forms cannot say alike:
                // unknown content (kept in each form's own shape), and the interleaving of a
                // list's alternatives (the JSON form keys the items by element name).
                let json = x.to_json_string();
                let z = Document::from_json(root.element, json.as_bytes())
                    .map_err(|e| TestCaseError::fail(format!("{e}\n{json}")))?;
                prop_assert_eq!(z.to_json_string(), json.clone());
                if !mixed_lists(root.type_name) {
                    let codec = veeam_em_tests::codec::codec(root.type_name).unwrap();
                    let known = |wire, input: &[u8]| codec.known_xml(wire, input, root.element);
                    prop_assert_eq!(
                        known(Wire::Json, json.as_bytes()).unwrap(),
                        known(Wire::Xml, encoded.as_bytes()).unwrap()
                    );
                    if !unknown {
                        prop_assert_eq!(&z, &x, "{}", json);
                        prop_assert_eq!(z.to_xml_string(), encoded);
                    }
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", root.element));
    }
    let (run, decoded) = (
        CASES_RUN.load(Ordering::Relaxed),
        DECODED.load(Ordering::Relaxed),
    );
    eprintln!("property cases: {run} documents, {decoded} decoded and checked");
    assert!(
        decoded * 100 >= run * 95,
        "only {decoded} of {run} generated documents decode: the generator or a decoder is off"
    );
}
