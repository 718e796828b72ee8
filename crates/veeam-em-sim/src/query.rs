//! The query service (`GET /query?type=...`) over any kind with a query type: `filter` (the
//! grammar `veeam_em_api::filter` parses), `sortAsc`/`sortDesc`, `pageSize`, `page`, `format`,
//! and a `PagingInfo` with `First`/`Previous`/`Next`/`Last` links. A filter that does not parse,
//! a field the type does not have, or a value of the wrong type is a 400 that says so.
//!
//! Semantics: field names ignore ASCII case; text compares ignoring case; enumerated values
//! compare by their rank in the schema's order (as the reference says); a missing value (no end
//! time yet) equals nothing. Without `pageSize`, every item is on one page.

use std::cmp::Ordering;

use veeam_em_api::filter::{self, CompareOp, Expr, FilterLiteral};
use veeam_em_api::Route;
use veeam_em_model::{DateTime, EntityReferences, Link, LinkList, PagingInfo, QueryResult, Text};

use crate::errors::Failure;
use crate::world::{kinds, Ctx, IndexSet, Kind, Value};

/// The query of a request, read from its parameters.
struct Params {
    format_entities: bool,
    filter: Option<Expr>,
    sort: Option<(String, bool)>,
    page_size: Option<u64>,
    page: u64,
    /// The parameters to repeat in paging links (all but `page`), as received.
    keep: Vec<(String, String)>,
}

fn params(route: &Route) -> Result<Params, Failure> {
    let mut p = Params {
        format_entities: false,
        filter: None,
        sort: None,
        page_size: None,
        page: 1,
        // The route's fixed parameters (`type=...`) come first in paging links.
        keep: route
            .entry
            .fixed_query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };
    for (name, value) in &route.query {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "format" => match value.to_ascii_lowercase().as_str() {
                "refs" => p.format_entities = false,
                "entities" => p.format_entities = true,
                _ => {
                    return Err(Failure::bad_request(format!(
                        "format={value}: the query service answers in Refs or Entities"
                    )))
                }
            },
            "filter" => {
                let expr = filter::parse(value)
                    .map_err(|e| Failure::bad_request(format!("filter={value}: {e}")))?;
                p.filter = Some(expr);
            }
            "sortasc" | "sortdesc" => {
                p.sort = Some((value.to_ascii_lowercase(), lower == "sortasc"));
            }
            "pagesize" => match value.parse::<u64>() {
                Ok(n) if n > 0 => p.page_size = Some(n),
                _ => {
                    return Err(Failure::bad_request(format!(
                        "pageSize={value}: give a number greater than 0"
                    )))
                }
            },
            "page" => match value.parse::<u64>() {
                Ok(n) if n > 0 => p.page = n,
                _ => {
                    return Err(Failure::bad_request(format!(
                        "page={value}: pages are numbered from 1"
                    )))
                }
            },
            _ => {}
        }
        if lower != "page" {
            p.keep.push((name.clone(), value.clone()));
        }
    }
    Ok(p)
}

/// Compares a field's value with a filter value.
fn compare(
    field: &str,
    value: &Value,
    op: CompareOp,
    literal: &FilterLiteral,
) -> Result<bool, Failure> {
    let text = literal.text();
    let wrong =
        |what: &str| Failure::bad_request(format!("{field} takes {what}, and {text:?} is not one"));
    let ordering = match value {
        Value::Absent => return Ok(op == CompareOp::Ne),
        Value::Text(v) | Value::Uid(v) => v.to_lowercase().cmp(&text.to_lowercase()),
        Value::Int(v) => v.cmp(&text.trim().parse::<i64>().map_err(|_| wrong("a number"))?),
        Value::Bool(v) => {
            let b = match text.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(wrong("true or false")),
            };
            v.cmp(&b)
        }
        Value::Time(v) => {
            let t = DateTime::parse(text).map_err(|_| wrong("a date and time"))?;
            let t = t
                .to_offset_date_time()
                .unwrap_or_else(|| t.local.assume_utc());
            v.cmp(&t)
        }
        Value::Enum { text: v, known } => {
            let rank = |s: &str| known.iter().position(|k| k.eq_ignore_ascii_case(s));
            let theirs = rank(text).ok_or_else(|| {
                Failure::bad_request(format!(
                    "{field} is one of {}; {text:?} is not",
                    known.join(", ")
                ))
            })?;
            rank(v).cmp(&Some(theirs))
        }
    };
    Ok(op.holds(ordering))
}

