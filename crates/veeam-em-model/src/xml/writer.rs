//! Writes documents in the form a server sends them: the Veeam namespace as the default namespace
//! of the root, children indented by two spaces, simple values inline, `<Empty ... />` for
//! elements without content, text and attribute values escaped.

use quick_xml::escape::{escape, partial_escape};

use super::value::XmlValue;
use super::NAMESPACE;

/// Types the generated code encodes as an element.
pub trait ToXml {
    /// Writes `self` as an element called `name` (attributes, children, unknown content).
    fn to_xml(&self, writer: &mut XmlWriter, name: &str);
}

/// An indenting XML writer into a `String`.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
    depth: usize,
    /// A start tag is open (`<Name attr="..."`) and not yet closed by `>` or `/>`.
    open: bool,
    /// The next start tag is the root: it declares the Veeam namespace.
    root_pending: bool,
    scratch: String,
}

impl XmlWriter {
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

    /// Starts an element: `<name`; attributes may follow until the first child.
    pub fn start(&mut self, name: &str) {
        self.close_open_tag();
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
        self.out.push_str(&escape(value));
        self.out.push('"');
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
            self.out.push_str(&partial_escape(scratch.as_str()));
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
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
