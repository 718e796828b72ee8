//! `vem`: command-line tool for the Veeam Backup Enterprise Manager REST API.
//!
//! `vem decode` turns API documents into JSON or XML; `vem api` lists, routes and dry-runs the
//! API's operations. Sending requests (transports) and the simulator are still to come.

mod api;
mod decode;
mod encode;
mod logging;
mod password;
mod sim;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command-line tool for the Veeam Backup Enterprise Manager REST API.
#[derive(Debug, Parser)]
#[command(name = "vem", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode an API document (XML) and print it as JSON or re-encoded XML.
    Decode(decode::Args),
    /// Encode the JSON form of an API document (what `decode` prints) as XML, e.g. a request body.
    Encode(encode::Args),
    /// The API's operations: list them, resolve URLs, show requests.
    Api(api::Args),
    /// Serve the embedded Enterprise Manager simulator on 127.0.0.1 (HTTP or HTTPS).
    Sim(sim::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(args) => decode::run(&args),
        Command::Encode(args) => encode::run(&args),
        Command::Api(args) => api::run(&args),
        Command::Sim(args) => sim::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("vem: {message}");
            ExitCode::FAILURE
        }
    }
}
