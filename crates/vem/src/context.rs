//! Contexts: named Enterprise Managers in a file of the platform's configuration directory
//! (`~/.config/vem/contexts.toml` on Linux; `VEEAM_EM_CONFIG` names another), so that `vem
//! --context paris jobs` needs no URL, user or password source on the command line.
//!
//! ```toml
//! current = "paris"                       # what `vem context use` sets; used without --url
//!
//! [[context]]
//! name = "paris"
//! url = "https://em-paris.corp.local:9398/api"
//! user = 'CORP\svc-monitor'
//! password_env = "EM_PARIS_PASSWORD"      # or password_file, or password_command
//! ca_cert = "/etc/veeam/em-paris.pem"     # optional; insecure, timeout too
//! ```
//!
//! A context has the keys of an exporter target ([`Target`]); the exporter's own keys
//! (`min_interval`, `labels`) are accepted and mean nothing here. `vem context list|show|use`
//! reads and sets them.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::exit::{Exit, Failure};
use crate::output::Output;
use crate::table::Table;
use crate::target::Target;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contexts {
    /// The context used when none is named and there is no `--url`.
    pub current: Option<String>,
    #[serde(rename = "context", default)]
    pub contexts: Vec<Target>,
}

/// The contexts file: `VEEAM_EM_CONFIG`, else `contexts.toml` in vem's configuration directory.
pub fn path() -> Result<PathBuf, Failure> {
    if let Some(path) = std::env::var_os("VEEAM_EM_CONFIG") {
        return Ok(PathBuf::from(path));
    }
    use etcetera::BaseStrategy as _;
    let base = etcetera::choose_base_strategy().map_err(|e| {
        Failure::new(
            Exit::Local,
            format!("no configuration directory ({e}); set VEEAM_EM_CONFIG to a contexts file"),
        )
    })?;
    Ok(base.config_dir().join("vem").join("contexts.toml"))
}

impl Contexts {
    /// The file at `path`; no file means no contexts.
    pub fn read(path: &Path) -> Result<Self, Failure> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(Failure::new(
                    Exit::Local,
                    format!("cannot read {}: {e}", path.display()),
                ))
            }
        };
        Self::parse(&text)
            .map_err(|e| Failure::new(Exit::Local, format!("{}: {e}", path.display())))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let contexts: Contexts = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut names = std::collections::BTreeSet::new();
        for c in &contexts.contexts {
            if !names.insert(c.name.as_str()) {
                return Err(format!("two contexts are named {:?}", c.name));
            }
        }
        if let Some(current) = &contexts.current {
            if !names.contains(current.as_str()) {
                return Err(format!("current = {current:?} names no [[context]]"));
            }
        }
        Ok(contexts)
    }

    /// The context named `name`.
    pub fn get(&self, name: &str) -> Result<&Target, Failure> {
        self.contexts.iter().find(|c| c.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.contexts.iter().map(|c| c.name.as_str()).collect();
            Failure::new(
                Exit::Usage,
                if known.is_empty() {
                    format!("no context {name:?}: the contexts file has none (vem context list shows where it is)")
                } else {
                    format!("no context {name:?} (there are: {})", known.join(", "))
                },
            )
        })
    }
}

