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

/// The text is not an `xs:dateTime`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an xs:dateTime such as 2024-05-01T10:00:00Z, found {0:?}")]
pub struct InvalidDateTime(pub String);

const LOCAL: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
const OFFSET: &[BorrowedFormatItem<'static>] =
    format_description!("[offset_hour sign:mandatory]:[offset_minute]");

impl DateTime {
    /// Parses an `xs:dateTime`.
    pub fn parse(text: &str) -> Result<Self, InvalidDateTime> {
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
        let (d, t) = (self.local.date(), self.local.time());
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            d.year(),
            u8::from(d.month()),
            d.day(),
            t.hour(),
            t.minute(),
            t.second()
        )?;
        let nanos = t.nanosecond();
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        match self.offset {
            None => Ok(()),
            Some(o) if o.is_utc() => f.write_str("Z"),
            Some(o) => {
                let (h, m, _) = o.as_hms();
                let sign = if o.is_negative() { '-' } else { '+' };
                write!(f, "{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
            }
        }
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

#[cfg(feature = "serde")]
impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::json::parsed(d, DateTime::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
