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
use veeam_em_model::Wire;
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
    /// Read the password from the first line of FILE (for scripts; keep the file private).
    #[arg(
        long,
        value_name = "FILE",
        env = "VEEAM_EM_PASSWORD_FILE",
        global = true
    )]
    pub password_file: Option<PathBuf>,
    /// Read the password from the first line of standard input (for scripts).
    #[arg(long, global = true, conflicts_with = "password_file")]
    pub password_stdin: bool,
    /// Trust the certificates in this PEM file (Enterprise Manager's own, usually self-signed).
    #[arg(long, value_name = "FILE", env = "VEEAM_EM_CA_CERT", global = true)]
    pub ca_cert: Option<PathBuf>,
    /// Do not verify the server's certificate. Dangerous: anyone on the path can read the
    /// password. Warns on every request.
    #[arg(long, env = "VEEAM_EM_INSECURE", global = true)]
    pub insecure: bool,
    /// Say nothing on standard error but errors and warnings (no notice that the embedded
    /// simulator answers, no progress).
    #[arg(long, short = 'q', env = "VEEAM_EM_QUIET", global = true)]
    pub quiet: bool,
    /// The API version to log on with (latest, v1_7...).
    #[arg(long, default_value = "latest", global = true)]
    pub api_version: String,
    /// Seconds one API call may take, with all its retries (no retry starts that would end
    /// later). A task wait (--wait) is bounded by --wait-for instead.
    #[arg(long, default_value_t = 60, value_name = "SECONDS", global = true)]
    pub timeout: u64,
    /// Seconds one attempt may wait for its response [default: --timeout].
    #[arg(long, value_name = "SECONDS", global = true)]
    pub attempt_timeout: Option<u64>,
    /// Also write every response body (XML or JSON) into DIR, one file per response, numbered
    /// after those already there; e.g. for `cargo xtask drift DIR`, which reports what the
    /// schemas do not know.
    #[arg(long, value_name = "DIR", global = true)]
    pub save_responses: Option<PathBuf>,
    /// The wire form to speak: xml (the server's default) or json (`Accept` and
    /// `Content-Type: application/json`, as the Python clients do).
    #[arg(long, value_enum, default_value_t = WireArg::Xml, env = "VEEAM_EM_WIRE", global = true)]
    pub wire: WireArg,
    /// Without --url: the time the embedded simulator's world is anchored at (RFC 3339, e.g.
    /// 2026-01-01T09:00:00Z); by default, when vem starts. The same time gives the same output.
    #[arg(long, value_name = "TIME", env = "VEEAM_EM_SIM_NOW", value_parser = crate::sim::parse_time, global = true)]
    pub sim_now: Option<time::OffsetDateTime>,
    /// A server of the contexts file (vem context list); repeat it, or give NAME,NAME, to ask
    /// several at once.
    #[arg(
        long = "context",
        value_name = "NAME",
        env = "VEEAM_EM_CONTEXT",
        value_delimiter = ',',
        global = true
    )]
    pub contexts: Vec<String>,
    /// Ask every server of the contexts file at once.
    #[arg(long, global = true, conflicts_with = "contexts")]
    pub all_contexts: bool,
    /// The password, when a context's password source gave it.
    #[arg(skip)]
    password: Option<Secret>,
}

/// A password held in memory, never printed (`Debug` says `<redacted>`).
#[derive(Clone)]
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `--wire`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WireArg {
    /// XML.
    Xml,
    /// The server's JSON form.
    Json,
}

