//! The server's JSON form against things we did not write: every JSON example of the reference
//! (`tests/fixtures/json/`, listed in its `INDEX.tsv`) decodes, and one with an XML twin
//! decodes to the same value as its twin; the server responses with an XML twin encode from it
//! to the documented JSON. The pages' own defects are named in `WAIVERS.tsv`, each with its
//! reason, and a waiver that no longer applies fails the test.
//!
//! Also: every XML fixture goes XML -> value -> JSON -> value to the same value.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use veeam_em_model::reflect::{self, ElementKind, ParticleInfo};
use veeam_em_model::{Document, Wire};
use veeam_em_tests::codec::TypeCodec;

fn json_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/json")
}

/// One row of `INDEX.tsv`.
#[derive(Debug)]
struct Example {
    file: String,
    root: String,
    kind: String,
    twin: Option<String>,
}

fn examples() -> Vec<Example> {
    let text = std::fs::read_to_string(json_dir().join("INDEX.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            Example {
                file: cells[0].to_owned(),
                root: cells[2].to_owned(),
                kind: cells[3].to_owned(),
                twin: (cells[4] != "-").then(|| cells[4].to_owned()),
            }
        })
        .collect()
}

/// One waiver of `WAIVERS.tsv`: `file`, `kind`, `detail`, `reason`.
#[derive(Debug)]
struct Waiver {
    file: String,
    kind: String,
    detail: String,
    used: std::cell::Cell<bool>,
}

fn waivers() -> Vec<Waiver> {
    let text = std::fs::read_to_string(json_dir().join("WAIVERS.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), 4, "WAIVERS.tsv: {line}");
            assert!(
                !cells[3].trim().is_empty(),
                "a waiver needs its reason: {line}"
            );
            Waiver {
                file: cells[0].to_owned(),
                kind: cells[1].to_owned(),
                detail: cells[2].to_owned(),
                used: std::cell::Cell::new(false),
            }
        })
        .collect()
}

fn waived<'w>(waivers: &'w [Waiver], file: &str, kind: &str) -> Vec<&'w Waiver> {
    waivers
        .iter()
        .filter(|w| w.file == file && w.kind == kind)
        .inspect(|w| w.used.set(true))
        .collect()
}

/// The schema types an element of that name has anywhere in the schemas.
fn element_types(element: &str) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    if let Some(root) = reflect::root(element) {
        out.insert(root.type_name);
    }
    for root in reflect::roots() {
        walk(root.type_name, &mut BTreeSet::new(), &mut |e| {
            if e.name == element {
                if let ElementKind::Complex(t) = e.kind {
                    out.insert(t);
                }
            }
        });
    }
    out
}

fn walk(
    type_name: &'static str,
    seen: &mut BTreeSet<&'static str>,
    each: &mut dyn FnMut(&reflect::ElementInfo),
) {
    if !seen.insert(type_name) {
        return;
    }
    let Some(info) = reflect::complex(type_name) else {
        return;
    };
    for particle in info.content {
        let elements: &[reflect::ElementInfo] = match particle {
            ParticleInfo::Element(e) => std::slice::from_ref(e),
            ParticleInfo::Choice { alternatives, .. } => alternatives,
        };
        for e in elements {
            each(e);
            if let ElementKind::Complex(t) = e.kind {
                walk(t, seen, each);
            }
        }
    }
}

