//! Decoding responses: the status check shared by every operation, and [`FromResponse`], which
//! the generated code implements for every representation. A body is read in the form it comes
//! in (its `Content-Type`, else its first character), whatever form was asked for; a server
//! answer ([`ToResponse`]) is written in the form the request's `Accept` asks for.

use http::header::CONTENT_TYPE;
use veeam_em_model::json::JsonType;
use veeam_em_model::{LogonSession, RootElement, Wire};

use crate::entry::Entry;
use crate::error::snippet;
use crate::secret::SESSION_HEADER;
use crate::{ApiError, SessionToken};

/// Types a successful response decodes into.
pub trait FromResponse: Sized {
    /// Decodes a response whose status was already found successful.
    fn from_response(
        entry: &'static Entry,
        response: &http::Response<&[u8]>,
    ) -> Result<Self, ApiError>;
}

/// No body expected (e.g. `204 No Content`).
impl FromResponse for () {
    fn from_response(_: &'static Entry, _: &http::Response<&[u8]>) -> Result<Self, ApiError> {
        Ok(())
    }
}

/// The logon session's unknown content.
impl veeam_em_model::xml::CollectUnknown for LoggedOn {
    fn collect_unknown(&self, path: &mut String, found: &mut dyn FnMut(&str)) {
        veeam_em_model::xml::CollectUnknown::collect_unknown(&self.session, path, found);
    }
}

/// What a server answers with: the reverse of [`FromResponse`], for every operation's output.
pub trait ToResponse {
    /// The success response of `entry` carrying `self`, in `wire` form.
    fn to_response(&self, entry: &'static Entry, wire: Wire) -> http::Response<Vec<u8>>;
}

/// No body: the entry's status (e.g. `204 No Content`).
impl ToResponse for () {
    fn to_response(&self, entry: &'static Entry, _wire: Wire) -> http::Response<Vec<u8>> {
        let mut response = http::Response::new(Vec::new());
        *response.status_mut() = status_of(entry);
        response
    }
}

/// The content type of every XML body.
pub const XML_CONTENT_TYPE: &str = "application/xml; charset=utf-8";

fn status_of(entry: &Entry) -> http::StatusCode {
    http::StatusCode::from_u16(entry.status()).unwrap_or(http::StatusCode::OK)
}

/// A document in `wire` form.
pub fn encode<T: RootElement + JsonType + serde::Serialize>(value: &T, wire: Wire) -> Vec<u8> {
    match wire {
        Wire::Xml => veeam_em_model::to_string(value).into_bytes(),
        Wire::Json => veeam_em_model::json::to_string(value).into_bytes(),
    }
}

/// A response with `value` as its body in `wire` form and the entry's success status.
pub fn encode_body<T: RootElement + JsonType + serde::Serialize>(
    entry: &'static Entry,
    value: &T,
    wire: Wire,
) -> http::Response<Vec<u8>> {
    body_response(status_of(entry), encode(value, wire), wire)
}

/// A response with a body in `wire` form.
pub fn body_response(
    status: http::StatusCode,
    body: Vec<u8>,
    wire: Wire,
) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static(wire.content_type()),
    );
    response
}

/// The form of a response body: the one its `Content-Type` names (`None` for a type that is
/// neither), else the one its first character says.
pub fn body_form<B: AsRef<[u8]>>(response: &http::Response<B>) -> Option<Wire> {
    match response.headers().get(CONTENT_TYPE) {
        Some(value) => {
            let text = String::from_utf8_lossy(value.as_bytes()).to_ascii_lowercase();
            if text.contains("json") {
                Some(Wire::Json)
            } else if text.contains("xml") {
                Some(Wire::Xml)
            } else {
                None
            }
        }
        None => Some(Wire::sniff(response.body().as_ref())),
    }
}

