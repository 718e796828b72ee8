//! `veeam-em-bench sim`: the simulator under load on loopback.
//!
//! The simulator runs in a child process (`veeam-em-bench sim-server`), so that its peak
//! memory is its own; this process opens `--connections` keep-alive connections and sends
//! requests as fast as they are answered for `--seconds` per scenario, then prints one line per
//! scenario: `scenario=NAME requests_per_s=X p50_ms=Y p99_ms=Z errors=E`, and the child's peak
//! RSS with `--task-sessions` task sessions.
//!
//! Scenarios: `small_get` (one policy reference, ~1 KB), `query_page_1000` (a page of 1,000 task
//! session entities from the query service, ~1.3 MB, pages drawn at random), `filtered_scan` (a
//! filter that reads every task session, 8 connections).

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::TcpStream;

/// Options of `sim`.
pub struct SimOptions {
    pub connections: usize,
    pub seconds: u64,
    pub task_sessions: u64,
    /// Runs (each a new simulator); medians are reported when more than one.
    pub runs: u32,
    /// A file of recorded `scenario=NAME requests_per_s=X` lines to compare the medians with.
    pub baseline: Option<std::path::PathBuf>,
    /// For `sim-server`: keep the world moving with the clock.
    pub live: bool,
}

impl SimOptions {
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut o = Self {
            connections: 64,
            seconds: 10,
            task_sessions: 1_000_000,
            runs: 1,
            baseline: None,
            live: false,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut number = || -> Result<u64, String> {
                it.next()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| format!("{arg} needs a number"))
            };
            match arg.as_str() {
                "--connections" => o.connections = number()?.max(1) as usize,
                "--seconds" => o.seconds = number()?.max(1),
                "--task-sessions" => o.task_sessions = number()?.max(1000),
                "--runs" => o.runs = u32::try_from(number()?.clamp(1, 20)).unwrap_or(1),
                "--baseline" => {
                    o.baseline = Some(it.next().ok_or("--baseline needs a file")?.into())
                }
                "--live" => o.live = true,
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(o)
    }
}

/// World sizes for about `task_sessions` task sessions: 100 policies, 100 sessions each.
fn world(task_sessions: u64) -> (u32, u32, u32) {
    let tasks = task_sessions.div_ceil(100 * 100).max(1);
    (100, 100, u32::try_from(tasks).unwrap_or(u32::MAX))
}

/// The child: serves until its standard input closes.
pub fn serve(args: &[String]) -> Result<(), String> {
    let o = SimOptions::parse(args)?;
    let (policies, sessions, tasks) = world(o.task_sessions);
    serve_until_stdin_closes(veeam_em_sim::SimConfig {
        policies,
        sessions_per_policy: sessions,
        tasks_per_session: tasks,
        live: o.live,
        ..veeam_em_sim::SimConfig::default()
    })
}

/// The child's side of [`spawn_server`]: serves a simulator of `config` on loopback, prints its
/// address, and stops when standard input closes.
pub fn serve_until_stdin_closes(config: veeam_em_sim::SimConfig) -> Result<(), String> {
    let sim = Arc::new(veeam_em_sim::Simulator::new(config));
    let server = veeam_em_sim::server::start(sim, veeam_em_sim::server::ServerOptions::default())
        .map_err(|e| e.to_string())?;
    println!("{}", server.addr());
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    server.stop();
    Ok(())
}

/// Starts this binary's `subcommand` (`sim-server`, `soak-server`) with `args` as a child that
/// serves the simulator; the child and the address it serves on. Closing the child's standard
/// input stops it.
pub fn spawn_server(
    subcommand: &str,
    args: &[String],
) -> Result<(std::process::Child, std::net::SocketAddr), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .arg(subcommand)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
    let mut out = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut addr = String::new();
    out.read_line(&mut addr).map_err(|e| e.to_string())?;
    let addr = addr
        .trim()
        .parse()
        .map_err(|_| format!("bad address {addr:?}"))?;
    Ok((child, addr))
}

/// The path of the n-th request of a scenario.
type PathFn = Arc<dyn Fn(u64) -> String + Send + Sync>;

/// Latencies of one scenario.
#[derive(Default)]
struct Samples {
    micros: Vec<u64>,
    errors: u64,
    bytes: u64,
}

