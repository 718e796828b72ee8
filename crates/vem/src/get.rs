//! `vem get PATH|HREF`, `vem query TYPE ...` and `vem task ID`: any GET of the catalogue, the
//! query service with all its parameters, and tasks.

use std::time::Duration;

use veeam_em_api::{route, route_method, Route};
use veeam_em_client::{Client, Transport};
use veeam_em_model::{Document, Link, QueryResult};

use crate::exit::{Exit, Failure};
use crate::output::{print_document, Output, Progress};

/// Routes a GET target (an href or a path below the API base).
fn get_route(target: &str) -> Result<Route, Failure> {
    route(target).map_err(|e| Failure::new(Exit::Usage, e.to_string()))
}

/// Fetches `target` and decodes it: the document and the body as received.
pub fn fetch<T: Transport>(
    client: &Client<T>,
    target: &str,
) -> Result<(Document, Vec<u8>), Failure> {
    let route = get_route(target)?;
    let response = client.send_route(&route, None)?;
    let body = response.into_body();
    let doc = decode_body(route.entry, &body)?;
    Ok((doc, body))
}

/// A response body of `entry`, in the form it came in (the JSON form's root is the one the
/// catalogue names).
pub fn decode_body(entry: &veeam_em_api::Entry, body: &[u8]) -> Result<Document, Failure> {
    Document::from_wire(
        veeam_em_model::Wire::sniff(body),
        entry.representation(),
        body,
    )
    .map_err(|e| {
        Failure::new(
            Exit::BadBody,
            format!("{}: the response does not decode: {e}", entry.name),
        )
    })
}

/// `vem get`.
pub fn get<T: Transport>(client: &Client<T>, target: &str, output: Output) -> Result<(), Failure> {
    let (doc, body) = fetch(client, target)?;
    Ok(print_document(&doc, Some(&body), output)?)
}

/// Arguments of `vem query`.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The type to query, e.g. CdpReplicaSession (see `vem api list`: GET /query?type=...).
    r#type: String,
    /// A filter, e.g. 'Result==Failed;State!=Working' (fields of the type, ==, !=, <, >, <=, >=,
    /// ; for AND, , for OR, parentheses).
    #[arg(long)]
    filter: Option<String>,
    /// Sort by FIELD (ascending), or -FIELD (descending).
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    sort: Option<String>,
    /// Items per page.
    #[arg(long, value_name = "N")]
    page_size: Option<u32>,
    /// Which page (from 1).
    #[arg(long, value_name = "N")]
    page: Option<u32>,
    /// Every page, following the Next links.
    #[arg(long)]
    all: bool,
    /// References (the default) or entities.
    #[arg(long, value_enum, default_value_t = Form::Refs)]
    format: Form,
}

