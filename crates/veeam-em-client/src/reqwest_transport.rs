//! The async transport on reqwest (tokio, rustls with the ring provider): connection pooling,
//! timeouts, the TLS trust of the configuration, a limit on the response size.

use crate::config::ClientConfig;
use crate::error::ClientError;
use crate::transport::{AsyncTransport, HttpRequest, HttpResponse, TransportError};

/// Sends requests with reqwest.
///
/// Clones share one HTTP client and its pool of kept connections. The client is made by
/// [`ReqwestTransport::new`], dropped by [`ReqwestTransport::close_idle_connections`] and made
/// again by the next request: a program that calls many servers now and then (an exporter)
/// holds no connection between its rounds.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: std::sync::Arc<std::sync::Mutex<Option<reqwest::Client>>>,
    recipe: std::sync::Arc<Recipe>,
    limit: usize,
}

/// What a reqwest client is made from (the configuration's transport settings).
#[derive(Debug)]
struct Recipe {
    connect_timeout: std::time::Duration,
    read_timeout: std::time::Duration,
    ca_certificates: Vec<reqwest::Certificate>,
    insecure: bool,
    idle_connections_per_host: Option<usize>,
}

impl Recipe {
    fn build(&self) -> Result<reqwest::Client, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("veeam-em/", env!("CARGO_PKG_VERSION")));
        if !self.ca_certificates.is_empty() {
            builder = builder.tls_built_in_root_certs(false);
            for cert in &self.ca_certificates {
                builder = builder.add_root_certificate(cert.clone());
            }
        }
        if self.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if let Some(idle) = self.idle_connections_per_host {
            builder = builder.pool_max_idle_per_host(idle);
        }
        builder.build()
    }
}

impl ReqwestTransport {
    /// A transport with the timeouts, TLS trust and size limit of `config`.
    pub fn new(config: &ClientConfig) -> Result<Self, ClientError> {
        let ca_certificates = config
            .tls
            .ca_certificates
            .iter()
            .map(|der| reqwest::Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ClientError::Config(format!("a CA certificate: {e}")))?;
        let recipe = Recipe {
            connect_timeout: config.connect_timeout,
            read_timeout: config.read_timeout,
            ca_certificates,
            insecure: config.tls.insecure_skip_verification,
            idle_connections_per_host: config.idle_connections_per_host,
        };
        // Made once here so that a bad setting is an error now, not at the first request.
        let client = recipe
            .build()
            .map_err(|e| ClientError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client: std::sync::Arc::new(std::sync::Mutex::new(Some(client))),
            recipe: std::sync::Arc::new(recipe),
            limit: config.max_response_bytes,
        })
    }

    /// Closes the connections kept alive for later requests, of this transport and its clones
    /// (requests under way finish on theirs). The next request makes a new HTTP client. For a
    /// program that is done with a server for a while: a kept connection holds its read
    /// buffer (tens of KB once a large answer has been read) until then.
    pub fn close_idle_connections(&self) {
        let dropped = self
            .client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        drop(dropped);
    }

    /// The HTTP client, made again if it was closed.
    fn client(&self) -> Result<reqwest::Client, TransportError> {
        let mut slot = self
            .client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = slot.as_ref() {
            return Ok(client.clone());
        }
        let client = self
            .recipe
            .build()
            .map_err(|e| TransportError::Other(format!("cannot build the HTTP client: {e}")))?;
        *slot = Some(client.clone());
        Ok(client)
    }

    fn error(&self, error: reqwest::Error, target: &str) -> TransportError {
        if let Some(tls) = crate::transport::tls_cause(Some(&error)) {
            return TransportError::Tls {
                target: target.to_owned(),
                message: tls.to_string(),
            };
        }
        if error.is_timeout() {
            let connecting = error.is_connect();
            return TransportError::Timeout {
                stage: if connecting {
                    "while connecting"
                } else {
                    "waiting for the response"
                },
                seconds: if connecting {
                    self.recipe.connect_timeout.as_secs_f64()
                } else {
                    self.recipe.read_timeout.as_secs_f64()
                },
            };
        }
        if error.is_connect() {
            return TransportError::Connect {
                target: target.to_owned(),
                message: crate::transport::connect_message(&chain(&error)),
            };
        }
        if error.is_body() || error.is_decode() || error.is_request() {
            return TransportError::BodyRead {
                message: chain(&error),
            };
        }
        TransportError::Other(chain(&error))
    }
}

/// An error and its sources, joined.
fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

impl AsyncTransport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let target = request
            .uri()
            .authority()
            .map_or_else(|| request.uri().to_string(), ToString::to_string);
        let request = reqwest::Request::try_from(request)
            .map_err(|e| TransportError::Other(format!("cannot send the request: {e}")))?;
        let mut response = self
            .client()?
            .execute(request)
            .await
            .map_err(|e| self.error(e, &target))?;
        let mut builder = http::Response::builder()
            .status(response.status())
            .version(response.version());
        if let Some(headers) = builder.headers_mut() {
            *headers = std::mem::take(response.headers_mut());
        }
        // Sized from Content-Length (within the limit) so a large page is not copied as it grows.
        let expected = response.content_length().unwrap_or(0);
        let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0).min(self.limit));
        while let Some(chunk) = response.chunk().await.map_err(|e| self.error(e, &target))? {
            if body.len() + chunk.len() > self.limit {
                return Err(TransportError::TooLarge { limit: self.limit });
            }
            body.extend_from_slice(&chunk);
        }
        builder
            .body(body)
            .map_err(|e| TransportError::Other(e.to_string()))
    }
}
