//! The sans-IO core, in process: the walk of the README (only links from responses), logon and
//! expiry on a manual clock, errors, the query service, actions with tasks, and that every body
//! it writes decodes as the operation's representation.

use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, Response, StatusCode};
use veeam_em_api::{route_method, Links};
use veeam_em_model::{Document, EntityReferences, Task};
use veeam_em_sim::{ManualClock, SimConfig, Simulator, User};

const ADMIN: &str = "Basic YWRtaW46YWRtaW4="; // admin:admin

struct Session<'s> {
    sim: &'s Simulator,
    token: String,
}

fn request(method: Method, uri: &str, token: Option<&str>, body: &[u8]) -> Request<Vec<u8>> {
    let uri = uri.replace('"', "%22");
    let mut r = Request::builder()
        .method(method)
        .uri(uri.as_str())
        .header("Host", "em.test:9398");
    if let Some(t) = token {
        r = r.header("X-RestSvcSessionId", t);
    }
    r.body(body.to_vec())
        .unwrap_or_else(|e| panic!("{uri}: {e}"))
}

fn logon(sim: &Simulator) -> Session<'_> {
    let response = sim.handle(
        Request::post("/api/sessionMngr/?v=latest")
            .header("Authorization", ADMIN)
            .header("Host", "em.test:9398")
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(response.status(), 201, "{}", text(&response));
    let token = response.headers()["x-restsvcsessionid"]
        .to_str()
        .unwrap()
        .to_owned();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert_eq!(cookie, format!("X-RestSvcSessionId={token}; Path=/api;"));
    Session { sim, token }
}

impl Session<'_> {
    fn get(&self, uri: &str) -> Response<Vec<u8>> {
        self.sim
            .handle(request(Method::GET, &path(uri), Some(&self.token), b""))
    }

    /// A GET asking for the JSON form.
    fn get_json(&self, uri: &str) -> Response<Vec<u8>> {
        let mut r = request(Method::GET, &path(uri), Some(&self.token), b"");
        r.headers_mut()
            .insert("accept", "application/json".parse().unwrap());
        self.sim.handle(r)
    }

    fn send(&self, method: Method, uri: &str, body: &[u8]) -> Response<Vec<u8>> {
        self.sim
            .handle(request(method, &path(uri), Some(&self.token), body))
    }

    /// GET, expecting 200 and the representation of the catalogue operation of `uri`.
    fn doc(&self, uri: &str) -> Document {
        let response = self.get(uri);
        assert_eq!(response.status(), 200, "{uri}: {}", text(&response));
        decode_as_catalogue_says("GET", uri, &response)
    }
}

/// The path and query of an absolute href (the simulator's hrefs point at `em.test:9398`).
fn path(href: &str) -> String {
    match href.strip_prefix("http://em.test:9398") {
        Some(rest) => rest.to_owned(),
        None => {
            assert!(!href.starts_with("http"), "an href to elsewhere: {href}");
            href.to_owned()
        }
    }
}

fn text(r: &Response<Vec<u8>>) -> String {
    String::from_utf8_lossy(r.body()).into_owned()
}

/// Decodes a body and checks its root is what the catalogue says the operation returns.
fn decode_as_catalogue_says(method: &str, uri: &str, r: &Response<Vec<u8>>) -> Document {
    let doc = Document::from_slice(r.body())
        .unwrap_or_else(|e| panic!("{uri}: the body does not decode: {e}\n{}", text(r)));
    let entry = route_method(method, uri).unwrap().entry;
    let expected = entry.representation().unwrap();
    let root = doc.root_element();
    let alias_ok = expected == "VmCdpReplica" && root == "CdpReplicaVm";
    assert!(
        root == expected || alias_ok,
        "{uri}: <{root}>, the catalogue says <{expected}>"
    );
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    doc
}

fn refs(doc: Document) -> EntityReferences {
    match doc {
        Document::EntityReferences(r) => r,
        other => panic!("not references: {}", other.root_element()),
    }
}

