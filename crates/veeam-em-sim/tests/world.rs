//! One coherent world, checked the way a client sees it: a crawl that follows only hrefs from
//! responses, from the entry point and every collection of the catalogue, over every family.
//!
//! - **Links.** Every object a document holds (an entity, a list item, a reference) carries
//!   exactly the links the catalogue declares for its kind (`veeam_em_api::resource`), in the
//!   declared order, conditional ones where the object's member says so; every link is served.
//! - **References resolve**, and a child listed below a parent names that parent in its `Up`
//!   link of the parent's kind.
//! - **Collections agree**: references, `?format=Entity` and the query service list the same
//!   objects.
//! - **Values**: no placeholder words, and every body decodes as its representation.
//! - **Reports** are what the formulas say over what the API lists.
//!
//! It prints how many invariants it checked.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use http::{Request, Response};
use serde_json::Value;
use veeam_em_api::resource::{self, node};
use veeam_em_api::route_method;
use veeam_em_model::Document;
use veeam_em_sim::{SimConfig, Simulator};

const ADMIN: &str = "Basic YWRtaW46YWRtaW4="; // admin:admin
const HOST: &str = "http://em.test:9398";

struct Client {
    sim: Simulator,
    token: String,
}

impl Client {
    fn new(config: SimConfig) -> Self {
        let sim = Simulator::new(config);
        let r = sim.handle(
            Request::post("/api/sessionMngr/?v=latest")
                .header("Authorization", ADMIN)
                .header("Host", "em.test:9398")
                .body(Vec::new())
                .unwrap(),
        );
        let token = r.headers()["x-restsvcsessionid"]
            .to_str()
            .unwrap()
            .to_owned();
        Self { sim, token }
    }

    fn get(&self, path: &str) -> Response<Vec<u8>> {
        self.sim.handle(
            Request::get(path.replace('"', "%22"))
                .header("Host", "em.test:9398")
                .header("X-RestSvcSessionId", &self.token)
                .body(Vec::new())
                .unwrap(),
        )
    }

    fn json(&self, path: &str) -> Value {
        let r = self.get(path);
        assert_eq!(
            r.status(),
            200,
            "{path}: {}",
            String::from_utf8_lossy(r.body())
        );
        let doc = Document::from_slice(r.body()).unwrap();
        serde_json::to_value(&doc).unwrap()
    }
}

fn path(href: &str) -> String {
    href.strip_prefix(HOST)
        .unwrap_or_else(|| panic!("an href to elsewhere: {href}"))
        .to_owned()
}

/// An object a document holds: its own href, its links `(rel, href)`, and its members.
struct Held {
    href: String,
    /// Whether it has a `Links` element (nested elements may repeat their owner's href).
    has_links: bool,
    links: Vec<(String, String, Option<String>)>,
    members: serde_json::Map<String, Value>,
}

/// Every object with an `Href` and `Links` in a document.
fn held(v: &Value, out: &mut Vec<Held>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(href)) = m.get("Href") {
                let links = m
                    .get("Links")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                out.push(Held {
                    href: href.clone(),
                    has_links: m.get("Links").is_some_and(|l| !l.is_null()),
                    links: links
                        .iter()
                        .map(|l| {
                            (
                                l["Rel"].as_str().unwrap_or_default().to_owned(),
                                l["Href"].as_str().unwrap_or_default().to_owned(),
                                l["Name"].as_str().map(str::to_owned),
                            )
                        })
                        .collect(),
                    members: m.clone(),
                });
            }
            for (k, v) in m {
                if k != "Links" {
                    held(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| held(v, out)),
        _ => {}
    }
}

fn method_of(rel: &str) -> &'static str {
    match rel {
        "Up" | "Down" | "Alternate" | "Related" | "First" | "Previous" | "Next" | "Last" => "GET",
        "Edit" => "PUT",
        "Delete" => "DELETE",
        _ => "POST",
    }
}

