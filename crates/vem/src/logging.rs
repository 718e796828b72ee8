//! Logs on standard error with `tracing`: `RUST_LOG` chooses what (`target=level` directives,
//! as `Targets` reads them; default: the given level for vem's own crates). Nothing logged
//! carries a password or a session token. No span or field filters: `EnvFilter`'s would bring
//! a regex engine into every binary, the exporter's too, for what no one here filters on.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Starts logging once; later calls do nothing. A `RUST_LOG` that `Targets` cannot take is said
/// so and ignored.
pub fn init(default_level: &str) {
    let mut refused = None;
    let filter = match std::env::var("RUST_LOG") {
        Ok(text) if !text.trim().is_empty() => directives(&text).map_err(|e| {
            refused = Some(format!("RUST_LOG={text:?} ignored: {e}"));
        }),
        _ => Err(()),
    }
    .unwrap_or_else(|()| {
        format!(
            "veeam_em_sim={default_level},veeam_em_client={default_level},vem={default_level},vem_exporter={default_level}"
        )
        .parse()
        .expect("the default directives parse")
    });
    use std::io::IsTerminal as _;
    let format = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .with_target(false);
    if tracing_subscriber::registry()
        .with(format)
        .with(filter)
        .try_init()
        .is_ok()
    {
        if let Some(message) = refused {
            tracing::warn!("{message}");
        }
    }
}

/// `RUST_LOG` as `target=level` directives and a default level. `Targets` alone would take an
/// empty part as "everything at ERROR" and an `EnvFilter` span filter (`vem[scrape]=debug`) as a
/// target no event has, silencing everything: both are refused here.
fn directives(text: &str) -> Result<Targets, String> {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err("no directive".to_owned());
    }
    for part in &parts {
        let target = part.split_once('=').map_or(*part, |(t, _)| t);
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-');
        if !target.chars().all(allowed) {
            return Err(format!(
                "{part:?}: only target=level directives and a level (no span or field filters)"
            ));
        }
    }
    parts.join(",").parse().map_err(|e| format!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_takes_targets_and_levels_and_refuses_the_rest() {
        assert!(directives("vem=debug, ,hyper=warn,").is_ok());
        assert!(directives("debug").is_ok());
        assert!(directives("vem[scrape]=debug").is_err());
        assert!(directives("vem{id=1}=debug").is_err());
        assert!(directives("vem=loud").is_err());
        assert!(directives("a=b=c").is_err());
        assert!(directives(" , ").is_err());
    }
}
