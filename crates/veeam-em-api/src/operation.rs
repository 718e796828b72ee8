//! The [`Operation`] trait every generated operation implements, and request building.
//!
//! Building is pure: the request is computed from the operation, the wire form, the base URL
//! and the session token; nothing is sent, nothing is read from the environment or the clock.

use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::entry::{Auth, Entry};
use crate::response::{check_status, FromResponse};
use crate::{ApiError, BaseUrl, Credentials, SessionToken};
use veeam_em_model::Wire;

pub use crate::secret::SESSION_HEADER;

/// Characters escaped in both path segments and query parts.
const URL_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Characters escaped in a path segment.
const SEGMENT: &AsciiSet = &URL_UNSAFE.add(b'/').add(b'?');

/// Characters escaped in a query name or value (`;`, `,`, `(` and `)` of filters stay readable).
const QUERY: &AsciiSet = &URL_UNSAFE.add(b'&').add(b'+').add(b'=');

/// An API operation as a value: it knows how to build its request and decode its response.
pub trait Operation {
    /// What a successful response decodes into (and what a server encodes).
    type Output: FromResponse + crate::response::ToResponse + veeam_em_model::xml::CollectUnknown;

    /// The catalogue entry.
    const ENTRY: &'static Entry;

    /// Path parameter values, in the order of the template.
    fn path_values(&self) -> Vec<&str>;

    /// Variable query parameters (fixed ones come from the entry).
    fn query_values(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The request body in `wire` form, if the operation has one.
    fn body(&self, wire: Wire) -> Option<Vec<u8>> {
        let _ = wire;
        None
    }

    /// Request headers the catalogue lets the caller set (name, value), when set.
    fn header_values(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// Logon credentials, for operations with Basic authentication.
    fn credentials(&self) -> Option<&Credentials> {
        None
    }

    /// What makes the operation impossible to send as it is (e.g. a page size of 0); checked
    /// by [`request`](Self::request).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    /// Builds the request in the server's default form, XML. `session` is required by
    /// operations that need a logon session.
    fn request(
        &self,
        base: &BaseUrl,
        session: Option<&SessionToken>,
    ) -> Result<http::Request<Vec<u8>>, ApiError> {
        self.request_in(Wire::Xml, base, session)
    }

    /// Builds the request in `wire` form: the body in that form, and `Accept` and
    /// `Content-Type` naming it (Enterprise Manager then answers in that form).
    fn request_in(
        &self,
        wire: Wire,
        base: &BaseUrl,
        session: Option<&SessionToken>,
    ) -> Result<http::Request<Vec<u8>>, ApiError> {
        // The parts are gathered here; the request is made once, in code that is not generic
        // (and so not compiled again for each of the ~500 operations).
        let parts = RequestParts {
            check: self.check(),
            path_values: &self.path_values(),
            query: self.query_values(),
            body: self.body(wire),
            credentials: self.credentials(),
            headers: self.header_values(),
        };
        parts.build(Self::ENTRY, wire, base, session)
    }

    /// Decodes the response (any body type: `Vec<u8>`, `&[u8]`, `bytes::Bytes`...), in the form
    /// it comes in: the typed output on success, else an error naming the stage.
    fn decode<B: AsRef<[u8]>>(
        &self,
        response: http::Response<B>,
    ) -> Result<Self::Output, ApiError> {
        let (parts, body) = response.into_parts();
        let response = http::Response::from_parts(parts, body.as_ref());
        check_status(Self::ENTRY, &response)?;
        Self::Output::from_response(Self::ENTRY, &response)
    }
}

/// What an operation contributes to its request, gathered by [`Operation::request_in`].
struct RequestParts<'a> {
    check: Result<(), String>,
    path_values: &'a [&'a str],
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    credentials: Option<&'a Credentials>,
    headers: Vec<(&'static str, String)>,
}

impl RequestParts<'_> {
    fn build(
        self,
        entry: &'static Entry,
        wire: Wire,
        base: &BaseUrl,
        session: Option<&SessionToken>,
    ) -> Result<http::Request<Vec<u8>>, ApiError> {
        self.check.map_err(|message| ApiError::Build {
            operation: entry.name,
            message,
        })?;
        let query: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut request = build_request(
            entry,
            wire,
            base,
            self.path_values,
            &query,
            self.body,
            session,
            self.credentials,
        )?;
        for (name, value) in self.headers {
            let value = http::HeaderValue::from_str(&value).map_err(|e| ApiError::Build {
                operation: entry.name,
                message: format!("header {name}: {e}"),
            })?;
            request.headers_mut().insert(name, value);
        }
        Ok(request)
    }
}

