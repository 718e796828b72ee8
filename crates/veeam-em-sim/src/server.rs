//! The real server around the sans-IO core: HTTP/1.1 (hyper on tokio) on `127.0.0.1`, plain or
//! TLS (rustls with the ring provider and a self-signed certificate made at start).
//!
//! It only moves bytes: it reads a request (body limit 16 MiB, head limit 64 KiB, both answered
//! with an `<Error>`), asks [`Simulator::serve`], waits for an injected latency, and delivers the
//! answer as the core says (whole, truncated, dropped or slowly).
//!
//! ```no_run
//! use std::sync::Arc;
//! use veeam_em_sim::server::{start, ServerOptions};
//! use veeam_em_sim::{SimConfig, Simulator};
//!
//! let server = start(Arc::new(Simulator::new(SimConfig::default())), ServerOptions::default())?;
//! println!("serving {}", server.url()); // e.g. http://127.0.0.1:40721/api
//! # Ok::<(), std::io::Error>(())
//! ```

use std::future::Future as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::core::{Delivery, Simulator};
use crate::errors::error_response;
use veeam_em_model::Wire;

/// Requests the core answers at the same time (the others wait their turn).
static PARALLEL: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Largest request body accepted.
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Largest request head (request line and headers) accepted.
pub const MAX_HEAD: usize = 64 * 1024;

/// How to serve.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// The port on `127.0.0.1`; 0 picks a free one.
    pub port: u16,
    /// Serve HTTPS with a self-signed certificate for `localhost` and `127.0.0.1`.
    pub tls: bool,
    /// Where to write the certificate (PEM) with TLS; default: a file in the temporary
    /// directory named after the port.
    pub cert_path: Option<PathBuf>,
}

/// How the members of a fleet ([`start_fleet`]) are addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    /// Consecutive ports on `127.0.0.1` from [`ServerOptions::port`] (with port 0, each member
    /// gets a free port of its own).
    Ports,
    /// Consecutive loopback addresses from this one (`127.0.0.1`, `127.0.0.2`, ...), all on
    /// [`ServerOptions::port`]: for tools that tell servers apart by host only.
    Hosts(Ipv4Addr),
}

/// A server running on a thread of its own; stopped when dropped. A fleet is one server with
/// several members, each a simulator on an address of its own.
#[derive(Debug)]
pub struct RunningServer {
    /// `(address, API base URL)` of each member.
    members: Vec<(SocketAddr, String)>,
    cert_path: Option<PathBuf>,
    cert_pem: Option<String>,
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningServer {
    /// The API base URL, e.g. `http://127.0.0.1:40721/api` (of the first member of a fleet).
    pub fn url(&self) -> &str {
        &self.members[0].1
    }

    /// The address it listens on (the first member's, for a fleet).
    pub fn addr(&self) -> SocketAddr {
        self.members[0].0
    }

    /// The API base URL of each member, in order.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(_, url)| url.as_str())
    }

    /// The file holding its certificate (with TLS), to give a client as a trusted CA.
    pub fn cert_path(&self) -> Option<&Path> {
        self.cert_path.as_deref()
    }

    /// Its certificate as PEM (with TLS).
    pub fn cert_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// Stops it and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Blocks until the server stops (e.g. the process is interrupted).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A certificate made at start.
struct Certificate {
    pem: String,
    config: Arc<rustls::ServerConfig>,
}

/// A self-signed certificate for `localhost` and each of `ips`.
fn certificate(ips: &[std::net::IpAddr]) -> std::io::Result<Certificate> {
    let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let mut names = vec!["localhost".to_owned()];
    for ip in ips {
        let ip = ip.to_string();
        if !names.contains(&ip) {
            names.push(ip);
        }
    }
    let certified = rcgen::generate_simple_self_signed(names).map_err(|e| other(&e))?;
    let pem = certified.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| other(&e))?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| other(&e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Certificate {
        pem,
        config: Arc::new(config),
    })
}

/// Binds `127.0.0.1:port` and serves `sim` on a thread with its own tokio runtime; returns once
/// it listens.
pub fn start(sim: Arc<Simulator>, options: ServerOptions) -> std::io::Result<RunningServer> {
    start_fleet(vec![sim], options, Addressing::Ports)
}

