//! Invocations of the list macros the generated code uses (`any_operations!`, `bodies!`,
//! `documents!`...), written one item a line. prettyplease prints a macro's tokens as flowing
//! text; these lists are data, and a reviewer reads a diff of them line by line.

use std::fmt::Write as _;

/// One invocation: `path! { section: [ items ] ... }`, or `path! { items }` for one unnamed
/// section.
#[derive(Debug)]
pub struct ListCall {
    path: &'static str,
    sections: Vec<(&'static str, Vec<String>)>,
}

impl ListCall {
    pub fn new(path: &'static str) -> Self {
        Self {
            path,
            sections: Vec::new(),
        }
    }

    /// Adds a section; an empty `name` is the whole body (the only section).
    pub fn section(mut self, name: &'static str, items: Vec<String>) -> Self {
        self.sections.push((name, items));
        self
    }

    /// The invocation, with a comment above it saying what it is.
    pub fn render(&self, comment: &str) -> String {
        let mut out = String::new();
        for line in comment.lines() {
            let _ = writeln!(out, "// {line}");
        }
        let _ = writeln!(out, "{}! {{", self.path);
        for (name, items) in &self.sections {
            let indent = if name.is_empty() {
                "    "
            } else {
                let _ = writeln!(out, "    {name}: [");
                "        "
            };
            for item in items {
                let _ = writeln!(out, "{indent}{item}");
            }
            if !name.is_empty() {
                out.push_str("    ]\n");
            }
        }
        out.push_str("}\n");
        out
    }
}

/// One item: its `#[cfg(feature = ...)]` when its family is optional, then `text`.
pub fn item(family: &str, text: &str) -> String {
    if crate::families::optional(family) {
        format!("#[cfg(feature = {family:?})] {text}")
    } else {
        text.to_owned()
    }
}
