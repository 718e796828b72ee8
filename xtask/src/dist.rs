//! `cargo xtask dist`: the `vem-exporter` to deploy. The `dist` profile (size optimised, whole
//! program LTO, `panic = "abort"`) and, on a glibc Linux host, linked statically: without
//! libc's shared pages the exporter of 100 servers peaks some 1 MB lower (`veeam-em-bench fleet
//! --exporter PATH` measures it). A profile cannot set linker flags on stable cargo, and
//! `crt-static` must not reach the build scripts and proc macros of a host build, so the build
//! names its target explicitly; this command is that recipe, kept in one place.
//!
//! Linking glibc statically needs its static library (`libc.a`: Debian's `libc6-dev`, Fedora's
//! `glibc-static`). The flag is added to `CARGO_ENCODED_RUSTFLAGS` or `RUSTFLAGS` when set; set,
//! they replace the `rustflags` of cargo's configuration files, as they always do.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _, Result};

const STATIC: &str = "-C target-feature=+crt-static";

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
        "--message-format=json-render-diagnostics",
    ]);
    // glibc linked statically still resolves host names through the name service modules
    // (NSS) of the glibc it was built with: the machine it runs on needs those, as a
    // dynamically linked binary needs libc.
    if host.contains("-linux-gnu") {
        match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
            Ok(flags) if !flags.is_empty() => {
                let added = STATIC.replace(' ', "\u{1f}");
                build.env("CARGO_ENCODED_RUSTFLAGS", format!("{flags}\u{1f}{added}"));
            }
            _ => {
                let flags = std::env::var("RUSTFLAGS").unwrap_or_default();
                build.env("RUSTFLAGS", format!("{flags} {STATIC}"));
            }
        }
    }
    // Cargo's messages on standard output (the binary's path among them), its diagnostics
    // and progress on standard error as usual.
    let output = build
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo")?;
    if !output.status.success() {
        bail!("cargo build failed ({})", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "vem-exporter")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo named no vem-exporter binary")
}

/// The host's target triple, as rustc says it.
fn host_triple() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .context("cannot run rustc -vV")?;
    if !output.status.success() {
        bail!("rustc -vV failed ({})", output.status);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV names no host")
}
