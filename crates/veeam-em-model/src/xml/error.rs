//! The one error type of decoding: what went wrong, where (byte offset, line:column) and in which
//! element (`EntityReferences/Ref[3]/Links/Link[1]/@Href`).
//!
//! Why this shape: the success path must stay cheap, so the error is boxed (a `Result` of it is
//! one pointer wide) and the element path is only assembled while an error unwinds through the
//! generated decoders (each level prepends its own segment). Line and column are computed once,
//! from the input, when the error leaves the crate.

use std::fmt;

/// What went wrong while decoding a document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input is not well-formed XML (message from the tokenizer).
    Syntax(String),
    /// The input holds no root element at all (only a declaration, comments...).
    NoRootElement,
    /// The input is not an XML document at all: empty, JSON, an HTML page, UTF-16, text.
    NotXml(NotXml),
    /// The root element is not the one asked for.
    UnexpectedRoot {
        /// Root element(s) that would have been accepted.
        expected: String,
        /// The root element found.
        found: String,
    },
    /// An element is not in the Veeam namespace `http://www.veeam.com/ent/v1.0`.
    WrongNamespace {
        /// The namespace found (`None`: no namespace at all).
        found: Option<String>,
    },
    /// A `<!DOCTYPE>` declaration; refused so that no entity is ever expanded.
    DocType,
    /// Elements nest deeper than [`MAX_DEPTH`](crate::xml::MAX_DEPTH).
    TooDeep {
        /// The limit that was hit.
        limit: usize,
    },
    /// The input goes beyond one of the decoder's [`Limits`](crate::xml::Limits).
    LimitExceeded {
        /// What is bounded.
        limit: crate::xml::Limit,
        /// The bound.
        max: usize,
    },
    /// A value does not parse as its schema type.
    InvalidValue {
        /// What the schema expects, e.g. `xs:boolean (true, false, 1 or 0)`.
        expected: &'static str,
        /// The text found.
        found: String,
    },
    /// A required attribute is absent.
    MissingAttribute(&'static str),
    /// A required child element is absent.
    MissingElement(&'static str),
    /// A child element the schema allows once appears again.
    DuplicateElement(&'static str),
    /// An attribute appears twice on one element.
    DuplicateAttribute(&'static str),
    /// Text where only child elements are allowed.
    UnexpectedText(String),
    /// A child element inside an element whose content is a simple value.
    UnexpectedElement(String),
    /// An entity reference other than the five XML ones or a character reference.
    UnknownEntity(String),
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// Content after the root element ends.
    TrailingContent,
    /// The JSON form: malformed JSON, or a value or member that does not fit the schema
    /// (serde_json's message; the place and the path of keys are in the error).
    Json(String),
    /// The input is not a JSON document (an XML document, an HTML page, nothing).
    NotJson(String),
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(msg) => write!(f, "malformed XML: {msg}"),
            Self::NoRootElement => f.write_str("expected a root element, found none"),
            Self::NotXml(what) => what.fmt(f),
            Self::UnexpectedRoot { expected, found } => {
                write!(f, "expected root element {expected}, found <{found}>")
            }
            Self::WrongNamespace { found: Some(ns) } => write!(
                f,
                "expected namespace {}, found {ns:?}",
                crate::xml::NAMESPACE
            ),
            Self::WrongNamespace { found: None } => write!(
                f,
                "expected namespace {}, found no namespace",
                crate::xml::NAMESPACE
            ),
            Self::DocType => f.write_str("DOCTYPE declarations are not accepted"),
            Self::TooDeep { limit } => write!(
                f,
                "elements nest deeper than {limit} levels (Limits::max_depth)"
            ),
            Self::LimitExceeded { limit, max } => {
                let setting = match limit {
                    crate::xml::Limit::DocumentBytes => "max_document_bytes",
                    crate::xml::Limit::Attributes => "max_attributes",
                    crate::xml::Limit::ValueBytes => "max_value_bytes",
                    crate::xml::Limit::Items => "max_items",
                };
                write!(f, "more {limit} than the limit of {max} (Limits::{setting})")
            }
            Self::InvalidValue { expected, found } => {
                write!(f, "expected {expected}, found {found:?}")
            }
            Self::MissingAttribute(name) => write!(f, "missing required attribute {name}"),
            Self::MissingElement(name) => write!(f, "missing required element <{name}>"),
            Self::DuplicateElement(name) => {
                write!(f, "element <{name}> may appear only once")
            }
            Self::DuplicateAttribute(name) => write!(f, "attribute {name} appears twice"),
            Self::UnexpectedText(text) => {
                write!(f, "expected child elements, found text {text:?}")
            }
            Self::UnexpectedElement(name) => {
                write!(f, "expected a text value, found element <{name}>")
            }
            Self::UnknownEntity(name) => write!(
                f,
                "unknown entity &{name}; (only &lt; &gt; &amp; &apos; &quot; and character references)"
            ),
            Self::InvalidUtf8 => f.write_str("input is not valid UTF-8"),
            Self::TrailingContent => f.write_str("expected end of document after the root element"),
            Self::Json(message) => f.write_str(message),
            Self::NotJson(what) => f.write_str(what),
        }
    }
}

/// What an input that is not XML looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotXml {
    /// Nothing, or only white space.
    Empty,
    /// A JSON document (a server answering `Accept: application/json`, or a proxy).
    Json,
    /// An HTML page (typically an error page of a proxy or web server).
    Html,
    /// UTF-16 text; only UTF-8 is read.
    Utf16 {
        /// Big-endian (`true`) or little-endian.
        big_endian: bool,
        /// Whether it starts with a byte order mark.
        bom: bool,
    },
    /// Other text before any element; the start of it.
    Text(String),
}

