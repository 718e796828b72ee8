//! Workspace-level tests live in `tests/tests/`; fixtures in `tests/fixtures/` (see its README).
//! This library holds what they share: [`codec`], any complex type's codecs by schema name.

pub mod codec;
#[rustfmt::skip] // prettyplease formats it; `cargo xtask regen --check` guards it.
mod generated;

/// The README's Rust examples, compiled and run as doc tests (paths are relative to this crate,
/// `tests/`), so that the README cannot name what does not exist.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
