//! Content the schema does not know, kept so that read-modify-write loses nothing.
//!
//! A newer server may add attributes and elements. Decoding keeps unknown attributes (name and
//! normalised value) and the exact source text of unknown elements, with how many known
//! children preceded each one; encoding writes the attributes after the known ones and each
//! element back at its place among the known children. Most values have none, so the storage is
//! a single null pointer until something is kept.

/// Unknown attributes and elements of one element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unknown(Option<Box<UnknownContent>>);

/// What [`Unknown`] holds once something was kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnknownContent {
    /// Attributes as `(qualified name, value)`, in document order.
    pub attributes: Vec<(String, String)>,
    /// Elements in document order.
    pub elements: Vec<UnknownElement>,
}

/// An element the schema does not know, as it was in the input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnknownElement {
    /// Its exact source text (start tag to end tag).
    pub xml: String,
    /// How many known sibling elements came before it: it is written back before the next one.
    pub after: u32,
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

    /// The unknown elements, in document order.
    pub fn elements(&self) -> &[UnknownElement] {
        self.0.as_ref().map_or(&[], |c| &c.elements)
    }

    /// Keeps an attribute.
    pub fn push_attribute(&mut self, name: String, value: String) {
        self.0
            .get_or_insert_with(Default::default)
            .attributes
            .push((name, value));
    }

    /// Keeps an element's source text; `index` is its position among all child elements of its
    /// parent (known and unknown, from 0).
    pub fn push_element(&mut self, xml: &str, index: u32) {
        let content = self.0.get_or_insert_with(Default::default);
        let unknown_before = u32::try_from(content.elements.len()).unwrap_or(u32::MAX);
        content.elements.push(UnknownElement {
            xml: xml.to_owned(),
            after: index.saturating_sub(unknown_before),
        });
    }
}
