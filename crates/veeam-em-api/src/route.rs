//! Reverse routing: from an `Href` the server sent back to the catalogue entry (and so to the
//! representation type and a typed operation).
//!
//! Hrefs may be absolute or relative (with or without the leading `/api`), carry
//! `?format=Entity` or other query parameters, and have
//! escaped characters; entries are matched on method, path segments (parameters match any
//! non-empty segment), and fixed query parameters (names and values compared ignoring ASCII
//! case). When several entries match, the one with the most fixed parameters wins, so
//! `...?format=Entity` finds the entity form and the bare URL the reference form.

use percent_encoding::percent_decode_str;
use veeam_em_model::{EntityRef, Link};

use crate::entry::Entry;
use crate::generated::CATALOGUE;
use crate::{ApiError, BaseUrl, Credentials, Id, SessionToken};

/// An `Href` resolved to its catalogue entry, with the values of its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The operation.
    pub entry: &'static Entry,
    /// Path parameter values, in the template's order, unescaped.
    pub path_values: Vec<Id>,
    /// Query parameters other than the entry's fixed ones, unescaped, in URL order.
    pub query: Vec<(String, String)>,
}

/// An `Href` that no catalogue entry matches.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The text is not a URL or path.
    #[error("not a URL: {0:?}")]
    InvalidUrl(String),
    /// No entry has this method and path.
    #[error("no catalogue operation matches {method} {url}")]
    NoMatch {
        /// Method looked for.
        method: String,
        /// The URL.
        url: String,
    },
    /// The route is for another operation than the one asked for.
    #[error("{url} is {found}, not {expected}")]
    OtherOperation {
        /// The URL.
        url: String,
        /// The operation asked for.
        expected: &'static str,
        /// The operation the URL resolves to.
        found: &'static str,
    },
    /// A link or reference without an `Href`.
    #[error("no Href to follow")]
    NoHref,
}

/// Query parameters as `(name, value)`, unescaped.
type QueryPairs = Vec<(String, String)>;

/// Splits a URL into unescaped path segments after the API base (`.../api`) and query pairs.
fn split(url: &str) -> Result<(Vec<String>, QueryPairs), RouteError> {
    let invalid = || RouteError::InvalidUrl(url.to_owned());
    let parsed = match url::Url::parse(url) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => url::Url::parse("http://relative.invalid/")
            .and_then(|base| base.join(url))
            .map_err(|_| invalid())?,
        Err(_) => return Err(invalid()),
    };
    let mut segments: Vec<String> = parsed
        .path_segments()
        .ok_or_else(invalid)?
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    // Hrefs are `https://host:9398/api/...`; relative ones may start with `/api/` or not.
    if segments
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("api"))
    {
        segments.remove(0);
    }
    while segments.last().is_some_and(String::is_empty) {
        segments.pop();
    }
    let query = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Ok((segments, query))
}

fn template_segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

/// Path values if `segments` match `template`.
fn match_path(template: &str, segments: &[String]) -> Option<Vec<Id>> {
    let parts = template_segments(template);
    if parts.len() != segments.len() {
        return None;
    }
    let mut values = Vec::new();
    for (part, seg) in parts.iter().zip(segments) {
        if part.starts_with('{') {
            if seg.is_empty() {
                return None;
            }
            values.push(Id::from(seg.as_str()));
        } else if !part.eq_ignore_ascii_case(seg) {
            return None;
        }
    }
    Some(values)
}