/// Serves each of `sims` on an address of its own (see [`Addressing`]), all from one thread
/// and tokio runtime; returns once every member listens. With TLS, one certificate covers them
/// all.
pub fn start_fleet(
    sims: Vec<Arc<Simulator>>,
    options: ServerOptions,
    addressing: Addressing,
) -> std::io::Result<RunningServer> {
    if sims.is_empty() {
        return Err(std::io::Error::other(
            "a fleet needs at least one simulator",
        ));
    }
    let mut listeners = Vec::with_capacity(sims.len());
    for k in 0..sims.len() {
        let step = u16::try_from(k).map_err(|_| std::io::Error::other("too many members"))?;
        let bound = match addressing {
            Addressing::Ports if options.port == 0 => (Ipv4Addr::LOCALHOST, 0),
            Addressing::Ports => {
                let port = options.port.checked_add(step).ok_or_else(|| {
                    std::io::Error::other(format!("no port {} + {k}", options.port))
                })?;
                (Ipv4Addr::LOCALHOST, port)
            }
            Addressing::Hosts(first) => (
                Ipv4Addr::from(u32::from(first) + u32::from(step)),
                options.port,
            ),
        };
        let listener = std::net::TcpListener::bind(bound)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}:{}: {e}", bound.0, bound.1)))?;
        listener.set_nonblocking(true)?;
        listeners.push(listener);
    }
    let addrs = listeners
        .iter()
        .map(std::net::TcpListener::local_addr)
        .collect::<std::io::Result<Vec<_>>>()?;
    let scheme = if options.tls { "https" } else { "http" };
    let members: Vec<(SocketAddr, String)> = addrs
        .iter()
        .map(|addr| (*addr, format!("{scheme}://{addr}/api")))
        .collect();
    for (sim, (_, url)) in sims.iter().zip(&members) {
        sim.set_base_url(url);
    }
    let (cert_path, cert_pem, tls) = if options.tls {
        let ips: Vec<_> = addrs.iter().map(SocketAddr::ip).collect();
        let cert = certificate(&ips)?;
        let path = options.cert_path.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("veeam-em-sim-{}.pem", addrs[0].port()))
        });
        std::fs::write(&path, &cert.pem)?;
        (Some(path), Some(cert.pem), Some(cert.config))
    } else {
        (None, None, None)
    };
    let (stop, stopped) = watch::channel(false);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("veeam-em-sim")
        .build()?;
    let thread = std::thread::Builder::new()
        .name("veeam-em-sim-server".into())
        .spawn(move || {
            runtime.block_on(async move {
                let mut loops = tokio::task::JoinSet::new();
                for (listener, sim) in listeners.into_iter().zip(sims) {
                    match TcpListener::from_std(listener) {
                        Ok(listener) => {
                            loops.spawn(accept_loop(listener, sim, tls.clone(), stopped.clone()));
                        }
                        Err(e) => tracing::error!("cannot listen: {e}"),
                    }
                }
                while loops.join_next().await.is_some() {}
            });
        })?;
    Ok(RunningServer {
        members,
        cert_path,
        cert_pem,
        stop,
        thread: Some(thread),
    })
}

async fn accept_loop(
    listener: TcpListener,
    sim: Arc<Simulator>,
    tls: Option<Arc<rustls::ServerConfig>>,
    mut stopped: watch::Receiver<bool>,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stopped.changed() => return,
        };
        let Ok((stream, _peer)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let sim = sim.clone();
        let acceptor = acceptor.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            match acceptor {
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(tls) => serve_connection(TokioIo::new(tls), sim, &mut stopped).await,
                    Err(e) => tracing::debug!("TLS handshake failed: {e}"),
                },
                None => serve_connection(TokioIo::new(stream), sim, &mut stopped).await,
            }
        });
    }
}

async fn serve_connection<I>(io: I, sim: Arc<Simulator>, stopped: &mut watch::Receiver<bool>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |request| handle(sim.clone(), request));
    let mut builder = hyper::server::conn::http1::Builder::new();
    // Room for heads up to 1 MiB, so that oversized ones reach `handle` and get an <Error>.
    builder.max_buf_size(1024 * 1024);
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = stopped.changed() => connection.as_mut().graceful_shutdown(),
    }
}

