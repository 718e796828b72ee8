//! Streaming decode of large collections: items are decoded one at a time while the body
//! arrives, in memory bounded by the largest item (not the document).
//!
//! Two shapes, one engine:
//! - [`ItemDecoder`] is push-based: [`feed`](ItemDecoder::feed) it bytes as they arrive (from
//!   any HTTP body, sync or async) and take items with [`next_item`](ItemDecoder::next_item);
//! - [`Items`] pulls from any [`std::io::Read`] (a file, a blocking HTTP body):
//!
//! ```
//! use veeam_em_model::{stream::Collection, EntityReferences};
//!
//! let body = br#"<EntityReferences xmlns="http://www.veeam.com/ent/v1.0">
//!   <Ref Type="R" Href="/cdpPolicies/1" UID="urn:veeam:R:/cdpPolicies/1" Name="A" /><Ref Type="R" Href="/cdpPolicies/2" UID="urn:veeam:R:/cdpPolicies/2" Name="B" />
//! </EntityReferences>"#;
//! let mut names = Vec::new();
//! for item in EntityReferences::stream(&body[..]) {
//!     names.push(item?.name.unwrap().to_string());
//! }
//! assert_eq!(names, ["A", "B"]);
//! # Ok::<(), veeam_em_model::DecodeError>(())
//! ```
//!
//! Items nested deeper, such as the references or entities of a query result, stream with
//! [`ItemDecoder::nested`] (e.g. `QueryResult` / `Entities` / `CdpReplicaSessions`).
//!
//! The root element and its namespace are checked as in [`from_slice`](crate::from_slice);
//! other elements on the way to the items are skipped; errors carry the offset, line and
//! column in the whole stream and the path `Root/Item[n]/...`.

use std::io::Read;
use std::marker::PhantomData;

use crate::text::Interner;
use crate::xml::{DecodeError, DecodeErrorKind, FromXml, RootElement, XmlReader};

/// A document type that is a list of items (e.g. `EntityReferences` of `Ref`s).
pub trait Collection: RootElement {
    /// The item type.
    type Item: FromXml;
    /// The item element's name.
    const ITEM: &'static str;

    /// Streams the items of a document of this type from `source`.
    fn stream<R: Read>(source: R) -> Items<R, Self::Item> {
        Items::new(source, ItemDecoder::new(Self::ELEMENT, Self::ITEM))
    }

    /// A push decoder for documents of this type.
    fn decoder() -> ItemDecoder<Self::Item> {
        ItemDecoder::new(Self::ELEMENT, Self::ITEM)
    }

    /// Streams the items of a document of this type in the JSON form from `source`, in memory
    /// bounded by one item.
    #[cfg(feature = "json")]
    fn stream_json<R: Read>(source: R) -> crate::json::stream::JsonItems<R, Self::Item>
    where
        Self: crate::json::JsonType,
        Self::Item: crate::json::JsonType + serde::de::DeserializeOwned,
    {
        crate::json::stream::JsonItems::new(source, <Self as crate::json::JsonType>::KEYS)
    }
}

/// What [`ItemDecoder::next_item`] found.
#[derive(Debug)]
pub enum Next<T> {
    /// An item.
    Item(T),
    /// More bytes are needed (or [`ItemDecoder::finish`], if there are none).
    NeedData,
    /// The collection ended.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Prolog,
    Items,
    /// After the root's end tag: only whitespace, comments and PIs may follow.
    Trailer,
    Done,
}

/// Largest item accepted, so that a malformed stream cannot grow the buffer without bound (or
/// `Limits::max_document_bytes`, when smaller).
pub const MAX_ITEM_BYTES: usize = 64 * 1024 * 1024;

/// A push decoder of the items of one collection document.
#[derive(Debug)]
pub struct ItemDecoder<T> {
    buf: Vec<u8>,
    /// Bytes of `buf` already consumed.
    start: usize,
    eof: bool,
    /// Offset, line and column (1-based) in the stream of `buf[0]`.
    base: (usize, usize, usize),
    root: &'static str,
    /// Containers from the root down to the items' parent (empty: the items are the root's
    /// children), e.g. `["Entities", "CdpReplicaSessions"]` in a `QueryResult`.
    path: &'static [&'static str],
    /// How many containers of `path` are open now.
    level: usize,
    /// Accepted item element names (one type, several names: `CdpPolicySession` too).
    items: std::borrow::Cow<'static, [&'static str]>,
    phase: Phase,
    prefix: Option<Box<[u8]>>,
    /// Default namespace in scope under a prefixed root (kept content must keep it).
    foreign_default: Option<String>,
    index: usize,
    strings: Option<Interner>,
    /// After an incomplete attempt, the buffered length to wait for before trying again (twice
    /// the failed window): keeps tiny feeds from re-decoding a partial item over and over.
    retry_at: usize,
    /// A child element of the root to keep (its source text), e.g. a query result's
    /// `PagingInfo`, so that one pass over the body gives the items and it.
    keep: Option<&'static str>,
    kept: Option<String>,
    /// The limits of the thread that made the decoder (it may be driven on another).
    limits: crate::xml::Limits,
    marker: PhantomData<fn() -> T>,
}

