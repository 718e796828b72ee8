//! Resident memory and threads of this process, from `/proc/self/status` (Linux).

/// The number a line `name value [kB]` of `/proc/self/status` holds (`name` with its colon).
fn field(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
}

fn status() -> Option<String> {
    std::fs::read_to_string("/proc/self/status").ok()
}

/// `(current, peak)` resident set size in bytes; zeros where `/proc` is not available.
pub fn rss() -> (u64, u64) {
    let Some(status) = status() else {
        return (0, 0);
    };
    let bytes = |name| field(&status, name).map_or(0, |kb| kb * 1024);
    (bytes("VmRSS:"), bytes("VmHWM:"))
}

/// Threads of this process; zero where `/proc` is not available.
pub fn threads() -> u64 {
    status().and_then(|s| field(&s, "Threads:")).unwrap_or(0)
}