impl From<WireArg> for Wire {
    fn from(value: WireArg) -> Self {
        match value {
            WireArg::Xml => Wire::Xml,
            WireArg::Json => Wire::Json,
        }
    }
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

/// Writes response bodies (XML and JSON) into a directory, numbered in order after the files
/// already there (so that a second command adds to the captures of the first).
#[derive(Debug)]
struct Saver {
    dir: PathBuf,
    next: std::sync::atomic::AtomicUsize,
}

impl Saver {
    fn save(&self, request: &HttpRequest, response: &HttpResponse) {
        let Some(form) = veeam_em_api::response::body_form(response) else {
            return;
        };
        if response.body().is_empty() {
            return;
        }
        // The JSON form does not name its root element: the capture's name does
        // (`NNNN-GET_path.<Root>.json`), for `cargo xtask drift`.
        let extension = match form {
            Wire::Xml => "xml".to_owned(),
            Wire::Json => {
                let target = request
                    .uri()
                    .path_and_query()
                    .map_or_else(|| request.uri().to_string(), |p| p.as_str().to_owned());
                match veeam_em_api::route_method(request.method().as_str(), &target)
                    .ok()
                    .and_then(|r| r.entry.representation())
                {
                    Some(root) => format!("{root}.json"),
                    None => "json".to_owned(),
                }
            }
        };
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
            .join(format!("{n:04}-{}{what}.{extension}", request.method()));
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
        // After the captures already there: the number before the first `-` of each name.
        let next = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        name.split('-').next()?.parse::<usize>().ok()
                    })
                    .max()
                    .map_or(0, |n| n + 1)
            })
            .unwrap_or(0);
        Ok(Some(Saver {
            dir: dir.clone(),
            next: std::sync::atomic::AtomicUsize::new(next),
        }))
    }

    /// Where the password comes from.
    pub fn password_source(&self) -> crate::password::Source {
        crate::password::Source {
            file: self.password_file.clone(),
            stdin: self.password_stdin,
        }
    }

    /// The servers these options name, each with its context's name: the contexts asked for
    /// (`--context`, `--all-contexts`), else `--url` (or the embedded simulator), else the
    /// current context of the contexts file.
    pub fn servers(&self) -> Result<Vec<(Option<String>, Connection)>, Failure> {
        let usage = |m: String| Failure::new(Exit::Usage, m);
        let named = self.all_contexts || !self.contexts.is_empty();
        if named && self.url.is_some() {
            return Err(usage(
                "--url and --context (or VEEAM_EM_URL and VEEAM_EM_CONTEXT) name different servers; give one".to_owned(),
            ));
        }
        if self.url.is_some() {
            return Ok(vec![(None, self.clone())]);
        }
        let path = crate::context::path()?;
        let file = crate::context::Contexts::read(&path)?;
        let names: Vec<String> = if self.all_contexts {
            if file.contexts.is_empty() {
                return Err(usage(format!(
                    "--all-contexts: {} holds no [[context]]",
                    path.display()
                )));
            }
            file.contexts.iter().map(|c| c.name.clone()).collect()
        } else if !self.contexts.is_empty() {
            let mut names = self.contexts.clone();
            names.dedup();
            names
        } else if let Some(current) = &file.current {
            vec![current.clone()]
        } else {
            return Ok(vec![(None, self.clone())]);
        };
        names
            .into_iter()
            .map(|name| {
                let target = file.get(&name)?;
                Ok((Some(name), self.for_context(target)?))
            })
            .collect()
    }

    /// These options aimed at a context: its URL, user, password source and TLS settings
    /// (what the context does not say keeps the command line's value).
    fn for_context(&self, context: &crate::target::Target) -> Result<Connection, Failure> {
        let password = context
            .password()
            .map_err(|e| Failure::new(Exit::Usage, format!("context {e}")))?;
        let mut c = self.clone();
        c.url = Some(context.url.clone());
        c.user = Some(context.user.clone());
        c.password = Some(Secret(password));
        c.password_file = None;
        c.password_stdin = false;
        if context.ca_cert.is_some() {
            c.ca_cert = context.ca_cert.clone();
        }
        c.insecure |= context.insecure;
        if context.timeout.is_some() {
            c.timeout = context.timeout().as_secs();
        }
        c.contexts = Vec::new();
        c.all_contexts = false;
        Ok(c)
    }

    /// The client these options describe.
    pub fn client(&self) -> Result<Client<AnyTransport>, Failure> {
        let usage = |m: String| Failure::new(Exit::Usage, m);
        let Some(url) = &self.url else {
            if !self.quiet {
                eprintln!(
                    "vem: no --url: using the embedded Enterprise Manager simulator (in process); for a real server give --url https://HOST:9398/api or set VEEAM_EM_URL"
                );
            }
            let sim = Arc::new(Simulator::new(SimConfig {
                now: self.sim_now,
                ..SimConfig::default()
            }));
            sim.set_base_url(EMBEDDED_BASE);
            let config =
                ClientConfig::new(BaseUrl::parse(EMBEDDED_BASE).map_err(|e| usage(e.to_string()))?)
                    .credentials(Credentials::new("admin", "admin"))
                    .wire(self.wire.into());
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
        let password = match &self.password {
            Some(Secret(password)) => password.clone(),
            None => crate::password::read(&user, &self.password_source())
                .map_err(|m| Failure::new(Exit::Usage, m))?,
        };
        if base.as_str().starts_with("http://") && !is_loopback(base.as_str()) {
            eprintln!(
                "vem: WARNING: {} is plain http: the password and the session travel unencrypted; use https://",
                base.as_str()
            );
        }
        let mut config = ClientConfig::new(base)
            .wire(self.wire.into())
            .credentials(Credentials::new(user, password))
            .api_version(self.api_version.clone())
            .timeouts(
                Duration::from_secs(10).min(Duration::from_secs(self.timeout.max(1))),
                Duration::from_secs(self.attempt_timeout.unwrap_or(self.timeout).max(1)),
            )
            .call_timeout(Duration::from_secs(self.timeout.max(1)));
        if self.insecure && self.ca_cert.is_some() {
            return Err(usage(
                "--insecure and --ca-cert contradict each other: --ca-cert verifies the server with that CA, --insecure verifies nothing; give one".to_owned(),
            ));
        }
        if let Some(path) = &self.ca_cert {
            // An unreadable or empty file is a local problem (exit 1), as the README's table says.
            config = config
                .ca_certificate_file(path)
                .map_err(|e| Failure::new(Exit::Local, e.to_string()))?;
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

/// Whether the host of `url` is this machine (`localhost`, `127.x.y.z`, `::1`).
fn is_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    let host = uri.host().unwrap_or_default().trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_hosts_are_told_apart() {
        assert!(super::is_loopback("http://127.0.0.1:9398/api"));
        assert!(super::is_loopback("http://localhost:9398/api"));
        assert!(super::is_loopback("http://[::1]:9398/api"));
        assert!(!super::is_loopback("http://em.corp.local:9398/api"));
        assert!(!super::is_loopback("http://10.0.0.5:9398/api"));
    }
}
