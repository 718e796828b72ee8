//! Facts about the API that an XSD cannot say, written in the schemas themselves as
//! `xs:annotation/xs:appinfo` elements in the project's namespace ([`NAMESPACE`], prefix `em`
//! by convention), beside the type, element or attribute they are about:
//!
//! ```xml
//! <xs:complexType name="LinkListType">
//!   <xs:annotation><xs:appinfo><em:json list="flat"/></xs:appinfo></xs:annotation>
//!   ...
//! ```
//!
//! The front end (xsd-parser) does not read `xs:appinfo`, so this module reads the files once
//! more with quick-xml and records each annotation with its place. The passes that use them
//! take the ones they know ([`Annotations::take`]); [`Annotations::finish`] then refuses any
//! annotation nobody took (a misspelt name, or one on a type it cannot apply to), the way a
//! fix-up that no longer applies fails.
//!
//! The vocabulary, and what takes each, is in `schemas/README.md`.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context as _, Result};
use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// The namespace of the project's annotations.
pub const NAMESPACE: &str = "urn:veeam-em:schema";

const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// What an annotation is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A named complex or simple type (its XSD name).
    Type(String),
    /// An element or attribute declared inside the named complex type `owner`.
    Member {
        owner: String,
        name: String,
        attribute: bool,
    },
    /// A global element.
    Root(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Type(t) => write!(f, "type {t}"),
            Target::Member {
                owner,
                name,
                attribute: false,
            } => write!(f, "element {name} of {owner}"),
            Target::Member {
                owner,
                name,
                attribute: true,
            } => write!(f, "attribute {name} of {owner}"),
            Target::Root(e) => write!(f, "global element {e}"),
        }
    }
}

/// One annotation: `<em:NAME attr="value" .../>` on `target`.
#[derive(Debug)]
pub struct Annotation {
    pub target: Target,
    /// The element's local name, e.g. `json`.
    pub name: String,
    pub attributes: BTreeMap<String, String>,
    /// `file:line`, for messages.
    pub place: String,
    used: Cell<bool>,
}

impl Annotation {
    /// The value of attribute `key`, if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }

    /// Fails when the annotation has an attribute other than `allowed`.
    pub fn only(&self, allowed: &[&str]) -> Result<()> {
        for key in self.attributes.keys() {
            if !allowed.contains(&key.as_str()) {
                bail!(
                    "{}: <em:{}> on {} has no attribute `{key}` (it takes {})",
                    self.place,
                    self.name,
                    self.target,
                    allowed.join(", ")
                );
            }
        }
        Ok(())
    }
}

/// Every annotation of the schemas.
#[derive(Debug, Default)]
pub struct Annotations {
    all: Vec<Annotation>,
}

impl Annotations {
    /// Reads the annotations of `files` (relative to `root`).
    pub fn read(root: &Path, files: &[String]) -> Result<Self> {
        let mut all = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(root.join(file))
                .with_context(|| format!("reading {file}"))?;
            read_file(file, &text, &mut all)?;
        }
        Ok(Self { all })
    }

    /// Builds a set from annotations (for tests).
    pub fn from_list(all: Vec<Annotation>) -> Self {
        Self { all }
    }

    /// The annotations named `name` on `target`, marked as used.
    pub fn take<'a>(&'a self, target: &Target, name: &str) -> Vec<&'a Annotation> {
        self.all
            .iter()
            .filter(|a| &a.target == target && a.name == name)
            .inspect(|a| a.used.set(true))
            .collect()
    }

    /// The one annotation named `name` on `target`, if any (two are an error).
    pub fn take_one(&self, target: &Target, name: &str) -> Result<Option<&Annotation>> {
        match self.take(target, name).as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            [first, second, ..] => bail!(
                "{} and {}: two <em:{name}> on {target}",
                first.place,
                second.place
            ),
        }
    }

    /// Fails on annotations that no pass took.
    pub fn finish(&self) -> Result<()> {
        let unused: Vec<String> = self
            .all
            .iter()
            .filter(|a| !a.used.get())
            .map(|a| {
                format!(
                    "{}: <em:{}> on {} applies to nothing",
                    a.place, a.name, a.target
                )
            })
            .collect();
        if !unused.is_empty() {
            bail!(
                "annotations that no generator step uses (misspelt, or on the wrong kind of \
                 declaration; see schemas/README.md):\n  {}",
                unused.join("\n  ")
            );
        }
        Ok(())
    }
}

/// One open XSD element while reading: its local name and its `name` attribute.
struct Open {
    local: String,
    name: Option<String>,
}

