//! `vem api ...`: the resource catalogue from the command line.
//!
//! - `vem api list`: every operation, `METHOD TEMPLATE -> REPRESENTATION`;
//! - `vem api route URL`: the operation an `Href` resolves to, with its parameters;
//! - `vem api request URL --dry-run`: the HTTP request that would be sent (secrets redacted).

use std::path::PathBuf;

use veeam_em_api::{route_method, Auth, BaseUrl, Credentials, SessionToken, CATALOGUE};

/// Arguments of `vem api`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// List every operation of the catalogue: METHOD TEMPLATE -> REPRESENTATION.
    List {
        /// Instead, route every row of an index of documented operations (a TSV file with the
        /// columns method, template, page, such as the reference's operations.tsv) and print the
        /// operation each one reaches; fails when a row reaches none.
        #[arg(long, value_name = "TSV")]
        documented: Option<PathBuf>,
    },
    /// Resolve a server URL (an Href) to its catalogue operation.
    Route {
        /// The URL, absolute or relative to the API base (e.g. /cdpReplicaSessions/ID).
        url: String,
        /// HTTP method to match.
        #[arg(long, short = 'X', default_value = "GET")]
        method: String,
    },
    /// Send the request of a URL and print the answer as received (or, with --dry-run, print the
    /// request).
    Request {
        /// The URL, absolute or relative to the API base.
        #[arg(value_name = "URL")]
        target: String,
        /// HTTP method.
        #[arg(long, short = 'X', default_value = "GET")]
        method: String,
        /// API base URL of a dry run [default: the scheme, host and port of an absolute URL,
        /// else https://localhost:9398/api]; a real request goes to --url.
        #[arg(long)]
        base: Option<String>,
        /// Session token for X-RestSvcSessionId (VEM_SESSION, the old name of the variable, is
        /// still read, with a warning).
        #[arg(long, env = "VEEAM_EM_SESSION", hide_env_values = true)]
        session: Option<String>,
        /// Request body (an XML file), for POST and PUT.
        #[arg(long)]
        body: Option<PathBuf>,
        /// Print the request instead of sending it.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs `vem api`.
pub fn run(
    args: &Args,
    connection: &crate::connect::Connection,
    output: crate::output::Output,
) -> Result<(), crate::exit::Failure> {
    if let Command::Request {
        target,
        method,
        body,
        dry_run: false,
        ..
    } = &args.command
    {
        return send(target, method, body.as_deref(), connection, output);
    }
    Ok(run_offline(args, connection)?)
}

/// Sends a request through the client (logon, retries) and prints the answer.
fn send(
    url: &str,
    method: &str,
    body: Option<&std::path::Path>,
    connection: &crate::connect::Connection,
    output: crate::output::Output,
) -> Result<(), crate::exit::Failure> {
    use crate::exit::{Exit, Failure};
    let route = route_method(method, url).map_err(|e| Failure::new(Exit::Usage, e.to_string()))?;
    let body = match body {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            check_body(route.entry, &bytes, &path.display().to_string())?;
            Some(bytes)
        }
        None => None,
    };
    let client = connection.client()?;
    let response = client.send_route(&route, body)?;
    let raw = response.into_body();
    if raw.is_empty() {
        return Ok(());
    }
    let doc = crate::get::decode_body(route.entry, &raw)?;
    Ok(crate::output::print_document(&doc, Some(&raw), output)?)
}

/// `VEM_SESSION`, the old name of `VEEAM_EM_SESSION`: still read, with a warning.
fn old_session_env() -> Option<String> {
    let token = std::env::var("VEM_SESSION").ok()?;
    eprintln!("vem: warning: VEM_SESSION is deprecated; name the variable VEEAM_EM_SESSION");
    Some(token)
}

