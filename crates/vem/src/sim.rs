//! `vem sim`: the embedded Enterprise Manager simulator as a real server on loopback, for curl,
//! other clients and tests. Prints its URL (and certificate file with `--tls`), logs one line per
//! request on standard error, and serves until interrupted.
//!
//! `--fleet N` serves N independent simulators from this one process (one world each, with its
//! own seed and site names, the same users): on consecutive ports, or with `--hosts` on
//! consecutive loopback addresses and one port. A fault with `server=K` hits member K only.

/// A line on standard output; a reader that went away (`vem sim | head -1`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {
        let _ = crate::output::print(&format!("{}\n", format_args!($($arg)*)));
    };
}

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use veeam_em_sim::server::{start_fleet, Addressing, ServerOptions};
use veeam_em_sim::{FaultRule, SimConfig, Simulator, User};

/// Arguments of `vem sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one). With --fleet, the first of consecutive ports
    /// (or, with --hosts, the port of every member).
    #[arg(long, default_value_t = 9398)]
    port: u16,
    /// Serve N independent simulated Enterprise Managers: member K has seed --seed + K - 1 and
    /// site `siteK` in its server names.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    fleet: u32,
    /// With --fleet, serve the members on consecutive loopback addresses from this one
    /// (127.0.0.1, 127.0.0.2, ...), all on --port, instead of on consecutive ports.
    #[arg(long, value_name = "IP")]
    hosts: Option<std::net::Ipv4Addr>,
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
    #[arg(long = "account", value_name = "NAME:PASSWORD", value_parser = User::parse)]
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
        help = "A fault to inject: KIND[=VALUE][,path=GLOB][,count=N][,share=S][,server=K] with KIND latency=, status=, truncate, drop, expire-session, slow-body= or task-fail; server=K aims it at member K of --fleet (repeatable)"
    )]
    faults: Vec<FaultRule>,
    /// Answer as a newer server would: entity documents carry an attribute and an element no
    /// schema declares (what clients must keep when they write back what they read).
    #[arg(long)]
    newer_server: bool,
    /// The time the world is anchored at (RFC 3339, e.g. 2026-01-01T09:00:00Z): histories end
    /// here, the newest sessions are running. By default, when the simulator starts. The same
    /// --seed and --now give byte-identical bodies.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    now: Option<time::OffsetDateTime>,
    /// Keep the world moving with the clock: jobs start at their next run, sessions end, new
    /// task sessions and CDP sessions appear.
    #[arg(long)]
    live: bool,
    /// How long a job's run (a session) takes before it ends with its result (e.g. 10m, 30s).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    session_duration: Duration,
    /// Backup servers of the world.
    #[arg(long, value_name = "N")]
    backup_servers: Option<u32>,
    /// Jobs on each backup server.
    #[arg(long, value_name = "N")]
    jobs_per_server: Option<u32>,
    /// Sessions each job's history keeps.
    #[arg(long, value_name = "N")]
    sessions_per_job: Option<u32>,
    /// VMs each job includes.
    #[arg(long, value_name = "N")]
    vms_per_job: Option<u32>,
    /// Repositories on each backup server.
    #[arg(long, value_name = "N")]
    repositories_per_server: Option<u32>,
    /// Cloud Connect tenants on each backup server.
    #[arg(long, value_name = "N")]
    tenants_per_server: Option<u32>,
    /// Objects of any kind per owner, by the catalogue's size name (schemas/resources, a
    /// Resource's size="..."), e.g. --size vms_per_job=20 (repeatable).
    #[arg(long = "size", value_name = "NAME=N", value_parser = parse_size)]
    sizes: Vec<(String, u32)>,
}

/// An RFC 3339 time, e.g. `2026-01-01T09:00:00Z`.
pub fn parse_time(text: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("{text:?} is not an RFC 3339 time (e.g. 2026-01-01T09:00:00Z): {e}"))
}

