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

    /// The usual base URL of a server: `https://<host>:9398/api`.
    pub fn for_host(host: &str) -> Result<Self, InvalidBaseUrl> {
        Self::parse(&format!("https://{host}:9398/api"))
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
