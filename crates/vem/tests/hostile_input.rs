//! `vem decode` on hostile and broken files: exit status 1 with one positioned line, in bounded
//! time, within a bounded amount of memory: each runs under `ulimit -v` (address space of twice
//! the input plus 512 MiB), where an allocation past the bound would abort it.

use std::process::Command;
use std::time::{Duration, Instant};

const NS: &str = "http://www.veeam.com/ent/v1.0";

#[test]
fn hostile_files_fail_with_one_line_in_bounded_time_and_memory() {
    let dir = std::env::temp_dir().join(format!("vem-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut many_attributes = format!(r#"<EntityReferences xmlns="{NS}""#);
    for i in 0..1_000_000 {
        many_attributes.push_str(&format!(" a{i}=\"\""));
    }
    many_attributes.push_str("/>");
    let inputs: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "bomb",
            format!(
                "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><EntityReferences xmlns=\"{NS}\">&b;</EntityReferences>"
            )
            .into_bytes(),
            "DOCTYPE",
        ),
        (
            "deep",
            format!(
                r#"<EntityReferences xmlns="{NS}">{}"#,
                "<Ref>".repeat(200_000)
            )
            .into_bytes(),
            "deeper than",
        ),
        (
            "big-attribute",
            format!(
                r#"<EntityReferences xmlns="{NS}" X="{}"/>"#,
                "a".repeat(10 << 20)
            )
            .into_bytes(),
            "Limits::max_value_bytes",
        ),
        (
            "many-attributes",
            many_attributes.into_bytes(),
            "Limits::max_attributes",
        ),
        (
            "html",
            b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
            "HTML",
        ),
        ("json", br#"{"Error": {}}"#.to_vec(), "JSON"),
        ("empty", Vec::new(), "empty"),
        (
            "two-roots",
            format!(r#"<EntityReferences xmlns="{NS}"/><EntityReferences xmlns="{NS}"/>"#)
                .into_bytes(),
            "after the root",
        ),
        (
            "invalid-utf8",
            [
                format!(r#"<Error xmlns="{NS}" Message=""#).as_bytes(),
                &[0xff, 0xfe],
                br#"" StatusCode="500"/>"#,
            ]
            .concat(),
            "UTF-8",
        ),
    ];
    for (name, bytes, says) in inputs {
        let path = dir.join(format!("{name}.xml"));
        std::fs::write(&path, &bytes).unwrap();
        let cap_kib = bytes.len() / 1024 * 2 + 512 * 1024;
        let started = Instant::now();
        let out = Command::new("sh")
            .args([
                "-c",
                &format!("ulimit -v {cap_kib} && exec \"$0\" decode \"$1\""),
                env!("CARGO_BIN_EXE_vem"),
                path.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let elapsed = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.to_lowercase().contains(&says.to_lowercase()),
            "{name}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{name}");
        assert!(elapsed < Duration::from_secs(20), "{name}: {elapsed:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_truncation_of_a_document_is_one_error_line() {
    use std::io::Write as _;
    let path = format!(
        "{}/../../tests/fixtures/ok/task.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(path).unwrap();
    let end = bytes.trim_ascii_end().len();
    for cut in 0..end {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vem"))
            .args(["decode", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(&bytes[..cut])
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "cut at {cut}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "cut at {cut}: {stderr}");
    }
}
