//! What `vem` prints: a table for people (on a terminal, or `--output table`), JSON for programs
//! (the same shape as `vem decode`), or the XML as the server sent it.

use std::io::{IsTerminal as _, Write as _};

use veeam_em_model::{
    CdpPolicy, CdpReplica, CdpReplicaSession, CdpReplicaTaskSession, DateTime, Document, EntityRef,
    Task,
};

/// How to print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Aligned columns of the fields people look at (the default on a terminal).
    Table,
    /// The server's JSON form, as `vem decode` prints it (the default otherwise).
    Json,
    /// XML, as the server sent it.
    Xml,
    /// One JSON value a line: the items of a list (with `--all`, as the pages arrive), or the
    /// document.
    Jsonl,
}

impl Output {
    /// `choice`, or the default for where standard output goes.
    pub fn resolve(choice: Option<Output>) -> Output {
        choice.unwrap_or(if std::io::stdout().is_terminal() {
            Output::Table
        } else {
            Output::Json
        })
    }
}

/// What a command printed for one server while its output was held (several contexts at once,
/// `crate::fleet`): documents (redacted unless `--show-secrets`) and tables.
#[derive(Debug)]
pub enum Held {
    Document(Box<Document>),
    Table(Table),
}

thread_local! {
    /// Where this thread's documents and tables go instead of standard output, when set.
    static HELD: std::cell::RefCell<Option<Vec<Held>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with what it prints held, and returns that with its result.
pub fn holding<R>(f: impl FnOnce() -> R) -> (R, Vec<Held>) {
    HELD.with(|h| *h.borrow_mut() = Some(Vec::new()));
    let result = f();
    let held = HELD.with(|h| h.borrow_mut().take()).unwrap_or_default();
    (result, held)
}

/// Whether this thread's output is held.
pub fn is_held() -> bool {
    HELD.with(|h| h.borrow().is_some())
}

/// Keeps `item` when this thread's output is held; gives it back otherwise.
fn hold(item: Held) -> Option<Held> {
    HELD.with(|h| match h.borrow_mut().as_mut() {
        Some(held) => {
            held.push(item);
            None
        }
        None => Some(item),
    })
}

/// Prints a table (or holds it).
pub fn print_table(table: Table) -> Result<(), String> {
    match hold(Held::Table(table)) {
        Some(Held::Table(table)) => print(&table.render()),
        _ => Ok(()),
    }
}

/// Writes `text` to standard output.
pub fn print(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // The reader stopped reading (`vem ... | head`): nothing more to say.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| format!("cannot write output: {e}")),
    }
}

/// The JSON of a document, in the server's form (indented).
pub fn json(doc: &Document) -> Result<String, String> {
    Ok(doc.to_json_pretty())
}

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