#[test]
fn the_readme_walk_follows_only_links_from_responses() {
    let sim = Simulator::new(SimConfig::default());
    // The entry point, without authentication, links to logon.
    let entry = sim.handle(request(Method::GET, "/api/", None, b""));
    assert_eq!(entry.status(), 200);
    let Document::EnterpriseManager(em) = Document::from_slice(entry.body()).unwrap() else {
        panic!()
    };
    let create = em
        .links
        .as_ref()
        .unwrap()
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("Create"))
        .unwrap();
    assert_eq!(
        create.href.as_str(),
        "http://em.test:9398/api/sessionMngr/?v=latest"
    );
    let versions: Vec<&str> = em
        .supported_versions
        .as_ref()
        .unwrap()
        .supported_versions
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(versions, ["v1_5", "v1_6", "v1_7"]);
    let s = logon(&sim);
    // The documented collection, then links only.
    let sessions = refs(s.doc("/api/cdpReplicaSessions"));
    assert_eq!(sessions.refs.len(), 4 * 5);
    let mut task_entities = 0;
    for r in &sessions.refs {
        let entity = s.doc(&r.alternate().unwrap().href);
        let Document::CdpReplicaSession(session) = entity else {
            panic!()
        };
        let down = session.links.as_ref().unwrap().link("Down").unwrap();
        let tasks = refs(s.doc(&down.href));
        assert_eq!(tasks.refs.len(), 3);
        for t in &tasks.refs {
            assert_eq!(
                t.links
                    .as_ref()
                    .unwrap()
                    .link("Up")
                    .unwrap()
                    .type_
                    .as_deref(),
                Some("BackupServerReference")
            );
            let Document::CdpReplicaTaskSession(task) = s.doc(&t.alternate().unwrap().href) else {
                panic!()
            };
            assert_eq!(
                task.policy_session_uid.as_ref().unwrap(),
                session.uid.as_ref().unwrap()
            );
            // The entity's own href is its entity form (servers may write /replicaTaskSessions/,
            // which is the sessions family's address: the simulator does not).
            assert!(task
                .href
                .as_ref()
                .unwrap()
                .contains("/api/cdpReplicaTaskSessions/"));
            s.doc(task.href.as_ref().unwrap());
            task_entities += 1;
        }
    }
    assert_eq!(task_entities, 60);
}

#[test]
fn every_link_the_simulator_writes_can_be_followed() {
    let sim = Simulator::new(SimConfig {
        policies: 4,
        sessions_per_policy: 2,
        tasks_per_session: 2,
        ..SimConfig::default()
    });
    let s = logon(&sim);
    let mut seen = std::collections::BTreeSet::new();
    let mut queue: Vec<String> = [
        "/api/",
        "/api/backupServers",
        "/api/repositories",
        "/api/cdpPolicies",
        "/api/cdpReplicas",
        "/api/cdpReplica/vApps",
        "/api/cdpReplicaSessions",
        "/api/cdpReplicaTaskSessions",
        "/api/logonSessions",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    while let Some(uri) = queue.pop() {
        if !seen.insert(uri.clone()) {
            continue;
        }
        let doc = s.doc(&uri);
        let json = serde_json::to_value(&doc).unwrap();
        let mut links = Vec::new();
        collect_links(&json, &mut links);
        for (rel, href) in links {
            // As the catalogue's links say: navigation is a GET, Edit a PUT, Delete a DELETE,
            // every other relation an action (POST).
            let method = match rel.as_str() {
                "Up" | "Down" | "Alternate" | "Related" | "First" | "Previous" | "Next"
                | "Last" => "GET",
                "Edit" => "PUT",
                "Delete" => "DELETE",
                _ => "POST",
            };
            let p = path(&href);
            assert!(
                route_method(method, &p).is_ok(),
                "{uri} links {rel} {href}, which the catalogue does not serve"
            );
            if method == "GET" && !href.contains("sessionMngr") {
                queue.push(p);
            }
        }
    }
    assert!(seen.len() > 80, "only {} documents walked", seen.len());
}

/// Every `Href` of a document (links and own hrefs).
fn collect_hrefs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::String(href)) = m.get("Href") {
                out.push(href.clone());
            }
            m.values().for_each(|v| collect_hrefs(v, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_hrefs(v, out)),
        _ => {}
    }
}

fn collect_links(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            if let (Some(rel), Some(href)) = (m.get("Rel"), m.get("Href")) {
                out.push((
                    rel.as_str().unwrap().to_owned(),
                    href.as_str().unwrap().to_owned(),
                ));
            }
            m.values().for_each(|v| collect_links(v, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_links(v, out)),
        _ => {}
    }
}

#[test]
fn every_get_of_the_catalogue_is_served() {
    let sim = Simulator::new(SimConfig::default());
    assert_eq!(sim.unserved_operations(), Vec::<&str>::new());
}

