//! `vem exporter`: the metrics of several targets in one scrape, failing targets as `up 0`
//! with an error counted by kind, values equal to what `vem` reports for the same world, a
//! snapshot of the text, secrets never shown, and the HTTP endpoint with `?target=`.
#![cfg(feature = "exporter")]

use std::io::{BufRead as _, Read as _, Write as _};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use veeam_em_sim::server::{start, RunningServer, ServerOptions};
use veeam_em_sim::{SimConfig, Simulator};

const SECRET: &str = "admin";

fn server() -> (Arc<Simulator>, RunningServer) {
    let sim = Arc::new(Simulator::new(SimConfig {
        now: Some(time::macros::datetime!(2026-01-15 09:30 UTC)),
        ..SimConfig::default()
    }));
    let server = start(
        sim.clone(),
        ServerOptions {
            port: 0,
            tls: false,
            cert_path: None,
        },
    )
    .unwrap();
    (sim, server)
}

fn vem(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vem"))
        .args(args)
        .env("EM_PASSWORD", SECRET)
        .env("EM_WRONG", "not-the-password")
        .env_remove("VEEAM_EM_URL")
        .output()
        .unwrap()
}

fn config(url: &str, name: &str) -> std::path::PathBuf {
    let text = format!(
        r#"
[[target]]
name = "paris"
url = "{url}"
user = "admin"
password_env = "EM_PASSWORD"
labels = {{ site = "paris" }}

[[target]]
name = "down"
url = "http://127.0.0.1:9/api"
user = "admin"
password_env = "EM_PASSWORD"
timeout = 2

[[target]]
name = "wrong-password"
url = "{url}"
user = "admin"
password_env = "EM_WRONG"
"#
    );
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `vem exporter --config CONFIG --listen 127.0.0.1:0 EXTRA...` serving, and the line it says
/// where (`vem exporter: serving http://ADDR/metrics ...`).
fn serve(config: &std::path::Path, extra: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vem"))
        .args(["exporter", "--config", config.to_str().unwrap()])
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .env("EM_PASSWORD", SECRET)
        .env("EM_WRONG", "x")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    stderr.read_line(&mut line).unwrap();
    // Keep reading what it logs, so that its standard error never closes under it.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, line)
}

/// A simulator on a socket with the fault `rule` (`status=500,path=*reports*`).
fn server_with_fault(rule: &str) -> RunningServer {
    let sim = Arc::new(Simulator::new(SimConfig {
        faults: vec![veeam_em_sim::FaultRule::parse(rule).unwrap()],
        ..SimConfig::default()
    }));
    start(sim, ServerOptions::default()).unwrap()
}

/// A simulator on a socket whose reports answer after `latency` (`5s`).
fn slow_server(latency: &str) -> RunningServer {
    server_with_fault(&format!("latency={latency},path=/api/reports*"))
}

/// One `[[target]]`: `name` at `url`, the password from `EM_PASSWORD`, then `extra` lines
/// (`timeout = 2`).
fn target(name: &str, url: &str, extra: &str) -> String {
    format!(
        "[[target]]\nname = \"{name}\"\nurl = \"{url}\"\nuser = \"admin\"\npassword_env = \"EM_PASSWORD\"\n{extra}\n"
    )
}

/// The configuration file `file` (in the tests' temporary directory) of `targets`.
fn write_config(file: &str, targets: &[String]) -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(file);
    std::fs::write(&path, targets.concat()).unwrap();
    path
}

/// `vem exporter --config PATH --once --concurrency N`: how long it took and what it printed.
fn timed_once(path: &std::path::Path, concurrency: &str) -> (std::time::Duration, String) {
    let started = std::time::Instant::now();
    let out = vem(&[
        "exporter",
        "--config",
        path.to_str().unwrap(),
        "--once",
        "--concurrency",
        concurrency,
    ]);
    (started.elapsed(), String::from_utf8(out.stdout).unwrap())
}

