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

/// The clients carry out the call and task-wait machines of `engine.rs` and decide nothing
/// themselves: neither client file reads the retry policy, the call timeout or a status code,
/// nor judges a task's state; the engine does, and both clients drive it.
#[test]
fn the_clients_only_drive_the_engine() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/veeam-em-client/src");
    let engine = std::fs::read_to_string(src.join("engine.rs")).unwrap();
    let policy = [
        "config.retry",
        "call_timeout",
        "StatusCode",
        "TaskState",
        "max_attempts",
    ];
    for word in policy {
        assert!(
            engine.contains(word),
            "engine.rs no longer holds {word}: update this test"
        );
    }
    for file in ["blocking.rs", "asynchronous.rs"] {
        let text = std::fs::read_to_string(src.join(file)).unwrap();
        for word in policy {
            assert!(
                !text.contains(word),
                "{file} decides with {word}: that belongs in engine.rs"
            );
        }
        assert!(
            text.contains("call.step(event)") && text.contains("wait.polled("),
            "{file} no longer drives engine::Call and engine::TaskWait"
        );
    }
}

/// The module a file of the simulator is (`render/links.rs` -> `render::links`; `mod.rs` is its
/// folder's module).
fn sim_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts.join("::")
}

/// `crate::a::b::C` paths a file names, reduced to the modules they are in (`a::b` when `a::b`
/// is a module of the crate, else `a`).
fn sim_imports(text: &str, modules: &std::collections::BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + 7..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        // The longest prefix that is a module.
        for n in (1..=segments.len()).rev() {
            let candidate = segments[..n].join("::");
            if modules.contains(&candidate) {
                out.push(candidate);
                break;
            }
        }
        // `use crate::{a, b::c}` forms.
        if let Some(braced) = rest.strip_prefix('{') {
            let inner: String = braced.chars().take_while(|c| *c != '}').collect();
            for item in inner.split(',') {
                let first = item
                    .trim()
                    .split("::")
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                if modules.contains(&first) {
                    out.push(first);
                }
            }
        }
    }
    out
}

/// The simulator's modules import each other without a circle (a layered crate: the registry
/// and store below the world view, the families and renderers above them, the handlers above
/// those, the core on top), and the handlers name no family: families are plug-ins the world
/// consults, never what a handler dispatches on.
#[test]
fn the_simulator_has_no_import_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/veeam-em-sim/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: std::collections::BTreeSet<String> =
        files.iter().map(|f| sim_module(&src, f)).collect();
    let mut graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for file in &files {
        let module = sim_module(&src, file);
        let text = std::fs::read_to_string(file).unwrap();
        // Code only: imports of tests inside a file do not shape the crate.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for import in sim_imports(code, &modules) {
            // A module may use its own submodules and its parents' items.
            if import != module
                && !import.starts_with(&format!("{module}::"))
                && !module.starts_with(&format!("{import}::"))
                && !module.is_empty()
            {
                graph.entry(module.clone()).or_default().insert(import);
            }
        }
    }
    assert!(graph.len() > 15, "{} modules import others", graph.len());
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        state: &mut std::collections::BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) {
        match state.get(m) {
            Some(2) => return,
            Some(1) => {
                let at = stack.iter().position(|s| s == m).unwrap();
                panic!(
                    "the simulator's modules import each other in a circle: {} -> {m}",
                    stack[at..].join(" -> ")
                );
            }
            _ => {}
        }
        state.insert(m.to_owned(), 1);
        stack.push(m.to_owned());
        for next in graph.get(m).into_iter().flatten() {
            visit(next, graph, state, stack);
        }
        stack.pop();
        state.insert(m.to_owned(), 2);
    }
    let mut state = Default::default();
    for m in graph.keys() {
        visit(m, &graph, &mut state, &mut Vec::new());
    }
    // The layers themselves (top-level modules, a folder being one module with its files)
    // form no circle either: a file deep in one layer that reaches up into another would
    // close a circle through its parent (`families` builds `families::reports`).
    let top = |m: &str| m.split("::").next().unwrap_or_default().to_owned();
    let mut layers: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (m, imports) in &graph {
        for i in imports {
            if top(m) != top(i) {
                layers.entry(top(m)).or_default().insert(top(i));
            }
        }
    }
    let mut state = Default::default();
    for m in layers.keys() {
        visit(m, &layers, &mut state, &mut Vec::new());
    }
    for (m, imports) in &graph {
        if m.starts_with("handlers") {
            assert!(
                !imports.iter().any(|i| i.starts_with("families")),
                "{m} imports a family ({imports:?}): handlers ask the world and the Family trait"
            );
        }
    }
}

/// ARCHITECTURE.md's code map names every hand-written source file (`.rs`, `.py`, `.sh`, `.xsd`,
/// the catalogue's `.xml`) by its own path, and every other tracked file by its path or a folder
/// row (`tests/fixtures/`); generated folders are rows of their own. A new file without its row
/// fails here. Skipped when the sources are not a git checkout.
#[test]
fn the_architecture_map_names_every_hand_written_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let Ok(listed) = std::process::Command::new("git")
        .args(["ls-files"])
        .current_dir(&root)
        .output()
    else {
        eprintln!("skipped: no git");
        return;
    };
    if !listed.status.success() {
        eprintln!("skipped: not a git checkout");
        return;
    }
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    // The first cell of each table row: `path` or `folder/`.
    let named: std::collections::BTreeSet<&str> = map
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    let folders: Vec<&str> = named.iter().copied().filter(|n| n.ends_with('/')).collect();
    let source = |f: &str| {
        [".rs", ".py", ".sh", ".xsd"].iter().any(|e| f.ends_with(e))
            || (f.starts_with("schemas/") && f.ends_with(".xml"))
    };
    let mut missing = Vec::new();
    let files = String::from_utf8(listed.stdout).unwrap();
    for file in files.lines() {
        if named.contains(file) {
            continue;
        }
        let in_folder = folders.iter().any(|d| file.starts_with(d));
        let generated = file.contains("/generated/");
        let covered = if source(file) && !generated {
            // A hand-written source file needs its own row, except saved fuzz inputs and
            // fixtures (data that happens to have a source extension).
            in_folder
                && (file.starts_with("tests/fixtures/") || file.starts_with("fuzz/regressions/"))
        } else {
            in_folder
        };
        if !covered {
            missing.push(file);
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name: {missing:#?}"
    );
    // And names nothing that is gone.
    let tracked: std::collections::BTreeSet<&str> = files.lines().collect();
    let stale: Vec<&&str> = named
        .iter()
        .filter(|n| {
            !n.ends_with('/')
                && n.contains('.')
                && !tracked.contains(**n)
                && **n != "ARCHITECTURE.md"
        })
        .collect();
    assert!(
        stale.is_empty(),
        "ARCHITECTURE.md names files that are not tracked: {stale:?}"
    );
}
