//! `cargo xtask drift`: captures with content added by hand are reported with their paths,
//! counts, samples and proposed XSD; the untouched corpus reports nothing.

use std::path::PathBuf;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/ok")
            .join(name),
    )
    .unwrap()
}

#[test]
fn added_content_is_reported_with_a_proposal() {
    let dir = std::env::temp_dir().join(format!("veeam-em-drift-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A job with a new attribute, a new simple element and a new element with content, twice.
    let job = fixture("job.xml")
        .replacen("<Job ", "<Job Priority=\"3\" ", 1)
        .replacen(
            "<JobType>",
            "<CloudTier Enabled=\"true\" Days=\"14\"><Bucket>archive</Bucket><Bucket>cold</Bucket></CloudTier><JobType>",
            1,
        );
    std::fs::write(dir.join("job1.xml"), &job).unwrap();
    std::fs::write(
        dir.join("job2.xml"),
        job.replace("Priority=\"3\"", "Priority=\"7\""),
    )
    .unwrap();
    std::fs::write(dir.join("broken.xml"), "{\"not\": \"xml\"}").unwrap();
    let root = xtask::workspace_root();
    let report = xtask::drift::run(&root, std::slice::from_ref(&dir)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    assert!(
        report.starts_with("drift: 2 document(s) read, 1 skipped"),
        "{report}"
    );
    assert!(report.contains("Job/@Priority: unknown attribute in JobEntityType (schemas/jobs.xsd); seen 2 time(s) in 2 file(s)"), "{report}");
    assert!(report.contains("samples: 3 | 7"), "{report}");
    assert!(
        report.contains("<xs:attribute name=\"Priority\" type=\"xs:int\"/>"),
        "{report}"
    );
    assert!(
        report.contains("<xs:element name=\"CloudTier\" type=\"CloudTierType\" minOccurs=\"0\"/>"),
        "{report}"
    );
    assert!(report.contains("<xs:element name=\"Bucket\" type=\"xs:string\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>"), "{report}");
    assert!(
        report.contains("<xs:attribute name=\"Enabled\" type=\"xs:boolean\"/>"),
        "{report}"
    );
    assert!(
        report.contains("<xs:attribute name=\"Days\" type=\"xs:int\"/>"),
        "{report}"
    );
}

#[test]
fn the_fixtures_the_schemas_accept_have_no_drift() {
    let root = xtask::workspace_root();
    let dir = root.join("tests/fixtures/ok");
    let report = xtask::drift::run(&root, &[dir]).unwrap();
    // Only the fixtures made to carry unknown content report something.
    for line in report.lines().filter(|l| l.contains(": unknown ")) {
        assert!(
            line.starts_with("EntityReferences/") || line.starts_with("CdpReplicaSession/"),
            "{line}\n{report}"
        );
    }
    assert!(report.contains("unknown path(s)"), "{report}");
}
