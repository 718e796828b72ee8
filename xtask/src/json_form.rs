//! The JSON form of every complex type: the key of each member and whether a list type is a
//! bare array. The rules (see `veeam_em_model::json` and `schemas/README.md`):
//!
//! - an attribute's key is its name, the text of simple content is `Value`;
//! - an element's key is its name, but in a *list type* (no attributes, one repeated element
//!   or choice) each item element's key is the English plural of its name
//!   (`EntityReferences/Ref` -> `Refs`);
//! - `<em:json list="flat"/>` on a list type makes it the bare array of its items, and
//!   `<em:json list="keyed" key="K"/>` records the key the reference shows;
//! - `<em:json key="K"/>` on an element gives it another key (`IncludeList` -> `IncludeLists`),
//!   `alias="A B"` other keys read as it (what the reference's examples spell otherwise).
//!
//! Checks: an annotation only on what it can apply to, no two members with one key, and at
//! most 128 keys per type (the decoder tracks them in a `u128`).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, ensure, Result};

use crate::annotations::{Annotations, Target};
use crate::ir::{ComplexType, JsonShape, Model, Particle, TypeDef};
use crate::names::plural;

/// The key of the text of an element with simple content.
pub const TEXT_KEY: &str = "Value";

/// Sets `json` of every complex type and `json_key` of every element.
pub fn assign(model: &mut Model, annotations: &Annotations) -> Result<()> {
    // Base of each type (XSD names), to find annotations on inherited elements.
    let bases: BTreeMap<String, Option<String>> = model
        .types
        .values()
        .filter_map(|t| match t {
            TypeDef::Complex(c) => Some((c.xsd_name.clone(), c.base.clone())),
            TypeDef::Enum(_) => None,
        })
        .collect();
    for def in model.types.values_mut() {
        if let TypeDef::Complex(c) = def {
            assign_type(c, annotations, &bases)?;
        }
    }
    Ok(())
}

/// Whether `c` is a list type: no attributes or text, and one repeated particle.
pub fn is_list(c: &ComplexType) -> bool {
    let repeated = |max: Option<u32>| max.is_none_or(|m| m > 1);
    c.attributes.is_empty()
        && c.text.is_none()
        && match c.content.as_slice() {
            [Particle::Element(e)] => repeated(e.max),
            [Particle::Choice(ch)] => repeated(ch.max),
            _ => false,
        }
}

fn assign_type(
    c: &mut ComplexType,
    annotations: &Annotations,
    bases: &BTreeMap<String, Option<String>>,
) -> Result<()> {
    let list = is_list(c);
    let mut item_key = None;
    if let Some(a) = annotations.take_one(&Target::Type(c.xsd_name.clone()), "json")? {
        a.only(&["list", "key"])?;
        ensure!(
            list,
            "{}: <em:json list=...> on {}, which is not a list type (no attributes, one repeated element)",
            a.place,
            c.xsd_name
        );
        match (a.get("list"), a.get("key")) {
            (Some("flat"), None) => {
                ensure!(
                    matches!(c.content.as_slice(), [Particle::Element(_)]),
                    "{}: a flat list needs one item element, {} has a choice",
                    a.place,
                    c.xsd_name
                );
                c.json = JsonShape::Flat;
            }
            (Some("keyed"), key) => item_key = key.map(str::to_owned),
            _ => bail!(
                "{}: <em:json> on type {} takes list=\"flat\", or list=\"keyed\" with an optional key",
                a.place,
                c.xsd_name
            ),
        }
    }
    // `(key, aliases)` an element's annotation gives (it may be declared in a base type).
    let element_json = |name: &str| -> Result<(Option<String>, Vec<String>)> {
        let mut owner = Some(c.xsd_name.clone());
        while let Some(o) = owner {
            let target = Target::Member {
                owner: o.clone(),
                name: name.to_owned(),
                attribute: false,
            };
            if let Some(a) = annotations.take_one(&target, "json")? {
                a.only(&["key", "alias"])?;
                let aliases: Vec<String> = a
                    .get("alias")
                    .map(|s| s.split_whitespace().map(str::to_owned).collect())
                    .unwrap_or_default();
                if a.get("key").is_none() && aliases.is_empty() {
                    bail!(
                        "{}: <em:json> on an element takes key=\"...\" or alias=\"...\"",
                        a.place
                    );
                }
                return Ok((a.get("key").map(str::to_owned), aliases));
            }
            owner = bases.get(&o).cloned().flatten();
        }
        Ok((None, Vec::new()))
    };
    let default_key = |name: &str| {
        if list {
            plural(name)
        } else {
            name.to_owned()
        }
    };
    for p in &mut c.content {
        match p {
            Particle::Element(e) => {
                let (key, aliases) = element_json(&e.name)?;
                e.json_key = match (key, &item_key) {
                    (Some(k), _) => k,
                    (None, Some(k)) => k.clone(),
                    (None, None) => default_key(&e.name),
                };
                e.json_aliases = aliases;
            }
            Particle::Choice(ch) => {
                for v in &mut ch.variants {
                    let (key, aliases) = element_json(&v.name)?;
                    v.json_key = key.unwrap_or_else(|| default_key(&v.name));
                    v.json_aliases = aliases;
                }
            }
        }
    }
    let keys = keys(c);
    let mut seen = BTreeSet::new();
    for key in &keys {
        ensure!(
            seen.insert(key.as_str()),
            "{} ({}): two members have the JSON key `{key}`; give one another with <em:json key=...>",
            c.xsd_name,
            c.source_file
        );
    }
    ensure!(
        keys.len() <= 128,
        "{} has {} JSON keys; the decoder tracks at most 128",
        c.xsd_name,
        keys.len()
    );
    Ok(())
}

/// The JSON keys of `c` in member order: attributes, then each element (each branch of a
/// choice), then the text.
pub fn keys(c: &ComplexType) -> Vec<String> {
    let mut out: Vec<String> = c.attributes.iter().map(|a| a.name.clone()).collect();
    for p in &c.content {
        match p {
            Particle::Element(e) => out.push(e.json_key.clone()),
            Particle::Choice(ch) => out.extend(ch.variants.iter().map(|v| v.json_key.clone())),
        }
    }
    if c.text.is_some() {
        out.push(TEXT_KEY.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ElementField, FieldType, ValueType};

    fn element(name: &str, max: Option<u32>) -> Particle {
        Particle::Element(ElementField {
            name: name.into(),
            rust_name: String::new(),
            ty: FieldType::Value(ValueType::String),
            min: 0,
            max,
            doc: None,
            json_key: String::new(),
            json_aliases: Vec::new(),
            secret: false,
        })
    }

    fn complex(name: &str, content: Vec<Particle>) -> ComplexType {
        ComplexType {
            xsd_name: name.into(),
            rust_name: name.into(),
            source_file: "schemas/t.xsd".into(),
            doc: None,
            base: None,
            attributes: Vec::new(),
            content,
            text: None,
            json: JsonShape::Object,
        }
    }

    #[test]
    fn list_items_are_keyed_by_their_plural() {
        let mut list = complex("PolicyListType", vec![element("Policy", None)]);
        let mut other = complex(
            "ScheduleType",
            vec![element("Days", None), element("Kind", Some(1))],
        );
        let none = Annotations::default();
        assign_type(&mut list, &none, &BTreeMap::new()).unwrap();
        assign_type(&mut other, &none, &BTreeMap::new()).unwrap();
        assert_eq!(keys(&list), ["Policies"]);
        assert_eq!(keys(&other), ["Days", "Kind"]);
    }
}