#[test]
fn authentication_as_the_reference_describes_it() {
    let clock = ManualClock::new(time::macros::datetime!(2026-01-01 0:00 UTC));
    let sim = Simulator::with_clock(
        SimConfig {
            users: vec![User::parse("CORP\\svc:s3cret:x").unwrap()],
            session_idle: Duration::from_secs(60),
            ..SimConfig::default()
        },
        Arc::new(clock.clone()),
    );
    // Wrong or missing credentials: 401 with the challenge and an <Error>.
    for auth in [None, Some("Basic YWRtaW46YWRtaW4="), Some("Bearer x")] {
        let mut r = Request::post("/api/sessionMngr/?v=latest");
        if let Some(a) = auth {
            r = r.header("Authorization", a);
        }
        let response = sim.handle(r.body(Vec::new()).unwrap());
        assert_eq!(response.status(), 401, "{auth:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Basic realm="RestSvc""#
        );
        let Document::Error(e) = Document::from_slice(response.body()).unwrap() else {
            panic!()
        };
        assert_eq!(e.status_code, 401);
    }
    // The configured user, for a pinned version.
    let basic = format!("Basic {}", base64_encode(b"CORP\\svc:s3cret:x"));
    let logon = sim.handle(
        Request::post("/api/sessionMngr/?v=v1_7")
            .header("Authorization", basic.as_str())
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(logon.status(), 201);
    let token = logon.headers()["x-restsvcsessionid"]
        .to_str()
        .unwrap()
        .to_owned();
    let Document::LogonSession(session) = Document::from_slice(logon.body()).unwrap() else {
        panic!()
    };
    assert_eq!(session.user_name.as_str(), "CORP\\svc");
    // An unknown version is refused.
    let bad = sim.handle(
        Request::post("/api/sessionMngr/?v=v0_1")
            .header("Authorization", basic.as_str())
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(bad.status(), 400);
    let s = Session {
        sim: &sim,
        token: token.clone(),
    };
    // No token, a wrong token: 401.
    assert_eq!(
        sim.handle(request(Method::GET, "/api/tasks", None, b""))
            .status(),
        401
    );
    assert_eq!(
        sim.handle(request(Method::GET, "/api/tasks", Some("nope"), b""))
            .status(),
        401
    );
    // Use keeps the session alive; idling expires it.
    for _ in 0..3 {
        clock.advance(Duration::from_secs(50));
        assert_eq!(s.get("/api/tasks").status(), 200);
    }
    clock.advance(Duration::from_secs(61));
    let expired = s.get("/api/tasks");
    assert_eq!(expired.status(), 401);
    assert!(text(&expired).contains("expired"), "{}", text(&expired));
    // Logout.
    let logon = sim.handle(
        Request::post("/api/sessionMngr/?v=latest")
            .header("Authorization", basic.as_str())
            .header("Host", "em.test:9398")
            .body(Vec::new())
            .unwrap(),
    );
    let s = Session {
        sim: &sim,
        token: logon.headers()["x-restsvcsessionid"]
            .to_str()
            .unwrap()
            .to_owned(),
    };
    let Document::LogonSession(me) = Document::from_slice(logon.body()).unwrap() else {
        panic!()
    };
    let listed = s.doc("/api/logonSessions");
    let Document::LogonSessions(list) = listed else {
        panic!()
    };
    assert!(list
        .logon_sessions
        .iter()
        .any(|l| l.session_id == me.session_id));
    let delete = me
        .links
        .as_ref()
        .unwrap()
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("Delete"))
        .unwrap();
    assert_eq!(s.send(Method::DELETE, &delete.href, b"").status(), 204);
    assert_eq!(s.get("/api/tasks").status(), 401);
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn errors_have_the_right_status_and_an_error_body() {
    let sim = Simulator::new(SimConfig::default());
    let s = logon(&sim);
    let cases: &[(Method, &str, &[u8], u16)] = &[
        (Method::GET, "/api/noSuchThing", b"", 404),
        (Method::GET, "/somewhere/else", b"", 404),
        (
            Method::GET,
            "/api/cdpPolicies/00000000-0000-4000-8000-000000000000",
            b"",
            404,
        ),
        (Method::PUT, "/api/tasks", b"", 405),
        (Method::GET, "/api/cdpPolicies/x/../y", b"", 400),
        (
            Method::GET,
            "/api/query?type=CdpReplicaSession&filter=Name==",
            b"",
            400,
        ),
        (
            Method::GET,
            "/api/query?type=CdpReplicaSession&filter=Nmae==\"a\"",
            b"",
            400,
        ),
        (
            Method::GET,
            "/api/query?type=CdpReplicaSession&pageSize=0",
            b"",
            400,
        ),
        (
            Method::GET,
            "/api/query?type=CdpReplicaSession&filter=State==Sleeping",
            b"",
            400,
        ),
        (
            Method::POST,
            "/api/cdpReplicas/r/vms/v?action=failover",
            b"{\"json\": 1}",
            400,
        ),
        (
            Method::POST,
            "/api/cdpReplicas/r/vms/v?action=failover",
            b"",
            400,
        ),
        (
            Method::POST,
            "/api/cdpReplicas/r/vms/v?action=failover",
            b"<Task xmlns=\"http://www.veeam.com/ent/v1.0\"/>",
            400,
        ),
    ];
    for (method, uri, body, status) in cases {
        let r = s.send(method.clone(), uri, body);
        assert_eq!(r.status().as_u16(), *status, "{method} {uri}: {}", text(&r));
        let Document::Error(e) = Document::from_slice(r.body()).unwrap() else {
            panic!("{uri}: no <Error>")
        };
        assert_eq!(e.status_code, i32::from(*status));
        assert!(!e.message.is_empty());
    }
    let r = s.send(Method::PUT, "/api/tasks", b"");
    assert_eq!(r.headers()["allow"], "GET");
    let r = s.get("/api/query?type=CdpReplicaSession&filter=Nmae==\"a\"");
    assert!(
        text(&r).contains("Nmae is not a field of CdpReplicaSession"),
        "{}",
        text(&r)
    );
    // Issue 19, defect 11: a member of the entity that its query type does not list (the
    // reference's query table of CdpReplicaTaskSession has no Result) is refused, in filters
    // and sorting, as the typed constants (veeam_em_api::fields) have it.
    for uri in [
        "/api/query?type=CdpReplicaTaskSession&filter=Result==Failed",
        "/api/query?type=CdpReplicaTaskSession&sortAsc=Result",
    ] {
        let r = s.get(uri);
        assert_eq!(r.status(), 400, "{uri}: {}", text(&r));
        assert!(
            text(&r).contains("Result is not a field of CdpReplicaTaskSession"),
            "{uri}: {}",
            text(&r)
        );
    }
    let fields = veeam_em_api::queries::info("CdpReplicaTaskSession")
        .unwrap()
        .fields;
    assert!(fields.iter().all(|(name, _)| *name != "Result"));
}

#[test]
fn the_query_service_filters_sorts_and_pages() {
    let sim = Simulator::new(SimConfig {
        policies: 6,
        sessions_per_policy: 10,
        tasks_per_session: 4,
        ..SimConfig::default()
    });
    let s = logon(&sim);
    let query = |q: &str| {
        let Document::QueryResult(r) = s.doc(&format!("/api/query?{q}")) else {
            panic!()
        };
        r
    };
    // Refs by default, everything on one page.
    let all = query("type=CdpReplicaSession");
    assert_eq!(all.refs.as_ref().unwrap().refs.len(), 60);
    assert_eq!(all.paging_info.as_ref().unwrap().pages_count, Some(1));
    // Filters, with the grammar the API crate prints.
    let working = query("type=CdpReplicaSession&filter=State%3D%3D%22Working%22");
    assert_eq!(working.refs.as_ref().unwrap().refs.len(), 6);
    let failed =
        query("type=CdpReplicaSession&filter=result==Failed;state==Stopped&format=Entities");
    let Some(veeam_em_model::EntityList::CdpReplicaSessions(sessions)) =
        failed.entities.as_ref().unwrap().list.as_ref()
    else {
        panic!("not a list of sessions")
    };
    let items = &sessions.cdp_replica_session_items;
    assert!(!items.is_empty());
    for item in items {
        let veeam_em_model::CdpReplicaSessionItem::CdpPolicySession(session) = item else {
            panic!("query results name the items CdpPolicySession")
        };
        assert_eq!(session.result, Some(veeam_em_model::SessionResult::Failed));
    }
    // Enumerations compare by rank: Success < Warning < Failed.
    let bad = query("type=CdpReplicaSession&filter=Result%3E%3DWarning;Result%3C%3DFailed");
    let good = query("type=CdpReplicaSession&filter=Result==Success");
    let none = query("type=CdpReplicaSession&filter=Result==None");
    assert_eq!(
        bad.refs.unwrap().refs.len()
            + good.refs.unwrap().refs.len()
            + none.refs.unwrap().refs.len(),
        60
    );
    // Sorting.
    let sorted = query("type=CdpReplicaTaskSession&sortDesc=TotalSize&format=Entities&pageSize=50");
    let Some(veeam_em_model::EntityList::CdpReplicaTaskSessions(tasks)) =
        sorted.entities.unwrap().list
    else {
        panic!("not a list of task sessions")
    };
    let sizes: Vec<i64> = tasks
        .cdp_replica_task_sessions
        .iter()
        .map(|t| t.total_size.unwrap())
        .collect();
    assert_eq!(sizes.len(), 50);
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    // Paging through the links, page by page, sees every item once.
    let mut href = "/api/query?type=CdpReplicaTaskSession&pageSize=7".to_owned();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let Document::QueryResult(page) = s.doc(&href) else {
            panic!()
        };
        pages += 1;
        let info = page.paging_info.as_ref().unwrap();
        assert_eq!(info.page_num, Some(pages));
        assert_eq!(info.pages_count, Some(35));
        seen.extend(
            page.refs
                .as_ref()
                .unwrap()
                .refs
                .iter()
                .map(|r| r.uid.clone()),
        );
        match veeam_em_api::paging::page_link(&page, veeam_em_api::paging::Page::Next) {
            Some(next) => href = path(&next.href),
            None => break,
        }
    }
    assert_eq!(pages, 35);
    assert_eq!(seen.len(), 240);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 240);
}

