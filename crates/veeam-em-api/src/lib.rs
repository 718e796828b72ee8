//! The transport-agnostic resource layer of the Veeam Backup Enterprise Manager REST API.
//!
//! Every operation of the catalogue (`schemas/resources/*.xml`, one file per family) is a typed value that builds an
//! [`http::Request`] and decodes an [`http::Response`]; this crate performs **no I/O**: no
//! sockets, no clock, no environment, no async runtime. Send the request with any HTTP client
//! (the `veeam-em-client` crate has ready ones).
//!
//! ```
//! use veeam_em_api::{api, BaseUrl, Operation, SessionToken};
//!
//! let base = BaseUrl::for_host("em.example.com")?; // https://em.example.com:9398/api
//! let token = SessionToken::new("NDRjZmJkYmUtNWE5NS00MTU2");
//! let op = api::cdp_replica_sessions()
//!     .id("6b872a71-51e8-437a-8d45-5c6494b92f3f")
//!     .cdp_replica_task_sessions()
//!     .get();
//! let request = op.request(&base, Some(&token))?;
//! assert_eq!(
//!     request.uri(),
//!     "https://em.example.com:9398/api/cdpReplicaSessions/6b872a71-51e8-437a-8d45-5c6494b92f3f/cdpReplicaTaskSessions"
//! );
//! // ... send it, then: let refs = op.decode(response)?;  (an EntityReferences)
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Main items
//!
//! - Building: [`api`] (navigation from the root to every operation, following the URL
//!   structure), [`ops`] (one type per operation), [`Operation`] (`request` and `decode`),
//!   [`BaseUrl`], [`Credentials`] and [`SessionToken`] (secrets never printed).
//! - Decoding: [`Operation::decode`] gives the typed output or an [`ApiError`] that says which
//!   stage failed and keeps the body; [`LoggedOn`] is the result of logon.
//! - Following links: [`route()`](route()) and [`route_method`] turn an `Href` into its
//!   catalogue entry ([`Route`]); [`Follow`] and [`Links`] on links and references give typed
//!   operations (`link.follow::<ops::GetCdpPolicyEntity>()`, or [`AnyOperation`]).
//! - The query service: [`query::Query`], typed fields in [`fields`], paging in [`paging`].
//! - The catalogue itself: [`CATALOGUE`] of [`Entry`] values.
//!
//! [`http`] is re-exported, so that users need not depend on it themselves.

pub use http;

mod any;
mod base_url;
pub mod catalogue;
pub mod entry;
mod error;
pub mod filter;
#[rustfmt::skip] // prettyplease formats it; `cargo xtask regen --check` guards it.
mod generated;
mod href;
mod id;
pub mod incoming;
pub mod operation;
pub mod paging;
pub mod query;
pub mod resource;
pub mod response;
pub mod route;
mod secret;
mod support;

pub use base_url::{BaseUrl, InvalidBaseUrl};
pub use catalogue::{Catalogue, CATALOGUE};
pub use entry::{Auth, Effect, Entry, Method, Requirement, Success};
pub use error::ApiError;
pub use generated::{api, fields, ops, queries, AnyOperation};
pub use id::Id;
pub use operation::Operation;
pub use response::{FromResponse, LoggedOn, ToResponse};
pub use route::{route, route_method, Follow, Links, Route, RouteError};
pub use secret::{Credentials, SessionToken, SESSION_HEADER};
