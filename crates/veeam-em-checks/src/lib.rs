//! The properties every input surface must keep, one function per fuzz target: each takes any
//! bytes, must not panic (other than on a broken property, which is the finding) and returns
//! normally otherwise.
//!
//! Why a crate of its own: `cargo fuzz` (in `fuzz/`, its own workspace, with libFuzzer) calls
//! these on generated inputs, and `cargo test` (the `fuzz_regressions` test of the `tests`
//! crate) replays every input saved under `fuzz/regressions/<target>/` through the same
//! functions, with no libFuzzer in the normal build.

use std::sync::LazyLock;

use veeam_em_api::query::Query;
use veeam_em_api::{api, BaseUrl, Operation, SessionToken};
use veeam_em_model::stream::{Collection, Next};
use veeam_em_model::{DateTime, Document, EntityReferences, Uid};

/// A property over any bytes.
pub type Check = fn(&[u8]);

/// The targets, by name (the names of `fuzz/fuzz_targets/*.rs` and of the regression
/// directories).
pub const TARGETS: &[(&str, Check)] = &[
    ("decode_document", decode_document),
    ("stream_items", stream_items),
    ("route_href", route_href),
    ("uid_datetime", uid_datetime),
    ("query_filter", query_filter),
    ("response_decode", response_decode),
    ("sim_request", sim_request),
    ("decode_json", decode_json),
];

/// Any bytes as a document: decoding never panics; a decoded document re-encodes to a document
/// that decodes to the same value, and encoding is stable.
pub fn decode_document(data: &[u8]) {
    if let Ok(doc) = Document::from_slice(data) {
        let xml = doc.to_xml_string();
        let again = Document::from_slice(xml.as_bytes()).expect("a re-encoded document decodes");
        assert_eq!(again, doc, "decode(encode(x)) == x");
        assert_eq!(again.to_xml_string(), xml, "encoding is stable");
    }
}

/// Any bytes as the JSON form of a document (the first byte picks its root element among
/// `Document::ROOT_ELEMENTS`): decoding never panics; a decoded document re-encodes to JSON
/// that decodes to the same JSON (stable), and writes XML that decodes.
pub fn decode_json(data: &[u8]) {
    let Some((&pick, data)) = data.split_first() else {
        return;
    };
    let roots = Document::ROOT_ELEMENTS;
    let root = roots[usize::from(pick) % roots.len()];
    if let Ok(doc) = Document::from_json(root, data) {
        let json = doc.to_json_string();
        let again = Document::from_json(root, json.as_bytes()).expect("re-encoded JSON decodes");
        assert_eq!(again.to_json_string(), json, "JSON encoding is stable");
        let xml = doc.to_xml_string();
        Document::from_slice(xml.as_bytes()).expect("the XML of a JSON document decodes");
    }
}

/// Any bytes fed in any chunking (the first byte): the streaming decoder never panics, and on a
/// valid document gives the items of the whole-document decode.
pub fn stream_items(data: &[u8]) {
    let Some((&chunk, data)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk.max(1));
    let mut decoder = EntityReferences::decoder();
    let mut items = Vec::new();
    let mut fed = 0;
    let streamed = loop {
        match decoder.next_item() {
            Ok(Next::Item(item)) => items.push(item),
            Ok(Next::End) => break Ok(items),
            Ok(Next::NeedData) if fed < data.len() => {
                let end = (fed + chunk).min(data.len());
                decoder.feed(&data[fed..end]);
                fed = end;
            }
            Ok(Next::NeedData) => decoder.finish(),
            Err(e) => break Err(e),
        }
    };
    if let Ok(whole) = veeam_em_model::from_slice::<EntityReferences>(data) {
        assert_eq!(
            streamed.expect("the stream fails where the whole decode succeeds"),
            whole.refs
        );
    }
}

/// Any text as an href, with any method: routing never panics; a routed operation's request
/// builds and routes back to the same operation.
pub fn route_href(data: &[u8]) {
    let Some((&m, rest)) = data.split_first() else {
        return;
    };
    let Ok(href) = std::str::from_utf8(rest) else {
        return;
    };
    let method = ["GET", "POST", "PUT", "DELETE"][usize::from(m % 4)];
    let Ok(route) = veeam_em_api::route_method(method, href) else {
        return;
    };
    let base = BaseUrl::parse("https://em:9398/api").expect("a valid base");
    let token = SessionToken::new("t");
    if let Ok(request) = route.request(&base, Some(&token), None, None) {
        let again = veeam_em_api::route_method(method, &request.uri().to_string())
            .expect("a built URL routes");
        assert_eq!(again.entry.name, route.entry.name);
    }
}

/// Any text as a UID and as a date-time: parsing never panics, and what parses prints to text
/// that parses to the same value.
pub fn uid_datetime(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(uid) = Uid::parse(&text) {
        let again = Uid::parse(uid.as_str()).expect("a printed UID parses");
        assert_eq!(again, uid);
    }
    if let Ok(t) = DateTime::parse(&text) {
        let printed = t.to_string();
        let again = DateTime::parse(&printed).expect("a printed date-time parses");
        assert_eq!(again, t);
        assert_eq!(again.to_string(), printed);
    }
}