impl<T: FromXml> ItemDecoder<T> {
    /// A decoder for a document with root element `root` whose children `item` are wanted.
    pub fn new(root: &'static str, item: &'static str) -> Self {
        let mut decoder = Self::nested(root, &[], &[]);
        decoder.items = std::borrow::Cow::Owned(vec![item]);
        decoder
    }

    /// A decoder for items nested deeper: below `root`, inside the containers `path`, the
    /// children named one of `items`. Other elements on the way are skipped. For a query
    /// result's references: `nested("QueryResult", &["Refs"], &["Ref"])`; for its CDP replica
    /// sessions: `nested("QueryResult", &["Entities", "CdpReplicaSessions"],
    /// &["CdpReplicaSession", "CdpPolicySession"])`.
    pub fn nested(
        root: &'static str,
        path: &'static [&'static str],
        items: &'static [&'static str],
    ) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            eof: false,
            base: (0, 1, 1),
            root,
            path,
            level: 0,
            items: std::borrow::Cow::Borrowed(items),
            phase: Phase::Prolog,
            prefix: None,
            foreign_default: None,
            index: 0,
            limits: crate::xml::Limits::current(),
            strings: Some(Interner::default()),
            retry_at: 0,
            keep: None,
            kept: None,
            marker: PhantomData,
        }
    }

    /// Also keeps the child element `name` of the root (e.g. `PagingInfo`) when it passes;
    /// decode it with [`kept`](Self::kept) once the items are read.
    pub fn keeping(mut self, name: &'static str) -> Self {
        self.keep = Some(name);
        self
    }

    /// The element named in [`keeping`](Self::keeping), decoded, if it has passed.
    pub fn kept<U: FromXml>(&mut self) -> Option<Result<U, DecodeError>> {
        let raw = self.kept.take()?;
        let strings = self.strings.take().unwrap_or_default();
        let mut reader = XmlReader::fragment(
            raw.as_bytes(),
            self.prefix.clone(),
            self.foreign_default.clone(),
            strings,
            self.limits,
        );
        let result = reader
            .read_element()
            .and_then(|child| U::from_xml(&mut reader, child));
        self.strings = Some(reader.into_strings());
        Some(result)
    }

    /// Appends bytes of the document.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.compact();
        self.buf.extend_from_slice(bytes);
    }

    /// Appends bytes of the document, taking `bytes` as the buffer when nothing is pending, so a
    /// whole body fed at once is not copied.
    pub fn feed_vec(&mut self, bytes: Vec<u8>) {
        self.compact();
        if self.buf.is_empty() {
            self.buf = bytes;
        } else {
            self.buf.extend_from_slice(&bytes);
        }
    }

    /// The bytes fed and not yet dropped: the whole document when it was fed in one call (to
    /// keep the raw body of an error without a copy).
    pub fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// Says that no more bytes will come.
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// Drops consumed bytes once they are the larger part of the buffer.
    fn compact(&mut self) {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            let (line, column) =
                crate::xml::advance((self.base.1, self.base.2), &self.buf[..self.start]);
            self.base = (self.base.0 + self.start, line, column);
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    /// `true` when `e`, found in a window of `len` bytes, may only mean that the item is not
    /// complete yet: the input ended inside a construct, or the error is next to the end.
    fn maybe_incomplete(&self, e: &DecodeError, len: usize) -> bool {
        !self.eof && (e.is_end_of_input() || e.offset() + 1024 >= len)
    }

    fn fail(&self, e: DecodeError) -> DecodeError {
        e.locate_in_stream(&self.buf, self.base)
    }

    fn too_large(&self) -> Result<(), DecodeError> {
        let max = MAX_ITEM_BYTES.min(self.limits.max_document_bytes);
        if self.buf.len() - self.start > max {
            let e = DecodeError::new(
                DecodeErrorKind::LimitExceeded {
                    limit: crate::xml::Limit::DocumentBytes,
                    max,
                },
                self.start,
            );
            return Err(self.fail(e));
        }
        Ok(())
    }

    /// The next item, [`Next::NeedData`] when the buffer holds no complete item, or
    /// [`Next::End`] after the collection.
    pub fn next_item(&mut self) -> Result<Next<T>, DecodeError> {
        if !self.eof && self.buf.len() - self.start < self.retry_at {
            return Ok(Next::NeedData);
        }
        let result = self.next_item_now();
        self.retry_at = match &result {
            Ok(Next::NeedData) => (self.buf.len() - self.start) * 2,
            _ => 0,
        };
        result
    }

    fn next_item_now(&mut self) -> Result<Next<T>, DecodeError> {
        loop {
            match self.phase {
                Phase::Done => return Ok(Next::End),
                Phase::Prolog => {
                    if !self.read_prolog()? {
                        return self.need_data();
                    }
                }
                Phase::Items => return self.read_item(),
                Phase::Trailer => return self.read_trailer(),
            }
        }
    }

    fn need_data<U>(&self) -> Result<Next<U>, DecodeError> {
        if self.eof {
            return Err(self.fail(DecodeError::end_inside_element(self.buf.len())));
        }
        self.too_large()?;
        Ok(Next::NeedData)
    }

    /// Reads the root start tag; `false` when it is not complete yet.
    fn read_prolog(&mut self) -> Result<bool, DecodeError> {
        let window = &self.buf[self.start..];
        let mut reader = XmlReader::new(window).with_limits(self.limits);
        let root = match reader.read_root() {
            Ok(root) => root,
            Err(e) if self.maybe_incomplete(&e, window.len()) => return Ok(false),
            Err(e) => return Err(self.fail(e.shifted(self.start))),
        };
        let local = root.start.local_name();
        if local.as_ref() != self.root.as_bytes() {
            let e = DecodeError::new(
                DecodeErrorKind::UnexpectedRoot {
                    expected: format!("<{}>", self.root),
                    found: String::from_utf8_lossy(root.start.name().as_ref()).into_owned(),
                },
                root.offset,
            );
            return Err(self.fail(e.shifted(self.start)));
        }
        self.prefix = reader.prefix().map(Box::from);
        self.foreign_default = reader.foreign_default().map(str::to_owned);
        self.start += reader.position();
        self.phase = if root.empty {
            Phase::Done
        } else {
            Phase::Items
        };
        Ok(true)
    }

    /// Skips whitespace, comments and processing instructions between items; `None` when more
    /// data is needed.
    fn skip_between(&mut self) -> Option<()> {
        loop {
            let rest = &self.buf[self.start..];
            let blank = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
            self.start += blank;
            let rest = &self.buf[self.start..];
            let end_marker: &[u8] = if rest.starts_with(b"<!--") {
                b"-->"
            } else if rest.starts_with(b"<?") {
                b"?>"
            } else if rest.len() < 4 && !self.eof && (b"<!--".starts_with(rest) || rest.is_empty())
            {
                return None;
            } else {
                return Some(());
            };
            let end = memchr::memmem::find(rest, end_marker)?;
            self.start += end + end_marker.len();
        }
    }

    /// The name of the element that is open now: the root or the innermost open container.
    fn open_element(&self) -> &'static str {
        match self.level {
            0 => self.root,
            n => self.path[n - 1],
        }
    }

    fn read_item(&mut self) -> Result<Next<T>, DecodeError> {
        loop {
            if self.skip_between().is_none() {
                return self.need_data();
            }
            let rest = &self.buf[self.start..];
            if rest.is_empty() {
                return self.need_data();
            }
            if rest.starts_with(b"</") {
                // The end of the open container (or of the root): check its name.
                let Some(gt) = memchr::memchr(b'>', rest) else {
                    return self.need_data();
                };
                let name = rest[2..gt].trim_ascii();
                let expected = self.open_element();
                let local = name.rsplit(|b| *b == b':').next().unwrap_or_default();
                if local != expected.as_bytes() {
                    let e = DecodeError::new(
                        DecodeErrorKind::Syntax(format!(
                            "expected `</{expected}>`, found `</{}>`",
                            String::from_utf8_lossy(name)
                        )),
                        self.start,
                    );
                    return Err(self.fail(e));
                }
                self.start += gt + 1;
                if self.level == 0 {
                    self.phase = Phase::Trailer;
                    return self.read_trailer();
                }
                self.level -= 1;
                continue;
            }
            if !rest.starts_with(b"<") {
                let end = memchr::memchr(b'<', rest).unwrap_or(rest.len());
                if end == rest.len() && !self.eof {
                    return self.need_data();
                }
                // Unicode white space (U+00A0 indentation of copied documents) is not content.
                if end < rest.len() && crate::xml::is_blank(&rest[..end]) {
                    self.start += end;
                    continue;
                }
                let text = crate::xml::stray_text(&rest[..end]);
                let e = DecodeError::new(DecodeErrorKind::UnexpectedText(text), self.start)
                    .in_element(self.open_element(), None);
                return Err(self.fail(e));
            }
            let in_items = self.level == self.path.len();
            let next_container = self.path.get(self.level).copied();
            let strings = self.strings.take().unwrap_or_default();
            let mut reader = XmlReader::fragment(
                rest,
                self.prefix.clone(),
                self.foreign_default.clone(),
                strings,
                self.limits,
            );
            let result = match reader.read_element() {
                Ok(child) => {
                    let name = reader.schema_name(&child.start);
                    let item = name.and_then(|n| {
                        self.items
                            .iter()
                            .copied()
                            .find(|i| in_items && i.as_bytes() == n)
                    });
                    if let Some(item) = item {
                        let index = self.index + 1;
                        if index > self.limits.max_items {
                            let e = DecodeError::new(
                                DecodeErrorKind::LimitExceeded {
                                    limit: crate::xml::Limit::Items,
                                    max: self.limits.max_items,
                                },
                                child.offset,
                            );
                            return Err(self.fail(e.shifted(self.start)));
                        }
                        T::from_xml(&mut reader, child)
                            .map(Step::Item)
                            .map_err(|e| e.in_element(item, Some(index)))
                    } else if next_container.is_some_and(|c| name == Some(c.as_bytes())) {
                        // Enter the container (an empty one has nothing to enter).
                        Ok(if child.empty {
                            Step::Skipped
                        } else {
                            Step::Entered
                        })
                    } else if self.level == 0
                        && self.keep.is_some()
                        && name.is_some_and(|n| self.keep.map(str::as_bytes) == Some(n))
                    {
                        reader.capture_unknown(child).map(|raw| {
                            self.kept = Some(raw.into_owned());
                            Step::Skipped
                        })
                    } else {
                        reader.capture_unknown(child).map(|_| Step::Skipped)
                    }
                }
                Err(e) => Err(e),
            };
            let consumed = reader.position();
            self.strings = Some(reader.into_strings());
            match result {
                Ok(Step::Item(item)) => {
                    self.index += 1;
                    self.start += consumed;
                    return Ok(Next::Item(item));
                }
                Ok(Step::Skipped) => self.start += consumed,
                Ok(Step::Entered) => {
                    self.start += consumed;
                    self.level += 1;
                }
                Err(e) if self.maybe_incomplete(&e, rest.len()) => return self.need_data(),
                Err(e) => {
                    let mut e = e;
                    for container in self.path[..self.level].iter().rev() {
                        e = e.in_element(container, None);
                    }
                    let e = e.in_element(self.root, None).shifted(self.start);
                    return Err(self.fail(e));
                }
            }
        }
    }
}

