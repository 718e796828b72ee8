//! `--all`: the items of every page printed as the pages arrive, so that the first line comes
//! with the first page and memory holds one page, not the whole listing.
//!
//! - `-o table`: one header, then rows; columns as wide as the widest cell seen so far.
//! - `-o json`: one JSON array of the items (each in the server's JSON form), written item by
//!   item.
//! - `-o jsonl`: one item a line.
//! - `-o xml`: each page's `QueryResult` as the server sent it, one after the other.

use serde_json::Value;
use veeam_em_model::Document;

use crate::output::{print, Output};
use crate::table::table_of;

/// Where the items of the pages go.
#[derive(Debug)]
pub struct Items {
    output: Output,
    /// Items printed so far.
    pub count: usize,
    widths: Vec<usize>,
    header: bool,
}

/// The items of a document in the JSON form: a query result's references or the entities of
/// its list, or the items of a list document (`{"Jobs": [...]}`).
pub fn json_items(page: &Document) -> Vec<Value> {
    let Ok(value) = serde_json::to_value(page) else {
        return Vec::new();
    };
    let take = |v: &Value| v.as_array().cloned().unwrap_or_default();
    if let Some(refs) = value.get("Refs").filter(|v| v.is_object()) {
        return take(&refs["Refs"]);
    }
    for holder in ["Entities", "Resources"] {
        let Some(Value::Object(lists)) = value.get(holder) else {
            continue;
        };
        // The one list that is there, e.g. {"CdpReplicaTaskSessions": {"CdpReplicaTaskSessions": [...]}}.
        for (key, list) in lists.iter().filter(|(_, l)| !l.is_null()) {
            if let Some(items) = list.get(key).and_then(Value::as_array) {
                return items.clone();
            }
            if let Some(items) = list.as_array() {
                return items.clone();
            }
        }
    }
    if matches!(page, Document::QueryResult(_)) {
        return Vec::new();
    }
    // A list document: its one array of objects.
    match &value {
        Value::Object(members) if members.len() <= 2 => members
            .values()
            .find_map(|v| {
                v.as_array()
                    .filter(|a| !a.is_empty() && a.iter().all(Value::is_object))
            })
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl Items {
    pub fn new(output: Output) -> Self {
        Self {
            output,
            count: 0,
            widths: Vec::new(),
            header: false,
        }
    }

    /// Prints the items of one page (`raw`: the body as received).
    pub fn page(&mut self, page: &Document, raw: &[u8]) -> Result<(), String> {
        match self.output {
            Output::Xml => {
                self.count += crate::get::items_in_document(page);
                let mut text = String::from_utf8_lossy(raw).into_owned();
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                print(&text)
            }
            Output::Json | Output::Jsonl => {
                let items = json_items(page);
                let mut out = String::new();
                for item in &items {
                    if self.output == Output::Jsonl {
                        out.push_str(&item.to_string());
                        out.push('\n');
                    } else {
                        out.push_str(if self.count == 0 { "[\n" } else { ",\n" });
                        let pretty =
                            serde_json::to_string_pretty(item).map_err(|e| e.to_string())?;
                        for (i, line) in pretty.lines().enumerate() {
                            if i > 0 {
                                out.push('\n');
                            }
                            out.push_str("  ");
                            out.push_str(line);
                        }
                    }
                    self.count += 1;
                }
                print(&out)
            }
            Output::Table => {
                let Some(table) = table_of(page) else {
                    return Err("no table for these items: use -o json".to_owned());
                };
                self.count += table.len();
                let text = table.render_rows(&mut self.widths, !self.header);
                self.header = true;
                print(&text)
            }
        }
    }

    /// Ends the listing (closes the JSON array).
    pub fn finish(self) -> Result<(), String> {
        match self.output {
            Output::Json if self.count == 0 => print("[]\n"),
            Output::Json => print("\n]\n"),
            Output::Table if !self.header => print("(no items)\n"),
            _ => Ok(()),
        }
    }
}
