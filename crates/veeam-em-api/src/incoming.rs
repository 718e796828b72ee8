//! The server side of an operation, still without I/O: reading an incoming `http::Request` as
//! a catalogue operation (route, typed body, credentials, session token), and the reverse of
//! [`FromResponse`](crate::FromResponse) in [`ToResponse`](crate::response::ToResponse).
//!
//! A server (the simulator, or a test double of a user's own) routes with the same catalogue
//! the client builds requests from, so that URLs and bodies cannot drift apart:
//!
//! ```
//! use veeam_em_api::incoming::{Incoming, AnyRequest};
//! let request = http::Request::post("/api/cdpPolicies/p1?action=enable")
//!     .header("X-RestSvcSessionId", "token")
//!     .body(Vec::new())?;
//! let incoming = Incoming::parse(&request)?;
//! assert_eq!(incoming.route.entry.name, "EnableCdpPolicy");
//! assert_eq!(incoming.session.as_ref().map(|t| t.expose()), Some("token"));
//! let AnyRequest::EnableCdpPolicy(op) = AnyRequest::from_incoming(&incoming)? else { panic!() };
//! assert_eq!(op.policy_id.as_str(), "p1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use base64::Engine as _;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, COOKIE};
use veeam_em_model::{DecodeError, Document, Wire};

pub use crate::generated::AnyRequest;
use crate::route::{route_method, Route, RouteError};
use crate::secret::SESSION_HEADER;
use crate::{Credentials, SessionToken};

/// An incoming request read as a catalogue operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The operation and its parameters.
    pub route: Route,
    /// The decoded body, for operations that take one (its root is the one the entry names).
    pub body: Option<Document>,
    /// User name and password of a Basic `Authorization` header, if any.
    pub credentials: Option<Credentials>,
    /// The session token: from the `X-RestSvcSessionId` cookie if there is one (it wins, as on
    /// Enterprise Manager), else from the header.
    pub session: Option<SessionToken>,
    /// The form the answer is to be in: JSON when `Accept` asks for `application/json`.
    pub accept: Wire,
    /// The form the body came in: its `Content-Type`'s, else its first character's.
    pub body_form: Wire,
}

/// Why an incoming request is not an operation of the catalogue.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The method and URL match no operation (or the URL is not an API URL).
    #[error(transparent)]
    Route(#[from] RouteError),
    /// The operation takes a body and none came.
    #[error("{operation} takes a <{expected}> body, and the request has none")]
    MissingBody {
        /// The operation.
        operation: &'static str,
        /// The root element it takes.
        expected: &'static str,
    },
    /// The body is not the document the operation takes.
    #[error("{operation} takes a <{expected}> body, not <{found}>")]
    WrongBody {
        /// The operation.
        operation: &'static str,
        /// The root element it takes.
        expected: &'static str,
        /// The root element received.
        found: String,
    },
    /// The body does not decode.
    #[error("{operation}: the request body does not decode: {source}")]
    BadBody {
        /// The operation.
        operation: &'static str,
        /// The positioned error.
        source: DecodeError,
    },
    /// The `Authorization` header is not `Basic base64(user:password)`.
    #[error("the Authorization header is not Basic credentials")]
    BadAuthorization,
    /// The operation needs credentials and the request has none.
    #[error("{operation} needs a user name and password (Basic authentication)")]
    MissingCredentials {
        /// The operation.
        operation: &'static str,
    },
}

impl Incoming {
    /// Routes `request` and decodes its body and credentials. A body is read only for the
    /// operations that take one (others ignore it, as servers do).
    pub fn parse<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<Self, RequestError> {
        let uri = request.uri();
        let target = uri
            .path_and_query()
            .map_or_else(|| uri.to_string(), |p| p.as_str().to_owned());
        let route = route_method(request.method().as_str(), &target)?;
        let entry = route.entry;
        let bytes = request.body().as_ref();
        let empty = bytes.iter().all(u8::is_ascii_whitespace);
        let header = |name| {
            request
                .headers()
                .get(name)
                .map(|v: &http::HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let accept = header(ACCEPT).map_or(Wire::Xml, |v| Wire::from_accept(&v));
        // A body in the form its `Content-Type` names; without one (or one that names
        // neither form), in the form its first character says.
        let body_form = match header(CONTENT_TYPE) {
            Some(v) if v.to_ascii_lowercase().contains("json") => Wire::Json,
            Some(v) if v.to_ascii_lowercase().contains("xml") => Wire::Xml,
            _ => Wire::sniff(bytes),
        };
        let body = match entry.request {
            None => None,
            // A body the operation may do without (an empty body with a JSON content type too).
            Some(_) if empty && entry.request_optional => None,
            Some(expected) => {
                if empty {
                    return Err(RequestError::MissingBody {
                        operation: entry.name,
                        expected,
                    });
                }
                // The root first, so that another document is named as such rather than as
                // whatever made it fail to decode. (The JSON form does not name its root:
                // the operation's is the one.)
                if body_form == Wire::Xml {
                    if let Ok(root) = veeam_em_model::xml::XmlReader::new(bytes).read_root() {
                        let found =
                            String::from_utf8_lossy(root.start.local_name().as_ref()).into_owned();
                        if found != expected {
                            return Err(RequestError::WrongBody {
                                operation: entry.name,
                                expected,
                                found,
                            });
                        }
                    }
                }
                let document =
                    Document::from_wire(body_form, Some(expected), bytes).map_err(|source| {
                        RequestError::BadBody {
                            operation: entry.name,
                            source,
                        }
                    })?;
                Some(document)
            }
        };
        let credentials = match request.headers().get(AUTHORIZATION) {
            Some(value) => Some(basic_credentials(value.as_bytes())?),
            None => None,
        };
        Ok(Self {
            route,
            body,
            credentials,
            session: session_token(request.headers()),
            accept,
            body_form,
        })
    }
}

/// `Basic base64(user:password)`.
fn basic_credentials(value: &[u8]) -> Result<Credentials, RequestError> {
    let text = std::str::from_utf8(value).map_err(|_| RequestError::BadAuthorization)?;
    let (scheme, encoded) = text
        .trim()
        .split_once(' ')
        .ok_or(RequestError::BadAuthorization)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(RequestError::BadAuthorization);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| RequestError::BadAuthorization)?;
    let decoded = String::from_utf8(decoded).map_err(|_| RequestError::BadAuthorization)?;
    let (user, password) = decoded
        .split_once(':')
        .ok_or(RequestError::BadAuthorization)?;
    Ok(Credentials::new(user, password))
}

/// The session token of a request: the cookie wins over the header.
fn session_token(headers: &http::HeaderMap) -> Option<SessionToken> {
    let from_cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            (name.trim() == SESSION_HEADER).then(|| value.trim().to_owned())
        });
    let from_header = || {
        headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
    };
    from_cookie
        .or_else(from_header)
        .filter(|t| !t.is_empty())
        .map(SessionToken::new)
}

/// The body of `incoming` as the document variant the operation takes (used by the generated
/// `TryFrom<&Incoming>` of operations with a body).
#[doc(hidden)]
pub fn missing_body(incoming: &Incoming) -> RequestError {
    RequestError::MissingBody {
        operation: incoming.route.entry.name,
        expected: incoming.route.entry.request.unwrap_or("?"),
    }
}

/// Credentials of `incoming`, for operations with Basic authentication.
#[doc(hidden)]
pub fn credentials(incoming: &Incoming) -> Result<Credentials, RequestError> {
    incoming
        .credentials
        .clone()
        .ok_or(RequestError::MissingCredentials {
            operation: incoming.route.entry.name,
        })
}
