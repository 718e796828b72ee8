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

#[test]
fn json_captures_are_walked_by_their_keys() {
    let dir = std::env::temp_dir().join(format!("veeam-em-drift-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The job of the reference's key-resource page (a server's JSON), with a new member added:
    // its root comes from the `Type` key. Its own extra members (`Href`, `Links` null and
    // `FileCopyJobInfo` null under the schedule options and job info) are found as well.
    let job = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/json/resource_representation_for_ke_2.json"),
    )
    .unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&job).unwrap();
    value["Priority"] = 3.into();
    std::fs::write(dir.join("job.json"), value.to_string()).unwrap();
    // A list names its root in the file name.
    std::fs::write(
        dir.join("0001-GET_cdpPolicies.EntityReferences.json"),
        r#"{"Refs": [{"Type": "CdpPolicyReference", "Href": "h", "UID": "urn:veeam:CdpPolicy:1", "Tier": "gold"}]}"#,
    )
    .unwrap();
    std::fs::write(dir.join("unnamed.json"), r#"{"Refs": []}"#).unwrap();
    let root = xtask::workspace_root();
    let report = xtask::drift::run(&root, std::slice::from_ref(&dir)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        report.starts_with("drift: 2 document(s) read, 1 skipped"),
        "{report}"
    );
    assert!(report.contains("NAME.<Root>.json"), "{report}");
    assert!(
        report.contains("Job/Priority: unknown element in JobEntityType"),
        "{report}"
    );
    assert!(
        report.contains("<xs:element name=\"Priority\" type=\"xs:int\" minOccurs=\"0\"/>"),
        "{report}"
    );
    assert!(
        report.contains("EntityReferences/Ref/Tier: unknown element in EntityReferenceType"),
        "{report}"
    );
    assert!(report.contains("Job/JobScheduleOptions/Href"), "{report}");
    // Null members carry nothing and are not reported.
    assert!(!report.contains("FileCopyJobInfo"), "{report}");
}

/// An unknown member of one type reached by several paths (a job alone, and a job in a list)
/// is reported once, with the other paths.
#[test]
fn an_unknown_member_is_reported_once_per_type() {
    let dir = std::env::temp_dir().join(format!("veeam-em-drift-once-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let job = fixture("job.xml").replacen("<Job ", "<Job Priority=\"3\" ", 1);
    std::fs::write(dir.join("job.xml"), &job).unwrap();
    let inner = job
        .split_once("?>")
        .map_or(job.as_str(), |(_, rest)| rest)
        .trim();
    let list = format!("<Jobs xmlns=\"http://www.veeam.com/ent/v1.0\">{inner}</Jobs>");
    std::fs::write(dir.join("jobs.xml"), list).unwrap();
    let root = xtask::workspace_root();
    let report = xtask::drift::run(&root, std::slice::from_ref(&dir)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        report.matches("unknown attribute in JobEntityType").count(),
        1,
        "{report}"
    );
    assert!(report.contains("seen 2 time(s) in 2 file(s)"), "{report}");
    assert!(report.contains("also at: Jobs/Job/@Priority"), "{report}");
}
