//! The simulator over real sockets: a server on a free port of 127.0.0.1 per test, spoken to by
//! a small HTTP/1.1 client written here (so that malformed requests can be sent too), by rustls
//! for TLS, and by curl.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use veeam_em_model::Document;
use veeam_em_sim::server::{start, RunningServer, ServerOptions};
use veeam_em_sim::{Fault, FaultRule, SimConfig, Simulator};

fn server(config: SimConfig) -> (Arc<Simulator>, RunningServer) {
    let sim = Arc::new(Simulator::new(config));
    let server = start(sim.clone(), ServerOptions::default()).unwrap();
    (sim, server)
}

/// A response as read from the socket.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The body was shorter than its `Content-Length` (the connection closed early).
    short: bool,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn error_message(&self) -> String {
        match Document::from_slice(&self.body) {
            Ok(Document::Error(e)) => {
                assert_eq!(e.status_code, i32::from(self.status));
                e.message.to_string()
            }
            other => panic!("expected an <Error> body, got {other:?}: {}", self.text()),
        }
    }
}

/// Sends raw bytes, reads one response (or `None` when the connection closes first).
fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> Option<Reply> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    read_reply(&mut BufReader::new(stream))
}

fn read_reply(reader: &mut impl BufRead) -> Option<Reply> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let status: u16 = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = Vec::new();
    let _ = reader.take(length as u64).read_to_end(&mut body);
    let short = body.len() < length;
    Some(Reply {
        status,
        headers,
        body,
        short,
    })
}

fn send(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<Reply> {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes)
}

fn logon(addr: std::net::SocketAddr) -> String {
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("admin:admin")
    );
    let reply = send(
        addr,
        "POST",
        "/api/sessionMngr/?v=latest",
        &[("Authorization", &auth)],
        b"",
    )
    .unwrap();
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.header("X-RestSvcSessionId").unwrap().to_owned()
}

fn get(addr: std::net::SocketAddr, token: &str, path: &str) -> Reply {
    send(addr, "GET", path, &[("X-RestSvcSessionId", token)], b"").unwrap()
}

#[test]
fn logon_walk_and_errors_over_a_socket() {
    let (_sim, server) = server(SimConfig::default());
    let addr = server.addr();
    let entry = send(addr, "GET", "/api/", &[], b"").unwrap();
    assert_eq!(entry.status, 200);
    assert!(entry
        .text()
        .contains(&format!("http://{addr}/api/sessionMngr/?v=latest")));
    // 401 without credentials, with the challenge.
    let refused = send(addr, "POST", "/api/sessionMngr/?v=latest", &[], b"").unwrap();
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.header("WWW-Authenticate"),
        Some(r#"Basic realm="RestSvc""#)
    );
    refused.error_message();
    let token = logon(addr);
    let sessions = get(addr, &token, "/api/cdpReplicaSessions");
    assert_eq!(sessions.status, 200);
    let Document::EntityReferences(refs) = Document::from_slice(&sessions.body).unwrap() else {
        panic!()
    };
    assert_eq!(refs.refs.len(), 20);
    // The cookie works as well as the header.
    let by_cookie = send(
        addr,
        "GET",
        "/api/cdpPolicies",
        &[("Cookie", &format!("X-RestSvcSessionId={token}"))],
        b"",
    )
    .unwrap();
    assert_eq!(by_cookie.status, 200);
    // 400, 401, 404, 405, each with an <Error>.
    for (method, path, token, status) in [
        ("GET", "/api/tasks", "", 401),
        ("GET", "/api/nowhere", token.as_str(), 404),
        ("DELETE", "/api/tasks", token.as_str(), 405),
        ("GET", "/api/cdpPolicies/%FF", token.as_str(), 400),
        (
            "GET",
            "/api/query?type=CdpReplicaSession&filter=Name%3D%3D",
            token.as_str(),
            400,
        ),
    ] {
        let headers: Vec<(&str, &str)> = if token.is_empty() {
            Vec::new()
        } else {
            vec![("X-RestSvcSessionId", token)]
        };
        let reply = send(addr, method, path, &headers, b"").unwrap();
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text());
        reply.error_message();
    }
    // A JSON body (told by its first character without a Content-Type) is read in the JSON
    // form; this one lacks a required member.
    let json = send(
        addr,
        "POST",
        "/api/cdpReplicas/r/vms/v?action=failover",
        &[("X-RestSvcSessionId", &token)],
        b"{\"RestoreCurrent\": true}",
    )
    .unwrap();
    assert_eq!(json.status, 400);
    assert!(
        json.error_message()
            .contains("missing field `RestoreCurrentVss`"),
        "{}",
        json.text()
    );
}