/// Resolves `url` for `method`.
pub fn route_method(method: &str, url: &str) -> Result<Route, RouteError> {
    let (segments, query) = split(url)?;
    let mut best: Option<(usize, Route)> = None;
    for entry in CATALOGUE {
        if !entry.method.eq_ignore_ascii_case(method) {
            continue;
        }
        let Some(values) = std::iter::once(entry.path)
            .chain(entry.aliases.iter().copied())
            .find_map(|t| match_path(t, &segments))
        else {
            continue;
        };
        let fixed_ok = entry.fixed_query.iter().all(|(name, value)| {
            query
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case(name) && v.eq_ignore_ascii_case(value))
        });
        if !fixed_ok {
            continue;
        }
        // `?action=...` always names a POST action: a route that would leave it over is wrong.
        let leftover_action = query.iter().any(|(k, _)| {
            k.eq_ignore_ascii_case("action")
                && !entry
                    .fixed_query
                    .iter()
                    .any(|(name, _)| name.eq_ignore_ascii_case(k))
        });
        if leftover_action {
            continue;
        }
        let score = entry.fixed_query.len();
        if best.as_ref().is_some_and(|(s, _)| *s >= score) {
            continue;
        }
        let rest = query
            .iter()
            .filter(|(k, _)| {
                !entry
                    .fixed_query
                    .iter()
                    .any(|(name, _)| k.eq_ignore_ascii_case(name))
            })
            .cloned()
            .collect();
        best = Some((
            score,
            Route {
                entry,
                path_values: values,
                query: rest,
            },
        ));
    }
    best.map(|(_, r)| r).ok_or_else(|| RouteError::NoMatch {
        method: method.to_owned(),
        url: url.to_owned(),
    })
}

/// Resolves an `Href` as a `GET` (what following a link means).
pub fn route(url: &str) -> Result<Route, RouteError> {
    route_method("GET", url)
}

impl Route {
    /// Builds the request this route stands for. `body` is required when the entry has a
    /// request body; `credentials` for logon.
    pub fn request(
        &self,
        base: &BaseUrl,
        session: Option<&SessionToken>,
        credentials: Option<&Credentials>,
        body: Option<Vec<u8>>,
    ) -> Result<http::Request<Vec<u8>>, ApiError> {
        let values: Vec<&str> = self.path_values.iter().map(Id::as_str).collect();
        let query: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        crate::operation::build_request(
            self.entry,
            base,
            &values,
            &query,
            body,
            session,
            credentials,
        )
    }

    /// Checks that this route is for `entry` (used by the generated `TryFrom<&Route>`).
    pub fn expect(&self, entry: &'static Entry, url: &str) -> Result<(), RouteError> {
        if self.entry.name == entry.name {
            Ok(())
        } else {
            Err(RouteError::OtherOperation {
                url: url.to_owned(),
                expected: entry.name,
                found: self.entry.name,
            })
        }
    }

    /// The value of the variable query parameter `name` (case-insensitive).
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Values with an `Href` that can be followed as typed operations.
pub trait Follow {
    /// The href, if any.
    fn href(&self) -> Option<&str>;

    /// The catalogue entry the href resolves to (as a GET).
    fn route(&self) -> Result<Route, RouteError> {
        route(self.href().ok_or(RouteError::NoHref)?)
    }

    /// The typed operation, e.g. `link.follow::<GetCdpReplicaSessionEntity>()`.
    fn follow<O>(&self) -> Result<O, RouteError>
    where
        O: for<'r> TryFrom<&'r Route, Error = RouteError>,
    {
        O::try_from(&self.route()?)
    }
}

impl Follow for Link {
    fn href(&self) -> Option<&str> {
        Some(&self.href)
    }
}

impl Follow for EntityRef {
    fn href(&self) -> Option<&str> {
        self.href.as_deref()
    }
}

/// Finding links by relation on references.
pub trait Links {
    /// The first link with `Rel` equal to `rel` (ASCII case-insensitive).
    fn link(&self, rel: &str) -> Option<&Link>;

    /// The `Alternate` link: on a reference, the entity form of the same object.
    fn alternate(&self) -> Option<&Link> {
        self.link("Alternate")
    }
}

impl Links for EntityRef {
    fn link(&self, rel: &str) -> Option<&Link> {
        self.links.iter().flat_map(|l| &l.links).find(|l| {
            l.rel
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(rel))
        })
    }
}

impl Links for veeam_em_model::LinkList {
    fn link(&self, rel: &str) -> Option<&Link> {
        self.links.iter().find(|l| {
            l.rel
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(rel))
        })
    }
}
