//! What edits change: an entity document, merged with the members a request sent.
//!
//! An edit body is merged into the object's current document element by element at the top
//! level (the body may carry only the fields being changed, as job edits do): each element name
//! the body holds replaces the elements of that name, the others stay, and elements the schemas
//! do not know are kept like any other. The root's attributes (the object's identity) stay the
//! server's. The merged document is what the object's entity form serves from then on.
//!
//! Also here: the content a newer server adds (an attribute and an element no schema of ours
//! declares), for tests of what clients keep when they read, change and write back.

use std::ops::Range;

use quick_xml::events::Event;

/// The attribute a newer server adds to entity documents (`SimConfig::newer_server`).
pub(crate) const FUTURE_ATTRIBUTE: &str = "SimFutureRevision";
/// The element a newer server adds at the end of entity documents.
pub(crate) const FUTURE_ELEMENT: &str = "SimFutureSetting";

/// A document cut at its top level.
struct TopLevel {
    /// Where the root's start tag ends (after its `>`).
    start_tag_end: usize,
    /// Where the root's end tag begins (`</...`); `None` for an empty root (`<Root/>`).
    end_tag_start: Option<usize>,
    /// The root's children: local name and byte range (from the end of what came before).
    children: Vec<(String, Range<usize>)>,
}

fn local(name: &[u8]) -> String {
    let name = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    String::from_utf8_lossy(name).into_owned()
}

fn top_level(xml: &str) -> Option<TopLevel> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    let mut start_tag_end = None;
    let mut children = Vec::new();
    let mut child: Option<(String, usize)> = None;
    let mut before = 0usize;
    loop {
        let event = reader.read_event().ok()?;
        let after = usize::try_from(reader.buffer_position()).ok()?;
        // Blanks between the root's children belong to the child after them.
        let blank_between_children = depth == 1 && matches!(event, Event::Text(_));
        match event {
            Event::Start(e) => {
                if depth == 0 {
                    start_tag_end = Some(after);
                } else if depth == 1 {
                    child = Some((local(e.name().as_ref()), before));
                }
                depth += 1;
            }
            Event::Empty(e) => {
                if depth == 0 {
                    return Some(TopLevel {
                        start_tag_end: after,
                        end_tag_start: None,
                        children,
                    });
                }
                if depth == 1 {
                    children.push((local(e.name().as_ref()), before..after));
                }
            }
            Event::End(_) => {
                depth = depth.checked_sub(1)?;
                if depth == 1 {
                    let (name, start) = child.take()?;
                    children.push((name, start..after));
                } else if depth == 0 {
                    return Some(TopLevel {
                        start_tag_end: start_tag_end?,
                        end_tag_start: Some(before),
                        children,
                    });
                }
            }
            Event::Eof => return None,
            _ => {}
        }
        if !blank_between_children {
            before = after;
        }
    }
}

/// `base` with the top-level elements of `patch` in place of those of the same names; `None`
/// when either is not a well-formed document.
pub(crate) fn merge(base: &str, patch: &str) -> Option<String> {
    let b = top_level(base)?;
    let p = top_level(patch)?;
    let patched = |name: &str| p.children.iter().any(|(n, _)| n == name);
    let group = |name: &str| {
        p.children
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, r)| patch[r.clone()].to_owned())
            .collect::<String>()
    };
    let mut out = String::with_capacity(base.len() + patch.len());
    let start_tag = match b.end_tag_start {
        Some(_) => base[..b.start_tag_end].to_owned(),
        // `<Root .../>`: open it.
        None => format!("{}>", base[..b.start_tag_end].trim_end_matches("/>")),
    };
    out.push_str(&start_tag);
    // The result keeps the base's order and puts the body's new names where the body has them.
    let mut next_base = 0;
    let mut emitted: Vec<&str> = Vec::new();
    for (name, _) in &p.children {
        if emitted.contains(&name.as_str()) {
            continue;
        }
        if let Some(at) = b.children[next_base..]
            .iter()
            .position(|(n, _)| n == name)
            .map(|k| k + next_base)
        {
            for (n, r) in &b.children[next_base..at] {
                if !patched(n) {
                    out.push_str(&base[r.clone()]);
                }
            }
            next_base = at;
            while b.children.get(next_base).is_some_and(|(n, _)| n == name) {
                next_base += 1;
            }
        }
        out.push_str(&group(name));
        emitted.push(name);
    }
    for (n, r) in &b.children[next_base..] {
        if !patched(n) {
            out.push_str(&base[r.clone()]);
        }
    }
    match b.end_tag_start {
        Some(end) => {
            let tail_from = b.children.last().map_or(b.start_tag_end, |(_, r)| r.end);
            out.push_str(&base[tail_from.max(b.start_tag_end)..end]);
            out.push_str(&base[end..]);
        }
        None => {
            let root = base[1..]
                .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
                .next()
                .unwrap_or_default();
            out.push_str(&format!("</{root}>"));
        }
    }
    Some(out)
}

/// Whether the root of `xml` has a child element named `name`.
pub(crate) fn has_child(xml: &str, name: &str) -> bool {
    top_level(xml).is_some_and(|t| t.children.iter().any(|(n, _)| n == name))
}

