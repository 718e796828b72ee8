//! The `vem` binary end to end: output, exit status and messages.

use std::io::Write as _;
use std::process::{Command, Stdio};

fn fixture(path: &str) -> String {
    format!("{}/../../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn vem(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vem"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn decode_prints_the_servers_json_form() {
    let out = vem(&["decode", &fixture("ok/entity_references_seed.xml")]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // No root key; the list's key is the plural of its items; Links is a bare array.
    let refs = json["Refs"].as_array().unwrap();
    assert_eq!(refs.len(), 6);
    assert_eq!(refs[0]["Links"].as_array().unwrap().len(), 3);
    assert_eq!(
        refs[0]["UID"],
        "urn:veeam:CdpReplicaTaskSession:2ec4d35f-b5d8-4cb3-9d11-12e1d5792625"
    );
}

#[test]
fn decode_types_numbers_and_booleans_and_arrays() {
    let out = vem(&["decode", &fixture("ok/cdp_replica_session.xml")]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["Progress"], serde_json::json!(0));
    assert_eq!(s["IsRetry"], serde_json::json!(false));
    assert!(s["Links"].is_array());
    assert!(
        s["EndTimeUTC"].is_null() && s.get("EndTimeUTC").is_some(),
        "absent elements are null"
    );
}

#[test]
fn decode_reads_stdin_and_reencodes_xml() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vem"))
        .args(["decode", "-o", "xml", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = std::fs::read(fixture("ok/entity_references_prefixed.xml")).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(
        xml.starts_with(r#"<EntityReferences xmlns="http://www.veeam.com/ent/v1.0""#),
        "{xml}"
    );
}

#[test]
fn bad_input_exits_1_with_a_positioned_message() {
    let path = fixture("err/bad_uid.xml");
    let out = vem(&["decode", &path]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("bad_uid.xml:1:232 (byte 231) at CdpReplicaSession/@UID"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn api_list_shows_every_operation() {
    let out = vem(&["api", "list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), veeam_em_api::CATALOGUE.len());
    assert!(text.contains(
        "GET /cdpReplicaSessions/{sessionId}/cdpReplicaTaskSessions -> EntityReferences"
    ));
    assert!(text.contains("POST /cdpReplicas/{replicaId}/vms/{vmId}?action=failover -> Task"));
    // All 31 CDP pages of the reference are covered.
    let mut pages: Vec<&str> = veeam_em_api::CATALOGUE
        .iter()
        .filter_map(|e| e.page)
        .filter(|p| {
            [
                "get_cdp",
                "get_query_cdp",
                "post_cdp",
                "put_cdp",
                "delete_cdp",
            ]
            .iter()
            .any(|x| p.starts_with(x))
        })
        .collect();
    pages.sort();
    pages.dedup();
    assert_eq!(pages.len(), 31, "{pages:?}");
}

#[test]
fn api_route_and_dry_run() {
    let out = vem(&[
        "api",
        "route",
        "https://localhost:9398/api/cdpReplicaSessions/6b87?format=Entity",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("GetCdpReplicaSessionEntity: GET /cdpReplicaSessions/{sessionId}?format=Entity -> CdpReplicaSession"), "{text}");
    let out = vem(&[
        "api",
        "request",
        "--dry-run",
        "--session",
        "s3cret",
        "/cdpPolicies",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("GET https://localhost:9398/api/cdpPolicies\n"),
        "{text}"
    );
    assert!(
        text.contains("x-restsvcsessionid: <redacted>") && !text.contains("s3cret"),
        "{text}"
    );
    let out = vem(&["api", "route", "/nothing/here"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn dry_run_checks_the_body() {
    let request = |body: &str| {
        vem(&[
            "api",
            "request",
            "--dry-run",
            "--session",
            "s",
            "-X",
            "POST",
            "/cdpReplicas/r/vms/v?action=failover",
            "--body",
            body,
        ])
    };
    let ok = request(&fixture("ok/cdp_failover_start_spec.xml"));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let wrong = request(&fixture("ok/task.xml"));
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("takes a <CdpFailoverStartSpec> body"));
}

/// `vem` with `env` set, stdin not a terminal.
fn vem_env(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vem"));
    command
        .args(args)
        .env_remove("VEEAM_EM_PASSWORD")
        .env_remove("VEM_SESSION")
        .env_remove("VEEAM_EM_SESSION")
        .env_remove("VEEAM_EM_QUIET")
        .stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

#[test]
fn request_keeps_the_scheme_host_and_port_of_an_absolute_url() {
    let out = vem_env(
        &[
            "api",
            "request",
            "--dry-run",
            "--session",
            "t",
            "http://em.example.com:19398/api/cdpPolicies/p1?format=Entity",
        ],
        &[],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("GET http://em.example.com:19398/api/cdpPolicies/p1?format=Entity\n"),
        "{text}"
    );
    // With --base of another server it is an error, not a silent switch of server.
    let out = vem_env(
        &[
            "api",
            "request",
            "--dry-run",
            "--base",
            "https://other:9398/api",
            "http://em.example.com:19398/api/cdpPolicies",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not on --base"));
}

#[test]
fn user_without_a_password_is_asked_or_refused_never_sent_empty() {
    let args = [
        "api",
        "request",
        "--dry-run",
        "-X",
        "POST",
        "/sessionMngr/?v=latest",
        "--user",
        "admin",
    ];
    // No terminal, no VEEAM_EM_PASSWORD: refused with what to do.
    let out = vem_env(&args, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no password for admin") && err.contains("VEEAM_EM_PASSWORD"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // From the environment: the Authorization header carries it (redacted when shown).
    let out = vem_env(&args, &[("VEEAM_EM_PASSWORD", "hunter2")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("authorization: <redacted>") && !text.contains("hunter2"),
        "{text}"
    );
}

#[test]
fn dry_run_without_a_session_shows_a_placeholder_and_says_how() {
    let out = vem_env(&["api", "request", "--dry-run", "/cdpPolicies"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("x-restsvcsessionid: <redacted>"), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--session") && err.contains("VEEAM_EM_SESSION"),
        "{err}"
    );
}

#[test]
fn route_of_a_known_path_with_another_method_lists_its_methods() {
    let out = vem_env(&["api", "route", "-X", "PUT", "/logonSessions/abc"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has no PUT operation; it has GET, DELETE"),
        "{err}"
    );
}

#[test]
fn route_refuses_what_is_not_an_api_url() {
    for text in ["", "https:&#x2F;&#x2F;em&#x2F;cdpPolicies"] {
        let out = vem_env(&["api", "route", text], &[]);
        assert_eq!(out.status.code(), Some(1), "{text:?}");
    }
    let out = vem_env(
        &[
            "api",
            "route",
            "https:&#x2F;&#x2F;em:9398&#x2F;api&#x2F;cdpPolicies",
        ],
        &[],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("GetCdpPolicies:"), "{text}");
}

/// `vem ARGS` with `input` on standard input.
fn vem_stdin(args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vem"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn encode_turns_the_json_of_decode_back_into_the_same_xml() {
    for name in [
        "ok/cdp_policy_put_body_day_names.xml",
        "ok/cdp_failover_start_spec.xml",
        "ok/create_object_in_job_spec.xml",
        "ok/entity_references_seed.xml",
    ] {
        let xml = vem(&["decode", "-o", "xml", &fixture(name)]);
        let json = vem(&["decode", &fixture(name)]);
        let root = std::fs::read_to_string(fixture(name)).unwrap();
        let root = root
            .split('<')
            .skip(1)
            .find(|s| !s.starts_with(['?', '!']))
            .unwrap()
            .split([' ', '>', '\n'])
            .next()
            .unwrap()
            .to_owned();
        let encoded = vem_stdin(&["encode", "--type", &root, "-"], &json.stdout);
        assert!(
            encoded.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&encoded.stderr)
        );
        // The same XML, but for namespace declarations the JSON form does not carry.
        let strip = |xml: Vec<u8>| {
            String::from_utf8(xml)
                .unwrap()
                .replace(r#" xmlns:xsd="http://www.w3.org/2001/XMLSchema""#, "")
                .replace(
                    r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#,
                    "",
                )
        };
        assert_eq!(strip(encoded.stdout), strip(xml.stdout), "{name}");
    }
}

#[test]
fn encode_names_the_mistake_and_its_place() {
    let out = vem_stdin(
        &["encode", "--type", "Error"],
        b"{\n  \"Message\": \"m\",\n  \"StatusCode\": \"five\"\n}",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("vem: <stdin>:3:") && err.contains("at Error/StatusCode: invalid value"),
        "{err}"
    );
}

#[test]
fn encode_reads_the_documented_json_and_needs_the_root_of_a_list() {
    // A JSON example of the reference: the tenants of representation_collections.md.
    let path = fixture("json/representation_collections_2.json");
    let out = vem(&["encode", &path]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--type"), "{err}");
    let out = vem(&["encode", "--type", "CloudTenants", &path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(xml.starts_with("<CloudTenants xmlns="), "{xml}");
    assert_eq!(xml.matches("<CloudTenant ").count(), 3);
    // An entity names its root in `Type`; decode -o json of the XML reads back.
    let out = vem(&["encode", "-o", "json", "--type", "CloudTenants", &path]);
    assert!(out.status.success());
    let out = vem(&["encode", "--type", "Nope", &path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no root element"));
}

#[test]
fn sim_serves_on_a_free_port_and_says_where() {
    use std::io::{BufRead as _, Read as _};
    let mut child = Command::new(env!("CARGO_BIN_EXE_vem"))
        .args([
            "sim",
            "--port",
            "0",
            "--account",
            "ops:pw",
            "--fault",
            "status=503,count=1,path=/api/",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("veeam-em simulator serving ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let mut second = String::new();
    out.read_line(&mut second).unwrap();
    assert_eq!(second.trim(), "users: ops");
    let addr = url
        .strip_prefix("http://")
        .unwrap()
        .strip_suffix("/api")
        .unwrap()
        .to_owned();
    let get = || {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.write_all(b"GET /api/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text
    };
    assert!(
        get().starts_with("HTTP/1.1 503"),
        "the fault from the command line"
    );
    assert!(get().starts_with("HTTP/1.1 200"));
    child.kill().unwrap();
    let _ = child.wait();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(
        log.contains("status=503") && log.contains("status=200"),
        "{log}"
    );
}

/// Issue 19, defect 1: the connection options are global, before or after the command, and
/// `vem --help` lists them.
#[test]
fn connection_options_go_before_or_after_the_command() {
    let before: &[&str] = &["--url", "http://127.0.0.1:9/api", "--user", "admin", "jobs"];
    let after: &[&str] = &["jobs", "--url", "http://127.0.0.1:9/api", "--user", "admin"];
    for args in [before, after] {
        let out = vem_env(args, &[("VEEAM_EM_PASSWORD", "secret")]);
        let err = String::from_utf8_lossy(&out.stderr);
        // Nothing listens on port 9: the options were taken, and the connection refused.
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
    }
    let help = String::from_utf8_lossy(&vem(&["--help"]).stdout).into_owned();
    for option in [
        "--url",
        "--user",
        "--ca-cert",
        "--insecure",
        "--timeout",
        "--wire",
    ] {
        assert!(help.contains(option), "vem --help lists {option}");
    }
    // Every command's help builds (no option of a command clashes with a global one).
    for command in [
        "cdp", "jobs", "job", "sessions", "cloud", "get", "query", "task", "decode", "encode",
        "api", "sim",
    ] {
        let out = vem(&[command, "--help"]);
        assert_eq!(out.status.code(), Some(0), "vem {command} --help");
    }
}

/// Issue 19, defect 7: a reader that stops reading (`vem api list | head -1`) ends vem
/// normally, without a panic.
#[test]
fn a_reader_that_stops_reading_is_a_normal_end() {
    for args in [&["api", "list"][..], &["api", "route", "/api/jobs"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vem"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before vem writes anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

/// `vem sim --port 0` in the background: the child and its `http://127.0.0.1:PORT/api`.
fn sim_child(extra: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_vem"))
        .args(["sim", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("veeam-em simulator serving ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    (child, url)
}

/// Issue 19, defects 13 and 14, and the contradiction of `--insecure` with `--ca-cert`: an
/// https URL to a plain HTTP server says so (not "untrusted certificate"); an unreadable CA file
/// is a local problem (exit 1); both TLS options at once are a usage error (exit 2).
#[test]
fn tls_mistakes_are_named_with_their_own_exit_status() {
    let (mut child, url) = sim_child(&[]);
    let https = url.replace("http://", "https://");
    let env = [("VEEAM_EM_PASSWORD", "admin")];
    let out = vem_env(&["jobs", "--url", &https, "--user", "admin"], &env);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("answered plain HTTP"), "{err}");
    assert!(!err.contains("--ca-cert"), "no certificate advice: {err}");
    let out = vem_env(
        &[
            "jobs",
            "--url",
            &https,
            "--user",
            "admin",
            "--ca-cert",
            "/nonexistent.pem",
        ],
        &env,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("/nonexistent.pem"), "{err}");
    let out = vem_env(
        &[
            "jobs",
            "--url",
            &https,
            "--user",
            "admin",
            "--insecure",
            "--ca-cert",
            "/x.pem",
        ],
        &env,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("contradict"), "{err}");
    child.kill().unwrap();
    let _ = child.wait();
}

/// Issue 19, defect 15: a UID of another kind is refused, naming the kind expected (it used to
/// be sent as a job's id).
#[test]
fn a_uid_of_another_kind_is_refused() {
    let policy = "urn:veeam:CdpPolicy:cc19aaaa-0000-4000-8000-000000000000";
    for args in [
        &["job", "show", policy][..],
        &["job", "start", policy][..],
        &["sessions", "--job", policy][..],
        &["cloud", "tenant", "show", policy][..],
    ] {
        let out = vem_env(args, &[("VEEAM_EM_SIM_NOW", "2026-01-15T09:30:00Z")]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("is the UID of a CdpPolicy"), "{args:?}: {err}");
    }
}

/// Issue 19, defect 4: `--save-responses DIR` numbers its files after those already there, so a
/// second command keeps the first one's captures.
#[test]
fn saved_responses_accumulate_across_commands() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("saved-responses");
    let _ = std::fs::remove_dir_all(&dir);
    let files = || std::fs::read_dir(&dir).map_or(0, |d| d.count());
    let run = || {
        let out = vem_env(
            &[
                "--save-responses",
                dir.to_str().unwrap(),
                "get",
                "/cdpPolicies",
            ],
            &[("VEEAM_EM_SIM_NOW", "2026-01-15T09:30:00Z")],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run();
    let first = files();
    assert!(first >= 1, "the first command saved its responses");
    run();
    assert_eq!(files(), 2 * first, "the second command added its own");
}

/// Completion scripts for every shell clap_complete knows.
#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = vem(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("vem") && script.contains("cdp"),
            "{shell}: {script}"
        );
    }
}

/// Passwords for scripts (`--password-file`, `--password-stdin`), `--quiet`, the warning of a
/// password sent over plain http to another machine, and `VEEAM_EM_SESSION` (with the old
/// `VEM_SESSION` still read, with a warning).
#[test]
fn passwords_for_scripts_quiet_and_the_environment() {
    let (mut child, url) = sim_child(&["--account", "ops:s3cret"]);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join("vem-password.txt");
    std::fs::write(&file, "s3cret\n").unwrap();
    let file = file.to_str().unwrap();
    let jobs = ["jobs", "--url", &url, "--user", "ops", "-o", "json"];
    let out = vem_env(&[&jobs[..], &["--password-file", file]].concat(), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Loopback: no warning about plain http.
    assert!(!String::from_utf8_lossy(&out.stderr).contains("plain http"));
    let mut stdin_child = Command::new(env!("CARGO_BIN_EXE_vem"))
        .args(jobs)
        .arg("--password-stdin")
        .env_remove("VEEAM_EM_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    stdin_child
        .stdin
        .take()
        .unwrap()
        .write_all(b"s3cret\n")
        .unwrap();
    let out = stdin_child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A wrong password in the file: bad credentials.
    let wrong = dir.join("vem-wrong-password.txt");
    std::fs::write(&wrong, "nope\n").unwrap();
    let out = vem_env(
        &[&jobs[..], &["--password-file", wrong.to_str().unwrap()]].concat(),
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    child.kill().unwrap();
    let _ = child.wait();

    // The embedded simulator's notice, and --quiet.
    let env = [("VEEAM_EM_SIM_NOW", "2026-01-15T09:30:00Z")];
    let out = vem_env(&["get", "/cdpPolicies"], &env);
    assert!(String::from_utf8_lossy(&out.stderr).contains("embedded"));
    let out = vem_env(&["--quiet", "get", "/cdpPolicies"], &env);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // A password over plain http to another machine warns (then fails to connect: nothing
    // listens at that documentation address).
    let out = vem_env(
        &[
            "jobs",
            "--url",
            "http://192.0.2.1:1/api",
            "--user",
            "ops",
            "--timeout",
            "1",
        ],
        &[("VEEAM_EM_PASSWORD", "x")],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("plain http"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The session of a dry run: VEEAM_EM_SESSION, or the old VEM_SESSION with a warning.
    let dry = ["api", "request", "--dry-run", "/jobs"];
    // (The token itself is shown redacted; without one, vem says it shows a placeholder.)
    let out = vem_env(&dry, &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no session token"));
    let out = vem_env(&dry, &[("VEEAM_EM_SESSION", "tok-new")]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let out = vem_env(&dry, &[("VEM_SESSION", "tok-old")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("VEM_SESSION is deprecated") && !err.contains("no session token"),
        "{err}"
    );
}

/// Filters are checked before anything is sent: a malformed one exits 2 with its place, an
/// unknown field exits 2 with the fields of the type, and a time as tables print it is taken.
#[test]
fn filters_are_checked_locally() {
    let env = [("VEEAM_EM_SIM_NOW", "2026-01-15T09:30:00Z")];
    let q = [
        "-q",
        "query",
        "CdpReplicaTaskSession",
        "--format",
        "entities",
        "--filter",
    ];
    let out = vem_env(&[&q[..], &["State=Working"]].concat(), &env);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("at byte 5") && err.contains("\n       ^"),
        "{err}"
    );
    let out = vem_env(&[&q[..], &["Result==Failed"]].concat(), &env);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("it has Id, Name"), "{err}");
    let out = vem_env(
        &[
            &q[..],
            &["CreationTimeUTC>=2026-01-14 09:29:00", "-o", "json"],
        ]
        .concat(),
        &env,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc.to_string().contains("CdpReplicaTaskSession"), "{doc}");
}

/// `--timeout` bounds a call with all its retries (it bounded each attempt, so `--timeout 1`
/// against a slow answer took 4 attempts of 1 s); `--attempt-timeout` bounds one attempt.
#[test]
fn timeout_bounds_a_call_with_its_retries() {
    let (mut child, url) = sim_child(&["--fault", "latency=3s,path=/api/jobs*"]);
    let env = [("VEEAM_EM_PASSWORD", "admin")];
    let started = std::time::Instant::now();
    let out = vem_env(
        &["jobs", "--url", &url, "--user", "admin", "--timeout", "1"],
        &env,
    );
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        took < std::time::Duration::from_millis(2500),
        "took {took:?}"
    );
    // Attempts of 1 s within a call of 10 s: retried (the log says so, with a rounded pause).
    let out = vem_env(
        &[
            "jobs",
            "--url",
            &url,
            "--user",
            "admin",
            "--timeout",
            "10",
            "--attempt-timeout",
            "1",
            "-v",
        ],
        &env,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("retrying in"), "{err}");
    for pause in err.split("retrying in ").skip(1) {
        let pause = pause.split_whitespace().take(2).collect::<Vec<_>>();
        let (number, unit) = (pause[0], pause[1]);
        assert!(
            number.split('.').nth(1).is_some_and(|d| d.len() == 1) && (unit == "ms" || unit == "s"),
            "pauses are rounded: {pause:?}"
        );
    }
    child.kill().unwrap();
    let _ = child.wait();
}

/// Secrets (members the schemas mark `<em:secret/>`) print as `<redacted>` unless
/// `--show-secrets`; `vem encode` and request bodies refuse the placeholder, so `decode | edit |
/// encode` cannot send it as a password.
#[test]
fn secrets_print_redacted_and_the_placeholder_is_never_sent() {
    let file = fixture("ok/credentials_info.xml");
    let out = vem(&["decode", &file]);
    let json = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(json.contains(r#""Password": "<redacted>""#), "{json}");
    assert!(!json.contains("P@ssw0rd"));
    let out = vem(&["decode", "-o", "xml", &file]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("<Password>&lt;redacted&gt;</Password>"));
    let out = vem(&["--show-secrets", "decode", &file]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("P@ssw0rd"));
    // The redacted JSON, encoded back: refused.
    let out = vem_stdin(
        &["encode", "--type", "CredentialsInfo", "-"],
        json.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("holds <redacted> where a secret belongs")
    );
    // As a request body: refused before anything is sent.
    let spec = fixture("ok/credentials_info_spec.xml");
    let redacted = vem(&["decode", "-o", "xml", &spec]).stdout;
    let body = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("redacted_spec.xml");
    std::fs::write(&body, redacted).unwrap();
    let out = vem_env(
        &[
            "api",
            "request",
            "--dry-run",
            "-X",
            "POST",
            "/backupServers/b1/credentials?action=create",
            "--body",
            body.to_str().unwrap(),
        ],
        &[("VEEAM_EM_SESSION", "t")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("holds <redacted>"), "{err}");
}
