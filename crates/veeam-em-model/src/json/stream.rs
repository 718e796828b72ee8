//! Lists in the JSON form, item by item:
//!
//! - [`items_at`]: the items of the list at a path of a document in memory (a page of a query
//!   result), each handed to a callback as it is decoded, with one other top-level member kept
//!   (`PagingInfo`); what the clients' pagers use;
//! - [`JsonItems`]: the items of a list document pulled from any [`Read`], in memory bounded by
//!   one item (`Collection::stream_json`).
//!
//! Neither keeps the document: memory is the input (or the reader's buffer) and one item.

use std::cell::Cell;
use std::fmt;
use std::io::Read;
use std::marker::PhantomData;
use std::rc::Rc;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use struson::reader::{JsonReader, JsonStreamReader, ReaderSettings, ValueType};

use super::de::{FromJson, JsonType, Key};
use crate::xml::{DecodeError, DecodeErrorKind};

/// Why [`items_at`] stopped early.
#[derive(Debug)]
pub enum Stop<E> {
    /// The document does not decode.
    Decode(DecodeError),
    /// The callback returned an error.
    Callback(E),
}

/// Decodes the items of the list at `path` of a JSON document (keys from the top-level object
/// down to the list, e.g. `["Entities", "CdpReplicaSessions"]`: every array member of the list
/// object holds items), calling `each` for each item in turn; returns the top-level member
/// `keep` (e.g. `PagingInfo`) when the document has one. Other members are skipped unread.
pub fn items_at<T, K, E>(
    input: &[u8],
    path: &[&str],
    keep: &str,
    mut each: impl FnMut(T) -> Result<(), E>,
) -> Result<Option<K>, Stop<E>>
where
    T: JsonType,
    K: JsonType,
{
    super::check_size(input).map_err(Stop::Decode)?;
    let mut stopped: Option<E> = None;
    let mut kept: Option<K> = None;
    super::de::take_error_path();
    let result = {
        let mut deserializer = serde_json::Deserializer::from_slice(input);
        let seed = Level::<T, K, E> {
            path,
            keep: Some(keep),
            kept: &mut kept,
            each: &mut each,
            stopped: &mut stopped,
        };
        seed.deserialize(&mut deserializer)
            .and_then(|()| deserializer.end())
    };
    if let Some(e) = stopped {
        return Err(Stop::Callback(e));
    }
    match result {
        Ok(()) => Ok(kept),
        Err(e) => {
            // Items streamed are reported without the path to the member inside them.
            super::de::take_error_path();
            Err(Stop::Decode(super::json_error(input, e, Vec::new())))
        }
    }
}

/// One level on the way to the list (or, with an empty path, the list object itself).
struct Level<'a, T, K, E> {
    path: &'a [&'a str],
    /// The top-level member to keep (only at the top).
    keep: Option<&'a str>,
    kept: &'a mut Option<K>,
    each: &'a mut dyn FnMut(T) -> Result<(), E>,
    stopped: &'a mut Option<E>,
}

impl<'de, T: JsonType, K: JsonType, E> DeserializeSeed<'de> for Level<'_, T, K, E> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: JsonType, K: JsonType, E> Visitor<'de> for Level<'_, T, K, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_unit<X: de::Error>(self) -> Result<(), X> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Level {
            path,
            keep,
            kept,
            each,
            stopped,
        } = self;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.as_str();
            if keep == Some(key) {
                *kept = map.next_value_seed(Decoded::<K>(PhantomData))?;
            } else if let Some((first, rest)) = path.split_first() {
                if key == *first {
                    map.next_value_seed(Level::<T, K, E> {
                        path: rest,
                        keep: None,
                        kept: &mut *kept,
                        each: &mut *each,
                        stopped: &mut *stopped,
                    })?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            } else {
                // The list object: every array member holds items.
                map.next_value_seed(Items::<T, E> {
                    each: &mut *each,
                    stopped: &mut *stopped,
                })?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        // A flat list: the array is the list.
        if !self.path.is_empty() {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        Items::<T, E> {
            each: self.each,
            stopped: self.stopped,
        }
        .visit_seq(seq)
    }
}

/// The items of one array, each handed to the callback.
struct Items<'a, T, E> {
    each: &'a mut dyn FnMut(T) -> Result<(), E>,
    stopped: &'a mut Option<E>,
}

impl<'de, T: JsonType, E> DeserializeSeed<'de> for Items<'_, T, E> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: JsonType, E> Visitor<'de> for Items<'_, T, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_unit<X: de::Error>(self) -> Result<(), X> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let max = crate::Limits::current().max_items;
        let mut count = 0usize;
        while let Some(item) = seq.next_element_seed(Decoded::<T>(PhantomData))? {
            count += 1;
            if count > max {
                return Err(de::Error::custom(format_args!(
                    "{}items {max} exceeded: an array with more items than Limits::max_items",
                    super::de::LIMIT_PREFIX
                )));
            }
            if let Some(item) = item {
                if let Err(e) = (self.each)(item) {
                    *self.stopped = Some(e);
                    return Err(de::Error::custom("stopped by the caller"));
                }
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Another member of the list object that is not an array: skipped.
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_str<X: de::Error>(self, _: &str) -> Result<(), X> {
        Ok(())
    }

    fn visit_bool<X: de::Error>(self, _: bool) -> Result<(), X> {
        Ok(())
    }

    fn visit_i64<X: de::Error>(self, _: i64) -> Result<(), X> {
        Ok(())
    }

    fn visit_u64<X: de::Error>(self, _: u64) -> Result<(), X> {
        Ok(())
    }

    fn visit_f64<X: de::Error>(self, _: f64) -> Result<(), X> {
        Ok(())
    }
}

/// A complex type (`None` for `null`).
struct Decoded<T>(PhantomData<T>);

impl<'de, T: FromJson> DeserializeSeed<'de> for Decoded<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        T::from_json(d)
    }
}

