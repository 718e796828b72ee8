//! `veeam-em-bench clients`: listing task sessions through the query service with the SDK's
//! clients, against the simulator on loopback, each client in a child process of its own so that
//! its peak memory is its own.
//!
//! Contenders: `blocking` (ureq, one page at a time), `async` (reqwest, `--in-flight` pages at a
//! time), and, when `python3` with `requests` and `lxml` is there, `python_requests_lxml`
//! (`clients_py.py`, the same pages parsed into dicts). Prints `client=NAME items=N
//! items_per_s=X seconds=S peak_rss_mb=M` lines, then the latency of small GETs.

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use veeam_em_api::query::Query;
use veeam_em_api::{api, BaseUrl, Credentials};
use veeam_em_client::{AsyncClient, Client, ClientConfig};

struct Options {
    task_sessions: u64,
    page_size: u32,
    in_flight: usize,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        task_sessions: 100_000,
        page_size: 1000,
        in_flight: 4,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = || -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{arg} needs a number"))
        };
        match arg.as_str() {
            "--task-sessions" => o.task_sessions = number()?,
            "--page-size" => o.page_size = u32::try_from(number()?).unwrap_or(1000).max(1),
            "--in-flight" => o.in_flight = usize::try_from(number()?).unwrap_or(4).max(1),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

fn config(url: &str, o: &Options) -> ClientConfig {
    ClientConfig::new(BaseUrl::parse(url).expect("the simulator's URL"))
        .credentials(Credentials::new("admin", "admin"))
        .paging(o.page_size, o.in_flight)
        .timeouts(Duration::from_secs(10), Duration::from_secs(120))
}

fn peak_rss_mb() -> f64 {
    crate::rss::rss().1 as f64 / 1e6
}

/// The child: one client lists every task session and reports.
pub fn one(args: &[String]) -> Result<(), String> {
    let (name, url) = match args {
        [name, url, ..] => (name.as_str(), url.as_str()),
        _ => return Err("client-one NAME URL [options]".into()),
    };
    let o = options(&args[2..])?;
    let query = || api::query().cdp_replica_task_session(Query::new().page_size(o.page_size));
    let started = Instant::now();
    let (items, bytes) = match name {
        "blocking" => {
            let client = Client::connect(config(url, &o)).map_err(|e| e.to_string())?;
            client.logon().map_err(|e| e.to_string())?;
            let started_listing = Instant::now();
            let mut n = 0u64;
            let mut size = 0i64;
            for item in client.query_entities(query()) {
                let item = item.map_err(|e| e.to_string())?;
                size += item.total_size.unwrap_or(0);
                n += 1;
            }
            let _ = started_listing;
            (n, size)
        }
        "async" => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                use futures_util::StreamExt as _;
                let client = AsyncClient::connect(config(url, &o)).map_err(|e| e.to_string())?;
                client.logon().await.map_err(|e| e.to_string())?;
                let mut stream = client.query_entities(query());
                let mut n = 0u64;
                let mut size = 0i64;
                while let Some(item) = stream.next().await {
                    let item = item.map_err(|e| e.to_string())?;
                    size += item.total_size.unwrap_or(0);
                    n += 1;
                }
                Ok::<_, String>((n, size))
            })?
        }
        other => return Err(format!("no client {other}")),
    };
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "client={name} items={items} items_per_s={:.0} seconds={seconds:.2} peak_rss_mb={:.1} checksum={bytes}",
        items as f64 / seconds,
        peak_rss_mb()
    );
    Ok(())
}

/// Starts the simulator, runs each client, then measures small-GET latency.
pub fn run(args: &[String]) -> Result<(), String> {
    let o = options(args)?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let (mut sim, addr) = crate::sim_load::spawn_server(
        "sim-server",
        &["--task-sessions".to_owned(), o.task_sessions.to_string()],
    )?;
    let url = format!("http://{addr}/api");
    println!(
        "simulator {url} task_sessions={} page_size={} in_flight={}",
        o.task_sessions, o.page_size, o.in_flight
    );
    let common = [
        "--task-sessions".to_owned(),
        o.task_sessions.to_string(),
        "--page-size".to_owned(),
        o.page_size.to_string(),
        "--in-flight".to_owned(),
        o.in_flight.to_string(),
    ];
    for name in ["blocking", "async", "blocking", "async"] {
        let out = Command::new(&exe)
            .arg("client-one")
            .args([name, url.as_str()])
            .args(&common)
            .output()
            .map_err(|e| e.to_string())?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/clients_py.py");
    match Command::new("python3")
        .args([script, url.as_str(), &o.page_size.to_string()])
        .output()
    {
        Ok(out) if out.status.success() => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Ok(out) => println!(
            "client=python_requests_lxml skipped: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => println!("client=python_requests_lxml skipped: {e}"),
    }
    latency(&url)?;
    if let Some(stdin) = sim.stdin.as_mut() {
        let _ = stdin.write_all(b"\n");
    }
    drop(sim.stdin.take());
    let _ = sim.wait();
    Ok(())
}

/// Latency of small GETs (one policy reference) with the blocking client, one at a time.
fn latency(url: &str) -> Result<(), String> {
    let o = Options {
        task_sessions: 0,
        page_size: 1000,
        in_flight: 1,
    };
    let client = Client::connect(config(url, &o)).map_err(|e| e.to_string())?;
    let policies = client
        .call(&api::cdp_policies().get())
        .map_err(|e| e.to_string())?;
    let id = policies.refs[0].uid.id().to_owned();
    let op = api::cdp_policies().id(id.as_str()).get();
    let mut micros = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        client.call(&op).map_err(|e| e.to_string())?;
        micros.push(t.elapsed().as_micros() as u64);
    }
    micros.sort_unstable();
    let pct =
        |p: f64| micros[((micros.len() as f64 * p) as usize).min(micros.len() - 1)] as f64 / 1000.0;
    println!(
        "latency small_get_blocking requests=2000 p50_ms={:.3} p99_ms={:.3}",
        pct(0.5),
        pct(0.99)
    );
    Ok(())
}