/// Turns a non-2xx status into [`ApiError::Status`], with the server's `<Error>` when it sent one.
pub fn check_status(
    entry: &'static Entry,
    response: &http::Response<&[u8]>,
) -> Result<(), ApiError> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body = *response.body();
    let error = match body_form(response).unwrap_or_else(|| Wire::sniff(body)) {
        Wire::Xml => veeam_em_model::from_slice::<veeam_em_model::Error>(body).ok(),
        Wire::Json => veeam_em_model::json::from_slice::<veeam_em_model::Error>(body).ok(),
    }
    .map(Box::new);
    Err(ApiError::Status {
        operation: entry.name,
        status,
        error,
        body: body.to_vec(),
    })
}

/// Decodes the body of a successful response as the document `T`, in the form it comes in
/// (checked first: a proxy's page is named as such, not as a decode error).
pub fn decode_body<T: RootElement + JsonType>(
    entry: &'static Entry,
    response: &http::Response<&[u8]>,
) -> Result<T, ApiError> {
    let body = *response.body();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::EmptyBody {
            operation: entry.name,
            status: response.status(),
            expected: T::ELEMENT,
        });
    }
    let Some(wire) = body_form(response) else {
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        return Err(ApiError::ContentType {
            operation: entry.name,
            content_type,
            snippet: snippet(body),
            body: body.to_vec(),
        });
    };
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &body[i..])
        .unwrap_or_default();
    let start = start.strip_prefix("\u{feff}".as_bytes()).unwrap_or(start);
    let looks_right = match wire {
        Wire::Xml => start.starts_with(b"<"),
        Wire::Json => start.starts_with(b"{") || start.starts_with(b"["),
    };
    if !looks_right {
        return Err(ApiError::NotTheForm {
            operation: entry.name,
            expected: wire,
            snippet: snippet(body),
            body: body.to_vec(),
        });
    }
    let decoded = match wire {
        Wire::Xml => veeam_em_model::from_slice(body),
        Wire::Json => veeam_em_model::json::from_slice(body),
    };
    decoded.map_err(|source| ApiError::Decode {
        operation: entry.name,
        source,
        body: body.to_vec(),
    })
}

/// The result of logon: the new session and the token to send with later requests.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedOn {
    /// The `<LogonSession>` document.
    pub session: LogonSession,
    /// From the `X-RestSvcSessionId` response header (or, failing that, the cookie of that name).
    pub token: SessionToken,
}

/// The logon session as the body, the token in the `X-RestSvcSessionId` header and cookie.
impl ToResponse for LoggedOn {
    fn to_response(&self, entry: &'static Entry, wire: Wire) -> http::Response<Vec<u8>> {
        let mut response = encode_body(entry, &self.session, wire);
        let headers = response.headers_mut();
        if let Ok(mut value) = http::HeaderValue::from_str(self.token.expose()) {
            value.set_sensitive(true);
            headers.insert(SESSION_HEADER, value);
        }
        let cookie = format!("{SESSION_HEADER}={}; Path=/api;", self.token.expose());
        if let Ok(mut value) = http::HeaderValue::from_str(&cookie) {
            value.set_sensitive(true);
            headers.insert(http::header::SET_COOKIE, value);
        }
        response
    }
}

impl FromResponse for LoggedOn {
    fn from_response(
        entry: &'static Entry,
        response: &http::Response<&[u8]>,
    ) -> Result<Self, ApiError> {
        let session = decode_body::<LogonSession>(entry, response)?;
        let header = response
            .headers()
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let cookie = || {
            response
                .headers()
                .get_all(http::header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(|c| {
                    let (name, rest) = c.split_once('=')?;
                    (name.trim() == SESSION_HEADER)
                        .then(|| rest.split(';').next().unwrap_or("").trim().to_owned())
                })
        };
        let token =
            header
                .or_else(cookie)
                .filter(|t| !t.is_empty())
                .ok_or(ApiError::MissingHeader {
                    operation: entry.name,
                    header: SESSION_HEADER,
                })?;
        Ok(Self {
            session,
            token: SessionToken::new(token),
        })
    }
}