/// `sim`: the scenarios `--runs` times (each against a new simulator); with more than one run,
/// the median of each scenario; with `--baseline FILE`, each median against the recorded one, an
/// error when one falls below 75% of it.
pub fn run(args: &[String]) -> Result<(), String> {
    let o = SimOptions::parse(args)?;
    let mut runs: Vec<Vec<(String, f64, f64)>> = Vec::new();
    for n in 0..o.runs {
        if o.runs > 1 {
            println!("run {} of {}", n + 1, o.runs);
        }
        runs.push(run_once(&o)?);
    }
    let medians: Vec<(String, f64, f64)> = runs[0]
        .iter()
        .map(|(name, _, _)| {
            let mut rps: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.iter().find(|(n, _, _)| n == name).map(|x| x.1))
                .collect();
            let mut p99: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.iter().find(|(n, _, _)| n == name).map(|x| x.2))
                .collect();
            rps.sort_by(f64::total_cmp);
            p99.sort_by(f64::total_cmp);
            (name.clone(), rps[rps.len() / 2], p99[p99.len() / 2])
        })
        .collect();
    if o.runs > 1 {
        for (name, rps, p99) in &medians {
            println!(
                "median scenario={name} requests_per_s={rps:.0} p99_ms={p99:.2} runs={}",
                o.runs
            );
        }
    }
    let Some(path) = &o.baseline else {
        return Ok(());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut slow = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let field = |key: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key))
                .map(str::to_owned)
        };
        let (Some(name), Some(recorded)) = (
            field("scenario="),
            field("requests_per_s=").and_then(|v| v.parse::<f64>().ok()),
        ) else {
            continue;
        };
        let Some((_, now, _)) = medians.iter().find(|(n, _, _)| *n == name) else {
            continue;
        };
        let ratio = now / recorded;
        println!(
            "baseline scenario={name} recorded_requests_per_s={recorded:.0} now={now:.0} ratio={ratio:.2}{}",
            if ratio < 0.75 { "  SLOWER THAN THE BASELINE" } else { "" }
        );
        if ratio < 0.75 {
            slow.push(name);
        }
    }
    if slow.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} fell below 75% of the recorded baseline ({}): a regression, or a slower machine",
            slow.join(", "),
            path.display()
        ))
    }
}

fn run_once(o: &SimOptions) -> Result<Vec<(String, f64, f64)>, String> {
    let (mut child, addr) = spawn_server(
        "sim-server",
        &["--task-sessions".to_owned(), o.task_sessions.to_string()],
    )?;
    let pid = child.id();
    println!(
        "simulator pid={pid} addr={addr} task_sessions={} rss_after_start_mb={:.1}",
        o.task_sessions,
        rss_mb(pid, "VmRSS")
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let result = runtime.block_on(async {
        let token = logon(addr).await?;
        let policy = first_policy(addr, &token).await?;
        let (_, _, tasks) = world(o.task_sessions);
        let pages = (100 * 100 * u64::from(tasks)) / 1000;
        let scenarios: Vec<(&str, usize, PathFn)> = vec![
            (
                "small_get",
                o.connections,
                Arc::new(move |_| format!("/api/cdpPolicies/{policy}")),
            ),
            (
                "query_page_1000",
                o.connections,
                Arc::new(move |n| {
                    format!(
                        "/api/query?type=CdpReplicaTaskSession&format=Entities&pageSize=1000&page={}",
                        1 + (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33) % pages.max(1)
                    )
                }),
            ),
            (
                "filtered_scan",
                8,
                Arc::new(|_| {
                    "/api/query?type=CdpReplicaTaskSession&filter=TotalSize%3E%3D127000000000&pageSize=100".to_owned()
                }),
            ),
        ];
        let mut out = Vec::new();
        for (name, connections, path) in scenarios {
            let samples = load(addr, &token, connections, Duration::from_secs(o.seconds), path).await;
            out.push(report(name, connections, o.seconds, samples));
        }
        Ok::<_, String>(out)
    });
    let peak = rss_mb(pid, "VmHWM");
    println!(
        "simulator peak_rss_mb={peak:.1} task_sessions={}",
        o.task_sessions
    );
    drop(child.stdin.take());
    let _ = child.wait();
    result
}

fn report(name: &str, connections: usize, seconds: u64, mut s: Samples) -> (String, f64, f64) {
    s.micros.sort_unstable();
    let n = s.micros.len();
    let pct = |p: f64| {
        if n == 0 {
            0.0
        } else {
            s.micros[((n as f64 * p) as usize).min(n - 1)] as f64 / 1000.0
        }
    };
    println!(
        "scenario={name} connections={connections} requests={n} requests_per_s={:.0} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} errors={} mb_per_s={:.1}",
        n as f64 / seconds as f64,
        pct(0.50),
        pct(0.99),
        pct(1.0),
        s.errors,
        s.bytes as f64 / 1e6 / seconds as f64,
    );
    (name.to_owned(), n as f64 / seconds as f64, pct(0.99))
}

/// Peak (`VmHWM`) or current (`VmRSS`) resident memory of `pid`, MB.
fn rss_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb * 1024.0 / 1e6)
}

