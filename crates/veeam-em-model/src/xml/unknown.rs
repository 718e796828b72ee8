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
    /// Members of the JSON form, as they came (written back after the known members).
    #[cfg(feature = "json")]
    pub members: Vec<(String, serde_json::Value)>,
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

    /// The kept content, created when there is none yet.
    #[cfg(feature = "json")]
    pub(crate) fn content_mut(&mut self) -> &mut UnknownContent {
        self.0.get_or_insert_with(Default::default)
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

/// Values that can list the content they hold that the schema does not know (the generated
/// types, [`Document`](crate::Document)): how a client notices a server newer than its schemas.
pub trait CollectUnknown {
    /// Calls `found` with the path of each unknown attribute (`.../@Name`) and element
    /// (`.../Name`) inside `self`, whose own path is `path` (element names joined by `/`, no
    /// indices, so that one path stands for all items of a list).
    fn collect_unknown(&self, path: &mut String, found: &mut dyn FnMut(&str));
}

/// No body, nothing unknown.
impl CollectUnknown for () {
    fn collect_unknown(&self, _: &mut String, _: &mut dyn FnMut(&str)) {}
}

/// An optional child: its unknown content, if it is there.
impl<T: CollectUnknown> CollectUnknown for Option<T> {
    fn collect_unknown(&self, path: &mut String, found: &mut dyn FnMut(&str)) {
        if let Some(value) = self {
            value.collect_unknown(path, found);
        }
    }
}

/// A repeated child: the unknown content of each (one path for all of them).
impl<T: CollectUnknown> CollectUnknown for Vec<T> {
    fn collect_unknown(&self, path: &mut String, found: &mut dyn FnMut(&str)) {
        for value in self {
            value.collect_unknown(path, found);
        }
    }
}

/// Visits the child `name` of the element at `path`.
#[doc(hidden)]
pub fn visit_unknown<T: CollectUnknown + ?Sized>(
    path: &mut String,
    name: &str,
    value: &T,
    found: &mut dyn FnMut(&str),
) {
    let len = path.len();
    path.push('/');
    path.push_str(name);
    value.collect_unknown(path, found);
    path.truncate(len);
}

/// Every path of unknown content in `value`, a document with root `root`, sorted and without
/// repeats; e.g. `["CdpReplicaSession/@SchemaRevision", "CdpReplicaSession/PolicyKind"]`.
pub fn unknown_paths<T: CollectUnknown + ?Sized>(root: &str, value: &T) -> Vec<String> {
    let mut out = Vec::new();
    let mut path = root.to_owned();
    value.collect_unknown(&mut path, &mut |p| out.push(p.to_owned()));
    out.sort();
    out.dedup();
    out
}

/// The element name at the start of kept source text (`<Name ...` or `<p:Name ...`).
fn element_name(xml: &str) -> &str {
    let rest = xml.strip_prefix('<').unwrap_or(xml);
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    &rest[..end]
}

impl Unknown {
    /// Reports the unknown attributes and elements of the element at `path`. Namespace
    /// declarations and `xsi:` attributes are markup, not content, and are not reported.
    pub fn report(&self, path: &mut String, found: &mut dyn FnMut(&str)) {
        let Some(content) = self.content() else {
            return;
        };
        let len = path.len();
        for (name, _) in &content.attributes {
            if name == "xmlns" || name.starts_with("xmlns:") || name.starts_with("xsi:") {
                continue;
            }
            path.push_str("/@");
            path.push_str(name);
            found(path);
            path.truncate(len);
        }
        for element in &content.elements {
            path.push('/');
            path.push_str(element_name(&element.xml));
            found(path);
            path.truncate(len);
        }
        // A `null` member carries nothing (servers add `"Links": null` and the like).
        #[cfg(feature = "json")]
        for (key, value) in &content.members {
            if value.is_null() {
                continue;
            }
            path.push('/');
            path.push_str(key);
            found(path);
            path.truncate(len);
        }
    }
}
