//! Reading the JSON form: the object visitor every complex type shares, lenient scalars, and the
//! member calls the generated `decode_member` makes (one per key).
//!
//! Each member call returns whether it stored a value (`false` for `null`, and for `""` where
//! an empty value means absent), so that the visitor knows which required members are missing
//! and which choice has two branches taken.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

use crate::text::{Interner, Text};
use crate::xml::Unknown;

/// One step of the path to a failed member: an object's key, or an array's index (from 0).
#[derive(Debug)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

thread_local! {
    /// The path to the member whose decode failed, innermost first: each object and array
    /// visitor adds its step as the error passes through it. Only failures write here, so a
    /// decode that succeeds pays nothing, and every type's decoder is compiled once (a second
    /// decode through `serde_path_to_error` to find the path compiled all of them twice).
    static ERROR_PATH: RefCell<Vec<Segment>> = const { RefCell::new(Vec::new()) };
}

/// `error`, after noting that it happened at `segment` (see `ERROR_PATH`).
#[cold]
fn failed_at<E>(segment: Segment, error: E) -> E {
    ERROR_PATH.with(|p| p.borrow_mut().push(segment));
    error
}

/// The path of the last failure (innermost first), leaving it empty for the next decode.
pub(crate) fn take_error_path() -> Vec<Segment> {
    ERROR_PATH.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

/// A complex type of the schemas as the JSON codec sees it: its member keys and how to decode
/// and encode each member. Generated for every complex type (see `schemas/README.md`).
pub trait JsonType: Default {
    /// The schema type's name, for messages (`CdpReplicaSessionEntityType`).
    const SCHEMA: &'static str;
    /// The JSON key of each member, in member order (a choice has one key per branch).
    const KEYS: &'static [&'static str];
    /// Other keys read as member `i`: the XML name of a member whose JSON key differs (request
    /// examples write `VCentersScope` for `VCentersScopes`).
    const ALIASES: &'static [(&'static str, usize)] = &[];
    /// Bit `i` set: member `i` is required (a required attribute or element).
    const REQUIRED: u128 = 0;
    /// The single-occurrence choices: the bits of their branches, and whether one is required.
    /// At most one branch of each may hold a value.
    const CHOICES: &'static [(u128, bool)] = &[];

    /// Decodes member `index` (a position in [`KEYS`](Self::KEYS)) from `value`; `Ok(true)`
    /// when a value was stored.
    fn decode_member<'de, D: Deserializer<'de>>(
        &mut self,
        index: usize,
        value: D,
    ) -> Result<bool, D::Error>;

    /// Writes every member (absent elements as `null`, absent attributes not at all).
    fn encode_members<M: serde::ser::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;

    /// Content the schema does not know.
    fn unknown(&self) -> &Unknown;

    /// Content the schema does not know, to keep more.
    fn unknown_mut(&mut self) -> &mut Unknown;
}

/// A value read from JSON; `Ok(None)` is "no value": `null`, or `""` where an empty value
/// means absent (every type but strings, as in XML).
pub trait FromJson: Sized {
    /// Reads a value.
    fn from_json<'de, D: Deserializer<'de>>(value: D) -> Result<Option<Self>, D::Error>;
}

/// A simple value read leniently: from a string as in XML, and from the JSON booleans and
/// numbers servers and clients send instead (`"1"` for an int, `1` for a string field).
pub trait JsonScalar: Sized {
    /// What the schema expects, for messages.
    const EXPECTED: &'static str;
    /// Whether `""` means absent (all but strings).
    const EMPTY_IS_ABSENT: bool = true;

    /// The value of a string.
    fn from_text(text: &str) -> Option<Self>;

    /// The value of a JSON boolean.
    fn from_bool(value: bool) -> Option<Self> {
        Self::from_text(if value { "true" } else { "false" })
    }

    /// The value of a JSON integer.
    fn from_i64(value: i64) -> Option<Self> {
        Self::from_text(&value.to_string())
    }

    /// The value of a JSON integer above `i64::MAX`.
    fn from_u64(value: u64) -> Option<Self> {
        Self::from_text(&value.to_string())
    }

    /// The value of a JSON number with a fraction or an exponent.
    fn from_f64(value: f64) -> Option<Self> {
        Self::from_text(&value.to_string())
    }
}

/// Every complex type reads through the shared object visitor.
impl<T: JsonType> FromJson for T {
    fn from_json<'de, D: Deserializer<'de>>(value: D) -> Result<Option<Self>, D::Error> {
        decode(value)
    }
}

