//! The connection options every command that talks to a server shares, and the client they
//! make: a real Enterprise Manager with `--url`, or else the embedded simulator in process (said
//! on standard error, with how to point vem at a server).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use veeam_em_api::{BaseUrl, Credentials};
use veeam_em_client::{
    Client, ClientConfig, HttpRequest, HttpResponse, SimTransport, Transport, TransportError,
    UreqTransport,
};
use veeam_em_sim::{SimConfig, Simulator};

use crate::exit::{Exit, Failure};

/// How to reach a server.
#[derive(Debug, Clone, clap::Args)]
pub struct Connection {
    /// The Enterprise Manager: a host name (https://HOST:9398/api) or the API URL. Without it,
    /// vem uses its embedded simulator.
    #[arg(long, env = "VEEAM_EM_URL", global = true)]
    pub url: Option<String>,
    /// The user to log on as (DOMAIN\user or user@domain); the password comes from
    /// VEEAM_EM_PASSWORD or a prompt.
    #[arg(long, env = "VEEAM_EM_USER", global = true)]
    pub user: Option<String>,
    /// Trust the certificates in this PEM file (Enterprise Manager's own, usually self-signed).
    #[arg(long, value_name = "FILE", global = true)]
    pub ca_cert: Option<PathBuf>,
    /// Do not verify the server's certificate. Dangerous: anyone on the path can read the
    /// password. Warns on every request.
    #[arg(long, global = true)]
    pub insecure: bool,
    /// The API version to log on with (latest, v1_7...).
    #[arg(long, default_value = "latest", global = true)]
    pub api_version: String,
    /// Seconds to wait for a response.
    #[arg(long, default_value_t = 60, value_name = "SECONDS", global = true)]
    pub timeout: u64,
}

/// A transport to a server or to the embedded simulator.
#[derive(Debug)]
pub enum AnyTransport {
    Http(UreqTransport),
    Embedded(SimTransport),
}

impl Transport for AnyTransport {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        match self {
            AnyTransport::Http(t) => t.send(request),
            AnyTransport::Embedded(t) => t.send(request),
        }
    }
}

/// The base URL of the embedded simulator's hrefs.
const EMBEDDED_BASE: &str = "https://localhost:9398/api";

impl Connection {
    /// The client these options describe.
    pub fn client(&self) -> Result<Client<AnyTransport>, Failure> {
        let usage = |m: String| Failure::new(Exit::Usage, m);
        let Some(url) = &self.url else {
            eprintln!(
                "vem: no --url: using the embedded Enterprise Manager simulator (in process); for a real server give --url https://HOST:9398/api or set VEEAM_EM_URL"
            );
            let sim = Arc::new(Simulator::new(SimConfig::default()));
            sim.set_base_url(EMBEDDED_BASE);
            let config =
                ClientConfig::new(BaseUrl::parse(EMBEDDED_BASE).map_err(|e| usage(e.to_string()))?)
                    .credentials(Credentials::new("admin", "admin"));
            return Ok(Client::with_transport(
                config,
                AnyTransport::Embedded(SimTransport::new(sim)),
            ));
        };
        let base = if url.contains("://") {
            let base = BaseUrl::parse(url).map_err(|e| usage(e.to_string()))?;
            // A bare server URL means its API.
            if base.as_str().ends_with("/api") {
                base
            } else {
                BaseUrl::parse(&format!("{}/api", base.as_str()))
                    .map_err(|e| usage(e.to_string()))?
            }
        } else {
            BaseUrl::for_host(url).map_err(|e| usage(e.to_string()))?
        };
        let user = self
            .user
            .clone()
            .ok_or_else(|| usage("--url needs a user: --user NAME or VEEAM_EM_USER".to_owned()))?;
        let password = crate::password::read(&user).map_err(|m| Failure::new(Exit::Usage, m))?;
        let mut config = ClientConfig::new(base)
            .credentials(Credentials::new(user, password))
            .api_version(self.api_version.clone())
            .timeouts(
                Duration::from_secs(10),
                Duration::from_secs(self.timeout.max(1)),
            );
        if let Some(path) = &self.ca_cert {
            config = config
                .ca_certificate_file(path)
                .map_err(|e| usage(e.to_string()))?;
        }
        if self.insecure {
            eprintln!(
                "vem: WARNING: --insecure: the server's certificate is not verified; anyone on the path can read the password and act as the server"
            );
            config = config.insecure_skip_certificate_verification();
        }
        let transport = UreqTransport::new(&config).map_err(Failure::from)?;
        Ok(Client::with_transport(
            config,
            AnyTransport::Http(transport),
        ))
    }
}
