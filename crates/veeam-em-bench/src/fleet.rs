//! `veeam-em-bench fleet`: `vem-exporter` (or `vem exporter`, `--via-vem`) and the Python
//! `veeam-exporter` side by side, on the same machine, against one `vem sim --fleet N --hosts
//! 127.0.0.1` (N servers on 127.0.0.1 to 127.0.0.N, one port: the Python exporter tells targets
//! apart by host only).
//!
//! For each exporter: the wall time of one full scrape of the N servers, the CPU seconds the
//! exporter process spent on it, and its peak resident memory. `vem exporter` scrapes them all
//! in one `/metrics`; `veeam-exporter` serves one `?target=HOST` at a time, so its full scrape
//! is N requests, one after another. Then one server answers after 10 s (`--fault
//! latency=10s,server=K`) and `vem exporter`, with a 2 s timeout per target, must give the others'
//! metrics within that timeout.
//!
//! Processes: the simulator, each exporter, all children; figures come from `/proc/PID/stat`
//! and `/proc/PID/status` (Linux).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Options {
    vem: PathBuf,
    /// The exporter measured: `vem-exporter` (the default), or `vem exporter` with `--via-vem`
    /// (the same code in the whole `vem` binary, which maps more pages).
    exporter: PathBuf,
    via_vem: bool,
    python_exporter: Option<PathBuf>,
    servers: u32,
    scrapes: u32,
    /// More arguments of `vem exporter` (e.g. `--concurrency 4`), to compare settings.
    exporter_args: Vec<String>,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        vem: PathBuf::from("target/release/vem"),
        exporter: PathBuf::from("target/release/vem-exporter"),
        via_vem: false,
        python_exporter: Some(PathBuf::from("target/clients-venv/bin/veeam_exporter")),
        servers: 100,
        scrapes: 3,
        exporter_args: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--vem" => o.vem = PathBuf::from(value()?),
            "--exporter" => o.exporter = PathBuf::from(value()?),
            "--via-vem" => o.via_vem = true,
            "--python-exporter" => o.python_exporter = Some(PathBuf::from(value()?)),
            "--no-python" => o.python_exporter = None,
            "--exporter-arg" => o.exporter_args.push(value()?),
            "--servers" => {
                o.servers = value()?
                    .parse()
                    .map_err(|_| "--servers needs a number".to_owned())?;
            }
            "--scrapes" => {
                o.scrapes = value()?
                    .parse::<u32>()
                    .map_err(|_| "--scrapes needs a number".to_owned())?
                    .max(1);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

/// A child process, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

/// CPU seconds (user + system, all threads) a process has used so far.
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("odd /proc/PID/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: u64 = fields
        .get(11..13)
        .ok_or("short /proc/PID/stat")?
        .iter()
        .map(|f| f.parse::<u64>().unwrap_or(0))
        .sum();
    #[allow(clippy::cast_precision_loss)]
    Ok(ticks as f64 / clock_ticks())
}

/// Clock ticks per second of `/proc/PID/stat` (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// Peak resident memory of a process so far, in MB (10^6 bytes).
fn peak_rss_mb(pid: u32) -> Result<f64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or("no VmHWM")?;
    #[allow(clippy::cast_precision_loss)]
    Ok(kb as f64 * 1024.0 / 1e6)
}

/// A port free on 127.0.0.1 to 127.0.0.`n` (what the fleet binds), from the system.
fn free_port(n: u32) -> Result<u16, String> {
    for _ in 0..20 {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = probe.local_addr().map_err(|e| e.to_string())?.port();
        drop(probe);
        let free = (1..=n).all(|k| {
            std::net::TcpListener::bind((std::net::Ipv4Addr::new(127, 0, 0, k as u8), port)).is_ok()
        });
        if free {
            return Ok(port);
        }
    }
    Err("no free port on the loopback addresses".into())
}

/// `vem sim --fleet n --hosts 127.0.0.1 --port PORT [--fault FAULT]`, once it listens.
fn start_fleet(vem: &Path, n: u32, fault: Option<&str>) -> Result<(Running, u16), String> {
    if n > 250 {
        return Err("at most 250 servers (127.0.0.1 to 127.0.0.250)".into());
    }
    let port = free_port(n)?;
    let mut command = Command::new(vem);
    command.args([
        "sim",
        "--fleet",
        &n.to_string(),
        "--hosts",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]);
    if let Some(fault) = fault {
        command.args(["--fault", fault]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", vem.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let running = Running(child);
    let mut lines = BufReader::new(stdout).lines();
    let last = format!("server {n}: ");
    loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with(&last) => break,
            Some(Ok(_)) => {}
            _ => return Err("the fleet ended before it listened".into()),
        }
    }
    // Keep reading its output so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok((running, port))
}

