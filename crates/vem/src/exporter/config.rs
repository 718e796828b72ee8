//! The exporter's configuration file: one `[[target]]` per Enterprise Manager, in TOML.
//!
//! ```toml
//! [[target]]
//! name = "em-paris"
//! url = "https://em-paris.corp.local:9398/api"
//! user = 'CORP\svc-monitor'
//! password_env = "EM_PARIS_PASSWORD"      # or password_file = "...", or password_command = "..."
//! ca_cert = "/etc/veeam/em-paris.pem"     # optional
//! timeout = 20                            # seconds, optional (default 30)
//! min_interval = 60                       # seconds between real scrapes, optional (default 60)
//! labels = { site = "paris" }             # optional, added to every series of the target
//! ```
//!
//! A password never sits in the file: it comes from an environment variable, a file or a
//! command. An unknown key is an error that names it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(rename = "target", default)]
    pub targets: Vec<Target>,
}

/// One server.
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
    pub min_interval: Option<u64>,
    /// Labels added to every series of this target.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl Target {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.unwrap_or(30).max(1))
    }

    pub fn min_interval(&self) -> Duration {
        Duration::from_secs(self.min_interval.unwrap_or(60))
    }

    /// The password, from where the target says.
    pub fn password(&self) -> Result<String, String> {
        let first_line = |text: &str| text.lines().next().unwrap_or("").to_owned();
        let password = match (
            &self.password_env,
            &self.password_file,
            &self.password_command,
        ) {
            (Some(var), None, None) => std::env::var(var).map_err(|_| {
                format!(
                    "target {}: the environment variable {var} is not set",
                    self.name
                )
            })?,
            (None, Some(file), None) => {
                first_line(&std::fs::read_to_string(file).map_err(|e| {
                    format!("target {}: cannot read {}: {e}", self.name, file.display())
                })?)
            }
            (None, None, Some(command)) => {
                let out = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(command)
                    .stderr(std::process::Stdio::inherit())
                    .output()
                    .map_err(|e| format!("target {}: password_command: {e}", self.name))?;
                if !out.status.success() {
                    return Err(format!(
                        "target {}: password_command failed ({})",
                        self.name, out.status
                    ));
                }
                first_line(&String::from_utf8_lossy(&out.stdout))
            }
            _ => {
                return Err(format!(
                    "target {}: give exactly one of password_env, password_file, password_command",
                    self.name
                ))
            }
        };
        if password.is_empty() {
            return Err(format!("target {}: the password is empty", self.name));
        }
        Ok(password)
    }
}

impl Config {
    /// Reads and checks `path`.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        if config.targets.is_empty() {
            return Err("no [[target]]".to_owned());
        }
        let mut names = std::collections::BTreeSet::new();
        for t in &config.targets {
            if !names.insert(t.name.as_str()) {
                return Err(format!("two targets are named {:?}", t.name));
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_target_reads_and_an_unknown_key_is_named() {
        let config = Config::parse(
            r#"
            [[target]]
            name = "paris"
            url = "em-paris"
            user = 'CORP\svc'
            password_env = "EM_PASSWORD"
            ca_cert = "em.pem"
            insecure = false
            timeout = 10
            min_interval = 5
            labels = { site = "paris" }
            "#,
        )
        .unwrap();
        assert_eq!(config.targets[0].labels["site"], "paris");
        assert_eq!(config.targets[0].timeout(), Duration::from_secs(10));
        let err = Config::parse(
            "[[target]]\nname = \"a\"\nurl = \"u\"\nuser = \"x\"\npassword = \"oops\"\n",
        )
        .unwrap_err();
        assert!(err.contains("unknown field `password`"), "{err}");
        let err = Config::parse(
            "[[target]]\nname = \"a\"\nurl = \"u\"\nuser = \"x\"\n[[target]]\nname = \"a\"\nurl = \"u\"\nuser = \"x\"\n",
        )
        .unwrap_err();
        assert!(err.contains("two targets"), "{err}");
    }
}
