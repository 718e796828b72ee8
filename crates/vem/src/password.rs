//! The logon password: from a file (`--password-file`), standard input (`--password-stdin`),
//! `VEEAM_EM_PASSWORD`, or asked on the terminal without echo, in that order. Never a
//! command-line argument (other users of the machine can read those), never sent empty because
//! nobody was asked.

use std::io::IsTerminal as _;

/// The environment variable that holds the password.
pub const PASSWORD_ENV: &str = "VEEAM_EM_PASSWORD";

/// Where scripts put the password.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// `--password-file FILE`: its first line.
    pub file: Option<std::path::PathBuf>,
    /// `--password-stdin`: the first line of standard input.
    pub stdin: bool,
}

/// The first line of `text`, without its line end.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// The password of `user`: from `source`, else the environment variable, else a prompt on the
/// terminal; an error when none is possible (or the file or input is empty).
pub fn read(user: &str, source: &Source) -> Result<String, String> {
    if let Some(path) = &source.file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the password file {}: {e}", path.display()))?;
        let password = first_line(&text);
        if password.is_empty() {
            return Err(format!("the password file {} is empty", path.display()));
        }
        return Ok(password.to_owned());
    }
    if source.stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_line(&mut text)
            .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
        let password = first_line(&text);
        if password.is_empty() {
            return Err("--password-stdin: standard input holds no password".to_owned());
        }
        return Ok(password.to_owned());
    }
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "no password for {user}: give --password-file FILE or --password-stdin, set {PASSWORD_ENV}, or run vem on a terminal to be asked for it"
        ));
    }
    rpassword::prompt_password(format!("Password for {user}: "))
        .map_err(|e| format!("cannot read the password from the terminal: {e}"))
}
