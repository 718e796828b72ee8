//! Any bytes, fed in any chunking: the streaming decoder never panics, and on a valid document
//! gives the items of the whole-document decode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use veeam_em_model::stream::{Collection, Next};
use veeam_em_model::EntityReferences;

fuzz_target!(|input: (u8, &[u8])| {
    let (chunk, data) = input;
    let chunk = usize::from(chunk.max(1));
    let mut decoder = EntityReferences::decoder();
    let mut items = Vec::new();
    let mut fed = 0;
    let streamed = loop {
        match decoder.next_item() {
            Ok(Next::Item(item)) => items.push(item),
            Ok(Next::End) => break Ok(items),
            Ok(Next::NeedData) if fed < data.len() => {
                let end = (fed + chunk).min(data.len());
                decoder.feed(&data[fed..end]);
                fed = end;
            }
            Ok(Next::NeedData) => decoder.finish(),
            Err(e) => break Err(e),
        }
    };
    if let Ok(whole) = veeam_em_model::from_slice::<EntityReferences>(data) {
        assert_eq!(streamed.expect("stream fails where the whole decode succeeds"), whole.refs);
    }
});
