//! Rust names for XML names: `CreationTimeUTC` -> `creation_time_utc`, `Ref` (repeated) ->
//! `refs`, enumeration value `vCloud` -> `VCloud`; and [`assign`], the naming pass that gives
//! every member of the IR its Rust name once, so that fix-ups can change a name and the renderer
//! only reads names.

use std::collections::BTreeSet;

use anyhow::{bail, Result};

use crate::ir::{Model, Particle, TypeDef};

/// Names every member of every type: fields (plural for repeated elements), choice variants and
/// enumeration variants. Runs before the fix-ups; [`check`] runs after them.
pub fn assign(model: &mut Model) {
    for def in model.types.values_mut() {
        match def {
            TypeDef::Complex(c) => {
                for a in &mut c.attributes {
                    a.rust_name = field_name(&a.name);
                }
                for p in &mut c.content {
                    match p {
                        Particle::Element(e) => e.rust_name = member_name(e.min, e.max, &e.name),
                        Particle::Choice(ch) => {
                            ch.rust_name = member_name(ch.min, ch.max, &ch.name);
                            for v in &mut ch.variants {
                                v.rust_name = type_name(&v.name);
                            }
                        }
                    }
                }
            }
            TypeDef::Enum(e) => e.variants = e.values.iter().map(|v| variant_name(v)).collect(),
        }
    }
}

/// The field name of a member: plural when it repeats.
pub fn member_name(min: u32, max: Option<u32>, xml: &str) -> String {
    let _ = min;
    match max {
        None => plural_field_name(xml),
        Some(m) if m > 1 => plural_field_name(xml),
        _ => field_name(xml),
    }
}

/// Names must be distinct within their scope: fields of a struct (with `unknown`, and `value`
/// for simple content), variants of an enum. The error names the type, its file and the fix-up
/// that resolves it.
pub fn check(model: &Model) -> Result<()> {
    for def in model.types.values() {
        match def {
            TypeDef::Complex(c) => {
                let mut taken = BTreeSet::from(["unknown".to_owned()]);
                if c.text.is_some() {
                    taken.insert("value".to_owned());
                }
                let fields = c.attributes.iter().map(|a| (&a.name, &a.rust_name)).chain(
                    c.content.iter().map(|p| match p {
                        Particle::Element(e) => (&e.name, &e.rust_name),
                        Particle::Choice(ch) => (&ch.name, &ch.rust_name),
                    }),
                );
                for (xml, rust) in fields {
                    if rust.is_empty() || !taken.insert(rust.clone()) {
                        bail!(
                            "{} ({}): member {xml} gets the Rust field name `{rust}`, which another member (or `unknown`/`value`) has; give it another with `rename_field` in xtask/src/fixups.rs",
                            c.xsd_name,
                            c.source_file
                        );
                    }
                }
                for ch in c.content.iter().filter_map(|p| match p {
                    Particle::Choice(ch) => Some(ch),
                    _ => None,
                }) {
                    let mut variants = BTreeSet::new();
                    for v in &ch.variants {
                        if !variants.insert(&v.rust_name) {
                            bail!(
                                "{} ({}): two alternatives of the choice {} get the variant name `{}`",
                                c.xsd_name,
                                c.source_file,
                                ch.name,
                                v.rust_name
                            );
                        }
                    }
                }
            }
            TypeDef::Enum(e) => {
                let mut seen = BTreeSet::new();
                for (value, v) in e.values.iter().zip(&e.variants) {
                    if v.is_empty() || v == "Other" || !seen.insert(v) {
                        bail!(
                            "{} ({}): value {value:?} gives the variant name `{v}` twice or a reserved one",
                            e.xsd_name,
                            e.source_file
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

/// `UpperCamelCase` of an XML name, treating acronyms as words: `CDPReplicaRPOOptions` ->
/// `CdpReplicaRpoOptions`, `VAppCdpReplica` stays, `vAppRef` -> `VAppRef`, `UID` -> `Uid`.
pub fn type_name(xml: &str) -> String {
    let mut out = String::new();
    for word in words(xml) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    out
}

/// The words of an XML name: a new word starts at an upper-case letter after a lower-case letter
/// or digit, at the last upper-case letter of a run followed by a lower-case one (`RPOReporting`
/// is `RPO`, `Reporting`), and after any character that is not a letter or digit (dropped).
fn words(xml: &str) -> Vec<String> {
    let chars: Vec<char> = xml.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case` of an XML name, with a trailing `_` for Rust keywords.
pub fn field_name(xml: &str) -> String {
    escape_keyword(snake_case(xml))
}

/// Field name of a repeated element: the plural of its snake-case name.
pub fn plural_field_name(xml: &str) -> String {
    escape_keyword(plural(&snake_case(xml)))
}

/// A variant name for an enumeration value: alphanumerics only, first letter of each word upper.
pub fn variant_name(value: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in value.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        } else {
            upper = true;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

fn snake_case(xml: &str) -> String {
    let chars: Vec<char> = xml.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == '.' {
            out.push('_');
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The English plural of a word (`Policy` -> `Policies`, `Address` -> `Addresses`); a word
/// that already ends in `s` (`Sessions`) stays.
pub fn plural(word: &str) -> String {
    if ["ss", "us", "is", "as", "x", "sh", "ch"]
        .iter()
        .any(|end| word.ends_with(end))
    {
        format!("{word}es")
    } else if word.ends_with('s') {
        // Already plural (`Events`, `Sessions`): a repeated `<Events>` is `events`.
        word.to_owned()
    } else if let Some(stem) = word.strip_suffix('y') {
        if stem.ends_with(['a', 'e', 'i', 'o', 'u']) {
            format!("{word}s")
        } else {
            format!("{stem}ies")
        }
    } else {
        format!("{word}s")
    }
}

fn escape_keyword(name: String) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else",
        "enum", "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match",
        "mod", "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "try", "type", "unsafe", "use", "where", "while", "yield",
    ];
    if KEYWORDS.contains(&name.as_str()) {
        name + "_"
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(field_name("CreationTimeUTC"), "creation_time_utc");
        assert_eq!(field_name("RPOThresholdSeconds"), "rpo_threshold_seconds");
        assert_eq!(field_name("vAppRef"), "v_app_ref");
        assert_eq!(field_name("UID"), "uid");
        assert_eq!(field_name("Type"), "type_");
        assert_eq!(plural_field_name("Ref"), "refs");
        assert_eq!(plural_field_name("CdpPolicy"), "cdp_policies");
        assert_eq!(plural_field_name("Day"), "days");
        assert_eq!(plural_field_name("Links"), "links");
        assert_eq!(plural_field_name("Events"), "events");
        assert_eq!(plural_field_name("Status"), "statuses");
        assert_eq!(plural_field_name("Address"), "addresses");
        assert_eq!(variant_name("vCloud"), "VCloud");
        assert_eq!(
            type_name("CDPReplicaRPOReportingFailedOptions"),
            "CdpReplicaRpoReportingFailedOptions"
        );
        assert_eq!(type_name("RPOSchedule"), "RpoSchedule");
        assert_eq!(type_name("VAppCdpReplicaVm"), "VAppCdpReplicaVm");
        assert_eq!(type_name("vAppRef"), "VAppRef");
        assert_eq!(type_name("UID"), "Uid");
        assert_eq!(type_name("EntityReferences"), "EntityReferences");
        assert_eq!(type_name("SupportedVersion_V1_7"), "SupportedVersionV17");
        assert_eq!(variant_name("in progress"), "InProgress");
    }
}