/// The value of the series `name{labels...}` (labels given as `k="v"` in their order).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn every_target_in_one_scrape_failures_as_up_0() {
    let (_sim, server) = server();
    let path = config(server.url(), "exporter-once.toml");
    let out = vem(&["exporter", "--config", path.to_str().unwrap(), "--once"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        value(&text, r#"veeam_em_up{target="paris",site="paris"}"#),
        1.0
    );
    assert_eq!(value(&text, r#"veeam_em_up{target="down"}"#), 0.0);
    assert_eq!(value(&text, r#"veeam_em_up{target="wrong-password"}"#), 0.0);
    assert_eq!(
        value(
            &text,
            r#"veeam_em_scrape_errors_total{target="down",kind="connect"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &text,
            r#"veeam_em_scrape_errors_total{target="wrong-password",kind="credentials"}"#
        ),
        1.0
    );
    // Secrets never show, in the metrics or the logs.
    for secret in [SECRET, "not-the-password"] {
        assert!(!text.contains(&format!("\"{secret}\"")), "{text}");
        assert!(!err.contains(secret), "{err}");
    }

    // The values are what vem reports for the same world.
    let get = |path: &str| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_vem"))
            .args([
                "get",
                path,
                "--url",
                server.url(),
                "--user",
                "admin",
                "-o",
                "json",
            ])
            .env("VEEAM_EM_PASSWORD", SECRET)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let o = get("/reports/summary/overview");
    let l = r#"{target="paris",site="paris"}"#;
    for (metric, member) in [
        ("veeam_em_backup_servers", "BackupServers"),
        ("veeam_em_proxy_servers", "ProxyServers"),
        ("veeam_em_repository_servers", "RepositoryServers"),
        ("veeam_em_jobs_running", "RunningJobs"),
        ("veeam_em_jobs_scheduled", "ScheduledJobs"),
    ] {
        assert_eq!(
            value(&text, &format!("{metric}{l}")),
            o[member].as_f64().unwrap(),
            "{metric}"
        );
    }
    let j = get("/reports/summary/job_statistics");
    assert_eq!(
        value(
            &text,
            r#"veeam_em_job_runs{target="paris",site="paris",result="failed"}"#
        ),
        j["FailedJobRuns"].as_f64().unwrap()
    );
    let r = get("/reports/summary/repository");
    for period in r["Period"].as_array().unwrap() {
        let name = period["Name"].as_str().unwrap();
        assert_eq!(
            value(
                &text,
                &format!(
                    r#"veeam_em_repository_capacity_bytes{{target="paris",site="paris",repository="{name}"}}"#
                )
            ),
            period["Capacity"].as_f64().unwrap(),
            "{name}"
        );
    }

    // Each job's and each CDP policy's newest session, as vem lists them; discovered computers
    // by agent status.
    let run = |args: &[&str]| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_vem"))
            .args(args)
            .args(["--url", server.url(), "--user", "admin", "-o", "json"])
            .env("VEEAM_EM_PASSWORD", SECRET)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let newest = |items: &serde_json::Value, owner: &str, label: &str, metric: &str| {
        let mut items: Vec<&serde_json::Value> = items.as_array().unwrap().iter().collect();
        items.sort_by_key(|s| std::cmp::Reverse(s["CreationTimeUTC"].as_str().unwrap().to_owned()));
        let mut seen = std::collections::BTreeSet::new();
        for s in items {
            let name = s[owner].as_str().unwrap();
            if !seen.insert(name.to_owned()) {
                continue;
            }
            let result = s["Result"].as_str().unwrap().to_ascii_lowercase();
            let series = format!(
                r#"{metric}{{target="paris",site="paris",{label}="{name}",result="{result}"}}"#
            );
            assert_eq!(value(&text, &series), 1.0, "{series}");
        }
        assert!(!seen.is_empty());
    };
    newest(
        &run(&["sessions"])["BackupJobSessions"],
        "JobName",
        "job",
        "veeam_em_job_last_session_result",
    );
    newest(
        &run(&["cdp", "sessions"])["CdpReplicaSessions"],
        "PolicyName",
        "policy",
        "veeam_em_cdp_policy_last_session_result",
    );
    let computers = run(&["get", "/agents/discoveredComputers?format=Entity"]);
    let mut by_status = std::collections::BTreeMap::<String, f64>::new();
    for c in computers["DiscoveredComputers"].as_array().unwrap() {
        let status = c["AgentStatus"].as_str().unwrap().to_ascii_lowercase();
        *by_status.entry(status).or_default() += 1.0;
    }
    for (status, count) in by_status {
        let series = format!(
            r#"veeam_em_agents_discovered{{target="paris",site="paris",agent_status="{status}"}}"#
        );
        assert_eq!(value(&text, &series), count, "{series}");
    }

    // A snapshot of the data series (durations vary from run to run; the series of one
    // metric come in no set order, so they are sorted).
    let mut data = String::new();
    let mut block: Vec<&str> = Vec::new();
    let kept = text.lines().filter(|l| {
        !l.contains("scrape_duration_seconds")
            && !l.contains("target=\"down\"")
            && !l.contains("wrong-password")
    });
    for line in kept.chain(std::iter::once("# end")) {
        if line.starts_with('#') {
            block.sort_unstable();
            for l in block.drain(..) {
                data.push_str(l);
                data.push('\n');
            }
            data.push_str(line);
            data.push('\n');
        } else {
            block.push(line);
        }
    }
    insta::assert_snapshot!("exporter_metrics", data);
}

#[test]
fn the_endpoint_serves_every_target_or_one() {
    let (_sim, server) = server();
    let path = config(server.url(), "exporter-serve.toml");
    let (mut child, line) = serve(&path, &[]);
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text
    };
    let all = get("/metrics");
    assert!(all.starts_with("HTTP/1.1 200"), "{all}");
    assert!(all.contains(r#"veeam_em_up{target="down"} 0"#), "{all}");
    let one = get("/metrics?target=paris");
    assert!(
        one.contains(r#"veeam_em_up{target="paris",site="paris"} 1"#),
        "{one}"
    );
    assert!(!one.contains("target=\"down\""), "{one}");
    assert!(get("/metrics?target=nowhere").starts_with("HTTP/1.1 404"));
    child.kill().unwrap();
    let _ = child.wait();
}

/// The Grafana dashboard (`dashboards/vem-exporter.json`) only queries metrics the exporter
/// exports: every `veeam_em_*` name in its expressions and variables has a `# TYPE` line in a
/// scrape of a simulated server (a counter's `_total` samples belong to its family).
#[test]
fn the_dashboard_queries_exported_metrics() {
    let (_sim, server) = server();
    let path = config(server.url(), "exporter-dashboard.toml");
    let out = vem(&["exporter", "--config", path.to_str().unwrap(), "--once"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let exported: std::collections::BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../dashboards/vem-exporter.json"
    );
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut queries = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            queries.push(target["expr"].as_str().unwrap().to_owned());
        }
    }
    for variable in dashboard["templating"]["list"].as_array().unwrap() {
        if let Some(q) = variable["query"].as_str() {
            queries.push(q.to_owned());
        }
    }
    let mut names = 0;
    for q in &queries {
        for (at, _) in q.match_indices("veeam_em_") {
            let name: String = q[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let family = name.strip_suffix("_total").unwrap_or(&name);
            assert!(exported.contains(family), "{name} (in {q}) is not exported");
            names += 1;
        }
    }
    assert!(names >= queries.len(), "every query names a metric");
}

/// A slow server does not hold the others back beyond its own timeout: with 5 s of latency
/// and a timeout of 1 s, the scrape ends after about 1 s, the slow target `up 0` with a
/// `timeout` error, the other `up 1`.
#[test]
fn a_slow_target_costs_its_timeout_only() {
    let (_sim, fast) = server();
    let slow = slow_server("5s");
    let path = write_config(
        "exporter-slow.toml",
        &[
            target("fast", fast.url(), ""),
            target("slow", slow.url(), "timeout = 1"),
        ],
    );
    // Both targets at once, then one at a time: the slow one holds the only place for its
    // timeout, and the fast one still gets its turn.
    for concurrency in ["16", "1"] {
        let (took, text) = timed_once(&path, concurrency);
        assert!(
            took < std::time::Duration::from_millis(3500),
            "--concurrency {concurrency}: took {took:?}"
        );
        assert_eq!(value(&text, r#"veeam_em_up{target="fast"}"#), 1.0);
        assert_eq!(value(&text, r#"veeam_em_up{target="slow"}"#), 0.0);
        assert_eq!(
            value(
                &text,
                r#"veeam_em_scrape_errors_total{target="slow",kind="timeout"}"#
            ),
            1.0
        );
    }
}

/// Two slow targets with fast ones between them, two places: each slow one holds only its own
/// place, so the fast ones pass beside it and the two slow ones wait at the same time (one
/// timeout in all). Were the places taken in order, the second slow one would start only after
/// the first ended (two timeouts).
#[test]
fn slow_targets_hold_only_their_own_place() {
    let (_sim, fast) = server();
    let slow = slow_server("8s");
    let path = write_config(
        "exporter-slow-two.toml",
        &[
            target("slow-1", slow.url(), "timeout = 2"),
            target("fast-1", fast.url(), ""),
            target("fast-2", fast.url(), ""),
            target("fast-3", fast.url(), ""),
            target("slow-2", slow.url(), "timeout = 2"),
        ],
    );
    let (took, text) = timed_once(&path, "2");
    for name in ["fast-1", "fast-2", "fast-3"] {
        assert_eq!(
            value(&text, &format!("veeam_em_up{{target=\"{name}\"}}")),
            1.0
        );
    }
    for name in ["slow-1", "slow-2"] {
        assert_eq!(
            value(&text, &format!("veeam_em_up{{target=\"{name}\"}}")),
            0.0
        );
    }
    // One timeout (2 s) and the fast scrapes; two timeouts would be 4 s and more.
    assert!(
        took < std::time::Duration::from_millis(3600),
        "took {took:?}"
    );
}

/// A family the server answers an error for (CDP policies here) leaves the target up and
/// only that family's series out; with no failure anywhere there is no error counter at all.
#[test]
fn an_optional_family_failing_leaves_the_target_up_without_its_series() {
    let server = server_with_fault("status=500,path=*cdpPolicies*");
    let path = write_config("exporter-optional.toml", &[target("em", server.url(), "")]);
    let out = vem(&["exporter", "--config", path.to_str().unwrap(), "--once"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(value(&text, r#"veeam_em_up{target="em"}"#), 1.0);
    assert!(!text.contains("veeam_em_cdp_policy_enabled"), "{text}");
    assert!(
        text.contains("veeam_em_cdp_policy_last_session_result{"),
        "{text}"
    );
    assert!(text.contains("veeam_em_backup_servers{"), "{text}");
    assert!(!text.contains("veeam_em_scrape_errors"), "{text}");
    assert!(text.ends_with("# EOF\n"), "{text}");
}

/// A server that answers 500 is `up 0` with a `status` error, and the others still answer.
#[test]
fn a_server_error_is_up_0_with_a_status_error() {
    let failing = server_with_fault("status=500,path=*reports*");
    let (_sim, healthy) = server();
    let path = write_config(
        "exporter-500.toml",
        &[
            target("failing", failing.url(), ""),
            target("healthy", healthy.url(), ""),
        ],
    );
    let out = vem(&["exporter", "--config", path.to_str().unwrap(), "--once"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(value(&text, r#"veeam_em_up{target="failing"}"#), 0.0);
    assert_eq!(
        value(
            &text,
            r#"veeam_em_scrape_errors_total{target="failing",kind="status"}"#
        ),
        1.0
    );
    assert_eq!(value(&text, r#"veeam_em_up{target="healthy"}"#), 1.0);
}

/// `--web-config` (the exporter-toolkit format): HTTPS with the given certificate, and basic
/// authentication against a bcrypt hash, checked with curl.
#[test]
fn the_web_config_serves_tls_and_checks_users() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("skipped: no curl (.ci/run installs it)");
        return;
    }
    let (_sim, server) = server();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("exporter-web");
    std::fs::create_dir_all(&dir).unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), cert.key_pair.serialize_pem()).unwrap();
    let hash = bcrypt::hash("scrape-pw", 4).unwrap();
    std::fs::write(
        dir.join("web.yml"),
        format!(
            "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  prometheus: '{hash}'\n"
        ),
    )
    .unwrap();
    let targets = config(server.url(), "exporter-web.toml");
    let (mut child, line) = serve(
        &targets,
        &["--web-config", dir.join("web.yml").to_str().unwrap()],
    );
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("https://"))
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    let curl = |extra: &[&str]| -> (String, String) {
        let out = Command::new("curl")
            .args(["-s", "-w", "\n%{http_code}", "--cacert"])
            .arg(dir.join("cert.pem"))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
        (code.to_owned(), body.to_owned())
    };
    let (code, body) = curl(&["-u", "prometheus:scrape-pw"]);
    assert_eq!(code, "200", "{body}");
    assert!(
        body.contains(r#"veeam_em_up{target="paris",site="paris"} 1"#),
        "{body}"
    );
    assert_eq!(curl(&[]).0, "401");
    assert_eq!(curl(&["-u", "prometheus:wrong"]).0, "401");
    assert_eq!(curl(&["-u", "someone:scrape-pw"]).0, "401");
    // Plain HTTP to the TLS listener gets no metrics.
    let plain = Command::new("curl")
        .args(["-s", "-u", "prometheus:scrape-pw"])
        .arg(url.replace("https://", "http://"))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("veeam_em_up"));
    child.kill().unwrap();
    let _ = child.wait();
}

/// `vem-exporter`, the program of its own, is `vem exporter`: the same series and values for
/// the same world (each line but the scrape durations, in any order: a family's series come
/// in hash order).
#[test]
fn vem_exporter_exports_what_vem_exporter_does() {
    let (_sim, server) = server();
    let path = config(server.url(), "exporter-alone.toml");
    let path = path.to_str().unwrap();
    let lines = |out: Output| {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("veeam_em_scrape_duration_seconds{"))
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    let whole = lines(vem(&["exporter", "--config", path, "--once"]));
    let alone = lines(
        Command::new(env!("CARGO_BIN_EXE_vem-exporter"))
            .args(["--config", path, "--once"])
            .env("EM_PASSWORD", SECRET)
            .env("EM_WRONG", "not-the-password")
            .output()
            .unwrap(),
    );
    assert!(whole.len() > 50, "{whole:?}");
    assert_eq!(whole, alone);
}
