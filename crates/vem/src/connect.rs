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
    /// Also write every XML response body into DIR (one file per response), e.g. for
    /// `cargo xtask drift DIR`, which reports what the schemas do not know.
    #[arg(long, value_name = "DIR", global = true)]
    pub save_responses: Option<PathBuf>,
}

/// A transport to a server or to the embedded simulator, saving responses on request.
#[derive(Debug)]
pub struct AnyTransport {
    inner: Inner,
    save: Option<Saver>,
}

#[derive(Debug)]
enum Inner {
    Http(UreqTransport),
    Embedded(SimTransport),
}

/// Writes XML response bodies into a directory, numbered in order.
#[derive(Debug)]
struct Saver {
    dir: PathBuf,
    next: std::sync::atomic::AtomicUsize,
}

impl Saver {
    fn save(&self, request: &HttpRequest, response: &HttpResponse) {
        let xml = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .is_some_and(|v| {
                v.as_bytes()
                    .windows(3)
                    .any(|w| w.eq_ignore_ascii_case(b"xml"))
            });
        if !xml || response.body().is_empty() {
            return;
        }
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let what: String = request
            .uri()
            .path()
            .trim_start_matches("/api")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(80)
            .collect();
        let path = self
            .dir
            .join(format!("{n:04}-{}{what}.xml", request.method()));
        if let Err(e) = std::fs::write(&path, response.body()) {
            eprintln!("vem: cannot save the response to {}: {e}", path.display());
        }
    }
}

impl Transport for AnyTransport {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let saved = self.save.as_ref().map(|_| {
            let mut copy = http::Request::new(Vec::new());
            *copy.method_mut() = request.method().clone();
            *copy.uri_mut() = request.uri().clone();
            copy
        });
        let response = match &self.inner {
            Inner::Http(t) => t.send(request),
            Inner::Embedded(t) => t.send(request),
        }?;
        if let (Some(saver), Some(request)) = (&self.save, saved) {
            saver.save(&request, &response);
        }
        Ok(response)
    }
}

/// The base URL of the embedded simulator's hrefs.
const EMBEDDED_BASE: &str = "https://localhost:9398/api";

impl Connection {
    /// The response saver of `--save-responses`, its directory created.
    fn saver(&self) -> Result<Option<Saver>, Failure> {
        let Some(dir) = &self.save_responses else {
            return Ok(None);
        };
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure::new(Exit::Local, format!("cannot create {}: {e}", dir.display()))
        })?;
        Ok(Some(Saver {
            dir: dir.clone(),
            next: std::sync::atomic::AtomicUsize::new(0),
        }))
    }

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
                AnyTransport {
                    inner: Inner::Embedded(SimTransport::new(sim)),
                    save: self.saver()?,
                },
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
            AnyTransport {
                inner: Inner::Http(transport),
                save: self.saver()?,
            },
        ))
    }
}