/// What one element between items turned out to be.
#[allow(clippy::large_enum_variant)] // Short-lived, moved once.
enum Step<T> {
    Item(T),
    Entered,
    Skipped,
}

impl<T: FromXml> ItemDecoder<T> {
    /// Checks that nothing but whitespace, comments and processing instructions follows the
    /// root element.
    fn read_trailer(&mut self) -> Result<Next<T>, DecodeError> {
        if self.skip_between().is_none() {
            return self.need_data_or_end();
        }
        if self.start < self.buf.len() {
            let e = DecodeError::new(DecodeErrorKind::TrailingContent, self.start);
            return Err(self.fail(e));
        }
        self.need_data_or_end()
    }

    fn need_data_or_end(&mut self) -> Result<Next<T>, DecodeError> {
        if self.eof {
            self.phase = Phase::Done;
            Ok(Next::End)
        } else {
            Ok(Next::NeedData)
        }
    }
}

/// Items pulled from a [`Read`] source, decoded one at a time.
#[derive(Debug)]
pub struct Items<R, T> {
    source: R,
    decoder: ItemDecoder<T>,
    chunk: Vec<u8>,
    done: bool,
}

/// Bytes read from the source at a time.
pub const CHUNK_BYTES: usize = 64 * 1024;

impl<R: Read, T: FromXml> Items<R, T> {
    /// Streams the items of `decoder`'s collection from `source`.
    pub fn new(source: R, decoder: ItemDecoder<T>) -> Self {
        Self {
            source,
            decoder,
            chunk: vec![0; CHUNK_BYTES],
            done: false,
        }
    }
}

impl<R: Read, T: FromXml> Iterator for Items<R, T> {
    type Item = Result<T, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.decoder.next_item() {
                Ok(Next::Item(item)) => return Some(Ok(item)),
                Ok(Next::End) => {
                    self.done = true;
                    return None;
                }
                Ok(Next::NeedData) => match self.source.read(&mut self.chunk) {
                    Ok(0) => self.decoder.finish(),
                    Ok(n) => self.decoder.feed(&self.chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.done = true;
                        return Some(Err(DecodeError::new(
                            DecodeErrorKind::Syntax(format!("reading the input failed: {e}")),
                            self.decoder.base.0 + self.decoder.buf.len(),
                        )));
                    }
                },
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
