//! Writing to standard output, for every command and both binaries (`vem`, `vem-exporter`): a
//! reader that stops reading (`vem ... | head`) is not an error.

use std::io::Write as _;

/// Writes `text` to standard output.
pub fn print(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // The reader stopped reading: nothing more to say.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| format!("cannot write output: {e}")),
    }
}