#[test]
fn actions_start_tasks_that_finish_later_and_change_the_data() {
    let clock = ManualClock::new(time::macros::datetime!(2026-01-01 0:00 UTC));
    let sim = Simulator::with_clock(
        SimConfig {
            task_duration: Duration::from_secs(5),
            ..SimConfig::default()
        },
        Arc::new(clock.clone()),
    );
    let s = logon(&sim);
    let policies = refs(s.doc("/api/cdpPolicies"));
    let first = &policies.refs[0];
    let Document::CdpPolicy(policy) = s.doc(&first.alternate().unwrap().href) else {
        panic!()
    };
    assert_eq!(policy.schedule_enabled, Some(true));
    let disable = policy
        .links
        .as_ref()
        .unwrap()
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("Disable"))
        .unwrap();
    let started = s.send(Method::POST, &disable.href, b"");
    assert_eq!(started.status(), 202, "{}", text(&started));
    let task: Task = veeam_em_model::from_slice(started.body()).unwrap();
    assert_eq!(task.state, veeam_em_model::TaskState::Running);
    // Not yet: the task runs.
    let Document::CdpPolicy(p) = s.doc(&first.alternate().unwrap().href) else {
        panic!()
    };
    assert_eq!(p.schedule_enabled, Some(true));
    clock.advance(Duration::from_secs(6));
    let Document::Task(done) = s.doc(task.href.as_deref().unwrap()) else {
        panic!()
    };
    assert_eq!(done.state, veeam_em_model::TaskState::Finished);
    assert!(done.result.as_ref().unwrap().success);
    let Document::CdpPolicy(p) = s.doc(&first.alternate().unwrap().href) else {
        panic!()
    };
    assert_eq!(
        p.schedule_enabled,
        Some(false),
        "a disabled policy reads as disabled"
    );
    let Document::Tasks(mine) = s.doc("/api/tasks") else {
        panic!()
    };
    assert_eq!(mine.tasks.len(), 1);

    // A PUT changes the fields it gives.
    let policy_path = path(first.href.as_str());
    let body = br#"<CdpPolicy xmlns="http://www.veeam.com/ent/v1.0"><Description>edited</Description></CdpPolicy>"#;
    assert_eq!(s.send(Method::PUT, &policy_path, body).status(), 202);
    // Includes: add one, then delete one.
    let includes = format!("{policy_path}/includes");
    let spec = br#"<CreateObjectInJobSpec xmlns="http://www.veeam.com/ent/v1.0"><HierarchyObjRef>urn:VMware:Vm:7c6a.vm-1</HierarchyObjRef><HierarchyObjName>new-vm</HierarchyObjName></CreateObjectInJobSpec>"#;
    assert_eq!(s.send(Method::POST, &includes, spec).status(), 202);
    clock.advance(Duration::from_secs(6));
    let Document::CdpPolicy(p) = s.doc(&format!("{policy_path}?format=Entity")) else {
        panic!()
    };
    assert_eq!(p.description.as_deref(), Some("edited"));
    assert_eq!(p.name, policy.name, "fields the body leaves out are kept");
    let Document::ObjectsInJob(objects) = s.doc(&includes) else {
        panic!()
    };
    assert_eq!(objects.object_in_jobs.len(), 3);
    assert!(objects
        .object_in_jobs
        .iter()
        .any(|o| o.name.as_deref() == Some("new-vm")));
    // The new VM is a VM of the policy's replica too.
    let Document::CdpReplicas(replicas) = s.doc("/api/cdpReplicas?format=Entity") else {
        panic!()
    };
    let replica = replicas
        .cdp_replicas
        .iter()
        .find(|r| r.policy_uid.as_deref() == Some(first.uid.as_str()))
        .unwrap();
    let Document::VmCdpReplicas(vms) = s.doc(&format!(
        "/api/cdpReplicas/{}/vms?format=Entity",
        replica.uid.as_ref().unwrap().id()
    )) else {
        panic!()
    };
    assert_eq!(vms.vm_cdp_replicas.len(), 3);
    let delete_href = objects.object_in_jobs[0].href.clone().unwrap();
    assert_eq!(s.send(Method::DELETE, &delete_href, b"").status(), 202);
    clock.advance(Duration::from_secs(6));
    let Document::ObjectsInJob(objects) = s.doc(&includes) else {
        panic!()
    };
    assert_eq!(objects.object_in_jobs.len(), 2);
    // An action on what does not exist is a 404, and starts nothing.
    let missing = s.send(
        Method::POST,
        "/api/cdpPolicies/00000000-0000-4000-8000-000000000000?action=enable",
        b"",
    );
    assert_eq!(missing.status(), 404);
}

