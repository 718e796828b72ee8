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

/// One segment of a compiled template.
#[derive(Debug)]
enum Part {
    /// A fixed segment, in ASCII lower case.
    Fixed(String),
    /// `{name}`: any non-empty segment.
    Param,
}

/// A path template of an entry, split once.
#[derive(Debug)]
struct Template {
    /// The entry's place in `CATALOGUE` (ties go to the first).
    entry: usize,
    parts: Vec<Part>,
    /// The last parameter is `{name*}`: the rest of the path (one segment or more).
    greedy: bool,
}

/// Every template of the catalogue, indexed by segment count and first segment, so that a
/// lookup compares a few templates rather than the whole catalogue.
#[derive(Debug)]
struct RouteIndex {
    templates: Vec<Template>,
    /// `(segments, first segment in lower case)` -> templates (by position, catalogue order).
    by_first: std::collections::HashMap<(usize, String), Vec<usize>>,
    /// Templates tried for every path: greedy ones and those starting with a parameter.
    always: Vec<usize>,
}

static INDEX: std::sync::LazyLock<RouteIndex> = std::sync::LazyLock::new(|| {
    let mut index = RouteIndex {
        templates: Vec::new(),
        by_first: Default::default(),
        always: Vec::new(),
    };
    for (e, entry) in CATALOGUE.iter().enumerate() {
        for template in std::iter::once(entry.path).chain(entry.aliases.iter().copied()) {
            let raw: Vec<&str> = template
                .trim_start_matches('/')
                .trim_end_matches('/')
                .split('/')
                .filter(|s| !s.is_empty())
                .collect();
            let greedy = raw.last().is_some_and(|p| p.ends_with("*}"));
            let parts: Vec<Part> = raw
                .iter()
                .map(|p| {
                    if p.starts_with('{') {
                        Part::Param
                    } else {
                        Part::Fixed(p.to_ascii_lowercase())
                    }
                })
                .collect();
            let position = index.templates.len();
            match (greedy, parts.first()) {
                (false, Some(Part::Fixed(first))) => index
                    .by_first
                    .entry((parts.len(), first.clone()))
                    .or_default()
                    .push(position),
                _ => index.always.push(position),
            }
            index.templates.push(Template {
                entry: e,
                parts,
                greedy,
            });
        }
    }
    index
});

impl Template {
    /// Path values if `segments` match.
    fn matches(&self, segments: &[String]) -> Option<Vec<Id>> {
        let fixed = if self.greedy {
            let n = self.parts.len() - 1;
            if segments.len() <= n || segments[n..].iter().any(String::is_empty) {
                return None;
            }
            n
        } else {
            if self.parts.len() != segments.len() {
                return None;
            }
            segments.len()
        };
        for (part, seg) in self.parts[..fixed].iter().zip(segments) {
            match part {
                Part::Param if seg.is_empty() => return None,
                Part::Param => {}
                Part::Fixed(f) if !f.eq_ignore_ascii_case(seg) => return None,
                Part::Fixed(_) => {}
            }
        }
        let mut values: Vec<Id> = self.parts[..fixed]
            .iter()
            .zip(segments)
            .filter(|(p, _)| matches!(p, Part::Param))
            .map(|(_, seg)| Id::from(seg.as_str()))
            .collect();
        if self.greedy {
            values.push(Id::from(segments[fixed..].join("/").as_str()));
        }
        Some(values)
    }
}

/// Resolves `url` for `method`.
pub fn route_method(method: &str, url: &str) -> Result<Route, RouteError> {
    let crate::href::Href { segments, query } = split(url)?;
    match best_match(method, &segments, &query) {
        Some(route) => Ok(route),
        None => {
            let mut allowed: Vec<&'static str> = Vec::new();
            for entry in CATALOGUE {
                let name = entry.method.as_str();
                if !allowed.contains(&name)
                    && !name.eq_ignore_ascii_case(method)
                    && best_match(name, &segments, &query).is_some()
                {
                    allowed.push(name);
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
    let index = &*INDEX;
    let first = segments
        .first()
        .map(|s| (segments.len(), s.to_ascii_lowercase()));
    let indexed: &[usize] = first
        .as_ref()
        .and_then(|key| index.by_first.get(key))
        .map_or(&[], Vec::as_slice);
    // Candidates in catalogue order (both lists are in it), so that ties go as they always did.
    let mut candidates: Vec<usize> = indexed.iter().chain(&index.always).copied().collect();
    candidates.sort_unstable();
    let mut best: Option<(usize, Route)> = None;
    for position in candidates {
        let template = &index.templates[position];
        let entry = &CATALOGUE[template.entry];
        if !entry.method.as_str().eq_ignore_ascii_case(method) {
            continue;
        }
        // An alias of an entry already matched through its path: the same route.
        if best
            .as_ref()
            .is_some_and(|(_, r)| std::ptr::eq(r.entry, entry))
        {
            continue;
        }
        let Some(values) = template.matches(segments) else {
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

    /// Checks that this route is for `entry`; the error names `url`.
    pub fn expect(&self, entry: &'static Entry, url: &str) -> Result<(), RouteError> {
        if self.entry.name == entry.name {
            Ok(())
        } else {
            Err(self.other_operation(entry, url.to_owned()))
        }
    }

    /// The `N` path values of this route as those of `entry`, or the error of a route to
    /// another operation: what every generated `TryFrom<&Route>` starts with.
    pub fn values_for<const N: usize>(
        &self,
        entry: &'static Entry,
    ) -> Result<&[Id; N], RouteError> {
        if self.entry.name != entry.name {
            return Err(self.other_operation(entry, self.entry.template()));
        }
        self.path_values
            .as_slice()
            .try_into()
            .map_err(|_| self.other_operation(entry, self.entry.template()))
    }

    /// The error of this route where one of `entry` was expected.
    fn other_operation(&self, entry: &'static Entry, url: String) -> RouteError {
        RouteError::OtherOperation {
            url,
            expected: entry.name,
            found: self.entry.name,
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
