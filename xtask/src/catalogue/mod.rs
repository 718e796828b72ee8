//! The resource catalogue (`schemas/resources/<family>.xml`): reading it into typed values and
//! checking it.
//!
//! The format is described by `schemas/resources/catalogue.xsd`. The reader here is a plain
//! quick-xml loop: the format is small and ours. Every value is typed when it is read (methods,
//! authentication, parameter types are enums), and every error names the file and the operation,
//! so that a mistake in the catalogue fails `cargo xtask regen` with where to look. What the XSD
//! cannot check (representations that exist, path parameters, unique routes and navigation names)
//! is checked in [`check`].
//!
//! `types.rs` holds the values, `read.rs` the reader, `check.rs` the checks across operations.

mod check;
mod read;
mod types;

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context as _, Result};

pub use self::check::{check, navigation_node};
pub use self::types::*;

/// The folder of the catalogue files, relative to the workspace root.
pub const DIR: &str = "schemas/resources";

/// The catalogue files, relative to `root`, sorted.
pub fn files(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root.join(DIR)).with_context(|| format!("reading {DIR}/"))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".xml") {
            out.push(format!("{DIR}/{name}"));
        }
    }
    out.sort();
    Ok(out)
}

/// Reads and checks every catalogue file; `representations` are the root elements of the type
/// schemas, `enums` the names of their enumerations.
pub fn load(
    root: &Path,
    representations: &BTreeSet<String>,
    enums: &BTreeSet<String>,
) -> Result<Catalogue> {
    let mut catalogue = Catalogue::default();
    for file in files(root)? {
        let family = read::family_of(&file)?;
        let text =
            std::fs::read_to_string(root.join(&file)).with_context(|| format!("reading {file}"))?;
        let part = read::parse(&text, &family).with_context(|| format!("reading {file}"))?;
        catalogue.operations.extend(part.operations);
        catalogue.query_types.extend(part.query_types);
        catalogue.resources.extend(part.resources);
        catalogue.families.push(family);
    }
    check(&catalogue, representations, enums).context("checking schemas/resources/")?;
    Ok(catalogue)
}

#[cfg(test)]
mod tests {
    use super::read::parse;
    use super::*;

    fn one(op: &str) -> Result<Catalogue> {
        parse(
            &format!(r#"<Catalogue xmlns="urn:veeam-em:catalogue">{op}</Catalogue>"#),
            "test",
        )
    }

    #[test]
    fn typed_values_and_errors_that_name_the_operation() {
        let c = one(r#"<Operation name="StartJob" method="POST" path="/jobs/{jobId}" verb="start" idempotent="false">
              <Summary>Start</Summary><FixedQuery name="action" value="start"/>
              <Header name="X-Test" type="int"/>
              <Request representation="JobStartSpec" optional="true"/>
              <Response status="202" representation="Task"><Header name="Location"/></Response>
              <Response status="200" representation="Job"/>
            </Operation>"#)
        .unwrap();
        let o = &c.operations[0];
        assert_eq!(
            (o.method, o.auth, o.family.as_str()),
            (Method::Post, Auth::Session, "test")
        );
        assert!(o.request.as_ref().unwrap().optional);
        assert_eq!(o.responses.len(), 2);
        assert_eq!(o.responses[0].headers, ["Location"]);
        assert_eq!(o.headers[0].ty, ParamType::Int);

        let err = one(r#"<Operation name="Bad" method="GOT" path="/x" verb="get" idempotent="true"><Summary>x</Summary><Response status="200"/></Operation>"#)
            .unwrap_err();
        assert!(
            format!("{err:#}").contains("operation Bad") && format!("{err:#}").contains("GOT"),
            "{err:#}"
        );
        let err = one(r#"<Operation name="Bad2" method="GET" path="/x" verb="get" idempotent="true"><Summary>x</Summary><Response status="200" representatoin="X"/></Operation>"#)
            .unwrap_err();
        assert!(
            format!("{err:#}").contains("operation Bad2")
                && format!("{err:#}").contains("representatoin"),
            "{err:#}"
        );
        let err = one(r#"<Operation name="Bad3" method="GET" path="/x" verb="get" idempotent="true"><Summary>x</Summary><Response status="200"/><Response status="200"/></Operation>"#)
            .unwrap_err();
        assert!(format!("{err:#}").contains("two <Response>s"), "{err:#}");
        let err = one(r#"<Operation name="Bad4" method="GET" path="/x" verb="get" idempotent="true"><Summary>x</Summary><Response status="404"/></Operation>"#)
            .unwrap_err();
        assert!(format!("{err:#}").contains("not a success"), "{err:#}");
    }
}
