//! The logon password: from `VEEAM_EM_PASSWORD`, or asked on the terminal without echo. Never a
//! command-line argument (other users of the machine can read those), never sent empty because
//! nobody was asked.

use std::io::IsTerminal as _;

/// The environment variable that holds the password.
pub const PASSWORD_ENV: &str = "VEEAM_EM_PASSWORD";

/// The password of `user`: the environment variable, else a prompt on the terminal; an error when
/// neither is possible.
pub fn read(user: &str) -> Result<String, String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "no password for {user}: set {PASSWORD_ENV}, or run vem on a terminal to be asked for it"
        ));
    }
    rpassword::prompt_password(format!("Password for {user}: "))
        .map_err(|e| format!("cannot read the password from the terminal: {e}"))
}