/// The text of the root's first child element `name` (entities decoded), if it has one with
/// text only.
pub(crate) fn child_text(xml: &str, name: &str) -> Option<String> {
    let t = top_level(xml)?;
    let (_, range) = t.children.iter().find(|(n, _)| n == name)?;
    let element = xml[range.clone()].trim_start();
    if element.ends_with("/>") {
        return Some(String::new());
    }
    let open_end = element.find('>')? + 1;
    let close = element.rfind("</")?;
    let inner = &element[open_end..close];
    if inner.contains('<') {
        return None;
    }
    quick_xml::escape::unescape(inner)
        .ok()
        .map(|s| s.into_owned())
}

/// The value of the root element's attribute `name`, if it has one.
pub(crate) fn root_attribute(xml: &str, name: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                for a in e.attributes().flatten() {
                    if a.key.local_name().as_ref() == name.as_bytes() {
                        return a
                            .decode_and_unescape_value(reader.decoder())
                            .ok()
                            .map(|v| v.into_owned());
                    }
                }
                return None;
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The top-level elements named `name`, as written (all of them, for a repeated one).
pub(crate) fn child_element(xml: &str, name: &str) -> Option<String> {
    let t = top_level(xml)?;
    let found: String = t
        .children
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, r)| xml[r.clone()].trim_start())
        .collect();
    (!found.is_empty()).then_some(found)
}

/// `xml` with its top-level elements in the order of `names` (others after, as they were).
pub(crate) fn reorder(xml: &str, names: &[&str]) -> String {
    let Some(t) = top_level(xml) else {
        return xml.to_owned();
    };
    let Some(end) = t.end_tag_start else {
        return xml.to_owned();
    };
    let rank = |n: &str| names.iter().position(|x| *x == n).unwrap_or(usize::MAX);
    let mut children: Vec<&(String, Range<usize>)> = t.children.iter().collect();
    children.sort_by_key(|(n, _)| rank(n));
    let mut out = String::with_capacity(xml.len());
    out.push_str(&xml[..t.start_tag_end]);
    for (_, r) in children {
        out.push_str(xml[r.clone()].trim_start());
    }
    out.push_str(&xml[end..]);
    out
}

/// `xml` without its top-level elements named `name`.
pub(crate) fn without_child(xml: &str, name: &str) -> String {
    let Some(t) = top_level(xml) else {
        return xml.to_owned();
    };
    let mut out = String::with_capacity(xml.len());
    let mut at = 0;
    for (n, r) in &t.children {
        if n == name {
            out.push_str(&xml[at..r.start]);
            at = r.end;
        }
    }
    out.push_str(&xml[at..]);
    out
}

/// A patch document `<root>` holding one element `name` with `text`.
pub(crate) fn patch_of(root: &str, name: &str, text: &str) -> String {
    format!(
        "<{root} xmlns=\"http://www.veeam.com/ent/v1.0\"><{name}>{}</{name}></{root}>",
        crate::render::sample::escape(text)
    )
}

/// `xml` with what a newer server adds: an attribute on the root and an element at its end.
pub(crate) fn with_future_content(xml: &str) -> String {
    let Some(t) = top_level(xml) else {
        return xml.to_owned();
    };
    let (Some(end), true) = (t.end_tag_start, t.start_tag_end > 1) else {
        return xml.to_owned();
    };
    let tag = &xml[..t.start_tag_end - 1];
    format!(
        "{tag} {FUTURE_ATTRIBUTE}=\"2\">{}<{FUTURE_ELEMENT}>kept by clients</{FUTURE_ELEMENT}>{}",
        &xml[t.start_tag_end..end],
        &xml[end..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_replaces_what_it_names_and_keeps_the_rest() {
        let base = r#"<T Href="h"><A>1</A><B>2</B><B>3</B><C>4</C></T>"#;
        let patch = r#"<T Href="other"><B>9</B><X>new</X><C/></T>"#;
        assert_eq!(
            merge(base, patch).unwrap(),
            r#"<T Href="h"><A>1</A><B>9</B><X>new</X><C/></T>"#
        );
    }

    #[test]
    fn a_whole_document_replaces_every_element_in_its_order() {
        let base = "<T>\n  <A>1</A>\n  <B>2</B>\n</T>";
        let patch = "<T>\n  <A>5</A>\n  <B>6</B>\n  <Z>u</Z>\n</T>";
        assert_eq!(
            merge(base, patch).unwrap(),
            "<T>\n  <A>5</A>\n  <B>6</B>\n  <Z>u</Z>\n</T>"
        );
    }

    #[test]
    fn an_empty_root_opens() {
        assert_eq!(
            merge(r#"<T a="1"/>"#, "<T><A>1</A></T>").unwrap(),
            r#"<T a="1"><A>1</A></T>"#
        );
        assert!(merge("<T>", "<T/>").is_none());
    }

    #[test]
    fn newer_servers_add_an_attribute_and_an_element() {
        assert_eq!(
            with_future_content(r#"<T a="x>y"><A/></T>"#),
            format!(
                r#"<T a="x>y" {FUTURE_ATTRIBUTE}="2"><A/><{FUTURE_ELEMENT}>kept by clients</{FUTURE_ELEMENT}></T>"#
            )
        );
    }
}
