//! The client's error: the resource layer's stages ([`ApiError`]: build, HTTP status with the
//! server's `<Error>`, body form, decode) plus the transport's (connect, TLS, timeout, body
//! read, size) and the client's own (unknown content in strict mode, tasks).

use std::time::Duration;

use veeam_em_api::ApiError;

use crate::transport::TransportError;

/// Something went wrong with a call; the variant says at which stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The request could not be sent or its response not read.
    #[error("{operation}: {source}")]
    Transport {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// What the transport said.
        #[source]
        source: TransportError,
    },
    /// The resource layer refused the request or the response (see [`ApiError`]).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// In strict mode: the response holds content the schemas do not know.
    #[error("{operation}: the server sent content the schemas do not know: {}", .paths.join(", "))]
    UnknownContent {
        /// Catalogue name of the operation.
        operation: &'static str,
        /// Where, e.g. `CdpReplicaSession/PolicyKind`.
        paths: Vec<String>,
    },
    /// The client has no credentials to log on with.
    #[error("no credentials to log on with")]
    NoCredentials,
    /// A task finished without success.
    #[error("task {task_id} failed: {message}")]
    TaskFailed {
        /// The task.
        task_id: String,
        /// The server's message.
        message: String,
    },
    /// A task did not finish in time.
    #[error("task {task_id} did not finish within {waited:?}")]
    TaskTimeout {
        /// The task.
        task_id: String,
        /// How long it was waited for.
        waited: Duration,
    },
    /// A setting is not usable (e.g. a CA file that holds no certificate).
    #[error("{0}")]
    Config(String),
}

impl ClientError {
    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<http::StatusCode> {
        match self {
            ClientError::Api(e) => e.status(),
            _ => None,
        }
    }

    /// The server's `<Error>` message, when it sent one.
    pub fn server_message(&self) -> Option<&str> {
        match self {
            ClientError::Api(ApiError::Status {
                error: Some(error), ..
            }) => Some(&error.message),
            _ => None,
        }
    }
}
