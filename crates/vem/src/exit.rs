//! How `vem` ends: one line on standard error and an exit status that says what kind of problem
//! it was, so that scripts can tell a wrong password from a server that is down.
//!
//! | status | meaning |
//! | ---: | --- |
//! | 0 | success |
//! | 1 | a local problem: an unreadable file, a document that does not decode, a failed task |
//! | 2 | usage: an unknown command or option, a missing argument |
//! | 3 | cannot connect: the host does not resolve or answer, a timeout, a dropped connection |
//! | 4 | TLS: the server's certificate is not trusted (see `--ca-cert`) |
//! | 5 | bad credentials or no valid session (HTTP 401) |
//! | 6 | not found (HTTP 404) |
//! | 7 | the server refused or failed (any other HTTP error status), with its `<Error>` message |
//! | 8 | a bad response body: not XML, not the expected document |

use veeam_em_api::ApiError;
use veeam_em_client::{ClientError, TransportError};

/// The exit statuses of `vem`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Local = 1,
    Usage = 2,
    Connect = 3,
    Tls = 4,
    Credentials = 5,
    NotFound = 6,
    Server = 7,
    BadBody = 8,
}

/// Why `vem` failed: the status and the one-line message.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self::new(Exit::Local, message)
    }
}

/// The error and its sources on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = e.source();
    }
    out
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Self {
        let message = chain(&error);
        let exit = match &error {
            ClientError::Transport { source, .. } => match source {
                // A TLS hello answered by an HTTP server: rustls reads its text as a record
                // of an invalid content type.
                TransportError::Tls { .. } if message.contains("InvalidContentType") => {
                    return Failure::new(
                        Exit::Tls,
                        format!(
                            "{message}\n  the server answered plain HTTP, not TLS: give the URL with http:// (e.g. --url http://HOST:PORT/api)"
                        ),
                    )
                }
                TransportError::Tls { .. } => {
                    return Failure::new(
                        Exit::Tls,
                        format!(
                            "{message}\n  the server's certificate is not trusted: give its CA (or the certificate itself) with --ca-cert FILE"
                        ),
                    )
                }
                TransportError::TooLarge { .. } => Exit::BadBody,
                _ => Exit::Connect,
            },
            ClientError::Api(api) => match api {
                ApiError::Status { status, .. } => match status.as_u16() {
                    401 => Exit::Credentials,
                    404 => Exit::NotFound,
                    _ => Exit::Server,
                },
                ApiError::Build { .. } => Exit::Local,
                _ => Exit::BadBody,
            },
            ClientError::UnknownContent { .. } => Exit::BadBody,
            ClientError::NoCredentials => Exit::Credentials,
            ClientError::Config(_) => Exit::Usage,
            _ => Exit::Local,
        };
        Failure::new(exit, message)
    }
}
