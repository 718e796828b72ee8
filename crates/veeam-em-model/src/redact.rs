//! Secrets shown redacted: the members the schemas mark `<em:secret/>` (passwords of tenants,
//! credentials records, logon specs) are replaced by [`PLACEHOLDER`] in what a tool prints, and
//! a body that carries the placeholder back is refused ([`holds_placeholder`]), so that
//! `get | edit | put` never overwrites a password with it.
//!
//! Both work on XML text, guided by [`crate::reflect`]: the type of each element is found from
//! its root down, so a `Password` is a secret where its type says so, not by its name.

use quick_xml::events::{BytesText, Event};
use quick_xml::{Reader, Writer};

use crate::reflect::{self, ElementKind, ParticleInfo};

/// What a secret is shown as.
pub const PLACEHOLDER: &str = "<redacted>";

/// The complex type of child `name` of an element of type `parent`, and whether it is secret.
fn child(parent: Option<&'static str>, name: &str) -> (Option<&'static str>, bool) {
    let Some(parent) = parent else {
        return (None, false);
    };
    let secret = reflect::is_secret(parent, name);
    let Some(ty) = reflect::complex(parent) else {
        return (None, secret);
    };
    let found = ty.content.iter().find_map(|p| match p {
        ParticleInfo::Element(e) if e.name == name => Some(e.kind),
        ParticleInfo::Choice { alternatives, .. } => {
            alternatives.iter().find(|e| e.name == name).map(|e| e.kind)
        }
        _ => None,
    });
    match found {
        Some(ElementKind::Complex(t)) => (Some(t), secret),
        _ => (None, secret),
    }
}

/// Walks `xml`, calling `secret` with the text of every secret member; `None` when the text is
/// not well-formed XML.
fn walk(xml: &str, mut on_event: impl FnMut(Event<'_>, bool) -> Option<()>) -> Option<()> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<(Option<&'static str>, bool)> = Vec::new();
    loop {
        let event = reader.read_event().ok()?;
        let in_secret = stack.last().is_some_and(|(_, s)| *s);
        match &event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let frame = match stack.last() {
                    None => (reflect::root(&name).map(|r| r.type_name), false),
                    Some((parent, _)) => child(*parent, &name),
                };
                stack.push(frame);
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => return Some(()),
            _ => {}
        }
        on_event(event, in_secret)?;
    }
}

/// `xml` with the text of every secret member replaced by [`PLACEHOLDER`]; `None` when it is
/// not well-formed XML.
pub fn redact_xml(xml: &str) -> Option<String> {
    let mut writer = Writer::new(Vec::new());
    let mut replaced = false;
    walk(xml, |event, in_secret| {
        match event {
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if in_secret => {
                if !replaced {
                    writer
                        .write_event(Event::Text(BytesText::new(PLACEHOLDER)))
                        .ok()?;
                    replaced = true;
                }
            }
            Event::Eof => {}
            other => {
                if matches!(other, Event::End(_)) {
                    replaced = false;
                }
                writer.write_event(other).ok()?;
            }
        }
        Some(())
    })?;
    String::from_utf8(writer.into_inner()).ok()
}

/// Whether a secret member of `xml` holds [`PLACEHOLDER`] (a redacted document sent back).
pub fn holds_placeholder(xml: &str) -> bool {
    let mut found = false;
    let mut text = String::new();
    let _ = walk(xml, |event, in_secret| {
        if !in_secret {
            return Some(());
        }
        match &event {
            Event::Text(t) => text.push_str(&t.decode().ok()?),
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(t)),
            Event::GeneralRef(r) => match r.decode().ok()?.as_ref() {
                "lt" => text.push('<'),
                "gt" => text.push('>'),
                "amp" => text.push('&'),
                "quot" => text.push('"'),
                "apos" => text.push('\''),
                _ => {}
            },
            Event::End(_) => {
                found |= text.trim() == PLACEHOLDER;
                text.clear();
            }
            _ => {}
        }
        Some(())
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../../tests/fixtures/ok/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).unwrap()
    }

    /// Every `<Password>` of the fixtures that hold one is redacted, the rest of the document
    /// stays, and the redacted document is refused as a body.
    #[test]
    fn passwords_are_redacted_and_the_placeholder_is_refused() {
        for name in [
            "backup_server_spec_connect.xml",
            "cloud_subtenant_create_spec.xml",
            "create_cloud_tenant_spec_standalone.xml",
            "credentials_info.xml",
            "credentials_info_spec.xml",
            "file_restore_spec_to_original.xml",
            "login_spec.xml",
            "login_spec_tenant.xml",
            "password_key_info_spec.xml",
        ] {
            let xml = fixture(name);
            assert!(!holds_placeholder(&xml), "{name}");
            let redacted = redact_xml(&xml).unwrap();
            let secrets: Vec<&str> = xml
                .split("<Password>")
                .skip(1)
                .map(|s| s.split("</Password>").next().unwrap())
                .collect();
            for secret in secrets {
                assert!(
                    !redacted.contains(&format!(">{secret}<")),
                    "{name}: {redacted}"
                );
            }
            assert!(redacted.contains("&lt;redacted&gt;"), "{name}: {redacted}");
            assert!(holds_placeholder(&redacted), "{name}");
            // Only the secrets changed: the same document once they are put back.
            let again = crate::Document::from_slice(redacted.as_bytes()).unwrap();
            assert_eq!(
                again.root_element(),
                crate::Document::from_slice(xml.as_bytes())
                    .unwrap()
                    .root_element()
            );
        }
        // A member named Password of a type that does not mark it stays (names alone decide
        // nothing), and a document without secrets comes back equal.
        let plain = fixture("entity_references_seed.xml");
        let back = crate::Document::from_slice(redact_xml(&plain).unwrap().as_bytes()).unwrap();
        assert_eq!(back, crate::Document::from_slice(plain.as_bytes()).unwrap());
    }
}
