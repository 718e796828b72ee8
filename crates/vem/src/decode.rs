//! `vem decode [--type NAME] [FILE|-]` and `vem encode`: read any document whose root element is
//! in `schemas/`, in either wire form (XML, or the server's JSON form: told apart by the first
//! character), and print it in the form `-o` names: JSON (the default of `decode`), XML as a
//! server writes it (the default of `encode`), or a table. The JSON form does not name its root
//! element: `--type` does, else the document's `Type` key when it names one.

use std::io::Read as _;
use std::path::PathBuf;

use veeam_em_model::{Document, Wire};

use crate::output::{self, Output};

/// Arguments of `vem decode` and `vem encode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document to read, XML or JSON; `-` or nothing reads standard input.
    file: Option<PathBuf>,
    /// The root element of a JSON document, e.g. `CloudTenants` or `CreateCloudTenantSpec`
    /// (needed when it has no `Type` key that names it; an XML document names its own).
    #[arg(long = "type", value_name = "NAME")]
    root: Option<String>,
}

/// Runs `decode` (`encode` when `default` is XML); the error is the one-line message to print.
pub fn run(args: &Args, output: Option<Output>, default: Output) -> Result<(), String> {
    let (label, input) = read_input(args.file.as_deref())?;
    if let Some(root) = &args.root {
        if !Document::ROOT_ELEMENTS.contains(&root.as_str()) {
            return Err(format!(
                "--type {root}: no root element of that name (e.g. {})",
                close_names(root).join(", ")
            ));
        }
    }
    let wire = Wire::sniff(&input);
    let document = Document::from_wire(wire, args.root.as_deref(), &input)
        .map_err(|e| format!("{label}:{e}"))?;
    if wire == Wire::Xml {
        if let Some(root) = &args.root {
            if root != document.root_element() {
                return Err(format!(
                    "{label}: the document's root element is {}, not {root}",
                    document.root_element()
                ));
            }
        }
    }
    if default == Output::Xml {
        // `vem encode` writes bodies: never one that carries the placeholder of a secret.
        output::refuse_placeholder(&document, &label)?;
    }
    output::print_document(&document, None, output.unwrap_or(default))
}

/// Root element names that contain `name` or that `name` contains, ignoring case (at most 5).
fn close_names(name: &str) -> Vec<&'static str> {
    let lower = name.to_ascii_lowercase();
    let mut found: Vec<&'static str> = Document::ROOT_ELEMENTS
        .iter()
        .copied()
        .filter(|r| {
            let r = r.to_ascii_lowercase();
            r.contains(&lower) || lower.contains(&r)
        })
        .take(5)
        .collect();
    if found.is_empty() {
        found = vec!["CloudTenants", "CreateCloudTenantSpec", "EntityReferences"];
    }
    found
}

/// The bytes of `file` (standard input for `None` or `-`) and a label for messages.
pub fn read_input(file: Option<&std::path::Path>) -> Result<(String, Vec<u8>), String> {
    Ok(match file {
        None => ("<stdin>".to_owned(), read_stdin()?),
        Some(p) if p.as_os_str() == "-" => ("<stdin>".to_owned(), read_stdin()?),
        Some(path) => (
            path.display().to_string(),
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        ),
    })
}

fn read_stdin() -> Result<Vec<u8>, String> {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(input)
}
