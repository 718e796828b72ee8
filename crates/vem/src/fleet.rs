//! One command against several servers at once (`--context a --context b`, `--all-contexts`):
//! each server asked on a thread of its own, what each prints held, then printed together.
//!
//! - a table gets a first `SERVER` column (servers whose tables have other columns print one
//!   after another);
//! - `-o json` prints an array of `{"Server": NAME, "Response": <the server's JSON form>}`;
//! - `-o jsonl` prints one item a line with a `Server` key first.
//!
//! A server that fails is said on standard error (`vem: [NAME] ...`) and the others still
//! print; vem then ends with the first failure's exit status. One context prints exactly what
//! one server sends: this module is not used then.

use serde_json::{Map, Value};

use crate::connect::Connection;
use crate::exit::{Exit, Failure};
use crate::output::{print, Held, Output};
use crate::table::Table;

/// Runs `command` against every server, concurrently, and prints what they answered.
pub fn run(
    servers: Vec<(String, Connection)>,
    output: Output,
    command: &(dyn Fn(&Connection) -> Result<(), Failure> + Sync),
) -> Result<(), Failure> {
    if output == Output::Xml {
        return Err(Failure::new(
            Exit::Usage,
            "-o xml prints one server's document; with several contexts use -o json, jsonl or table",
        ));
    }
    let answers: Vec<(String, Result<(), Failure>, Vec<Held>)> = std::thread::scope(|scope| {
        let running: Vec<_> = servers
            .iter()
            .map(|(name, connection)| {
                scope.spawn(move || {
                    let (result, held) = crate::output::holding(|| command(connection));
                    (name.clone(), result, held)
                })
            })
            .collect();
        running
            .into_iter()
            .zip(&servers)
            .map(|(thread, (name, _))| {
                thread.join().unwrap_or_else(|_| {
                    (
                        name.clone(),
                        Err(Failure::new(Exit::Local, "the request thread failed")),
                        Vec::new(),
                    )
                })
            })
            .collect()
    });
    let mut first_failure: Option<Exit> = None;
    let mut failed = 0;
    let mut printed: Vec<(String, Vec<Held>)> = Vec::new();
    for (name, result, held) in answers {
        if let Err(failure) = result {
            eprintln!("vem: [{name}] {}", failure.message);
            first_failure.get_or_insert(failure.exit);
            failed += 1;
        }
        printed.push((name, held));
    }
    let text = match output {
        Output::Table => tables(printed),
        Output::Json => json(printed)?,
        Output::Jsonl => jsonl(printed)?,
        Output::Xml => unreachable!("refused above"),
    };
    print(&text)?;
    match first_failure {
        Some(exit) => Err(Failure::new(
            exit,
            format!(
                "{failed} of {} servers failed (said above); the exit status is the first one's",
                servers.len()
            ),
        )),
        None => Ok(()),
    }
}

/// The tables with a `SERVER` column, merged where their columns agree.
fn tables(printed: Vec<(String, Vec<Held>)>) -> String {
    let mut merged: Vec<Table> = Vec::new();
    let mut loose = String::new();
    for (name, held) in printed {
        for item in held {
            let table = match item {
                Held::Table(table) => table,
                // A document without a table shape: its JSON, under the server's name.
                Held::Document(doc) => {
                    loose.push_str(&format!("# {name}\n{}", doc.to_json_pretty()));
                    continue;
                }
            };
            let table = table.with_first_column("SERVER", &name);
            match merged.iter_mut().find(|t| t.headers() == table.headers()) {
                Some(same) => same.extend(table),
                None => merged.push(table),
            }
        }
    }
    let mut out: Vec<String> = merged.iter().map(Table::render).collect();
    if !loose.is_empty() {
        out.push(loose);
    }
    out.join("\n")
}

fn to_value(doc: &veeam_em_model::Document) -> Result<Value, Failure> {
    serde_json::to_value(doc).map_err(|e| Failure::new(Exit::Local, e.to_string()))
}

/// `[{"Server": NAME, "Response": ...}, ...]`.
fn json(printed: Vec<(String, Vec<Held>)>) -> Result<String, Failure> {
    let mut array = Vec::new();
    for (name, held) in printed {
        for item in held {
            if let Held::Document(doc) = item {
                let mut entry = Map::new();
                entry.insert("Server".into(), Value::String(name.clone()));
                entry.insert("Response".into(), to_value(&doc)?);
                array.push(Value::Object(entry));
            }
        }
    }
    let text = serde_json::to_string_pretty(&Value::Array(array))
        .map_err(|e| Failure::new(Exit::Local, e.to_string()))?;
    Ok(text + "\n")
}

/// One item a line, each with `"Server": NAME` first.
fn jsonl(printed: Vec<(String, Vec<Held>)>) -> Result<String, Failure> {
    let mut out = String::new();
    for (name, held) in printed {
        for item in held {
            let Held::Document(doc) = item else { continue };
            let mut items = crate::stream::json_items(&doc);
            if items.is_empty() && !matches!(*doc, veeam_em_model::Document::QueryResult(_)) {
                items.push(to_value(&doc)?);
            }
            for item in items {
                let mut line = Map::new();
                line.insert("Server".into(), Value::String(name.clone()));
                match item {
                    Value::Object(members) => line.extend(members),
                    other => {
                        line.insert("Item".into(), other);
                    }
                }
                out.push_str(&Value::Object(line).to_string());
                out.push('\n');
            }
        }
    }
    Ok(out)
}
