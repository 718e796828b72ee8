//! The resource catalogue (`schemas/resources.xml`): reading and checking it.
//!
//! The catalogue's format is described by `schemas/resources/catalogue.xsd`. The reader here is a
//! plain quick-xml loop: the format is small and ours, so an XSD front end would be overkill.
//! What the XSD cannot check (representations that exist, path parameters, unique routes and
//! navigation names) is checked in [`check`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, ensure, Context as _, Result};
use quick_xml::events::{BytesStart, Event};

/// Path of the catalogue, relative to the workspace root.
pub const FILE: &str = "schemas/resources.xml";

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalogue {
    pub operations: Vec<Operation>,
    pub query_types: Vec<QueryType>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Operation {
    pub name: String,
    pub method: String,
    /// Path template, e.g. `/cdpReplicas/{replicaId}/vms/{vmId}`.
    pub path: String,
    pub verb: String,
    /// `none`, `basic` or `session`.
    pub auth: String,
    pub idempotent: bool,
    pub page: Option<String>,
    pub summary: String,
    pub fixed_query: Vec<(String, String)>,
    pub query_params: Vec<QueryParam>,
    /// Name of the `QueryType` for query service operations.
    pub query_service: Option<String>,
    /// Root element of the request body.
    pub request: Option<String>,
    pub response: Response,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryParam {
    pub name: String,
    pub ty: String,
    pub required: bool,
    /// Initial value in navigation.
    pub default: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    pub status: u16,
    pub representation: Option<String>,
    pub output: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryType {
    pub name: String,
    pub entity: String,
    /// The element of `QueryResult/Entities` that holds the items.
    pub list: String,
    /// The names items may have in that list.
    pub items: Vec<String>,
    pub fields: Vec<QueryField>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryField {
    pub name: String,
    pub ty: String,
    /// A model enumeration the values come from.
    pub enumeration: Option<String>,
}

impl Operation {
    /// Path parameter names in order, e.g. `["replicaId", "vmId"]`.
    pub fn path_params(&self) -> Vec<&str> {
        path_params(&self.path)
    }
}

/// `{name}` segments of a path template.
pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// Reads and checks the catalogue; `representations` are the root elements of the type schemas,
/// `enums` the names of their enumerations.
pub fn load(
    root: &Path,
    representations: &BTreeSet<String>,
    enums: &BTreeSet<String>,
) -> Result<Catalogue> {
    let text =
        std::fs::read_to_string(root.join(FILE)).with_context(|| format!("reading {FILE}"))?;
    let catalogue = parse(&text).with_context(|| format!("reading {FILE}"))?;
    check(&catalogue, representations).with_context(|| format!("checking {FILE}"))?;
    for q in &catalogue.query_types {
        for f in &q.fields {
            if let Some(e) = &f.enumeration {
                ensure!(
                    enums.contains(e) && f.ty == "string",
                    "checking {FILE}: field {}.{}: enum {e} must be an enumeration of schemas/*.xsd on a string field",
                    q.name,
                    f.name
                );
            }
        }
    }
    Ok(catalogue)
}

fn attrs(e: &BytesStart<'_>) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for a in e.attributes() {
        let a = a?;
        let key = String::from_utf8(a.key.as_ref().to_vec())?;
        let value = quick_xml::escape::unescape(std::str::from_utf8(&a.value)?)?.into_owned();
        out.insert(key, value);
    }
    Ok(out)
}

fn required(map: &BTreeMap<String, String>, name: &str, element: &str) -> Result<String> {
    map.get(name)
        .cloned()
        .with_context(|| format!("<{element}> lacks the attribute {name}"))
}

fn parse(text: &str) -> Result<Catalogue> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut catalogue = Catalogue::default();
    let mut op: Option<Operation> = None;
    let mut query_type: Option<QueryType> = None;
    let mut in_summary = false;
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .with_context(|| format!("at byte {position}"))?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.local_name().as_ref().to_vec())?;
                let a = attrs(&e)?;
                match name.as_str() {
                    "Catalogue" => {}
                    "Operation" => {
                        op = Some(Operation {
                            name: required(&a, "name", &name)?,
                            method: required(&a, "method", &name)?,
                            path: required(&a, "path", &name)?,
                            verb: required(&a, "verb", &name)?,
                            auth: a.get("auth").cloned().unwrap_or_else(|| "session".into()),
                            idempotent: required(&a, "idempotent", &name)? == "true",
                            page: a.get("page").cloned(),
                            ..Operation::default()
                        })
                    }
                    "Summary" => in_summary = true,
                    "FixedQuery" | "QueryParam" | "QueryService" | "Request" | "Response"
                    | "Alias" => {
                        let o = op
                            .as_mut()
                            .with_context(|| format!("<{name}> outside <Operation>"))?;
                        match name.as_str() {
                            "FixedQuery" => o.fixed_query.push((
                                required(&a, "name", &name)?,
                                required(&a, "value", &name)?,
                            )),
                            "QueryParam" => o.query_params.push(QueryParam {
                                name: required(&a, "name", &name)?,
                                ty: required(&a, "type", &name)?,
                                required: a.get("required").is_some_and(|v| v == "true"),
                                default: a.get("default").cloned(),
                                summary: a.get("summary").cloned(),
                            }),
                            "QueryService" => o.query_service = Some(required(&a, "type", &name)?),
                            "Request" => o.request = Some(required(&a, "representation", &name)?),
                            "Response" => {
                                ensure!(
                                    o.response.status == 0,
                                    "{}: more than one <Response>",
                                    o.name
                                );
                                o.response = Response {
                                    status: required(&a, "status", &name)?.parse()?,
                                    representation: a.get("representation").cloned(),
                                    output: a.get("output").cloned(),
                                };
                            }
                            _ => o.aliases.push(required(&a, "path", &name)?),
                        }
                    }
                    "QueryType" => {
                        let entity = required(&a, "entity", &name)?;
                        query_type = Some(QueryType {
                            name: required(&a, "name", &name)?,
                            list: required(&a, "list", &name)?,
                            items: match a.get("items") {
                                Some(items) => {
                                    items.split_whitespace().map(str::to_owned).collect()
                                }
                                None => vec![entity.clone()],
                            },
                            entity,
                            fields: Vec::new(),
                        })
                    }
                    "Field" => query_type
                        .as_mut()
                        .context("<Field> outside <QueryType>")?
                        .fields
                        .push(QueryField {
                            name: required(&a, "name", &name)?,
                            ty: required(&a, "type", &name)?,
                            enumeration: a.get("enum").cloned(),
                        }),
                    other => bail!("unknown element <{other}> at byte {position}"),
                }
            }
            Event::Text(t) if in_summary => {
                if let Some(o) = op.as_mut() {
                    o.summary.push_str(&t.decode()?);
                }
            }
            Event::GeneralRef(r) if in_summary => {
                let resolved =
                    quick_xml::escape::unescape(&format!("&{};", r.decode()?))?.into_owned();
                if let Some(o) = op.as_mut() {
                    o.summary.push_str(&resolved);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"Summary" => in_summary = false,
                b"Operation" => catalogue
                    .operations
                    .push(op.take().context("stray </Operation>")?),
                b"QueryType" => catalogue
                    .query_types
                    .push(query_type.take().context("stray </QueryType>")?),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    for o in &mut catalogue.operations {
        o.summary = o.summary.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    Ok(catalogue)
}

/// Checks what the catalogue's XSD cannot.
pub fn check(catalogue: &Catalogue, representations: &BTreeSet<String>) -> Result<()> {
    let mut names = BTreeSet::new();
    let mut routes = BTreeSet::new();
    let mut verbs = BTreeSet::new();
    let query_types: BTreeSet<&str> = catalogue
        .query_types
        .iter()
        .map(|q| q.name.as_str())
        .collect();
    for o in &catalogue.operations {
        let what = format!("operation {}", o.name);
        ensure!(names.insert(&o.name), "{what}: name used twice");
        ensure!(
            o.path.starts_with('/') && !o.path.contains('?'),
            "{what}: path must start with / and hold no query"
        );
        ensure!(o.response.status != 0, "{what}: no <Response>");
        let mut params = BTreeSet::new();
        for p in o.path_params() {
            ensure!(
                params.insert(p),
                "{what}: path parameter {{{p}}} twice; give each a distinct name"
            );
        }
        for alias in &o.aliases {
            ensure!(
                path_params(alias) == o.path_params(),
                "{what}: alias {alias} must have the same parameters"
            );
        }
        for r in o.request.iter().chain(o.response.representation.iter()) {
            ensure!(
                representations.contains(r),
                "{what}: {r} is not a root element of schemas/*.xsd"
            );
        }
        if let Some(q) = &o.query_service {
            ensure!(
                query_types.contains(q.as_str()),
                "{what}: no <QueryType name=\"{q}\">"
            );
        }
        // Routes: method + path shape + fixed query must be unique.
        let shape: Vec<&str> = o
            .path
            .split('/')
            .map(|s| if s.starts_with('{') { "{}" } else { s })
            .collect();
        let mut fixed = o.fixed_query.clone();
        fixed.sort();
        ensure!(
            routes.insert((o.method.clone(), shape.join("/"), fixed)),
            "{what}: another operation has the same method, path and fixed query"
        );
        let node = navigation_node(&o.path);
        ensure!(
            verbs.insert((node.clone(), o.verb.clone())),
            "{what}: verb {} is used twice on {node}",
            o.verb
        );
    }
    for q in &catalogue.query_types {
        ensure!(
            representations.contains(&q.entity),
            "query type {}: {} is not a root element",
            q.name,
            q.entity
        );
    }
    Ok(())
}

/// The navigation node of a path: parameter names are irrelevant (`/a/{x}` and `/a/{y}` are one
/// node), trailing slashes too.
pub fn navigation_node(path: &str) -> String {
    path.trim_end_matches('/')
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}