#[test]
fn bad_input_never_stops_the_server() {
    let (_sim, server) = server(SimConfig::default());
    let addr = server.addr();
    // A head above the limit: 431 with an <Error>.
    let big = "x".repeat(100 * 1024);
    let reply = send(addr, "GET", "/api/", &[("X-Big", &big)], b"").unwrap();
    assert_eq!(reply.status, 431);
    reply.error_message();
    // A body above the limit: 413.
    let huge = vec![b'<'; 17 * 1024 * 1024];
    let reply = send(addr, "POST", "/api/sessionMngr/", &[], &huge);
    if let Some(reply) = reply {
        assert_eq!(reply.status, 413);
    }
    // Garbage of every kind: whatever comes back is a 4xx, and the server lives on.
    let garbage: Vec<Vec<u8>> = vec![
        b"\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET /api/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /api/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"POST /api/sessionMngr/ HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n".to_vec(),
        b"GET /api/ HTTP/9.9\r\n\r\n".to_vec(),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
        b"GET http://[::1/api/ HTTP/1.1\r\n\r\n".to_vec(),
    ];
    for bytes in garbage {
        if let Some(reply) = raw(addr, &bytes) {
            assert!(
                (400..500).contains(&reply.status),
                "{:?} -> {}",
                String::from_utf8_lossy(&bytes),
                reply.status
            );
        }
    }
    assert_eq!(send(addr, "GET", "/api/", &[], b"").unwrap().status, 200);
}

#[test]
fn sessions_expire_when_idle_and_logout_ends_them() {
    let (_sim, server) = server(SimConfig {
        session_idle: Duration::from_millis(600),
        ..SimConfig::default()
    });
    let addr = server.addr();
    let token = logon(addr);
    assert_eq!(get(addr, &token, "/api/tasks").status, 200);
    std::thread::sleep(Duration::from_millis(900));
    let expired = get(addr, &token, "/api/tasks");
    assert_eq!(expired.status, 401);
    assert!(expired.error_message().contains("expired"));
    let token = logon(addr);
    let Document::LogonSessions(list) =
        Document::from_slice(&get(addr, &token, "/api/logonSessions").body).unwrap()
    else {
        panic!()
    };
    let id = list.logon_sessions.last().unwrap().session_id.clone();
    let out = send(
        addr,
        "DELETE",
        &format!("/api/logonSessions/{id}"),
        &[("X-RestSvcSessionId", &token)],
        b"",
    )
    .unwrap();
    assert_eq!(out.status, 204);
    assert_eq!(get(addr, &token, "/api/tasks").status, 401);
}