impl QueryArgs {
    /// Whether `--all` streams the pages (of one server).
    pub fn streams(&self) -> bool {
        self.all
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Form {
    Refs,
    Entities,
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~;,()!*:@/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `vem query`.
pub fn query<T: Transport>(
    client: &Client<T>,
    args: &QueryArgs,
    output: Output,
) -> Result<(), Failure> {
    let filter = match &args.filter {
        Some(f) => Some(checked_filter(&args.r#type, f)?),
        None => None,
    };
    let mut url = format!("/query?type={}", encode(&args.r#type));
    if args.format == Form::Entities {
        url.push_str("&format=Entities");
    }
    if let Some(f) = &filter {
        url.push_str(&format!("&filter={}", encode(f)));
    }
    match args.sort.as_deref() {
        Some(field) if field.starts_with('-') => {
            field_of(&args.r#type, &field[1..])?;
            url.push_str(&format!("&sortDesc={}", encode(&field[1..])))
        }
        Some(field) => {
            field_of(&args.r#type, field)?;
            url.push_str(&format!("&sortAsc={}", encode(field)))
        }
        None => {}
    }
    if let Some(n) = args.page_size {
        url.push_str(&format!("&pageSize={n}"));
    }
    if let Some(n) = args.page {
        url.push_str(&format!("&page={n}"));
    }
    // The type must be one the catalogue knows.
    route_method("GET", &url).map_err(|_| {
        let known: Vec<&str> = veeam_em_api::CATALOGUE
            .iter()
            .filter_map(|e| e.query_service)
            .collect();
        Failure::new(
            Exit::Usage,
            format!(
                "the query service has no type {:?} here; known types: {}",
                args.r#type,
                known.join(", ")
            ),
        )
    })?;
    let (first, body) = fetch(client, &url)?;
    let Document::QueryResult(result) = first else {
        return Err(Failure::new(
            Exit::BadBody,
            "the query answered something other than a QueryResult",
        ));
    };
    if !args.all {
        return Ok(print_document(
            &Document::QueryResult(result),
            Some(&body),
            output,
        )?);
    }
    // Every page: its items printed as it arrives (memory: one page).
    let progress = Progress::new();
    let mut items = crate::stream::Items::new(output);
    let mut page = result;
    let mut raw = body;
    loop {
        items.page(&Document::QueryResult(page.clone()), &raw)?;
        let info = page.paging_info.as_ref();
        let (n, count) = (
            info.and_then(|i| i.page_num).unwrap_or(1),
            info.and_then(|i| i.pages_count).unwrap_or(1),
        );
        progress.update(
            u32::try_from(n).unwrap_or(0),
            u32::try_from(count).unwrap_or(0),
            items.count,
        );
        let Some(next) = next_link(&page) else {
            break;
        };
        let (doc, body) = fetch(client, &next.href)?;
        let Document::QueryResult(p) = doc else {
            return Err(Failure::new(Exit::BadBody, "a page is not a QueryResult"));
        };
        page = p;
        raw = body;
    }
    progress.done();
    Ok(items.finish()?)
}

/// The catalogue type (`dateTime`, `string`, ...) of field `name` of query type `ty` (ASCII case
/// ignored, as servers do); a usage error naming the fields when it has none of that name. A
/// type the catalogue does not know is left to the server.
fn field_of(ty: &str, name: &str) -> Result<Option<&'static str>, Failure> {
    let Some(info) = veeam_em_api::queries::info(ty) else {
        return Ok(None);
    };
    match info
        .fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some((_, kind)) => Ok(Some(kind)),
        None => {
            let names: Vec<&str> = info.fields.iter().map(|(n, _)| *n).collect();
            Err(Failure::new(
                Exit::Usage,
                format!("{name} is not a field of {ty}; it has {}", names.join(", ")),
            ))
        }
    }
}

/// A filter checked before anything is sent: its syntax (a mistake is a usage error with its
/// place), its fields, and times written as tables print them (`2025-06-15 15:00:38`, UTC)
/// turned into the API's form (`2025-06-15T15:00:38Z`).
fn checked_filter(ty: &str, text: &str) -> Result<String, Failure> {
    let mut expr = veeam_em_api::filter::parse(text).map_err(|e| {
        Failure::new(
            Exit::Usage,
            format!(
                "--filter: {} at byte {}\n  {text}\n  {}^",
                e.message,
                e.at,
                " ".repeat(text[..e.at.min(text.len())].chars().count())
            ),
        )
    })?;
    for (field, _, _) in expr.comparisons() {
        field_of(ty, field)?;
    }
    let mut failure = None;
    table_times(&mut expr, &mut |field| match field_of(ty, field) {
        Ok(kind) => kind == Some("dateTime"),
        Err(e) => {
            failure = Some(e);
            false
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(expr.to_string()),
    }
}

/// Rewrites the values of time fields written as tables print them into the API's form.
fn table_times(expr: &mut veeam_em_api::filter::Expr, is_time: &mut dyn FnMut(&str) -> bool) {
    use veeam_em_api::filter::{Expr, FilterLiteral};
    match expr {
        Expr::Compare { field, value, .. } => {
            let text = match value {
                FilterLiteral::Quoted(t) | FilterLiteral::Bare(t) => t,
            };
            let b = text.as_bytes();
            let table_form = b.len() == 19
                && b[10] == b' '
                && b.iter().enumerate().all(|(i, c)| match i {
                    4 | 7 => *c == b'-',
                    10 => true,
                    13 | 16 => *c == b':',
                    _ => c.is_ascii_digit(),
                });
            if table_form && is_time(field) {
                *value = FilterLiteral::Quoted(format!("{}T{}Z", &text[..10], &text[11..]));
            }
        }
        Expr::And(items) | Expr::Or(items) => {
            items.iter_mut().for_each(|e| table_times(e, is_time));
        }
        Expr::Group(inner) => table_times(inner, is_time),
    }
}

/// The items of a document: of a query result, its references or entities; else none.
pub fn items_in_document(doc: &Document) -> usize {
    match doc {
        Document::QueryResult(q) => items_in(q),
        _ => 0,
    }
}

/// The items of a query result: references, or entities of any list.
fn items_in(result: &QueryResult) -> usize {
    let refs = result.refs.as_ref().map_or(0, |r| r.refs.len());
    let entities = result
        .entities
        .as_ref()
        .and_then(|e| e.list.as_ref())
        .and_then(|l| l.items())
        .unwrap_or(0);
    refs + entities
}

fn next_link(result: &QueryResult) -> Option<Link> {
    veeam_em_api::paging::page_link(result, veeam_em_api::paging::Page::Next).cloned()
}

/// Arguments of `vem task`.
#[derive(Debug, clap::Args)]
pub struct TaskArgs {
    /// The task's id (task-1) or href.
    id: String,
    /// Wait until it finishes.
    #[arg(long)]
    wait: bool,
    /// How long --wait waits, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    wait_for: u64,
}

/// `vem task`.
pub fn task<T: Transport>(
    client: &Client<T>,
    args: &TaskArgs,
    output: Output,
) -> Result<(), Failure> {
    let id = args.id.rsplit('/').next().unwrap_or(&args.id).to_owned();
    let task = if args.wait {
        crate::started::wait(client, &id, Duration::from_secs(args.wait_for))?
    } else {
        client.call(&veeam_em_api::api::tasks().id(id.as_str()).get())?
    };
    Ok(print_document(&Document::Task(task), None, output)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19, defect 5: the progress of `--all` counts entities too (it counted only
    /// references, so a listing of entities showed 0 items).
    #[test]
    fn filters_are_checked_and_table_times_become_api_times() {
        let ok = checked_filter(
            "CdpReplicaTaskSession",
            "creationtimeutc>=2025-06-15 15:00:38;State==Working",
        )
        .unwrap();
        assert_eq!(
            ok,
            r#"creationtimeutc>="2025-06-15T15:00:38Z";State==Working"#
        );
        // Text fields keep their values as written.
        let name = checked_filter("CdpReplicaTaskSession", r#"Name=="2025-06-15 15:00:38""#);
        assert_eq!(name.unwrap(), r#"Name=="2025-06-15 15:00:38""#);
        let bad = checked_filter("CdpReplicaTaskSession", "State=Working").unwrap_err();
        assert_eq!(bad.exit as u8, 2);
        assert!(bad.message.contains("at byte 5"), "{}", bad.message);
        let unknown = checked_filter("CdpReplicaTaskSession", "Result==Failed").unwrap_err();
        assert_eq!(unknown.exit as u8, 2);
        assert!(unknown
            .message
            .contains("Result is not a field of CdpReplicaTaskSession"));
    }

    #[test]
    fn a_page_of_entities_counts_its_items() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/ok/query_result_cdp_replica_task_session_entities.xml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let Document::QueryResult(page) = Document::from_slice(text.as_bytes()).unwrap() else {
            panic!("not a query result");
        };
        let want = text.matches("<CdpReplicaTaskSession ").count();
        assert!(want > 0);
        assert_eq!(items_in(&page), want);
    }
}
