//! Simple values: how text of an attribute or a value element becomes a typed Rust value and back.
//!
//! Reading is tolerant where servers are known to differ (`True`/`False` from .NET, surrounding
//! whitespace); writing is exact (`true`/`false`, canonical numbers).

use std::fmt::Write as _;

use crate::text::{Interner, Text};

/// A type that lives in XML text: attribute values and elements with simple content.
pub trait XmlValue: Sized {
    /// What the schema expects, for error messages.
    const EXPECTED: &'static str;

    /// Whether an empty optional value means "absent" (numbers, dates, booleans...: servers write
    /// `<EndTimeUTC />` or `xsi:nil="true"` for a missing value). Strings keep `""`.
    const EMPTY_IS_ABSENT: bool = true;

    /// Parses the (already unescaped) text; `None` when it is not a valid value. Strings go
    /// through `strings`, so that equal values are shared.
    fn parse_xml(text: &str, strings: &mut Interner) -> Option<Self>;

    /// Appends the unescaped text form to `out`.
    fn write_xml(&self, out: &mut String);
}

impl XmlValue for Text {
    const EXPECTED: &'static str = "text";
    const EMPTY_IS_ABSENT: bool = false;

    fn parse_xml(text: &str, strings: &mut Interner) -> Option<Self> {
        Some(strings.intern(text))
    }

    fn write_xml(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl XmlValue for String {
    const EXPECTED: &'static str = "text";
    const EMPTY_IS_ABSENT: bool = false;

    fn parse_xml(text: &str, _: &mut Interner) -> Option<Self> {
        Some(text.to_owned())
    }

    fn write_xml(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl XmlValue for bool {
    const EXPECTED: &'static str = "xs:boolean (true, false, 1 or 0)";

    fn parse_xml(text: &str, _: &mut Interner) -> Option<Self> {
        match text.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            // .NET writes `True`/`False` in some places.
            t if t.eq_ignore_ascii_case("true") => Some(true),
            t if t.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    fn write_xml(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! number_value {
    ($ty:ty, $expected:literal) => {
        impl XmlValue for $ty {
            const EXPECTED: &'static str = $expected;

            fn parse_xml(text: &str, _: &mut Interner) -> Option<Self> {
                let t = text.trim();
                // XSD allows a leading `+`, Rust's parser too; nothing else to adapt.
                t.parse().ok()
            }

            fn write_xml(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    };
}

number_value!(i32, "xs:int (a 32-bit integer)");
number_value!(i64, "xs:long (a 64-bit integer)");
number_value!(u32, "xs:unsignedInt (a non-negative 32-bit integer)");

impl XmlValue for f64 {
    const EXPECTED: &'static str = "xs:double (a number)";

    fn parse_xml(text: &str, _: &mut Interner) -> Option<Self> {
        match text.trim() {
            "INF" => Some(f64::INFINITY),
            "-INF" => Some(f64::NEG_INFINITY),
            "NaN" => Some(f64::NAN),
            t => t.parse().ok(),
        }
    }

    fn write_xml(&self, out: &mut String) {
        if self.is_nan() {
            out.push_str("NaN");
        } else if self.is_infinite() {
            out.push_str(if *self > 0.0 { "INF" } else { "-INF" });
        } else {
            let _ = write!(out, "{self}");
        }
    }
}