#[test]
fn paging_and_filters_over_a_socket() {
    let (_sim, server) = server(SimConfig {
        policies: 3,
        sessions_per_policy: 4,
        tasks_per_session: 5,
        ..SimConfig::default()
    });
    let addr = server.addr();
    let token = logon(addr);
    let mut path = "/api/query?type=CdpReplicaTaskSession&format=Entities&pageSize=8&filter=State%3D%3DCompleted".to_owned();
    let mut count = 0;
    let mut pages = 0;
    loop {
        let reply = get(addr, &token, &path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        let Document::QueryResult(result) = Document::from_slice(&reply.body).unwrap() else {
            panic!()
        };
        pages += 1;
        let Some(veeam_em_model::EntityList::CdpReplicaTaskSessions(tasks)) =
            result.entities.as_ref().unwrap().list.as_ref()
        else {
            panic!("not a list of task sessions")
        };
        count += tasks.cdp_replica_task_sessions.len();
        match veeam_em_api::paging::page_link(&result, veeam_em_api::paging::Page::Next) {
            Some(next) => {
                path = next
                    .href
                    .strip_prefix(&format!("http://{addr}"))
                    .unwrap()
                    .to_owned()
            }
            None => break,
        }
    }
    // 3 policies x 3 finished sessions x 5 tasks.
    assert_eq!(count, 45);
    assert_eq!(pages, 6);
}

#[test]
fn actions_answer_202_and_their_task_finishes() {
    let (_sim, server) = server(SimConfig {
        task_duration: Duration::from_millis(300),
        ..SimConfig::default()
    });
    let addr = server.addr();
    let token = logon(addr);
    let Document::EntityReferences(policies) =
        Document::from_slice(&get(addr, &token, "/api/cdpPolicies").body).unwrap()
    else {
        panic!()
    };
    let id = policies.refs[0].uid.id().to_owned();
    let started = send(
        addr,
        "POST",
        &format!("/api/cdpPolicies/{id}?action=disable"),
        &[("X-RestSvcSessionId", &token)],
        b"",
    )
    .unwrap();
    assert_eq!(started.status, 202);
    let task: veeam_em_model::Task = veeam_em_model::from_slice(&started.body).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = get(addr, &token, &format!("/api/tasks/{}", task.task_id));
        let t: veeam_em_model::Task = veeam_em_model::from_slice(&reply.body).unwrap();
        if t.state == veeam_em_model::TaskState::Finished {
            assert!(t.result.unwrap().success);
            break;
        }
        assert!(Instant::now() < deadline, "the task never finished");
        std::thread::sleep(Duration::from_millis(50));
    }
    let Document::CdpPolicy(policy) = Document::from_slice(
        &get(
            addr,
            &token,
            &format!("/api/cdpPolicies/{id}?format=Entity"),
        )
        .body,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(policy.schedule_enabled, Some(false));
}

#[test]
fn each_fault_over_a_socket() {
    let (sim, server) = server(SimConfig::default());
    let addr = server.addr();
    let token = logon(addr);
    // Latency.
    sim.add_fault(FaultRule::always(Fault::Latency(Duration::from_millis(300))).times(1));
    let t = Instant::now();
    assert_eq!(get(addr, &token, "/api/cdpPolicies").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    // Error statuses, limited to a path.
    sim.add_fault(
        FaultRule::always(Fault::Status(503))
            .on_path("/api/cdpPolicies*")
            .times(1),
    );
    assert_eq!(get(addr, &token, "/api/tasks").status, 200);
    let unavailable = get(addr, &token, "/api/cdpPolicies");
    assert_eq!(unavailable.status, 503);
    unavailable.error_message();
    sim.add_fault(FaultRule::always(Fault::Status(500)).times(1));
    assert_eq!(get(addr, &token, "/api/tasks").status, 500);
    // A truncated body: fewer bytes than Content-Length, then the connection closes.
    sim.add_fault(FaultRule::always(Fault::Truncate).times(1));
    let cut = get(addr, &token, "/api/cdpReplicaSessions");
    assert!(cut.short, "the body was complete");
    assert!(Document::from_slice(&cut.body).is_err());
    // A dropped connection: no answer at all.
    sim.add_fault(FaultRule::always(Fault::Drop).times(1));
    assert!(send(
        addr,
        "GET",
        "/api/tasks",
        &[("X-RestSvcSessionId", &token)],
        b""
    )
    .is_none());
    // A slow body: complete, but in pieces over time.
    sim.add_fault(FaultRule::always(Fault::SlowBody(Duration::from_millis(20))).times(1));
    let t = Instant::now();
    let slow = get(addr, &token, "/api/cdpReplicaSessions");
    assert_eq!(slow.status, 200);
    assert!(!slow.short);
    let pieces = slow.body.len().div_ceil(256) as u32;
    assert!(
        t.elapsed() >= Duration::from_millis(20) * (pieces - 1),
        "{:?}",
        t.elapsed()
    );
    Document::from_slice(&slow.body).unwrap();
    // The session expires now.
    sim.add_fault(FaultRule::always(Fault::ExpireSession).times(1));
    assert_eq!(get(addr, &token, "/api/tasks").status, 401);
    // And then everything is normal again.
    let token = logon(addr);
    assert_eq!(get(addr, &token, "/api/tasks").status, 200);
}

#[test]
fn tls_with_the_simulator_certificate() {
    let sim = Arc::new(Simulator::new(SimConfig::default()));
    let dir = std::env::temp_dir().join(format!("veeam-em-sim-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_path = dir.join("cert.pem");
    let server = start(
        sim,
        ServerOptions {
            port: 0,
            tls: true,
            cert_path: Some(cert_path.clone()),
        },
    )
    .unwrap();
    assert!(server.url().starts_with("https://127.0.0.1:"));
    let pem = std::fs::read_to_string(&cert_path).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = |roots: rustls::RootCertStore| {
        Arc::new(
            rustls::ClientConfig::builder_with_provider(provider.clone())
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    };
    let exchange = |config: Arc<rustls::ClientConfig>, name: &str| -> Result<Reply, String> {
        let server_name = rustls::pki_types::ServerName::try_from(name.to_owned()).unwrap();
        let conn = rustls::ClientConnection::new(config, server_name).map_err(|e| e.to_string())?;
        let tcp = TcpStream::connect(server.addr()).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        tls.write_all(b"GET /api/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .map_err(|e| e.to_string())?;
        read_reply(&mut BufReader::new(tls)).ok_or_else(|| "no answer".to_owned())
    };
    // Trusted: the entry point over HTTPS, with https hrefs.
    let mut roots = rustls::RootCertStore::empty();
    let der = rustls::pki_types::CertificateDer::from(
        base64::engine::general_purpose::STANDARD
            .decode(
                pem.lines()
                    .filter(|l| !l.starts_with("-----"))
                    .collect::<String>(),
            )
            .unwrap(),
    );
    roots.add(der).unwrap();
    for name in ["localhost", "127.0.0.1"] {
        let reply = exchange(client(roots.clone()), name).unwrap();
        assert_eq!(reply.status, 200);
        assert!(reply
            .text()
            .contains("https://localhost/api/sessionMngr/?v=latest"));
    }
    // Not trusted: refused, naming the issuer.
    let err = exchange(client(rustls::RootCertStore::empty()), "localhost").unwrap_err();
    assert!(
        err.contains("UnknownIssuer") || err.contains("unknown issuer"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn curl_can_walk_it() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("curl is needed for this test (apt-get install curl; .ci/run installs it)");
    }
    let (_sim, server) = server(SimConfig::default());
    let base = server.url().to_owned();
    let curl = |args: &[&str]| {
        let out = std::process::Command::new("curl")
            .args(["-sS", "--max-time", "20"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "curl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let head = curl(&[
        "-D",
        "-",
        "-o",
        "/dev/null",
        "-u",
        "admin:admin",
        "-X",
        "POST",
        &format!("{base}/sessionMngr/?v=latest"),
    ]);
    let token = head
        .lines()
        .find_map(|l| l.strip_prefix("x-restsvcsessionid: "))
        .unwrap()
        .trim()
        .to_owned();
    let header = format!("X-RestSvcSessionId: {token}");
    let list = curl(&["-H", &header, &format!("{base}/cdpReplicaSessions")]);
    let Document::EntityReferences(refs) = Document::from_slice(list.as_bytes()).unwrap() else {
        panic!()
    };
    let alternate = refs.refs[0]
        .links
        .as_ref()
        .unwrap()
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("Alternate"))
        .unwrap();
    let entity = curl(&["-H", &header, alternate.href.as_str()]);
    assert!(entity.starts_with("<CdpReplicaSession "), "{entity}");

    // The same walk in the server's JSON form, asked for the way curl users do.
    let json = "Accept: application/json";
    let list: serde_json::Value = serde_json::from_str(&curl(&[
        "-H",
        &header,
        "-H",
        json,
        &format!("{base}/cdpReplicaSessions"),
    ]))
    .unwrap();
    let alternate = list["Refs"][0]["Links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["Rel"] == "Alternate")
        .unwrap()["Href"]
        .as_str()
        .unwrap()
        .to_owned();
    let entity: serde_json::Value =
        serde_json::from_str(&curl(&["-H", &header, "-H", json, &alternate])).unwrap();
    assert_eq!(entity["Type"], "CdpReplicaSession", "{entity}");
    let missing: serde_json::Value = serde_json::from_str(&curl(&[
        "-H",
        &header,
        "-H",
        json,
        &format!("{base}/jobs/00000000-0000-0000-0000-000000000000"),
    ]))
    .unwrap();
    assert_eq!(missing["StatusCode"], 404, "{missing}");
}
