//! What `vem` prints: a table for people (on a terminal, or `--output table`), JSON for programs
//! (the same shape as `vem decode`), or the XML as the server sent it. The tables themselves are
//! in `table/`.

use std::io::IsTerminal as _;

use veeam_em_model::Document;

use crate::table::{table_of, Table};

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

pub use crate::stdout::print;

/// The JSON of a document, in the server's form (indented).
pub fn json(doc: &Document) -> Result<String, String> {
    Ok(doc.to_json_pretty())
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
