//! `cargo xtask drift FILE|DIR...`: what responses captured from a live server hold that the
//! schemas do not know.
//!
//! Each document is walked against the schemas' IR (the one the generator renders from, so no
//! generated code is needed): its root element picks the type, each child element and attribute
//! is looked up among the members of its parent's type. What is not there is reported once per
//! path (`Job/ScheduleOptions/NewThing`), with how often it was seen, in how many files, sample
//! values, and a proposed XSD fragment, its type guessed from the values, to paste into the
//! owning type before `cargo xtask regen`. Content below an unknown element is proposed as a new
//! complex type.
//!
//! JSON captures (the server's JSON form) are walked the same way, by the members' JSON keys;
//! their root element is in the file name (`NAME.<Root>.json`, as `vem --save-responses`
//! writes them) or in the document's `Type` key.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use quick_xml::events::{BytesStart, Event};

use crate::ir::{FieldType, Model, Particle, TypeDef};

/// One unknown element or attribute, by path.
#[derive(Debug, Default)]
pub struct Finding {
    /// `Job/ScheduleOptions/@NewAttr` or `Job/NewElement`.
    pub path: String,
    /// The schema type that lacks it (`JobEntityType`) and its file.
    pub owner: Option<(String, String)>,
    pub attribute: bool,
    pub seen: usize,
    pub files: BTreeSet<String>,
    /// Up to five distinct text values.
    pub samples: Vec<String>,
    /// For an element: its attributes and child elements (names), when it has some.
    pub children: BTreeSet<String>,
    /// Its attributes, with sample values.
    pub child_attributes: BTreeMap<String, Vec<String>>,
    /// Largest number of times it appeared under one parent.
    pub max_per_parent: usize,
}

/// The findings of all documents, by path.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: BTreeMap<String, Finding>,
    pub documents: usize,
    /// Files that are not API documents (not XML, or a root the schemas do not declare).
    pub skipped: Vec<(String, String)>,
}

/// Every `.xml` and `.json` file under `inputs` (files or directories), sorted.
pub fn files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut stack = vec![input.clone()];
            while let Some(dir) = stack.pop() {
                for entry in
                    std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
                {
                    let path = entry?.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if path.extension().is_some_and(|e| e == "xml" || e == "json") {
                        out.push(path);
                    }
                }
            }
        } else {
            out.push(input.clone());
        }
    }
    out.sort();
    Ok(out)
}

/// Walks every file against `model`.
pub fn scan(model: &Model, inputs: &[PathBuf]) -> Result<Report> {
    let mut report = Report::default();
    for file in files(inputs)? {
        let name = file.display().to_string();
        let text = std::fs::read(&file).with_context(|| format!("reading {name}"))?;
        let walked = if file.extension().is_some_and(|e| e == "json") {
            walk_json(model, &text, &file, &name, &mut report)
        } else {
            walk(model, &text, &name, &mut report)
        };
        match walked {
            Ok(()) => report.documents += 1,
            Err(e) => report.skipped.push((name, format!("{e:#}"))),
        }
    }
    Ok(report)
}

/// Where the walk is: the element's complex type (None for a simple value or unknown content)
/// and its path.
struct Frame {
    ty: Option<String>,
    /// The element is not in the schemas.
    unknown: bool,
    path: String,
    /// Unknown child element names seen under this element, with counts.
    counts: BTreeMap<String, usize>,
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    name.rsplit(':').next().unwrap_or_default().to_owned()
}

