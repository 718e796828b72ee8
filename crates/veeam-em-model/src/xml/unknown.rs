//! Content the schema does not know, kept so that read-modify-write loses nothing.
//!
//! A newer server may add attributes and elements. Decoding keeps unknown attributes (name and
//! unescaped value) and the exact source text of unknown elements; encoding writes them back
//! after the known attributes and after the known children. Most values have none, so the
//! storage is a single null pointer until something is kept.

/// Unknown attributes and elements of one element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unknown(Option<Box<UnknownContent>>);

/// What [`Unknown`] holds once something was kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnknownContent {
    /// Attributes as `(qualified name, value)`, in document order.
    pub attributes: Vec<(String, String)>,
    /// Elements as their exact source text, in document order.
    pub elements: Vec<String>,
}

impl Unknown {
    /// `true` when nothing unknown was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The kept content, if any.
    pub fn content(&self) -> Option<&UnknownContent> {
        self.0.as_deref()
    }

    /// The unknown attributes, in document order.
    pub fn attributes(&self) -> &[(String, String)] {
        self.0.as_ref().map_or(&[], |c| &c.attributes)
    }

    /// The unknown elements' source text, in document order.
    pub fn elements(&self) -> &[String] {
        self.0.as_ref().map_or(&[], |c| &c.elements)
    }

    /// Keeps an attribute.
    pub fn push_attribute(&mut self, name: String, value: String) {
        self.0
            .get_or_insert_with(Default::default)
            .attributes
            .push((name, value));
    }

    /// Keeps an element's source text.
    pub fn push_element(&mut self, xml: &str) {
        self.0
            .get_or_insert_with(Default::default)
            .elements
            .push(xml.to_owned());
    }

    /// Writes the kept attributes (the element's start tag must be open).
    pub fn write_attributes(&self, writer: &mut super::XmlWriter) {
        for (name, value) in self.attributes() {
            writer.attribute(name, value);
        }
    }

    /// Writes the kept elements.
    pub fn write_elements(&self, writer: &mut super::XmlWriter) {
        for xml in self.elements() {
            writer.raw_element(xml);
        }
    }
}
