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
use veeam_em_model::{
    DateTime, Entities, EntityReferences, Link, LinkList, PagingInfo, QueryResult, Text,
};

use crate::errors::Failure;
use crate::registry::{KindId, Obj};
use crate::render::documents;
use crate::state::State;
use crate::world::{IndexSet, Value, World};

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
                p.sort = Some((value.to_owned(), lower == "sortasc"));
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

/// Answers `GET /query?type=<query_type>`: the objects of every kind whose entity is the type's.
pub(crate) fn answer(
    state: &State,
    query_type: &str,
    route: &Route,
    base: &str,
) -> Result<QueryResult, Failure> {
    let w: &dyn World = state;
    let kinds = w.registry().of_query(query_type);
    let info = veeam_em_api::queries::info(query_type);
    let (Some(info), false) = (info, kinds.is_empty()) else {
        return Err(Failure::bad_request(format!(
            "the simulator has no data for type={query_type}"
        )));
    };
    let p = params(route)?;
    let fields: Vec<String> = info
        .fields
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    let known_field = |name: &str| {
        let lower = name.to_ascii_lowercase();
        if fields.contains(&lower) {
            Ok(lower)
        } else {
            let declared: Vec<&str> = info.fields.iter().map(|(n, _)| *n).collect();
            Err(Failure::bad_request(format!(
                "{name} is not a field of {query_type}; it has {}",
                declared.join(", ")
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
    let sets: Vec<(KindId, IndexSet)> = kinds.iter().map(|&k| (k, w.objects(k))).collect();
    let total_all: u64 = sets.iter().map(|(_, s)| s.len()).sum();
    // Without a filter or a sort, a page is a window of the kinds' own order: no scan, so a page
    // of a million task sessions costs a page.
    let (total, page): (u64, Vec<Obj>) = if p.filter.is_none() && sort.is_none() {
        let (_, start, page_size) = window(&p, total_all);
        let mut page = Vec::new();
        let mut skip = start;
        for (kind, set) in &sets {
            let len = set.len();
            if skip >= len {
                skip -= len;
                continue;
            }
            let want = page_size.saturating_sub(page.len() as u64);
            page.extend(
                set.window(skip, want)
                    .into_iter()
                    .map(|index| Obj { kind: *kind, index }),
            );
            skip = 0;
            if page.len() as u64 >= page_size {
                break;
            }
        }
        (total_all, page)
    } else {
        let mut items: Vec<Obj> = Vec::new();
        for (kind, set) in &sets {
            for index in set.iter() {
                let o = Obj { kind: *kind, index };
                let keep = match &p.filter {
                    None => true,
                    Some(expr) => expr.eval(&mut |field: &str, op, literal: &FilterLiteral| {
                        let value = state.query_field(o, field);
                        compare(field, &value, op, literal)
                    })?,
                };
                if keep {
                    items.push(o);
                }
            }
        }
        if let Some((field, ascending)) = &sort {
            let mut keyed: Vec<(Value, Obj)> = items
                .iter()
                .map(|&o| (state.query_field(o, field), o))
                .collect();
            keyed.sort_by(|a, b| {
                let o = order(&a.0, &b.0);
                if *ascending {
                    o
                } else {
                    o.reverse()
                }
            });
            items = keyed.into_iter().map(|(_, o)| o).collect();
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
        result.entities = Some(entities(state, &info, &page, base)?);
    } else {
        result.refs = Some(EntityReferences {
            refs: page
                .iter()
                .map(|&o| documents::reference(w, o, base))
                .collect(),
            unknown: Default::default(),
        });
    }
    result.paging_info = Some(paging(base, &p, p.page, pages, page_size));
    Ok(result)
}

/// The entities of a page (of one kind, or several, one after the other).
fn entities(
    state: &State,
    info: &veeam_em_api::query::QueryTypeInfo,
    page: &[Obj],
    base: &str,
) -> Result<Entities, Failure> {
    let w: &dyn World = state;
    let list = info.path[1];
    let item = info.items.first().copied().unwrap_or(info.entity);
    match page.first() {
        None => documents::query_entities(
            w,
            None,
            w.registry().of_query(info.name)[0],
            &[],
            list,
            item,
            base,
        ),
        Some(first) if page.iter().all(|o| o.kind == first.kind) => {
            let items: Vec<u64> = page.iter().map(|o| o.index).collect();
            documents::query_entities(
                w,
                state.claimant(first.kind),
                first.kind,
                &items,
                list,
                item,
                base,
            )
        }
        Some(_) => {
            let mut xml =
                format!("<QueryResult xmlns=\"http://www.veeam.com/ent/v1.0\"><Entities><{list}>");
            for &o in page {
                let one = documents::entity_xml(w, state.claimant(o.kind), o, base)?;
                xml.push_str(&documents::as_item(&one, info.entity, item));
            }
            xml.push_str(&format!("</{list}></Entities></QueryResult>"));
            match documents::decode(&xml)? {
                veeam_em_model::Document::QueryResult(r) => Ok(r.entities.unwrap_or_default()),
                _ => Err(Failure::bad_request("not a query result")),
            }
        }
    }
}

/// `(pages, first item, page size)` of a result of `total` items.
fn window(p: &Params, total: u64) -> (u64, u64, u64) {
    let page_size = p.page_size.unwrap_or(total.max(1));
    let pages = total.div_ceil(page_size).max(1);
    (pages, (p.page - 1).saturating_mul(page_size), page_size)
}

fn paging(base: &str, p: &Params, page: u64, pages: u64, page_size: u64) -> PagingInfo {
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
            href: crate::render::links::href(base, &href),
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
