//! The one error type of the resource layer. Each variant is a stage: building the request, the
//! HTTP status (with the server's `<Error>`), the body's form, decoding. Bodies are kept.

use http::StatusCode;
use veeam_em_model::DecodeError;

/// Something went wrong with an operation; the variant says at which stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request could not be built (e.g. no session token for an operation that needs one).
    #[error("{operation}: cannot build the request: {message}")]
    Build {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// What is missing or wrong.
        message: String,
    },
    /// The server answered with an error status.
    #[error("{operation}: HTTP {status}{}", server_message(.error))]
    Status {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// The status received.
        status: StatusCode,
        /// The server's `<Error>` document, when the body held one.
        error: Option<Box<veeam_em_model::Error>>,
        /// The raw body.
        body: Vec<u8>,
    },
    /// A success status, but the body is declared as something other than XML.
    #[error("{operation}: expected an XML body, got content type {content_type:?}: {snippet}")]
    ContentType {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// The `Content-Type` header received.
        content_type: String,
        /// The start of the body.
        snippet: String,
        /// The raw body.
        body: Vec<u8>,
    },
    /// A success status, but the body is not XML at all.
    #[error("{operation}: expected an XML body, got: {snippet}")]
    NotXml {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// The start of the body.
        snippet: String,
        /// The raw body.
        body: Vec<u8>,
    },
    /// The body is XML but not the expected document.
    #[error("{operation}: cannot decode the response body: {source}")]
    Decode {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// The positioned decode error.
        source: DecodeError,
        /// The raw body.
        body: Vec<u8>,
    },
    /// A header the operation needs is missing from the response (e.g. the session token).
    #[error("{operation}: the response lacks the {header} header")]
    MissingHeader {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// The header name.
        header: &'static str,
    },
}

fn server_message(error: &Option<Box<veeam_em_model::Error>>) -> String {
    match error {
        Some(e) => format!(": {} (StatusCode {})", e.message, e.status_code),
        None => String::new(),
    }
}

impl ApiError {
    /// The raw response body, for the stages that have one.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Self::Status { body, .. }
            | Self::ContentType { body, .. }
            | Self::NotXml { body, .. }
            | Self::Decode { body, .. } => Some(body),
            Self::Build { .. } | Self::MissingHeader { .. } => None,
        }
    }

    /// The HTTP status, for [`ApiError::Status`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The first 200 characters of a body, for messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        s.push('…');
    }
    s
}
