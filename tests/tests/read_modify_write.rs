//! Read-modify-write of every PUT body type that is an entity the API serves: against the
//! simulator answering as a newer server (entities carry an attribute and an element no schema
//! declares), GET the entity, change one known field, encode it as the PUT body, and check that
//! the body keeps everything else (known and unknown) and that the entity read back afterwards is
//! exactly the changed value.
//!
//! The objects are found by crawling the simulator from the catalogue's top-level collections,
//! following hrefs, so every family is covered with no list written here.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use veeam_em_api::{route_method, Entry, CATALOGUE};
use veeam_em_model::reflect::{self, ElementKind, ParticleInfo, ValueKind};
use veeam_em_model::Document;
use veeam_em_sim::{SimConfig, Simulator};

struct Sim {
    sim: Simulator,
    token: String,
}

impl Sim {
    fn new() -> Self {
        let sim = Simulator::new(SimConfig {
            newer_server: true,
            task_duration: std::time::Duration::ZERO,
            ..SimConfig::default()
        });
        let response = sim.handle(
            http::Request::post("/api/sessionMngr/?v=latest")
                .header("authorization", "Basic YWRtaW46YWRtaW4=")
                .body(Vec::new())
                .unwrap(),
        );
        let token = response.headers()["x-restsvcsessionid"]
            .to_str()
            .unwrap()
            .to_owned();
        Self { sim, token }
    }

    fn send(&self, method: &str, path: &str, body: Vec<u8>) -> http::Response<Vec<u8>> {
        self.sim.handle(
            http::Request::builder()
                .method(method)
                .uri(format!("/api{path}"))
                .header("x-restsvcsessionid", &self.token)
                .header("content-type", "application/xml")
                .body(body)
                .unwrap(),
        )
    }
}

/// PUT entries whose body is the entity form their path serves, with that GET entry.
fn targets() -> BTreeMap<&'static str, (&'static Entry, &'static Entry)> {
    let mut out = BTreeMap::new();
    for put in CATALOGUE.iter().filter(|e| e.method == "PUT") {
        let Some(body) = put.request else { continue };
        if let Some(get) = CATALOGUE
            .iter()
            .find(|g| g.method == "GET" && g.path == put.path && g.representation() == Some(body))
        {
            out.insert(put.name, (put, get));
        }
    }
    out
}

