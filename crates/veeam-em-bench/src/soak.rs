//! `veeam-em-bench soak [--seconds S] [--workers W]`: both clients against the simulator with
//! every fault on, W workers (half blocking threads sharing one `Client`, half tasks sharing one
//! `AsyncClient`) for S seconds (default 60, 64 workers).
//!
//! The simulator runs in a child process (`soak-server`) so that the file descriptors, threads
//! and memory measured here are the clients' alone. Checked, and printed:
//! - every request ends in a value or a typed error (counted by kind); a `decode` error would
//!   mean the simulator served a body that does not decode (or the client cannot read one), so
//!   there must be none;
//! - file descriptors and threads before the clients exist and after they are dropped;
//! - resident memory every second: first, last and peak after a warm-up.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use veeam_em_api::query::Query;
use veeam_em_api::{api, ApiError, BaseUrl, Credentials};
use veeam_em_client::{AsyncClient, Client, ClientConfig, ClientError, RetryPolicy};
use veeam_em_sim::{FaultRule, SimConfig};

/// The faults, each on a share of the requests.
const FAULTS: &[&str] = &[
    "status=503,share=0.04",
    "status=500,share=0.02",
    "latency=30ms,share=0.08",
    "truncate,share=0.03",
    "drop,share=0.03",
    "expire-session,share=0.02",
    "slow-body=2ms,share=0.02",
];

struct Options {
    seconds: u64,
    workers: usize,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        seconds: 60,
        workers: 64,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = || -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{arg} needs a number"))
        };
        match arg.as_str() {
            "--seconds" => o.seconds = number()?.max(1),
            "--workers" => o.workers = usize::try_from(number()?).unwrap_or(64).max(2),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

/// The child: the simulator with every fault, until standard input closes.
pub fn serve(_args: &[String]) -> Result<(), String> {
    let faults = FAULTS
        .iter()
        .map(|f| FaultRule::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    crate::sim_load::serve_until_stdin_closes(SimConfig {
        faults,
        task_duration: Duration::from_millis(50),
        ..SimConfig::default()
    })
}

fn count_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// The kind of an outcome, for the tally.
fn kind<T>(result: &Result<T, ClientError>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(ClientError::Transport { .. }) => "transport".into(),
        Err(ClientError::Api(ApiError::Status { status, .. })) => {
            format!("status_{}", status.as_u16())
        }
        Err(ClientError::Api(ApiError::Decode { .. })) => "decode".into(),
        Err(ClientError::Api(ApiError::NotTheForm { .. })) => "not_xml".into(),
        Err(ClientError::Api(ApiError::EmptyBody { .. })) => "empty_body".into(),
        Err(ClientError::Api(ApiError::ContentType { .. })) => "content_type".into(),
        Err(ClientError::Api(e)) => format!("api_other({e})"),
        Err(ClientError::TaskFailed { .. }) => "task_failed".into(),
        Err(ClientError::TaskTimeout { .. }) => "task_timeout".into(),
        Err(ClientError::UnknownContent { .. }) => "unknown_content".into(),
        Err(ClientError::NoCredentials) => "no_credentials".into(),
        Err(ClientError::Config(_)) => "config".into(),
        Err(e) => format!("other({e})"),
    }
}

fn config(url: &str) -> ClientConfig {
    ClientConfig::new(BaseUrl::parse(url).expect("the simulator's URL"))
        .credentials(Credentials::new("admin", "admin"))
        .timeouts(Duration::from_secs(5), Duration::from_secs(10))
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(100),
            ..RetryPolicy::default()
        })
}

type Tally = Arc<Mutex<BTreeMap<String, u64>>>;

fn add(tally: &Tally, kind: String) {
    *tally
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(kind)
        .or_default() += 1;
}

/// One blocking request of the mix (the `n`-th of a worker).
fn blocking_request(client: &Client<veeam_em_client::UreqTransport>, n: u64) -> String {
    match n % 4 {
        0 => kind(&client.call(&api::cdp_replica_sessions().get())),
        1 => kind(&client.call(&api::cdp_policies().get_entities())),
        2 => kind(
            &client.call(
                &api::query()
                    .cdp_replica_task_session(Query::new().page_size(50).page(1 + (n % 5) as u32)),
            ),
        ),
        _ => kind(&client.call(&api::cloud().tenants().get_entities())),
    }
}

