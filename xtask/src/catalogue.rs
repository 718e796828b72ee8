//! The resource catalogue (`schemas/resources/<family>.xml`): reading it into typed values and
//! checking it.
//!
//! The format is described by `schemas/resources/catalogue.xsd`. The reader here is a plain
//! quick-xml loop: the format is small and ours. Every value is typed when it is read (methods,
//! authentication, parameter types are enums), and every error names the file and the operation,
//! so that a mistake in the catalogue fails `cargo xtask regen` with where to look. What the XSD
//! cannot check (representations that exist, path parameters, unique routes and navigation names)
//! is checked in [`check`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use anyhow::{bail, ensure, Context as _, Result};
use quick_xml::events::{BytesStart, Event};

/// The folder of the catalogue files, relative to the workspace root.
pub const DIR: &str = "schemas/resources";

/// The whole catalogue: every family's operations and query types, families in file-name order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalogue {
    pub operations: Vec<Operation>,
    pub query_types: Vec<QueryType>,
    /// What the catalogue declares of the objects at item paths (links, counts).
    pub resources: Vec<Resource>,
    /// Family names (the catalogue files' stems), sorted.
    pub families: Vec<String>,
}

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "GET" => Self::Get,
            "POST" => Self::Post,
            "PUT" => Self::Put,
            "DELETE" => Self::Delete,
            other => bail!("method {other:?} is not one of GET, POST, PUT, DELETE"),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an operation authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No credentials (the entry point).
    None,
    /// User name and password (logon).
    Basic,
    /// The session header.
    Session,
}

impl Auth {
    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "none" => Self::None,
            "basic" => Self::Basic,
            "session" => Self::Session,
            other => bail!("auth {other:?} is not one of none, basic, session"),
        })
    }
}

/// The type of a query parameter, header or query field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Int,
    Bool,
    Uid,
    DateTime,
}

impl ParamType {
    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "string" => Self::String,
            "int" => Self::Int,
            "bool" => Self::Bool,
            "uid" => Self::Uid,
            "dateTime" => Self::DateTime,
            other => bail!("type {other:?} is not one of string, int, bool, uid, dateTime"),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Int => "int",
            Self::Bool => "bool",
            Self::Uid => "uid",
            Self::DateTime => "dateTime",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The catalogue file's stem, e.g. `cdp`.
    pub family: String,
    pub name: String,
    pub method: Method,
    /// Path template, e.g. `/cdpReplicas/{replicaId}/vms/{vmId}`.
    pub path: String,
    pub verb: String,
    pub auth: Auth,
    pub idempotent: bool,
    pub page: Option<String>,
    pub summary: String,
    pub fixed_query: Vec<(String, String)>,
    pub query_params: Vec<Param>,
    /// Request headers the caller chooses.
    pub headers: Vec<Param>,
    /// Name of the `QueryType` for query service operations.
    pub query_service: Option<String>,
    pub request: Option<Body>,
    /// Success responses, distinct statuses, in catalogue order (the first is the usual one).
    pub responses: Vec<Response>,
    pub aliases: Vec<String>,
    /// What the action does when it is not the default of its shape.
    pub effect: Option<Effect>,
    /// Top-level elements real servers require in the body (a quirk).
    pub requires: Vec<Requires>,
}

/// What an action does to the object its path names (`<Effect do=...>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectKind {
    Create,
    Delete,
    Edit,
    Run,
    Retry,
    Stop,
    Set,
    Clone,
    None,
}

impl EffectKind {
    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "create" => Self::Create,
            "delete" => Self::Delete,
            "edit" => Self::Edit,
            "run" => Self::Run,
            "retry" => Self::Retry,
            "stop" => Self::Stop,
            "set" => Self::Set,
            "clone" => Self::Clone,
            "none" => Self::None,
            other => bail!("unknown effect {other:?}"),
        })
    }
}

/// A declared effect.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub kind: EffectKind,
    /// For `set`: the top-level field of the object's entity, and its new value (`toggle`
    /// flips a boolean).
    pub field: Option<String>,
    pub value: Option<String>,
    /// For `create`: body members that fill entity members of another name (`from`, `to`).
    pub copies: Vec<(String, String)>,
}

