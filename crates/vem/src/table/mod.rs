//! Tables for people: aligned columns, cells written the way people read them (dates without
//! `T` and zone, sizes in GiB), the table of any document (`table_of`: the known shapes with
//! their columns, every other document by the columns people look for), printed by `output.rs`.
//! The CDP family's tables are in `cdp.rs`.

mod cdp;

use veeam_em_model::{DateTime, Document, EntityRef, Task};

use self::cdp::{policies_table, replicas_table, sessions_table, task_sessions_table};

/// A table: headers and rows of cells, printed with aligned columns.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Self {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Its column headers.
    pub fn headers(&self) -> &[&'static str] {
        &self.headers
    }

    /// This table with a first column `header` holding `value` in every row.
    pub fn with_first_column(self, header: &'static str, value: &str) -> Table {
        let mut headers = vec![header];
        headers.extend(self.headers);
        Table {
            headers,
            rows: self
                .rows
                .into_iter()
                .map(|row| std::iter::once(value.to_owned()).chain(row).collect())
                .collect(),
        }
    }

    /// Adds the rows of `other` (a table with the same columns).
    pub fn extend(&mut self, other: Table) {
        self.rows.extend(other.rows);
    }

    /// How many rows it has.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn render(&self) -> String {
        self.render_rows(&mut Vec::new(), true)
    }

    /// The rows (and the header line when `header`), with columns at least `widths` wide;
    /// `widths` grows to what these rows need (a listing printed page by page keeps them).
    pub fn render_rows(&self, widths: &mut Vec<usize>, header: bool) -> String {
        if widths.len() < self.headers.len() {
            widths.resize(self.headers.len(), 0);
        }
        for (w, h) in widths.iter_mut().zip(&self.headers) {
            *w = (*w).max(h.chars().count());
        }
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.chars().count());
                }
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut out = String::new();
            for (i, cell) in cells.enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                out.push_str(cell);
                if i + 1 < widths.len() {
                    let pad = widths[i].saturating_sub(cell.chars().count());
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.trim_end().to_owned()
        };
        let mut out = String::new();
        if header {
            out.push_str(&line(&mut self.headers.iter().copied()));
            out.push('\n');
        }
        for row in &self.rows {
            out.push_str(&line(&mut row.iter().map(String::as_str)));
            out.push('\n');
        }
        out
    }
}

fn text(value: Option<&veeam_em_model::Text>) -> String {
    value.map(|t| t.to_string()).unwrap_or_default()
}

/// A time as `YYYY-MM-DD HH:MM:SS` (the API's times are UTC).
pub fn time(value: Option<&DateTime>) -> String {
    let Some(t) = value else {
        return String::new();
    };
    let (d, c) = (t.local.date(), t.local.time());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        d.year(),
        u8::from(d.month()),
        d.day(),
        c.hour(),
        c.minute(),
        c.second()
    )
}

fn size(bytes: Option<i64>) -> String {
    match bytes {
        Some(b) if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30)),
        Some(b) if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        Some(b) => format!("{b} B"),
        None => String::new(),
    }
}

fn uid(value: Option<&veeam_em_model::Uid>) -> String {
    value.map(ToString::to_string).unwrap_or_default()
}

fn display<T: std::fmt::Display>(value: Option<&T>) -> String {
    value.map(ToString::to_string).unwrap_or_default()
}

fn refs_table(items: &[EntityRef]) -> Table {
    let mut t = Table::new(&["NAME", "TYPE", "UID"]);
    for r in items {
        t.row(vec![
            text(r.name.as_ref()),
            r.type_.to_string(),
            r.uid.to_string(),
        ]);
    }
    t
}

fn tasks_table(items: &[Task]) -> Table {
    let mut t = Table::new(&["TASK", "STATE", "OPERATION", "RESULT"]);
    for task in items {
        t.row(vec![
            task.task_id.to_string(),
            task.state.to_string(),
            task.operation.to_string(),
            match &task.result {
                Some(r) if r.success => format!("success: {}", text(r.message.as_ref())),
                Some(r) => format!("failed: {}", text(r.message.as_ref())),
                None => String::new(),
            },
        ]);
    }
    t
}

