//! `cargo xtask regen [--check]`: regenerates the model and operation code from `schemas/`;
//! `cargo xtask drift FILE|DIR...`: what captured responses hold that the schemas do not;
//! `cargo xtask dist`: the `vem-exporter` to deploy.

mod dist;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};

const USAGE: &str =
    "usage: cargo xtask regen [--check] | cargo xtask drift FILE|DIR... | cargo xtask dist

  regen           regenerate crates/veeam-em-model/src/generated/ (from schemas/*.xsd) and
                  crates/veeam-em-api/src/generated/ (from schemas/resources/*.xml)
  regen --check   change nothing; fail if the committed generated code is stale
  drift PATH...   read responses captured from a server (files or directories of .xml and
                  .json; vem writes them with --save-responses DIR) and report every element,
                  attribute and JSON member the schemas do not know, with counts, samples
                  and proposed XSD
  dist            build the vem-exporter to deploy: profile dist (size optimised, LTO,
                  panic = abort), linked statically on glibc Linux (needs libc.a: libc6-dev,
                  glibc-static); prints the binary's path";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let ["drift", inputs @ ..] = args.as_slice() {
        if inputs.is_empty() {
            bail!("drift needs files or directories\n\n{USAGE}");
        }
        let inputs: Vec<std::path::PathBuf> = inputs.iter().map(Into::into).collect();
        print!("{}", xtask::drift::run(&xtask::workspace_root(), &inputs)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let ["dist"] = args.as_slice() {
        println!("{}", dist::run(&xtask::workspace_root())?.display());
        return Ok(ExitCode::SUCCESS);
    }
    let check = match args.as_slice() {
        ["regen"] => false,
        ["regen", "--check"] => true,
        ["-h" | "--help" | "help"] | [] => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        _ => bail!("unknown arguments {args:?}\n\n{USAGE}"),
    };
    let started = Instant::now();
    let root = xtask::workspace_root();
    let generated = xtask::generate(&root)?;
    if check {
        let stale = xtask::stale_files(&root, &generated)?;
        if stale.is_empty() {
            println!("generated code is up to date ({} files)", generated.len());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("generated code is stale: {}", stale.join(", "));
        eprintln!("run `cargo xtask regen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    let changed = xtask::write(&root, &generated)?;
    for path in &changed {
        println!("wrote {path}");
    }
    println!(
        "regen: {} files, {} changed, {:.2?}",
        generated.len(),
        changed.len(),
        started.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}
