//! Reading an `Href` as the server meant it, strictly: what is not an API URL is an error, never
//! a guess.
//!
//! Servers escape some characters of hrefs as XML references (`&#x2F;` for `/`, `&amp;` for
//! `&`, the "Special Characters in Responses" page); an href copied from a raw response still
//! has them, so they are resolved first. Then the URL is split by hand rather than by a general
//! URL parser, because a general parser repairs what it reads (it drops tabs and newlines,
//! resolves `..`, turns `\` into `/`), and a repaired href would route to an operation the
//! server never linked. Accepted forms: `http(s)://host[:port]/api/...`, `/api/...`, and paths
//! relative to the API base (`/cdpPolicies/ID`, `cdpPolicies/ID`); a query and a fragment may
//! follow.

use std::borrow::Cow;

use percent_encoding::percent_decode;

/// An href split into its unescaped path segments (below `/api`) and query pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Href {
    /// Path segments after the API base, percent-decoded.
    pub segments: Vec<String>,
    /// Query parameters, percent-decoded (`+` is a space), in URL order.
    pub query: Vec<(String, String)>,
}

/// Why a text is not an API href.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HrefError {
    /// Not a URL or path of the API (the reason).
    Invalid(&'static str),
    /// An absolute URL whose path is not below `/api`.
    NotApi,
}

/// Resolves the XML references servers put in hrefs: the five predefined entities and
/// character references (`&#x2F;`, `&#39;`). Anything else is left as it is.
fn resolve_references(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let resolved = after.find(';').and_then(|end| {
            let name = &after[..end];
            let value = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => number.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }
            };
            value.map(|c| (c, end))
        });
        match resolved {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Percent-decodes a URL part strictly: every `%` starts two hex digits, the result is UTF-8.
fn decode_part(part: &str, plus_is_space: bool) -> Result<String, HrefError> {
    let bytes = part.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return Err(HrefError::Invalid("a `%` not followed by two hex digits"));
        }
    }
    let spaced;
    let part = if plus_is_space && part.contains('+') {
        spaced = part.replace('+', " ");
        spaced.as_str()
    } else {
        part
    };
    percent_decode(part.as_bytes())
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|_| HrefError::Invalid("percent-escapes that are not UTF-8"))
}

/// Splits `text` (see the module docs).
pub(crate) fn parse(text: &str) -> Result<Href, HrefError> {
    let text = resolve_references(text.trim_matches(|c: char| c.is_ascii_whitespace()));
    let text = text.as_ref();
    if text.is_empty() {
        return Err(HrefError::Invalid("it is empty"));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(HrefError::Invalid(
            "it holds white space or control characters",
        ));
    }
    if text.contains('\\') {
        return Err(HrefError::Invalid("it holds a backslash"));
    }
    let text = text.split_once('#').map_or(text, |(before, _)| before);
    let (path, query) = text.split_once('?').unwrap_or((text, ""));
    let scheme_end = path.find("://");
    let path = match scheme_end {
        Some(i) => {
            let scheme = &path[..i];
            if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
                return Err(HrefError::Invalid("the scheme is not http or https"));
            }
            let rest = &path[i + 3..];
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if authority.is_empty() || authority.contains('@') {
                return Err(HrefError::Invalid("no host (or credentials in the URL)"));
            }
            // An absolute URL must be below the API base `/api`.
            let below = strip_api(path.strip_prefix('/').unwrap_or(path));
            match below {
                Some(rest) => rest,
                None => return Err(HrefError::NotApi),
            }
        }
        None if path.contains(':') => {
            return Err(HrefError::Invalid("not an http(s) URL or a path"));
        }
        None => {
            let relative = path.strip_prefix('/').unwrap_or(path);
            if relative.starts_with('/') {
                return Err(HrefError::Invalid("it starts with `//`"));
            }
            strip_api(relative).unwrap_or(relative)
        }
    };
    let mut segments = Vec::new();
    if !path.is_empty() {
        let path = path.strip_suffix('/').unwrap_or(path);
        for raw in path.split('/') {
            if raw.is_empty() {
                return Err(HrefError::Invalid("an empty path segment (`//`)"));
            }
            let segment = decode_part(raw, false)?;
            if segment == "." || segment == ".." || raw == "." || raw == ".." {
                return Err(HrefError::Invalid("a `.` or `..` path segment"));
            }
            segments.push(segment);
        }
    }
    let mut pairs = Vec::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((decode_part(name, true)?, decode_part(value, true)?));
    }
    Ok(Href {
        segments,
        query: pairs,
    })
}

/// `api` or `api/...` (any case) without that first segment; `None` when it is not there.
fn strip_api(path: &str) -> Option<&str> {
    let (first, rest) = path.split_once('/').unwrap_or((path, ""));
    first.eq_ignore_ascii_case("api").then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> (Vec<&'static str>, Vec<(String, String)>) {
        let h = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        let segments = h
            .segments
            .into_iter()
            .map(|s| &*Box::leak(s.into_boxed_str()))
            .collect();
        (segments, h.query)
    }

    #[test]
    fn forms() {
        for text in [
            "https://em:9398/api/cdpPolicies/1",
            "http://EM/API/cdpPolicies/1/",
            "/api/cdpPolicies/1",
            "/cdpPolicies/1",
            "cdpPolicies/1",
            "api/cdpPolicies/1#frag",
            "https:&#x2F;&#x2F;em:9398&#x2F;api&#x2F;cdpPolicies&#x2F;1",
        ] {
            assert_eq!(ok(text).0, ["cdpPolicies", "1"], "{text}");
        }
        assert_eq!(ok("/").0, Vec::<&str>::new());
        assert_eq!(ok("https://em:9398/api").0, Vec::<&str>::new());
        assert_eq!(
            ok("/query?type=CdpPolicy&amp;filter=Name%3D%3D%22a+b%22&amp;pageSize=5").1,
            [
                ("type".into(), "CdpPolicy".into()),
                ("filter".into(), "Name==\"a b\"".into()),
                ("pageSize".into(), "5".into())
            ]
        );
        assert_eq!(ok("/cdpPolicies/a%2Fb").0, ["cdpPolicies", "a/b"]);
    }

    #[test]
    fn refused() {
        for text in [
            "",
            "   ",
            "https://em:9398/cdpPolicies",
            "ftp://em/api/x",
            "urn:veeam:CdpPolicy:1",
            "/cdp\tPolicies",
            "/cdpPolicies/../tasks",
            "/cdpPolicies/%2e%2e",
            "/cdpPolicies//1",
            "//em/api/x",
            "/a\\b",
            "/cdpPolicies/%zz",
            "/cdpPolicies/%ff",
            "https:///api/x",
            "https://user:pw@em/api/x",
        ] {
            assert!(parse(text).is_err(), "{text:?}: {:?}", parse(text));
        }
    }
}
