//! `vem sim`: the embedded Enterprise Manager simulator as a real server on loopback, for curl,
//! other clients and tests. Prints its URL (and certificate file with `--tls`), logs one line per
//! request on standard error, and serves until interrupted.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use veeam_em_sim::server::{start, ServerOptions};
use veeam_em_sim::{FaultRule, SimConfig, Simulator, User};

/// Arguments of `vem sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 9398)]
    port: u16,
    /// Serve HTTPS with a self-signed certificate made at start (its PEM file is printed).
    #[arg(long)]
    tls: bool,
    /// Where to write the certificate with --tls.
    #[arg(long, value_name = "FILE")]
    cert_file: Option<PathBuf>,
    /// Seed of the generated world (same seed, same names, ids and values).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of CDP policies.
    #[arg(long, default_value_t = 4)]
    policies: u32,
    /// Replication sessions per policy.
    #[arg(long, default_value_t = 5)]
    sessions_per_policy: u32,
    /// Task sessions per replication session.
    #[arg(long, default_value_t = 3)]
    tasks_per_session: u32,
    /// A user who may log on, NAME:PASSWORD (repeatable; replaces the default admin:admin).
    #[arg(long = "user", value_name = "NAME:PASSWORD", value_parser = User::parse)]
    users: Vec<User>,
    /// Idle time after which a logon session expires (e.g. 15m, 30s).
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    session_idle: Duration,
    /// How long a task started by an action runs (e.g. 2s, 500ms).
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    task_duration: Duration,
    #[arg(
        long = "fault",
        value_name = "SPEC",
        value_parser = FaultRule::parse,
        help = "A fault to inject: KIND[=VALUE][,path=GLOB][,count=N][,share=S] with KIND latency=, status=, truncate, drop, expire-session or slow-body= (repeatable)"
    )]
    faults: Vec<FaultRule>,
    /// Answer as a newer server would: entity documents carry an attribute and an element no
    /// schema declares (what clients must keep when they write back what they read).
    #[arg(long)]
    newer_server: bool,
}

/// `150ms`, `2s`, `15m`, `1h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration (e.g. 500ms, 2s, 15m)");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = text.split_at(split);
    let n: u64 = n.parse().map_err(|_| bad())?;
    Ok(match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return Err(bad()),
    })
}

impl Args {
    /// The simulator configuration these arguments describe.
    pub fn config(&self) -> SimConfig {
        SimConfig {
            seed: self.seed,
            policies: self.policies,
            sessions_per_policy: self.sessions_per_policy,
            tasks_per_session: self.tasks_per_session,
            users: self.users.clone(),
            session_idle: self.session_idle,
            task_duration: self.task_duration,
            faults: self.faults.clone(),
            newer_server: self.newer_server,
            ..SimConfig::default()
        }
    }
}

/// Runs the server until the process is interrupted.
pub fn run(args: &Args) -> Result<(), String> {
    crate::logging::init("info");
    let config = args.config();
    let users = config.effective_users();
    let sim = Arc::new(Simulator::new(config));
    let server = start(
        sim,
        ServerOptions {
            port: args.port,
            tls: args.tls,
            cert_path: args.cert_file.clone(),
        },
    )
    .map_err(|e| format!("cannot serve on 127.0.0.1:{}: {e}", args.port))?;
    println!("veeam-em simulator serving {}", server.url());
    if let Some(path) = server.cert_path() {
        println!(
            "certificate (self-signed, for localhost and 127.0.0.1): {}  (trust it with --ca-cert or curl --cacert)",
            path.display()
        );
    }
    if args.users.is_empty() {
        println!("log on as admin with the password admin (--user NAME:PASSWORD to change)");
    } else {
        let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        println!("users: {}", names.join(", "));
    }
    println!(
        "world: seed {}, {} policies, {} sessions per policy, {} task sessions per session",
        args.seed, args.policies, args.sessions_per_policy, args.tasks_per_session
    );
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    server.wait();
    Ok(())
}
