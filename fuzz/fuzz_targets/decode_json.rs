//! `veeam_em_checks::decode_json` on generated inputs (the property is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| veeam_em_checks::decode_json(data));
