//! Unknown content in the JSON form: members the schema does not know are kept as they came
//! and written back as they came. Across forms (kept from XML, written as JSON, or the reverse)
//! the content is converted by a simple rule, since neither form says how the other would
//! write it: an attribute or a text-only element is a string member, an element with content an
//! object, repeated elements an array; the reverse writes a member as an element.

use serde::ser::SerializeMap;
use serde_json::{Map, Value};

use crate::xml::Unknown;

impl Unknown {
    /// Keeps a JSON member the schema does not know.
    pub fn push_member(&mut self, key: String, value: Value) {
        self.content_mut().members.push((key, value));
    }

    /// Writes the kept content as JSON members: JSON members as they came, XML attributes and
    /// elements converted.
    pub(crate) fn write_json<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        let Some(content) = self.content() else {
            return Ok(());
        };
        for (name, value) in &content.attributes {
            if name == "xmlns" || name.starts_with("xmlns:") || name.starts_with("xsi:") {
                continue;
            }
            map.serialize_entry(local(name), value)?;
        }
        let mut elements: Vec<(String, Value)> = Vec::new();
        for element in &content.elements {
            if let Some((name, value)) = xml_element_to_json(&element.xml) {
                add(&mut elements, name, value);
            }
        }
        for (name, value) in &elements {
            map.serialize_entry(name, value)?;
        }
        for (key, value) in &content.members {
            map.serialize_entry(key, value)?;
        }
        Ok(())
    }
}

/// Adds a member, making an array of members of the same name.
fn add(members: &mut Vec<(String, Value)>, name: String, value: Value) {
    match members.iter_mut().find(|(n, _)| *n == name) {
        Some((_, Value::Array(items))) => items.push(value),
        Some((_, existing)) => {
            let first = std::mem::take(existing);
            *existing = Value::Array(vec![first, value]);
        }
        None => members.push((name, value)),
    }
}

/// A name without its namespace prefix.
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// The JSON member of an element kept verbatim from XML: `(name, value)`.
pub fn xml_element_to_json(xml: &str) -> Option<(String, Value)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Open> = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                stack.push(open(&start, reader.decoder())?);
            }
            Event::Empty(start) => {
                let (name, members, _) = open(&start, reader.decoder())?;
                let value = close(members, String::new());
                match stack.last_mut() {
                    Some(parent) => add(&mut parent.1, name, value),
                    None => return Some((name, value)),
                }
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.2.push_str(&text.decode().ok()?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name = r.decode().ok()?;
                    let resolved = match &*name {
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "amp" => "&".to_owned(),
                        "apos" => "'".to_owned(),
                        "quot" => "\"".to_owned(),
                        other => {
                            let code = other.strip_prefix('#')?;
                            let n = match code.strip_prefix('x') {
                                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                                None => code.parse().ok()?,
                            };
                            char::from_u32(n)?.to_string()
                        }
                    };
                    top.2.push_str(&resolved);
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.2.push_str(std::str::from_utf8(&data).ok()?);
                }
            }
            Event::End(_) => {
                let (name, members, text) = stack.pop()?;
                let value = close(members, text);
                match stack.last_mut() {
                    Some(parent) => add(&mut parent.1, name, value),
                    None => return Some((name, value)),
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// An element being converted: its name, its members so far and its text.
type Open = (String, Vec<(String, Value)>, String);

fn open(
    start: &quick_xml::events::BytesStart<'_>,
    decoder: quick_xml::encoding::Decoder,
) -> Option<Open> {
    let name = local(std::str::from_utf8(start.name().as_ref()).ok()?).to_owned();
    let mut members = Vec::new();
    for attr in start.attributes() {
        let attr = attr.ok()?;
        let key = std::str::from_utf8(attr.key.as_ref()).ok()?;
        if key == "xmlns" || key.starts_with("xmlns:") || key.starts_with("xsi:") {
            continue;
        }
        let value = attr.decode_and_unescape_value(decoder).ok()?.into_owned();
        members.push((local(key).to_owned(), Value::String(value)));
    }
    Some((name, members, String::new()))
}

fn close(members: Vec<(String, Value)>, text: String) -> Value {
    let text = text.trim();
    if members.is_empty() {
        return Value::String(text.to_owned());
    }
    let mut object: Map<String, Value> = members.into_iter().collect();
    if !text.is_empty() {
        object.insert("Value".to_owned(), Value::String(text.to_owned()));
    }
    Value::Object(object)
}

/// The XML of a JSON member kept from a newer server, compact: one element per value (an
/// array is repeated elements; `null`, and names that cannot be element names, write nothing).
pub fn member_to_xml(key: &str, value: &Value) -> String {
    let mut out = String::new();
    write_member(key, value, &mut out);
    out
}

fn is_name(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn write_member(key: &str, value: &Value, out: &mut String) {
    if !is_name(key) {
        return;
    }
    let text = match value {
        Value::Null => return,
        Value::Array(items) => {
            for item in items {
                write_member(key, item, out);
            }
            return;
        }
        Value::Object(members) => {
            out.push('<');
            out.push_str(key);
            out.push('>');
            for (k, v) in members {
                write_member(k, v, out);
            }
            out.push_str("</");
            out.push_str(key);
            out.push('>');
            return;
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    out.push('<');
    out.push_str(key);
    if text.is_empty() {
        out.push_str(" />");
    } else {
        out.push('>');
        crate::xml::escape_text(&text, out);
        out.push_str("</");
        out.push_str(key);
        out.push('>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_elements_become_members() {
        assert_eq!(
            xml_element_to_json("<Tier>Gold</Tier>"),
            Some(("Tier".into(), Value::String("Gold".into())))
        );
        let (name, value) = xml_element_to_json(
            r#"<x:Extra Id="7"><Item>a</Item><Item>b &amp; c</Item><Note/></x:Extra>"#,
        )
        .unwrap();
        assert_eq!(name, "Extra");
        assert_eq!(
            value,
            serde_json::json!({"Id": "7", "Item": ["a", "b & c"], "Note": ""})
        );
    }

    #[test]
    fn members_become_elements() {
        let value = serde_json::json!({"Id": 7, "Items": ["a", "b<"], "None": null});
        let xml = member_to_xml("Extra", &value);
        assert_eq!(
            xml,
            "<Extra><Id>7</Id><Items>a</Items><Items>b&lt;</Items></Extra>"
        );
        assert_eq!(
            member_to_xml("Flag", &Value::Bool(true)),
            "<Flag>true</Flag>"
        );
        assert_eq!(member_to_xml("#text", &Value::Bool(true)), "");
        assert_eq!(member_to_xml("Gone", &Value::Null), "");
    }
}
