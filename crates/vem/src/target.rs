//! A named Enterprise Manager and how to log on to it: one `[[target]]` of the exporter's file,
//! one `[[context]]` of vem's contexts file. Both files use these keys, so that a server moves
//! from one to the other unchanged. A password never sits in a file: it comes from an
//! environment variable, a file or a command.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// One server (`[[target]]`, `[[context]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The name its series carry (`target="..."`) and `/metrics?target=NAME` selects.
    pub name: String,
    /// A host name, or the API URL.
    pub url: String,
    pub user: String,
    /// The environment variable that holds the password.
    pub password_env: Option<String>,
    /// A file whose first line is the password.
    pub password_file: Option<PathBuf>,
    /// A command (run by `sh -c`) whose first line of output is the password.
    pub password_command: Option<String>,
    /// The server's CA or certificate (PEM).
    pub ca_cert: Option<PathBuf>,
    /// Skip certificate verification (warned about at start).
    #[serde(default)]
    pub insecure: bool,
    /// Seconds one scrape of this target may take (default 30).
    pub timeout: Option<u64>,
    /// Seconds during which the last answers are served again (default 60): Enterprise
    /// Manager is slow and its reports are costly.
    #[cfg_attr(not(feature = "exporter"), allow(dead_code))]
    pub min_interval: Option<u64>,
    /// Labels added to every series of this target (the exporter's; a context accepts and
    /// ignores them, like `min_interval`).
    #[serde(default)]
    #[cfg_attr(not(feature = "exporter"), allow(dead_code))]
    pub labels: BTreeMap<String, String>,
}

impl Target {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.unwrap_or(30).max(1))
    }

    /// The password, from where the target says.
    pub fn password(&self) -> Result<String, String> {
        let first_line = |text: &str| text.lines().next().unwrap_or("").to_owned();
        let password = match (
            &self.password_env,
            &self.password_file,
            &self.password_command,
        ) {
            (Some(var), None, None) => std::env::var(var)
                .map_err(|_| format!("{}: the environment variable {var} is not set", self.name))?,
            (None, Some(file), None) => first_line(
                &std::fs::read_to_string(file)
                    .map_err(|e| format!("{}: cannot read {}: {e}", self.name, file.display()))?,
            ),
            (None, None, Some(command)) => {
                let out = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(command)
                    .stderr(std::process::Stdio::inherit())
                    .output()
                    .map_err(|e| format!("{}: password_command: {e}", self.name))?;
                if !out.status.success() {
                    return Err(format!(
                        "{}: password_command failed ({})",
                        self.name, out.status
                    ));
                }
                first_line(&String::from_utf8_lossy(&out.stdout))
            }
            _ => {
                return Err(format!(
                    "{}: give exactly one of password_env, password_file, password_command",
                    self.name
                ))
            }
        };
        if password.is_empty() {
            return Err(format!("{}: the password is empty", self.name));
        }
        Ok(password)
    }
}
