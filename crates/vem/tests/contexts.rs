//! Contexts and fleets: `vem --context`, `--all-contexts` and `vem context list|show|use`
//! against a `vem sim --fleet` (a real process on real sockets), and the fleet's own promises
//! (one world per member, its own names, faults aimed at one member).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// The password of the fleet's users: it must never show in what vem prints.
const SECRET: &str = "s3cret-Fleet-pw";

/// A `vem sim --fleet` child process, killed when dropped.
struct Fleet {
    child: Child,
    urls: Vec<String>,
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `vem sim --fleet n` with `args`, once every member listens (its `server K: URL` lines read).
fn fleet(n: usize, args: &[&str]) -> Fleet {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vem"))
        .args([
            "sim",
            "--fleet",
            &n.to_string(),
            "--now",
            "2026-01-15T09:30:00Z",
        ])
        .args(["--account", &format!("admin:{SECRET}")])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut urls = Vec::new();
    while urls.len() < n {
        let line = lines
            .next()
            .expect("the fleet ended before it listened")
            .unwrap();
        // `server K: URL ...` for each member of a fleet; `... serving URL` for one server.
        if let Some(rest) = line.strip_prefix("server ") {
            urls.push(rest.split_whitespace().nth(1).unwrap().to_owned());
        } else if let Some((_, url)) = line.split_once(" serving ") {
            urls.push(url.trim().to_owned());
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    Fleet { child, urls }
}

/// A free port on 127.0.0.1 to 127.0.0.3.
fn free_port() -> u16 {
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if (1..=3).all(|k| std::net::TcpListener::bind((format!("127.0.0.{k}"), port)).is_ok()) {
            return port;
        }
    }
}

/// A contexts file naming each URL (`a`, `b`, ...), plus `down` (nothing listens there).
fn contexts_file(dir: &Path, urls: &[String]) -> PathBuf {
    let mut text = String::from("# contexts of the test\n");
    for (i, url) in urls.iter().enumerate() {
        let name = char::from(b'a' + u8::try_from(i).unwrap());
        text.push_str(&format!(
            "\n[[context]]\nname = \"{name}\"\nurl = \"{url}\"\nuser = \"admin\"\npassword_env = \"FLEET_PASSWORD\"\n"
        ));
    }
    text.push_str(
        "\n[[context]]\nname = \"down\"\nurl = \"http://127.0.0.1:9/api\"\nuser = \"admin\"\npassword_env = \"FLEET_PASSWORD\"\ntimeout = 2\n",
    );
    let path = dir.join("contexts.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn vem(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vem"))
        .args(args)
        .env("VEEAM_EM_CONFIG", config)
        .env("FLEET_PASSWORD", SECRET)
        .env("VEEAM_EM_PASSWORD", SECRET)
        .env_remove("VEEAM_EM_URL")
        .env_remove("VEEAM_EM_CONTEXT")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vem-contexts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn several_contexts_print_each_servers_answer_labelled() {
    let fleet = fleet(2, &["--port", "0"]);
    let dir = temp_dir("several");
    let config = contexts_file(&dir, &fleet.urls);

    // What each server sends, asked with --url.
    let direct: Vec<Value> = fleet
        .urls
        .iter()
        .map(|url| {
            let out = vem(
                &config,
                &["--url", url, "--user", "admin", "jobs", "-o", "json"],
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
            serde_json::from_slice(&out.stdout).unwrap()
        })
        .collect();
    assert_ne!(
        direct[0], direct[1],
        "two members of a fleet are two worlds"
    );

    // One context prints exactly what its server sends.
    let one = vem(&config, &["--context", "b", "jobs", "-o", "json"]);
    assert!(one.status.success(), "{}", text(&one.stderr));
    let by_url = vem(
        &config,
        &[
            "--url",
            &fleet.urls[1],
            "--user",
            "admin",
            "jobs",
            "-o",
            "json",
        ],
    );
    assert_eq!(text(&one.stdout), text(&by_url.stdout));

    // -o json: [{"Server": NAME, "Response": ...}], in the order named.
    let out = vem(
        &config,
        &["jobs", "--context", "a", "--context", "b", "-o", "json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let array: Value = serde_json::from_slice(&out.stdout).unwrap();
    let array = array.as_array().unwrap();
    assert_eq!(array.len(), 2);
    for (entry, (name, expected)) in array.iter().zip(["a", "b"].iter().zip(&direct)) {
        assert_eq!(entry["Server"], *name);
        assert_eq!(&entry["Response"], expected);
    }

    // -o jsonl: one job a line, each with its server first.
    let out = vem(&config, &["jobs", "--context", "a,b", "-o", "jsonl"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (name, expected) in ["a", "b"].iter().zip(&direct) {
        let jobs = expected["Jobs"].as_array().unwrap();
        let mine: Vec<&Value> = lines.iter().filter(|l| l["Server"] == *name).collect();
        assert_eq!(mine.len(), jobs.len(), "{name}: one line per job");
        for (line, job) in mine.iter().zip(jobs) {
            assert_eq!(line.as_object().unwrap().keys().next().unwrap(), "Server");
            assert_eq!(line["UID"], job["UID"]);
        }
    }

    // A table: one SERVER column, the rows of both.
    let out = vem(
        &config,
        &["--all-contexts", "cdp", "policies", "-o", "table"],
    );
    let table = text(&out.stdout);
    assert!(table.starts_with("SERVER"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("a ")), "{table}");
    assert!(table.lines().any(|l| l.starts_with("b ")), "{table}");
    // ... and `down` failed on its own: said, with the exit status of a connection failure.
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("[down]"), "{stderr}");
    assert!(
        !stderr.contains("[a]") && !stderr.contains("[b]"),
        "{stderr}"
    );
    for printed in [&table, &stderr] {
        assert!(!printed.contains(SECRET), "the password shows: {printed}");
    }

    // What acts, acts on one server.
    let out = vem(
        &config,
        &["--context", "a,b", "cdp", "policy", "enable", "x"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = vem(&config, &["--context", "a", "--url", "http://x", "jobs"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = vem(&config, &["--context", "nope", "jobs"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("there are: a, b, down"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn context_use_makes_the_current_context_and_list_and_show_read_it() {
    let fleet = fleet(1, &["--port", "0"]);
    let dir = temp_dir("use");
    let config = contexts_file(&dir, &fleet.urls);

    let out = vem(&config, &["context", "use", "a"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = std::fs::read_to_string(&config).unwrap();
    assert!(file.starts_with("# contexts of the test\n"), "{file}");
    let current_at = file.find("current = \"a\"\n").expect(&file);
    assert!(current_at < file.find("[[context]]").unwrap(), "{file}");

    let list: Value =
        serde_json::from_slice(&vem(&config, &["context", "list", "-o", "json"]).stdout).unwrap();
    let current: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["Current"] == true)
        .collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["Name"], "a");
    let show = text(&vem(&config, &["context", "show", "-o", "table"]).stdout);
    assert!(show.contains("password_env  FLEET_PASSWORD"), "{show}");

    // Without --url or --context, the current context answers (not the embedded simulator).
    let by_current = vem(&config, &["jobs", "-o", "json"]);
    assert!(by_current.status.success(), "{}", text(&by_current.stderr));
    let by_url = vem(
        &config,
        &[
            "--url",
            &fleet.urls[0],
            "--user",
            "admin",
            "jobs",
            "-o",
            "json",
        ],
    );
    assert_eq!(text(&by_current.stdout), text(&by_url.stdout));
    assert!(!text(&by_current.stderr).contains("embedded"));

    let out = vem(&config, &["context", "use", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_live_fleet_on_loopback_hosts_is_one_world_each_with_faults_aimed_at_one() {
    let port = free_port();
    let fleet = fleet(
        3,
        &[
            "--hosts",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--fault",
            "status=500,server=2,path=*backupServers*",
            "--live",
        ],
    );
    let expected: Vec<String> = (1..=3)
        .map(|k| format!("http://127.0.0.{k}:{port}/api"))
        .collect();
    assert_eq!(fleet.urls, expected);
    let dir = temp_dir("hosts");
    let config = contexts_file(&dir, &fleet.urls);
    let out = vem(
        &config,
        &["--all-contexts", "get", "/backupServers", "-o", "jsonl"],
    );
    let stderr = text(&out.stderr);
    // Member 2 answers 500 (exit 7), the others their own servers, named after their site.
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert!(
        stderr.contains("[b]") && !stderr.contains("[a]") && !stderr.contains("[c]"),
        "{stderr}"
    );
    let names: Vec<(String, String)> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| {
            (
                v["Server"].as_str().unwrap().to_owned(),
                v["Name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(!names.is_empty());
    for (server, name) in &names {
        let site = if server == "a" { ".site1." } else { ".site3." };
        assert!(name.contains(site), "{server}: {name}");
    }
    // A fault aimed past the fleet is refused.
    let out = Command::new(env!("CARGO_BIN_EXE_vem"))
        .args([
            "sim",
            "--fleet",
            "2",
            "--port",
            "0",
            "--fault",
            "drop,server=3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("server=3"));
    let _ = std::fs::remove_dir_all(&dir);
}
