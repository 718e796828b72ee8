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

/// A server running on a thread of its own; stopped when dropped.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    url: String,
    cert_path: Option<PathBuf>,
    cert_pem: Option<String>,
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningServer {
    /// The API base URL, e.g. `http://127.0.0.1:40721/api`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
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

fn certificate() -> std::io::Result<Certificate> {
    let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(|e| other(&e))?;
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
    let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    let scheme = if options.tls { "https" } else { "http" };
    let url = format!("{scheme}://{addr}/api");
    sim.set_base_url(&url);
    let (cert_path, cert_pem, tls) = if options.tls {
        let cert = certificate()?;
        let path = options.cert_path.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("veeam-em-sim-{}.pem", addr.port()))
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
                match TcpListener::from_std(std_listener) {
                    Ok(listener) => accept_loop(listener, sim, tls, stopped).await,
                    Err(e) => tracing::error!("cannot listen: {e}"),
                }
            });
        })?;
    Ok(RunningServer {
        addr,
        url,
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
