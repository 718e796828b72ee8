//! Workspace-level tests live in `tests/tests/`; fixtures in `tests/fixtures/` (see its README).