/// The success response a server sends for `op` with `output` in `wire` form (the reverse of
/// [`Operation::decode`]).
pub fn respond<O: Operation>(output: &O::Output, wire: Wire) -> http::Response<Vec<u8>> {
    crate::response::ToResponse::to_response(output, O::ENTRY, wire)
}

/// The URL of an operation: base, path with the values filled in, fixed then variable query.
pub fn build_url(
    entry: &Entry,
    base: &BaseUrl,
    path_values: &[&str],
    query: &[(&str, &str)],
) -> Result<String, ApiError> {
    let mut url = base.as_str().to_owned();
    let mut values = path_values.iter();
    for (i, segment) in entry.path.split('/').enumerate() {
        if i > 0 {
            url.push('/');
        }
        if segment.starts_with('{') {
            let value = values.next().ok_or_else(|| ApiError::Build {
                operation: entry.name,
                message: format!("no value for the path parameter {segment}"),
            })?;
            if value.is_empty() || *value == "." || *value == ".." {
                // URLs normalise `.` and `..` segments away (even escaped), so no server could
                // receive them.
                return Err(ApiError::Build {
                    operation: entry.name,
                    message: format!("the path parameter {segment} cannot be {value:?}"),
                });
            }
            if segment.ends_with("*}") {
                // The rest of the path: its own slashes stay, so its pieces are segments too.
                if value
                    .split('/')
                    .any(|p| p.is_empty() || p == "." || p == "..")
                {
                    return Err(ApiError::Build {
                        operation: entry.name,
                        message: format!(
                            "the path {segment} cannot hold an empty, `.` or `..` part: {value:?}"
                        ),
                    });
                }
                for (n, piece) in value.split('/').enumerate() {
                    if n > 0 {
                        url.push('/');
                    }
                    url.extend(utf8_percent_encode(piece, SEGMENT));
                }
            } else {
                url.extend(utf8_percent_encode(value, SEGMENT));
            }
        } else {
            url.push_str(segment);
        }
    }
    let fixed = entry.fixed_query.iter().map(|(k, v)| (*k, *v));
    for (i, (name, value)) in fixed.chain(query.iter().copied()).enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.extend(utf8_percent_encode(name, QUERY));
        url.push('=');
        url.extend(utf8_percent_encode(value, QUERY));
    }
    Ok(url)
}

/// Builds a request from its parts (what [`Operation::request_in`] and routes use): `Accept`
/// asks for `wire`; a body's `Content-Type` names the form it is in (its first character says).
#[allow(clippy::too_many_arguments)]
pub fn build_request(
    entry: &'static Entry,
    wire: Wire,
    base: &BaseUrl,
    path_values: &[&str],
    query: &[(&str, &str)],
    body: Option<Vec<u8>>,
    session: Option<&SessionToken>,
    credentials: Option<&Credentials>,
) -> Result<http::Request<Vec<u8>>, ApiError> {
    let build_error = |message: String| ApiError::Build {
        operation: entry.name,
        message,
    };
    let url = build_url(entry, base, path_values, query)?;
    let mut builder = http::Request::builder()
        .method(entry.http_method())
        .uri(&url)
        .header(ACCEPT, wire.media_type());
    match entry.auth {
        Auth::None => {}
        Auth::Basic => {
            let credentials = credentials
                .ok_or_else(|| build_error("logon needs a user name and password".into()))?;
            let mut value = HeaderValue::from_str(&credentials.basic_authorization())
                .map_err(|e| build_error(format!("credentials: {e}")))?;
            value.set_sensitive(true);
            builder = builder.header(AUTHORIZATION, value);
        }
        Auth::Session => {
            let token = session.ok_or_else(|| {
                build_error(format!("a logon session is required ({SESSION_HEADER})"))
            })?;
            let mut value = HeaderValue::from_str(token.expose())
                .map_err(|e| build_error(format!("session token: {e}")))?;
            value.set_sensitive(true);
            builder = builder.header(SESSION_HEADER, value);
        }
    }
    if let Some(bytes) = &body {
        builder = builder.header(CONTENT_TYPE, Wire::sniff(bytes).media_type());
    } else if entry.request.is_some() && !entry.request_optional {
        return Err(build_error(format!(
            "the request needs a <{}> body",
            entry.request.unwrap_or_default()
        )));
    }
    builder
        .body(body.unwrap_or_default())
        .map_err(|e| build_error(e.to_string()))
}