fn get(url: &str, timeout: Duration) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .build()
        .into();
    agent
        .get(url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| format!("GET {url}: {e}"))
}

/// Waits until `url` answers (an exporter has started).
fn wait_for(url: &str, process: &mut Running) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(status)) = process.0.try_wait() {
            return Err(format!("the exporter ended ({status}) before it listened"));
        }
        if get(url, Duration::from_secs(5)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("{url} did not answer within 60 s"))
}

/// One exporter's figures over its scrapes.
struct Figures {
    name: &'static str,
    walls: Vec<f64>,
    cpus: Vec<f64>,
    peak_rss_mb: f64,
    series: usize,
    up: usize,
}

impl Figures {
    fn median(values: &[f64]) -> f64 {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    fn print(&self, servers: u32) {
        let fmt = |v: &[f64]| {
            v.iter()
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        println!(
            "exporter={} servers={servers} scrape_wall_s={:.2} cpu_s_per_scrape={:.2} peak_rss_mb={:.1} series={} up={} walls=[{}] cpus=[{}]",
            self.name,
            Self::median(&self.walls),
            Self::median(&self.cpus),
            self.peak_rss_mb,
            self.series,
            self.up,
            fmt(&self.walls),
            fmt(&self.cpus),
        );
    }
}

/// Series lines of a Prometheus text answer (not comments) and how many say up 1.
fn count(text: &str, up_prefix: &str) -> (usize, usize) {
    let series = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count();
    let up = text
        .lines()
        .filter(|l| l.starts_with(up_prefix) && (l.ends_with(" 1") || l.ends_with(" 1.0")))
        .count();
    (series, up)
}

/// The exporter's configuration: one target per member, a timeout of `timeout` s, no cache.
fn vem_config(dir: &Path, n: u32, port: u16, timeout: u32) -> Result<PathBuf, String> {
    let mut toml = String::new();
    for k in 1..=n {
        toml.push_str(&format!(
            "[[target]]\nname = \"em{k:03}\"\nurl = \"http://127.0.0.{k}:{port}/api\"\nuser = \"admin\"\npassword_env = \"VEM_BENCH_PASSWORD\"\ntimeout = {timeout}\nmin_interval = 0\n\n"
        ));
    }
    let path = dir.join("exporter.toml");
    std::fs::write(&path, toml).map_err(|e| e.to_string())?;
    Ok(path)
}

fn listen_port() -> Result<u16, String> {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(probe.local_addr().map_err(|e| e.to_string())?.port())
}

/// `vem exporter` over the fleet: `scrapes` full scrapes of one `/metrics` each.
fn vem_exporter(o: &Options, dir: &Path, port: u16, timeout: u32) -> Result<Figures, String> {
    let config = vem_config(dir, o.servers, port, timeout)?;
    let listen = listen_port()?;
    // `vem-exporter ...`, or `vem exporter ...` with --via-vem.
    let (exe, name, command): (_, _, &[&str]) = if o.via_vem {
        (&o.vem, "vem", &["exporter"])
    } else {
        (&o.exporter, "vem-exporter", &[])
    };
    let mut exporter = Running(
        Command::new(exe)
            .args(command)
            .arg("--config")
            .arg(&config)
            .args(["--listen", &format!("127.0.0.1:{listen}")])
            .args(&o.exporter_args)
            .env("VEM_BENCH_PASSWORD", "admin")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "{}: {e} (cargo build --release -p vem builds both)",
                    exe.display()
                )
            })?,
    );
    let url = format!("http://127.0.0.1:{listen}/metrics");
    scrapes(name, &mut exporter, listen, o.scrapes, || {
        Ok(count(&get(&url, Duration::from_secs(120))?, "veeam_em_up{"))
    })
}

