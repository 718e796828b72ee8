//! Catalogue entries: what `schemas/resources/<family>.xml` says about one operation, as static
//! data.

use std::fmt;

/// How an operation authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// No credentials (the entry point).
    None,
    /// HTTP Basic with user name and password (logon).
    Basic,
    /// The `X-RestSvcSessionId` header from logon.
    Session,
}

/// The HTTP method of an operation of the catalogue (the API uses these four).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }

    /// The method named `text` (any case); `None` for a method the API does not use.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Get, Self::Post, Self::Put, Self::Delete]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text))
    }

    /// The same method as `http` names it.
    pub fn to_http(self) -> http::Method {
        match self {
            Self::Get => http::Method::GET,
            Self::Post => http::Method::POST,
            Self::Put => http::Method::PUT,
            Self::Delete => http::Method::DELETE,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Method {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Method> for &str {
    fn eq(&self, other: &Method) -> bool {
        *self == other.as_str()
    }
}

/// One operation of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Entry {
    /// Unique name, e.g. `GetCdpReplicaSessionTaskSessions` (also the Rust type's name).
    pub name: &'static str,
    /// The family (catalogue file and cargo feature), e.g. `cdp`.
    pub family: &'static str,
    /// HTTP method, e.g. `Method::Get`.
    pub method: Method,
    /// Path template relative to the base URL, e.g. `/cdpReplicas/{replicaId}/vms/{vmId}`.
    pub path: &'static str,
    /// Query parameters with a fixed value that are part of the route (`action=failover`).
    pub fixed_query: &'static [(&'static str, &'static str)],
    /// Query parameters the caller chooses.
    pub query_params: &'static [&'static str],
    /// For the query service: the queried type (`type=...`).
    pub query_service: Option<&'static str>,
    /// Request headers the caller chooses (besides authentication).
    pub headers: &'static [&'static str],
    /// Root element of the request body.
    pub request: Option<&'static str>,
    /// Whether the request may be sent without its body.
    pub request_optional: bool,
    /// The success responses; the first is the usual one.
    pub responses: &'static [Success],
    /// How the operation authenticates.
    pub auth: Auth,
    /// Whether repeating the request is harmless.
    pub idempotent: bool,
    /// Other paths servers use in hrefs for this operation.
    pub aliases: &'static [&'static str],
    /// One line on what it does.
    pub summary: &'static str,
    /// The page of the public API reference it was written from.
    pub page: Option<&'static str>,
    /// What the action does to the object its path names (what a server, or the simulator,
    /// changes once its task finishes).
    pub effect: Effect,
    /// Top-level elements real servers require in the body (a quirk the reference does not
    /// document).
    pub requires: &'static [Requirement],
}

/// What an action does to the object its path names, from `<Effect>` in the catalogue or the
/// default of the operation's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Nothing changes (reads, and actions whose effect is outside the API's data).
    None,
    /// A new object appears in the collection; `copies` name the body members that fill entity
    /// members of another name (`(body member, entity member)`).
    Create {
        /// `(body member, entity member)` pairs.
        copies: &'static [(&'static str, &'static str)],
    },
    /// The object is removed.
    Delete,
    /// The body's members replace the object's.
    Edit,
    /// A new session of the object (a job) starts.
    Run,
    /// A new session starts, marked as a retry of the last one.
    Retry,
    /// The object's running session (or the session itself) ends.
    Stop,
    /// A top-level member of the object's entity takes a value (`toggle` flips a boolean).
    Set {
        /// The member, e.g. `ScheduleEnabled`.
        field: &'static str,
        /// The value, or `toggle`.
        value: &'static str,
    },
    /// A copy of the object appears beside it.
    Clone,
}

/// A member real servers require in a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// The top-level element, e.g. `TenantType`.
    pub element: &'static str,
    /// The status a server answers without it.
    pub status: u16,
    /// The message of its `<Error>`.
    pub message: &'static str,
}

/// A success response of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Success {
    /// The status, e.g. 200 or 202.
    pub status: u16,
    /// Root element of the body (`None`: no body).
    pub representation: Option<&'static str>,
    /// Headers of the response that carry information (e.g. `Location`).
    pub headers: &'static [&'static str],
}

impl Success {
    /// A success response with no headers of note (how the generated catalogue writes most).
    pub const fn of(status: u16, representation: Option<&'static str>) -> Self {
        Self {
            status,
            representation,
            headers: &[],
        }
    }
}

impl Entry {
    /// The values of the fields the generated catalogue leaves out (`..Entry::DEFAULT`): no
    /// query parameter, header or body, no response, a logon session, not idempotent, no page
    /// and no effect. Every entry names its own name, family, method, path and summary.
    #[doc(hidden)]
    pub const DEFAULT: Entry = Entry {
        name: "",
        family: "",
        method: Method::Get,
        path: "",
        fixed_query: &[],
        query_params: &[],
        query_service: None,
        headers: &[],
        request: None,
        request_optional: false,
        responses: &[],
        auth: Auth::Session,
        idempotent: false,
        aliases: &[],
        summary: "",
        page: None,
        effect: Effect::None,
        requires: &[],
    };

    /// The usual success status (of the first response).
    pub fn status(&self) -> u16 {
        self.responses.first().map_or(200, |r| r.status)
    }

    /// Root element of the usual success body (`None`: no body).
    pub fn representation(&self) -> Option<&'static str> {
        self.responses.first().and_then(|r| r.representation)
    }

    /// The success response with this status, if the operation has one.
    pub fn success(&self, status: u16) -> Option<&'static Success> {
        self.responses.iter().find(|r| r.status == status)
    }

    /// The method as an [`http::Method`].
    pub fn http_method(&self) -> http::Method {
        self.method.to_http()
    }

    /// Path and fixed query, e.g. `/cdpPolicies/{policyId}?action=enable`.
    pub fn template(&self) -> String {
        let mut out = self.path.to_owned();
        for (i, (name, value)) in self.fixed_query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(name);
            out.push('=');
            out.push_str(value);
        }
        out
    }

    /// What a success returns: the representation, or `(no body)`.
    pub fn returns(&self) -> &'static str {
        self.representation().unwrap_or("(no body)")
    }
}

impl fmt::Display for Entry {
    /// `METHOD TEMPLATE -> REPRESENTATION`, the line of `vem api list`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> {}",
            self.method,
            self.template(),
            self.returns()
        )
    }
}
