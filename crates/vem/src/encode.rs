//! `vem encode [FILE|-]`: the reverse of `vem decode`. Reads the JSON form of an API document
//! (one key, the root element's name) and prints it as the XML a server reads, so request
//! bodies can be written as JSON. Mistakes are reported with their place in the JSON.

use std::io::Write as _;
use std::path::PathBuf;

use veeam_em_model::Document;

/// Arguments of `vem encode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The JSON document to read; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

/// Runs the command; the error is the one-line message to print.
pub fn run(args: &Args) -> Result<(), String> {
    let (label, input) = crate::decode::read_input(args.file.as_deref())?;
    let mut json = serde_json::Deserializer::from_slice(&input);
    let document: Document = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let inner = e.inner();
        let at = match e.path().to_string().as_str() {
            "." => String::new(),
            path => format!(" at {path}"),
        };
        format!(
            "{label}:{}:{}{at}: {}",
            inner.line(),
            inner.column(),
            without_location(inner)
        )
    })?;
    json.end().map_err(|e| {
        format!(
            "{label}:{}:{}: {}",
            e.line(),
            e.column(),
            without_location(&e)
        )
    })?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(document.to_xml_string().as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write output: {e}"))
}

/// serde_json's message without its trailing ` at line L column C` (the message starts with it).
fn without_location(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}
