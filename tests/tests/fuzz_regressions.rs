//! Every input saved under `fuzz/regressions/<target>/` goes through its target's property
//! (`veeam_em_checks`), and every fixture through the document targets: a bug found by fuzzing
//! and fixed stays fixed. (The fuzzing itself: README, "Fuzzing".)

use std::path::Path;

fn regressions() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions")
}

#[test]
fn saved_inputs_keep_their_properties() {
    let mut replayed = 0;
    for entry in std::fs::read_dir(regressions()).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (_, check) = veeam_em_checks::TARGETS
            .iter()
            .find(|(t, _)| *t == name)
            .unwrap_or_else(|| panic!("fuzz/regressions/{name}: no such target"));
        for input in std::fs::read_dir(&dir).unwrap() {
            let path = input.unwrap().path();
            check(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "fuzz/regressions holds inputs");
}

#[test]
fn every_target_has_a_fuzz_binary_and_a_regression_directory() {
    for (name, _) in veeam_em_checks::TARGETS {
        let target =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../fuzz/fuzz_targets/{name}.rs"));
        assert!(target.is_file(), "{} missing", target.display());
        assert!(
            regressions().join(name).is_dir(),
            "fuzz/regressions/{name} missing"
        );
    }
}

#[test]
fn fixtures_keep_the_document_properties() {
    for dir in ["ok", "err"] {
        for entry in
            std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/{dir}")))
                .unwrap()
        {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "xml") {
                let bytes = std::fs::read(&path).unwrap();
                veeam_em_checks::decode_document(&bytes);
                for chunk in [1u8, 7, 255] {
                    veeam_em_checks::stream_items(&[&[chunk][..], &bytes].concat());
                }
            }
        }
    }
}
