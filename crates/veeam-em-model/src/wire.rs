//! [`Wire`]: the two forms a body of the API comes in, and how headers and bodies name them.
//! Enterprise Manager answers in XML unless `Accept` asks for JSON, and reads a body in the form
//! its `Content-Type` names.

/// Which wire form a body is in: what `Accept` asks for and `Content-Type` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Wire {
    /// `application/xml` (the server's default).
    #[default]
    Xml,
    /// `application/json`.
    Json,
}

impl Wire {
    /// The media type to send in `Accept` and `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Wire::Xml => "application/xml",
            Wire::Json => "application/json",
        }
    }

    /// The `Content-Type` of a body in this form, with its character set.
    pub fn content_type(self) -> &'static str {
        match self {
            Wire::Xml => "application/xml; charset=utf-8",
            Wire::Json => "application/json; charset=utf-8",
        }
    }

    /// The form a `Content-Type` header names: JSON when it says `json`, else XML.
    pub fn from_content_type(value: &str) -> Self {
        if value.to_ascii_lowercase().contains("json") {
            Wire::Json
        } else {
            Wire::Xml
        }
    }

    /// The form an `Accept` header asks for, as Enterprise Manager reads it: JSON when it
    /// lists `application/json` (or `*/json`), XML otherwise (also without the header).
    pub fn from_accept(value: &str) -> Self {
        let lower = value.to_ascii_lowercase();
        let json = lower.split(',').any(|part| {
            let media = part.split(';').next().unwrap_or("").trim();
            media.ends_with("/json") || media.ends_with("+json")
        });
        if json {
            Wire::Json
        } else {
            Wire::Xml
        }
    }

    /// The form `body` is in, from its first character: `{` or `[` is JSON, anything else XML.
    pub fn sniff(body: &[u8]) -> Self {
        let start = body.trim_ascii_start();
        let start = start.strip_prefix("\u{feff}".as_bytes()).unwrap_or(start);
        match start.first() {
            Some(b'{' | b'[') => Wire::Json,
            _ => Wire::Xml,
        }
    }
}

impl std::fmt::Display for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Wire::Xml => "XML",
            Wire::Json => "JSON",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers() {
        assert_eq!(Wire::from_accept("application/json"), Wire::Json);
        assert_eq!(
            Wire::from_accept("text/html, application/json;q=0.9"),
            Wire::Json
        );
        assert_eq!(Wire::from_accept("application/xml"), Wire::Xml);
        assert_eq!(Wire::from_accept("*/*"), Wire::Xml);
        assert_eq!(Wire::from_accept(""), Wire::Xml);
        assert_eq!(
            Wire::from_content_type("application/json; charset=utf-8"),
            Wire::Json
        );
        assert_eq!(Wire::sniff(b"  \n{\"a\":1}"), Wire::Json);
        assert_eq!(Wire::sniff(b"<?xml version=\"1.0\"?><a/>"), Wire::Xml);
    }
}
