//! How a client talks to a server: where, as whom, how much it trusts and waits, how it
//! retries. Defaults are safe: TLS verified against the public roots, 10 s to connect, 60 s to
//! answer, four attempts for idempotent requests, 256 MiB per response.

use std::path::Path;
use std::time::Duration;

use veeam_em_api::{BaseUrl, Credentials};
use veeam_em_model::Wire;

use crate::error::ClientError;

/// What the client trusts in TLS.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Certificates (DER) to trust instead of the public roots. Enterprise Manager's
    /// certificate is self-signed or from an internal CA: when these are given, only they are
    /// trusted.
    pub ca_certificates: Vec<Vec<u8>>,
    /// Accept any certificate. Dangerous: anyone on the path can read the password and
    /// impersonate the server. Every request logs a warning.
    pub insecure_skip_verification: bool,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("ca_certificates", &self.ca_certificates.len())
            .field(
                "insecure_skip_verification",
                &self.insecure_skip_verification,
            )
            .finish()
    }
}

/// When and how often to repeat a request.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all (1: never repeat).
    pub max_attempts: u32,
    /// The first pause; each next one doubles, with full jitter.
    pub base_delay: Duration,
    /// The longest pause (also the cap of a server's `Retry-After`).
    pub max_delay: Duration,
    /// Statuses that are worth repeating an idempotent request for.
    pub statuses: Vec<u16>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            statuses: vec![502, 503, 504],
        }
    }
}

impl RetryPolicy {
    /// Never repeat a request.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The pause before attempt `attempt + 1` (attempt counts from 1): exponential with full
    /// jitter, or the server's `Retry-After` when it is longer, capped at `max_delay`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let jittered = ceiling.mul_f64(fastrand::f64());
        match retry_after {
            Some(after) => after.max(jittered).min(self.max_delay),
            None => jittered,
        }
    }
}

/// Everything a client needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The API base, e.g. `https://em:9398/api`.
    pub base: BaseUrl,
    /// Who logs on.
    pub credentials: Option<Credentials>,
    /// The API version to log on with: `latest` or e.g. `v1_7`.
    pub api_version: String,
    /// TLS trust.
    pub tls: TlsOptions,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest wait for the response once connected (and between pieces of its body).
    pub read_timeout: Duration,
    /// Longest time one call may take with all its attempts and the pauses between them: no
    /// retry starts that would end past it (`None`: only the attempts bound it).
    pub call_timeout: Option<Duration>,
    /// Repeating idempotent requests.
    pub retry: RetryPolicy,
    /// Largest response accepted.
    pub max_response_bytes: usize,
    /// Bounds on what the decoders accept of a response (depth, attributes, value length,
    /// items of a list; see `veeam_em_model::Limits`).
    pub limits: veeam_em_model::Limits,
    /// Content the schemas do not know is an error (else a warning, once per path).
    pub strict_unknown: bool,
    /// Page size of pagers when the query sets none.
    pub page_size: u32,
    /// Pages the async pager fetches at the same time.
    pub pages_in_flight: usize,
    /// The wire form requests ask for and send bodies in (XML, the server's default, or its
    /// JSON form). Responses are read in whatever form they come in.
    pub wire: Wire,
    /// Idle keep-alive connections kept per server between calls (`None`: the transport's
    /// default, no limit). A client of many servers that calls each one rarely, such as an
    /// exporter, keeps memory down with few or none.
    pub idle_connections_per_host: Option<usize>,
}

