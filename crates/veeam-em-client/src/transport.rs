//! The seam between the client and HTTP: a transport sends an `http::Request<Vec<u8>>` and gives
//! back an `http::Response<Vec<u8>>`, or says which transport stage failed. Blocking and async,
//! implemented for closures (a user's own tests, recorded answers), the embedded simulator
//! (in process), ureq (blocking) and reqwest (async).

use std::future::Future;

/// A request as the resource layer builds it.
pub type HttpRequest = http::Request<Vec<u8>>;
/// A response with its whole body.
pub type HttpResponse = http::Response<Vec<u8>>;

/// What went wrong in a transport, by stage.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No connection: the host does not resolve or does not answer, the port is closed.
    #[error("cannot connect to {target}: {message}")]
    Connect {
        /// Host and port (or URL) tried.
        target: String,
        /// Why.
        message: String,
    },
    /// The TLS handshake failed (an untrusted or invalid certificate, most often).
    #[error("TLS failed with {target}: {message}")]
    Tls {
        /// Host and port.
        target: String,
        /// What the TLS library said (e.g. `invalid peer certificate: UnknownIssuer`).
        message: String,
    },
    /// A timeout passed.
    #[error("timed out {stage} after {seconds:.1} s")]
    Timeout {
        /// `while connecting` or `waiting for the response`.
        stage: &'static str,
        /// The timeout.
        seconds: f64,
    },
    /// The connection closed or failed while the response was read (a truncated body, a
    /// dropped connection).
    #[error("reading the response failed: {message}")]
    BodyRead {
        /// Why.
        message: String,
    },
    /// The response is larger than the client accepts.
    #[error("the response is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// Anything else the transport reports.
    #[error("{0}")]
    Other(String),
}

impl TransportError {
    /// Whether repeating the request may help (the connection failed or broke; a timeout).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            TransportError::Connect { .. }
                | TransportError::Timeout { .. }
                | TransportError::BodyRead { .. }
        )
    }
}

/// Sends requests, blocking.
pub trait Transport: Send + Sync {
    /// Sends `request` and reads the whole response.
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// A closure is a transport: `|request| Ok(response)`.
impl<F> Transport for F
where
    F: Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync,
{
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self(request)
    }
}

/// Sends requests, asynchronously.
pub trait AsyncTransport: Send + Sync {
    /// Sends `request` and reads the whole response.
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send;
}

/// An async closure is a transport: `|request| async { Ok(response) }`.
impl<F, Fut> AsyncTransport for F
where
    F: Fn(HttpRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send,
{
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
        self(request)
    }
}

/// The message of a failure to reach a server, the same from both transports: a name that
/// does not resolve says so first, whatever words the resolver used.
#[cfg(any(feature = "blocking", feature = "async"))]
pub(crate) fn connect_message(detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    let dns = [
        "failed to lookup address",
        "dns error",
        "host not found",
        "name or service not known",
    ];
    if dns.iter().any(|d| lower.contains(d)) {
        format!("the host name does not resolve ({detail})")
    } else {
        detail.to_owned()
    }
}

/// The rustls error somewhere in an error's chain (looking inside `io::Error`s, which hide
/// their inner error from `source()`).
#[cfg(any(feature = "blocking", feature = "async"))]
pub(crate) fn tls_cause<'e>(
    mut error: Option<&'e (dyn std::error::Error + 'static)>,
) -> Option<&'e rustls::Error> {
    while let Some(e) = error {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            error = Some(inner);
            continue;
        }
        error = e.source();
    }
    None
}