macro_rules! scalar_from_json {
    ($($ty:ty),*) => {$(
        impl FromJson for $ty {
            fn from_json<'de, D: Deserializer<'de>>(value: D) -> Result<Option<Self>, D::Error> {
                scalar(value)
            }
        }
    )*};
}

scalar_from_json!(
    Text,
    crate::Href,
    bool,
    i32,
    i64,
    u32,
    f64,
    crate::DateTime,
    crate::Uid
);

/// Reads a simple value of type `T` leniently.
pub fn scalar<'de, T: JsonScalar, D: Deserializer<'de>>(value: D) -> Result<Option<T>, D::Error> {
    value.deserialize_any(ScalarVisitor::<T>(PhantomData))
}

struct ScalarVisitor<T>(PhantomData<T>);

impl<T: JsonScalar> ScalarVisitor<T> {
    fn or_invalid<E: de::Error>(value: Option<T>, found: Unexpected<'_>) -> Result<Option<T>, E> {
        match value {
            Some(v) => Ok(Some(v)),
            None => Err(E::invalid_value(found, &T::EXPECTED)),
        }
    }
}

impl<'de, T: JsonScalar> Visitor<'de> for ScalarVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::or_invalid(T::from_bool(v), Unexpected::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::or_invalid(T::from_i64(v), Unexpected::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => Self::or_invalid(T::from_u64(v), Unexpected::Unsigned(v)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::or_invalid(T::from_f64(v), Unexpected::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        check_value_len::<E>(v.len())?;
        if v.is_empty() && T::EMPTY_IS_ABSENT {
            return Ok(None);
        }
        Self::or_invalid(T::from_text(v), Unexpected::Str(v))
    }
}

impl JsonScalar for Text {
    const EXPECTED: &'static str = "text";
    const EMPTY_IS_ABSENT: bool = false;

    fn from_text(text: &str) -> Option<Self> {
        Some(intern(text))
    }

    fn from_f64(value: f64) -> Option<Self> {
        Some(Text::from(format_f64(value)))
    }
}

impl JsonScalar for crate::Href {
    const EXPECTED: &'static str = "a URL (xs:anyURI)";
    const EMPTY_IS_ABSENT: bool = false;

    fn from_text(text: &str) -> Option<Self> {
        Some(crate::Href::from(intern(text)))
    }
}

impl JsonScalar for bool {
    const EXPECTED: &'static str = "a boolean (true or false)";

    fn from_text(text: &str) -> Option<Self> {
        match text.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            t if t.eq_ignore_ascii_case("true") => Some(true),
            t if t.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    fn from_bool(value: bool) -> Option<Self> {
        Some(value)
    }

    fn from_i64(value: i64) -> Option<Self> {
        match value {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

macro_rules! integer_scalar {
    ($ty:ty, $expected:literal) => {
        impl JsonScalar for $ty {
            const EXPECTED: &'static str = $expected;

            fn from_text(text: &str) -> Option<Self> {
                text.trim().parse().ok()
            }

            fn from_i64(value: i64) -> Option<Self> {
                <$ty>::try_from(value).ok()
            }

            fn from_u64(value: u64) -> Option<Self> {
                <$ty>::try_from(value).ok()
            }

            fn from_f64(value: f64) -> Option<Self> {
                // A whole number written with a fraction (`5.0`).
                (value.fract() == 0.0 && value.abs() < 9.0e15)
                    .then(|| <$ty>::try_from(value as i64).ok())
                    .flatten()
            }
        }
    };
}

integer_scalar!(i32, "an integer (xs:int)");
integer_scalar!(i64, "an integer (xs:long)");
integer_scalar!(u32, "a non-negative integer (xs:unsignedInt)");

impl JsonScalar for f64 {
    const EXPECTED: &'static str = "a number (xs:double)";

    fn from_text(text: &str) -> Option<Self> {
        match text.trim() {
            "INF" => Some(f64::INFINITY),
            "-INF" => Some(f64::NEG_INFINITY),
            "NaN" => Some(f64::NAN),
            t => t.parse().ok(),
        }
    }

    fn from_i64(value: i64) -> Option<Self> {
        Some(value as f64)
    }

    fn from_u64(value: u64) -> Option<Self> {
        Some(value as f64)
    }

    fn from_f64(value: f64) -> Option<Self> {
        Some(value)
    }
}

impl JsonScalar for crate::DateTime {
    const EXPECTED: &'static str = "a date and time (xs:dateTime, e.g. 2024-05-01T10:00:00Z)";

    fn from_text(text: &str) -> Option<Self> {
        crate::DateTime::parse(text.trim()).ok()
    }
}

impl JsonScalar for crate::Uid {
    const EXPECTED: &'static str = "a Veeam UID urn:veeam:<Kind>:<id>";

    fn from_text(text: &str) -> Option<Self> {
        crate::Uid::from_text(intern(text.trim()))
    }
}

/// The text of a number as XML writes it (`1`, not `1.0`, for a whole number).
fn format_f64(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

thread_local! {
    /// Shares equal strings across the JSON decodes of a thread (bounded: see [`Interner`]).
    static STRINGS: RefCell<Option<Interner>> = const { RefCell::new(None) };
    /// How deep the object and array being decoded are nested.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

fn intern(text: &str) -> Text {
    STRINGS.with(|s| match s.try_borrow_mut() {
        Ok(mut slot) => slot.get_or_insert_with(Interner::default).intern(text),
        Err(_) => Text::from(text),
    })
}

/// How limit errors travel through serde as messages (turned back into kinds at the boundary).
pub(crate) const LIMIT_PREFIX: &str = "limit ";

fn limit_error<E: de::Error>(name: &str, max: usize, what: &str) -> E {
    E::custom(format_args!("{LIMIT_PREFIX}{name} {max} exceeded: {what}"))
}

fn check_value_len<E: de::Error>(len: usize) -> Result<(), E> {
    let max = crate::Limits::current().max_value_bytes;
    if len > max {
        return Err(limit_error(
            "value",
            max,
            "a string longer than Limits::max_value_bytes",
        ));
    }
    Ok(())
}

/// One more level of nesting while it lives.
struct Nesting;

impl Nesting {
    fn enter<E: de::Error>() -> Result<Self, E> {
        let max = crate::Limits::current().max_depth;
        let depth = DEPTH.with(|d| {
            let depth = d.get() + 1;
            d.set(depth);
            depth
        });
        let guard = Nesting;
        if depth > max {
            return Err(limit_error(
                "depth",
                max,
                "objects nest deeper than Limits::max_depth",
            ));
        }
        Ok(guard)
    }
}

impl Drop for Nesting {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// An object key, borrowed from the input when it can be.
#[derive(Debug)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        deserializer.deserialize_str(KeyVisitor).map(Key)
    }
}

/// The member `key` names: a key or alias the same, else one that differs only in ASCII case
/// (request examples spell `CpuCount` for `CPUCount`).
fn lookup(keys: &[&str], aliases: &[(&str, usize)], key: &str) -> Option<usize> {
    keys.iter()
        .position(|k| *k == key)
        .or_else(|| aliases.iter().find(|(a, _)| *a == key).map(|(_, i)| *i))
        .or_else(|| keys.iter().position(|k| k.eq_ignore_ascii_case(key)))
        .or_else(|| {
            aliases
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(key))
                .map(|(_, i)| *i)
        })
}

/// A whole value of type `T` (what its `Deserialize` impl does): `null` is an error.
pub fn document<'de, T: JsonType, D: Deserializer<'de>>(value: D) -> Result<T, D::Error> {
    decode(value)?.ok_or_else(|| {
        de::Error::invalid_type(
            Unexpected::Unit,
            &format!("an object of schema type {}", T::SCHEMA).as_str(),
        )
    })
}

/// A simple value that must be there (what its `Deserialize` impl does): `null` is an error.
pub fn required_scalar<'de, T: JsonScalar, D: Deserializer<'de>>(value: D) -> Result<T, D::Error> {
    scalar(value)?.ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &T::EXPECTED))
}

/// Decodes a complex type: an object of its members or, for a list type, the bare array of its
/// items; `None` for `null` (and `""`).
pub fn decode<'de, T: JsonType, D: Deserializer<'de>>(value: D) -> Result<Option<T>, D::Error> {
    value.deserialize_any(TypeVisitor::<T>(PhantomData))
}

struct TypeVisitor<T>(PhantomData<T>);

struct MemberSeed<'a, T> {
    value: &'a mut T,
    index: usize,
}

impl<'de, T: JsonType> DeserializeSeed<'de> for MemberSeed<'_, T> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        self.value.decode_member(self.index, d)
    }
}

impl<'de, T: JsonType> Visitor<'de> for TypeVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object of schema type {}", T::SCHEMA)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        // Servers write `""` for some absent objects.
        if v.is_empty() {
            Ok(None)
        } else {
            Err(E::invalid_type(Unexpected::Str(v), &self))
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let _nesting = Nesting::enter::<A::Error>()?;
        let max_members = crate::Limits::current().max_attributes;
        let mut value = T::default();
        let mut seen: u128 = 0;
        let mut count = 0usize;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            count += 1;
            if count > max_members {
                return Err(limit_error(
                    "members",
                    max_members,
                    "an object with more members than Limits::max_attributes",
                ));
            }
            match lookup(T::KEYS, T::ALIASES, key.as_str()) {
                Some(index) => {
                    let stored = map
                        .next_value_seed(MemberSeed {
                            value: &mut value,
                            index,
                        })
                        .map_err(|e| failed_at(Segment::Key(key.as_str().to_owned()), e))?;
                    if stored {
                        let bit = 1u128 << index;
                        if seen & bit != 0 {
                            return Err(de::Error::duplicate_field(T::KEYS[index]));
                        }
                        seen |= bit;
                    }
                }
                None => {
                    let member: serde_json::Value = map
                        .next_value()
                        .map_err(|e| failed_at(Segment::Key(key.as_str().to_owned()), e))?;
                    value.unknown_mut().push_member(key.0.into_owned(), member);
                }
            }
        }
        let missing = T::REQUIRED & !seen;
        if missing != 0 {
            return Err(de::Error::missing_field(
                T::KEYS[missing.trailing_zeros() as usize],
            ));
        }
        for &(branches, required) in T::CHOICES {
            match (seen & branches).count_ones() {
                0 if required => {
                    return Err(de::Error::custom(format_args!(
                        "missing field, one of {}",
                        names(T::KEYS, branches)
                    )))
                }
                0 | 1 => {}
                _ => {
                    return Err(de::Error::custom(format_args!(
                        "only one of {} may have a value",
                        names(T::KEYS, branches)
                    )))
                }
            }
        }
        Ok(Some(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        // A list type as a bare array: its items.
        if T::KEYS.len() != 1 {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        let mut value = T::default();
        value.decode_member(0, de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Some(value))
    }
}

fn names(keys: &[&str], bits: u128) -> String {
    keys.iter()
        .enumerate()
        .filter(|(i, _)| bits & (1u128 << i) != 0)
        .map(|(_, k)| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A required member (a required attribute, element or simple content).
pub fn value<'de, T: FromJson, D: Deserializer<'de>>(
    slot: &mut T,
    value: D,
) -> Result<bool, D::Error> {
    Ok(match T::from_json(value)? {
        Some(v) => {
            *slot = v;
            true
        }
        None => false,
    })
}

/// An optional member.
pub fn optional<'de, T: FromJson, D: Deserializer<'de>>(
    slot: &mut Option<T>,
    value: D,
) -> Result<bool, D::Error> {
    *slot = T::from_json(value)?;
    Ok(slot.is_some())
}

/// A repeated member: an array of items (a lone item is read as one).
pub fn list<'de, T: FromJson, D: Deserializer<'de>>(
    slot: &mut Vec<T>,
    value: D,
) -> Result<bool, D::Error> {
    items(slot, value, |item| Some(item))
}

/// The branch of a single choice: stored when it has a value.
pub fn one<'de, C, T: FromJson, D: Deserializer<'de>>(
    slot: &mut Option<C>,
    value: D,
    wrap: fn(T) -> C,
) -> Result<bool, D::Error> {
    Ok(match T::from_json(value)? {
        Some(v) => {
            *slot = Some(wrap(v));
            true
        }
        None => false,
    })
}

/// The branch of a required single choice.
pub fn one_required<'de, C, T: FromJson, D: Deserializer<'de>>(
    slot: &mut C,
    value: D,
    wrap: fn(T) -> C,
) -> Result<bool, D::Error> {
    Ok(match T::from_json(value)? {
        Some(v) => {
            *slot = wrap(v);
            true
        }
        None => false,
    })
}

/// The items of one branch of a repeated choice (an array, under the branch's key).
pub fn many<'de, C, T: FromJson, D: Deserializer<'de>>(
    slot: &mut Vec<C>,
    value: D,
    wrap: fn(T) -> C,
) -> Result<bool, D::Error> {
    items(slot, value, |item| Some(wrap(item)))
}

/// A member whose type is left out of this build (a choice branch of a family whose feature is
/// off): kept as unknown content.
pub fn elsewhere<'de, D: Deserializer<'de>>(
    unknown: &mut Unknown,
    key: &'static str,
    value: D,
) -> Result<bool, D::Error> {
    let member: serde_json::Value = de::Deserialize::deserialize(value)?;
    unknown.push_member(key.to_owned(), member);
    Ok(false)
}

fn items<'de, C, T: FromJson, D: Deserializer<'de>>(
    slot: &mut Vec<C>,
    value: D,
    wrap: impl Fn(T) -> Option<C>,
) -> Result<bool, D::Error> {
    struct Items<'s, C, T, W> {
        slot: &'s mut Vec<C>,
        wrap: W,
        item: PhantomData<T>,
    }

    impl<'de, C, T: FromJson, W: Fn(T) -> Option<C>> Visitor<'de> for Items<'_, C, T, W> {
        type Value = bool;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array")
        }

        fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }

        fn visit_none<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
            let _nesting = Nesting::enter::<A::Error>()?;
            let max = crate::Limits::current().max_items;
            let before = self.slot.len();
            let mut index = 0;
            while let Some(item) = seq
                .next_element_seed(ItemSeed::<T>(PhantomData))
                .map_err(|e| failed_at(Segment::Index(index), e))?
            {
                index += 1;
                if let Some(item) = item.and_then(&self.wrap) {
                    if self.slot.len() - before >= max {
                        return Err(limit_error(
                            "items",
                            max,
                            "an array with more items than Limits::max_items",
                        ));
                    }
                    self.slot.push(item);
                }
            }
            Ok(self.slot.len() > before)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
            // One item where an array belongs (request examples do this).
            let item = T::from_json(de::value::MapAccessDeserializer::new(map))?;
            Ok(self.push_one(item))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            let item = T::from_json(de::value::StrDeserializer::<E>::new(v))?;
            Ok(self.push_one(item))
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            let item = T::from_json(de::value::BoolDeserializer::<E>::new(v))?;
            Ok(self.push_one(item))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            let item = T::from_json(de::value::I64Deserializer::<E>::new(v))?;
            Ok(self.push_one(item))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            let item = T::from_json(de::value::U64Deserializer::<E>::new(v))?;
            Ok(self.push_one(item))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
            let item = T::from_json(de::value::F64Deserializer::<E>::new(v))?;
            Ok(self.push_one(item))
        }
    }

    impl<C, T, W: Fn(T) -> Option<C>> Items<'_, C, T, W> {
        fn push_one(self, item: Option<T>) -> bool {
            match item.and_then(&self.wrap) {
                Some(item) => {
                    self.slot.push(item);
                    true
                }
                None => false,
            }
        }
    }

    value.deserialize_any(Items {
        slot,
        wrap,
        item: PhantomData,
    })
}