impl fmt::Display for NotXml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the input is empty: expected an XML document"),
            Self::Json => f.write_str(
                "the input is JSON, not XML (ask the server for XML: Accept: application/xml)",
            ),
            Self::Html => f.write_str(
                "the input is an HTML page, not an API document (an error page of a proxy or web server?)",
            ),
            Self::Utf16 { big_endian, bom } => write!(
                f,
                "the input is UTF-16 ({}, {}); only UTF-8 is read: convert it first, e.g. iconv -f UTF-16 -t UTF-8",
                if *big_endian { "big-endian" } else { "little-endian" },
                if *bom { "with a byte order mark" } else { "without a byte order mark" },
            ),
            Self::Text(start) => write!(f, "the input is not XML: it starts with text {start:?}"),
        }
    }
}

/// Recognises inputs that are not XML from their first bytes (before any tokenizing).
pub(crate) fn sniff_encoding(input: &[u8]) -> Option<NotXml> {
    match input {
        [0xFF, 0xFE, ..] => Some(NotXml::Utf16 {
            big_endian: false,
            bom: true,
        }),
        [0xFE, 0xFF, ..] => Some(NotXml::Utf16 {
            big_endian: true,
            bom: true,
        }),
        [b'<', 0, ..] | [b' ' | b'\n' | b'\r' | b'\t', 0, ..] => Some(NotXml::Utf16 {
            big_endian: false,
            bom: false,
        }),
        [0, b'<', ..] | [0, b' ' | b'\n' | b'\r' | b'\t', ..] => Some(NotXml::Utf16 {
            big_endian: true,
            bom: false,
        }),
        _ => None,
    }
}

/// What text found before the root element is.
pub(crate) fn classify_text(text: &[u8]) -> NotXml {
    let start = text.trim_ascii_start();
    match start.first() {
        Some(b'{' | b'[') => NotXml::Json,
        _ => NotXml::Text(stray_text(text)),
    }
}

/// The 1-based `(line, column)` after `bytes`, starting at `from`; columns count characters.
pub(crate) fn advance(from: (usize, usize), bytes: &[u8]) -> (usize, usize) {
    let newlines = memchr::memchr_iter(b'\n', bytes).count();
    match memchr::memrchr(b'\n', bytes) {
        Some(i) => (
            from.0 + newlines,
            String::from_utf8_lossy(&bytes[i + 1..]).chars().count() + 1,
        ),
        None => (
            from.0,
            from.1 + String::from_utf8_lossy(bytes).chars().count(),
        ),
    }
}

/// One step of an element path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// `Name` or `Name[index]` (1-based among siblings of that name, for repeatable elements).
    Element(String, Option<usize>),
    /// `@Name`.
    Attribute(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: DecodeErrorKind,
    offset: usize,
    /// 1-based line and column (in characters); zero until [`DecodeError::locate`] runs.
    line: usize,
    column: usize,
    /// Innermost segment first (segments are pushed while unwinding).
    path_rev: Vec<Segment>,
    /// The input ended where more was needed (a streaming decoder waits for more data).
    at_eof: bool,
}

