//! The main job end to end: `vem` against the embedded simulator (no --url) and against a
//! simulator on a real socket (plain and TLS), with snapshots of its table and JSON output and
//! one test per exit status. Nothing may panic or hang.

use std::io::{BufRead as _, Read as _, Write as _};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use veeam_em_sim::server::{start, RunningServer, ServerOptions};
use veeam_em_sim::{Fault, FaultRule, SimConfig, Simulator};

fn vem(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vem"));
    c.args(args)
        .env_remove("VEEAM_EM_URL")
        .env_remove("VEEAM_EM_USER")
        .env_remove("VEEAM_EM_PASSWORD")
        .env_remove("RUST_LOG")
        // The embedded simulator's world at a fixed time: stable snapshots.
        .env("VEEAM_EM_SIM_NOW", "2026-01-15T09:30:00Z")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_main_job_lists_task_sessions_of_the_embedded_simulator() {
    let out = vem(&["cdp", "task-sessions", "--output", "table"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("using the embedded Enterprise Manager simulator")
            && stderr(&out).contains("--url"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stderr(&out).lines().count(),
        1,
        "one line: {}",
        stderr(&out)
    );
    insta::assert_snapshot!("task_sessions_table", stdout(&out));
}

#[test]
fn json_output_is_the_servers_json_form() {
    let out = vem(&["cdp", "policies", "--output", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["CdpPolicies"].as_array().unwrap().len(), 4);
    insta::assert_snapshot!("policies_json", stdout(&out));
    // Not a terminal: JSON by default; and it reads back with `vem encode`.
    let out = vem(&["cdp", "sessions"], &[]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["CdpReplicaSessions"].as_array().unwrap().len(), 20);
    let mut encode = Command::new(env!("CARGO_BIN_EXE_vem"))
        .args(["encode", "--type", "CdpReplicaSessions", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    encode.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let xml = encode.wait_with_output().unwrap();
    assert!(xml.status.success());
    assert!(String::from_utf8_lossy(&xml.stdout).starts_with("<CdpReplicaSessions "));
}

#[test]
fn policy_disable_waits_for_its_task_and_show_reads_it_back() {
    let policies = vem(&["cdp", "policies", "-o", "json"], &[]);
    let json: serde_json::Value = serde_json::from_slice(&policies.stdout).unwrap();
    let uid = json["CdpPolicies"][0]["UID"].as_str().unwrap().to_owned();
    let out = vem(
        &["cdp", "policy", "disable", &uid, "--wait", "-o", "table"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Finished") && stdout(&out).contains("success"),
        "{}",
        stdout(&out)
    );
    let show = vem(&["cdp", "show", &uid, "-o", "table"], &[]);
    assert_eq!(show.status.code(), Some(0), "{}", stderr(&show));
    assert!(stdout(&show).starts_with("NAME"), "{}", stdout(&show));
}

fn server(config: SimConfig, tls: bool) -> (Arc<Simulator>, RunningServer) {
    let sim = Arc::new(Simulator::new(config));
    let server = start(
        sim.clone(),
        ServerOptions {
            port: 0,
            tls,
            cert_path: None,
        },
    )
    .unwrap();
    (sim, server)
}

const ADMIN: &[(&str, &str)] = &[("VEEAM_EM_USER", "admin"), ("VEEAM_EM_PASSWORD", "admin")];

#[test]
fn against_a_server_on_a_socket() {
    let (_sim, server) = server(SimConfig::default(), false);
    let out = vem(
        &["cdp", "--url", server.url(), "replicas", "-o", "table"],
        ADMIN,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("NAME"), "{}", stdout(&out));
    assert!(!stderr(&out).contains("embedded"));
    // `vem get` prints XML as received; `vem api request` really sends.
    let xml = vem(
        &["get", "--url", server.url(), "/cdpPolicies", "-o", "xml"],
        ADMIN,
    );
    assert!(
        stdout(&xml).starts_with("<EntityReferences "),
        "{}",
        stdout(&xml)
    );
    let api = vem(
        &[
            "api",
            "--url",
            server.url(),
            "request",
            "/tasks",
            "-o",
            "json",
        ],
        ADMIN,
    );
    assert_eq!(api.status.code(), Some(0), "{}", stderr(&api));
    assert!(stdout(&api).contains("\"Tasks\""), "{}", stdout(&api));
    let task = vem(
        &[
            "query",
            "--url",
            server.url(),
            "CdpReplicaTaskSession",
            "--page-size",
            "7",
            "--all",
            "-o",
            "json",
        ],
        ADMIN,
    );
    // `--all` prints the items of every page as one JSON array (no merged QueryResult).
    let json: serde_json::Value = serde_json::from_slice(&task.stdout).unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 60);
    assert!(items
        .iter()
        .all(|i| i["Type"] == "CdpReplicaTaskSessionReference"));
    // -o jsonl: one item a line, entities too.
    let lines = vem(
        &[
            "query",
            "--url",
            server.url(),
            "CdpReplicaTaskSession",
            "--page-size",
            "7",
            "--all",
            "--format",
            "entities",
            "-o",
            "jsonl",
        ],
        ADMIN,
    );
    let text = stdout(&lines);
    assert_eq!(text.lines().count(), 60, "{text}");
    for line in text.lines() {
        let item: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(item["Type"], "CdpReplicaTaskSession", "{line}");
    }
}

fn status_of(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = vem(args, env);
    (out.status.code().unwrap_or(-1), stderr(&out))
}

#[test]
fn each_failure_has_its_exit_status_and_one_line() {
    // 2: usage.
    assert_eq!(status_of(&["cdp", "nope"], &[]).0, 2);
    assert_eq!(
        status_of(&["cdp", "--url", "http://127.0.0.1:1/api", "policies"], &[]).0,
        2,
        "no user"
    );
    // 3: cannot connect (a closed port).
    let (code, err) = status_of(
        &["cdp", "--url", "http://127.0.0.1:1/api", "policies"],
        ADMIN,
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("cannot connect"), "{err}");
    // 4: TLS, with the remedy; fixed by --ca-cert.
    let (_sim, tls) = server(SimConfig::default(), true);
    let (code, err) = status_of(&["cdp", "--url", tls.url(), "policies"], ADMIN);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("UnknownIssuer") && err.contains("--ca-cert"),
        "{err}"
    );
    let cert = tls.cert_path().unwrap().to_str().unwrap().to_owned();
    assert_eq!(
        status_of(
            &["cdp", "--url", tls.url(), "--ca-cert", &cert, "policies"],
            ADMIN
        )
        .0,
        0
    );
    let (code, err) = status_of(
        &["cdp", "--url", tls.url(), "--insecure", "policies"],
        ADMIN,
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("WARNING"), "{err}");
    // 5: bad credentials.
    let (sim, plain) = server(SimConfig::default(), false);
    let (code, err) = status_of(
        &["cdp", "--url", plain.url(), "policies"],
        &[("VEEAM_EM_USER", "admin"), ("VEEAM_EM_PASSWORD", "nope")],
    );
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("401"), "{err}");
    // 6: not found.
    let (code, err) = status_of(
        &[
            "get",
            "--url",
            plain.url(),
            "/cdpPolicies/00000000-0000-4000-8000-000000000000",
        ],
        ADMIN,
    );
    assert_eq!(code, 6, "{err}");
    // 7: a server error, with its message.
    sim.add_fault(
        FaultRule::always(Fault::Status(500))
            .on_path("/api/cdpPolicies*")
            .times(1),
    );
    let (code, err) = status_of(&["cdp", "--url", plain.url(), "policies"], ADMIN);
    assert_eq!(code, 7, "{err}");
    assert!(err.contains("Injected fault"), "{err}");
    // 3 again: a timeout, and a connection dropped every time.
    sim.add_fault(
        FaultRule::always(Fault::Latency(std::time::Duration::from_secs(3)))
            .on_path("/api/cdpPolicies*")
            .times(5),
    );
    let (code, err) = status_of(
        &["cdp", "--url", plain.url(), "--timeout", "1", "policies"],
        ADMIN,
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("timed out"), "{err}");
    sim.clear_faults();
    sim.add_fault(
        FaultRule::always(Fault::Drop)
            .on_path("/api/cdpPolicies*")
            .times(10),
    );
    let (code, err) = status_of(&["cdp", "--url", plain.url(), "policies"], ADMIN);
    assert_eq!(code, 3, "{err}");
    sim.clear_faults();
    // A body cut short every time: 3 as well (the connection broke), saying so.
    sim.add_fault(
        FaultRule::always(Fault::Truncate)
            .on_path("/api/cdpPolicies*")
            .times(10),
    );
    let (code, err) = status_of(&["cdp", "--url", plain.url(), "policies"], ADMIN);
    assert_eq!(code, 3, "{err}");
    // Retries are logged as warnings; the failure itself is one line, the last.
    assert_eq!(
        err.lines().filter(|l| l.starts_with("vem:")).count(),
        1,
        "{err}"
    );
    assert!(
        err.trim()
            .lines()
            .last()
            .unwrap()
            .contains("reading the response failed"),
        "{err}"
    );
    sim.clear_faults();
    // An expired session and a slow body are absorbed.
    for fault in [
        Fault::ExpireSession,
        Fault::SlowBody(std::time::Duration::from_millis(2)),
    ] {
        sim.add_fault(
            FaultRule::always(fault)
                .on_path("/api/cdpPolicies*")
                .times(1),
        );
        let (code, err) = status_of(&["cdp", "--url", plain.url(), "policies"], ADMIN);
        assert_eq!(code, 0, "{err}");
    }
    sim.clear_faults();
    // A 503 now and then is absorbed by retries.
    sim.add_fault(
        FaultRule::always(Fault::Status(503))
            .on_path("/api/cdpPolicies*")
            .times(2),
    );
    assert_eq!(
        status_of(&["cdp", "--url", plain.url(), "policies"], ADMIN).0,
        0
    );
    // 8: a body that is not the API's (a proxy's HTML page).
    let proxy = html_proxy();
    let (code, err) = status_of(&["get", "--url", &proxy, "/cdpPolicies"], ADMIN);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("HTML page"), "{err}");
    let (_, err) = status_of(&["cdp", "nope"], &[]);
    assert!(!err.contains("panicked"), "{err}");
}

/// A server that lets anyone log on and answers everything else with an HTML page.
fn html_proxy() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap_or(0);
            let mut header = String::new();
            while reader.read_line(&mut header).unwrap_or(0) > 2 {
                header.clear();
            }
            let reply = if line.starts_with("POST") {
                let body = r#"<LogonSession xmlns="http://www.veeam.com/ent/v1.0"><UserName>admin</UserName><SessionId>s</SessionId></LogonSession>"#;
                format!("HTTP/1.1 201 Created\r\nX-RestSvcSessionId: t\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            } else {
                let body = "<html><body>502 Bad Gateway</body></html>";
                format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            };
            let mut s = stream;
            let _ = s.write_all(reply.as_bytes());
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
        }
    });
    url
}