struct ItemSeed<T>(PhantomData<T>);

impl<'de, T: FromJson> DeserializeSeed<'de> for ItemSeed<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        T::from_json(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: JsonScalar>(json: &str) -> Result<Option<T>, serde_json::Error> {
        scalar::<T, _>(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn scalars_are_read_leniently() {
        assert_eq!(read::<i32>("5").unwrap(), Some(5));
        assert_eq!(read::<i32>("\"5\"").unwrap(), Some(5));
        assert_eq!(read::<i32>("5.0").unwrap(), Some(5));
        assert_eq!(read::<i32>("\"\"").unwrap(), None);
        assert_eq!(read::<i32>("null").unwrap(), None);
        assert!(read::<i32>("\"five\"").is_err());
        assert!(read::<i32>("5.5").is_err());
        assert!(read::<u32>("-1").is_err());
        assert_eq!(read::<bool>("\"True\"").unwrap(), Some(true));
        assert_eq!(read::<bool>("false").unwrap(), Some(false));
        assert_eq!(read::<Text>("1").unwrap().as_deref(), Some("1"));
        assert_eq!(read::<Text>("2.5").unwrap().as_deref(), Some("2.5"));
        assert_eq!(read::<Text>("true").unwrap().as_deref(), Some("true"));
        assert_eq!(read::<Text>("\"\"").unwrap().as_deref(), Some(""));
        assert_eq!(read::<f64>("\"INF\"").unwrap(), Some(f64::INFINITY));
        let e = read::<i32>("\"x\"").unwrap_err().to_string();
        assert!(e.contains("expected an integer (xs:int)"), "{e}");
    }

    #[test]
    fn keys_match_exactly_then_ignoring_case() {
        let keys = ["CPUCount", "Name", "name", "Lists"];
        let aliases = [("List", 3)];
        assert_eq!(lookup(&keys, &aliases, "name"), Some(2));
        assert_eq!(lookup(&keys, &aliases, "CpuCount"), Some(0));
        assert_eq!(lookup(&keys, &aliases, "List"), Some(3));
        assert_eq!(lookup(&keys, &aliases, "list"), Some(3));
        assert_eq!(lookup(&keys, &aliases, "Other"), None);
    }
}