async fn load(
    addr: std::net::SocketAddr,
    token: &str,
    connections: usize,
    duration: Duration,
    path: PathFn,
) -> Samples {
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let all = Arc::new(Mutex::new(Samples::default()));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (stop, counter, all, path, token) = (
            stop.clone(),
            counter.clone(),
            all.clone(),
            path.clone(),
            token.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let mut local = Samples::default();
            let mut conn: Option<Conn> = None;
            while !stop.load(Ordering::Relaxed) {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let p = path(n);
                if conn.is_none() {
                    conn = Conn::open(addr).await.ok();
                }
                let Some(c) = conn.as_mut() else {
                    local.errors += 1;
                    continue;
                };
                let started = Instant::now();
                match c.get(&p, &token).await {
                    Ok((200, len)) => {
                        local.micros.push(started.elapsed().as_micros() as u64);
                        local.bytes += len as u64;
                    }
                    Ok(_) => local.errors += 1,
                    Err(_) => {
                        local.errors += 1;
                        conn = None;
                    }
                }
            }
            let mut all = all.lock().unwrap_or_else(|e| e.into_inner());
            all.micros.extend(local.micros);
            all.errors += local.errors;
            all.bytes += local.bytes;
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    Arc::try_unwrap(all)
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .unwrap_or_default()
}

/// A keep-alive HTTP/1.1 connection.
struct Conn {
    reader: AsyncBufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    body: Vec<u8>,
}

impl Conn {
    async fn open(addr: std::net::SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        Ok(Self {
            reader: AsyncBufReader::with_capacity(64 * 1024, r),
            writer: w,
            body: Vec::new(),
        })
    }

    /// Sends a GET, reads the answer; `(status, body length)`.
    async fn get(&mut self, path: &str, token: &str) -> std::io::Result<(u16, usize)> {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: bench\r\nX-RestSvcSessionId: {token}\r\n\r\n");
        self.writer.write_all(request.as_bytes()).await?;
        self.read().await
    }

    async fn read(&mut self) -> std::io::Result<(u16, usize)> {
        let bad = || std::io::Error::other("bad response");
        let mut line = String::new();
        if self.reader.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::other("closed"));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).await?;
            let h = line.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().map_err(|_| bad())?;
                }
            }
        }
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body).await?;
        Ok((status, length))
    }
}

async fn logon(addr: std::net::SocketAddr) -> Result<String, String> {
    let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let auth = base64::engine::general_purpose::STANDARD.encode("admin:admin");
    let request = format!(
        "POST /api/sessionMngr/?v=latest HTTP/1.1\r\nHost: bench\r\nAuthorization: Basic {auth}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .map_err(|e| e.to_string())?;
    response
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("x-restsvcsessionid")
                .then(|| v.trim().to_owned())
        })
        .ok_or_else(|| "logon failed".to_owned())
}

async fn first_policy(addr: std::net::SocketAddr, token: &str) -> Result<String, String> {
    let mut c = Conn::open(addr).await.map_err(|e| e.to_string())?;
    let (status, _) = c
        .get("/api/cdpPolicies", token)
        .await
        .map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("GET /api/cdpPolicies answered {status}"));
    }
    let refs: veeam_em_model::EntityReferences =
        veeam_em_model::from_slice(&c.body).map_err(|e| e.to_string())?;
    Ok(refs.refs[0].uid.id().to_owned())
}

/// `live`: a simulator with `--live` (a child process, the default world with its CDP and job
/// histories) polled the way a monitoring tool polls it, for `--minutes` (default 10): every
/// second, the jobs, their sessions, the CDP sessions of the last page and the overview. Prints
/// the resident memory after the first minute and at the end; fails when it grew by 20 MB or
/// more (old history is generated on demand: what the world keeps should not grow).
pub fn live(args: &[String]) -> Result<(), String> {
    let mut minutes = 10u64;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--minutes" => {
                minutes = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--minutes needs a number")?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let (mut child, addr) = spawn_server(
        "sim-server",
        &[
            "--task-sessions".to_owned(),
            "10000".to_owned(),
            "--live".to_owned(),
        ],
    )?;
    let pid = child.id();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let paths = [
        "/api/jobs?format=Entity",
        "/api/backupSessions?format=Entity",
        "/api/replicaSessions?format=Entity",
        "/api/query?type=CdpReplicaSession&format=Entities&sortDesc=CreationTimeUtc&pageSize=100",
        "/api/reports/summary/overview",
    ];
    let result = runtime.block_on(async {
        let started = Instant::now();
        let mut token = logon(addr).await?;
        let mut conn = Conn::open(addr).await.map_err(|e| e.to_string())?;
        let mut after_warmup = None;
        let mut requests = 0u64;
        let mut bytes = 0u64;
        while started.elapsed() < Duration::from_secs(minutes * 60) {
            for p in paths {
                match conn.get(p, &token).await {
                    Ok((200, len)) => bytes += len as u64,
                    Ok((401, _)) => token = logon(addr).await?,
                    Ok((status, _)) => return Err(format!("GET {p}: {status}")),
                    Err(_) => conn = Conn::open(addr).await.map_err(|e| e.to_string())?,
                }
                requests += 1;
            }
            if after_warmup.is_none() && started.elapsed() >= Duration::from_secs(60) {
                after_warmup = Some(rss_mb(pid, "VmRSS"));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let start = after_warmup.unwrap_or_else(|| rss_mb(pid, "VmRSS"));
        let end = rss_mb(pid, "VmRSS");
        println!(
            "live minutes={minutes} requests={requests} mb_read={:.1} rss_after_1min_mb={start:.1} rss_end_mb={end:.1} growth_mb={:.1}",
            bytes as f64 / 1e6,
            end - start
        );
        if end - start >= 20.0 {
            return Err(format!("the live simulator grew by {:.1} MB", end - start));
        }
        Ok(())
    });
    drop(child.stdin.take());
    let _ = child.wait();
    result
}