/// An XML fragment of the page as a document: the Veeam namespace on its root.
fn as_document(xml: &str) -> String {
    if xml.contains("xmlns=") {
        return xml.to_owned();
    }
    let start = xml.find('<').unwrap();
    let end = xml[start..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap()
        + start;
    format!(
        "{} xmlns=\"http://www.veeam.com/ent/v1.0\"{}",
        &xml[..end],
        &xml[end..]
    )
}

/// The JSON of an example, defects repaired as its waivers say.
fn example_json(example: &Example, waivers: &[Waiver]) -> Vec<u8> {
    let mut text = std::fs::read_to_string(json_dir().join(&example.file)).unwrap();
    for w in waived(waivers, &example.file, "invalid-json") {
        assert!(
            serde_json::from_str::<Value>(&text).is_err()
                && serde_json::from_str::<Value>(&format!("{{{text}}}")).is_err(),
            "{}: waived as invalid JSON, but it parses",
            example.file
        );
        let (from, to) = w.detail.split_once("=>").unwrap();
        assert!(
            text.contains(from),
            "{}: repair {from:?} not found",
            example.file
        );
        text = text.replacen(from, to, 1);
    }
    for w in waived(waivers, &example.file, "rename") {
        let (from, to) = w.detail.split_once("=>").unwrap();
        let quoted = format!("\"{from}\"");
        assert!(
            text.contains(&quoted),
            "{}: waived key {from} not found",
            example.file
        );
        text = text.replace(&quoted, &format!("\"{to}\""));
    }
    if example.kind == "fragment" {
        // `"Name": {...}`: the value of the one member.
        let object: serde_json::Map<String, Value> = serde_json::from_str(&format!("{{{text}}}"))
            .unwrap_or_else(|e| panic!("{}: the fragment does not parse: {e}", example.file));
        assert_eq!(object.len(), 1, "{}: one member", example.file);
        return serde_json::to_vec(object.values().next().unwrap()).unwrap();
    }
    text.into_bytes()
}

/// The schema type of an example: the root's, or for a fragment the element's (the waiver
/// `type` names it where the element has several).
fn example_type(example: &Example, waivers: &[Waiver]) -> Result<&'static str, String> {
    if example.kind != "fragment" {
        return Ok(reflect::root(&example.root)
            .unwrap_or_else(|| panic!("{}: no root element {}", example.file, example.root))
            .type_name);
    }
    let candidates = element_types(&example.root);
    match waived(waivers, &example.file, "type").as_slice() {
        [w] => candidates
            .iter()
            .copied()
            .find(|t| *t == w.detail)
            .ok_or_else(|| {
                format!(
                    "{}: {} is not a type of element {} ({candidates:?})",
                    example.file, w.detail, example.root
                )
            }),
        _ if candidates.len() == 1 => Ok(candidates.into_iter().next().unwrap()),
        _ => Err(format!(
            "{}: element {} has the types {candidates:?}: name one with a `type` waiver",
            example.file, example.root
        )),
    }
}

