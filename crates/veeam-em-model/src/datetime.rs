//! `xs:dateTime` values. Servers send both `2024-05-01T10:00:00Z` and local times without an
//! offset (`2024-05-01T10:00:00`), with 0 to 7 fractional digits; both are kept as sent.

use std::fmt;
use std::str::FromStr;

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A date and time of day, with the UTC offset when the document gave one.
///
/// Ordered by instant: a time without an offset counts as UTC (servers send UTC fields, whose
/// names end in `UTC`, without one). Two values at the same instant with different offsets are
/// not equal (they are written differently); they are ordered by offset, so that the order agrees
/// with `==`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Date and time as written.
    pub local: PrimitiveDateTime,
    /// `None` when the text carried no offset (`Z` is `Some(UTC)`).
    pub offset: Option<UtcOffset>,
}

/// `0001-01-01T00:00:00`, without an offset: what .NET servers write for a date never set, and
/// what a required date holds before a decoder fills it (every generated type is `Default`).
impl Default for DateTime {
    fn default() -> Self {
        Self {
            local: time::macros::datetime!(0001-01-01 0:00),
            offset: None,
        }
    }
}

/// The text is not an `xs:dateTime`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an xs:dateTime such as 2024-05-01T10:00:00Z, found {0:?}")]
pub struct InvalidDateTime(pub String);

const LOCAL: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
const OFFSET: &[BorrowedFormatItem<'static>] =
    format_description!("[offset_hour sign:mandatory]:[offset_minute]");

impl DateTime {
    /// The common form `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]` read digit by digit (documents
    /// hold many times and `time`'s general parser is slow); `None` for anything else, which
    /// the general parser then reads or refuses.
    fn parse_fast(t: &str) -> Option<Self> {
        let b = t.as_bytes();
        if b.len() < 19
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<u32> {
            let mut n = 0u32;
            for &c in b.get(range)? {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + u32::from(c - b'0');
            }
            Some(n)
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if hour > 23 {
            return None; // 24:00:00 and errors: the general parser
        }
        let mut i = 19;
        let mut nanos = 0u32;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nanos = nanos * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            let digits = i - start;
            if digits == 0 {
                return None;
            }
            for _ in digits..9 {
                nanos *= 10;
            }
        }
        let offset = match &b[i..] {
            [] => None,
            [b'Z' | b'z'] => Some(UtcOffset::UTC),
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let digit = |c: &u8| {
                    c.is_ascii_digit()
                        .then(|| i8::try_from(c - b'0').ok())
                        .flatten()
                };
                let h = digit(h1)? * 10 + digit(h2)?;
                let m = digit(m1)? * 10 + digit(m2)?;
                let (h, m) = if *sign == b'-' { (-h, -m) } else { (h, m) };
                Some(UtcOffset::from_hms(h, m, 0).ok()?)
            }
            _ => return None,
        };
        let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
        let date = time::Date::from_calendar_date(
            i32::try_from(year).ok()?,
            month,
            u8::try_from(day).ok()?,
        )
        .ok()?;
        let time = time::Time::from_hms_nano(
            u8::try_from(hour).ok()?,
            u8::try_from(minute).ok()?,
            u8::try_from(second).ok()?,
            nanos,
        )
        .ok()?;
        Some(Self {
            local: PrimitiveDateTime::new(date, time),
            offset,
        })
    }

    /// Parses an `xs:dateTime`.
    pub fn parse(text: &str) -> Result<Self, InvalidDateTime> {
        if let Some(fast) = Self::parse_fast(text.trim()) {
            return Ok(fast);
        }
        let invalid = || InvalidDateTime(text.to_owned());
        let t = text.trim();
        let (local, offset) = if let Some(local) = t.strip_suffix(['Z', 'z']) {
            (local, Some(UtcOffset::UTC))
        } else if t.len() > 6 && matches!(t.as_bytes()[t.len() - 6], b'+' | b'-') {
            let (local, off) = t.split_at(t.len() - 6);
            (
                local,
                Some(UtcOffset::parse(off, OFFSET).map_err(|_| invalid())?),
            )
        } else {
            (t, None)
        };
        let local = match end_of_day(local) {
            // XSD 1.0 allows `24:00:00`: midnight at the end of the day, the next day's 00:00.
            Some(date) => PrimitiveDateTime::parse(&format!("{date}T00:00:00"), LOCAL)
                .ok()
                .and_then(|midnight| midnight.checked_add(time::Duration::DAY))
                .ok_or_else(invalid)?,
            None => PrimitiveDateTime::parse(local, LOCAL).map_err(|_| invalid())?,
        };
        Ok(Self { local, offset })
    }

    /// The instant, when the offset is known.
    pub fn to_offset_date_time(&self) -> Option<OffsetDateTime> {
        self.offset.map(|o| self.local.assume_offset(o))
    }
}

