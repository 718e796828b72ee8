//! Clients of the Veeam Backup Enterprise Manager REST API, on the sans-IO resource layer
//! (`veeam-em-api`).
//!
//! - [`Client`] (blocking) and [`AsyncClient`] log on when first needed and keep the token, log
//!   on again once when a session expired (idempotent operations only), repeat idempotent
//!   requests on 502/503/504 and broken connections with exponential backoff and jitter
//!   (honouring `Retry-After`), wait for tasks, and page through query results decoding items
//!   one at a time (the async client with several pages in flight).
//! - Transports are a seam: [`Transport`] and [`AsyncTransport`], for closures, the embedded
//!   simulator ([`SimTransport`], feature `sim`), ureq ([`UreqTransport`], feature `blocking`)
//!   and reqwest ([`ReqwestTransport`], feature `async`), both on rustls with the ring provider.
//! - Errors ([`ClientError`]) say which stage failed: transport (connect, TLS, timeout, body,
//!   size), the API's stages (status with the server's `<Error>`, body, decode), or the client's.
//! - TLS is verified by default; [`ClientConfig::ca_certificate_file`] trusts an Enterprise
//!   Manager's own certificate; skipping verification needs
//!   [`ClientConfig::insecure_skip_certificate_verification`] and warns on every request.
//! - The API's types a configuration names are re-exported here: [`BaseUrl`] (where the API is:
//!   [`BaseUrl::for_host`] for `https://HOST:9398/api`, [`BaseUrl::parse`] for any URL) and
//!   [`Credentials`] (who logs on; the password is redacted in `Debug`), so a program needs no
//!   other import to connect. Operations come from [`veeam_em_api::api`].
//! - Logs go through `tracing` and never hold the password or the session token. Content the
//!   schemas do not know is reported once per path (or refused with
//!   [`ClientConfig::strict`]): this is how a server newer than the schemas shows.
//!
//! ```no_run
//! use veeam_em_api::api;
//! use veeam_em_api::query::Query;
//! use veeam_em_client::{BaseUrl, Client, ClientConfig, Credentials};
//!
//! let config = ClientConfig::new(BaseUrl::for_host("em.example.com")?)
//!     .credentials(Credentials::new("CORP\\svc", "secret"))
//!     .ca_certificate_file("em-ca.pem")?;
//! let client = Client::connect(config)?;
//! for session in client.query_entities(api::query().cdp_replica_task_session(Query::new())) {
//!     let session = session?;
//!     println!("{} {:?}", session.name.as_deref().unwrap_or(""), session.state);
//! }
//! client.logout()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "async")]
mod asynchronous;
mod blocking;
mod config;
mod engine;
mod error;
#[cfg(feature = "async")]
mod reqwest_transport;
#[cfg(feature = "sim")]
mod sim_transport;
mod transport;
#[cfg(feature = "blocking")]
mod ureq_transport;

#[cfg(feature = "async")]
pub use asynchronous::AsyncClient;
pub use blocking::{Client, QueryItems, RefItems};
pub use config::{ClientConfig, RetryPolicy, TlsOptions};
pub use error::ClientError;
#[cfg(feature = "async")]
pub use reqwest_transport::ReqwestTransport;
#[cfg(feature = "sim")]
pub use sim_transport::SimTransport;
pub use transport::{AsyncTransport, HttpRequest, HttpResponse, Transport, TransportError};
#[cfg(feature = "blocking")]
pub use ureq_transport::UreqTransport;
pub use veeam_em_api::{BaseUrl, Credentials};