/// Orders two values of one field (absent first).
fn order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Absent, Value::Absent) => Ordering::Equal,
        (Value::Absent, _) => Ordering::Less,
        (_, Value::Absent) => Ordering::Greater,
        (Value::Text(x) | Value::Uid(x), Value::Text(y) | Value::Uid(y)) => {
            x.to_lowercase().cmp(&y.to_lowercase())
        }
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Time(x), Value::Time(y)) => x.cmp(y),
        (Value::Enum { text: x, known }, Value::Enum { text: y, .. }) => {
            let rank = |s: &str| known.iter().position(|k| *k == s);
            rank(x).cmp(&rank(y))
        }
        _ => Ordering::Equal,
    }
}

/// Where the items of a query type come from: a hand-written kind, or the generic world.
enum Source<'a> {
    Kind(&'a dyn Kind),
    Auto(
        &'static crate::auto::AutoKind,
        veeam_em_api::query::QueryTypeInfo,
    ),
}

impl Source<'_> {
    /// The fields filters and sorting may use (ASCII lower case).
    fn fields(&self) -> Vec<String> {
        match self {
            Source::Kind(k) => k.fields().iter().map(|f| (*f).to_owned()).collect(),
            Source::Auto(_, info) => info
                .fields
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect(),
        }
    }

    fn all(&self, cx: &Ctx<'_>) -> IndexSet {
        match self {
            Source::Kind(k) => k.all(cx.world),
            Source::Auto(k, _) => IndexSet::List(crate::auto::every_object(k)),
        }
    }

    fn field(&self, cx: &Ctx<'_>, i: u64, name: &str) -> Value {
        match self {
            Source::Kind(k) => k.field(cx.world, i, name).unwrap_or(Value::Absent),
            Source::Auto(k, _) => crate::auto::field(cx, k, i, name),
        }
    }

    fn reference(&self, cx: &Ctx<'_>, i: u64) -> veeam_em_model::EntityRef {
        match self {
            Source::Kind(k) => k.reference(cx, i),
            Source::Auto(k, _) => crate::auto::reference(cx, crate::auto::the_plan(), k, i),
        }
    }

    fn entities(&self, cx: &Ctx<'_>, items: &[u64]) -> Result<veeam_em_model::Entities, Failure> {
        match self {
            Source::Kind(k) => Ok(k.query_entities(cx, items)),
            Source::Auto(k, info) => crate::auto::query_entities(cx, k, items, info.path[1]),
        }
    }
}

