// Temporary driver: prints the IR of the given schema files (default: all of `schemas/*.xsd`).
mod frontend;
#[allow(dead_code)] // The renderer that reads the IR is not written yet.
mod ir;

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        for entry in std::fs::read_dir(root.join("schemas"))? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.ends_with(".xsd") {
                files.push(format!("schemas/{name}"));
            }
        }
        files.sort();
    }
    let model = frontend::load(&root, &files)?;
    println!("{model:#?}");
    Ok(())
}