/// A quirk: the body must hold `element`, else the server answers `status` with `message`.
#[derive(Debug, Clone, PartialEq)]
pub struct Requires {
    pub element: String,
    pub status: u16,
    pub message: String,
}

/// `<Resource>`: the objects at an item path (or the document at another GET path).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    pub family: String,
    /// As written, `{ID}` for identifiers, e.g. `/jobs/{ID}`.
    pub path: String,
    pub kind: Option<String>,
    pub count: Option<u32>,
    pub size: Option<String>,
    pub page: Option<String>,
    pub links: Vec<LinkDecl>,
}

/// `<Link>` of a resource.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinkDecl {
    pub rel: String,
    pub href: String,
    pub method: Option<Method>,
    /// `Some("")`: no Type.
    pub ty: Option<String>,
    pub when: Option<String>,
    pub documented: Option<String>,
    pub documented_rel: Option<String>,
}

impl LinkDecl {
    /// The method of the operation the link stands for.
    pub fn method(&self) -> Method {
        self.method.unwrap_or(match self.rel.as_str() {
            "Edit" => Method::Put,
            "Delete" => Method::Delete,
            "Up" | "Down" | "Alternate" | "Related" => Method::Get,
            _ => Method::Post,
        })
    }

    /// `(path node, fixed query sorted)` of the href, e.g. `("/jobs/{}", [("action", "start")])`.
    pub fn target(&self) -> (String, Vec<(String, String)>) {
        let (path, query) = self.href.split_once('?').unwrap_or((&self.href, ""));
        let mut fixed: Vec<(String, String)> = query
            .split('&')
            .filter(|q| !q.is_empty())
            .map(|q| {
                let (k, v) = q.split_once('=').unwrap_or((q, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        fixed.sort();
        (navigation_node(path), fixed)
    }
}

/// A query parameter or request header the caller chooses.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: ParamType,
    pub required: bool,
    /// Initial value in navigation (query parameters only).
    pub default: Option<String>,
    pub summary: Option<String>,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Root element.
    pub representation: String,
    /// The request may be sent without it.
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    pub status: u16,
    pub representation: Option<String>,
    /// A hand-written output type of the API crate.
    pub output: Option<String>,
    /// Response headers that carry information.
    pub headers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryType {
    pub family: String,
    pub name: String,
    pub entity: String,
    /// The element of `QueryResult/Entities` that holds the items (derived from the schemas when
    /// not given).
    pub list: Option<String>,
    /// The names items may have in that list (derived when empty).
    pub items: Vec<String>,
    /// `Entities` or `Resources` (derived).
    pub container: String,
    pub fields: Vec<QueryField>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueryField {
    pub name: String,
    pub ty: ParamType,
    /// A model enumeration the values come from.
    pub enumeration: Option<String>,
}

impl Operation {
    /// Path parameter names in order, e.g. `["replicaId", "vmId"]`.
    pub fn path_params(&self) -> Vec<&str> {
        path_params(&self.path)
    }

    /// The usual success response (the first).
    pub fn response(&self) -> &Response {
        &self.responses[0]
    }

    /// `GET /path?fixed=query`, as in `vem api list`.
    pub fn template(&self) -> String {
        let mut out = self.path.clone();
        for (i, (k, v)) in self.fixed_query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(&format!("{k}={v}"));
        }
        out
    }

    /// An `Href` alone can stand for it: no body and no credentials.
    pub fn routable(&self) -> bool {
        self.request.is_none() && self.auth != Auth::Basic
    }
}

/// `{name}` segments of a path template (a last `{name*}` takes the rest of the path, slashes
/// included: a guest file path).
pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|s| s.trim_end_matches('*'))
        .collect()
}

/// The catalogue files, relative to `root`, sorted.
pub fn files(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root.join(DIR)).with_context(|| format!("reading {DIR}/"))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".xml") {
            out.push(format!("{DIR}/{name}"));
        }
    }
    out.sort();
    Ok(out)
}