#[test]
fn every_reference_example_decodes_and_equals_its_xml_twin() {
    let waivers = waivers();
    let (mut decoded, mut twins, mut equal) = (0, 0, 0);
    let mut failures = Vec::new();
    for example in examples() {
        let json = example_json(&example, &waivers);
        let type_name = match example_type(&example, &waivers) {
            Ok(t) => t,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let codec: &dyn TypeCodec = veeam_em_tests::codec::codec(type_name).unwrap();
        let from_json = match codec.known_xml(Wire::Json, &json, &example.root) {
            Ok(xml) => xml,
            Err(e) => {
                failures.push(format!(
                    "{}: does not decode as {type_name}: {e}",
                    example.file
                ));
                continue;
            }
        };
        decoded += 1;
        // Written back, the JSON reads to the same value.
        let again = codec.json_to_json(&json).unwrap();
        assert_eq!(
            codec
                .known_xml(Wire::Json, again.as_bytes(), &example.root)
                .unwrap(),
            from_json,
            "{}: JSON -> value -> JSON changed it",
            example.file
        );
        let Some(twin) = &example.twin else {
            continue;
        };
        twins += 1;
        let xml = as_document(&std::fs::read_to_string(json_dir().join(twin)).unwrap());
        let from_xml = codec
            .known_xml(Wire::Xml, xml.as_bytes(), &example.root)
            .unwrap_or_else(|e| panic!("{twin}: the XML twin does not decode: {e}"));
        let differs = waived(&waivers, &example.file, "twin-differs");
        if differs.is_empty() {
            if from_json == from_xml {
                equal += 1;
            } else {
                failures.push(format!(
                    "{}: differs from its XML twin:\n{}",
                    example.file,
                    diff(&from_xml, &from_json)
                ));
            }
        } else {
            assert_ne!(
                from_json, from_xml,
                "{}: waived as differing from its twin, but they are equal",
                example.file
            );
        }
    }
    let unused: Vec<String> = waivers
        .iter()
        .filter(|w| !w.used.get() && w.kind != "response")
        .map(|w| format!("{} {} {}", w.file, w.kind, w.detail))
        .collect();
    assert!(
        unused.is_empty(),
        "waivers that apply to nothing: {unused:#?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!(
        "reference JSON examples: {decoded} decoded, {equal} of {twins} equal to their XML twin, {} waivers",
        waivers.len()
    );
    assert_eq!(decoded, examples().len());
}

/// The lines of `b` that are not in `a` and the reverse.
fn diff(a: &str, b: &str) -> String {
    let left: BTreeSet<&str> = a.lines().map(str::trim).collect();
    let right: BTreeSet<&str> = b.lines().map(str::trim).collect();
    let mut out = String::new();
    for l in left.difference(&right) {
        out.push_str(&format!("  xml : {l}\n"));
    }
    for l in right.difference(&left) {
        out.push_str(&format!("  json: {l}\n"));
    }
    out
}

/// The differences between two JSON values as `path: what`, keys in any order.
fn json_differences(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<(String, String)>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let p = format!("{path}/{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => json_differences(&p, x, y, out),
                    (Some(x), None) => out.push((p, format!("only ours: {x}"))),
                    (None, Some(y)) => out.push((p, format!("only theirs: {y}"))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                json_differences(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push((path.to_owned(), format!("ours {a}, theirs {b}"))),
    }
}

/// The path with array indices left out (`/CloudTenants/Links`).
fn without_indices(path: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for c in path.chars() {
        match c {
            '[' => skip = true,
            ']' => skip = false,
            c if !skip => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn server_responses_encode_from_their_xml_twin_to_the_documented_json() {
    // What may differ, by kind (the `response` waivers of WAIVERS.tsv): members a server adds
    // that the XML lacks (`added`), members our schemas have that this server leaves out
    // (`omitted`), the xs:time a server writes as a date-time (`time`), and a repeatable
    // element a server writes as its one value (`single`).
    let waivers = waivers();
    let mut compared = 0;
    for example in examples()
        .into_iter()
        .filter(|e| e.kind == "response" && e.twin.is_some())
    {
        let twin = example.twin.as_deref().unwrap();
        let xml = std::fs::read(json_dir().join(twin)).unwrap();
        let document = Document::from_slice(&xml).unwrap();
        let ours: Value = serde_json::from_str(&document.to_json_string()).unwrap();
        let theirs: Value = serde_json::from_slice(&example_json(&example, &waivers)).unwrap();
        let mut differences = Vec::new();
        json_differences("", &ours, &theirs, &mut differences);
        let allowed: Vec<&Waiver> = waivers
            .iter()
            .filter(|w| w.file == example.file && w.kind == "response")
            .collect();
        let mut left = Vec::new();
        for (path, what) in &differences {
            let general = without_indices(path);
            let waiver = allowed.iter().find(|w| {
                let (class, pattern) = w.detail.split_once(' ').unwrap();
                let fits = match class {
                    "added" => what.starts_with("only theirs"),
                    "omitted" => what.starts_with("only ours: null"),
                    "time" => what.starts_with("ours \""),
                    "single" => what.starts_with("ours ["),
                    other => panic!("unknown response waiver class {other}"),
                };
                fits && general == pattern
            });
            match waiver {
                Some(w) => w.used.set(true),
                None => left.push(format!("{path}: {what}")),
            }
        }
        assert!(
            left.is_empty(),
            "{}: our JSON of the XML twin differs from the documented JSON:\n{}",
            example.file,
            left.join("\n")
        );
        let unused: Vec<&str> = allowed
            .iter()
            .filter(|w| !w.used.get())
            .map(|w| w.detail.as_str())
            .collect();
        assert!(
            unused.is_empty(),
            "{}: unused waivers {unused:?}",
            example.file
        );
        compared += 1;
    }
    assert_eq!(
        compared, 2,
        "the reference has two server responses with an XML twin"
    );
}

#[test]
fn json_reads_back_to_the_same_value_for_every_xml_fixture() {
    let mut checked = 0;
    for path in common::fixtures("ok") {
        let name = common::name(&path);
        let xml = std::fs::read(&path).unwrap();
        let doc = Document::from_slice(&xml).unwrap();
        let root = doc.root_element();
        let json = doc.to_json_string();
        let back = Document::from_json(root, json.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: the JSON does not read back: {e}\n{json}"));
        // Stable: JSON -> value -> JSON is the identity.
        assert_eq!(back.to_json_string(), json, "{name}");
        // What the schemas know is the same value. (Not the interleaving of a list whose
        // items come under several names: the JSON form keys them by name.)
        if !name.contains("mixed_item_names") {
            let codec =
                veeam_em_tests::codec::codec(reflect::root(root).unwrap().type_name).unwrap();
            assert_eq!(
                codec.known_xml(Wire::Json, json.as_bytes(), root).unwrap(),
                codec.known_xml(Wire::Xml, &xml, root).unwrap(),
                "{name}"
            );
        }
        // Without unknown content (namespace declarations are kept as such), the values are
        // equal.
        if veeam_em_model::xml::unknown_paths(root, &doc).is_empty()
            && !name.contains("mixed_item_names")
            && !doc.to_xml_string().contains("xmlns:")
            && back != doc
        {
            let (a, b) = (format!("{doc:#?}"), format!("{back:#?}"));
            panic!("{name}:\n{}", diff(&a, &b));
        }
        checked += 1;
    }
    assert!(checked > 200);
}

#[test]
fn the_json_form_follows_the_rules_of_the_reference() {
    let xml = r#"<CloudTenant xmlns="http://www.veeam.com/ent/v1.0" Type="CloudTenant" Name="A" UID="urn:veeam:CloudTenant:1">
  <Links><Link Rel="Up" Href="https://em/api/backupServers/1" /></Links>
  <Description />
  <Enabled>true</Enabled>
  <Resources />
  <BackupCount>2</BackupCount>
  <TenantType><StandaloneTenant><TenantCredentials><Username>A</Username></TenantCredentials></StandaloneTenant></TenantType>
</CloudTenant>"#;
    let doc = Document::from_slice(xml.as_bytes()).unwrap();
    let json: Value = serde_json::from_str(&doc.to_json_string()).unwrap();
    // 1: no root key; 2: attributes and elements side by side.
    assert_eq!(json["Type"], "CloudTenant");
    assert_eq!(json["Name"], "A");
    // 5: Links is a bare array.
    assert_eq!(json["Links"][0]["Rel"], "Up");
    // 4: an empty keyed list is its key with null.
    assert_eq!(
        json["Resources"],
        serde_json::json!({"CloudTenantResources": null})
    );
    // 7: an absent element is null, an absent attribute has no key, a choice names every
    // branch, an empty string is "".
    assert_eq!(json["LastResult"], Value::Null);
    assert!(json.get("Href").is_none());
    assert_eq!(json["TenantType"]["vCloudTenant"], Value::Null);
    assert_eq!(
        json["TenantType"]["StandaloneTenant"]["TenantCredentials"]["Username"],
        "A"
    );
    assert_eq!(json["Description"], "");
    // 9: booleans and numbers are JSON's.
    assert_eq!(json["Enabled"], true);
    assert_eq!(json["BackupCount"], 2);
    // The root is named by `Type`.
    let text = doc.to_json_string();
    assert_eq!(Document::json_root(text.as_bytes()), Some("CloudTenant"));
    assert_eq!(
        Document::json_root(br#"{"Type": "BackupServerReference", "Href": "h"}"#),
        Some("EntityRef")
    );
    assert_eq!(Document::json_root(br#"{"Refs": []}"#), None);
}

#[test]
fn reading_is_lenient_the_way_a_server_is() {
    let json = br#"{
        "Message": "m",
        "statuscode": "404",
        "Status": null,
        "Extra": {"Nested": [1, 2]},
        "Gone": null
    }"#;
    let Document::Error(e) = Document::from_json("Error", json).unwrap() else {
        panic!()
    };
    assert_eq!(
        (e.message.as_str(), e.status_code, e.status.clone()),
        ("m", 404, None)
    );
    // Unknown members are kept, written back, and reported (not the null ones).
    assert_eq!(
        veeam_em_model::xml::unknown_paths("Error", &e),
        ["Error/Extra"]
    );
    let back: Value = serde_json::from_str(&veeam_em_model::json::to_string(&e)).unwrap();
    assert_eq!(back["Extra"], serde_json::json!({"Nested": [1, 2]}));
    // Written as XML, they become elements.
    let xml = veeam_em_model::to_string(&e);
    assert!(
        xml.contains("<Extra><Nested>1</Nested><Nested>2</Nested></Extra>"),
        "{xml}"
    );
}

#[test]
fn mistakes_are_typed_errors_with_their_place() {
    let error = |root: &str, json: &str| {
        Document::from_json(root, json.as_bytes())
            .map(|d| panic!("{json} reads as {d:?}"))
            .unwrap_err()
    };
    let e = error(
        "Error",
        "{\n  \"Message\": \"m\",\n  \"StatusCode\": \"five\"\n}",
    );
    assert_eq!(
        (e.line(), e.path().as_str()),
        (3, "Error/StatusCode"),
        "{e}"
    );
    assert!(
        e.to_string().contains("expected an integer (xs:int)"),
        "{e}"
    );
    let e = error("Error", r#"{"StatusCode": 1}"#);
    assert!(e.to_string().contains("missing field `Message`"), "{e}");
    let e = error(
        "EntityReferences",
        r#"{"Refs": [{"Type": "A", "Href": "h", "UID": "urn:veeam:A:1"}, {"Type": "A", "Href": "h", "UID": "nope"}]}"#,
    );
    assert_eq!(e.path(), "EntityReferences/Refs[2]/UID", "{e}");
    let e = error("Error", "<Error/>");
    assert!(e.to_string().contains("is XML, not JSON"), "{e}");
    let e = error("Nope", "{}");
    assert!(e.to_string().contains("Nope"), "{e}");
    let e = error("Error", r#"{"Message": "m", "StatusCode": 1"#);
    assert!(e.to_string().contains("EOF"), "{e}");
}