/// The commands that need no server.
fn run_offline(args: &Args, connection: &crate::connect::Connection) -> Result<(), String> {
    match &args.command {
        Command::List { documented: None } => {
            let mut out = String::new();
            for entry in CATALOGUE {
                out.push_str(&format!("{entry}\n"));
            }
            crate::output::print(&out)
        }
        Command::List {
            documented: Some(index),
        } => list_documented(index),
        Command::Route { url, method } => {
            let route = route_method(method, url).map_err(|e| e.to_string())?;
            let entry = route.entry;
            let mut out = format!("{}: {entry}\n", entry.name);
            let names = entry
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')));
            for (name, value) in names.zip(&route.path_values) {
                out.push_str(&format!("  {{{name}}} = {value}\n"));
            }
            for (name, value) in &route.query {
                out.push_str(&format!("  ?{name} = {value}\n"));
            }
            crate::output::print(&out)
        }
        Command::Request {
            target: url,
            method,
            base,
            session,
            body,
            dry_run,
        } => {
            debug_assert!(*dry_run, "real requests go through `send`");
            let route = route_method(method, url).map_err(|e| e.to_string())?;
            let base = request_base(url, base.as_deref())?;
            let mut session = session
                .clone()
                .or_else(old_session_env)
                .map(SessionToken::new);
            if session.is_none() && route.entry.auth == Auth::Session {
                eprintln!(
                    "vem: no session token: the request shows a placeholder; give a real one with --session TOKEN or VEEAM_EM_SESSION"
                );
                session = Some(SessionToken::new(PLACEHOLDER_TOKEN));
            }
            let credentials = match &connection.user {
                Some(user) => Some(Credentials::new(
                    user,
                    crate::password::read(user, &connection.password_source())?,
                )),
                None => None,
            };
            let body = match body {
                Some(path) => {
                    let bytes = std::fs::read(path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    check_body(route.entry, &bytes, &path.display().to_string())?;
                    Some(bytes)
                }
                None => None,
            };
            let request = route
                .request(&base, session.as_ref(), credentials.as_ref(), body)
                .map_err(|e| e.to_string())?;
            crate::output::print(&show_request(&request))
        }
    }
}

/// Routes every row of an index of documented operations and prints the operation it reaches.
fn list_documented(index: &std::path::Path) -> Result<(), String> {
    let text = std::fs::read_to_string(index)
        .map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let (mut routed, mut unrouted) = (0usize, Vec::new());
    let mut out = String::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let mut columns = line.split('\t');
        let (Some(method), Some(template)) = (columns.next(), columns.next()) else {
            return Err(format!(
                "{}: not a method<TAB>template row: {line}",
                index.display()
            ));
        };
        match route_method(method, &sample_url(template)) {
            Ok(route) => {
                routed += 1;
                out.push_str(&format!("{method} {template} -> {}\n", route.entry.name));
            }
            Err(e) => unrouted.push(format!("{method} {template}: {e}")),
        }
    }
    crate::output::print(&out)?;
    eprintln!(
        "{routed}/{} documented operations routed",
        routed + unrouted.len()
    );
    if unrouted.is_empty() {
        Ok(())
    } else {
        Err(format!("not routed:\n  {}", unrouted.join("\n  ")))
    }
}

/// A documented URL template with a sample value in place of each `{parameter}` (in the path
/// and the query).
fn sample_url(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str("sample");
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Stands in for a session token in a dry run without one.
const PLACEHOLDER_TOKEN: &str = "<session-token>";

/// The base URL of a request: `--base`, else the scheme, host and port of an absolute `url`,
/// else the local default. An absolute URL on another server than `--base` is an error.
fn request_base(url: &str, base: Option<&str>) -> Result<BaseUrl, String> {
    let origin = absolute_origin(url);
    match (base, origin) {
        (Some(base), origin) => {
            let base = BaseUrl::parse(base).map_err(|e| e.to_string())?;
            if let Some(origin) = origin {
                if !base
                    .as_str()
                    .to_ascii_lowercase()
                    .starts_with(&origin.to_ascii_lowercase())
                {
                    return Err(format!(
                        "{url} is on {origin}, not on --base {base}: leave out --base or give a relative URL"
                    ));
                }
            }
            Ok(base)
        }
        (None, Some(origin)) => BaseUrl::parse(&format!("{origin}/api")).map_err(|e| e.to_string()),
        (None, None) => BaseUrl::parse("https://localhost:9398/api").map_err(|e| e.to_string()),
    }
}

/// `scheme://host:port` of an absolute http(s) URL.
fn absolute_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(format!("{scheme}://{}", &rest[..end]))
}

/// The body must be the document the operation takes (XML, or the JSON form: told by its first
/// character).
fn check_body(entry: &veeam_em_api::Entry, bytes: &[u8], label: &str) -> Result<(), String> {
    let Some(expected) = entry.request else {
        return Err(format!("{} takes no request body", entry.name));
    };
    let wire = veeam_em_model::Wire::sniff(bytes);
    let doc = veeam_em_model::Document::from_wire(wire, Some(expected), bytes)
        .map_err(|e| format!("{label}:{e}"))?;
    if doc.root_element() != expected {
        return Err(format!(
            "{} takes a <{expected}> body, {label} is <{}>",
            entry.name,
            doc.root_element()
        ));
    }
    crate::output::refuse_placeholder(&doc, label)
}

/// The request as text: request line, headers (sensitive values redacted), blank line, body.
pub fn show_request(request: &http::Request<Vec<u8>>) -> String {
    let mut out = format!("{} {}\n", request.method(), request.uri());
    for (name, value) in request.headers() {
        let shown = if value.is_sensitive() {
            "<redacted>".to_owned()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        out.push_str(&format!("{name}: {shown}\n"));
    }
    if !request.body().is_empty() {
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(request.body()));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}