/// Reads and checks every catalogue file; `representations` are the root elements of the type
/// schemas, `enums` the names of their enumerations.
pub fn load(
    root: &Path,
    representations: &BTreeSet<String>,
    enums: &BTreeSet<String>,
) -> Result<Catalogue> {
    let mut catalogue = Catalogue::default();
    for file in files(root)? {
        let family = family_of(&file)?;
        let text =
            std::fs::read_to_string(root.join(&file)).with_context(|| format!("reading {file}"))?;
        let part = parse(&text, &family).with_context(|| format!("reading {file}"))?;
        catalogue.operations.extend(part.operations);
        catalogue.query_types.extend(part.query_types);
        catalogue.resources.extend(part.resources);
        catalogue.families.push(family);
    }
    check(&catalogue, representations, enums).context("checking schemas/resources/")?;
    Ok(catalogue)
}

/// `schemas/resources/cdp.xml` -> `cdp`.
fn family_of(file: &str) -> Result<String> {
    let stem = file
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix(".xml"))
        .with_context(|| format!("{file} is not a catalogue file"))?;
    ensure!(
        !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "{file}: a family name is snake_case (it becomes a module and a cargo feature)"
    );
    Ok(stem.to_owned())
}

/// The attributes of an element, checked against the names it may have.
struct Attrs {
    element: String,
    map: BTreeMap<String, String>,
}

impl Attrs {
    fn read(e: &BytesStart<'_>, element: &str, allowed: &[&str]) -> Result<Self> {
        let mut map = BTreeMap::new();
        for a in e.attributes() {
            let a = a?;
            let key = String::from_utf8(a.key.as_ref().to_vec())?;
            if key.starts_with("xmlns") {
                continue;
            }
            ensure!(
                allowed.contains(&key.as_str()),
                "<{element}> has no attribute {key} (it has: {})",
                allowed.join(", ")
            );
            let value = quick_xml::escape::unescape(std::str::from_utf8(&a.value)?)?.into_owned();
            map.insert(key, value);
        }
        Ok(Self {
            element: element.to_owned(),
            map,
        })
    }

    fn required(&self, name: &str) -> Result<String> {
        self.map
            .get(name)
            .cloned()
            .with_context(|| format!("<{}> lacks the attribute {name}", self.element))
    }

    fn optional(&self, name: &str) -> Option<String> {
        self.map.get(name).cloned()
    }

    fn flag(&self, name: &str, default: bool) -> Result<bool> {
        match self.map.get(name).map(String::as_str) {
            None => Ok(default),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(other) => bail!("<{}> {name}={other:?} is not a boolean", self.element),
        }
    }
}

fn param(a: &Attrs) -> Result<Param> {
    Ok(Param {
        name: a.required("name")?,
        ty: ParamType::parse(&a.required("type")?)?,
        required: a.flag("required", false)?,
        default: a.optional("default"),
        summary: a.optional("summary"),
    })
}