/// Any text as a query filter: parsing never panics; print -> parse -> print is stable.
pub fn query_filter(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(expr) = veeam_em_api::filter::parse(&text) {
        let printed = expr.to_string();
        let again = veeam_em_api::filter::parse(&printed).expect("a printed filter parses");
        assert_eq!(again.to_string(), printed, "print -> parse -> print");
    }
}

/// Any status, headers and body as the response of one of several operations (a reference
/// list, a task, a query result, an operation with several outputs, a logon): decoding never
/// panics, it is a value or an error.
pub fn response_decode(data: &[u8]) {
    let [op, status_hi, status_lo, flags, rest @ ..] = data else {
        return;
    };
    let status = 100 + (u16::from_be_bytes([*status_hi, *status_lo]) % 500);
    let mut builder = http::Response::builder().status(status);
    if flags & 1 != 0 {
        builder = builder.header("content-type", "application/xml; charset=utf-8");
    }
    if flags & 2 != 0 {
        builder = builder.header("content-type", "text/html");
    }
    if flags & 4 != 0 {
        builder = builder.header("x-restsvcsessionid", "dGVzdA==");
    }
    if flags & 8 != 0 {
        builder = builder.header("location", "https://em:9398/api/tasks/task-1");
    }
    let Ok(response) = builder.body(rest) else {
        return;
    };
    match op % 5 {
        0 => drop(api::cdp_replica_sessions().get().decode(response)),
        1 => drop(api::tasks().id("task-1").get().decode(response)),
        2 => drop(
            api::query()
                .cdp_replica_session(Query::new())
                .decode(response),
        ),
        3 => drop(
            api::cloud()
                .public_ip_addresses()
                .id("x")
                .update(Default::default())
                .decode(response),
        ),
        _ => drop(api::cloud().tenants().id("x").get_entity().decode(response)),
    }
}

/// The simulator all `sim_request` inputs go to, and a session token of it.
static SIM: LazyLock<(veeam_em_sim::Simulator, String)> = LazyLock::new(|| {
    let sim = veeam_em_sim::Simulator::new(veeam_em_sim::SimConfig::default());
    let response = sim.handle(
        http::Request::post("/api/sessionMngr/?v=latest")
            .header("authorization", "Basic YWRtaW46YWRtaW4=")
            .body(Vec::new())
            .expect("a valid request"),
    );
    let token = response
        .headers()
        .get("x-restsvcsessionid")
        .and_then(|v| v.to_str().ok())
        .expect("the simulator logs admin on")
        .to_owned();
    (sim, token)
});

/// Any request to the simulator (first byte: method and whether to send the session; then the
/// target up to a line end, header lines up to an empty line, the body): it answers, and every
/// body it serves decodes (a document for a success, an `<Error>` otherwise), XML or JSON (the
/// root of a JSON success is the one the route's entry names).
pub fn sim_request(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let method = ["GET", "POST", "PUT", "DELETE", "PATCH"][usize::from(flags % 5)];
    let text_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let target = String::from_utf8_lossy(&rest[..text_end]);
    let mut body = rest.get(text_end + 1..).unwrap_or_default();
    let (sim, token) = &*SIM;
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("/api/{}", target.trim_start_matches('/')));
    if flags & 0x80 != 0 {
        builder = builder.header("x-restsvcsessionid", token.as_str());
    }
    // Header lines `name: value` until an empty line.
    while let Some(end) = body.iter().position(|&b| b == b'\n') {
        let line = &body[..end];
        body = &body[end + 1..];
        if line.is_empty() {
            break;
        }
        let line = String::from_utf8_lossy(line);
        if let Some((name, value)) = line.split_once(':') {
            builder = builder.header(name.trim(), value.trim());
        }
    }
    let Ok(request) = builder.body(body.to_vec()) else {
        return;
    };
    let response = sim.handle(request);
    let is_xml = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("xml"));
    let is_json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if is_json && !response.body().is_empty() {
        let root = if response.status().is_success() {
            veeam_em_api::route_method(method, &format!("/api/{}", target.trim_start_matches('/')))
                .ok()
                .and_then(|r| r.entry.representation())
        } else {
            Some("Error")
        };
        if let Some(root) = root {
            Document::from_json(root, response.body()).unwrap_or_else(|e| {
                panic!(
                    "the simulator served JSON that does not decode as {root} ({e}): {}",
                    String::from_utf8_lossy(response.body())
                )
            });
        }
    }
    if is_xml && !response.body().is_empty() {
        let doc = Document::from_slice(response.body()).unwrap_or_else(|e| {
            panic!(
                "the simulator served a body that does not decode ({e}): {}",
                String::from_utf8_lossy(response.body())
            )
        });
        if !response.status().is_success() {
            assert!(
                matches!(doc, Document::Error(_)),
                "a failure answers <Error>"
            );
        }
    }
}
