//! `vem exporter`: Prometheus metrics for a fleet of Enterprise Managers.
//!
//! Targets come from a TOML file (`config.rs`); each `/metrics` request scrapes every target
//! concurrently with the async client (`scrape.rs`), at most once per `min_interval` per target
//! (answers in between are the cached ones), and encodes the samples with `prometheus-client`
//! (`metrics.rs`). `/metrics?target=NAME` covers one target. A target that fails shows
//! `veeam_em_up 0` and an error counted by kind; the scrape itself never fails. `web.rs` puts
//! TLS and basic authentication on the listener (`--web-config`, the exporter-toolkit format).

mod config;
mod metrics;
mod samples;
mod scrape;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt as _, StreamExt as _};
use tokio::sync::Mutex;
use veeam_em_api::{BaseUrl, Credentials};
use veeam_em_client::{AsyncClient, ClientConfig, ReqwestTransport};

use self::config::{Config, Target};
use self::scrape::Scrape;

/// `vem exporter`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The targets: a TOML file with one `[[target]]` per Enterprise Manager (see the README).
    #[arg(long, value_name = "FILE", env = "VEEAM_EM_EXPORTER_CONFIG")]
    config: PathBuf,
    /// Where to serve /metrics.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9247")]
    listen: SocketAddr,
    /// Scrape every target once, print the metrics on standard output and end (for cron jobs,
    /// the node exporter's textfile collector, and tests).
    #[arg(long)]
    once: bool,
    /// Take only the targets of shard I of N (by a hash of their names), so that N exporters
    /// split a large estate without a coordinator.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(u64, u64)>,
    /// TLS and basic authentication on the listener: a YAML file in the format of the
    /// Prometheus exporter-toolkit (tls_server_config: cert_file, key_file; basic_auth_users:
    /// NAME: BCRYPT-HASH).
    #[arg(long, value_name = "FILE")]
    web_config: Option<PathBuf>,
    /// Targets scraped at once (each one request at a time): fewer hold less memory, more
    /// hide more latency. A slow target holds one place for at most its timeout.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
}

/// `I/N`, 1 <= I <= N.
fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("{text:?}: give I/N, e.g. 1/3"))?;
    let (i, n): (u64, u64) = (
        i.trim()
            .parse()
            .map_err(|_| format!("{text:?}: I is not a number"))?,
        n.trim()
            .parse()
            .map_err(|_| format!("{text:?}: N is not a number"))?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(format!("{text:?}: give 1 <= I <= N"));
    }
    Ok((i, n))
}

/// The shard (1..=n) of a target name: FNV-1a of its bytes, the same on every machine and
/// in every version.
fn shard_of(name: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h % n + 1
}

/// One target and what the exporter keeps for it.
struct Member {
    target: Target,
    /// `target` and its own labels, on every series of it.
    labels: metrics::BaseLabels,
    client: Option<AsyncClient<ReqwestTransport>>,
    /// Why no client could be made (a missing password, a bad URL): reported as `up 0`.
    setup_error: Option<String>,
    /// The last scrape, shared with the `/metrics` answers being written (not copied).
    last: Mutex<Option<Arc<Scrape>>>,
}

/// The exporter's state, shared by the connections.
struct Exporter {
    members: Vec<Member>,
    /// Targets scraped at once, across all the `/metrics` requests being served.
    gate: tokio::sync::Semaphore,
    /// The gate's size: how many scrapes one `/metrics` request has under way.
    concurrency: usize,
    metrics: metrics::Persistent,
    /// What it calls itself on standard error (`vem exporter`, `vem-exporter`).
    program: &'static str,
}

/// Connections kept per target while it is being scraped (its requests in flight), closed
/// when its scrape ends: a kept connection holds a read buffer of tens of KB, which for many
/// targets between scrapes would be most of the exporter's memory. The next scrape opens them
/// again (a TLS handshake each against a real server).
const IDLE_CONNECTIONS: usize = scrape::IN_FLIGHT;

fn client_for(target: &Target) -> Result<AsyncClient<ReqwestTransport>, String> {
    let base = if target.url.contains("://") {
        let base = BaseUrl::parse(&target.url).map_err(|e| e.to_string())?;
        if base.as_str().ends_with("/api") {
            base
        } else {
            BaseUrl::parse(&format!("{}/api", base.as_str())).map_err(|e| e.to_string())?
        }
    } else {
        BaseUrl::for_host(&target.url).map_err(|e| e.to_string())?
    };
    let mut config = ClientConfig::new(base)
        .credentials(Credentials::new(&target.user, target.password()?))
        .timeouts(
            Duration::from_secs(10).min(target.timeout()),
            target.timeout(),
        )
        .call_timeout(target.timeout())
        .idle_connections_per_host(IDLE_CONNECTIONS);
    if let Some(ca) = &target.ca_cert {
        config = config.ca_certificate_file(ca).map_err(|e| e.to_string())?;
    }
    if target.insecure {
        config = config.insecure_skip_certificate_verification();
    }
    // A transport of its own: its connections are closed when its scrape ends, not when
    // another target's does.
    let transport = ReqwestTransport::new(&config).map_err(|e| e.to_string())?;
    // Its HTTP client (some 20 KB with the TLS roots) is made again at the first scrape and
    // dropped at the end of each: between scrapes a target holds none.
    transport.close_idle_connections();
    Ok(AsyncClient::with_transport(config, transport))
}

