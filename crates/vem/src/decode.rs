//! `vem decode [FILE|-] [--to json|xml]`: reads any document whose root element is in
//! `schemas/`, prints it as JSON (one key: the root element) or as XML as a server writes it.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use veeam_em_model::Document;

/// Output format of `vem decode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON: attributes and child elements as keys named as in the XML.
    Json,
    /// XML re-encoded in the server's form (schema order, default namespace).
    Xml,
}

/// Arguments of `vem decode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The XML document to read; `-` or nothing reads standard input.
    file: Option<PathBuf>,
    /// What to print.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    to: Format,
}

/// Runs the command; the error is the one-line message to print.
pub fn run(args: &Args) -> Result<(), String> {
    let (label, input) = read_input(args.file.as_deref())?;
    let document = Document::from_slice(&input).map_err(|e| format!("{label}:{e}"))?;
    let output = match args.to {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&document)
                .map_err(|e| format!("cannot encode JSON: {e}"))?;
            json.push('\n');
            json
        }
        Format::Xml => document.to_xml_string(),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write output: {e}"))
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
