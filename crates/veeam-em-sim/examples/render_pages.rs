//! Renders query pages of 1,000 task session entities in process, for profiling the core
//! (`perf record cargo run --release --example render_pages`).

use std::time::Instant;

fn main() {
    let sim = veeam_em_sim::Simulator::new(veeam_em_sim::SimConfig {
        policies: 100,
        sessions_per_policy: 100,
        tasks_per_session: 10,
        ..Default::default()
    });
    let logon = sim.handle(
        http::Request::post("/api/sessionMngr/?v=latest")
            .header("Authorization", "Basic YWRtaW46YWRtaW4=")
            .body(Vec::new())
            .unwrap(),
    );
    let token = logon.headers()["x-restsvcsessionid"].clone();
    let started = Instant::now();
    let mut bytes = 0;
    for page in 1..=100 {
        let r = sim.handle(
            http::Request::get(format!(
                "/api/query?type=CdpReplicaTaskSession&format=Entities&pageSize=1000&page={page}"
            ))
            .header("X-RestSvcSessionId", token.clone())
            .body(Vec::new())
            .unwrap(),
        );
        bytes += r.body().len();
    }
    let s = started.elapsed().as_secs_f64();
    println!(
        "100 pages in {s:.3} s: {:.1} ms/page, {:.0} MB/s",
        s * 10.0,
        bytes as f64 / 1e6 / s
    );
}
