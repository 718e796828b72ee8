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
        let answer = sim.send(put.method.as_str(), path, body.into_bytes());
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

/// The example request body of the reference with root element `root`, if the fixtures have one.
fn fixture_body(root: &str) -> Option<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files.into_iter().find_map(|p| {
        let bytes = std::fs::read(&p).ok()?;
        let doc = Document::from_slice(&bytes).ok()?;
        (doc.root_element() == root).then(|| doc.to_xml_string().into_bytes())
    })
}

/// The items a collection lists (their own hrefs, without query).
fn listed(sim: &Sim, collection: &str) -> BTreeSet<String> {
    let response = sim.send("GET", collection, Vec::new());
    assert!(response.status().is_success(), "GET {collection}");
    let prefix = format!("{}/", collection.split('?').next().unwrap_or_default());
    hrefs(response.body())
        .into_iter()
        .map(|h| h.split('?').next().unwrap_or_default().to_owned())
        .filter(|h| {
            h.starts_with(&prefix) && !h[prefix.len()..].contains('/') && h.len() > prefix.len()
        })
        .collect()
}

/// Every creation with an example body of the reference: posted to a collection the crawl
/// reaches, the collection lists one more object once its task finishes, and deleting that
/// object (when the API can) lists it no more; what a creation sent reads back from the new
/// object.
#[test]
fn every_create_and_delete_changes_what_collections_list() {
    use veeam_em_api::Effect;
    let sim = Sim::new();
    let creates: Vec<&'static Entry> = CATALOGUE
        .iter()
        .filter(|e| matches!(e.effect, Effect::Create { .. }) && e.request.is_some())
        .collect();
    assert!(creates.len() >= 15, "{} creations", creates.len());
    // Addresses of the crawl, by the template they route to.
    let mut reached: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut queue: VecDeque<String> = CATALOGUE
        .iter()
        .filter(|e| e.method == "GET" && !e.path.contains('{') && e.fixed_query.is_empty())
        .map(|e| e.path.to_owned())
        .collect();
    let mut seen = BTreeSet::new();
    // A UID of each kind the crawl meets, for the examples' bodies to name objects that exist.
    let mut uids: BTreeMap<String, String> = BTreeMap::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 3000 || path.starts_with("/query") {
            continue;
        }
        let Ok(route) = route_method("GET", &path) else {
            continue;
        };
        reached
            .entry(route.entry.path)
            .or_insert_with(|| path.clone());
        let response = sim.send("GET", &path, Vec::new());
        if response.status().is_success() {
            let text = String::from_utf8_lossy(response.body()).into_owned();
            for part in text.split("UID=\"urn:veeam:").skip(1) {
                let uid = part.split('"').next().unwrap_or_default();
                if let Some((kind, _)) = uid.split_once(':') {
                    uids.entry(kind.to_owned())
                        .or_insert_with(|| format!("urn:veeam:{uid}"));
                }
            }
            for href in hrefs(response.body()) {
                queue.push_back(href.split('?').next().unwrap_or_default().to_owned());
            }
        }
    }
    let mut created = Vec::new();
    let mut deleted = Vec::new();
    let mut without_example = Vec::new();
    for create in &creates {
        let Some(body) = fixture_body(create.request.unwrap()) else {
            without_example.push(create.name);
            continue;
        };
        // The example's UIDs name the reference's objects: name ours of the same kind.
        let mut text = String::from_utf8(body).unwrap();
        for (kind, uid) in &uids {
            let marker = format!("urn:veeam:{kind}:");
            while let Some(at) = text.find(&marker) {
                let end = (at + marker.len() + 36).min(text.len());
                text.replace_range(at..end, &uid.replacen("urn:veeam:", "URN-KEEP:", 1));
            }
        }
        let body = text.replace("URN-KEEP:", "urn:veeam:").into_bytes();
        // The collection's address: the template's parent item reached by the crawl.
        let collection = match create.path.rfind("/{") {
            None => create.path.to_owned(),
            Some(cut) => {
                let parent = &create.path[..create.path[cut..].find('}').unwrap() + cut + 1];
                let Some(address) = reached.get(parent) else {
                    panic!("{}: no {parent} reached", create.name);
                };
                format!("{address}{}", &create.path[parent.len()..])
            }
        };
        let list_path = collection.clone();
        let before = listed(&sim, &list_path);
        let query: Vec<String> = create
            .fixed_query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let target = if query.is_empty() {
            collection.clone()
        } else {
            format!("{collection}?{}", query.join("&"))
        };
        let answer = sim.send("POST", &target, body.clone());
        assert!(
            answer.status().is_success(),
            "{}: POST {target}: {} {}",
            create.name,
            answer.status(),
            String::from_utf8_lossy(answer.body())
        );
        let _ = sim.send("GET", "/tasks", Vec::new());
        let after = listed(&sim, &list_path);
        let new: Vec<&String> = after.difference(&before).collect();
        assert_eq!(
            new.len(),
            1,
            "{}: {list_path} lists {} new objects",
            create.name,
            new.len()
        );
        assert!(
            before.is_subset(&after),
            "{}: nothing else goes",
            create.name
        );
        created.push(create.name);
        let new = new[0].clone();
        // What the body sent that the entity has (same member, simple value) reads back.
        let entity_path = if route_method("GET", &format!("{new}?format=Entity"))
            .is_ok_and(|r| r.entry.fixed_query.iter().any(|(k, _)| *k == "format"))
        {
            format!("{new}?format=Entity")
        } else {
            new.clone()
        };
        let entity =
            Document::from_slice(sim.send("GET", &entity_path, Vec::new()).body()).unwrap();
        let sent = serde_json::to_value(Document::from_slice(&body).unwrap()).unwrap();
        let got = serde_json::to_value(&entity).unwrap();
        for (member, value) in sent.as_object().into_iter().flatten() {
            if value.is_object() || value.is_array() || value.is_null() {
                continue;
            }
            if let Some(read) = got.get(member).filter(|v| !v.is_null()) {
                assert_eq!(
                    read, value,
                    "{}: {member} sent {value}, read {read}",
                    create.name
                );
            }
        }
        // Delete it, when the API can.
        let item_template = format!("{}/{{", create.path);
        if let Some(delete) = CATALOGUE.iter().find(|e| {
            e.method == "DELETE"
                && e.path.starts_with(&item_template)
                && !e.path[item_template.len()..].contains('/')
        }) {
            let answer = sim.send("DELETE", &new, Vec::new());
            assert!(
                answer.status().is_success(),
                "{}: DELETE {new}: {}",
                delete.name,
                answer.status()
            );
            let _ = sim.send("GET", "/tasks", Vec::new());
            assert_eq!(
                listed(&sim, &list_path),
                before,
                "{}: gone again",
                delete.name
            );
            assert_eq!(
                sim.send("GET", &new, Vec::new()).status(),
                404,
                "{}",
                delete.name
            );
            deleted.push(delete.name);
        }
    }
    eprintln!(
        "create/delete: {} creations checked, {} deletions; without an example body: {without_example:?}",
        created.len(),
        deleted.len()
    );
    assert!(created.len() >= 10, "{created:?}");
}
