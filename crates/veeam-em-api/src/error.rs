//! The one error type of the resource layer. Each variant is a stage: building the request, the
//! HTTP status (with the server's `<Error>`), the body's form, decoding. Bodies are kept.
//!
//! `Display` says what failed in one line and does not repeat its [`source`]
//! (`std::error::Error::source`): print the chain (`anyhow` does) to see the decode position.
//! `Debug` shows bodies as text (lossy UTF-8, cut at 1,000 characters, with their length).

use std::fmt;

use http::StatusCode;
use veeam_em_model::DecodeError;

/// Something went wrong with an operation; the variant says at which stage.
#[derive(thiserror::Error)]
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
    /// A success status, but the body is declared as neither XML nor JSON.
    #[error(
        "{operation}: expected an XML or JSON body, got content type {content_type:?}: {snippet}"
    )]
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
    /// A success status, but the body is not a document in the form it claims (or, without a
    /// `Content-Type`, in either form): a proxy's text, an HTML page.
    #[error("{operation}: expected a body in the {expected} form, got: {snippet}")]
    NotTheForm {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// The form the `Content-Type` names (XML without one).
        expected: veeam_em_model::Wire,
        /// The start of the body.
        snippet: String,
        /// The raw body.
        body: Vec<u8>,
    },
    /// A success status with an empty body where a document was expected.
    #[error("{operation}: HTTP {status} with an empty body, expected <{expected}>")]
    EmptyBody {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// The status received.
        status: StatusCode,
        /// The root element expected.
        expected: &'static str,
    },
    /// The body is XML or JSON but not the expected document.
    #[error("{operation}: cannot decode the response body")]
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
            | Self::NotTheForm { body, .. }
            | Self::Decode { body, .. } => Some(body),
            Self::Build { .. } | Self::MissingHeader { .. } | Self::EmptyBody { .. } => None,
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

/// A body in `Debug` output: text, not a list of byte values.
struct BodyDebug<'a>(&'a [u8]);

impl fmt::Debug for BodyDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 1000;
        let text = String::from_utf8_lossy(self.0);
        let shown: String = text.chars().take(SHOWN).collect();
        let cut = if shown.len() < text.len() { "…" } else { "" };
        write!(f, "{shown:?}{cut} ({} bytes)", self.0.len())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build { operation, message } => f
                .debug_struct("Build")
                .field("operation", operation)
                .field("message", message)
                .finish(),
            Self::Status {
                operation,
                status,
                error,
                body,
            } => f
                .debug_struct("Status")
                .field("operation", operation)
                .field("status", status)
                .field("error", error)
                .field("body", &BodyDebug(body))
                .finish(),
            Self::ContentType {
                operation,
                content_type,
                snippet: _,
                body,
            } => f
                .debug_struct("ContentType")
                .field("operation", operation)
                .field("content_type", content_type)
                .field("body", &BodyDebug(body))
                .finish(),
            Self::NotTheForm {
                operation,
                expected,
                snippet: _,
                body,
            } => f
                .debug_struct("NotTheForm")
                .field("operation", operation)
                .field("expected", expected)
                .field("body", &BodyDebug(body))
                .finish(),
            Self::EmptyBody {
                operation,
                status,
                expected,
            } => f
                .debug_struct("EmptyBody")
                .field("operation", operation)
                .field("status", status)
                .field("expected", expected)
                .finish(),
            Self::Decode {
                operation,
                source,
                body,
            } => f
                .debug_struct("Decode")
                .field("operation", operation)
                .field("source", source)
                .field("body", &BodyDebug(body))
                .finish(),
            Self::MissingHeader { operation, header } => f
                .debug_struct("MissingHeader")
                .field("operation", operation)
                .field("header", header)
                .finish(),
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
