//! Writes documents in the form a server sends them: the Veeam namespace as the default namespace
//! of the root, children indented by two spaces, simple values inline, `<Empty ... />` for
//! elements without content, text and attribute values escaped so that every XML parser reads
//! back the same value (see `escape.rs`).
//!
//! Unknown elements kept from the input go back to their place among the known children: each
//! one remembers how many known children preceded it, and the writer puts it before the next
//! known child (a .NET server reads an `xs:sequence` in order, so a moved element may be lost).

use super::escape::{escape_attribute, escape_text};
use super::unknown::{Unknown, UnknownContent};
use super::value::XmlValue;
use super::NAMESPACE;

/// Types the generated code encodes as an element.
pub trait ToXml {
    /// Writes `self` as an element called `name` (attributes, children, unknown content).
    fn to_xml<'v>(&'v self, writer: &mut XmlWriter<'v>, name: &str);
}

/// One open element: how many known children it got so far, and its kept unknown elements
/// still to write.
#[derive(Debug, Default)]
struct Frame<'v> {
    children: u32,
    unknown: Option<&'v UnknownContent>,
    /// Index of the next unknown element to write.
    next: usize,
}

/// An indenting XML writer into a `String`; `'v` is the lifetime of the value being written
/// (unknown elements are written from it without copies).
#[derive(Debug, Default)]
pub struct XmlWriter<'v> {
    out: String,
    depth: usize,
    /// A start tag is open (`<Name attr="..."`) and not yet closed by `>` or `/>`.
    open: bool,
    /// The next start tag is the root: it declares the Veeam namespace.
    root_pending: bool,
    scratch: String,
    frames: Vec<Frame<'v>>,
    /// Leave out content kept from a newer server (to compare what the schemas know).
    skip_unknown: bool,
}

impl<'v> XmlWriter<'v> {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            out: String::with_capacity(capacity),
            ..Self::default()
        }
    }

    /// The XML written so far.
    pub fn into_string(self) -> String {
        self.out
    }

    fn close_open_tag(&mut self) {
        if self.open {
            self.out.push('>');
            self.open = false;
        }
    }

    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
    }

    /// A writer for a whole document: the first element declares the Veeam namespace as the
    /// default namespace.
    pub fn for_document() -> Self {
        Self {
            root_pending: true,
            ..Self::default()
        }
    }

    /// This writer, leaving out every kept unknown attribute, element and member: what is left
    /// is what the schemas know (to compare two values whatever newer servers added).
    pub fn skipping_unknown(mut self) -> Self {
        self.skip_unknown = true;
        self
    }

    /// Writes the unknown elements of the innermost open element that preceded its known child
    /// number `limit` (all of them for `u32::MAX`).
    fn flush_unknown(&mut self, limit: u32) {
        loop {
            let Some(frame) = self.frames.last_mut() else {
                return;
            };
            let Some(content) = frame.unknown else {
                return;
            };
            let Some(element) = content.elements.get(frame.next) else {
                return;
            };
            if element.after > limit {
                return;
            }
            frame.next += 1;
            self.raw_element(&element.xml);
        }
    }

    /// Writes the members kept from the JSON form as elements, after the known children.
    #[cfg(feature = "json")]
    fn flush_members(&mut self) {
        let Some(content) = self.frames.last().and_then(|f| f.unknown) else {
            return;
        };
        for (key, value) in &content.members {
            let xml = crate::json::member_to_xml(key, value);
            if !xml.is_empty() {
                self.raw_element(&xml);
            }
        }
    }

    /// Starts an element: `<name`; attributes may follow until the first child.
    pub fn start(&mut self, name: &str) {
        self.close_open_tag();
        if let Some(parent) = self.frames.last() {
            let written = parent.children;
            if parent.unknown.is_some() {
                self.flush_unknown(written);
            }
            if let Some(parent) = self.frames.last_mut() {
                parent.children += 1;
            }
        }
        self.frames.push(Frame::default());
        self.newline();
        self.out.push('<');
        self.out.push_str(name);
        self.open = true;
        self.depth += 1;
        if std::mem::take(&mut self.root_pending) {
            self.attribute("xmlns", NAMESPACE);
        }
    }

    /// Writes an attribute of the element just started.
    pub fn attribute(&mut self, name: &str, value: &str) {
        debug_assert!(self.open, "attribute written after content");
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_attribute(value, &mut self.out);
        self.out.push('"');
    }

    /// Writes the kept unknown attributes of the element just started, and remembers its kept
    /// unknown elements to write each at its place among the known children.
    pub fn unknown(&mut self, unknown: &'v Unknown) {
        let Some(content) = unknown.content().filter(|_| !self.skip_unknown) else {
            return;
        };
        for (name, value) in &content.attributes {
            self.attribute(name, value);
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.unknown = Some(content);
        }
    }

    /// Writes a typed attribute value.
    pub fn attribute_value<T: XmlValue>(&mut self, name: &str, value: &T) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        value.write_xml(&mut scratch);
        self.attribute(name, &scratch);
        self.scratch = scratch;
    }

    /// Ends the current element: `/>` when it got no content, else `</name>` on its own line.
    pub fn end(&mut self, name: &str) {
        self.flush_unknown(u32::MAX);
        #[cfg(feature = "json")]
        self.flush_members();
        self.frames.pop();
        self.depth -= 1;
        if self.open {
            self.out.push_str(" />");
            self.open = false;
        } else {
            self.newline();
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    /// Writes `<name>value</name>` (or `<name />` for empty text).
    pub fn value_element<T: XmlValue>(&mut self, name: &str, value: &T) {
        self.start(name);
        self.text_and_end(name, value);
    }

    /// Writes the text of the element just started (attributes done) and ends it inline:
    /// `>value</name>`, or ` />` for empty text.
    pub fn text_and_end<T: XmlValue>(&mut self, name: &str, value: &T) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        value.write_xml(&mut scratch);
        if scratch.is_empty() {
            self.end(name);
        } else {
            self.close_open_tag();
            escape_text(&scratch, &mut self.out);
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
            self.frames.pop();
            self.depth -= 1;
        }
        self.scratch = scratch;
    }

    /// Writes an element kept verbatim from the input (unknown content).
    pub fn raw_element(&mut self, xml: &str) {
        self.close_open_tag();
        self.newline();
        self.out.push_str(xml);
    }
}
