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

use std::path::Path;
use std::time::Duration;

pub use crate::target::Target;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(rename = "target", default)]
    pub targets: Vec<Target>,
}

impl Target {
    /// How long the last answers of this target are served again (the exporter's key).
    pub fn min_interval(&self) -> Duration {
        Duration::from_secs(self.min_interval.unwrap_or(60))
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
            for label in t.labels.keys() {
                check_label(label)
                    .map_err(|e| format!("target {:?}: label {label:?}: {e}", t.name))?;
            }
        }
        Ok(config)
    }
}

/// A target's own label: a Prometheus label name, and none the exporter's series carry already
/// (a series with two labels of one name is refused by Prometheus, with the whole scrape).
fn check_label(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    let first = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("a label name is letters, digits and _, not starting with a digit");
    }
    if name.starts_with("__") {
        return Err("names starting with __ are Prometheus's own");
    }
    if name == "target" || name == "kind" || super::samples::LABEL_NAMES.contains(&name) {
        return Err("the exporter's series carry a label of that name");
    }
    Ok(())
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
        let with_label = |label: &str| {
            Config::parse(&format!(
                "[[target]]\nname = \"a\"\nurl = \"u\"\nuser = \"x\"\nlabels = {{ {label} = \"v\" }}\n"
            ))
        };
        assert!(with_label("site").is_ok());
        for refused in [
            "job",
            "target",
            "kind",
            "repository",
            "__meta",
            "\"2x\"",
            "\"a-b\"",
        ] {
            let err = with_label(refused).unwrap_err();
            assert!(err.contains("label"), "{refused}: {err}");
        }
    }
}
