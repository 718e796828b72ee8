//! A pull reader over a complete document in memory, shaped for the generated decoders.
//!
//! It wraps `quick_xml::Reader<&[u8]>`, so every event, name and value borrows the input and text
//! without escapes is never copied. On top of the tokenizer it adds what the generated code needs:
//! the namespace check of the root, the bound on nesting depth, text values with entity and
//! character references resolved, raw capture of unknown elements, and errors with offsets.
//!
//! Namespaces: the Veeam namespace may be the default namespace or bound to a prefix on the root
//! element. Child elements are the schema's when they carry the root's prefix (or none, when the
//! root has none); any other element is unknown content and is kept verbatim.

use std::borrow::Cow;
use std::cell::RefCell;

use quick_xml::events::{BytesRef, BytesStart, Event};

use super::attributes::{RawAttribute, RawAttributes};
use super::error::{
    classify_text, sniff_encoding, stray_text, DecodeError, DecodeErrorKind, NotXml,
};
use super::escape;
use super::limits::{Limit, Limits};
use super::value::XmlValue;
use super::NAMESPACE;
use crate::text::Interner;

/// A start tag the reader has just returned.
#[derive(Debug)]
pub struct Child<'a> {
    /// The start tag (name and attributes).
    pub start: BytesStart<'a>,
    /// `true` for a self-closed `<Name ... />` (nothing more to read).
    pub empty: bool,
    /// Byte offset of the `<`.
    pub offset: usize,
}

/// Types the generated code decodes from an element.
pub trait FromXml: Sized {
    /// Decodes `element`, whose start tag has been read; on success the reader is positioned
    /// after its end tag.
    fn from_xml<'a>(reader: &mut XmlReader<'a>, element: Child<'a>) -> Result<Self, DecodeError>;
}

/// The reader the generated decoders drive.
#[derive(Debug)]
pub struct XmlReader<'a> {
    inner: quick_xml::Reader<&'a [u8]>,
    input: &'a [u8],
    depth: usize,
    /// The limits of the thread when the reader was made.
    limits: Limits,
    /// Children seen so far of the open element at each depth (`[d]`: of the element at `d`).
    children: Vec<usize>,
    /// Prefix of the Veeam namespace on the root element (`None`: the default namespace).
    prefix: Option<Box<[u8]>>,
    /// Shares equal strings of this document.
    strings: RefCell<Interner>,
    /// When the root binds the Veeam namespace to a prefix: the default namespace in scope
    /// (`""` for none), which kept unprefixed unknown elements must keep on re-encoding.
    foreign_default: Option<String>,
}

