//! Prints the simulator's answer to GET PATH (in process): `cargo run -p veeam-em-sim --example get -- /api/jobs`.

fn main() {
    let sim = veeam_em_sim::Simulator::new(veeam_em_sim::SimConfig::default());
    let logon = sim.handle(
        http::Request::post("/api/sessionMngr/?v=latest")
            .header("Authorization", "Basic YWRtaW46YWRtaW4=")
            .body(Vec::new())
            .unwrap(),
    );
    let token = logon.headers()["x-restsvcsessionid"].clone();
    for path in std::env::args().skip(1) {
        let r = sim.handle(
            http::Request::get(path.as_str())
                .header("X-RestSvcSessionId", token.clone())
                .body(Vec::new())
                .unwrap(),
        );
        println!(
            "{} {}\n{}",
            r.status(),
            path,
            String::from_utf8_lossy(r.body())
        );
    }
}