/// `NAME=N`.
fn parse_size(text: &str) -> Result<(String, u32), String> {
    let (name, n) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not NAME=N"))?;
    let n = n
        .parse()
        .map_err(|_| format!("{text:?}: {n:?} is not a number"))?;
    Ok((name.to_owned(), n))
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
    /// The world sizes given, by the catalogue's size names.
    fn sizes(&self) -> std::collections::BTreeMap<String, u32> {
        let named = [
            ("backup_servers", self.backup_servers),
            ("jobs_per_server", self.jobs_per_server),
            ("sessions_per_job", self.sessions_per_job),
            ("vms_per_job", self.vms_per_job),
            ("repositories_per_server", self.repositories_per_server),
            ("tenants_per_server", self.tenants_per_server),
        ];
        let mut out: std::collections::BTreeMap<String, u32> = named
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?)))
            .collect();
        out.extend(self.sizes.iter().cloned());
        out
    }

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
            now: self.now,
            live: self.live,
            session_duration: self.session_duration,
            sizes: self.sizes(),
            site: None,
        }
    }

    /// The configuration of each member: one lone simulator as before, or the members of the
    /// fleet. A fault aimed at a member the fleet does not have is refused.
    pub fn members(&self) -> Result<Vec<SimConfig>, String> {
        if let Some(k) = self
            .faults
            .iter()
            .filter_map(|f| f.server)
            .find(|k| *k > self.fleet)
        {
            return Err(format!(
                "a fault is aimed at server={k}, but there {} (--fleet N)",
                if self.fleet == 1 {
                    "is one server".to_owned()
                } else {
                    format!("are {} servers", self.fleet)
                }
            ));
        }
        let config = self.config();
        if self.fleet == 1 {
            let mut lone = config;
            lone.faults.retain(|f| f.server.is_none_or(|k| k == 1));
            return Ok(vec![lone]);
        }
        Ok((1..=self.fleet)
            .map(|k| config.fleet_member(k, self.fleet))
            .collect())
    }
}

/// Runs the server (or the fleet) until the process is interrupted.
pub fn run(args: &Args) -> Result<(), String> {
    crate::logging::init("info");
    let members = args.members()?;
    if args.hosts.is_some() && args.fleet == 1 {
        return Err("--hosts serves the members of a --fleet; give --fleet N too".into());
    }
    let users = members[0].effective_users();
    let sites: Vec<Option<String>> = members.iter().map(|c| c.site.clone()).collect();
    let seeds: Vec<u64> = members.iter().map(|c| c.seed).collect();
    let sims = members
        .into_iter()
        .map(|c| Arc::new(Simulator::new(c)))
        .collect();
    let addressing = match args.hosts {
        Some(first) => Addressing::Hosts(first),
        None => Addressing::Ports,
    };
    let options = ServerOptions {
        port: args.port,
        tls: args.tls,
        cert_path: args.cert_file.clone(),
    };
    let server =
        start_fleet(sims, options, addressing).map_err(|e| format!("cannot serve: {e}"))?;
    if args.fleet == 1 {
        say!("veeam-em simulator serving {}", server.url());
    } else {
        say!("veeam-em simulator: a fleet of {} servers", args.fleet);
        for (k, url) in server.urls().enumerate() {
            say!(
                "server {}: {url}  (seed {}, {})",
                k + 1,
                seeds[k],
                sites[k].as_deref().unwrap_or_default()
            );
        }
    }
    if let Some(path) = server.cert_path() {
        say!(
            "certificate (self-signed, for localhost and the addresses served): {}  (trust it with --ca-cert or curl --cacert)",
            path.display()
        );
    }
    if args.users.is_empty() {
        say!("log on as admin with the password admin (--account NAME:PASSWORD to change)");
    } else {
        let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        say!("users: {}", names.join(", "));
    }
    say!(
        "world: seed {}, {} policies, {} sessions per policy, {} task sessions per session{}{}",
        args.seed,
        args.policies,
        args.sessions_per_policy,
        args.tasks_per_session,
        match args.now {
            Some(now) => format!(", anchored at {now}"),
            None => String::new(),
        },
        if args.live { ", live" } else { "" }
    );
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    server.wait();
    Ok(())
}
