//! `cargo xtask dist`: the `vem-exporter` to deploy. The `dist` profile (size optimised, whole
//! program LTO) and, on a glibc Linux host, linked statically: without libc's shared pages the
//! exporter of 100 servers peaks some 1 MB lower (`veeam-em-bench fleet --exporter PATH`
//! measures it). A profile cannot set linker flags on stable cargo, and `RUSTFLAGS` with
//! `crt-static` must not reach the build scripts and proc macros of a host build, so the build
//! names its target explicitly; this command is that recipe, kept in one place.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context as _, Result};

/// Builds the exporter and returns the path of the binary.
pub fn run(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let host = host_triple()?;
    let mut build = Command::new(&cargo);
    build.current_dir(root).args([
        "build",
        "--locked",
        "--profile",
        "dist",
        "-p",
        "vem",
        "--bin",
        "vem-exporter",
        "--target",
        &host,
    ]);
    // glibc links statically with a warning about its name service (NSS): host names are
    // still resolved through the resolver modules of the glibc the binary was built with, so
    // the machine it runs on needs that glibc's, as a dynamically linked binary needs libc.
    if host.ends_with("-linux-gnu") {
        let flags = std::env::var("RUSTFLAGS").unwrap_or_default();
        build.env(
            "RUSTFLAGS",
            format!("{flags} -C target-feature=+crt-static"),
        );
    }
    let status = build.status().context("cannot run cargo")?;
    if !status.success() {
        bail!("cargo build failed ({status})");
    }
    Ok(root
        .join("target")
        .join(&host)
        .join("dist")
        .join("vem-exporter"))
}

/// The host's target triple, as rustc says it.
fn host_triple() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .context("cannot run rustc -vV")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV names no host")
}