#[test]
fn the_same_seed_gives_the_same_world() {
    let a = Simulator::new(SimConfig::default());
    let b = Simulator::new(SimConfig::default());
    let c = Simulator::new(SimConfig {
        seed: 2,
        ..SimConfig::default()
    });
    let (sa, sb, sc) = (logon(&a), logon(&b), logon(&c));
    let uri = "/api/query?type=CdpReplicaTaskSession&format=Entities";
    assert_eq!(sa.get(uri).body(), sb.get(uri).body());
    assert_ne!(sa.get(uri).body(), sc.get(uri).body());
}

#[test]
fn status_faults_answer_with_an_error_body() {
    let sim = Simulator::new(SimConfig::default());
    let s = logon(&sim);
    sim.add_fault(
        veeam_em_sim::FaultRule::parse("status=503,count=2,path=/api/cdpPolicies*").unwrap(),
    );
    assert_eq!(
        s.get("/api/cdpPolicies").status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(s.get("/api/tasks").status(), 200, "other paths are spared");
    assert_eq!(s.get("/api/cdpPolicies").status(), 503);
    assert_eq!(s.get("/api/cdpPolicies").status(), 200, "count=2");
    sim.add_fault(veeam_em_sim::FaultRule::parse("expire-session,count=1").unwrap());
    assert_eq!(s.get("/api/cdpPolicies").status(), 401);
    assert_eq!(
        s.get("/api/cdpPolicies").status(),
        401,
        "the session is gone"
    );
}

/// One body of every representation the simulator serves goes to
/// `target/tmp/sim-bodies/<Root>.xml`, which `.ci/run` validates with `schemas/validate.py`
/// (xmlschema and xmllint): the simulator's XML is checked by stacks it does not share code with.
#[test]
fn one_body_of_every_served_representation_is_written_for_validation() {
    let clock = ManualClock::new(time::macros::datetime!(2026-01-01 0:00 UTC));
    let sim = Simulator::with_clock(SimConfig::default(), Arc::new(clock.clone()));
    let s = logon(&sim);
    let mut bodies: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
    let mut keep = |r: &Response<Vec<u8>>| {
        let doc = Document::from_slice(r.body()).unwrap();
        bodies
            .entry(doc.root_element().to_owned())
            .or_insert_with(|| r.body().clone());
    };
    let mut uris = vec![
        "/api/".to_owned(),
        "/api/logonSessions".to_owned(),
        "/api/query?type=CdpReplicaSession&format=Entities&pageSize=2".to_owned(),
        "/api/query?type=CdpReplicaTaskSession&pageSize=2".to_owned(),
    ];
    for collection in [
        "/api/backupServers",
        "/api/repositories",
        "/api/cdpPolicies",
        "/api/cdpReplicas",
        "/api/cdpReplica/vApps",
        "/api/cdpReplicaSessions",
        "/api/cdpReplicaTaskSessions",
    ] {
        uris.push(collection.to_owned());
        uris.push(format!("{collection}?format=Entity"));
        let first = &refs(s.doc(collection)).refs[0];
        uris.push(path(&first.href));
        if let Some(alternate) = first.alternate() {
            uris.push(path(&alternate.href));
        }
        for link in &first.links.as_ref().unwrap().links {
            if link.rel.as_deref() == Some("Down") {
                uris.push(path(&link.href));
                uris.push(format!("{}?format=Entity", path(&link.href)));
                // The items of nested lists, in both forms.
                if let Ok(Document::EntityReferences(nested)) =
                    Document::from_slice(s.get(&path(&link.href)).body())
                {
                    if let Some(item) = nested.refs.first() {
                        uris.push(path(&item.href));
                        if let Some(alternate) = item.alternate() {
                            uris.push(path(&alternate.href));
                        }
                    }
                }
            }
        }
    }
    // Every other representation: every GET of the catalogue without path parameters, then
    // every document their links lead to (the generic world's families).
    let mut queue: Vec<String> = veeam_em_api::CATALOGUE
        .iter()
        .filter(|e| e.method == "GET" && !e.path.contains('{'))
        .map(|e| format!("/api{}", e.template()))
        .collect();
    queue.extend(uris.iter().cloned());
    let mut seen = std::collections::BTreeSet::new();
    // A few documents of each operation are enough: the crawl is about representations.
    let mut per_operation: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut json_checked = 0;
    // Addresses no link leads to (a tenant's vCloud compute resources, a mount's guest files):
    // built from the catalogue's templates below addresses the crawl reached, as clients build
    // them from the reference.
    let mut rounds = 0;
    loop {
        // Until a round adds nothing new (each reaches one level deeper).
        if queue.is_empty() && rounds < 4 {
            rounds += 1;
            let visited: Vec<(String, &'static str)> = seen
                .iter()
                .filter_map(|u: &String| {
                    route_method("GET", u)
                        .ok()
                        .map(|r| (u.clone(), r.entry.path))
                })
                .collect();
            for e in veeam_em_api::CATALOGUE.iter().filter(|e| e.method == "GET") {
                if per_operation.contains_key(e.name) {
                    continue;
                }
                // The visited address of the longest template that starts this one.
                let Some((uri, prefix)) = visited
                    .iter()
                    .filter(|(_, p)| e.path.starts_with(p) && e.path.len() > p.len())
                    .max_by_key(|(_, p)| p.len())
                else {
                    continue;
                };
                let mut path = uri.split('?').next().unwrap_or_default().to_owned();
                let mut complete = true;
                for seg in e.path[prefix.len()..].split('/').filter(|s| !s.is_empty()) {
                    path.push('/');
                    if seg.ends_with("*}") {
                        path.push_str("C%3A%5CUsers");
                    } else if seg.starts_with('{') {
                        complete = false;
                    } else {
                        path.push_str(seg);
                    }
                }
                if complete {
                    queue.push(format!("{path}{}", &e.template()[e.path.len()..]));
                }
            }
        }
        let Some(uri) = queue.pop() else { break };
        if !seen.insert(uri.clone()) {
            continue;
        }
        let operation = route_method("GET", &uri).map_or("?", |r| r.entry.name);
        let visits = per_operation.entry(operation).or_default();
        *visits += 1;
        if *visits > 3 {
            continue;
        }
        let r = s.get(&uri);
        if r.status() != 200 {
            continue;
        }
        keep(&r);
        // The same resource in the JSON form: the same document.
        let j = s.get_json(&uri);
        assert_eq!(j.status(), 200, "{uri}: {}", text(&j));
        assert_eq!(
            j.headers()["content-type"],
            "application/json; charset=utf-8",
            "{uri}"
        );
        let xml_doc = Document::from_slice(r.body()).unwrap();
        let json_doc = Document::from_json(xml_doc.root_element(), j.body())
            .unwrap_or_else(|e| panic!("{uri}: the JSON does not decode: {e}\n{}", text(&j)));
        assert_eq!(json_doc.to_json_string(), xml_doc.to_json_string(), "{uri}");
        json_checked += 1;
        let json = serde_json::to_value(Document::from_slice(r.body()).unwrap()).unwrap();
        let mut links = Vec::new();
        collect_links(&json, &mut links);
        for (rel, href) in links {
            if matches!(rel.as_str(), "Down" | "Alternate" | "Up") {
                queue.push(path(&href));
            }
            if rel == "Down" && !href.contains('?') {
                queue.push(format!("{}?format=Entity", path(&href)));
            }
        }
        // The own hrefs of items (entities without a reference form link nowhere else).
        let mut hrefs = Vec::new();
        collect_hrefs(&json, &mut hrefs);
        queue.extend(hrefs.iter().map(|h| path(h)));
    }

    // Includes, tasks, intervals, the logon session, an error.
    let policy = &refs(s.doc("/api/cdpPolicies")).refs[0];
    let Document::ObjectsInJob(objects) = s.doc(&format!("{}/includes", path(&policy.href))) else {
        panic!()
    };
    keep(&s.get(&path(objects.object_in_jobs[0].href.as_deref().unwrap())));
    keep(&s.send(
        Method::POST,
        &format!("{}?action=disable", path(&policy.href)),
        b"",
    ));
    keep(&s.get("/api/tasks"));
    let Document::VmCdpReplicas(vms) = s.doc(&format!(
        "/api/cdpReplicas/{}/vms?format=Entity",
        refs(s.doc("/api/cdpReplicas")).refs[0].uid.id()
    )) else {
        panic!()
    };
    let vm = path(vms.vm_cdp_replicas[0].href.as_deref().unwrap());
    let vm = vm.trim_end_matches("?format=Entity");
    let spec = br#"<CdpReplicaIntervalsSpec xmlns="http://www.veeam.com/ent/v1.0"><StartDate>2026-01-01T00:00:00Z</StartDate><EndDate>2026-01-02T00:00:00Z</EndDate></CdpReplicaIntervalsSpec>"#;
    keep(&s.send(Method::POST, &format!("{vm}?action=intervals"), spec));
    let vapp = &refs(s.doc("/api/cdpReplica/vApps")).refs[0];
    keep(&s.send(
        Method::POST,
        &format!("{}?action=intervals", path(&vapp.href)),
        spec,
    ));
    keep(&s.get("/api/nowhere"));
    let logon = sim.handle(
        Request::post("/api/sessionMngr/?v=latest")
            .header("Authorization", ADMIN)
            .body(Vec::new())
            .unwrap(),
    );
    keep(&logon);

    // Every representation of the catalogue is among them.
    let mut missing: Vec<&str> = veeam_em_api::CATALOGUE
        .iter()
        .filter_map(|e| e.representation())
        .filter(|r| {
            !(bodies.contains_key(*r)
                || (*r == "VmCdpReplica" && bodies.contains_key("CdpReplicaVm")))
        })
        .collect();
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "no body of {missing:?}");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sim-bodies");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (root, body) in &bodies {
        std::fs::write(dir.join(format!("{root}.xml")), body).unwrap();
    }
    assert!(bodies.len() >= 25, "{}", bodies.len());
    assert!(json_checked > 500, "{json_checked} JSON answers checked");
}

