//! Logs on standard error with `tracing`: `RUST_LOG` chooses what (`target=level` directives,
//! as `Targets` reads them; default: the given level for vem's own crates). Nothing logged
//! carries a password or a session token. No span or field filters: `EnvFilter`'s would bring
//! a regex engine into every binary, the exporter's too, for what no one here filters on.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Starts logging once; later calls do nothing. A `RUST_LOG` that does not parse is said so
/// and ignored.
pub fn init(default_level: &str) {
    let mut refused = None;
    let filter = match std::env::var("RUST_LOG") {
        Ok(text) if !text.trim().is_empty() => text.parse::<Targets>().map_err(|e| {
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