impl ClientConfig {
    /// A configuration with the defaults, for the API at `base` (a [`BaseUrl`]: e.g.
    /// [`BaseUrl::for_host`]`("em.example.com")` for `https://em.example.com:9398/api`).
    pub fn new(base: BaseUrl) -> Self {
        Self {
            base,
            credentials: None,
            api_version: "latest".to_owned(),
            tls: TlsOptions::default(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            call_timeout: None,
            retry: RetryPolicy::default(),
            max_response_bytes: 256 * 1024 * 1024,
            limits: veeam_em_model::Limits::DEFAULT,
            strict_unknown: false,
            page_size: 1000,
            pages_in_flight: 4,
            wire: Wire::Xml,
            idle_connections_per_host: None,
        }
    }

    /// Speaks `wire`: XML (the default) or the server's JSON form (`Accept` and
    /// `Content-Type: application/json`), as the Python clients of Enterprise Manager do.
    pub fn wire(mut self, wire: Wire) -> Self {
        self.wire = wire;
        self
    }

    /// Keeps at most `n` idle keep-alive connections per server between calls (0: close each
    /// connection once its answer is read).
    pub fn idle_connections_per_host(mut self, n: usize) -> Self {
        self.idle_connections_per_host = Some(n);
        self
    }

    /// Logs on as `credentials` ([`Credentials::new`]`(user, password)`; the password never
    /// shows in `Debug` output or logs).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Logs on with API version `version` (`latest`, `v1_7`...).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// Trusts the certificates of a PEM file (and, from then on, only the certificates given
    /// this way).
    pub fn ca_certificate_file(self, path: impl AsRef<Path>) -> Result<Self, ClientError> {
        let path = path.as_ref();
        let pem = std::fs::read(path).map_err(|e| {
            ClientError::Config(format!("cannot read the CA file {}: {e}", path.display()))
        })?;
        self.ca_certificate_pem(&pem)
            .map_err(|e| ClientError::Config(format!("{}: {e}", path.display())))
    }

    /// Trusts the certificates of PEM text.
    pub fn ca_certificate_pem(mut self, pem: &[u8]) -> Result<Self, ClientError> {
        let mut reader = std::io::BufReader::new(pem);
        let mut found = 0;
        for cert in rustls_pemfile::certs(&mut reader) {
            let cert =
                cert.map_err(|e| ClientError::Config(format!("not a PEM certificate: {e}")))?;
            self.tls.ca_certificates.push(cert.to_vec());
            found += 1;
        }
        if found == 0 {
            return Err(ClientError::Config(
                "no certificate (-----BEGIN CERTIFICATE-----) in the PEM".into(),
            ));
        }
        Ok(self)
    }

    /// Accepts any TLS certificate. Dangerous (anyone on the path can read the password and act
    /// as the server); every request logs a warning. Prefer `ca_certificate_file`.
    pub fn insecure_skip_certificate_verification(mut self) -> Self {
        self.tls.insecure_skip_verification = true;
        self
    }

    /// Timeouts to connect, and to wait for the response (and each piece of its body).
    pub fn timeouts(mut self, connect: Duration, read: Duration) -> Self {
        self.connect_timeout = connect;
        self.read_timeout = read;
        self
    }

    /// Bounds one call with all its retries (each attempt is bounded by [`timeouts`]): a
    /// retry whose pause would end past it is not made, and the last answer or error is
    /// returned.
    ///
    /// [`timeouts`]: ClientConfig::timeouts
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// How to repeat idempotent requests.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Bounds on what the decoders accept of a response.
    pub fn limits(mut self, limits: veeam_em_model::Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The largest response accepted.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Makes content the schemas do not know an error.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict_unknown = strict;
        self
    }

    /// Page size of pagers, and pages the async pager fetches at once.
    pub fn paging(mut self, page_size: u32, pages_in_flight: usize) -> Self {
        self.page_size = page_size.max(1);
        self.pages_in_flight = pages_in_flight.max(1);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_with_jitter_and_honour_retry_after() {
        let p = RetryPolicy::default();
        for attempt in 1..10 {
            let d = p.delay(attempt, None);
            assert!(
                d <= p.base_delay * (1 << (attempt - 1)).min(50),
                "{attempt}: {d:?}"
            );
            assert!(d <= p.max_delay);
        }
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(p.delay(1, Some(Duration::from_secs(3600))), p.max_delay);
    }

    #[test]
    fn ca_files_must_hold_certificates() {
        let base = BaseUrl::parse("https://em:9398/api").unwrap();
        assert!(ClientConfig::new(base.clone())
            .ca_certificate_pem(b"not a certificate")
            .is_err());
        assert!(ClientConfig::new(base)
            .ca_certificate_file("/nonexistent/ca.pem")
            .is_err());
    }
}