/// The hrefs of a body, relative to `/api`.
fn hrefs(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    text.split("Href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter_map(|h| h.split_once("/api").map(|(_, p)| p.replace("&amp;", "&")))
        .collect()
}

/// The simple elements of type `ty` and of its complex members down to `depth` levels, in
/// schema order (names and value kinds).
fn simple_elements(ty: &reflect::TypeInfo, depth: usize, out: &mut Vec<(&'static str, ValueKind)>) {
    for particle in ty.content {
        let members: &[reflect::ElementInfo] = match particle {
            ParticleInfo::Element(e) => std::slice::from_ref(e),
            ParticleInfo::Choice { alternatives, .. } => alternatives,
        };
        for e in members {
            match e.kind {
                ElementKind::Value(kind) => out.push((e.name, kind)),
                ElementKind::Complex(t) if depth > 0 => {
                    if let Some(inner) = reflect::complex(t) {
                        simple_elements(inner, depth - 1, out);
                    }
                }
                ElementKind::Complex(_) => {}
            }
        }
    }
}

/// `xml` with the text of one simple element the schema of `root` knows (at the top level, else
/// one or two levels down) changed; `None` when the document has none.
fn change_one_field(root: &str, xml: &str, salt: usize) -> Option<(String, &'static str)> {
    let ty = reflect::complex(reflect::root(root)?.type_name)?;
    let mut candidates = Vec::new();
    simple_elements(ty, 2, &mut candidates);
    for (name, kind) in candidates {
        let new = match kind {
            ValueKind::String => format!("changed by read-modify-write {salt}"),
            ValueKind::Int | ValueKind::Long | ValueKind::UnsignedInt => (4242 + salt).to_string(),
            ValueKind::Uid => format!("urn:veeam:Changed:00000000-0000-4000-8000-{salt:012}"),
            _ => continue,
        };
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let Some(start) = xml.find(&open) else {
            continue;
        };
        let Some(end) = xml[start..].find(&close).map(|i| i + start) else {
            continue;
        };
        return Some((format!("{}{open}{new}{}", &xml[..start], &xml[end..]), name));
    }
    None
}

#[test]
fn every_entity_put_keeps_what_it_does_not_change() {
    let sim = Sim::new();
    let targets = targets();
    assert!(targets.len() >= 10, "{} PUT entity bodies", targets.len());

    // Crawl from the top-level collections until an object of every target is found.
    // Up to a few objects per target: a sampled object may lack every field there is to change.
    let mut found: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut queue: VecDeque<String> = CATALOGUE
        .iter()
        .filter(|e| e.method == "GET" && !e.path.contains('{') && e.fixed_query.is_empty())
        .map(|e| e.path.to_owned())
        .collect();
    let mut seen = BTreeSet::new();
    let mut requests = 0;
    while let Some(path) = queue.pop_front() {
        if found.values().filter(|v| v.len() >= 4).count() == targets.len() || requests > 4000 {
            break;
        }
        let key = path.split('?').next().unwrap_or_default().to_owned();
        if !seen.insert(key.clone()) || key.starts_with("/query") {
            continue;
        }
        requests += 1;
        let response = sim.send("GET", &key, Vec::new());
        if !response.status().is_success() {
            continue;
        }
        for href in hrefs(response.body()) {
            let bare = href.split('?').next().unwrap_or_default().to_owned();
            if let Ok(route) = route_method("GET", &bare) {
                for (name, (put, _)) in &targets {
                    let objects = found.entry(name).or_default();
                    if put.path == route.entry.path && objects.len() < 4 && !objects.contains(&bare)
                    {
                        objects.push(bare.clone());
                    }
                }
            }
            queue.push_back(bare);
        }
    }

    let mut checked = Vec::new();
    let mut without_field = Vec::new();
    found.retain(|_, objects| !objects.is_empty());
    for (salt, (name, objects)) in found.iter().enumerate() {
        let (put, get) = targets[name];
        let query: Vec<String> = get
            .fixed_query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let entity_path = |path: &str| {
            if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{}", query.join("&"))
            }
        };
        // The first object with a field to change.
        let Some((path, get_path, before, edited, field)) = objects.iter().find_map(|path| {
            let get_path = entity_path(path);
            let response = sim.send("GET", &get_path, Vec::new());
            assert!(response.status().is_success(), "{name}: GET {get_path}");
            let before = Document::from_slice(response.body()).unwrap();
            let xml = before.to_xml_string();
            assert!(
                xml.contains("SimFutureRevision") && xml.contains("<SimFutureSetting>"),
                "{name}: the entity carries the newer server's content: {xml}"
            );
            let (edited, field) = change_one_field(before.root_element(), &xml, salt)?;
            Some((path, get_path, before, edited, field))
        }) else {
            without_field.push(*name);
            continue;
        };
        let changed = Document::from_slice(edited.as_bytes()).unwrap();
        assert_ne!(changed, before, "{name}: {field} changed");
        let body = changed.to_xml_string();
        assert!(
            body.contains("SimFutureRevision") && body.contains("<SimFutureSetting>"),
            "{name}: the body keeps the unknown content"
        );
        let answer = sim.send(put.method, path, body.into_bytes());
        assert!(
            answer.status().is_success(),
            "{name}: PUT {path}: {} {}",
            answer.status(),
            String::from_utf8_lossy(answer.body())
        );
        // The task (of no duration) ends with the next request; then the entity is the body.
        let _ = sim.send("GET", "/tasks", Vec::new());
        let after = Document::from_slice(sim.send("GET", &get_path, Vec::new()).body()).unwrap();
        assert_eq!(
            after, changed,
            "{name}: the entity read back is the one written"
        );
        checked.push(*name);
    }
    eprintln!(
        "read-modify-write: {} of {} PUT entity bodies checked ({} objects found by {requests} GETs; without a simple field: {without_field:?}); not reached: {:?}",
        checked.len(),
        targets.len(),
        found.len(),
        targets.keys().filter(|t| !found.contains_key(*t)).collect::<Vec<_>>()
    );
    assert_eq!(
        checked.len(),
        targets.len(),
        "every PUT entity body is checked"
    );
}
