//! Logs on standard error with `tracing`: `RUST_LOG` chooses what (default: the given level for
//! vem's own crates). Nothing logged carries a password or a session token.

/// Starts logging once; later calls do nothing.
pub fn init(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!(
            "veeam_em_sim={default_level},veeam_em_client={default_level},vem={default_level},vem_exporter={default_level}"
        ))
    });
    use std::io::IsTerminal as _;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
