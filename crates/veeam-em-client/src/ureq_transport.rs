//! The blocking transport on ureq (rustls with the ring provider): connection pooling,
//! timeouts, the TLS trust of the configuration, a limit on the response size.

use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

use crate::config::ClientConfig;
use crate::error::ClientError;
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// Sends requests with ureq.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    limit: usize,
    connect_timeout: std::time::Duration,
    read_timeout: std::time::Duration,
}

impl UreqTransport {
    /// A transport with the timeouts, TLS trust and size limit of `config`.
    pub fn new(config: &ClientConfig) -> Result<Self, ClientError> {
        let mut tls = TlsConfig::builder().provider(TlsProvider::Rustls);
        if !config.tls.ca_certificates.is_empty() {
            let certs: Vec<Certificate<'static>> = config
                .tls
                .ca_certificates
                .iter()
                .map(|der| Certificate::from_der(der).to_owned())
                .collect();
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        if config.tls.insecure_skip_verification {
            tls = tls.disable_verification(true);
        }
        let mut agent = ureq::Agent::config_builder().http_status_as_error(false);
        if let Some(idle) = config.idle_connections_per_host {
            agent = agent.max_idle_connections_per_host(idle);
        }
        let agent: ureq::Agent = agent
            .timeout_connect(Some(config.connect_timeout))
            .timeout_recv_response(Some(config.read_timeout))
            .timeout_recv_body(Some(config.read_timeout))
            .tls_config(tls.build())
            .user_agent(concat!("veeam-em/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Self {
            agent,
            limit: config.max_response_bytes,
            connect_timeout: config.connect_timeout,
            read_timeout: config.read_timeout,
        })
    }

    fn error(&self, error: ureq::Error, target: &str, reading: bool) -> TransportError {
        let target = target.to_owned();
        match error {
            ureq::Error::Timeout(which) => {
                let connecting = matches!(which, ureq::Timeout::Connect | ureq::Timeout::Resolve);
                TransportError::Timeout {
                    stage: if connecting {
                        "while connecting"
                    } else {
                        "waiting for the response"
                    },
                    seconds: if connecting {
                        self.connect_timeout.as_secs_f64()
                    } else {
                        self.read_timeout.as_secs_f64()
                    },
                }
            }
            ureq::Error::HostNotFound => TransportError::Connect {
                target,
                message: crate::transport::connect_message("host not found"),
            },
            ureq::Error::ConnectionFailed => TransportError::Connect {
                target,
                message: "the connection failed".into(),
            },
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                TransportError::Connect {
                    target,
                    message: e.to_string(),
                }
            }
            ureq::Error::Rustls(e) => TransportError::Tls {
                target,
                message: e.to_string(),
            },
            ureq::Error::Tls(message) => TransportError::Tls {
                target,
                message: message.to_owned(),
            },
            ureq::Error::BodyExceedsLimit(_) => TransportError::TooLarge { limit: self.limit },
            ureq::Error::Io(e) => {
                // rustls reports certificate problems through io errors during the handshake.
                if let Some(tls) = crate::transport::tls_cause(Some(&e)) {
                    return TransportError::Tls {
                        target,
                        message: tls.to_string(),
                    };
                }
                // Before an answer arrived, an io error is about reaching the server (the
                // resolver's "failed to lookup address information" among them).
                if !reading {
                    return TransportError::Connect {
                        target,
                        message: crate::transport::connect_message(&e.to_string()),
                    };
                }
                TransportError::BodyRead {
                    message: e.to_string(),
                }
            }
            ureq::Error::Protocol(e) => TransportError::BodyRead {
                message: e.to_string(),
            },
            other => TransportError::Other(other.to_string()),
        }
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let target = request
            .uri()
            .authority()
            .map_or_else(|| request.uri().to_string(), ToString::to_string);
        let response = self
            .agent
            .run(request)
            .map_err(|e| self.error(e, &target, false))?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(self.limit as u64)
            .read_to_vec()
            .map_err(|e| self.error(e, &target, true))?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}