/// One file's operations and query types.
fn parse(text: &str, family: &str) -> Result<Catalogue> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut catalogue = Catalogue::default();
    let mut op: Option<Operation> = None;
    let mut query_type: Option<QueryType> = None;
    let mut in_response = false;
    let mut in_summary = false;
    let mut in_effect = false;
    let mut resource: Option<Resource> = None;
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .with_context(|| format!("at byte {position}"))?;
        // Errors inside an operation name it.
        let context = |op: &Option<Operation>| match op {
            Some(o) => format!("operation {} (byte {position})", o.name),
            None => format!("byte {position}"),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = String::from_utf8(e.local_name().as_ref().to_vec())?;
                let what = context(&op);
                (|| -> Result<()> {
                    match name.as_str() {
                        "Catalogue" => {}
                        "Operation" => {
                            let a = Attrs::read(
                                e,
                                &name,
                                &[
                                    "name",
                                    "method",
                                    "path",
                                    "verb",
                                    "auth",
                                    "idempotent",
                                    "page",
                                ],
                            )?;
                            let op_name = a.required("name")?;
                            let parsed = (|| -> Result<Operation> {
                                Ok(Operation {
                                    family: family.to_owned(),
                                    name: op_name.clone(),
                                    method: Method::parse(&a.required("method")?)?,
                                    path: a.required("path")?,
                                    verb: a.required("verb")?,
                                    auth: Auth::parse(
                                        a.optional("auth").as_deref().unwrap_or("session"),
                                    )?,
                                    idempotent: a.flag("idempotent", false)?,
                                    page: a.optional("page"),
                                    summary: String::new(),
                                    fixed_query: Vec::new(),
                                    query_params: Vec::new(),
                                    headers: Vec::new(),
                                    query_service: None,
                                    request: None,
                                    responses: Vec::new(),
                                    aliases: Vec::new(),
                                    effect: None,
                                    requires: Vec::new(),
                                })
                            })()
                            .with_context(|| format!("operation {op_name}"))?;
                            ensure!(
                                a.map.contains_key("idempotent"),
                                "operation {op_name}: say whether it is idempotent"
                            );
                            op = Some(parsed);
                        }
                        "Summary" => in_summary = !empty,
                        "Header" if in_response => {
                            let a = Attrs::read(e, &name, &["name", "summary"])?;
                            let o = op.as_mut().context("<Header> outside <Operation>")?;
                            let r = o
                                .responses
                                .last_mut()
                                .context("<Header> outside <Response>")?;
                            r.headers.push(a.required("name")?);
                        }
                        "FixedQuery" | "QueryParam" | "Header" | "QueryService" | "Request"
                        | "Response" | "Alias" => {
                            let o = op
                                .as_mut()
                                .with_context(|| format!("<{name}> outside <Operation>"))?;
                            match name.as_str() {
                                "FixedQuery" => {
                                    let a = Attrs::read(e, &name, &["name", "value"])?;
                                    o.fixed_query
                                        .push((a.required("name")?, a.required("value")?));
                                }
                                "QueryParam" => o.query_params.push(param(&Attrs::read(
                                    e,
                                    &name,
                                    &["name", "type", "required", "default", "summary"],
                                )?)?),
                                "Header" => o.headers.push(param(&Attrs::read(
                                    e,
                                    &name,
                                    &["name", "type", "required", "summary"],
                                )?)?),
                                "QueryService" => {
                                    let a = Attrs::read(e, &name, &["type"])?;
                                    o.query_service = Some(a.required("type")?);
                                }
                                "Request" => {
                                    let a = Attrs::read(e, &name, &["representation", "optional"])?;
                                    ensure!(o.request.is_none(), "more than one <Request>");
                                    o.request = Some(Body {
                                        representation: a.required("representation")?,
                                        optional: a.flag("optional", false)?,
                                    });
                                }
                                "Response" => {
                                    let a = Attrs::read(
                                        e,
                                        &name,
                                        &["status", "representation", "output"],
                                    )?;
                                    let status: u16 = a
                                        .required("status")?
                                        .parse()
                                        .context("status is not a number")?;
                                    ensure!(
                                        (200..300).contains(&status),
                                        "status {status} is not a success (2xx)"
                                    );
                                    ensure!(
                                        o.responses.iter().all(|r| r.status != status),
                                        "two <Response>s with status {status}"
                                    );
                                    o.responses.push(Response {
                                        status,
                                        representation: a.optional("representation"),
                                        output: a.optional("output"),
                                        headers: Vec::new(),
                                    });
                                    in_response = !empty;
                                }
                                _ => {
                                    let a = Attrs::read(e, &name, &["path"])?;
                                    o.aliases.push(a.required("path")?);
                                }
                            }
                        }
                        "Effect" => {
                            let a = Attrs::read(e, &name, &["do", "field", "value"])?;
                            let o = op.as_mut().context("<Effect> outside <Operation>")?;
                            ensure!(o.effect.is_none(), "more than one <Effect>");
                            o.effect = Some(Effect {
                                kind: EffectKind::parse(&a.required("do")?)?,
                                field: a.optional("field"),
                                value: a.optional("value"),
                                copies: Vec::new(),
                            });
                            in_effect = !empty;
                        }
                        "Copy" if in_effect => {
                            let a = Attrs::read(e, &name, &["from", "to"])?;
                            let effect = op
                                .as_mut()
                                .and_then(|o| o.effect.as_mut())
                                .context("<Copy> outside <Effect>")?;
                            effect.copies.push((a.required("from")?, a.required("to")?));
                        }
                        "Requires" => {
                            let a = Attrs::read(e, &name, &["element", "status", "message"])?;
                            let o = op.as_mut().context("<Requires> outside <Operation>")?;
                            o.requires.push(Requires {
                                element: a.required("element")?,
                                status: a
                                    .required("status")?
                                    .parse()
                                    .context("status is not a number")?,
                                message: a.required("message")?,
                            });
                        }
                        "Resource" => {
                            let a =
                                Attrs::read(e, &name, &["path", "kind", "count", "size", "page"])?;
                            resource = Some(Resource {
                                family: family.to_owned(),
                                path: a.required("path")?,
                                kind: a.optional("kind"),
                                count: a
                                    .optional("count")
                                    .map(|c| c.parse().context("count is not a number"))
                                    .transpose()?,
                                size: a.optional("size"),
                                page: a.optional("page"),
                                links: Vec::new(),
                            });
                            if empty {
                                catalogue.resources.extend(resource.take());
                            }
                        }
                        "Link" => {
                            let a = Attrs::read(
                                e,
                                &name,
                                &[
                                    "rel",
                                    "href",
                                    "method",
                                    "type",
                                    "when",
                                    "documented",
                                    "documentedRel",
                                ],
                            )?;
                            let r = resource.as_mut().context("<Link> outside <Resource>")?;
                            let rel = a.required("rel")?;
                            r.links.push(
                                (|| -> Result<LinkDecl> {
                                    Ok(LinkDecl {
                                        href: a.required("href")?,
                                        method: a
                                            .optional("method")
                                            .map(|m| Method::parse(&m))
                                            .transpose()?,
                                        ty: a.optional("type"),
                                        when: a.optional("when"),
                                        documented: a.optional("documented"),
                                        documented_rel: a.optional("documentedRel"),
                                        rel: rel.clone(),
                                    })
                                })()
                                .with_context(|| format!("resource {}: link {rel}", r.path))?,
                            );
                        }
                        "QueryType" => {
                            let a = Attrs::read(e, &name, &["name", "entity", "list", "items"])?;
                            query_type = Some(QueryType {
                                family: family.to_owned(),
                                name: a.required("name")?,
                                entity: a.required("entity")?,
                                list: a.optional("list"),
                                items: a
                                    .optional("items")
                                    .map(|i| i.split_whitespace().map(str::to_owned).collect())
                                    .unwrap_or_default(),
                                container: String::new(),
                                fields: Vec::new(),
                            })
                        }
                        "Field" => {
                            let a = Attrs::read(e, &name, &["name", "type", "enum"])?;
                            let q = query_type.as_mut().context("<Field> outside <QueryType>")?;
                            let field = a.required("name")?;
                            q.fields.push(QueryField {
                                ty: ParamType::parse(&a.required("type")?).with_context(|| {
                                    format!("query type {} field {field}", q.name)
                                })?,
                                name: field,
                                enumeration: a.optional("enum"),
                            });
                        }
                        other => bail!("unknown element <{other}>"),
                    }
                    Ok(())
                })()
                .with_context(|| what.clone())?;
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
                b"Response" => in_response = false,
                b"Effect" => in_effect = false,
                b"Resource" => catalogue
                    .resources
                    .push(resource.take().context("stray </Resource>")?),
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
pub fn check(
    catalogue: &Catalogue,
    representations: &BTreeSet<String>,
    enums: &BTreeSet<String>,
) -> Result<()> {
    let mut names = BTreeSet::new();
    let mut routes = BTreeMap::new();
    let mut verbs = BTreeMap::new();
    let query_types: BTreeSet<&str> = catalogue
        .query_types
        .iter()
        .map(|q| q.name.as_str())
        .collect();
    for o in &catalogue.operations {
        let what = format!("operation {} ({}.xml)", o.name, o.family);
        ensure!(names.insert(&o.name), "{what}: name used twice");
        ensure!(
            o.path.starts_with('/') && !o.path.contains('?'),
            "{what}: path must start with / and hold no query"
        );
        ensure!(!o.responses.is_empty(), "{what}: no <Response>");
        ensure!(
            o.verb
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{what}: verb {} is not snake_case",
            o.verb
        );
        let segments: Vec<&str> = o.path.split('/').collect();
        for (i, seg) in segments.iter().enumerate() {
            ensure!(
                !seg.ends_with("*}") || i + 1 == segments.len(),
                "{what}: only the last path parameter may take the rest of the path ({seg})"
            );
        }
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
        let bodies = o
            .request
            .iter()
            .map(|b| &b.representation)
            .chain(o.responses.iter().filter_map(|r| r.representation.as_ref()));
        for r in bodies {
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
        if let Some(other) = routes.insert((o.method, shape.join("/"), fixed), &o.name) {
            bail!("{what}: {other} has the same method, path and fixed query");
        }
        let node = navigation_node(&o.path);
        if let Some(other) = verbs.insert((node.clone(), o.verb.clone()), &o.name) {
            bail!("{what}: verb {} is used by {other} too on {node}", o.verb);
        }
    }
    let mut seen = BTreeSet::new();
    for q in &catalogue.query_types {
        let what = format!("query type {} ({}.xml)", q.name, q.family);
        ensure!(seen.insert(&q.name), "{what}: name used twice");
        ensure!(
            representations.contains(&q.entity),
            "{what}: {} is not a root element",
            q.entity
        );
        for f in &q.fields {
            if let Some(e) = &f.enumeration {
                ensure!(
                    enums.contains(e) && f.ty == ParamType::String,
                    "{what}: field {}: enum {e} must be an enumeration of schemas/*.xsd on a string field",
                    f.name
                );
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn one(op: &str) -> Result<Catalogue> {
        parse(
            &format!(r#"<Catalogue xmlns="urn:veeam-em:catalogue">{op}</Catalogue>"#),
            "test",
        )
    }

    #[test]
    fn typed_values_and_errors_that_name_the_operation() {
        let c = one(r#"<Operation name="StartJob" method="POST" path="/jobs/{jobId}" verb="start" idempotent="false">
              <Summary>Start</Summary><FixedQuery name="action" value="start"/>
              <Header name="X-Test" type="int"/>
              <Request representation="JobStartSpec" optional="true"/>
              <Response status="202" representation="Task"><Header name="Location"/></Response>
              <Response status="200" representation="Job"/>
            </Operation>"#)
        .unwrap();
        let o = &c.operations[0];
        assert_eq!(
            (o.method, o.auth, o.family.as_str()),
            (Method::Post, Auth::Session, "test")
        );
        assert!(o.request.as_ref().unwrap().optional);
        assert_eq!(o.responses.len(), 2);
        assert_eq!(o.responses[0].headers, ["Location"]);
        assert_eq!(o.headers[0].ty, ParamType::Int);

        let err = one(r#"<Operation name="Bad" method="GOT" path="/x" verb="get" idempotent="true"><Summary>x</Summary><Response status="200"/></Operation>"#)
            .unwrap_err();
        assert!(
            format!("{err:#}").contains("operation Bad") && format!("{err:#}").contains("GOT"),
            "{err:#}"
        );
        let err = one(r#"<Operation name="Bad2" method="GET" path="/x" verb="get" idempotent="true"><Summary>x</Summary><Response status="200" representatoin="X"/></Operation>"#)
            .unwrap_err();
        assert!(
            format!("{err:#}").contains("operation Bad2")
                && format!("{err:#}").contains("representatoin"),
            "{err:#}"
        );
        let err = one(r#"<Operation name="Bad3" method="GET" path="/x" verb="get" idempotent="true"><Summary>x</Summary><Response status="200"/><Response status="200"/></Operation>"#)
            .unwrap_err();
        assert!(format!("{err:#}").contains("two <Response>s"), "{err:#}");
        let err = one(r#"<Operation name="Bad4" method="GET" path="/x" verb="get" idempotent="true"><Summary>x</Summary><Response status="404"/></Operation>"#)
            .unwrap_err();
        assert!(format!("{err:#}").contains("not a success"), "{err:#}");
    }
}
