//! Error answers: the status and an `<Error>` body (or its JSON form,
//! `{"Message": ..., "StatusCode": ...}`), as Enterprise Manager writes them (with `Message` and
//! `StatusCode`, without the `Status` attribute real servers leave out).

use http::{HeaderValue, StatusCode};
use veeam_em_api::response::{body_response, encode};
use veeam_em_model::Wire;

/// An answer that is not a success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub status: StatusCode,
    pub message: String,
    /// Extra headers (`Allow` for 405, `WWW-Authenticate` for 401).
    pub headers: Vec<(&'static str, String)>,
}

impl Failure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 401 with the challenge Enterprise Manager sends.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        let mut f = Self::new(StatusCode::UNAUTHORIZED, message);
        f.headers
            .push(("www-authenticate", r#"Basic realm="RestSvc""#.to_owned()));
        f
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The response, its body in `wire` form.
    pub fn response(&self, wire: Wire) -> http::Response<Vec<u8>> {
        error_response(self.status, &self.message, &self.headers, wire)
    }
}

/// A response with an `<Error>` body in `wire` form.
pub(crate) fn error_response(
    status: StatusCode,
    message: &str,
    headers: &[(&'static str, String)],
    wire: Wire,
) -> http::Response<Vec<u8>> {
    let error = veeam_em_model::Error {
        message: message.into(),
        status_code: i32::from(status.as_u16()),
        status: None,
        first_chance_exception_message: None,
        stack_trace: None,
        unknown: Default::default(),
    };
    let mut response = body_response(status, encode(&error, wire), wire);
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, value);
        }
    }
    response
}
