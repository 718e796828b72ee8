//! The API base URL (`https://<host>:9398/api`) that operation paths are appended to.

use std::fmt;

/// A validated API base URL, kept without a trailing slash.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

/// The text is not an `http`/`https` URL with a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid API base URL {url:?}: {reason}")]
pub struct InvalidBaseUrl {
    /// The text given.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

impl BaseUrl {
    /// Parses e.g. `https://em.example.com:9398/api`. A query or fragment is refused.
    pub fn parse(text: &str) -> Result<Self, InvalidBaseUrl> {
        let invalid = |reason: &str| InvalidBaseUrl {
            url: text.to_owned(),
            reason: reason.to_owned(),
        };
        let url = url::Url::parse(text).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https"));
        }
        if url.host_str().is_none() {
            return Err(invalid("a host is required"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("a base URL has no query or fragment"));
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    /// The base URL of a server from its host name: `https://<host>:9398/api`.
    ///
    /// `host` may also carry a scheme (`http://em`), a port (`em:443`, `[::1]:9398`) or both;
    /// what it leaves out takes the default (`https`, port 9398). A path other than `/api`, a
    /// query or credentials are refused: use [`BaseUrl::parse`] for a full URL.
    ///
    /// ```
    /// use veeam_em_api::BaseUrl;
    /// assert_eq!(BaseUrl::for_host("em")?.as_str(), "https://em:9398/api");
    /// assert_eq!(BaseUrl::for_host("http://em")?.as_str(), "http://em:9398/api");
    /// assert_eq!(BaseUrl::for_host("em:9443")?.as_str(), "https://em:9443/api");
    /// // The scheme's default port is implied, as in any URL.
    /// assert_eq!(BaseUrl::for_host("em:443")?.as_str(), "https://em/api");
    /// assert_eq!(BaseUrl::for_host("https://[::1]:9443/")?.as_str(), "https://[::1]:9443/api");
    /// assert!(BaseUrl::for_host("em/other").is_err());
    /// # Ok::<(), veeam_em_api::InvalidBaseUrl>(())
    /// ```
    pub fn for_host(host: &str) -> Result<Self, InvalidBaseUrl> {
        let invalid = |reason: &str| InvalidBaseUrl {
            url: host.to_owned(),
            reason: reason.to_owned(),
        };
        let text = host.trim();
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("https".to_owned(), text),
        };
        if scheme != "https" && scheme != "http" {
            return Err(invalid("the scheme must be http or https"));
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let path = path.trim_end_matches('/');
        if !path.is_empty() && !path.eq_ignore_ascii_case("/api") {
            return Err(invalid(
                "a host name takes no path (use BaseUrl::parse for a full URL)",
            ));
        }
        if authority.is_empty() {
            return Err(invalid("a host is required"));
        }
        if authority.contains(['@', '?', '#']) {
            return Err(invalid(
                "a host name takes no credentials, query or fragment",
            ));
        }
        // A port is what follows the last `:`, unless that `:` is inside an IPv6 `[...]`.
        let has_port = authority
            .rfind(':')
            .is_some_and(|i| !authority[i..].contains(']'));
        let authority = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:9398")
        };
        Self::parse(&format!("{scheme}://{authority}/api"))
    }

    /// The URL text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({:?})", self.0)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = InvalidBaseUrl;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