fn read_file(file: &str, text: &str, out: &mut Vec<Annotation>) -> Result<()> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    // Inside `xs:appinfo`: the depth of the stack at its start.
    let mut appinfo: Option<usize> = None;
    loop {
        let position = reader.buffer_position() as usize;
        let decoder = reader.decoder();
        let (ns, event) = reader
            .read_resolved_event()
            .with_context(|| format!("{file}: reading annotations"))?;
        match &event {
            Event::Start(start) | Event::Empty(start) => {
                let empty = matches!(event, Event::Empty(_));
                let ns = namespace(&ns);
                let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if let Some(level) = appinfo {
                    if stack.len() == level + 1 && ns.as_deref() == Some(NAMESPACE) {
                        let line = text[..position.min(text.len())].matches('\n').count() + 1;
                        let target = target(file, line, &stack[..level])?;
                        out.push(Annotation {
                            target,
                            name: local.clone(),
                            attributes: attributes(start, decoder)?,
                            place: format!("{file}:{line}"),
                            used: Cell::new(false),
                        });
                    }
                } else if ns.as_deref() == Some(XS) && local == "appinfo" {
                    appinfo = Some(stack.len());
                }
                if empty {
                    if appinfo == Some(stack.len()) {
                        appinfo = None;
                    }
                } else {
                    stack.push(Open {
                        local,
                        name: attribute(start, "name", decoder)?,
                    });
                }
            }
            Event::End(_) => {
                stack.pop();
                if appinfo == Some(stack.len()) {
                    appinfo = None;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

fn namespace(ns: &ResolveResult<'_>) -> Option<String> {
    match ns {
        ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        _ => None,
    }
}

fn attribute(start: &BytesStart<'_>, key: &str, decoder: Decoder) -> Result<Option<String>> {
    for attr in start.attributes() {
        let attr = attr?;
        if attr.key.as_ref() == key.as_bytes() {
            return Ok(Some(attr.decode_and_unescape_value(decoder)?.into_owned()));
        }
    }
    Ok(None)
}

fn attributes(start: &BytesStart<'_>, decoder: Decoder) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for attr in start.attributes() {
        let attr = attr?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        out.insert(key, attr.decode_and_unescape_value(decoder)?.into_owned());
    }
    Ok(out)
}

/// What the annotation inside `stack` (the open elements above `xs:annotation`) is about.
fn target(file: &str, line: usize, stack: &[Open]) -> Result<Target> {
    // The declaration the `xs:annotation` belongs to is the innermost open element above it.
    let Some(declaration) = stack.iter().rev().nth(1) else {
        bail!("{file}:{line}: an annotation outside any declaration");
    };
    let owner = stack
        .iter()
        .find(|o| matches!(o.local.as_str(), "complexType" | "simpleType") && o.name.is_some())
        .and_then(|o| o.name.clone());
    let name = declaration.name.clone();
    Ok(match (declaration.local.as_str(), owner, name) {
        ("complexType" | "simpleType", Some(owner), _) => Target::Type(owner),
        ("element", None, Some(name)) => Target::Root(name),
        ("element", Some(owner), Some(name)) => Target::Member {
            owner,
            name,
            attribute: false,
        },
        ("attribute", Some(owner), Some(name)) => Target::Member {
            owner,
            name,
            attribute: true,
        },
        (other, _, _) => bail!("{file}:{line}: an annotation on <xs:{other}> is not supported"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const XSD: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:em="urn:veeam-em:schema">
  <xs:complexType name="LinkListType">
    <xs:annotation>
      <xs:documentation>Links.</xs:documentation>
      <xs:appinfo><em:json list="flat"/></xs:appinfo>
    </xs:annotation>
    <xs:sequence>
      <xs:element name="Link" type="xs:string" maxOccurs="unbounded">
        <xs:annotation><xs:appinfo><em:json key="Links"/></xs:appinfo></xs:annotation>
      </xs:element>
    </xs:sequence>
    <xs:attribute name="Secret" type="xs:string">
      <xs:annotation><xs:appinfo><em:secret/></xs:appinfo></xs:annotation>
    </xs:attribute>
  </xs:complexType>
  <xs:element name="Root" type="LinkListType">
    <xs:annotation><xs:appinfo><em:other a="1"/></xs:appinfo></xs:annotation>
  </xs:element>
</xs:schema>"#;

    #[test]
    fn annotations_are_read_with_their_targets() {
        let mut all = Vec::new();
        read_file("t.xsd", XSD, &mut all).unwrap();
        let found: Vec<(String, Target, String)> = all
            .iter()
            .map(|a| (a.name.clone(), a.target.clone(), a.place.clone()))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "json".into(),
                    Target::Type("LinkListType".into()),
                    "t.xsd:5".into()
                ),
                (
                    "json".into(),
                    Target::Member {
                        owner: "LinkListType".into(),
                        name: "Link".into(),
                        attribute: false
                    },
                    "t.xsd:9".into()
                ),
                (
                    "secret".into(),
                    Target::Member {
                        owner: "LinkListType".into(),
                        name: "Secret".into(),
                        attribute: true
                    },
                    "t.xsd:13".into()
                ),
                (
                    "other".into(),
                    Target::Root("Root".into()),
                    "t.xsd:17".into()
                ),
            ]
        );
        assert_eq!(all[0].get("list"), Some("flat"));
        let set = Annotations::from_list(all);
        set.take_one(&Target::Type("LinkListType".into()), "json")
            .unwrap()
            .unwrap();
        let e = set.finish().unwrap_err().to_string();
        assert!(
            e.contains("t.xsd:9: <em:json> on element Link of LinkListType applies to nothing"),
            "{e}"
        );
        assert!(e.contains("t.xsd:17"), "{e}");
    }
}