/// `current = "NAME"` in the text of a contexts file, the rest kept as it is (comments too).
fn set_current(text: &str, name: &str) -> String {
    let line = format!("current = {}", toml::Value::String(name.to_owned()));
    let mut out = Vec::new();
    let mut done = false;
    let mut in_table = false;
    for l in text.lines() {
        let trimmed = l.trim_start();
        if trimmed.starts_with('[') {
            if !done {
                out.push(line.clone());
                done = true;
            }
            in_table = true;
        }
        if !in_table && !done && trimmed.starts_with("current") {
            let key = trimmed["current".len()..].trim_start();
            if key.starts_with('=') {
                out.push(line.clone());
                done = true;
                continue;
            }
        }
        out.push(l.to_owned());
    }
    if !done {
        out.push(line);
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// `vem context ...`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The contexts of the contexts file (the current one marked with *).
    List,
    /// One context's keys (the current one without a name); passwords are never in the file.
    Show {
        /// The context.
        name: Option<String>,
    },
    /// Make NAME the context vem uses when neither --url nor --context is given.
    Use {
        /// The context.
        name: String,
    },
}

pub fn run(command: &Command, output: Output) -> Result<(), Failure> {
    let path = path()?;
    let contexts = Contexts::read(&path)?;
    let local = |e: String| Failure::new(Exit::Local, e);
    match command {
        Command::List => {
            if output == Output::Table {
                if contexts.contexts.is_empty() {
                    eprintln!("vem: no contexts in {} yet", path.display());
                }
                let mut table = Table::new(&["CURRENT", "NAME", "URL", "USER"]);
                for c in &contexts.contexts {
                    let current = contexts.current.as_deref() == Some(c.name.as_str());
                    table.row(vec![
                        if current { "*" } else { "" }.to_owned(),
                        c.name.clone(),
                        c.url.clone(),
                        c.user.clone(),
                    ]);
                }
                Ok(crate::output::print(&table.render())?)
            } else {
                let list: Vec<serde_json::Value> = contexts
                    .contexts
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "Name": c.name,
                            "Url": c.url,
                            "User": c.user,
                            "Current": contexts.current.as_deref() == Some(c.name.as_str()),
                        })
                    })
                    .collect();
                let text = serde_json::to_string_pretty(&list).map_err(|e| local(e.to_string()))?;
                Ok(crate::output::print(&(text + "\n"))?)
            }
        }
        Command::Show { name } => {
            let name = match name.as_deref().or(contexts.current.as_deref()) {
                Some(name) => name,
                None => {
                    return Err(Failure::new(
                        Exit::Usage,
                        "no current context: name one (vem context show NAME)",
                    ))
                }
            };
            let c = contexts.get(name)?;
            let mut lines = vec![
                ("name", c.name.clone()),
                ("url", c.url.clone()),
                ("user", c.user.clone()),
            ];
            let mut add = |key, value: Option<String>| {
                if let Some(v) = value {
                    lines.push((key, v));
                }
            };
            add("password_env", c.password_env.clone());
            add(
                "password_file",
                c.password_file.as_ref().map(|p| p.display().to_string()),
            );
            add("password_command", c.password_command.clone());
            add(
                "ca_cert",
                c.ca_cert.as_ref().map(|p| p.display().to_string()),
            );
            add("insecure", c.insecure.then(|| "true".to_owned()));
            add("timeout", c.timeout.map(|t| t.to_string()));
            let text = if output == Output::Table {
                let mut table = Table::new(&["KEY", "VALUE"]);
                for (k, v) in lines {
                    table.row(vec![k.to_owned(), v]);
                }
                table.render()
            } else {
                let map: serde_json::Map<String, serde_json::Value> = lines
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
                    .collect();
                serde_json::to_string_pretty(&map).map_err(|e| local(e.to_string()))? + "\n"
            };
            Ok(crate::output::print(&text)?)
        }
        Command::Use { name } => {
            contexts.get(name)?;
            let text = std::fs::read_to_string(&path).map_err(|e| local(e.to_string()))?;
            let updated = set_current(&text, name);
            // What is written must read back, with the new current context.
            let check = Contexts::parse(&updated).map_err(local)?;
            if check.current.as_deref() != Some(name.as_str()) {
                return Err(local(format!(
                    "cannot set the current context in {}",
                    path.display()
                )));
            }
            std::fs::write(&path, updated)
                .map_err(|e| local(format!("cannot write {}: {e}", path.display())))?;
            if !crate::output::quiet() {
                eprintln!("vem: the current context is now {name}");
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# my servers
[[context]]
name = "paris"
url = "em-paris"
user = 'CORP\svc'
password_env = "EM_PARIS"

[[context]]
name = "lyon"
url = "https://em-lyon:9398/api"
user = "svc"
password_file = "/run/secrets/lyon"
timeout = 20
"#;

    #[test]
    fn use_sets_current_and_keeps_the_rest() {
        let once = set_current(FILE, "lyon");
        assert!(
            once.starts_with("# my servers\ncurrent = \"lyon\"\n[[context]]"),
            "{once}"
        );
        let twice = set_current(&once, "paris");
        assert_eq!(twice.matches("current =").count(), 1, "{twice}");
        let read = Contexts::parse(&twice).unwrap();
        assert_eq!(read.current.as_deref(), Some("paris"));
        assert_eq!(read.contexts.len(), 2);
        assert_eq!(read.contexts[1].timeout, Some(20));
        // A file with no table yet.
        assert_eq!(set_current("", "a"), "current = \"a\"\n");
    }

    #[test]
    fn mistakes_are_named() {
        let unknown = Contexts::parse(
            "[[context]]\nname = \"a\"\nurl = \"u\"\nuser = \"x\"\npassword = \"p\"\n",
        )
        .unwrap_err();
        assert!(unknown.contains("unknown field `password`"), "{unknown}");
        let dangling = Contexts::parse(&format!("current = \"nice\"\n{FILE}")).unwrap_err();
        assert!(dangling.contains("names no [[context]]"), "{dangling}");
        let read = Contexts::parse(FILE).unwrap();
        let missing = read.get("nice").unwrap_err();
        assert!(
            missing.message.contains("paris, lyon"),
            "{}",
            missing.message
        );
    }
}