/// The Python `veeam-exporter` over the fleet: per full scrape, one `?target=127.0.0.K` per
/// member, one after another (its handler serves one target per request).
fn python_exporter(o: &Options, exe: &Path, dir: &Path, port: u16) -> Result<Figures, String> {
    let listen = listen_port()?;
    let mut yaml = String::from("veeams:\n");
    for k in 1..=o.servers {
        yaml.push_str(&format!(
            "  - host: 127.0.0.{k}\n    port: {port}\n    protocol: http\n    user: admin\n    password: admin\n    timeout: 20\n"
        ));
    }
    yaml.push_str(&format!(
        "weblisten:\n  address: 127.0.0.1\n  port: {listen}\nlogger:\n  level: error\n  facility: {}\nmetrics_file: \"conf/metrics/*_metrics.yml\"\n",
        dir.join("veeam-exporter.log").display()
    ));
    let config = dir.join("veeam-exporter.yml");
    std::fs::write(&config, yaml).map_err(|e| e.to_string())?;
    let mut exporter = Running(
        Command::new(exe)
            .arg("-c")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", exe.display()))?,
    );
    scrapes(
        "python_veeam_exporter",
        &mut exporter,
        listen,
        o.scrapes,
        || {
            let (mut series, mut up) = (0, 0);
            for k in 1..=o.servers {
                let text = get(
                    &format!("http://127.0.0.1:{listen}/metrics?target=127.0.0.{k}"),
                    Duration::from_secs(120),
                )?;
                let (s, u) = count(&text, "veeam_em_up");
                series += s;
                up += u;
            }
            Ok((series, up))
        },
    )
}

/// Once `exporter` answers its landing page (which does not scrape), `n` full scrapes by
/// `scrape` (returning the series and the `up 1` count it saw): the wall time and the
/// exporter's CPU seconds of each, then its peak resident memory.
fn scrapes(
    name: &'static str,
    exporter: &mut Running,
    listen: u16,
    n: u32,
    mut scrape: impl FnMut() -> Result<(usize, usize), String>,
) -> Result<Figures, String> {
    wait_for(&format!("http://127.0.0.1:{listen}/"), exporter)?;
    let mut figures = Figures {
        name,
        walls: Vec::new(),
        cpus: Vec::new(),
        peak_rss_mb: 0.0,
        series: 0,
        up: 0,
    };
    for _ in 0..n {
        let cpu = cpu_seconds(exporter.pid())?;
        let started = Instant::now();
        (figures.series, figures.up) = scrape()?;
        figures.walls.push(started.elapsed().as_secs_f64());
        figures.cpus.push(cpu_seconds(exporter.pid())? - cpu);
    }
    figures.peak_rss_mb = peak_rss_mb(exporter.pid())?;
    Ok(figures)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let o = options(args)?;
    let dir = std::env::temp_dir().join(format!("veeam-em-bench-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = measure(&o, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure(o: &Options, dir: &Path) -> Result<(), String> {
    let (sim, port) = start_fleet(&o.vem, o.servers, None)?;
    let ours = vem_exporter(o, dir, port, 10)?;
    ours.print(o.servers);
    println!(
        "simulator servers={} peak_rss_mb={:.1} (after the vem exporter's scrapes)",
        o.servers,
        peak_rss_mb(sim.pid())?
    );
    if ours.up != o.servers as usize {
        return Err(format!(
            "{}: {} of {} servers up",
            ours.name, ours.up, o.servers
        ));
    }
    match &o.python_exporter {
        Some(exe) if exe.exists() => {
            let theirs = python_exporter(o, exe, dir, port)?;
            theirs.print(o.servers);
            let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::INFINITY };
            println!(
                "ratio python/vem wall={:.1}x cpu={:.1}x peak_rss={:.1}x",
                ratio(Figures::median(&theirs.walls), Figures::median(&ours.walls)),
                ratio(Figures::median(&theirs.cpus), Figures::median(&ours.cpus)),
                ratio(theirs.peak_rss_mb, ours.peak_rss_mb),
            );
        }
        Some(exe) => println!(
            "exporter=python_veeam_exporter skipped: {} not found (.ci/run installs it in target/clients-venv)",
            exe.display()
        ),
        None => {}
    }
    drop(sim);

    // One slow member: its 10 s latency must cost the scrape no more than its 2 s timeout.
    let slow = o.servers.div_ceil(2);
    let (sim, port) = start_fleet(
        &o.vem,
        o.servers,
        Some(&format!("latency=10s,server={slow}")),
    )?;
    let one = Options {
        vem: o.vem.clone(),
        exporter: o.exporter.clone(),
        via_vem: o.via_vem,
        python_exporter: None,
        servers: o.servers,
        scrapes: 1,
        exporter_args: o.exporter_args.clone(),
    };
    let figures = vem_exporter(&one, dir, port, 2)?;
    drop(sim);
    let wall = figures.walls[0];
    println!(
        "slow_server={slow} latency_s=10 timeout_s=2 scrape_wall_s={wall:.2} up={} of {}",
        figures.up, o.servers
    );
    if figures.up != o.servers as usize - 1 || wall >= 10.0 {
        return Err(format!(
            "one slow server held up the scrape: {wall:.2} s, {} up",
            figures.up
        ));
    }
    Ok(())
}