/// The table of a document, if it has one.
pub fn table_of(doc: &Document) -> Option<Table> {
    Some(match doc {
        Document::CdpPolicies(l) => policies_table(&l.cdp_policies),
        Document::CdpPolicy(p) => policies_table(std::slice::from_ref(p)),
        Document::CdpReplicas(l) => replicas_table(&l.cdp_replicas),
        Document::CdpReplica(r) => replicas_table(std::slice::from_ref(r)),
        Document::CdpReplicaSessions(l) => sessions_table(
            &l.cdp_replica_session_items
                .iter()
                .map(|i| match i {
                    veeam_em_model::CdpReplicaSessionItem::CdpReplicaSession(s)
                    | veeam_em_model::CdpReplicaSessionItem::CdpPolicySession(s) => s.clone(),
                })
                .collect::<Vec<_>>(),
        ),
        Document::CdpReplicaSession(s) => sessions_table(std::slice::from_ref(s)),
        Document::CdpReplicaTaskSessions(l) => task_sessions_table(&l.cdp_replica_task_sessions),
        Document::CdpReplicaTaskSession(s) => task_sessions_table(std::slice::from_ref(s)),
        Document::EntityReferences(l) => refs_table(&l.refs),
        Document::EntityRef(r) => refs_table(std::slice::from_ref(r)),
        Document::Tasks(l) => tasks_table(&l.tasks),
        Document::Task(t) => tasks_table(std::slice::from_ref(t)),
        Document::QueryResult(q) => {
            if let Some(refs) = &q.refs {
                refs_table(&refs.refs)
            } else {
                let list = q
                    .entities
                    .as_ref()?
                    .list
                    .as_ref()?
                    .clone()
                    .into_document()?;
                return table_of(&list);
            }
        }
        // Every other document: its items (or itself) with the columns people look for.
        other => generic_table(other)?,
    })
}

/// The fields shown in a table of any document, in this order, when the items have them.
const COLUMNS: &[&str] = &[
    "Name",
    "VmDisplayName",
    "JobType",
    "JobName",
    "Platform",
    "State",
    "Status",
    "Result",
    "CreationTimeUTC",
    "CreationTime",
    "EndTimeUTC",
    "EndTime",
    "Progress",
    "TotalSize",
    "BackupSize",
    "DataSize",
    "Description",
    "UID",
];

/// A table of any document from its JSON form: a list document's items (its array of objects)
/// as rows, or the document itself as one row; the [`COLUMNS`] the rows have (else their first
/// simple fields). `None` when there is nothing tabular.
fn generic_table(doc: &Document) -> Option<Table> {
    let root = serde_json::to_value(doc).ok()?;
    let rows: Vec<&serde_json::Map<String, serde_json::Value>> = match &root {
        // A flat list: the array itself.
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_object()).collect(),
        serde_json::Value::Object(members) => match members.values().find_map(|v| {
            v.as_array()
                .filter(|a| a.iter().all(serde_json::Value::is_object))
        }) {
            // A list: its one key holds the items (`{"Jobs": [...]}`).
            Some(items) if members.len() <= 2 => {
                items.iter().filter_map(|v| v.as_object()).collect()
            }
            // An empty list (`{"Jobs": null}`): no rows.
            None if members.len() == 1 && members.values().all(|v| v.is_null()) => Vec::new(),
            _ => vec![members],
        },
        _ => return None,
    };
    let simple = |v: &serde_json::Value| !v.is_object() && !v.is_array();
    let mut columns: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| rows.iter().any(|r| r.get(*c).is_some_and(simple)))
        .collect();
    if rows.is_empty() {
        // An empty list: the headers people would see.
        columns = vec!["Name", "UID"];
    } else if columns.len() < 2 {
        let first = rows.first()?;
        columns = first
            .iter()
            .filter(|(k, v)| simple(v) && *k != "Href" && *k != "Type")
            .map(|(k, _)| k.as_str())
            .take(6)
            .collect();
    }
    if columns.is_empty() {
        return None;
    }
    let headers: Vec<&'static str> = columns
        .iter()
        .map(|c| &*Box::leak(header(c).into_boxed_str()))
        .collect();
    let mut table = Table::new(&headers);
    for row in rows {
        table.row(
            columns
                .iter()
                .map(|c| row.get(*c).map_or_else(String::new, |v| cell(c, v)))
                .collect(),
        );
    }
    Some(table)
}

/// `CreationTimeUTC` -> `CREATION TIME (UTC)`.
fn header(field: &str) -> String {
    let (base, utc) = match field.strip_suffix("UTC") {
        Some(b) => (b, " (UTC)"),
        None => (field, ""),
    };
    let mut out = String::new();
    let chars: Vec<char> = base.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars.get(i + 1).is_some_and(char::is_ascii_lowercase));
        if boundary {
            out.push(' ');
        }
        out.push(c.to_ascii_uppercase());
    }
    out + utc
}

/// A cell: dates without their `T` and zone, sizes in GiB, text as it is.
fn cell(field: &str, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => match DateTime::parse(s) {
            Ok(t) if field.contains("Time") || field.ends_with("Date") => time(Some(&t)),
            _ => s.clone(),
        },
        serde_json::Value::Number(n) if field.contains("Size") => size(n.as_i64()),
        // An absent element (the JSON form writes it as null).
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}
