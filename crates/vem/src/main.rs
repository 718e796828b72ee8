//! `vem`: command-line tool for the Veeam Backup Enterprise Manager REST API.
//!
//! Talks to a server with `--url` (or `VEEAM_EM_URL`), or, without it, to the embedded
//! simulator in process: `vem cdp task-sessions` works on a fresh machine. Also decodes and
//! encodes documents, lists and routes the API's operations, and serves the simulator
//! (`vem sim`). Exit statuses are in `exit.rs` and the README.

mod api;
mod cdp;
mod cloud;
mod connect;
mod context;
mod decode;
mod exit;
#[cfg(feature = "exporter")]
mod exporter;
mod fleet;
mod get;
mod jobs;
mod logging;
mod output;
mod password;
mod sim;
mod started;
mod stdout;
mod stream;
mod table;
mod target;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

use crate::exit::Failure;
use crate::output::Output;

/// Command-line tool for the Veeam Backup Enterprise Manager REST API.
#[derive(Debug, Parser)]
#[command(name = "vem", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How to print results [default: table on a terminal, JSON otherwise].
    #[arg(long, short = 'o', value_enum, global = true)]
    output: Option<Output>,
    /// Log what vem does on standard error (-v: requests, -vv: everything but secrets).
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Print secret members (passwords of tenants and credentials) as they are; by default
    /// they print as `<redacted>`.
    #[arg(long, global = true)]
    show_secrets: bool,
    /// How to reach a server: before or after the command (`vem --url HOST jobs`).
    #[command(flatten)]
    connection: connect::Connection,
}

const AFTER_HELP: &str = "\
Environment (one prefix, VEEAM_EM_):
  VEEAM_EM_URL, VEEAM_EM_USER, VEEAM_EM_PASSWORD, VEEAM_EM_PASSWORD_FILE, VEEAM_EM_CA_CERT,
  VEEAM_EM_INSECURE, VEEAM_EM_QUIET, VEEAM_EM_WIRE, VEEAM_EM_SIM_NOW, VEEAM_EM_CONTEXT,
  VEEAM_EM_CONFIG (the contexts file), VEEAM_EM_SESSION (vem api request --dry-run;
  VEM_SESSION, its old name, is still read with a warning)

Exit statuses: 0 success, 1 local problem (file, document, failed task), 2 usage, \
3 cannot connect (or timeout), 4 TLS (untrusted certificate: --ca-cert), 5 bad credentials (401), \
6 not found (404), 7 other server error (with its message), 8 bad response body.";