/// Closes a transport's connections when dropped.
struct CloseWhenDone<'a>(&'a ReqwestTransport);

impl Drop for CloseWhenDone<'_> {
    fn drop(&mut self) {
        self.0.close_idle_connections();
    }
}

impl Exporter {
    fn new(config: Config, concurrency: usize, program: &'static str) -> Self {
        let members = config
            .targets
            .into_iter()
            .map(|target| {
                let (client, setup_error) = match client_for(&target) {
                    Ok(c) => (Some(c), None),
                    Err(e) => {
                        tracing::warn!(target = target.name, "{e}");
                        (None, Some(e))
                    }
                };
                if target.insecure {
                    eprintln!(
                        "{program}: WARNING: target {}: insecure: its certificate is not verified",
                        target.name
                    );
                }
                Member {
                    labels: metrics::base_labels(&target),
                    target,
                    client,
                    setup_error,
                    last: Mutex::new(None),
                }
            })
            .collect();
        Self {
            members,
            gate: tokio::sync::Semaphore::new(concurrency),
            concurrency,
            metrics: metrics::Persistent::default(),
            program,
        }
    }

    /// The scrape of `m`: the cached one within its minimum interval, else a new one.
    async fn scrape(&self, m: &Member) -> Arc<Scrape> {
        let mut last = m.last.lock().await;
        if let Some(s) = last.as_ref() {
            if s.at.elapsed() < m.target.min_interval() {
                return Arc::clone(s);
            }
        }
        let fresh = match (&m.client, &m.setup_error) {
            (Some(client), _) => {
                // Closed however the scrape ends, also when the `/metrics` request that
                // wanted it goes away (its future is dropped mid-scrape).
                let _close = CloseWhenDone(client.transport());
                scrape::scrape(&m.target, client).await
            }
            (None, error) => Scrape {
                samples: Default::default(),
                error: Some(("config", error.clone().unwrap_or_default())),
                duration: Duration::ZERO,
                at: std::time::Instant::now(),
            },
        };
        if let Some((kind, message)) = &fresh.error {
            tracing::warn!(target = m.target.name, kind, "scrape failed: {message}");
            self.metrics.error(&m.target, kind);
        }
        let fresh = Arc::new(fresh);
        *last = Some(Arc::clone(&fresh));
        fresh
    }

    /// The metrics of the targets `only` names (all when `None`).
    async fn render(&self, only: Option<&str>) -> Result<metrics::Answer, String> {
        let chosen: Vec<&Member> = self
            .members
            .iter()
            .filter(|m| only.is_none_or(|n| m.target.name == n))
            .collect();
        if chosen.is_empty() {
            return Err(format!("no target named {:?}", only.unwrap_or_default()));
        }
        // At most `concurrency` scrapes exist at a time, not one waiting future per target
        // (made up front, the futures of a fleet's scrapes were once most of the heap's
        // peak while they waited for the gate). Unordered: the next target starts
        // as soon as any place is free, so a slow one holds only its own place (in order, the
        // places behind it would wait for it).
        let members = &chosen;
        let mut scrapes: Vec<(usize, Arc<Scrape>)> = futures_util::stream::iter(
            // By index: a closure over `&Member` trips the compiler's `Send` check (rust#64552).
            (0..chosen.len()).map(|i| {
                scrape::gated(&self.gate, move || self.scrape(members[i])).map(move |s| (i, s))
            }),
        )
        .buffer_unordered(self.concurrency)
        .collect()
        .await;
        scrapes.sort_unstable_by_key(|(i, _)| *i);
        let scrapes = chosen
            .iter()
            .zip(scrapes)
            .map(|(m, (_, s))| (m.target.name.as_str(), Arc::clone(&m.labels), s))
            .collect();
        Ok(self.metrics.answer(scrapes))
    }
}

async fn serve(
    exporter: Arc<Exporter>,
    listen: SocketAddr,
    web: web::WebConfig,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    eprintln!(
        "{}: serving {}://{}/metrics ({} target(s){})",
        exporter.program,
        if web.tls.is_some() { "https" } else { "http" },
        listener.local_addr().map_err(|e| e.to_string())?,
        exporter.members.len(),
        if web.allows(None) {
            ""
        } else {
            ", basic authentication"
        }
    );
    let acceptor = web.tls.clone().map(tokio_rustls::TlsAcceptor::from);
    let web = Arc::new(web);
    loop {
        let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let (exporter, web, acceptor) = (exporter.clone(), web.clone(), acceptor.clone());
        tokio::spawn(async move {
            match acceptor {
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(tls) => connection(tls, exporter, web).await,
                    Err(e) => tracing::debug!("TLS handshake failed: {e}"),
                },
                None => connection(stream, exporter, web).await,
            }
        });
    }
}