pub fn policies_table(items: &[CdpPolicy]) -> Table {
    let mut t = Table::new(&["NAME", "PLATFORM", "ENABLED", "NEXT RUN (UTC)", "UID"]);
    for p in items {
        t.row(vec![
            text(p.name.as_ref()),
            display(p.platform.as_ref()),
            match p.schedule_enabled {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            time(p.next_run.as_ref()),
            uid(p.uid.as_ref()),
        ]);
    }
    t
}

pub fn replicas_table(items: &[CdpReplica]) -> Table {
    let mut t = Table::new(&["NAME", "POLICY", "BACKUP SERVER", "UID"]);
    for r in items {
        t.row(vec![
            text(r.name.as_ref()),
            text(r.policy_name.as_ref()),
            text(r.backup_server.as_ref()),
            uid(r.uid.as_ref()),
        ]);
    }
    t
}

pub fn sessions_table(items: &[CdpReplicaSession]) -> Table {
    let mut t = Table::new(&["NAME", "STATE", "RESULT", "START (UTC)", "END (UTC)", "UID"]);
    for s in items {
        t.row(vec![
            text(s.name.as_ref()),
            display(s.state.as_ref()),
            display(s.result.as_ref()),
            time(s.creation_time_utc.as_ref()),
            time(s.end_time_utc.as_ref()),
            uid(s.uid.as_ref()),
        ]);
    }
    t
}

pub fn task_sessions_table(items: &[CdpReplicaTaskSession]) -> Table {
    let mut t = Table::new(&[
        "VM",
        "STATE",
        "RESULT",
        "START (UTC)",
        "END (UTC)",
        "SIZE",
        "UID",
    ]);
    for s in items {
        t.row(vec![
            text(s.vm_display_name.as_ref()),
            display(s.state.as_ref()),
            display(s.result.as_ref()),
            time(s.creation_time_utc.as_ref()),
            time(s.end_time_utc.as_ref()),
            size(s.total_size),
            uid(s.uid.as_ref()),
        ]);
    }
    t
}

pub fn refs_table(items: &[EntityRef]) -> Table {
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

pub fn tasks_table(items: &[Task]) -> Table {
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

/// Prints a document in the chosen form; `raw` is the body as received (printed as it is for
/// `-o xml` when it is XML).
pub fn print_document(doc: &Document, raw: Option<&[u8]>, output: Output) -> Result<(), String> {
    let redacted;
    let (doc, raw) = if SHOW_SECRETS.load(std::sync::atomic::Ordering::Relaxed) {
        (doc, raw)
    } else {
        redacted = redact(doc, raw)?;
        match &redacted {
            Some((doc, xml)) => (doc, Some(xml.as_bytes())),
            None => (doc, raw),
        }
    };
    if output != Output::Table && is_held() {
        hold(Held::Document(Box::new(doc.clone())));
        return Ok(());
    }
    match output {
        Output::Json => print(&json(doc)?),
        Output::Jsonl => {
            let items = crate::stream::json_items(doc);
            let mut out = String::new();
            if items.is_empty() && !matches!(doc, Document::QueryResult(_)) {
                let value = serde_json::to_value(doc).map_err(|e| e.to_string())?;
                out.push_str(&value.to_string());
                out.push('\n');
            }
            for item in items {
                out.push_str(&item.to_string());
                out.push('\n');
            }
            print(&out)
        }
        Output::Xml => {
            match raw.filter(|b| veeam_em_model::Wire::sniff(b) == veeam_em_model::Wire::Xml) {
                Some(bytes) => print(&String::from_utf8_lossy(bytes)),
                None => print(&doc.to_xml_string()),
            }
        }
        Output::Table => match table_of(doc) {
            Some(table) => print_table(table),
            None => print(&json(doc)?),
        },
    }
}

/// `--show-secrets`: print secret members (passwords) as they are.
static SHOW_SECRETS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `--show-secrets` for the whole run.
pub fn set_show_secrets(show: bool) {
    SHOW_SECRETS.store(show, std::sync::atomic::Ordering::Relaxed);
}

/// The document with its secret members (`<em:secret/>` in the schemas) shown as
/// `<redacted>`, and its XML; `None` when it holds none.
fn redact(doc: &Document, raw: Option<&[u8]>) -> Result<Option<(Document, String)>, String> {
    let xml = match raw.filter(|b| veeam_em_model::Wire::sniff(b) == veeam_em_model::Wire::Xml) {
        Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        None => doc.to_xml_string(),
    };
    let redacted = veeam_em_model::redact::redact_xml(&xml)
        .ok_or("the document to print is not well-formed XML")?;
    if redacted == xml {
        return Ok(None);
    }
    let doc = Document::from_slice(redacted.as_bytes()).map_err(|e| e.to_string())?;
    Ok(Some((doc, redacted)))
}

/// A refusal of a body that holds the `<redacted>` placeholder where a secret belongs.
pub fn refuse_placeholder(doc: &Document, label: &str) -> Result<(), String> {
    if veeam_em_model::redact::holds_placeholder(&doc.to_xml_string()) {
        return Err(format!(
            "{label} holds {} where a secret belongs (vem prints secrets redacted): put the real value, or leave the member out",
            veeam_em_model::redact::PLACEHOLDER
        ));
    }
    Ok(())
}

/// `--quiet`: no progress on standard error.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets `--quiet` for the whole run.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `--quiet` is on.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Shows "page N of M" on standard error while a long listing runs on a terminal.
#[derive(Debug)]
pub struct Progress {
    on: bool,
}

impl Progress {
    pub fn new() -> Self {
        Self {
            on: std::io::stderr().is_terminal()
                && !QUIET.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    pub fn update(&self, page: u32, pages: u32, items: usize) {
        if self.on && pages > 1 {
            eprint!("\rpage {page} of {pages}, {items} items");
        }
    }

    /// Shows where a waited-for task stands.
    pub fn task(&self, task: &veeam_em_model::Task, waited: std::time::Duration) {
        if self.on {
            eprint!(
                "\r\x1b[2Ktask {} ({}): {:?}, {:.1} s",
                task.task_id,
                task.operation,
                task.state,
                waited.as_secs_f64()
            );
        }
    }

    pub fn done(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}