fn walk(model: &Model, text: &[u8], file: &str, report: &mut Report) -> Result<()> {
    let mut reader = quick_xml::Reader::from_reader(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut buf = Vec::new();
    let mut saw_root = false;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .with_context(|| format!("not well-formed XML at byte {}", reader.buffer_position()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = local(e.name().as_ref());
                let frame = match stack.last_mut() {
                    None if saw_root => anyhow::bail!("content after the root element"),
                    None => {
                        saw_root = true;
                        let root =
                            model
                                .roots
                                .iter()
                                .find(|r| r.name == name)
                                .with_context(|| {
                                    format!("<{name}> is not a root element of the schemas")
                                })?;
                        Frame {
                            ty: Some(root.type_name.clone()),
                            unknown: false,
                            path: name.clone(),
                            counts: BTreeMap::new(),
                        }
                    }
                    Some(parent) => {
                        let path = format!("{}/{name}", parent.path);
                        let child_ty = match &parent.ty {
                            Some(t) => member_type(model, t, &name),
                            None => Member::Unknown,
                        };
                        match child_ty {
                            Member::Known(ty) => Frame {
                                ty,
                                unknown: false,
                                path,
                                counts: BTreeMap::new(),
                            },
                            Member::Unknown => {
                                let owner = parent.ty.clone();
                                *parent.counts.entry(name.clone()).or_default() += 1;
                                let per_parent = parent.counts[&name];
                                let f =
                                    finding(report, &path, owner.as_deref(), model, false, file);
                                f.max_per_parent = f.max_per_parent.max(per_parent);
                                Frame {
                                    ty: None,
                                    unknown: true,
                                    path,
                                    counts: BTreeMap::new(),
                                }
                            }
                        }
                    }
                };
                attributes(model, e, &frame, report, file)?;
                if let Some(parent) = stack.last() {
                    if parent.unknown {
                        // Below unknown content: remember the shape for the proposal.
                        if let Some(f) = report.findings.get_mut(&parent.path) {
                            f.children.insert(name.clone());
                        }
                    }
                }
                if empty {
                    drop(frame);
                } else {
                    stack.push(frame);
                }
            }
            Event::Text(t) => {
                if let Some(frame) = stack.last() {
                    if frame.unknown {
                        let value = t.decode().map(|v| v.trim().to_owned()).unwrap_or_default();
                        if !value.is_empty() {
                            if let Some(f) = report.findings.get_mut(&frame.path) {
                                sample(f, value);
                            }
                        }
                    }
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    anyhow::ensure!(saw_root, "no root element (not an XML document)");
    Ok(())
}

/// Walks a JSON capture: its root from the file name (`NAME.<Root>.json`) or its `Type` key.
fn walk_json(
    model: &Model,
    text: &[u8],
    file: &Path,
    name: &str,
    report: &mut Report,
) -> Result<()> {
    let value: serde_json::Value = serde_json::from_slice(text).context("not a JSON document")?;
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let from_name = stem.rsplit_once('.').map(|(_, r)| r.to_owned());
    let from_type = value.get("Type").and_then(|t| t.as_str()).map(|t| {
        if t.ends_with("Reference") {
            "EntityRef".to_owned()
        } else {
            t.to_owned()
        }
    });
    let root = [from_name, from_type]
        .into_iter()
        .flatten()
        .find_map(|r| model.roots.iter().find(|root| root.name == r))
        .context("the JSON form does not name its root element: name the file NAME.<Root>.json")?;
    visit_json(model, &root.type_name, &value, &root.name, name, report);
    Ok(())
}

/// Looks each member of `value` (of complex type `ty`, at `path`) up among the type's JSON keys.
fn visit_json(
    model: &Model,
    ty: &str,
    value: &serde_json::Value,
    path: &str,
    file: &str,
    report: &mut Report,
) {
    use serde_json::Value;
    let Some(TypeDef::Complex(c)) = model.types.get(ty) else {
        return;
    };
    let members = match value {
        Value::Object(members) => members,
        // A list as a bare array: its items.
        Value::Array(items) => {
            if let [Particle::Element(e)] = c.content.as_slice() {
                if let FieldType::Complex(item) = &e.ty {
                    for v in items {
                        visit_json(model, item, v, &format!("{path}/{}", e.name), file, report);
                    }
                }
            }
            return;
        }
        _ => return,
    };
    for (key, v) in members {
        let same = |k: &str| k.eq_ignore_ascii_case(key);
        if c.attributes.iter().any(|a| same(&a.name)) || (c.text.is_some() && same("Value")) {
            continue;
        }
        let element = c.content.iter().find_map(|p| {
            let elements: Vec<&crate::ir::ElementField> = match p {
                Particle::Element(e) => vec![e],
                Particle::Choice(ch) => ch.variants.iter().collect(),
            };
            elements.into_iter().find(|e| {
                same(&e.json_key) || same(&e.name) || e.json_aliases.iter().any(|a| same(a))
            })
        });
        match element {
            Some(e) => {
                if let FieldType::Complex(t) = &e.ty {
                    let child = format!("{path}/{}", e.name);
                    match v {
                        Value::Array(items) if !matches!(model.types.get(t), Some(TypeDef::Complex(ct)) if ct.json == crate::ir::JsonShape::Flat) => {
                            for item in items {
                                visit_json(model, t, item, &child, file, report);
                            }
                        }
                        other => visit_json(model, t, other, &child, file, report),
                    }
                }
            }
            // A null member carries nothing (servers write `"Links": null` and the like).
            None if v.is_null() => {}
            None => {
                let child = format!("{path}/{key}");
                let f = finding(report, &child, Some(ty), model, false, file);
                json_sample(f, v);
            }
        }
    }
}

/// Samples and shape of an unknown JSON member.
fn json_sample(f: &mut Finding, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => sample(f, s.clone()),
        Value::Bool(_) | Value::Number(_) => sample(f, value.to_string()),
        Value::Array(items) => {
            f.max_per_parent = f.max_per_parent.max(items.len());
            for item in items {
                json_sample(f, item);
            }
        }
        Value::Object(members) => {
            for key in members.keys() {
                f.children.insert(key.clone());
            }
        }
        Value::Null => {}
    }
}

fn attributes(
    model: &Model,
    e: &BytesStart<'_>,
    frame: &Frame,
    report: &mut Report,
    file: &str,
) -> Result<()> {
    for a in e.attributes() {
        let a = a?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        if key.starts_with("xmlns") || key.starts_with("xsi:") || key.starts_with("xsd:") {
            continue;
        }
        let value = quick_xml::escape::unescape(&String::from_utf8_lossy(&a.value))
            .map(|v| v.into_owned())
            .unwrap_or_default();
        match &frame.ty {
            Some(t) => {
                if !has_attribute(model, t, &key) {
                    let path = format!("{}/@{key}", frame.path);
                    let f = finding(report, &path, Some(t), model, true, file);
                    sample(f, value);
                }
            }
            None if frame.unknown => {
                if let Some(f) = report.findings.get_mut(&frame.path) {
                    let samples = f.child_attributes.entry(key).or_default();
                    if samples.len() < 5 && !samples.contains(&value) {
                        samples.push(value);
                    }
                }
            }
            None => {
                let path = format!("{}/@{key}", frame.path);
                let f = finding(report, &path, None, model, true, file);
                sample(f, value);
            }
        }
    }
    Ok(())
}

fn finding<'r>(
    report: &'r mut Report,
    path: &str,
    owner: Option<&str>,
    model: &Model,
    attribute: bool,
    file: &str,
) -> &'r mut Finding {
    let f = report
        .findings
        .entry(path.to_owned())
        .or_insert_with(|| Finding {
            path: path.to_owned(),
            owner: owner.and_then(|o| match model.types.get(o) {
                Some(TypeDef::Complex(c)) => Some((c.xsd_name.clone(), c.source_file.clone())),
                _ => None,
            }),
            attribute,
            ..Finding::default()
        });
    f.seen += 1;
    f.files.insert(file.to_owned());
    f
}

fn sample(f: &mut Finding, value: String) {
    if f.samples.len() < 5 && !f.samples.contains(&value) {
        f.samples.push(value);
    }
}

enum Member {
    /// A member of the type: its complex type (None for a simple value).
    Known(Option<String>),
    Unknown,
}

fn member_type(model: &Model, ty: &str, name: &str) -> Member {
    let Some(TypeDef::Complex(c)) = model.types.get(ty) else {
        return Member::Unknown;
    };
    let of = |t: &FieldType| match t {
        FieldType::Complex(n) => Some(n.clone()),
        FieldType::Value(_) => None,
    };
    for p in &c.content {
        match p {
            Particle::Element(e) if e.name == name => return Member::Known(of(&e.ty)),
            Particle::Choice(ch) => {
                if let Some(v) = ch.variants.iter().find(|v| v.name == name) {
                    return Member::Known(of(&v.ty));
                }
            }
            _ => {}
        }
    }
    Member::Unknown
}

fn has_attribute(model: &Model, ty: &str, name: &str) -> bool {
    matches!(model.types.get(ty), Some(TypeDef::Complex(c)) if c.attributes.iter().any(|a| a.name == name))
}

/// The XSD type of values like `samples`.
pub fn guess_type(samples: &[String]) -> &'static str {
    let all = |f: &dyn Fn(&str) -> bool| !samples.is_empty() && samples.iter().all(|s| f(s));
    if all(&|s| s == "true" || s == "false") {
        "xs:boolean"
    } else if all(&|s| s.parse::<i32>().is_ok()) {
        "xs:int"
    } else if all(&|s| s.parse::<i64>().is_ok()) {
        "xs:long"
    } else if all(&|s| s.parse::<f64>().is_ok()) {
        "xs:double"
    } else if all(&|s| s.len() >= 19 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T') {
        "xs:dateTime"
    } else if all(&|s| s.starts_with("urn:veeam:")) {
        "UidType"
    } else if all(&|s| s.starts_with("http://") || s.starts_with("https://")) {
        "xs:anyURI"
    } else {
        "xs:string"
    }
}