/// Placeholder values of the sampled world before it had value pools: a NATO-alphabet word
/// in lower case, alone or followed by digits (`lima566`, `Job 1 tango`), or `Simulated ...`.
/// (Capitalised words are legitimate values: the month November.)
fn placeholder(text: &str) -> Option<String> {
    const WORDS: [&str; 26] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
        "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu",
    ];
    if text.contains("Simulated") {
        return Some("Simulated".into());
    }
    for w in WORDS {
        let mut at = 0;
        while let Some(i) = text[at..].find(w) {
            let start = at + i;
            let end = start + w.len();
            let before = text[..start].chars().last();
            let after = text[end..].chars().next();
            if !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphabetic())
            {
                let digits = text[end..].chars().take_while(char::is_ascii_digit).count();
                return Some(text[start..end + digits].to_owned());
            }
            at = end;
        }
    }
    None
}

/// The declared links of the kind at path node `node`, as `(rel, operation)`, for an object
/// whose members are `members` (conditions) in `form` (`entity` or not).
fn expected(node: &str, members: &serde_json::Map<String, Value>) -> Option<Vec<(String, String)>> {
    let r = resource::resource(node)?;
    Some(
        r.links
            .iter()
            .filter(|l| l.served())
            .filter(|l| match l.when {
                None => true,
                Some((member, values)) => members
                    .get(member)
                    .and_then(Value::as_str)
                    .is_some_and(|v| values.contains(&v)),
            })
            .map(|l| (l.rel.to_owned(), l.operation.to_owned()))
            .collect(),
    )
}