#[test]
fn errors_logon_and_tasks_answer_in_the_form_accept_asks_for() {
    let sim = Simulator::new(SimConfig::default());
    // Logon in JSON: 201, the token in the header, the logon session as JSON.
    let response = sim.handle(
        Request::post("/api/sessionMngr/?v=latest")
            .header("Authorization", ADMIN)
            .header("Accept", "application/json")
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(response.status(), 201);
    assert!(response.headers().contains_key("x-restsvcsessionid"));
    let session: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert!(session["SessionId"].is_string(), "{session}");
    assert!(session["Links"].is_array(), "{session}");
    let s = Session {
        sim: &sim,
        token: response.headers()["x-restsvcsessionid"]
            .to_str()
            .unwrap()
            .to_owned(),
    };
    // An error: {"Message": ..., "StatusCode": ...}.
    let r = s.get_json("/api/cdpPolicies/00000000-0000-0000-0000-000000000000");
    assert_eq!(r.status(), 404);
    let error: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(error["StatusCode"], 404, "{error}");
    assert!(error["Message"].is_string(), "{error}");
    // A query result: Refs, PagingInfo.
    let r = s.get_json("/api/query?type=CdpReplicaTaskSession&pageSize=2");
    let page: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(page["Refs"]["Refs"].as_array().unwrap().len(), 2, "{page}");
    assert_eq!(page["PagingInfo"]["PageSize"], 2, "{page}");
    // An entity query: Entities, the list under its own key, its items under their plural
    // (query results name these items CdpPolicySession, a server quirk), the other lists
    // null.
    let r = s.get_json("/api/query?type=CdpReplicaSession&format=Entities&pageSize=3");
    let page: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
    let list = &page["Entities"]["CdpReplicaSessions"];
    assert_eq!(
        list["CdpPolicySessions"].as_array().unwrap().len(),
        3,
        "{page}"
    );
    assert!(page["Entities"]["CdpPolicies"].is_null(), "{page}");
    // A JSON request body (Content-Type JSON), answered in XML when Accept does not ask.
    let vapp = &refs(s.doc("/api/cdpReplica/vApps")).refs[0];
    let mut r = request(
        Method::POST,
        &format!("{}?action=intervals", path(&vapp.href)),
        Some(&s.token),
        br#"{"StartDate": "2026-01-01T00:00:00Z", "EndDate": "2026-01-02T00:00:00Z"}"#,
    );
    r.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    let r = sim.handle(r);
    assert_eq!(r.status(), 200, "{}", text(&r));
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    assert!(matches!(
        Document::from_slice(r.body()).unwrap(),
        Document::CdpReplicaIntervals(_)
    ));
    // An empty body with a JSON content type where the body is optional: accepted.
    let policy = &refs(s.doc("/api/cdpPolicies")).refs[0];
    let mut r = request(
        Method::POST,
        &format!("{}?action=disable", path(&policy.href)),
        Some(&s.token),
        b"",
    );
    r.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    r.headers_mut()
        .insert("accept", "application/json".parse().unwrap());
    let r = sim.handle(r);
    assert_eq!(r.status(), 202, "{}", text(&r));
    let task: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(task["Type"], "Task", "{task}");
}