/// The report as text: one block per finding, grouped by the type that lacks it.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "drift: {} document(s) read, {} skipped, {} unknown path(s)",
        report.documents,
        report.skipped.len(),
        report.findings.len()
    );
    for (file, why) in &report.skipped {
        let _ = writeln!(out, "skipped {file}: {why}");
    }
    // Top-level findings only (below an unknown element, the proposal covers it), once per
    // member of a type: the same unknown member reached by several paths (`Job/X`,
    // `Jobs/Job/X`, `QueryResult/.../Job/X`) is one finding.
    let mut tops: BTreeMap<(String, String, bool), Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.values().filter(|f| f.owner.is_some()) {
        let owner = f.owner.clone().unwrap_or_default().0;
        tops.entry((owner, element_name(&f.path).to_owned(), f.attribute))
            .or_default()
            .push(f);
    }
    for group in tops.values() {
        let f = group[0];
        let (owner, file) = f.owner.clone().unwrap_or_default();
        let seen: usize = group.iter().map(|g| g.seen).sum();
        let files: BTreeSet<&String> = group.iter().flat_map(|g| &g.files).collect();
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}: unknown {} in {owner} ({file}); seen {seen} time(s) in {} file(s)",
            f.path,
            if f.attribute { "attribute" } else { "element" },
            files.len()
        );
        if group.len() > 1 {
            let paths: Vec<&str> = group[1..].iter().map(|g| g.path.as_str()).collect();
            let _ = writeln!(out, "  also at: {}", paths.join(", "));
        }
        if !f.samples.is_empty() {
            let _ = writeln!(out, "  samples: {}", f.samples.join(" | "));
        }
        let _ = writeln!(out, "  proposed, in {owner}:");
        for line in proposal(report, f).lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