/// Answers `GET /query?type=<query_type>`.
pub(crate) fn answer(
    cx: &Ctx<'_>,
    query_type: &str,
    route: &Route,
) -> Result<QueryResult, Failure> {
    let hand_written = kinds().iter().copied().find(|k| {
        k.query_type()
            .is_some_and(|t| t.eq_ignore_ascii_case(query_type))
    });
    let kind = match hand_written {
        Some(k) => Source::Kind(k),
        None => {
            let info = veeam_em_api::queries::info(query_type);
            match info.and_then(|i| crate::auto::kind_of_entity(i.entity).map(|k| (k, i))) {
                Some((k, i)) => Source::Auto(k, i),
                None => {
                    return Err(Failure::bad_request(format!(
                        "the simulator has no data for type={query_type}"
                    )))
                }
            }
        }
    };
    let p = params(route)?;
    let fields = kind.fields();
    let known_field = |name: &str| {
        let lower = name.to_ascii_lowercase();
        if fields.contains(&lower) {
            Ok(lower)
        } else {
            Err(Failure::bad_request(format!(
                "{name} is not a field of {query_type}; it has {}",
                fields.join(", ")
            )))
        }
    };
    if let Some(expr) = &p.filter {
        for (field, _, _) in expr.comparisons() {
            known_field(field)?;
        }
    }
    let sort = match &p.sort {
        Some((field, ascending)) => Some((known_field(field)?, *ascending)),
        None => None,
    };
    let all = kind.all(cx);
    // Without a filter or a sort, a page is a window of the kind's own order: no scan, so a
    // page of a million task sessions costs a page.
    let (total, page) = if p.filter.is_none() && sort.is_none() {
        let total = all.len();
        let (_, start, page_size) = window(&p, total);
        (total, all.window(start, page_size))
    } else {
        let mut items: Vec<u64> = match &p.filter {
            None => all.iter().collect(),
            Some(expr) => {
                let mut kept = Vec::new();
                for i in all.iter() {
                    let keep = expr.eval(&mut |field: &str, op, literal: &FilterLiteral| {
                        let name = field.to_ascii_lowercase();
                        let value = kind.field(cx, i, &name);
                        compare(field, &value, op, literal)
                    })?;
                    if keep {
                        kept.push(i);
                    }
                }
                kept
            }
        };
        if let Some((field, ascending)) = &sort {
            let mut keyed: Vec<(Value, u64)> = items
                .iter()
                .map(|&i| (kind.field(cx, i, field), i))
                .collect();
            keyed.sort_by(|a, b| {
                let o = order(&a.0, &b.0);
                if *ascending {
                    o
                } else {
                    o.reverse()
                }
            });
            items = keyed.into_iter().map(|(_, i)| i).collect();
        }
        let total = items.len() as u64;
        let (_, start, page_size) = window(&p, total);
        let page = items
            .iter()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(usize::try_from(page_size).unwrap_or(usize::MAX))
            .copied()
            .collect();
        (total, page)
    };
    let (pages, _, page_size) = window(&p, total);

    let mut result = QueryResult::default();
    if p.format_entities {
        result.entities = Some(kind.entities(cx, &page)?);
    } else {
        result.refs = Some(EntityReferences {
            refs: page.iter().map(|&i| kind.reference(cx, i)).collect(),
            unknown: Default::default(),
        });
    }
    result.paging_info = Some(paging(cx, &p, p.page, pages, page_size));
    Ok(result)
}

/// `(pages, first item, page size)` of a result of `total` items.
fn window(p: &Params, total: u64) -> (u64, u64, u64) {
    let page_size = p.page_size.unwrap_or(total.max(1));
    let pages = total.div_ceil(page_size).max(1);
    (pages, (p.page - 1).saturating_mul(page_size), page_size)
}

fn paging(cx: &Ctx<'_>, p: &Params, page: u64, pages: u64, page_size: u64) -> PagingInfo {
    let link = |rel: &str, n: u64| {
        let mut href = String::from("/query?");
        for (i, (name, value)) in p.keep.iter().enumerate() {
            if i > 0 {
                href.push('&');
            }
            href.push_str(&encode(name));
            href.push('=');
            href.push_str(&encode(value));
        }
        href.push_str(&format!("&page={n}"));
        Link {
            rel: Some(Text::from(rel)),
            type_: None,
            href: cx.href(&href),
            name: None,
            unknown: Default::default(),
        }
    };
    let mut links = vec![link("First", 1)];
    if page > 1 {
        links.push(link("Previous", (page - 1).min(pages)));
    }
    if page < pages {
        links.push(link("Next", page + 1));
    }
    links.push(link("Last", pages));
    let int = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
    PagingInfo {
        page_num: Some(int(page)),
        page_size: Some(int(page_size)),
        pages_count: Some(int(pages)),
        links: Some(LinkList {
            links,
            unknown: Default::default(),
        }),
        unknown: Default::default(),
    }
}

/// Percent-encodes a query part the way the client does (filters stay readable).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b';'
            | b','
            | b'('
            | b')'
            | b'!'
            | b'*'
            | b':'
            | b'@'
            | b'/' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