impl<'a> XmlReader<'a> {
    /// A reader at the start of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Self::new_with(input, Interner::default())
    }

    fn new_with(input: &'a [u8], strings: Interner) -> Self {
        let mut inner = quick_xml::Reader::from_reader(input);
        let config = inner.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Self {
            inner,
            input,
            depth: 0,
            limits: Limits::current(),
            children: Vec::new(),
            prefix: None,
            strings: RefCell::new(strings),
            foreign_default: None,
        }
    }

    /// A reader for one element cut out of a larger document (streaming): `prefix` is the Veeam
    /// namespace prefix declared on the document's root, `strings` the interner to reuse.
    pub(crate) fn fragment(
        input: &'a [u8],
        prefix: Option<Box<[u8]>>,
        foreign_default: Option<String>,
        strings: Interner,
        limits: Limits,
    ) -> Self {
        let mut reader = Self::new_with(input, strings).with_limits(limits);
        reader.prefix = prefix;
        reader.foreign_default = foreign_default;
        reader
    }

    /// The default namespace in scope under a prefixed root (see `capture_unknown`).
    pub(crate) fn foreign_default(&self) -> Option<&str> {
        self.foreign_default.as_deref()
    }

    /// Gives back the interner (to reuse it for the next fragment).
    pub(crate) fn into_strings(self) -> Interner {
        self.strings.into_inner()
    }

    /// The Veeam namespace prefix found on the root.
    pub(crate) fn prefix(&self) -> Option<&[u8]> {
        self.prefix.as_deref()
    }

    /// Reads the next start tag, skipping the prolog (no namespace check): the start of a
    /// fragment.
    pub(crate) fn read_element(&mut self) -> Result<Child<'a>, DecodeError> {
        loop {
            let (event, at) = self.next_event()?;
            let (start, empty) = match event {
                Event::Start(s) => (s, false),
                Event::Empty(s) => (s, true),
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => continue,
                Event::Text(t) if is_blank(&t) => continue,
                _ => return Err(DecodeError::new(DecodeErrorKind::NoRootElement, at)),
            };
            self.check_tag(&start, at)?;
            if !empty {
                self.enter(at)?;
            }
            return Ok(Child {
                start,
                empty,
                offset: at,
            });
        }
    }

    /// The whole input.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// Bytes read so far.
    pub(crate) fn position(&self) -> usize {
        usize::try_from(self.inner.buffer_position()).unwrap_or(usize::MAX)
    }

    /// Byte offset of `part` when it is a slice of the input, else `fallback`.
    fn offset_of(&self, part: &[u8], fallback: usize) -> usize {
        let base = self.input.as_ptr() as usize;
        let at = part.as_ptr() as usize;
        if at >= base && at + part.len() <= base + self.input.len() {
            at - base
        } else {
            fallback
        }
    }

    #[cold]
    fn syntax(&self, e: quick_xml::Error) -> DecodeError {
        let offset = usize::try_from(self.inner.error_position()).unwrap_or(usize::MAX);
        let kind = match e {
            quick_xml::Error::Encoding(_) => DecodeErrorKind::InvalidUtf8,
            quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
                _,
                name,
            )) => DecodeErrorKind::UnknownEntity(name),
            quick_xml::Error::Syntax(syntax) => {
                // Every quick-xml syntax error is an unclosed construct at the end of the input.
                return DecodeError::end_of_input(
                    DecodeErrorKind::Syntax(quick_xml::Error::Syntax(syntax).to_string()),
                    offset,
                );
            }
            other => DecodeErrorKind::Syntax(other.to_string()),
        };
        DecodeError::new(kind, offset)
    }

    #[cold]
    pub(crate) fn error_at(&self, kind: DecodeErrorKind, offset: usize) -> DecodeError {
        DecodeError::new(kind, offset)
    }

    fn next_event(&mut self) -> Result<(Event<'a>, usize), DecodeError> {
        let at = self.position();
        match self.inner.read_event() {
            Ok(Event::DocType(d)) => {
                let html = d
                    .trim_ascii_start()
                    .get(..4)
                    .is_some_and(|n| n.eq_ignore_ascii_case(b"html"));
                let kind = if html {
                    DecodeErrorKind::NotXml(NotXml::Html)
                } else {
                    DecodeErrorKind::DocType
                };
                Err(DecodeError::new(kind, at))
            }
            Ok(event) => Ok((event, at)),
            Err(e) => Err(self.syntax(e)),
        }
    }

    fn enter(&mut self, offset: usize) -> Result<(), DecodeError> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(DecodeError::new(
                DecodeErrorKind::TooDeep {
                    limit: self.limits.max_depth,
                },
                offset,
            ));
        }
        match self.children.get_mut(self.depth) {
            Some(count) => *count = 0,
            None => {
                self.children.resize(self.depth, 0);
                self.children.push(0);
            }
        }
        Ok(())
    }

    /// This reader with other limits than the thread's.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits this reader applies.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    #[cold]
    fn over(&self, limit: Limit, max: usize, offset: usize) -> DecodeError {
        DecodeError::new(DecodeErrorKind::LimitExceeded { limit, max }, offset)
    }

    /// Counts a child of the open element and checks its start tag against the limits.
    #[inline]
    fn admit(&mut self, start: &BytesStart<'_>, offset: usize) -> Result<(), DecodeError> {
        if let Some(count) = self.children.get_mut(self.depth) {
            *count += 1;
            if *count > self.limits.max_items {
                return Err(self.over(Limit::Items, self.limits.max_items, offset));
            }
        }
        self.check_tag(start, offset)
    }

    /// Attributes of a long start tag: how many, and how long each value is.
    #[inline]
    fn check_tag(&self, start: &BytesStart<'_>, offset: usize) -> Result<(), DecodeError> {
        if start.len() <= self.limits.tag_check_threshold() {
            return Ok(());
        }
        self.check_attributes(start, offset)
    }

    #[cold]
    fn check_attributes(&self, start: &BytesStart<'_>, offset: usize) -> Result<(), DecodeError> {
        let mut count = 0usize;
        for attr in RawAttributes::new(start.attributes_raw()) {
            // Malformed attributes are reported by the decoders, with their position.
            let Ok(attr) = attr else { break };
            count += 1;
            if count > self.limits.max_attributes {
                return Err(self.over(Limit::Attributes, self.limits.max_attributes, offset));
            }
            if attr.value.len() > self.limits.max_value_bytes {
                let at = self.offset_of(attr.value, offset);
                return Err(self.over(Limit::ValueBytes, self.limits.max_value_bytes, at));
            }
        }
        Ok(())
    }

    /// Reads up to the root element and checks its namespace; the name is checked by the caller.
    /// An input that is not XML at all (empty, JSON, HTML, UTF-16, text) says so.
    pub fn read_root(&mut self) -> Result<Child<'a>, DecodeError> {
        if let Some(what) = sniff_encoding(self.input) {
            return Err(DecodeError::new(DecodeErrorKind::NotXml(what), 0));
        }
        loop {
            let (event, at) = self.next_event()?;
            let (start, empty) = match event {
                Event::Start(s) => (s, false),
                Event::Empty(s) => (s, true),
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => continue,
                Event::Text(t) if is_blank(&t) => continue,
                Event::Eof if is_blank(self.input) => {
                    let kind = DecodeErrorKind::NotXml(NotXml::Empty);
                    return Err(DecodeError::end_of_input(kind, at));
                }
                Event::Eof => {
                    return Err(DecodeError::end_of_input(
                        DecodeErrorKind::NoRootElement,
                        at,
                    ));
                }
                Event::Text(t) => {
                    let kind = DecodeErrorKind::NotXml(classify_text(&t));
                    return Err(DecodeError::new(kind, at + leading_blank(&t)));
                }
                Event::CData(_) | Event::GeneralRef(_) | Event::End(_) | Event::DocType(_) => {
                    return Err(DecodeError::new(DecodeErrorKind::NoRootElement, at));
                }
            };
            if start.local_name().as_ref().eq_ignore_ascii_case(b"html") {
                return Err(DecodeError::new(DecodeErrorKind::NotXml(NotXml::Html), at));
            }
            if self.input.len() > self.limits.max_document_bytes {
                return Err(self.over(
                    Limit::DocumentBytes,
                    self.limits.max_document_bytes,
                    self.limits.max_document_bytes,
                ));
            }
            self.check_tag(&start, at)?;
            if !empty {
                self.enter(at)?;
            }
            self.check_root_namespace(&start, at)?;
            return Ok(Child {
                start,
                empty,
                offset: at,
            });
        }
    }

    fn check_root_namespace(
        &mut self,
        start: &BytesStart<'a>,
        at: usize,
    ) -> Result<(), DecodeError> {
        let prefix = start.name().prefix().map(|p| p.as_ref().to_vec());
        let mut found = None;
        let mut default_ns = String::new();
        let raw = self.attribute_bytes(start);
        for attr in RawAttributes::new(raw) {
            let attr = attr.map_err(|e| self.attr_syntax(e.message, raw, e.at))?;
            let key = attr.name;
            let binds = match &prefix {
                None => key == b"xmlns",
                Some(p) => key.strip_prefix(b"xmlns:") == Some(p.as_slice()),
            };
            if binds {
                found = Some(self.unescape(&attr)?.into_owned());
            } else if key == b"xmlns" {
                default_ns = self.unescape(&attr)?.into_owned();
            }
        }
        match found {
            Some(ns) if ns == NAMESPACE => {
                if prefix.is_some() {
                    self.foreign_default = Some(default_ns);
                }
                self.prefix = prefix.map(Vec::into_boxed_slice);
                Ok(())
            }
            found => Err(DecodeError::new(
                DecodeErrorKind::WrongNamespace { found },
                at,
            )),
        }
    }

    /// After the root element: only comments, processing instructions and whitespace may follow.
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        loop {
            match self.next_event()? {
                (Event::Eof, _) => return Ok(()),
                (Event::Comment(_) | Event::PI(_), _) => {}
                (Event::Text(t), _) if is_blank(&t) => {}
                (_, at) => {
                    return Err(DecodeError::new(DecodeErrorKind::TrailingContent, at));
                }
            }
        }
    }

    /// The local name of `start` when it is in the Veeam namespace, else `None` (unknown content).
    pub fn schema_name<'s>(&self, start: &'s BytesStart<'_>) -> Option<&'s [u8]> {
        let name = start.name();
        let ours = match (name.prefix(), &self.prefix) {
            (None, None) => true,
            (Some(p), Some(ours)) => p.as_ref() == &ours[..],
            _ => false,
        };
        if !ours {
            return None;
        }
        // An unprefixed element that declares another default namespace is not ours (this is
        // how kept content of other namespaces is written back under a default-namespace root).
        if name.prefix().is_none() {
            let attrs = start.attributes_raw();
            // One finder for the process: building one per call showed up in profiles.
            static XMLNS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
                std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"xmlns"));
            if XMLNS.find(attrs).is_some() {
                let foreign = RawAttributes::new(attrs).any(|a| {
                    a.is_ok_and(|a| a.name == b"xmlns" && a.value != NAMESPACE.as_bytes())
                });
                if foreign {
                    return None;
                }
            }
        }
        // `name` borrows `start`; re-slice the local part from the tag itself.
        let full: &'s [u8] = start.name().into_inner();
        let local_len = name.local_name().as_ref().len();
        Some(&full[full.len() - local_len..])
    }

    /// The next child element of the current element, or `None` once its end tag is read.
    /// Whitespace, comments and processing instructions between children are skipped.
    pub fn next_child(&mut self) -> Result<Option<Child<'a>>, DecodeError> {
        loop {
            let (event, at) = self.next_event()?;
            match event {
                Event::Start(start) => {
                    self.admit(&start, at)?;
                    self.enter(at)?;
                    return Ok(Some(Child {
                        start,
                        empty: false,
                        offset: at,
                    }));
                }
                Event::Empty(start) => {
                    self.admit(&start, at)?;
                    return Ok(Some(Child {
                        start,
                        empty: true,
                        offset: at,
                    }));
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(None);
                }
                Event::Text(t) if is_blank(&t) => {}
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) => {
                    return Err(DecodeError::new(
                        DecodeErrorKind::UnexpectedText(stray_text(&t)),
                        at,
                    ));
                }
                Event::CData(t) => {
                    let text = String::from_utf8_lossy(t.as_ref()).into_owned();
                    return Err(DecodeError::new(DecodeErrorKind::UnexpectedText(text), at));
                }
                Event::GeneralRef(r) => {
                    let text = format!("&{};", String::from_utf8_lossy(r.as_ref()));
                    return Err(DecodeError::new(DecodeErrorKind::UnexpectedText(text), at));
                }
                Event::Eof => {
                    return Err(DecodeError::end_inside_element(at));
                }
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(DecodeError::declaration_inside_element(at));
                }
            }
        }
    }

    /// Reads the text content of `element` (entity and character references resolved) and
    /// positions the reader after its end tag. Returns the text and its offset.
    pub fn read_text(&mut self, element: &Child<'a>) -> Result<(Cow<'a, str>, usize), DecodeError> {
        let content_at = element.offset + element.start.len() + 2;
        if element.empty {
            return Ok((Cow::Borrowed(""), content_at));
        }
        let mut text: Option<Cow<'a, str>> = None;
        let mut first_at = None;
        loop {
            let (event, at) = self.next_event()?;
            let piece: Cow<'a, str> = match event {
                Event::Text(t) => escape::normalize_line_ends(
                    t.decode()
                        .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8, at))?,
                ),
                Event::CData(t) => escape::normalize_line_ends(
                    t.decode()
                        .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8, at))?,
                ),
                Event::GeneralRef(r) => resolve_reference(&r, at)?,
                Event::Comment(_) | Event::PI(_) => continue,
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    break;
                }
                Event::Start(s) | Event::Empty(s) => {
                    let name = String::from_utf8_lossy(s.name().as_ref()).into_owned();
                    return Err(DecodeError::new(
                        DecodeErrorKind::UnexpectedElement(name),
                        at,
                    ));
                }
                Event::Eof => {
                    return Err(DecodeError::end_inside_element(at));
                }
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(DecodeError::declaration_inside_element(at));
                }
            };
            first_at.get_or_insert(at);
            if text.as_ref().map_or(0, |t| t.len()) + piece.len() > self.limits.max_value_bytes {
                return Err(self.over(Limit::ValueBytes, self.limits.max_value_bytes, at));
            }
            text = Some(match text {
                None => piece,
                Some(mut acc) => {
                    acc.to_mut().push_str(&piece);
                    acc
                }
            });
        }
        Ok((
            text.unwrap_or(Cow::Borrowed("")),
            first_at.unwrap_or(content_at),
        ))
    }

    /// Reads the text of `element` as a typed value.
    pub fn read_value<T: XmlValue>(&mut self, element: &Child<'a>) -> Result<T, DecodeError> {
        let (text, at) = self.read_text(element)?;
        let parsed = T::parse_xml(&text, &mut self.strings.borrow_mut());
        parsed.ok_or_else(|| {
            DecodeError::new(
                DecodeErrorKind::InvalidValue {
                    expected: T::EXPECTED,
                    found: text.into_owned(),
                },
                at,
            )
        })
    }

    /// Decodes a child element with a complex type, adding `name[index]` to the path of errors.
    #[inline]
    pub fn complex_child<T: FromXml>(
        &mut self,
        element: Child<'a>,
        name: &'static str,
        index: Option<usize>,
    ) -> Result<T, DecodeError> {
        T::from_xml(self, element).map_err(|e| e.in_element(name, index))
    }

    /// Decodes a child element with a simple type, adding `name[index]` to the path of errors.
    #[inline]
    pub fn value_child<T: XmlValue>(
        &mut self,
        element: Child<'a>,
        name: &'static str,
        index: Option<usize>,
    ) -> Result<T, DecodeError> {
        self.read_value(&element)
            .map_err(|e| e.in_element(name, index))
    }

    /// Decodes an optional child element with a simple type: `None` for `xsi:nil="true"` and,
    /// for types where [`XmlValue::EMPTY_IS_ABSENT`], for empty text.
    pub fn optional_value_child<T: XmlValue>(
        &mut self,
        element: Child<'a>,
        name: &'static str,
    ) -> Result<Option<T>, DecodeError> {
        let nil = self.attributes(&element).any(|a| {
            a.is_ok_and(|a| {
                (a.name == b"nil" || a.name.ends_with(b":nil")) && a.value.trim_ascii() == b"true"
            })
        });
        let (text, at) = self
            .read_text(&element)
            .map_err(|e| e.in_element(name, None))?;
        if nil || (T::EMPTY_IS_ABSENT && text.trim().is_empty()) {
            return Ok(None);
        }
        let parsed = T::parse_xml(&text, &mut self.strings.borrow_mut());
        match parsed {
            Some(v) => Ok(Some(v)),
            None => Err(DecodeError::new(
                DecodeErrorKind::InvalidValue {
                    expected: T::EXPECTED,
                    found: text.into_owned(),
                },
                at,
            )
            .in_element(name, None)),
        }
    }

    /// An optional attribute's value: `None` when it is empty and the type says empty means
    /// absent.
    pub fn optional_attribute_value<T: XmlValue>(
        &self,
        element: &Child<'a>,
        attr: &RawAttribute<'a>,
        name: &'static str,
    ) -> Result<Option<T>, DecodeError> {
        if T::EMPTY_IS_ABSENT && attr.value.trim_ascii().is_empty() {
            return Ok(None);
        }
        self.attribute_value(element, attr, name).map(Some)
    }

    /// Stores a single-occurrence child, refusing a second one.
    #[inline]
    pub fn set_once<T>(
        &self,
        slot: &mut Option<T>,
        value: T,
        name: &'static str,
        offset: usize,
    ) -> Result<(), DecodeError> {
        if slot.is_some() {
            return Err(DecodeError::new(
                DecodeErrorKind::DuplicateElement(name),
                offset,
            ));
        }
        *slot = Some(value);
        Ok(())
    }

    /// Skips an element that is not in the schema and returns its exact source text, so that it
    /// can be written back unchanged.
    pub fn capture_unknown(&mut self, element: Child<'a>) -> Result<Cow<'a, str>, DecodeError> {
        // Walk the subtree ourselves (rather than `read_to_end`) so that the depth bound and the
        // DOCTYPE refusal hold inside unknown content too.
        if !element.empty {
            let level = self.depth;
            loop {
                match self.next_event()? {
                    (Event::Start(_), at) => self.enter(at)?,
                    (Event::End(_), _) => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth < level {
                            break;
                        }
                    }
                    (Event::Eof, at) => {
                        return Err(DecodeError::end_inside_element(at));
                    }
                    _ => {}
                }
            }
        }
        let raw = &self.input[element.offset..self.position()];
        let raw = std::str::from_utf8(raw).map_err(|e| {
            DecodeError::new(
                DecodeErrorKind::InvalidUtf8,
                element.offset + e.valid_up_to(),
            )
        })?;
        // Under a prefixed root, an unprefixed element is in the default namespace in scope; the
        // writer makes the Veeam namespace the default, so the element must say its own.
        if let Some(default_ns) = &self.foreign_default {
            let name = element.start.name();
            let declares = self
                .attributes(&element)
                .any(|a| a.is_ok_and(|a| a.name == b"xmlns"));
            if name.prefix().is_none() && !declares {
                let at = 1 + name.as_ref().len();
                let mut escaped = String::new();
                escape::escape_attribute(default_ns, &mut escaped);
                return Ok(Cow::Owned(format!(
                    "{} xmlns=\"{escaped}\"{}",
                    &raw[..at],
                    &raw[at..]
                )));
            }
        }
        Ok(Cow::Borrowed(raw))
    }

    /// The attribute part of a start tag, as a slice of the input (so it lives for `'a`).
    fn attribute_bytes(&self, start: &BytesStart<'_>) -> &'a [u8] {
        let raw = start.attributes_raw();
        if raw.is_empty() {
            return &[];
        }
        let at = self.offset_of(raw, usize::MAX);
        self.input.get(at..at + raw.len()).unwrap_or_default()
    }

    #[cold]
    fn attr_syntax(&self, message: &'static str, raw: &[u8], at: usize) -> DecodeError {
        let base = self.offset_of(raw, 0);
        DecodeError::new(DecodeErrorKind::Syntax(message.to_owned()), base + at)
    }

    /// Iterates the attributes of a start tag, turning malformed ones into errors.
    pub fn attributes(
        &self,
        element: &Child<'a>,
    ) -> impl Iterator<Item = Result<RawAttribute<'a>, DecodeError>> + use<'_, 'a> {
        let raw = self.attribute_bytes(&element.start);
        RawAttributes::new(raw).map(move |a| a.map_err(|e| self.attr_syntax(e.message, raw, e.at)))
    }

    /// The value of an attribute after XML's attribute-value normalisation (borrowed when there
    /// is nothing to resolve or normalise, which is almost always).
    fn unescape(&self, attr: &RawAttribute<'a>) -> Result<Cow<'a, str>, DecodeError> {
        let at = self.offset_of(attr.value, 0);
        let text = std::str::from_utf8(attr.value)
            .map_err(|e| DecodeError::new(DecodeErrorKind::InvalidUtf8, at + e.valid_up_to()))?;
        escape::attribute_value(text, attr.escaped)
            .map_err(|bad| DecodeError::new(DecodeErrorKind::UnknownEntity(bad.name), at + bad.at))
    }

    /// Parses an attribute value as its schema type.
    pub fn attribute_value<T: XmlValue>(
        &self,
        element: &Child<'a>,
        attr: &RawAttribute<'a>,
        name: &'static str,
    ) -> Result<T, DecodeError> {
        let text = self.unescape(attr).map_err(|e| e.in_attribute(name))?;
        let parsed = T::parse_xml(&text, &mut self.strings.borrow_mut());
        parsed.ok_or_else(|| {
            DecodeError::new(
                DecodeErrorKind::InvalidValue {
                    expected: T::EXPECTED,
                    found: text.into_owned(),
                },
                self.offset_of(attr.value, element.offset),
            )
            .in_attribute(name)
        })
    }

    /// An attribute the schema does not know: `Some((name, value))` to keep it, `None` for the
    /// default namespace declaration (the writer emits its own).
    pub fn unknown_attribute(
        &self,
        element: &Child<'a>,
        attr: &RawAttribute<'a>,
    ) -> Result<Option<(String, String)>, DecodeError> {
        let key = attr.name;
        if key == b"xmlns" {
            return Ok(None);
        }
        let name = std::str::from_utf8(key)
            .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8, element.offset))?;
        let value = self.unescape(attr)?;
        Ok(Some((name.to_owned(), value.into_owned())))
    }

    /// Error for a known attribute given twice.
    #[cold]
    pub fn duplicate_attribute(&self, attr: &RawAttribute<'a>, name: &'static str) -> DecodeError {
        DecodeError::new(
            DecodeErrorKind::DuplicateAttribute(name),
            self.offset_of(attr.name, 0),
        )
    }

    /// Error for a required attribute that is absent.
    #[cold]
    pub fn missing_attribute(&self, element: &Child<'a>, name: &'static str) -> DecodeError {
        DecodeError::new(DecodeErrorKind::MissingAttribute(name), element.offset)
    }

    /// Error for a required child element that is absent (reported at the parent's end).
    #[cold]
    pub fn missing_element(&self, name: &'static str) -> DecodeError {
        DecodeError::new(DecodeErrorKind::MissingElement(name), self.position())
    }
}

/// Text that is only white space between elements: ASCII white space, or any Unicode white
/// space (documents copied from web pages are indented with U+00A0).
pub(crate) fn is_blank(text: &[u8]) -> bool {
    if text.iter().all(u8::is_ascii_whitespace) {
        return true;
    }
    std::str::from_utf8(text).is_ok_and(|t| t.chars().all(char::is_whitespace))
}

/// Length of the leading white space of `text`.
fn leading_blank(text: &[u8]) -> usize {
    text.len() - text.trim_ascii_start().len()
}

/// Resolves `&name;` outside attribute values: the five XML entities and character references.
fn resolve_reference(r: &BytesRef<'_>, at: usize) -> Result<Cow<'static, str>, DecodeError> {
    let name = String::from_utf8_lossy(r.as_ref());
    match escape::resolve(&name) {
        Some(escape::Resolved::Str(s)) => Ok(Cow::Borrowed(s)),
        Some(escape::Resolved::Char(c)) => Ok(Cow::Owned(c.to_string())),
        None => Err(DecodeError::new(
            DecodeErrorKind::UnknownEntity(name.into_owned()),
            at,
        )),
    }
}
