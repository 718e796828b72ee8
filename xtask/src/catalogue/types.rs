//! The catalogue's values: operations, their parameters, bodies and responses, effects, query
//! types and resources, every one typed when it is read.

use std::fmt;

use anyhow::{bail, Result};

use super::navigation_node;

/// The whole catalogue: every family's operations and query types, families in file-name order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalogue {
    pub operations: Vec<Entry>,
    pub query_types: Vec<QueryType>,
    /// What the catalogue declares of the objects at item paths (links, counts).
    pub resources: Vec<Resource>,
    /// Family names (the catalogue files' stems), sorted.
    pub families: Vec<String>,
}

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub(super) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "GET" => Self::Get,
            "POST" => Self::Post,
            "PUT" => Self::Put,
            "DELETE" => Self::Delete,
            other => bail!("method {other:?} is not one of GET, POST, PUT, DELETE"),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an operation authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No credentials (the entry point).
    None,
    /// User name and password (logon).
    Basic,
    /// The session header.
    Session,
}

impl Auth {
    pub(super) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "none" => Self::None,
            "basic" => Self::Basic,
            "session" => Self::Session,
            other => bail!("auth {other:?} is not one of none, basic, session"),
        })
    }
}

/// The type of a query parameter, header or query field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Int,
    Bool,
    Uid,
    DateTime,
}

impl ParamType {
    pub(super) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "string" => Self::String,
            "int" => Self::Int,
            "bool" => Self::Bool,
            "uid" => Self::Uid,
            "dateTime" => Self::DateTime,
            other => bail!("type {other:?} is not one of string, int, bool, uid, dateTime"),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Int => "int",
            Self::Bool => "bool",
            Self::Uid => "uid",
            Self::DateTime => "dateTime",
        }
    }
}

/// One operation of the catalogue as data (an `<Operation>` element): what the API crate's
/// `Entry` is once rendered, under the same name.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The catalogue file's stem, e.g. `cdp`.
    pub family: String,
    pub name: String,
    pub method: Method,
    /// Path template, e.g. `/cdpReplicas/{replicaId}/vms/{vmId}`.
    pub path: String,
    pub verb: String,
    pub auth: Auth,
    pub idempotent: bool,
    pub page: Option<String>,
    pub summary: String,
    pub fixed_query: Vec<(String, String)>,
    pub query_params: Vec<Param>,
    /// Request headers the caller chooses.
    pub headers: Vec<Param>,
    /// Name of the `QueryType` for query service operations.
    pub query_service: Option<String>,
    pub request: Option<Body>,
    /// Success responses, distinct statuses, in catalogue order (the first is the usual one).
    pub responses: Vec<Response>,
    pub aliases: Vec<String>,
    /// What the action does when it is not the default of its shape.
    pub effect: Option<Effect>,
    /// Top-level elements real servers require in the body (a quirk).
    pub requires: Vec<Requires>,
}

/// What an action does to the object its path names (`<Effect do=...>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectKind {
    Create,
    Delete,
    Edit,
    Run,
    Retry,
    Stop,
    Set,
    Clone,
    None,
}

impl EffectKind {
    pub(super) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "create" => Self::Create,
            "delete" => Self::Delete,
            "edit" => Self::Edit,
            "run" => Self::Run,
            "retry" => Self::Retry,
            "stop" => Self::Stop,
            "set" => Self::Set,
            "clone" => Self::Clone,
            "none" => Self::None,
            other => bail!("unknown effect {other:?}"),
        })
    }
}

/// A declared effect.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub kind: EffectKind,
    /// For `set`: the top-level field of the object's entity, and its new value (`toggle`
    /// flips a boolean).
    pub field: Option<String>,
    pub value: Option<String>,
    /// For `create`: body members that fill entity members of another name (`from`, `to`).
    pub copies: Vec<(String, String)>,
}

/// A quirk: the body must hold `element`, else the server answers `status` with `message`.
#[derive(Debug, Clone, PartialEq)]
pub struct Requires {
    pub element: String,
    pub status: u16,
    pub message: String,
}

/// `<Resource>`: the objects at an item path (or the document at another GET path).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    pub family: String,
    /// As written, `{ID}` for identifiers, e.g. `/jobs/{ID}`.
    pub path: String,
    pub kind: Option<String>,
    pub count: Option<u32>,
    pub size: Option<String>,
    pub page: Option<String>,
    pub links: Vec<LinkDecl>,
}

/// `<Link>` of a resource.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinkDecl {
    pub rel: String,
    pub href: String,
    pub method: Option<Method>,
    /// `Some("")`: no Type.
    pub ty: Option<String>,
    pub when: Option<String>,
    pub documented: Option<String>,
    pub documented_rel: Option<String>,
}

impl LinkDecl {
    /// The method of the operation the link stands for.
    pub fn method(&self) -> Method {
        self.method.unwrap_or(match self.rel.as_str() {
            "Edit" => Method::Put,
            "Delete" => Method::Delete,
            "Up" | "Down" | "Alternate" | "Related" => Method::Get,
            _ => Method::Post,
        })
    }

    /// `(path node, fixed query sorted)` of the href, e.g. `("/jobs/{}", [("action", "start")])`.
    pub fn target(&self) -> (String, Vec<(String, String)>) {
        let (path, query) = self.href.split_once('?').unwrap_or((&self.href, ""));
        let mut fixed: Vec<(String, String)> = query
            .split('&')
            .filter(|q| !q.is_empty())
            .map(|q| {
                let (k, v) = q.split_once('=').unwrap_or((q, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        fixed.sort();
        (navigation_node(path), fixed)
    }
}

/// A query parameter or request header the caller chooses.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: ParamType,
    pub required: bool,
    /// Initial value in navigation (query parameters only).
    pub default: Option<String>,
    pub summary: Option<String>,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Root element.
    pub representation: String,
    /// The request may be sent without it.
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    pub status: u16,
    pub representation: Option<String>,
    /// A hand-written output type of the API crate.
    pub output: Option<String>,
    /// Response headers that carry information.
    pub headers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryType {
    pub family: String,
    pub name: String,
    pub entity: String,
    /// The element of `QueryResult/Entities` that holds the items (derived from the schemas when
    /// not given).
    pub list: Option<String>,
    /// The names items may have in that list (derived when empty).
    pub items: Vec<String>,
    /// `Entities` or `Resources` (derived).
    pub container: String,
    pub fields: Vec<QueryField>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueryField {
    pub name: String,
    pub ty: ParamType,
    /// A model enumeration the values come from.
    pub enumeration: Option<String>,
}

impl Entry {
    /// Path parameter names in order, e.g. `["replicaId", "vmId"]`.
    pub fn path_params(&self) -> Vec<&str> {
        path_params(&self.path)
    }

    /// The usual success response (the first).
    pub fn response(&self) -> &Response {
        &self.responses[0]
    }

    /// `GET /path?fixed=query`, as in `vem api list`.
    pub fn template(&self) -> String {
        let mut out = self.path.clone();
        for (i, (k, v)) in self.fixed_query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(&format!("{k}={v}"));
        }
        out
    }

    /// An `Href` alone can stand for it: no body and no credentials.
    pub fn routable(&self) -> bool {
        self.request.is_none() && self.auth != Auth::Basic
    }
}

/// `{name}` segments of a path template (a last `{name*}` takes the rest of the path, slashes
/// included: a guest file path).
pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|s| s.trim_end_matches('*'))
        .collect()
}