/// A document could not be decoded.
///
/// Displays as `line:column (byte N) at Path/To/Element: what was expected`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Box<Inner>);

impl DecodeError {
    pub(crate) fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self(Box::new(Inner {
            kind,
            offset,
            line: 0,
            column: 0,
            path_rev: Vec::new(),
            at_eof: false,
        }))
    }

    /// An error caused by the end of the input (more data could resolve it).
    pub(crate) fn end_of_input(kind: DecodeErrorKind, offset: usize) -> Self {
        let mut e = Self::new(kind, offset);
        e.0.at_eof = true;
        e
    }

    /// The input ended inside an element.
    pub(crate) fn end_inside_element(offset: usize) -> Self {
        Self::end_of_input(
            DecodeErrorKind::Syntax("unexpected end of input inside an element".into()),
            offset,
        )
    }

    /// An XML or DOCTYPE declaration inside an element.
    pub(crate) fn declaration_inside_element(offset: usize) -> Self {
        Self::new(
            DecodeErrorKind::Syntax("declaration inside an element".into()),
            offset,
        )
    }

    /// `true` when the input ended where more was needed.
    pub(crate) fn is_end_of_input(&self) -> bool {
        self.0.at_eof
    }

    /// Adds the enclosing element to the path (called while the error unwinds).
    #[doc(hidden)]
    #[cold]
    pub fn in_element(mut self, name: &str, index: Option<usize>) -> Self {
        self.0
            .path_rev
            .push(Segment::Element(name.to_owned(), index));
        self
    }

    #[cold]
    pub(crate) fn in_attribute(mut self, name: &'static str) -> Self {
        self.0.path_rev.push(Segment::Attribute(name));
        self
    }

    /// For errors in a window of a stream: the error's offset is relative to `window`, which
    /// starts at `base` (offset, line, column) of the whole stream.
    pub(crate) fn locate_in_stream(mut self, window: &[u8], base: (usize, usize, usize)) -> Self {
        let local = self.0.offset.min(window.len());
        (self.0.line, self.0.column) = advance((base.1, base.2), &window[..local]);
        self.0.offset = base.0 + local;
        self
    }

    /// Shifts the offset by `by` bytes (an error found in a sub-slice).
    pub(crate) fn shifted(mut self, by: usize) -> Self {
        self.0.offset += by;
        self
    }

    /// Computes line and column of the offset in `input` (done once, at the API boundary).
    pub(crate) fn locate(mut self, input: &[u8]) -> Self {
        let offset = self.0.offset.min(input.len());
        (self.0.line, self.0.column) = advance((1, 1), &input[..offset]);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.0.kind
    }

    /// Byte offset in the input where the problem was found.
    pub fn offset(&self) -> usize {
        self.0.offset
    }

    /// 1-based line of [`offset`](Self::offset).
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// 1-based column (in characters) of [`offset`](Self::offset).
    pub fn column(&self) -> usize {
        self.0.column
    }

    /// Element path from the root, e.g. `EntityReferences/Ref[3]/Links/Link[1]/@Href`; empty
    /// when the problem lies before or outside the root element.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for seg in self.0.path_rev.iter().rev() {
            if !out.is_empty() {
                out.push('/');
            }
            match seg {
                Segment::Element(name, None) => out.push_str(name),
                Segment::Element(name, Some(i)) => {
                    out.push_str(name);
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
                Segment::Attribute(name) => {
                    out.push('@');
                    out.push_str(name);
                }
            }
        }
        out
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} (byte {})",
            self.0.line, self.0.column, self.0.offset
        )?;
        let path = self.path();
        if !path.is_empty() {
            write!(f, " at {path}")?;
        }
        write!(f, ": {}", self.0.kind)
    }
}

impl std::error::Error for DecodeError {}

/// Stray text for an error message: without surrounding ASCII white space, at most 60
/// characters (the message shows it escaped, so invisible characters stay visible).
pub(crate) fn stray_text(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text.trim_ascii());
    let mut out: String = text.chars().take(60).collect();
    if text.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}
