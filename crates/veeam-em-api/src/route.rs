//! Reverse routing: from an `Href` the server sent back to the catalogue entry (and so to the
//! representation type and a typed operation).
//!
//! Hrefs may be absolute or relative (with or without the leading `/api`), carry
//! `?format=Entity` or other query parameters, and have escaped characters (percent-escapes,
//! and the XML references servers leave in them: `&#x2F;`, `&amp;`); what is not an API URL is
//! an error (see `href.rs`). Entries are matched on method, path segments (parameters match any
//! non-empty segment), and fixed query parameters (names and values compared ignoring ASCII
//! case). When several entries match, the one with the most fixed parameters wins, so
//! `...?format=Entity` finds the entity form and the bare URL the reference form. A path that
//! exists with other methods only is [`RouteError::MethodNotAllowed`], which lists them.

use veeam_em_model::{Link, Wire};

use crate::catalogue::CATALOGUE;
use crate::entry::Entry;
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
    /// The text is not an API URL or path.
    #[error("not an API URL or path: {url:?}: {reason}")]
    InvalidUrl {
        /// The text given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An absolute URL outside the API base `/api`.
    #[error("{0} is not below the API base /api")]
    NotApi(String),
    /// No entry has this path (and fixed query).
    #[error("no catalogue operation matches {method} {url}")]
    NoMatch {
        /// Method looked for.
        method: String,
        /// The URL.
        url: String,
    },
    /// Entries have this path, but not with this method.
    #[error("{url} has no {method} operation; it has {}", .allowed.join(", "))]
    MethodNotAllowed {
        /// Method looked for.
        method: String,
        /// The URL.
        url: String,
        /// The methods the path has, e.g. `["GET", "DELETE"]`.
        allowed: Vec<&'static str>,
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

/// Splits a URL into unescaped path segments after the API base (`.../api`) and query pairs.
fn split(url: &str) -> Result<crate::href::Href, RouteError> {
    match crate::href::parse(url) {
        Ok(href) => Ok(href),
        Err(crate::href::HrefError::Invalid(reason)) => Err(RouteError::InvalidUrl {
            url: url.to_owned(),
            reason,
        }),
        Err(crate::href::HrefError::NotApi) => Err(RouteError::NotApi(url.to_owned())),
    }
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
    // A last `{name*}` takes the rest of the path (at least one segment), slashes included.
    if parts.last().is_some_and(|p| p.ends_with("*}")) {
        let n = parts.len() - 1;
        if segments.len() <= n {
            return None;
        }
        let mut values = match_path_parts(&parts[..n], &segments[..n])?;
        let rest = &segments[n..];
        if rest.iter().any(String::is_empty) {
            return None;
        }
        values.push(Id::from(rest.join("/").as_str()));
        return Some(values);
    }
    match_path_parts(&parts, segments)
}

fn match_path_parts(parts: &[&str], segments: &[String]) -> Option<Vec<Id>> {
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
    let crate::href::Href { segments, query } = split(url)?;
    match best_match(method, &segments, &query) {
        Some(route) => Ok(route),
        None => {
            let mut allowed: Vec<&'static str> = Vec::new();
            for entry in CATALOGUE {
                if !allowed.contains(&entry.method)
                    && !entry.method.eq_ignore_ascii_case(method)
                    && best_match(entry.method, &segments, &query).is_some()
                {
                    allowed.push(entry.method);
                }
            }
            if allowed.is_empty() {
                Err(RouteError::NoMatch {
                    method: method.to_owned(),
                    url: url.to_owned(),
                })
            } else {
                Err(RouteError::MethodNotAllowed {
                    method: method.to_owned(),
                    url: url.to_owned(),
                    allowed,
                })
            }
        }
    }
}

/// The entry for `method` whose template and fixed query match, preferring the one with the
/// most fixed query parameters.
fn best_match(method: &str, segments: &[String], query: &[(String, String)]) -> Option<Route> {
    let mut best: Option<(usize, Route)> = None;
    for entry in CATALOGUE {
        if !entry.method.eq_ignore_ascii_case(method) {
            continue;
        }
        let Some(values) = std::iter::once(entry.path)
            .chain(entry.aliases.iter().copied())
            .find_map(|t| match_path(t, segments))
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
        // More fixed query parameters win; then a template without a rest-of-path parameter.
        let greedy = entry.path.ends_with("*}");
        let score = entry.fixed_query.len() * 2 + usize::from(!greedy);
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
    best.map(|(_, r)| r)
}

/// Resolves an `Href` as a `GET` (what following a link means).
pub fn route(url: &str) -> Result<Route, RouteError> {
    route_method("GET", url)
}

impl Route {
    /// Builds the request this route stands for, in XML. `body` is required when the entry has
    /// a request body; `credentials` for logon.
    pub fn request(
        &self,
        base: &BaseUrl,
        session: Option<&SessionToken>,
        credentials: Option<&Credentials>,
        body: Option<Vec<u8>>,
    ) -> Result<http::Request<Vec<u8>>, ApiError> {
        self.request_in(Wire::Xml, base, session, credentials, body)
    }

    /// Builds the request this route stands for, asking for the answer in `wire` form; a body
    /// goes with the `Content-Type` of the form it is written in.
    pub fn request_in(
        &self,
        wire: Wire,
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
            wire,
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

/// Any href field of any type. The generated code also implements [`Follow`] for every type with
/// an `Href` of its own (links, references, entities, tasks...).
impl Follow for veeam_em_model::Href {
    fn href(&self) -> Option<&str> {
        Some(self)
    }
}

/// Finding links by relation. The generated code implements it for every type with `Links`.
pub trait Links {
    /// The first link with `Rel` equal to `rel` (ASCII case-insensitive).
    fn link(&self, rel: &str) -> Option<&Link>;

    /// The `Alternate` link: on a reference, the entity form of the same object.
    fn alternate(&self) -> Option<&Link> {
        self.link("Alternate")
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