impl DateTime {
    /// The order key: the instant (no offset = UTC), then the offset (`None` first).
    fn order_key(&self) -> (OffsetDateTime, Option<i32>) {
        let instant = self
            .local
            .assume_offset(self.offset.unwrap_or(UtcOffset::UTC));
        (instant, self.offset.map(UtcOffset::whole_seconds))
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.order_key().cmp(&other.order_key())
    }
}

/// The date part of `<date>T24:00:00` (with any zero fraction).
fn end_of_day(local: &str) -> Option<&str> {
    let (date, time) = local.split_once('T')?;
    let fraction = time.strip_prefix("24:00:00")?;
    let zero = fraction.is_empty()
        || fraction
            .strip_prefix('.')
            .is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b == b'0'));
    zero.then_some(date)
}

impl From<OffsetDateTime> for DateTime {
    fn from(value: OffsetDateTime) -> Self {
        Self {
            local: PrimitiveDateTime::new(value.date(), value.time()),
            offset: Some(value.offset()),
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // By hand rather than with `write!`: documents hold many times, and this is hot.
        let (d, t) = (self.local.date(), self.local.time());
        let mut buf = [0u8; 40];
        let mut n = 0;
        let digits = |value: u32, width: usize, buf: &mut [u8; 40], n: &mut usize| {
            for i in (0..width).rev() {
                buf[*n + i] = b'0' + (value / 10u32.pow((width - 1 - i) as u32) % 10) as u8;
            }
            *n += width;
        };
        let year = d.year();
        if (0..=9999).contains(&year) {
            digits(year.unsigned_abs(), 4, &mut buf, &mut n);
            buf[n] = b'-';
            n += 1;
            digits(u32::from(u8::from(d.month())), 2, &mut buf, &mut n);
            buf[n] = b'-';
            n += 1;
            digits(u32::from(d.day()), 2, &mut buf, &mut n);
            buf[n] = b'T';
            n += 1;
            digits(u32::from(t.hour()), 2, &mut buf, &mut n);
            buf[n] = b':';
            n += 1;
            digits(u32::from(t.minute()), 2, &mut buf, &mut n);
            buf[n] = b':';
            n += 1;
            digits(u32::from(t.second()), 2, &mut buf, &mut n);
        } else {
            // Years outside four digits (negative, or five digits): the general (slower) form
            // for the date and time; the fraction and the offset follow as for any year.
            // At least four digits after the sign (`-0044`, as xs:dateTime writes years).
            let sign = if year < 0 { "-" } else { "" };
            write!(
                f,
                "{sign}{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                year.unsigned_abs(),
                u8::from(d.month()),
                d.day(),
                t.hour(),
                t.minute(),
                t.second()
            )?;
        }
        let nanos = t.nanosecond();
        if nanos != 0 {
            buf[n] = b'.';
            n += 1;
            let mut width = 9;
            let mut value = nanos;
            while value % 10 == 0 {
                value /= 10;
                width -= 1;
            }
            digits(value, width, &mut buf, &mut n);
        }
        match self.offset {
            None => {}
            Some(o) if o.is_utc() => {
                buf[n] = b'Z';
                n += 1;
            }
            Some(o) => {
                let (h, m, _) = o.as_hms();
                buf[n] = if o.is_negative() { b'-' } else { b'+' };
                n += 1;
                digits(u32::from(h.unsigned_abs()), 2, &mut buf, &mut n);
                buf[n] = b':';
                n += 1;
                digits(u32::from(m.unsigned_abs()), 2, &mut buf, &mut n);
            }
        }
        // Only ASCII digits and punctuation were written.
        f.write_str(std::str::from_utf8(&buf[..n]).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for DateTime {
    type Err = InvalidDateTime;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl crate::xml::XmlValue for DateTime {
    const EXPECTED: &'static str = "xs:dateTime (e.g. 2024-05-01T10:00:00Z)";

    fn parse_xml(text: &str, _strings: &mut crate::text::Interner) -> Option<Self> {
        Self::parse(text).ok()
    }

    fn write_xml(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = write!(out, "{self}");
    }
}

#[cfg(feature = "json")]
impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "json")]
impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::json::de::required_scalar(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_beyond_four_digits_keep_their_fraction_and_offset() {
        // Found by the uid_datetime fuzz target: the general form dropped both.
        for text in [
            "-2025-01-27T17:06:10.488816",
            "-0044-03-15T12:00:00.5+01:00",
            "-0001-12-31T23:59:59Z",
        ] {
            let t = DateTime::parse(text).unwrap();
            assert_eq!(t.to_string(), text);
            assert_eq!(DateTime::parse(&t.to_string()).unwrap(), t);
        }
    }

    #[test]
    fn forms_servers_send_round_trip() {
        for text in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T10:00:00",
            "2023-01-10T09:15:32.8570000Z",
            "2024-05-01T10:00:00.5+02:00",
            "2024-05-01T10:00:00-05:30",
        ] {
            let dt = DateTime::parse(text).unwrap();
            assert_eq!(DateTime::parse(&dt.to_string()).unwrap(), dt, "{text}");
        }
        assert_eq!(
            DateTime::parse("2023-01-10T09:15:32.8570000Z")
                .unwrap()
                .to_string(),
            "2023-01-10T09:15:32.857Z"
        );
        assert_eq!(
            DateTime::parse("2024-05-01T10:00:00-05:30")
                .unwrap()
                .to_string(),
            "2024-05-01T10:00:00-05:30"
        );
    }

    #[test]
    fn the_fast_path_agrees_with_the_general_parser() {
        for text in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T10:00:00",
            "2023-01-10T09:15:32.8570000Z",
            "2024-05-01T10:00:00.5+02:00",
            "2024-05-01T10:00:00-05:30",
            "2024-02-29T23:59:59.123456789Z",
        ] {
            let fast = DateTime::parse_fast(text).unwrap();
            let (local, offset) = match text.strip_suffix('Z') {
                Some(l) => (l, Some(UtcOffset::UTC)),
                None if text.len() > 19
                    && matches!(text.as_bytes()[text.len() - 6], b'+' | b'-') =>
                {
                    let (l, o) = text.split_at(text.len() - 6);
                    (l, Some(UtcOffset::parse(o, OFFSET).unwrap()))
                }
                None => (text, None),
            };
            let general = DateTime {
                local: PrimitiveDateTime::parse(local, LOCAL).unwrap(),
                offset,
            };
            assert_eq!(fast, general, "{text}");
        }
        for odd in [
            "2024-02-30T10:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T10:00:00+2",
            "2024-05-01T10:00:00.",
        ] {
            assert!(DateTime::parse_fast(odd).is_none(), "{odd}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2024-05-01",
            "2024-13-01T00:00:00Z",
            "yesterday",
            "2024-05-01T10:00:00+2",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad:?}");
        }
    }
}