/// The backup side, on the generic part of the simulator: jobs as a table, a job started and
/// waited for, the sessions of that job (through the query service), restore points, and `get`
/// and `query` on families added after the CDP one.
#[test]
fn jobs_sessions_and_restore_points() {
    let out = vem(&["jobs", "--output", "table"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("jobs_table", stdout(&out));

    let out = vem(&["jobs", "--output", "json"], &[]);
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let job = &jobs["Jobs"][0];
    let uid = job["UID"].as_str().unwrap().to_owned();

    let out = vem(&["job", "start", &uid, "--wait", "--output", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The bare task, as the server sends it (and as `vem task` prints it).
    let task: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(task["State"], "Finished", "{task}");
    assert_eq!(task["Operation"], "StartJob", "{task}");

    // The sessions of one job are those whose JobUid is the job's.
    let out = vem(&["sessions", "--job", &uid, "--output", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sessions: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = vem(&["sessions", "--output", "json"], &[]);
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let expected: Vec<&serde_json::Value> = all["BackupJobSessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["JobUid"] == uid.as_str())
        .collect();
    let found = sessions["BackupJobSessions"].as_array().unwrap();
    assert_eq!(found.len(), expected.len(), "{sessions}");

    let out = vem(&["restore-points", "--output", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let points: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!points["VmRestorePoints"].as_array().unwrap().is_empty());

    for args in [
        &["get", "/reports/summary/overview"][..],
        &["get", "/backupServers"],
        &["query", "Job", "--format", "entities"],
        &["query", "BackupJobSession", "--filter", "Result==Failed"],
    ] {
        let out = vem(&[args, &["--output", "json"]].concat(), &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let _: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    }
    // A job that does not exist is a 404, exit status 6.
    let out = vem(
        &["job", "start", "00000000-0000-0000-0000-000000000000"],
        &[],
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
}

#[test]
fn cloud_tenants_show_and_set_quota() {
    let out = vem(&["cloud", "tenants", "--output", "table"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("cloud_tenants_table", stdout(&out));

    // On a server that keeps what it is told: set a quota, read it back.
    let (_sim, server) = server(
        SimConfig {
            task_duration: std::time::Duration::from_millis(50),
            ..SimConfig::default()
        },
        false,
    );
    let url = server.url();
    let list = vem(&["cloud", "--url", url, "tenants", "-o", "json"], ADMIN);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    // A tenant with exactly one repository quota (its name is the default).
    let tenant = list["CloudTenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            t["Resources"]["CloudTenantResources"]
                .as_array()
                .is_some_and(|r| r.len() == 1 && r[0]["RepositoryQuota"]["Quota"].is_number())
        })
        .expect("a seeded tenant with one quota");
    let id = tenant["UID"].as_str().unwrap().to_owned();
    let out = vem(
        &[
            "cloud",
            "--url",
            url,
            "tenant",
            "set-quota",
            &id,
            "--quota-mb",
            "4242",
            "--wait",
            "-o",
            "json",
        ],
        ADMIN,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let task: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(task["State"], "Finished", "{task}");
    let shown = vem(
        &["cloud", "--url", url, "tenant", "show", &id, "-o", "json"],
        ADMIN,
    );
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let resource = &shown["Resources"]["CloudTenantResources"][0];
    assert_eq!(resource["RepositoryQuota"]["Quota"], 4242, "{shown}");
    // Only the quota changed.
    let mut expected = tenant.clone();
    expected["Resources"]["CloudTenantResources"][0]["RepositoryQuota"]["Quota"] = 4242.into();
    assert_eq!(shown, expected);

    // A repository the tenant has no quota on: exit status 1, with the ones it has.
    let out = vem(
        &[
            "cloud",
            "--url",
            url,
            "tenant",
            "set-quota",
            &id,
            "--quota-mb",
            "1",
            "--repository",
            "nowhere",
        ],
        ADMIN,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no quota on \"nowhere\""),
        "{}",
        stderr(&out)
    );
}

/// `vem jobs`, `vem job start --wait` and `vem sessions` tell one story: the started job's new
/// session appears and works, then ends, and its result is what `vem jobs` shows as the job's
/// last result.
#[test]
fn a_started_job_runs_ends_and_is_the_last_result() {
    let (_sim, server) = server(
        SimConfig {
            now: Some(time::macros::datetime!(2026-01-15 09:30 UTC)),
            task_duration: std::time::Duration::from_millis(50),
            session_duration: std::time::Duration::from_secs(2),
            ..SimConfig::default()
        },
        false,
    );
    let url = server.url();
    let jobs = vem(&["jobs", "--url", url, "-o", "json"], ADMIN);
    let jobs: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
    let job = jobs["Jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["JobType"] == "Backup")
        .unwrap();
    let uid = job["UID"].as_str().unwrap().to_owned();
    let newest = || {
        let out = vem(
            &["sessions", "--url", url, "--job", &uid, "-o", "json"],
            ADMIN,
        );
        let sessions: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut list = sessions["BackupJobSessions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        list.sort_by_key(|s| s["CreationTimeUTC"].as_str().unwrap_or_default().to_owned());
        list.last().cloned().unwrap()
    };
    let before = newest();
    let out = vem(
        &["job", "--url", url, "start", &uid, "--wait", "-o", "json"],
        ADMIN,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let started = newest();
    assert_ne!(started["UID"], before["UID"], "a new session");
    assert_eq!(started["State"], "Working", "{started}");
    // It ends (within one and a half of the session duration).
    std::thread::sleep(std::time::Duration::from_millis(3500));
    let ended = newest();
    assert_eq!(ended["UID"], started["UID"]);
    assert_eq!(ended["State"], "Stopped", "{ended}");
    let result = ended["Result"].as_str().unwrap().to_owned();
    assert!(matches!(result.as_str(), "Success" | "Warning" | "Failed"));
    let table = stdout(&vem(&["jobs", "--url", url, "-o", "table"], ADMIN));
    let row = table.lines().find(|l| l.contains(&uid)).unwrap();
    assert!(
        row.contains("Stopped") && row.contains(&format!(" {result} ")),
        "{row}"
    );
}

/// Issue 19, defect 12: a tenant with two quotas, one of them on a resource with neither a
/// display name nor a repository UID: `--repository` reaches it by the resource's id, and
/// without `--repository` the error lists both quotas.
#[test]
fn set_quota_reaches_a_quota_by_its_resource_id() {
    let (_sim, server) = server(
        SimConfig {
            task_duration: std::time::Duration::from_millis(20),
            ..SimConfig::default()
        },
        false,
    );
    let url = server.url();
    let list = vem(&["cloud", "--url", url, "tenants", "-o", "json"], ADMIN);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let id = list["CloudTenants"][0]["UID"].as_str().unwrap().to_owned();
    // Give the tenant two quotas (an edit of its entity), the second one bare.
    let shown = vem(
        &["cloud", "--url", url, "tenant", "show", &id, "-o", "xml"],
        ADMIN,
    );
    let xml = stdout(&shown);
    let (start, end) = (
        xml.find("<Resources>").expect("a tenant with resources"),
        xml.find("</Resources>").unwrap() + "</Resources>".len(),
    );
    let two = "<Resources>\
        <CloudTenantResource Id=\"res-named\"><RepositoryQuota><DisplayName>Cloud repository 1</DisplayName><Quota>100</Quota></RepositoryQuota></CloudTenantResource>\
        <CloudTenantResource Id=\"res-bare\"><RepositoryQuota><Quota>200</Quota></RepositoryQuota></CloudTenantResource>\
        </Resources>";
    let body = format!("{}{two}{}", &xml[..start], &xml[end..]);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join("set_quota_tenant.xml");
    std::fs::write(&file, body).unwrap();
    let tenant_id = id.rsplit(':').next().unwrap();
    let put = vem(
        &[
            "api",
            "--url",
            url,
            "request",
            "-X",
            "PUT",
            &format!("/cloud/tenants/{tenant_id}"),
            "--body",
            file.to_str().unwrap(),
        ],
        ADMIN,
    );
    assert_eq!(put.status.code(), Some(0), "{}", stderr(&put));
    std::thread::sleep(std::time::Duration::from_millis(200));
    // Without --repository: several quotas, each named.
    let set = |extra: &[&str]| {
        let mut args = vec![
            "cloud",
            "--url",
            url,
            "tenant",
            "set-quota",
            &id,
            "--quota-mb",
            "300",
        ];
        args.extend_from_slice(extra);
        vem(&args, ADMIN)
    };
    let out = set(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Cloud repository 1, res-bare"),
        "{}",
        stderr(&out)
    );
    let out = set(&["--repository", "res-bare", "--wait", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = vem(
        &["cloud", "--url", url, "tenant", "show", &id, "-o", "json"],
        ADMIN,
    );
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let resources = &shown["Resources"]["CloudTenantResources"];
    assert_eq!(resources[0]["RepositoryQuota"]["Quota"], 100, "{shown}");
    assert_eq!(resources[1]["RepositoryQuota"]["Quota"], 300, "{shown}");
}

/// The failure path of `--wait`: with the `task-fail` fault, the task of a job start fails,
/// `vem job start --wait` prints it and exits 1, and the job has no new session.
#[test]
fn a_failed_task_is_an_error_and_changes_nothing() {
    let (_sim, server) = server(
        SimConfig {
            now: Some(time::macros::datetime!(2026-01-15 09:30 UTC)),
            task_duration: std::time::Duration::from_millis(50),
            faults: vec![FaultRule::parse("task-fail,path=*action=start*").unwrap()],
            ..SimConfig::default()
        },
        false,
    );
    let url = server.url();
    let jobs = vem(&["jobs", "--url", url, "-o", "json"], ADMIN);
    let jobs: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
    let uid = jobs["Jobs"][0]["UID"].as_str().unwrap().to_owned();
    let sessions = || {
        let out = vem(
            &["sessions", "--url", url, "--job", &uid, "-o", "json"],
            ADMIN,
        );
        stdout(&out)
    };
    let before = sessions();
    let out = vem(
        &["job", "--url", url, "start", &uid, "--wait", "-o", "json"],
        ADMIN,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("Injected fault"), "{}", stderr(&out));
    assert_eq!(sessions(), before, "a failed start starts no session");
}