#[derive(Debug, Subcommand)]
enum Command {
    /// The CDP family: policies, replicas, sessions, task sessions.
    Cdp {
        #[command(flatten)]
        args: cdp::Args,
    },
    /// The backup and replication jobs.
    Jobs,
    /// Start, stop or retry a job, or show it in full.
    Job {
        #[command(flatten)]
        args: jobs::JobArgs,
    },
    /// Backup (or, with --replica, replication) job sessions.
    Sessions {
        #[command(flatten)]
        args: jobs::SessionArgs,
    },
    /// The VM restore points.
    RestorePoints,
    /// Cloud Connect: tenants, and their storage quotas.
    Cloud {
        #[command(flatten)]
        args: cloud::Args,
    },
    /// GET any resource of the catalogue by path or href, e.g. /cdpPolicies.
    Get {
        /// A path below the API base or an href.
        target: String,
    },
    /// The query service: a type, a filter, sorting and paging.
    Query {
        #[command(flatten)]
        args: get::QueryArgs,
    },
    /// Show a task, or wait for it to finish.
    Task {
        #[command(flatten)]
        args: get::TaskArgs,
    },
    /// Read an API document, XML or the server's JSON form, and print it as JSON (-o xml: as XML).
    Decode(decode::Args),
    /// Read an API document, the server's JSON form or XML, and print it as XML (e.g. a request
    /// body written as JSON); -o json prints the JSON form.
    Encode(decode::Args),
    /// The API's operations: list them, resolve URLs, send or show requests.
    Api {
        #[command(flatten)]
        args: api::Args,
    },
    /// Serve the embedded Enterprise Manager simulator on 127.0.0.1 (HTTP or HTTPS).
    Sim(sim::Args),
    /// Serve Prometheus metrics of one or many Enterprise Managers (targets in a TOML file).
    #[cfg(feature = "exporter")]
    Exporter(exporter::Args),
    /// Named servers of the contexts file: list them, show one, choose the current one.
    Context {
        #[command(subcommand)]
        command: context::Command,
    },
    /// Print the completion script of a shell, e.g. `vem completions bash >
    /// ~/.local/share/bash-completion/completions/vem`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let output = Output::resolve(cli.output);
    match &cli.command {
        Command::Decode(args) => Ok(decode::run(args, cli.output, Output::Json)?),
        Command::Encode(args) => Ok(decode::run(args, cli.output, Output::Xml)?),
        Command::Sim(args) => Ok(sim::run(args)?),
        #[cfg(feature = "exporter")]
        Command::Exporter(args) => Ok(exporter::run(args, "vem exporter")?),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "vem", &mut script);
            Ok(output::print(&String::from_utf8_lossy(&script))?)
        }
        Command::Context { command } => context::run(command, output),
        Command::Api { args } => {
            let connection = one_server(&cli.connection, "vem api")?;
            api::run(args, &connection, output)
        }
        Command::Job { args } => jobs::job(
            &one_server(&cli.connection, "vem job")?.client()?,
            args,
            output,
        ),
        Command::Cloud { args } if args.acts() => cloud::run(
            &one_server(&cli.connection, "vem cloud set-quota")?.client()?,
            args,
            output,
        ),
        Command::Cdp { args } if args.acts() => cdp::run(
            args,
            &one_server(&cli.connection, "vem cdp policy")?.client()?,
            output,
        ),
        Command::Query { args } if args.streams() => get::query(
            &one_server(
                &cli.connection,
                "vem query --all (it prints the pages as they arrive)",
            )?
            .client()?,
            args,
            output,
        ),
        Command::Task { args } => get::task(
            &one_server(&cli.connection, "vem task (a task id is one server's)")?.client()?,
            args,
            output,
        ),
        // What reads: against one server, or several at once.
        _ => {
            let mut servers = cli.connection.servers()?;
            let read = |c: &connect::Connection| read(&cli.command, c, output);
            if servers.len() == 1 {
                let (_, connection) = servers.remove(0);
                return read(&connection);
            }
            let named = servers
                .into_iter()
                .map(|(name, c)| (name.unwrap_or_default(), c))
                .collect();
            fleet::run(named, output, &read)
        }
    }
}

/// The one server of a command that acts, or streams, or names what only one server knows (a
/// task id); several contexts are refused.
fn one_server(
    connection: &connect::Connection,
    what: &str,
) -> Result<connect::Connection, Failure> {
    let mut servers = connection.servers()?;
    if servers.len() > 1 {
        return Err(Failure::new(
            exit::Exit::Usage,
            format!("{what} talks to one server; name one context"),
        ));
    }
    Ok(servers.remove(0).1)
}

/// The commands that only read, against one server.
fn read(command: &Command, c: &connect::Connection, output: Output) -> Result<(), Failure> {
    match command {
        Command::Cdp { args } => cdp::run(args, &c.client()?, output),
        Command::Jobs => jobs::jobs(&c.client()?, output),
        Command::Sessions { args } => jobs::sessions(&c.client()?, args, output),
        Command::RestorePoints => jobs::restore_points(&c.client()?, output),
        Command::Cloud { args } => cloud::run(&c.client()?, args, output),
        Command::Get { target } => get::get(&c.client()?, target, output),
        Command::Query { args } => get::query(&c.client()?, args, output),
        _ => unreachable!("run() dispatches the other commands"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.verbose {
        0 => {}
        1 => logging::init("debug"),
        _ => logging::init("trace"),
    }
    if cli.verbose == 0 && !matches!(cli.command, Command::Sim(_)) {
        logging::init("warn");
    }
    output::set_quiet(cli.connection.quiet);
    output::set_show_secrets(cli.show_secrets);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("vem: {}", failure.message);
            ExitCode::from(failure.exit as u8)
        }
    }
}
