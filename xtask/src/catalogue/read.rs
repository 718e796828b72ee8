//! Reading one catalogue file: a plain quick-xml loop (the format is small and ours, described by
//! `schemas/resources/catalogue.xsd`); every error names the operation.

use std::collections::BTreeMap;

use anyhow::{bail, ensure, Context as _, Result};
use quick_xml::events::{BytesStart, Event};

use super::*;

/// `schemas/resources/cdp.xml` -> `cdp`.
pub(super) fn family_of(file: &str) -> Result<String> {
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
pub(super) fn parse(text: &str, family: &str) -> Result<Catalogue> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut catalogue = Catalogue::default();
    let mut op: Option<Entry> = None;
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
        let context = |op: &Option<Entry>| match op {
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
                            let parsed = (|| -> Result<Entry> {
                                Ok(Entry {
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