/// Serves one connection: `/metrics`, `/metrics?target=NAME` and a landing page, each behind
/// the basic authentication of the web configuration.
async fn connection<S>(stream: S, exporter: Arc<Exporter>, web: Arc<web::WebConfig>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full, StreamBody};
    use hyper::body::Frame;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    const TEXT: &str = "text/plain; charset=utf-8";
    let whole = |text: String| Full::new(Bytes::from(text)).boxed();
    let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        let (exporter, web) = (exporter.clone(), web.clone());
        async move {
            let authorization = request
                .headers()
                .get(http::header::AUTHORIZATION)
                .map(|v| v.as_bytes().to_vec());
            // bcrypt is slow on purpose: off the runtime's thread, and only when a password
            // has to be hashed.
            let allowed = match web.settled(authorization.as_deref()) {
                Some(answer) => answer,
                None => tokio::task::spawn_blocking(move || web.allows(authorization.as_deref()))
                    .await
                    .unwrap_or(false),
            };
            let path = request.uri().path().to_owned();
            let target = request.uri().query().and_then(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "target")
                    .map(|(_, v)| v.into_owned())
            });
            let (status, content_type, body) = match path.as_str() {
                _ if !allowed => (401, TEXT, whole("unauthorized\n".to_owned())),
                // Sent one metric at a time, each written when the connection takes it.
                "/metrics" => match exporter.render(target.as_deref()).await {
                    Ok(answer) => {
                        let frames = answer.chunks().map(|c| Ok(Frame::data(Bytes::from(c))));
                        let body = StreamBody::new(futures_util::stream::iter(frames));
                        (200, metrics::CONTENT_TYPE, BodyExt::boxed(body))
                    }
                    Err(e) => (404, TEXT, whole(format!("{e}\n"))),
                },
                "/" => (
                    200,
                    "text/html; charset=utf-8",
                    whole("<html><body><h1>vem exporter</h1><p><a href=\"/metrics\">/metrics</a> (every target), /metrics?target=NAME (one)</p></body></html>\n".to_owned()),
                ),
                _ => (404, TEXT, whole("not found\n".to_owned())),
            };
            let mut response = hyper::Response::builder()
                .status(status)
                .header("content-type", content_type);
            if status == 401 {
                response = response.header("www-authenticate", "Basic realm=\"vem exporter\"");
            }
            let response = response.body(body).expect("a valid response");
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    // hyper asks the body for its next piece while its write buffer has room: at most 64 KB
    // (by default some 400 KB) of the answer wait there for a slow reader.
    let _ = hyper::server::conn::http1::Builder::new()
        .max_buf_size(64 * 1024)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Runs the exporter; `program` names it in what it says (`vem exporter`, `vem-exporter`).
pub fn run(args: &Args, program: &'static str) -> Result<(), String> {
    let mut config = Config::read(&args.config)?;
    let web = match &args.web_config {
        Some(path) => web::WebConfig::read(path)?,
        None => web::WebConfig::default(),
    };
    if let Some((i, n)) = args.shard {
        config.targets.retain(|t| shard_of(&t.name, n) == i);
        if config.targets.is_empty() {
            return Err(format!("shard {i}/{n} holds none of the targets"));
        }
    }
    // One thread: the work is waiting on servers, and what CPU it takes (decoding pages,
    // about 2 ms a target) is done in place by the async client on a current-thread runtime.
    // Every thread would bring a malloc arena of its own, the largest part of the peak RSS.
    // Two more at most for what blocks: bcrypt (`--web-config` users) and the resolver's
    // lookups of host names (a flood of bad passwords or many new connections queue there).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let exporter = Arc::new(Exporter::new(
            config,
            usize::from(args.concurrency),
            program,
        ));
        if args.once {
            return crate::stdout::print_each(exporter.render(None).await?.chunks());
        }
        serve(exporter, args.listen, web).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shards of N exporters partition the targets: each in exactly one, none left out,
    /// and none of them empty for a fleet of 100.
    #[test]
    fn shards_partition_the_targets() {
        let names: Vec<String> = (1..=100).map(|i| format!("em-{i:03}")).collect();
        for n in 1..=7 {
            let mut sizes = vec![0; n as usize];
            for name in &names {
                let s = shard_of(name, n);
                assert!((1..=n).contains(&s));
                sizes[(s - 1) as usize] += 1;
            }
            assert_eq!(sizes.iter().sum::<usize>(), names.len());
            assert!(sizes.iter().all(|&k| k > 0), "n={n}: {sizes:?}");
        }
        assert_eq!(parse_shard("2/3"), Ok((2, 3)));
        assert!(parse_shard("0/3").is_err() && parse_shard("4/3").is_err());
    }
}
