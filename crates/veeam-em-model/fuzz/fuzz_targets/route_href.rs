//! Any text as an href: routing never panics; a routed request can be built and routes back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(route) = veeam_em_api::route(data) {
        let base = veeam_em_api::BaseUrl::parse("https://em:9398/api").unwrap();
        let token = veeam_em_api::SessionToken::new("t");
        if let Ok(request) = route.request(&base, Some(&token), None, None) {
            let again = veeam_em_api::route(&request.uri().to_string()).expect("built URL routes");
            assert_eq!(again.entry.name, route.entry.name);
        }
    }
});
