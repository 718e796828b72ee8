//! An embedded Veeam Backup Enterprise Manager: a simulator that answers the REST API the way
//! the reference describes it, so that clients, `vem` and tests run with no Veeam server.
//!
//! - [`Simulator`] is the sans-IO core: its state and [`Simulator::handle`], an
//!   `http::Request<Vec<u8>>` in and an `http::Response<Vec<u8>>` out, with no sockets and no
//!   async runtime. It is itself a transport an in-process client can call.
//! - [`server`] (feature `server`, on by default) is a real HTTP/1.1 server on loopback around
//!   it (hyper on tokio), with optional TLS (rustls, a self-signed certificate made at start).
//!
//! It routes every request with the API crate's own catalogue (`veeam_em_api::incoming`), so
//! its URLs and bodies cannot drift from what the client builds and decodes: a URL the
//! catalogue does not know is a 404, a known path with another method a 405, each with an
//! `<Error>` body. Logon is HTTP Basic (`admin`/`admin` unless configured), sessions expire after
//! 15 idle minutes, the data is a deterministic world of CDP policies, replicas, sessions and
//! task sessions generated from a seed (a million task sessions cost nothing until asked for),
//! the query service filters, sorts and pages, actions start tasks that finish later and change
//! the data, and faults can be injected for client tests.
//!
//! ```
//! use veeam_em_sim::{SimConfig, Simulator};
//!
//! let sim = Simulator::new(SimConfig::default());
//! let entry = sim.handle(http::Request::get("/api/").body(Vec::new())?);
//! assert_eq!(entry.status(), 200);
//! let logon = sim.handle(
//!     http::Request::post("/api/sessionMngr/?v=latest")
//!         .header("Authorization", "Basic YWRtaW46YWRtaW4=") // admin:admin
//!         .body(Vec::new())?,
//! );
//! assert_eq!(logon.status(), 201);
//! let token = logon.headers()["X-RestSvcSessionId"].clone();
//! let sessions = sim.handle(
//!     http::Request::get("/api/cdpReplicaSessions")
//!         .header("X-RestSvcSessionId", token)
//!         .body(Vec::new())?,
//! );
//! assert_eq!(sessions.status(), 200);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod clock;
mod config;
mod core;
mod errors;
mod families;
mod family;
mod faults;
mod handlers;
mod ids;
mod registry;
mod render;
mod state;
mod store;
mod tasks;
mod world;

#[cfg(feature = "server")]
pub mod server;

pub use crate::core::{Delivery, Outcome, Simulator, API_VERSIONS};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{SimConfig, User};
pub use faults::{Fault, FaultRule};