/// An error after the bytes read so far.
fn error_at(read: &Cell<u64>, message: &dyn fmt::Display) -> DecodeError {
    DecodeError::new(
        DecodeErrorKind::Json(message.to_string()),
        usize::try_from(read.get()).unwrap_or(usize::MAX),
    )
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the document's first token.
    Start,
    /// Looking for the next array of items among the top-level members.
    Members,
    /// Inside an array of items.
    Array,
    Done,
}

/// The items of a list document in the JSON form, pulled one at a time from a reader (see
/// `Collection::stream_json`): the document is an object whose array members (`keys`) hold
/// the items, or, for a flat list, the array itself.
pub struct JsonItems<R: Read, T> {
    reader: JsonStreamReader<Counting<R>>,
    read: Rc<Cell<u64>>,
    keys: &'static [&'static str],
    state: State,
    /// The document is the array of items (a flat list).
    flat: bool,
    items: usize,
    item: PhantomData<fn() -> T>,
}

impl<R: Read, T> fmt::Debug for JsonItems<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonItems")
            .field("keys", &self.keys)
            .field("state", &self.state)
            .field("items", &self.items)
            .finish()
    }
}

impl<R: Read, T: JsonType + DeserializeOwned> JsonItems<R, T> {
    /// Items of the arrays under `keys` (any of them, ignoring ASCII case) of the document
    /// `source` holds.
    pub fn new(source: R, keys: &'static [&'static str]) -> Self {
        let read = Rc::new(Cell::new(0));
        let limits = crate::Limits::current();
        let settings = ReaderSettings {
            max_nesting_depth: Some(
                u32::try_from(limits.max_depth)
                    .unwrap_or(u32::MAX)
                    .saturating_add(2),
            ),
            track_path: false,
            ..ReaderSettings::default()
        };
        Self {
            reader: JsonStreamReader::new_custom(
                Counting {
                    inner: source,
                    read: Rc::clone(&read),
                },
                settings,
            ),
            read,
            keys,
            state: State::Start,
            flat: false,
            items: 0,
            item: PhantomData,
        }
    }

    /// The next item, or `None` at the end of the list (and of the document).
    fn advance(&mut self) -> Result<Option<T>, DecodeError> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Start => match self.reader.peek().map_err(|e| error_at(&self.read, &e))? {
                    ValueType::Array => {
                        self.reader
                            .begin_array()
                            .map_err(|e| error_at(&self.read, &e))?;
                        self.flat = true;
                        self.state = State::Array;
                    }
                    _ => {
                        self.reader
                            .begin_object()
                            .map_err(|e| error_at(&self.read, &e))?;
                        self.state = State::Members;
                    }
                },
                State::Members => {
                    if !self
                        .reader
                        .has_next()
                        .map_err(|e| error_at(&self.read, &e))?
                    {
                        self.reader
                            .end_object()
                            .map_err(|e| error_at(&self.read, &e))?;
                        self.state = State::Done;
                        return Ok(None);
                    }
                    let name = self
                        .reader
                        .next_name()
                        .map_err(|e| error_at(&self.read, &e))?;
                    let ours = self.keys.iter().any(|k| k.eq_ignore_ascii_case(name));
                    if ours
                        && self.reader.peek().map_err(|e| error_at(&self.read, &e))?
                            == ValueType::Array
                    {
                        self.reader
                            .begin_array()
                            .map_err(|e| error_at(&self.read, &e))?;
                        self.state = State::Array;
                    } else {
                        self.reader
                            .skip_value()
                            .map_err(|e| error_at(&self.read, &e))?;
                    }
                }
                State::Array => {
                    if !self
                        .reader
                        .has_next()
                        .map_err(|e| error_at(&self.read, &e))?
                    {
                        self.reader
                            .end_array()
                            .map_err(|e| error_at(&self.read, &e))?;
                        self.state = if self.flat {
                            State::Done
                        } else {
                            State::Members
                        };
                        continue;
                    }
                    if self.reader.peek().map_err(|e| error_at(&self.read, &e))? == ValueType::Null
                    {
                        self.reader
                            .next_null()
                            .map_err(|e| error_at(&self.read, &e))?;
                        continue;
                    }
                    return self.item().map(Some);
                }
            }
        }
    }

    /// Decodes the item the reader is at, within the limits.
    fn item(&mut self) -> Result<T, DecodeError> {
        let limits = crate::Limits::current();
        self.items += 1;
        let at = usize::try_from(self.read.get()).unwrap_or(usize::MAX);
        if self.items > limits.max_items {
            return Err(DecodeError::new(
                DecodeErrorKind::LimitExceeded {
                    limit: crate::Limit::Items,
                    max: limits.max_items,
                },
                at,
            ));
        }
        let before = self.read.get();
        let item: T = self
            .reader
            .deserialize_next()
            .map_err(|e| error_at(&self.read, &e))?;
        let size = usize::try_from(self.read.get() - before).unwrap_or(usize::MAX);
        if size > limits.max_document_bytes {
            return Err(DecodeError::new(
                DecodeErrorKind::LimitExceeded {
                    limit: crate::Limit::DocumentBytes,
                    max: limits.max_document_bytes,
                },
                at,
            ));
        }
        Ok(item)
    }
}

impl<R: Read, T: JsonType + DeserializeOwned> Iterator for JsonItems<R, T> {
    type Item = Result<T, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.advance() {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => None,
            Err(e) => {
                self.state = State::Done;
                Some(Err(e))
            }
        }
    }
}
