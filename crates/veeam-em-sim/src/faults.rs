//! Faults for client tests: latency, error statuses, truncated bodies, dropped connections,
//! sessions that expire now, slow bodies. Each rule may be limited to a path pattern, a number
//! of times and a share of the requests it matches; the choice is deterministic (seeded).
//!
//! Written as `KIND[=VALUE][,path=GLOB][,count=N][,share=0.5]`, e.g. `status=503,count=2`,
//! `latency=150ms,path=/api/query*`, `drop,share=0.1`, `truncate`, `expire-session`,
//! `slow-body=20ms`, `task-fail,share=0.5` (the tasks the matching requests start fail).

use std::time::Duration;

use crate::ids::mix64;

/// One kind of fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer only after this long.
    Latency(Duration),
    /// Answer with this status and an `<Error>` body (e.g. 500, 502, 503, 504).
    Status(u16),
    /// Send half of the body, then close the connection (the `Content-Length` promises all).
    Truncate,
    /// Close the connection without answering.
    Drop,
    /// The request's logon session expires now: it is answered 401.
    ExpireSession,
    /// Send the body in small pieces with this pause between them.
    SlowBody(Duration),
    /// The task the request starts finishes with a failure and changes nothing.
    TaskFail,
}

/// A fault and where it applies.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// The fault.
    pub fault: Fault,
    /// Only requests whose path and query match this pattern (`*` is any text); all when
    /// `None`.
    pub path: Option<String>,
    /// At most this many times; unlimited when `None`.
    pub count: Option<u32>,
    /// The share of matching requests that get it, from 0 to 1.
    pub share: f64,
    /// Only on this member of a fleet (`vem sim --fleet N`), counted from 1; on every member
    /// when `None`. A lone simulator is member 1.
    pub server: Option<u32>,
}

impl FaultRule {
    /// A rule for every request.
    pub fn always(fault: Fault) -> Self {
        Self {
            fault,
            path: None,
            count: None,
            share: 1.0,
            server: None,
        }
    }

    /// Limits the rule to paths matching `pattern`.
    pub fn on_path(mut self, pattern: impl Into<String>) -> Self {
        self.path = Some(pattern.into());
        self
    }

    /// Limits the rule to `count` times.
    pub fn times(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    /// Applies the rule to a share of the matching requests.
    pub fn share(mut self, share: f64) -> Self {
        self.share = share.clamp(0.0, 1.0);
        self
    }

    /// Parses `KIND[=VALUE][,path=GLOB][,count=N][,share=S]`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = text.split(',');
        let head = parts.next().unwrap_or_default().trim();
        let (kind, value) = match head.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (head, None),
        };
        let need = |what: &str| value.ok_or_else(|| format!("fault {kind} needs ={what}"));
        let fault = match kind {
            "latency" => Fault::Latency(parse_duration(need("DURATION")?)?),
            "status" => {
                let code: u16 = need("CODE")?
                    .parse()
                    .map_err(|_| format!("status={} is not a status code", value.unwrap_or("")))?;
                if !(400..=599).contains(&code) {
                    return Err(format!("status={code}: give an error status (400 to 599)"));
                }
                Fault::Status(code)
            }
            "truncate" => Fault::Truncate,
            "drop" => Fault::Drop,
            "expire-session" => Fault::ExpireSession,
            "slow-body" => Fault::SlowBody(parse_duration(need("DURATION")?)?),
            "task-fail" => Fault::TaskFail,
            other => {
                return Err(format!(
                    "unknown fault {other:?} (latency=, status=, truncate, drop, expire-session, slow-body=, task-fail)"
                ))
            }
        };
        let mut rule = Self::always(fault);
        for part in parts {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected path=, count=, share= or server="))?;
            match k.trim() {
                "path" => rule.path = Some(v.trim().to_owned()),
                "count" => rule.count = Some(v.trim().parse().map_err(|_| format!("count={v}"))?),
                "share" => {
                    let share: f64 = v.trim().parse().map_err(|_| format!("share={v}"))?;
                    if !(0.0..=1.0).contains(&share) {
                        return Err(format!("share={v}: give a number from 0 to 1"));
                    }
                    rule.share = share;
                }
                "server" => match v.trim().parse() {
                    Ok(k) if k >= 1 => rule.server = Some(k),
                    _ => return Err(format!("server={v}: give a fleet member, from 1")),
                },
                other => return Err(format!("unknown fault option {other:?}")),
            }
        }
        Ok(rule)
    }
}

/// `150ms`, `2s`, `1m`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration (e.g. 150ms, 2s)");
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, "ms"), |i| text.split_at(i));
    let n: u64 = number.parse().map_err(|_| bad())?;
    Ok(match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        _ => return Err(bad()),
    })
}

/// Whether `text` matches `pattern`, where `*` is any text.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// The rules and how often each has fired.
#[derive(Debug)]
pub(crate) struct FaultState {
    rules: Vec<(FaultRule, u32)>,
    seed: u64,
    draws: u64,
}

impl FaultState {
    pub fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Self {
            rules: rules.into_iter().map(|r| (r, 0)).collect(),
            seed,
            draws: 0,
        }
    }

    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push((rule, 0));
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The faults for a request to `target` (path and query).
    pub fn decide(&mut self, target: &str) -> Vec<Fault> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (rule, fired) in &mut self.rules {
            if rule.count.is_some_and(|c| *fired >= c) {
                continue;
            }
            if rule.path.as_deref().is_some_and(|p| !glob(p, target)) {
                continue;
            }
            self.draws += 1;
            let draw = (mix64(self.seed ^ self.draws) >> 11) as f64 / (1u64 << 53) as f64;
            if draw >= rule.share {
                continue;
            }
            *fired += 1;
            out.push(rule.fault.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse() {
        assert_eq!(
            FaultRule::parse("status=503,count=2,path=/api/query*").unwrap(),
            FaultRule::always(Fault::Status(503))
                .times(2)
                .on_path("/api/query*")
        );
        assert_eq!(
            FaultRule::parse("latency=150ms,share=0.5").unwrap(),
            FaultRule::always(Fault::Latency(Duration::from_millis(150))).share(0.5)
        );
        for bad in [
            "status=200",
            "latency",
            "nope",
            "drop,share=2",
            "drop,foo=1",
        ] {
            assert!(FaultRule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob("/api/query*", "/api/query?type=X"));
        assert!(glob("*/vms/*", "/api/cdpReplicas/1/vms/2"));
        assert!(glob("/api/tasks", "/api/tasks"));
        assert!(!glob("/api/tasks", "/api/tasks/1"));
        assert!(!glob("/api/*/x", "/api/a/y"));
    }

    #[test]
    fn counts_and_shares() {
        let mut s = FaultState::new(vec![FaultRule::always(Fault::Drop).times(2)], 1);
        let fired: usize = (0..10).map(|_| s.decide("/api/").len()).sum();
        assert_eq!(fired, 2);
        let mut s = FaultState::new(vec![FaultRule::always(Fault::Drop).share(0.3)], 7);
        let fired: usize = (0..10_000).map(|_| s.decide("/api/").len()).sum();
        assert!((2_500..3_500).contains(&fired), "{fired}");
    }
}