/// Why a connection is to be closed without an answer (an injected `drop`).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (fault)")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    sim: Arc<Simulator>,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<SimBody>, Dropped> {
    let (parts, body) = request.into_parts();
    let wire = parts
        .headers
        .get(http::header::ACCEPT)
        .map_or(Wire::Xml, |v| {
            Wire::from_accept(&String::from_utf8_lossy(v.as_bytes()))
        });
    let head_size: usize = parts
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum::<usize>()
        + parts.uri.to_string().len();
    if head_size > MAX_HEAD {
        let response = error_response(
            http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            &format!("The request head is larger than {MAX_HEAD} bytes"),
            &[],
            wire,
        );
        return Ok(full(response));
    }
    let limited = http_body_util::Limited::new(body, MAX_BODY);
    let bytes = match limited.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let response = error_response(
                http::StatusCode::PAYLOAD_TOO_LARGE,
                &format!("The request body is larger than {MAX_BODY} bytes, or was cut off"),
                &[],
                wire,
            );
            return Ok(full(response));
        }
    };
    let request = http::Request::from_parts(parts, bytes.to_vec());
    // The core is synchronous; it runs on a blocking thread so that a large answer (a whole
    // collection, a scan) does not hold up the others, at most `PARALLEL` at a time so that the
    // memory of answers being built stays bounded.
    let permit = PARALLEL.acquire().await;
    let outcome = tokio::task::spawn_blocking(move || sim.serve(request)).await;
    drop(permit);
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(_) => {
            let response = error_response(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "The simulator failed to answer",
                &[],
                wire,
            );
            return Ok(full(response));
        }
    };
    if let Some(delay) = outcome.delay {
        tokio::time::sleep(delay).await;
    }
    let (mut parts, body) = outcome.response.into_parts();
    let body = Bytes::from(body);
    let length = body.len();
    parts.headers.insert(
        http::header::CONTENT_LENGTH,
        http::HeaderValue::from(length),
    );
    let body = match outcome.delivery {
        Delivery::Normal => SimBody::Full(Some(body)),
        Delivery::Drop => return Err(Dropped),
        Delivery::Truncate => SimBody::Truncated {
            data: Some(body.slice(..length / 2)),
            sleep: None,
        },
        Delivery::Slow(pause) => SimBody::Slow {
            data: body,
            at: 0,
            pause,
            sleep: None,
        },
    };
    Ok(hyper::Response::from_parts(parts, body))
}

fn full(response: http::Response<Vec<u8>>) -> hyper::Response<SimBody> {
    let (parts, body) = response.into_parts();
    hyper::Response::from_parts(parts, SimBody::Full(Some(Bytes::from(body))))
}

/// Size of the pieces of a slow body.
const SLOW_CHUNK: usize = 256;

/// An answer's body: whole, cut short (then an error, so the connection closes), or slow.
enum SimBody {
    Full(Option<Bytes>),
    /// Half the body; then, after a pause that lets it reach the client, an error.
    Truncated {
        data: Option<Bytes>,
        sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    },
    Slow {
        data: Bytes,
        at: usize,
        pause: Duration,
        sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    },
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            SimBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            SimBody::Truncated { data, sleep } => {
                if let Some(d) = data.take() {
                    *sleep = Some(Box::pin(tokio::time::sleep(Duration::from_millis(50))));
                    return Poll::Ready(Some(Ok(Frame::data(d))));
                }
                if let Some(s) = sleep.as_mut() {
                    if s.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
                Poll::Ready(Some(Err("body truncated on purpose (fault)".into())))
            }
            SimBody::Slow {
                data,
                at,
                pause,
                sleep,
            } => {
                if *at >= data.len() {
                    return Poll::Ready(None);
                }
                if let Some(s) = sleep.as_mut() {
                    if s.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
                *sleep = Some(Box::pin(tokio::time::sleep(*pause)));
                let end = (*at + SLOW_CHUNK).min(data.len());
                let piece = data.slice(*at..end);
                *at = end;
                Poll::Ready(Some(Ok(Frame::data(piece))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            SimBody::Full(d) => d.is_none(),
            SimBody::Truncated { .. } => false,
            SimBody::Slow { data, at, .. } => *at >= data.len(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            SimBody::Full(Some(d)) => SizeHint::with_exact(d.len() as u64),
            _ => SizeHint::default(),
        }
    }
}