#[test]
fn the_world_is_one_coherent_server() {
    let c = Client::new(SimConfig {
        now: Some(time::macros::datetime!(2026-01-15 09:30 UTC)),
        ..SimConfig::default()
    });
    let checks = std::cell::Cell::new(0usize);
    let check = |ok: bool, what: String| {
        assert!(ok, "{what}");
        checks.set(checks.get() + 1);
    };

    // The roots: the entry point, the logon session's links, every collection without ids.
    let mut queue: VecDeque<(String, Option<String>)> = VecDeque::new();
    queue.push_back(("/api/".into(), None));
    for e in veeam_em_api::CATALOGUE.iter() {
        // A lookup needs its parameters: the lookup service's links lead there.
        let lookup = e.path == "/lookup";
        if e.method == "GET" && !e.path.contains('{') && e.query_service.is_none() && !lookup {
            queue.push_back((format!("/api{}", e.template()), None));
        }
    }
    let kind_names: BTreeSet<&str> = resource::resources()
        .iter()
        .filter_map(|r| r.kind)
        .collect();
    let mut seen = BTreeSet::new();
    let mut per_operation: BTreeMap<&str, usize> = BTreeMap::new();
    let mut kinds_seen = BTreeSet::new();
    let mut links_total = 0usize;
    let mut collections = Vec::new();
    while let Some((uri, parent)) = queue.pop_front() {
        if !seen.insert(uri.clone()) {
            continue;
        }
        let route = route_method("GET", &uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        let visits = per_operation.entry(route.entry.name).or_default();
        *visits += 1;
        if *visits > 4 && parent.is_none() {
            continue;
        }
        let r = c.get(&uri);
        check(r.status() == 200, format!("{uri} resolves: {}", r.status()));
        let body = String::from_utf8_lossy(r.body()).into_owned();
        if let Some(word) = placeholder(&body) {
            panic!("{uri}: a placeholder value {word:?}:\n{body}");
        }
        checks.set(checks.get() + 1);
        // Every UID names a kind of the catalogue and a UUID.
        for (at, _) in body.match_indices("urn:veeam:") {
            let rest = &body[at + 10..];
            let kind: String = rest
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            let id: String = rest[kind.len() + 1..].chars().take(36).collect();
            check(
                kind_names.contains(kind.as_str()) && uuid::Uuid::parse_str(&id).is_ok(),
                format!("{uri}: urn:veeam:{kind}:{id} names no kind of the catalogue"),
            );
        }
        let doc = Document::from_slice(r.body()).unwrap();
        let json = serde_json::to_value(&doc).unwrap();
        if doc.root_element() == "EntityReferences" {
            collections.push(uri.clone());
        }
        let mut objects = Vec::new();
        held(&json, &mut objects);
        for o in &objects {
            let own = path(&o.href);
            let Ok(own_route) = route_method("GET", &own) else {
                continue;
            };
            let own_node = node(own_route.entry.path);
            if let Some(kind) = resource::resource(&own_node).and_then(|r| r.kind) {
                kinds_seen.insert(kind);
                // Its own id member (`ObjectInJobId`, or an `Id` attribute) is the id its
                // address ends with.
                let own_id = o.members.get(&format!("{kind}Id")).or(o.members.get("Id"));
                if let Some(Value::String(id)) = own_id {
                    check(
                        own.split('?').next().unwrap().ends_with(&format!("/{id}")),
                        format!("{own}: {kind}Id is {id}"),
                    );
                }
            }
            // Exactly the declared links, in order.
            if let (true, Some(mut want)) = (o.has_links, expected(&own_node, &o.members)) {
                // Conditions on members a reference does not show: read them from the entity.
                let conditional = resource::resource(&own_node)
                    .is_some_and(|r| r.links.iter().any(|l| l.when.is_some()));
                if conditional && !o.members.contains_key("JobType") {
                    let entity =
                        c.json(&format!("{}?format=Entity", own.split('?').next().unwrap()));
                    let members = entity
                        .as_object()
                        .unwrap()
                        .values()
                        .next()
                        .and_then(Value::as_object)
                        .cloned();
                    if let Some(m) = members.or_else(|| entity.as_object().cloned()) {
                        want = expected(&own_node, &m).unwrap();
                    }
                }
                let got: Vec<(String, String)> = o
                    .links
                    .iter()
                    .map(|(rel, href, _)| {
                        let r = route_method(method_of(rel), &path(href)).unwrap_or_else(|e| {
                            panic!("{own}: link {rel} {href} is not served: {e}")
                        });
                        (rel.clone(), r.entry.name.to_owned())
                    })
                    .collect();
                // The Alternate of a reference names the entity form.
                let same = |(wr, wo): &(String, String), (gr, go): &(String, String)| {
                    wr == gr && (wo == go || (wr == "Alternate" && go.starts_with(wo.as_str())))
                };
                check(
                    want.len() == got.len() && want.iter().zip(&got).all(|(w, g)| same(w, g)),
                    format!("{own}: links {got:?}, declared {want:?}"),
                );
                links_total += got.len();
            }
            // A child below a parent names it in its Up link of the parent's kind.
            if let Some(parent) = &parent {
                let parent_path = path(parent);
                let parent_node = route_method("GET", &parent_path).map(|r| node(r.entry.path));
                if let Ok(parent_node) = parent_node {
                    for (rel, href, _) in &o.links {
                        if rel != "Up" {
                            continue;
                        }
                        let up = path(href);
                        if route_method("GET", &up)
                            .map(|r| node(r.entry.path))
                            .as_deref()
                            == Ok(parent_node.as_str())
                        {
                            check(
                                up.split('?').next() == parent_path.split('?').next(),
                                format!("{own} is listed below {parent_path} but its Up link names {up}"),
                            );
                        }
                    }
                }
            }
            // Follow navigation links; a Down link's items know their parent.
            for (rel, href, _) in &o.links {
                if method_of(rel) != "GET" {
                    continue;
                }
                let p = path(href);
                if rel == "Down" {
                    queue.push_back((p, Some(o.href.clone())));
                } else {
                    queue.push_back((p, None));
                }
            }
            queue.push_back((own.clone(), None));
        }
    }

    // Collections agree with their entity lists and the query service.
    for uri in &collections {
        let refs = c.json(uri);
        let uids: Vec<String> = refs["Refs"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["UID"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let entity_uri = if uri.contains('?') {
            continue;
        } else {
            format!("{uri}?format=Entity")
        };
        if route_method("GET", &entity_uri)
            .is_ok_and(|r| r.entry.representation() != Some("EntityReferences"))
        {
            let list = c.json(&entity_uri);
            let mut entity_uids = Vec::new();
            fn uids_of(v: &Value, out: &mut Vec<String>) {
                match v {
                    Value::Object(m) => {
                        if let Some(Value::String(u)) = m.get("UID") {
                            if u.starts_with("urn:veeam:") {
                                out.push(u.clone());
                                return;
                            }
                        }
                        m.values().for_each(|v| uids_of(v, out));
                    }
                    Value::Array(a) => a.iter().for_each(|v| uids_of(v, out)),
                    _ => {}
                }
            }
            uids_of(&list, &mut entity_uids);
            check(
                entity_uids == uids,
                format!("{uri}: references {uids:?}, entities {entity_uids:?}"),
            );
        }
    }
    // Top-level collections of a kind with a query type: the query service lists the same.
    for e in veeam_em_api::CATALOGUE.iter() {
        let Some(q) = e.query_service else { continue };
        let Some(info) = veeam_em_api::queries::info(q) else {
            continue;
        };
        let kinds: Vec<&resource::Resource> = resource::resources()
            .iter()
            .filter(|r| r.kind.is_some() && r.entity == Some(info.entity))
            .collect();
        let [one] = kinds.as_slice() else { continue };
        // Tasks and logon sessions are the core's own, not objects of the world.
        if matches!(one.kind, Some("Task" | "LogonSession")) {
            continue;
        }
        let top = one.path.trim_end_matches("/{}");
        if top.contains("{}") {
            continue;
        }
        let listed = c.json(&format!("/api{top}"));
        let mut listed: Vec<String> = listed["Refs"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["UID"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let found = c.json(&format!("/api/query?type={q}&format=Refs"));
        let refs = if found["Refs"].is_array() {
            &found["Refs"]
        } else {
            &found["Refs"]["Refs"]
        };
        let mut found: Vec<String> = refs
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["UID"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        listed.sort();
        found.sort();
        check(
            listed == found,
            format!("{top} and query type {q} list different objects"),
        );
    }

    // The report frames are their formulas over what the API lists.
    let count = |path: &str| c.json(path)["Refs"].as_array().map_or(0, Vec::len) as i64;
    let overview = c.json("/api/reports/summary/overview");
    check(
        overview["BackupServers"] == count("/api/backupServers"),
        format!("overview BackupServers {}", overview["BackupServers"]),
    );
    check(
        overview["RepositoryServers"] == count("/api/repositories"),
        format!(
            "overview RepositoryServers {}",
            overview["RepositoryServers"]
        ),
    );
    let jobs = c.json("/api/jobs?format=Entity");
    let jobs = jobs["Jobs"].as_array().cloned().unwrap_or_default();
    let scheduled = jobs.iter().filter(|j| j["ScheduleEnabled"] == true).count() as i64;
    check(
        overview["ScheduledJobs"] == scheduled,
        format!(
            "overview ScheduledJobs {} of {scheduled}",
            overview["ScheduledJobs"]
        ),
    );
    let mut running = 0i64;
    let mut finished = 0i64;
    for j in &jobs {
        let id = j["UID"].as_str().unwrap().rsplit(':').next().unwrap();
        let mut sessions = Vec::new();
        for (collection, list) in [
            ("backupSessions", "BackupJobSessions"),
            ("replicaSessions", "ReplicaJobSessions"),
        ] {
            let refs = c.json(&format!("/api/jobs/{id}/{collection}"));
            for r in refs["Refs"].as_array().cloned().unwrap_or_default() {
                let session = c.json(&format!(
                    "{}?format=Entity",
                    path(r["Href"].as_str().unwrap())
                ));
                let _ = list;
                sessions.push(session);
            }
        }
        sessions.sort_by_key(|s| s["CreationTimeUTC"].as_str().unwrap_or_default().to_owned());
        finished += sessions
            .iter()
            .filter(|s| !s["EndTimeUTC"].is_null())
            .count() as i64;
        if sessions.last().is_some_and(|s| s["State"] == "Working") {
            running += 1;
        }
    }
    check(
        overview["RunningJobs"] == running,
        format!(
            "overview RunningJobs {} of {running}",
            overview["RunningJobs"]
        ),
    );
    let stats = c.json("/api/reports/summary/job_statistics");
    check(
        stats["RunningJobs"] == running,
        format!("job statistics RunningJobs {}", stats["RunningJobs"]),
    );
    check(
        stats["TotalJobRuns"] == finished,
        format!(
            "job statistics TotalJobRuns {} of {finished}",
            stats["TotalJobRuns"]
        ),
    );
    let repositories = c.json("/api/repositories?format=Entity");
    let frame = c.json("/api/reports/summary/repository");
    let periods = frame["Periods"]
        .as_array()
        .or(frame["Period"].as_array())
        .cloned()
        .unwrap_or_default();
    let repos = repositories["Repositories"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    check(
        periods.len() == repos.len(),
        format!("{} periods for {} repositories", periods.len(), repos.len()),
    );
    for (p, r) in periods.iter().zip(&repos) {
        check(
            p["Name"] == r["Name"]
                && p["Capacity"] == r["Capacity"]
                && p["FreeSpace"] == r["FreeSpace"],
            format!("repository frame {p} for {r}"),
        );
        check(
            r["FreeSpace"].as_i64() <= r["Capacity"].as_i64(),
            format!("a repository with more free space than capacity: {r}"),
        );
    }

    eprintln!(
        "world: {} documents, {} kinds, {} links checked; {} invariants",
        seen.len(),
        kinds_seen.len(),
        links_total,
        checks.get()
    );
    // Every kind is reached, but those no documented link leads to: a cloud failover plan's VMs
    // (`/cloud/cloudFailoverPlans/{ID}/includes`, which clients build from the reference).
    let all_kinds: BTreeSet<&str> = resource::resources()
        .iter()
        .filter_map(|r| r.kind)
        .filter(|k| !matches!(*k, "LogonSession" | "Task" | "CloudFailoveredVm"))
        .collect();
    let missing: Vec<_> = all_kinds.difference(&kinds_seen).collect();
    assert!(
        missing.is_empty(),
        "kinds the crawl never reached: {missing:?}"
    );
}

/// What an action starts moves with the simulator's clock, even in a world that is not live:
/// a started job's session appears, works, ends with its result, and that result is the job's
/// last one; a stopped one ends as failed; a deleted include is gone once its task finishes and
/// a created one appears; a toggled schedule reads toggled.
#[test]
fn actions_change_the_world_as_their_tasks_finish() {
    use std::sync::Arc;
    use std::time::Duration;
    let clock = veeam_em_sim::ManualClock::new(time::macros::datetime!(2026-12-01 12:00 UTC));
    let sim = Simulator::with_clock(
        SimConfig {
            now: Some(time::macros::datetime!(2026-01-15 09:30 UTC)),
            task_duration: Duration::from_secs(2),
            session_duration: Duration::from_secs(600),
            ..SimConfig::default()
        },
        Arc::new(clock.clone()),
    );
    let r = sim.handle(
        Request::post("/api/sessionMngr/?v=latest")
            .header("Authorization", ADMIN)
            .header("Host", "em.test:9398")
            .body(Vec::new())
            .unwrap(),
    );
    let c = Client {
        token: r.headers()["x-restsvcsessionid"]
            .to_str()
            .unwrap()
            .to_owned(),
        sim,
    };
    let send = |method: http::Method, path: &str, body: &[u8]| {
        c.sim.handle(
            Request::builder()
                .method(method)
                .uri(path)
                .header("Host", "em.test:9398")
                .header("X-RestSvcSessionId", &c.token)
                .body(body.to_vec())
                .unwrap(),
        )
    };
    // A backup job (its Start link is there).
    let jobs = c.json("/api/jobs?format=Entity");
    let job = jobs["Jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["JobType"] == "Backup")
        .unwrap()
        .clone();
    let id = job["UID"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned();
    let sessions = |c: &Client| -> Vec<Value> {
        let refs = c.json(&format!("/api/jobs/{id}/backupSessions"));
        let mut out: Vec<Value> = refs["Refs"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| {
                c.json(&format!(
                    "{}?format=Entity",
                    path(r["Href"].as_str().unwrap())
                ))
            })
            .collect();
        out.sort_by_key(|s| s["CreationTimeUTC"].as_str().unwrap_or_default().to_owned());
        out
    };
    let before = sessions(&c);
    let r = send(
        http::Method::POST,
        &format!("/api/jobs/{id}?action=start"),
        b"",
    );
    assert_eq!(r.status(), 202);
    // Not yet: the task runs.
    assert_eq!(sessions(&c), before);
    clock.advance(Duration::from_secs(3));
    let after = sessions(&c);
    let newest = after.last().unwrap();
    assert_eq!(newest["State"], "Working", "{newest}");
    assert_eq!(newest["Result"], "None");
    assert!(newest["EndTimeUTC"].is_null());
    assert!(!before.contains(newest));
    // The overview counts it as running.
    let overview = c.json("/api/reports/summary/overview");
    let running_before = overview["RunningJobs"].as_i64().unwrap();
    assert!(running_before >= 1);
    // It ends within the session duration (up to one and a half of it), with a result.
    // (In two steps: a logon session idle for 15 minutes expires.)
    clock.advance(Duration::from_secs(8 * 60));
    c.json("/api/jobs");
    clock.advance(Duration::from_secs(8 * 60));
    let ended = sessions(&c).last().unwrap().clone();
    assert_eq!(ended["UID"], newest["UID"]);
    assert_eq!(ended["State"], "Stopped", "{ended}");
    assert!(matches!(
        ended["Result"].as_str(),
        Some("Success" | "Warning" | "Failed")
    ));
    assert!(!ended["EndTimeUTC"].is_null());
    // The job's last result is that result, as the query service sorts it.
    let last = c.json(&format!(
        "/api/query?type=BackupJobSession&format=Entities&filter=JobUid==\"urn:veeam:Job:{id}\"&sortDesc=CreationTime&pageSize=1"
    ));
    let last = &last["Entities"]["BackupJobSessions"]["BackupJobSessions"][0];
    assert_eq!(last["UID"], ended["UID"], "{last}");
    assert_eq!(last["Result"], ended["Result"]);

    // Started, then stopped: it ends as failed.
    send(
        http::Method::POST,
        &format!("/api/jobs/{id}?action=start"),
        b"",
    );
    clock.advance(Duration::from_secs(3));
    send(
        http::Method::POST,
        &format!("/api/jobs/{id}?action=stop"),
        b"",
    );
    clock.advance(Duration::from_secs(3));
    let stopped = sessions(&c).last().unwrap().clone();
    assert_eq!(stopped["State"], "Stopped", "{stopped}");
    assert_eq!(stopped["Result"], "Failed");

    // Toggling the schedule.
    let enabled = job["ScheduleEnabled"].as_bool().unwrap();
    send(
        http::Method::POST,
        &format!("/api/jobs/{id}?action=toggleScheduleEnabled"),
        b"",
    );
    clock.advance(Duration::from_secs(3));
    let job_now = c.json(&format!("/api/jobs/{id}?format=Entity"));
    assert_eq!(job_now["ScheduleEnabled"].as_bool(), Some(!enabled));

    // Includes: one deleted, one created.
    let includes = c.json(&format!("/api/jobs/{id}/includes"));
    let list = includes["ObjectInJobs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let first = path(list[0]["Href"].as_str().unwrap());
    let r = send(http::Method::DELETE, &first, b"");
    assert_eq!(r.status(), 202);
    assert_eq!(c.get(&first).status(), 200, "there until its task finishes");
    clock.advance(Duration::from_secs(3));
    assert_eq!(c.get(&first).status(), 404);
    let body = br#"<CreateObjectInJobSpec xmlns="http://www.veeam.com/ent/v1.0"><HierarchyObjRef>urn:VMware:Vm:7c3e11aa.vm-4242</HierarchyObjRef><HierarchyObjName>new-vm-01</HierarchyObjName></CreateObjectInJobSpec>"#;
    let r = send(
        http::Method::POST,
        &format!("/api/jobs/{id}/includes"),
        body,
    );
    assert_eq!(r.status(), 202, "{}", String::from_utf8_lossy(r.body()));
    clock.advance(Duration::from_secs(3));
    let includes = c.json(&format!("/api/jobs/{id}/includes"));
    let names: Vec<&str> = includes["ObjectInJobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), list.len(), "{names:?}");
    assert!(names.contains(&"new-vm-01"), "{names:?}");
    // The job's entity holds the same includes, and a new session processes the new VM.
    let job_now = c.json(&format!("/api/jobs/{id}?format=Entity"));
    let text = job_now.to_string();
    assert!(
        text.contains("new-vm-01") && !text.contains(&first),
        "{text}"
    );
    send(
        http::Method::POST,
        &format!("/api/jobs/{id}?action=start"),
        b"",
    );
    clock.advance(Duration::from_secs(3));
    let session = sessions(&c).last().unwrap().clone();
    let tasks = c.json(&format!(
        "{}/taskSessions?format=Entity",
        path(session["Href"].as_str().unwrap()).trim_end_matches("?format=Entity")
    ));
    assert!(tasks.to_string().contains("new-vm-01"), "{tasks}");
}

/// The lookup service and the jobs agree: every lookup link of `/lookupSvc` answers objects that
/// a `hierarchyRef` lookup finds again, and every VM a job includes is found by the lookup of
/// VMs under its hierarchy root.
#[test]
fn the_lookup_service_finds_what_jobs_include() {
    let c = Client::new(SimConfig {
        now: Some(time::macros::datetime!(2026-01-15 09:30 UTC)),
        ..SimConfig::default()
    });
    let service = c.json("/api/lookupSvc");
    assert_eq!(service["Type"], "LookupService");
    let links = service["Links"]
        .as_array()
        .expect("the lookup service links lookups");
    let roots = c.json("/api/hierarchyRoots");
    let roots = roots["Refs"].as_array().unwrap();
    assert_eq!(
        links.len(),
        2 * roots.len(),
        "a VM and a host lookup per root"
    );
    let mut vms = BTreeSet::new();
    for link in links {
        let found = c.json(&path(link["Href"].as_str().unwrap()));
        let items = found["HierarchyItems"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for item in &items {
            let r = item["ObjectRef"].as_str().unwrap();
            if item["ObjectType"] == "Vm" {
                vms.insert(r.to_owned());
            }
            let again = c.json(&format!("/api/lookup?hierarchyRef={r}"));
            assert_eq!(
                again["HierarchyItems"].as_array().unwrap(),
                &vec![item.clone()],
                "{r}"
            );
        }
    }
    assert!(!vms.is_empty());
    let jobs = c.json("/api/jobs");
    for job in jobs["Refs"].as_array().unwrap() {
        let includes = c.json(&format!("{}/includes", path(job["Href"].as_str().unwrap())));
        for include in includes["ObjectInJobs"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let r = include["HierarchyObjRef"].as_str().unwrap();
            if r.contains(":Vm:") {
                assert!(
                    vms.contains(r),
                    "{r}, included in a job, is no VM of any lookup"
                );
            }
        }
    }
    let unknown = c.get("/api/lookup?host=urn:veeam:HierarchyRoot:00000000-0000-0000-0000-000000000000&name=*&type=Vm");
    assert_eq!(unknown.status(), 404);
}
