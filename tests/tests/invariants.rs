//! Architecture invariants that can be checked mechanically.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The resource layer does no I/O and reads no clock or environment: none of its modules names
/// the std APIs for files, sockets, processes, environment, time or threads, nor an async runtime.
#[test]
fn the_resource_layer_does_no_io() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/veeam-em-api");
    let mut files = Vec::new();
    rust_files(&crate_dir.join("src"), &mut files);
    assert!(files.len() > 5);
    let forbidden = [
        "std::fs",
        "std::net",
        "std::env",
        "std::process",
        "std::time",
        "std::thread",
        "std::io",
        "SystemTime",
        "Instant::now",
        "OffsetDateTime::now",
        "tokio",
        "async fn",
        "reqwest",
        "hyper",
    ];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in forbidden {
            assert!(!text.contains(word), "{} uses {word}", file.display());
        }
    }
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    for dep in deps
        .lines()
        .filter_map(|l| l.split(['.', ' ', '=']).next())
        .filter(|d| !d.is_empty())
    {
        assert!(
            ["veeam-em-model", "serde", "http", "url", "percent-encoding", "base64", "thiserror", "time"].contains(&dep),
            "unexpected dependency {dep} of the resource layer: check it does no I/O, then list it here"
        );
    }
}
