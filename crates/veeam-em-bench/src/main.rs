//! Benchmark binary: prints one line per contender,
//! `contender=NAME mb_per_s=X peak_rss_mb=Y ...`.
//!
//! `veeam-em-bench decode [--refs N] [--rounds R]` runs every contender in its own child process
//! (so that each peak RSS is its own) on the same generated `EntityReferences` document, and
//! reports the best of R rounds. MB are 10^6 bytes. Build with `--release`.

mod contenders;
mod corpus;
mod rss;
mod serde_model;

use std::process::{Command, ExitCode};
use std::time::Instant;

const USAGE: &str = "usage: veeam-em-bench decode [--refs N] [--rounds R]
       veeam-em-bench one CONTENDER [--refs N] [--rounds R]   (run by `decode`)";

struct Options {
    refs: usize,
    rounds: usize,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        refs: 100_000,
        rounds: 5,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = || -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{arg} needs a number"))
        };
        match arg.as_str() {
            "--refs" => options.refs = number()?,
            "--rounds" => options.rounds = number()?.max(1),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("decode") => parse_options(&args[1..]).and_then(|o| decode_all(&o)),
        Some("one") if args.len() >= 2 => parse_options(&args[2..]).and_then(|o| one(&args[1], &o)),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("veeam-em-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs each contender in a child process and relays its line.
fn decode_all(options: &Options) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let doc_mb = corpus::entity_references(options.refs).len() as f64 / 1e6;
    println!(
        "# document: EntityReferences with {} Ref ({doc_mb:.1} MB); best of {} rounds; release={}",
        options.refs,
        options.rounds,
        !cfg!(debug_assertions)
    );
    for name in contenders::ALL {
        let out = Command::new(&exe)
            .args([
                "one",
                name,
                "--refs",
                &options.refs.to_string(),
                "--rounds",
                &options.rounds.to_string(),
            ])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "{name} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    Ok(())
}

/// Best-of-`rounds` seconds of `f`. Every result is kept alive until all rounds are done, so
/// that no round pays for freeing the previous one (glibc's consolidation of freed chunks would
/// otherwise be timed); the peak RSS is read after the first round.
fn best<T>(rounds: usize, mut f: impl FnMut() -> T) -> (f64, u64, T) {
    let mut best = f64::INFINITY;
    let mut kept = Vec::with_capacity(rounds);
    let mut peak_after_first = 0;
    for round in 0..rounds {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed().as_secs_f64());
        if round == 0 {
            peak_after_first = rss::rss().1;
        }
        kept.push(value);
    }
    let last = kept.pop().expect("at least one round");
    drop(kept);
    (best, peak_after_first, last)
}

fn one(name: &str, options: &Options) -> Result<(), String> {
    let input = corpus::entity_references(options.refs);
    let (rss_before, _) = rss::rss();
    let mut extra = String::new();
    let (secs, peak, outcome) = match name {
        "raw_reader" => best(options.rounds, || contenders::raw_reader(&input)),
        "owned_decode" => {
            // One decode alone first, to measure the model's size.
            let (_, value) = contenders::owned_decode(&input);
            let model = rss::rss().0.saturating_sub(rss_before) as f64;
            extra = format!(
                " model_mb={:.1} model_to_doc={:.2}",
                model / 1e6,
                model / input.len() as f64
            );
            drop(value);
            let (secs, peak, (outcome, _)) =
                best(options.rounds, || contenders::owned_decode(&input));
            (secs, peak, outcome)
        }
        "quick_xml_serde" => {
            let (secs, peak, (outcome, _)) =
                best(options.rounds, || contenders::quick_xml_serde(&input));
            (secs, peak, outcome)
        }
        "encode" => {
            let (_, value) = contenders::owned_decode(&input);
            let (secs, peak, (outcome, _)) = best(options.rounds, || contenders::encode(&value));
            (secs, peak, outcome)
        }
        other => {
            return Err(format!(
                "unknown contender {other}; known: {:?}",
                contenders::ALL
            ))
        }
    };
    if outcome.items != options.refs {
        return Err(format!(
            "{name} saw {} Ref, expected {}",
            outcome.items, options.refs
        ));
    }
    println!(
        "contender={name} mb_per_s={:.1} peak_rss_mb={:.1} seconds={secs:.4}{extra}",
        outcome.bytes as f64 / 1e6 / secs,
        peak as f64 / 1e6
    );
    Ok(())
}
