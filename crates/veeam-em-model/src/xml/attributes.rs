//! A lean scanner for the attributes of a start tag.
//!
//! Why not quick-xml's `Attributes`: it is general (HTML mode, a duplicate check that compares
//! every pair) and was the largest single cost of decoding. This scanner only splits
//! `name="value"` pairs, borrows both from the input, and leaves unescaping and the duplicate
//! check of known attributes to the reader (unknown attributes are kept as they come).

/// One attribute: its qualified name and its raw (still escaped) value, both borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RawAttribute<'a> {
    /// The qualified name, e.g. `Href` or `xmlns:xsi`.
    pub name: &'a [u8],
    /// The value between the quotes, not unescaped.
    pub value: &'a [u8],
    /// The value holds a `&` (a reference to resolve) or a literal TAB, LF or CR (which reads
    /// as a space): it must go through attribute-value normalisation. Most values do not.
    pub escaped: bool,
}

/// Iterator over the attributes of a start tag.
#[derive(Debug, Clone)]
pub struct RawAttributes<'a> {
    bytes: &'a [u8],
    pos: usize,
    failed: bool,
}

/// Why an attribute list is malformed, and the index in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeSyntaxError {
    /// What is wrong.
    pub message: &'static str,
    /// Byte index in the attribute list.
    pub at: usize,
}

impl<'a> RawAttributes<'a> {
    /// Scans `bytes`, the part of a start tag after its name.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            failed: false,
        }
    }

    fn skip_whitespace(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn fail(
        &mut self,
        message: &'static str,
    ) -> Option<Result<RawAttribute<'a>, AttributeSyntaxError>> {
        self.failed = true;
        Some(Err(AttributeSyntaxError {
            message,
            at: self.pos,
        }))
    }
}

impl<'a> Iterator for RawAttributes<'a> {
    type Item = Result<RawAttribute<'a>, AttributeSyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let had_space = self.pos == 0 || self.bytes[self.pos - 1].is_ascii_whitespace();
        self.skip_whitespace();
        if self.pos >= self.bytes.len() {
            return None;
        }
        if !had_space && self.pos > 0 && !self.bytes[self.pos - 1].is_ascii_whitespace() {
            return self.fail("expected whitespace between attributes");
        }
        let start = self.pos;
        while self.pos < self.bytes.len()
            && !matches!(self.bytes[self.pos], b'=' | b' ' | b'\t' | b'\r' | b'\n')
        {
            if matches!(self.bytes[self.pos], b'"' | b'\'' | b'<' | b'>') {
                return self.fail("invalid character in an attribute name");
            }
            self.pos += 1;
        }
        let name = &self.bytes[start..self.pos];
        if name.is_empty() {
            return self.fail("expected an attribute name");
        }
        self.skip_whitespace();
        if self.bytes.get(self.pos) != Some(&b'=') {
            return self.fail("expected `=` after an attribute name");
        }
        self.pos += 1;
        self.skip_whitespace();
        let quote = match self.bytes.get(self.pos) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return self.fail("expected a quoted attribute value"),
        };
        self.pos += 1;
        let Some(len) = memchr::memchr(quote, &self.bytes[self.pos..]) else {
            return self.fail("unclosed attribute value");
        };
        let value = &self.bytes[self.pos..self.pos + len];
        // One pass finds both a forbidden `<` and whether there is anything to unescape; a
        // second one whether there is white space to normalise.
        let mut escaped = false;
        let mut rest = value;
        while let Some(i) = memchr::memchr2(b'<', b'&', rest) {
            if rest[i] == b'<' {
                return self.fail("`<` in an attribute value");
            }
            escaped = true;
            rest = &rest[i + 1..];
        }
        escaped = escaped || memchr::memchr3(b'\t', b'\n', b'\r', value).is_some();
        self.pos += len + 1;
        Some(Ok(RawAttribute {
            name,
            value,
            escaped,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str) -> Result<Vec<(String, String)>, AttributeSyntaxError> {
        RawAttributes::new(s.as_bytes())
            .map(|a| {
                a.map(|a| {
                    (
                        String::from_utf8(a.name.to_vec()).unwrap(),
                        String::from_utf8(a.value.to_vec()).unwrap(),
                    )
                })
            })
            .collect()
    }

    #[test]
    fn pairs() {
        assert_eq!(
            scan(r#" a="1"  b = '2' xmlns:x="u&amp;v""#).unwrap(),
            [
                ("a".into(), "1".into()),
                ("b".into(), "2".into()),
                ("xmlns:x".into(), "u&amp;v".into())
            ]
        );
        assert_eq!(scan("").unwrap(), []);
        assert_eq!(scan("  ").unwrap(), []);
    }

    #[test]
    fn malformed() {
        for bad in [
            r#" a"#,
            r#" a="1"#,
            r#" a=1"#,
            r#" a="1"b="2""#,
            r#" ="1""#,
            r#" a="<""#,
        ] {
            assert!(scan(bad).is_err(), "{bad:?}");
        }
    }
}