fn element_name(path: &str) -> &str {
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_start_matches('@')
}

/// The XSD of one finding (and, for an element with content, a complex type for it).
fn proposal(report: &Report, f: &Finding) -> String {
    let name = element_name(&f.path);
    if f.attribute {
        return format!(
            "<xs:attribute name=\"{name}\" type=\"{}\"/>",
            guess_type(&f.samples)
        );
    }
    let max = if f.max_per_parent > 1 {
        " maxOccurs=\"unbounded\""
    } else {
        ""
    };
    if f.children.is_empty() && f.child_attributes.is_empty() {
        return format!(
            "<xs:element name=\"{name}\" type=\"{}\" minOccurs=\"0\"{max}/>",
            guess_type(&f.samples)
        );
    }
    let mut out =
        format!("<xs:element name=\"{name}\" type=\"{name}Type\" minOccurs=\"0\"{max}/>\n");
    complex_type(report, f, &mut out);
    out
}

fn complex_type(report: &Report, f: &Finding, out: &mut String) {
    let name = element_name(&f.path);
    let _ = writeln!(out, "<xs:complexType name=\"{name}Type\">");
    let _ = writeln!(
        out,
        "  <xs:annotation><xs:documentation>TODO: describe</xs:documentation></xs:annotation>"
    );
    let mut nested = Vec::new();
    if !f.children.is_empty() {
        let _ = writeln!(out, "  <xs:sequence>");
        for child in &f.children {
            let path = format!("{}/{child}", f.path);
            match report.findings.get(&path) {
                Some(c) if !c.children.is_empty() || !c.child_attributes.is_empty() => {
                    let max = if c.max_per_parent > 1 {
                        " maxOccurs=\"unbounded\""
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "    <xs:element name=\"{child}\" type=\"{child}Type\" minOccurs=\"0\"{max}/>");
                    nested.push(c);
                }
                Some(c) => {
                    let max = if c.max_per_parent > 1 {
                        " maxOccurs=\"unbounded\""
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        out,
                        "    <xs:element name=\"{child}\" type=\"{}\" minOccurs=\"0\"{max}/>",
                        guess_type(&c.samples)
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "    <xs:element name=\"{child}\" type=\"xs:string\" minOccurs=\"0\"/>"
                    );
                }
            }
        }
        let _ = writeln!(out, "  </xs:sequence>");
    }
    for (a, samples) in &f.child_attributes {
        let _ = writeln!(
            out,
            "  <xs:attribute name=\"{a}\" type=\"{}\"/>",
            guess_type(samples)
        );
    }
    let _ = writeln!(out, "</xs:complexType>");
    for c in nested {
        complex_type(report, c, out);
    }
}

/// Runs the tool on `inputs` from the workspace `root`.
pub fn run(root: &Path, inputs: &[PathBuf]) -> Result<String> {
    let files = crate::schema_files(root)?;
    let mut model = crate::frontend::load(root, &files)?;
    let annotations = crate::annotations::Annotations::read(root, &files)?;
    crate::names::assign(&mut model);
    crate::fixups::apply(&mut model)?;
    crate::json_form::assign(&mut model, &annotations)?;
    let report = scan(&model, inputs)?;
    Ok(render(&report))
}
