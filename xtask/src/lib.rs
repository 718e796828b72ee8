//! Code generation for veeam-em: `schemas/*.xsd` -> `crates/veeam-em-model/src/generated/` and
//! `schemas/resources/*.xml` -> `crates/veeam-em-api/src/generated/` (and `tests/src/generated/`,
//! the tests' table of every complex type's codecs).
//!
//! Pipeline: [`frontend`] (xsd-parser, behind one adapter) -> [`ir`] -> [`fixups`] ->
//! [`json_form`] (with the schemas' [`annotations`]) -> [`render_model`] (quote + prettyplease); [`catalogue`] -> [`render_api`] for the operations. [`generate`] runs it without touching the disk, so both
//! `cargo xtask regen` and the staleness test use the same code.

pub mod annotations;
pub mod catalogue;
pub mod drift;
pub mod families;
pub mod fixups;
pub mod frontend;
pub mod ir;
pub mod json_form;
pub mod lists;
pub mod names;
pub mod render_api;
pub mod render_model;
pub mod resolve;
pub mod resources;
pub mod secrets;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// The workspace root (this crate lives in `<root>/xtask`), or `XTASK_ROOT` when set (to run a
/// built generator on another checkout, e.g. a git worktree).
pub fn workspace_root() -> PathBuf {
    if let Some(root) = std::env::var_os("XTASK_ROOT") {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// Every `schemas/*.xsd`, relative to `root`, sorted.
pub fn schema_files(root: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join("schemas")).context("reading schemas/")? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".xsd") {
            files.push(format!("schemas/{name}"));
        }
    }
    files.sort();
    Ok(files)
}

/// Generates all files: `(path relative to root, contents)`.
pub fn generate(root: &Path) -> Result<BTreeMap<String, String>> {
    let files = schema_files(root)?;
    let mut model = frontend::load(root, &files)?;
    let annotations = annotations::Annotations::read(root, &files)?;
    names::assign(&mut model);
    fixups::apply(&mut model)?;
    names::check(&model)?;
    json_form::assign(&mut model, &annotations)?;
    secrets::assign(&mut model, &annotations)?;
    annotations.finish()?;
    let mut out = render_model::render(&model, &files)?;
    let roots: std::collections::BTreeSet<String> =
        model.roots.iter().map(|r| r.name.clone()).collect();
    // Root element -> Rust type (two roots may share a type).
    let root_types: BTreeMap<String, String> = model
        .roots
        .iter()
        .map(|r| (r.name.clone(), r.type_name.clone()))
        .collect();
    let enums: std::collections::BTreeSet<String> = model
        .types
        .iter()
        .filter(|(_, t)| matches!(t, ir::TypeDef::Enum(_)))
        .map(|(name, _)| name.clone())
        .collect();
    let mut catalogue = catalogue::load(root, &roots, &enums)?;
    resolve::query_lists(&mut catalogue, &model)
        .context("joining schemas/resources/ with the schemas")?;
    let root_families: BTreeMap<String, String> = model
        .roots
        .iter()
        .map(|r| (r.name.clone(), families::of_file(&r.source_file)))
        .collect();
    let type_families = families::of_types(&model);
    let navigable = resolve::navigable(&model);
    let resources = resources::resolve(&catalogue, &model)
        .context("joining the resources of schemas/resources/ with the operations")?;
    out.extend(render_api::render(
        &catalogue,
        &render_api::Schemas {
            roots: &root_types,
            root_families: &root_families,
            type_families: &type_families,
            navigable: &navigable,
            resources: &resources,
        },
    )?);
    // The family features of both crates.
    let model_deps = families::model_dependencies(&model)?;
    let api_features = families::api_features(&catalogue, &model, &model_deps)?;
    out.extend(families::manifests(root, &model_deps, &api_features)?);
    Ok(out)
}

/// Differences between the generated files and the ones on disk: paths that are missing,
/// different, or present on disk but no longer generated.
pub fn stale_files(root: &Path, generated: &BTreeMap<String, String>) -> Result<Vec<String>> {
    let mut stale = Vec::new();
    for (path, contents) in generated {
        match std::fs::read_to_string(root.join(path)) {
            Ok(current) if &current == contents => {}
            _ => stale.push(path.clone()),
        }
    }
    for path in files_on_disk(root)? {
        if !generated.contains_key(&path) {
            stale.push(path);
        }
    }
    Ok(stale)
}

/// Directories that hold only generated files.
const GENERATED_DIRS: &[&str] = &[
    render_model::OUTPUT_DIR,
    render_model::TESTS_OUTPUT_DIR,
    render_api::OUTPUT_DIR,
];

fn files_on_disk(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for dir in GENERATED_DIRS {
        let path = root.join(dir);
        if path.exists() {
            for entry in std::fs::read_dir(&path)? {
                let name = entry?.file_name().to_string_lossy().into_owned();
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes the generated files (only those that changed) and deletes ones no longer generated.
/// Returns the paths written or deleted.
pub fn write(root: &Path, generated: &BTreeMap<String, String>) -> Result<Vec<String>> {
    let stale = stale_files(root, generated)?;
    for dir in GENERATED_DIRS {
        std::fs::create_dir_all(root.join(dir))?;
    }
    for path in &stale {
        match generated.get(path) {
            Some(contents) => std::fs::write(root.join(path), contents)
                .with_context(|| format!("writing {path}"))?,
            None => {
                std::fs::remove_file(root.join(path)).with_context(|| format!("removing {path}"))?
            }
        }
    }
    Ok(stale)
}