async fn async_request(client: &AsyncClient<veeam_em_client::ReqwestTransport>, n: u64) -> String {
    match n % 4 {
        0 => kind(&client.call(&api::cdp_replicas().get()).await),
        1 => kind(&client.call(&api::jobs().get_entities()).await),
        2 => kind(
            &client
                .call(&api::query().cdp_replica_session(Query::new().page_size(20)))
                .await,
        ),
        _ => kind(&client.call(&api::backup_servers().get()).await),
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let o = options(args)?;
    let (mut child, addr) = crate::sim_load::spawn_server("soak-server", &[])?;
    let url = format!("http://{addr}/api");

    let (fds_before, threads_before) = (count_fds(), crate::rss::threads());
    let tally: Tally = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let rss_samples = Arc::new(Mutex::new(Vec::<u64>::new()));
    let started = Instant::now();
    {
        let blocking = Arc::new(Client::connect(config(&url)).map_err(|e| e.to_string())?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let nonblocking = Arc::new(AsyncClient::connect(config(&url)).map_err(|e| e.to_string())?);
        let half = o.workers / 2;
        let mut threads = Vec::new();
        for w in 0..half {
            let (client, tally, stop) = (blocking.clone(), tally.clone(), stop.clone());
            threads.push(std::thread::spawn(move || {
                let mut n = w as u64;
                while !stop.load(Ordering::Relaxed) {
                    add(&tally, blocking_request(&client, n));
                    n += 1;
                }
            }));
        }
        let mut tasks = Vec::new();
        for w in 0..o.workers - half {
            let (client, tally, stop) = (nonblocking.clone(), tally.clone(), stop.clone());
            tasks.push(runtime.spawn(async move {
                let mut n = w as u64;
                while !stop.load(Ordering::Relaxed) {
                    add(&tally, async_request(&client, n).await);
                    n += 1;
                }
            }));
        }
        while started.elapsed() < Duration::from_secs(o.seconds) {
            std::thread::sleep(Duration::from_secs(1));
            let (rss, _) = crate::rss::rss();
            rss_samples
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(rss);
        }
        stop.store(true, Ordering::Relaxed);
        for t in threads {
            t.join().map_err(|_| "a blocking worker panicked")?;
        }
        runtime.block_on(async {
            for t in tasks {
                t.await
                    .map_err(|e| format!("an async worker failed: {e}"))?;
            }
            Ok::<_, String>(())
        })?;
        drop(nonblocking);
        runtime.shutdown_timeout(Duration::from_secs(5));
    }
    // Pooled connections of the dropped clients close; give the kernel a moment.
    std::thread::sleep(Duration::from_millis(200));
    let (fds_after, threads_after) = (count_fds(), crate::rss::threads());
    drop(child.stdin.take());
    let _ = child.wait();

    let tally = tally.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let requests: u64 = tally.values().sum();
    let errors: Vec<String> = tally
        .iter()
        .filter(|(k, _)| k.as_str() != "ok")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let samples = rss_samples
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mb = |b: u64| b as f64 / 1e6;
    let warm = samples.get(samples.len() / 10).copied().unwrap_or(0);
    let last = samples.last().copied().unwrap_or(0);
    let peak = samples.iter().copied().max().unwrap_or(0);
    println!(
        "soak seconds={} workers={} requests={requests} ok={} errors: {}",
        o.seconds,
        o.workers,
        tally.get("ok").copied().unwrap_or(0),
        if errors.is_empty() {
            "none".into()
        } else {
            errors.join(" ")
        }
    );
    println!(
        "soak rss_mb after_warmup={:.1} last={:.1} peak={:.1}; fds before={fds_before} after={fds_after}; threads before={threads_before} after={threads_after}",
        mb(warm),
        mb(last),
        mb(peak)
    );
    let mut problems = Vec::new();
    if tally.contains_key("decode") || tally.contains_key("not_xml") {
        problems.push("a body did not decode".to_owned());
    }
    if fds_after > fds_before {
        problems.push(format!(
            "file descriptors leaked: {fds_before} -> {fds_after}"
        ));
    }
    if threads_after > threads_before {
        problems.push(format!(
            "threads leaked: {threads_before} -> {threads_after}"
        ));
    }
    if warm > 0 && last > warm.saturating_mul(3) / 2 + 16_000_000 {
        problems.push(format!(
            "memory grew: {:.1} MB after warm-up, {:.1} MB at the end",
            mb(warm),
            mb(last)
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
