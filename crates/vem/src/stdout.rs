//! Writing to standard output, for every command and both binaries (`vem`, `vem-exporter`): a
//! reader that stops reading (`vem ... | head`) is not an error.

use std::io::Write as _;

/// Writes `text` to standard output.
pub fn print(text: &str) -> Result<(), String> {
    print_each([text])
}

/// Writes `texts` to standard output one after the other, each made when its turn comes; none
/// more once the reader has stopped reading.
pub fn print_each<T: AsRef<str>>(texts: impl IntoIterator<Item = T>) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    let written = texts
        .into_iter()
        .try_for_each(|text| out.write_all(text.as_ref().as_bytes()))
        .and_then(|()| out.flush());
    match written {
        // The reader stopped reading: nothing more to say.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| format!("cannot write output: {e}")),
    }
}
