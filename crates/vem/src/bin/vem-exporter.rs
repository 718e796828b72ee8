//! `vem-exporter`: `vem exporter` alone, for the machines that only export metrics. The same
//! code (the modules are `vem`'s own files), without the simulator, the CLI's other commands
//! and the families the exporter does not read: the linker keeps only what it calls, so the
//! process maps fewer pages of its binary (the largest part of the exporter's memory).

#[path = "../exporter/mod.rs"]
mod exporter;
#[path = "../logging.rs"]
mod logging;
// `vem`'s commands print whole texts; the exporter prints pieces (`print_each`).
#[path = "../stdout.rs"]
#[allow(dead_code)]
mod stdout;
#[path = "../target.rs"]
mod target;

use clap::Parser as _;

/// Prometheus metrics for many Enterprise Managers (`vem exporter`, as a program of its own).
#[derive(Debug, clap::Parser)]
#[command(name = "vem-exporter", version)]
struct Cli {
    #[command(flatten)]
    args: exporter::Args,
    /// More detail on standard error (-v: debug, -vv: trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    logging::init(match cli.verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    });
    match exporter::run(&cli.args, "vem-exporter") {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vem-exporter: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
