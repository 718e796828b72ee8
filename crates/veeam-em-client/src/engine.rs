//! What the blocking and the async client share, without I/O: deciding what to do with each
//! answer (return it, wait and repeat, log on again), reporting content the schemas do not
//! know, logging without secrets, and reading a page of items one at a time (XML or JSON).

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::StatusCode;
use veeam_em_api::{Auth, Entry};
use veeam_em_model::json::stream::Stop;
use veeam_em_model::json::JsonType;
use veeam_em_model::stream::{ItemDecoder, Next};
use veeam_em_model::xml::{CollectUnknown, FromXml};
use veeam_em_model::{PagingInfo, Wire};

use crate::config::ClientConfig;
use crate::error::ClientError;
use crate::transport::{HttpRequest, HttpResponse, TransportError};

/// Where one call stands.
#[derive(Debug)]
pub(crate) struct Attempt {
    /// Attempts made (from 1 once the first is sent).
    pub number: u32,
    /// The session was renewed once already during this call.
    pub relogged: bool,
    /// When the call began (for [`ClientConfig::call_timeout`]).
    pub began: Instant,
}

impl Default for Attempt {
    fn default() -> Self {
        Self {
            number: 0,
            relogged: false,
            began: Instant::now(),
        }
    }
}

impl Attempt {
    /// Whether a pause of `delay` then another attempt still fit in the call's time.
    fn has_time_for(&self, config: &ClientConfig, delay: Duration) -> bool {
        config
            .call_timeout
            .is_none_or(|limit| self.began.elapsed() + delay < limit)
    }
}

/// A pause as people read it in a log line: `2.2 ms`, `1.5 s`.
pub(crate) fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// What to do after an attempt.
#[derive(Debug)]
pub(crate) enum Step {
    /// The answer (whatever its status: the resource layer judges it).
    Done(HttpResponse),
    /// Wait, then send again.
    Retry(Duration),
    /// Log on again (the session expired), then send again.
    Relogon,
    /// Give up.
    Fail(ClientError),
}

/// The `Retry-After` of a response, in seconds (HTTP dates are read as "a while": 1 s).
fn retry_after(response: &HttpResponse) -> Option<Duration> {
    let value = response
        .headers()
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    Some(match value.trim().parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => Duration::from_secs(1),
    })
}

/// Judges the result of attempt `attempt.number` of `entry`.
pub(crate) fn judge(
    config: &ClientConfig,
    entry: &'static Entry,
    attempt: &mut Attempt,
    result: Result<HttpResponse, TransportError>,
) -> Step {
    let retryable = entry.idempotent && attempt.number < config.retry.max_attempts;
    match result {
        Ok(response) => {
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED
                && entry.auth == Auth::Session
                && entry.idempotent
                && !attempt.relogged
            {
                attempt.relogged = true;
                tracing::info!(
                    operation = entry.name,
                    "the logon session has expired: logging on again"
                );
                return Step::Relogon;
            }
            if retryable && config.retry.statuses.contains(&status.as_u16()) {
                let delay = config.retry.delay(attempt.number, retry_after(&response));
                if attempt.has_time_for(config, delay) {
                    tracing::warn!(
                        operation = entry.name,
                        status = status.as_u16(),
                        attempt = attempt.number,
                        "retrying in {}",
                        human(delay)
                    );
                    return Step::Retry(delay);
                }
            }
            if response.body().len() > config.max_response_bytes {
                return Step::Fail(ClientError::Transport {
                    operation: entry.name,
                    source: TransportError::TooLarge {
                        limit: config.max_response_bytes,
                    },
                });
            }
            Step::Done(response)
        }
        Err(error) if retryable && error.is_transient() => {
            let delay = config.retry.delay(attempt.number, None);
            if !attempt.has_time_for(config, delay) {
                return Step::Fail(ClientError::Transport {
                    operation: entry.name,
                    source: error,
                });
            }
            tracing::warn!(
                operation = entry.name,
                attempt = attempt.number,
                "{error}: retrying in {}",
                human(delay)
            );
            Step::Retry(delay)
        }
        Err(source) => Step::Fail(ClientError::Transport {
            operation: entry.name,
            source,
        }),
    }
}

/// Logs a request (headers marked sensitive, the token and the password, are never shown).
pub(crate) fn log_request(config: &ClientConfig, entry: &Entry, request: &HttpRequest) {
    if config.tls.insecure_skip_verification {
        tracing::warn!(
            "TLS certificate verification is OFF (insecure): anyone on the path can read the password and act as the server"
        );
    }
    tracing::debug!(
        operation = entry.name,
        method = %request.method(),
        url = %request.uri(),
        body_bytes = request.body().len(),
        "request"
    );
    if tracing::enabled!(tracing::Level::TRACE) {
        for (name, value) in request.headers() {
            let shown = if value.is_sensitive() {
                "<redacted>".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            tracing::trace!(operation = entry.name, "request header {name}: {shown}");
        }
    }
}

/// Logs a response (its status and size; bodies and the token header are not logged).
pub(crate) fn log_response(entry: &Entry, response: &HttpResponse, elapsed: Duration) {
    tracing::debug!(
        operation = entry.name,
        status = response.status().as_u16(),
        body_bytes = response.body().len(),
        millis = elapsed.as_millis() as u64,
        "response"
    );
}

/// Unknown content seen by one client: one warning per new path, or an error in strict mode.
#[derive(Debug, Default)]
pub(crate) struct UnknownReport {
    seen: Mutex<HashSet<String>>,
}

impl UnknownReport {
    pub fn check<T: CollectUnknown + ?Sized>(
        &self,
        config: &ClientConfig,
        entry: &Entry,
        value: &T,
    ) -> Result<(), ClientError> {
        self.check_at(
            config,
            entry.name,
            entry.representation().unwrap_or(""),
            value,
        )
    }

    /// Like [`check`](Self::check) for a value at `root` (e.g. an item of a list).
    pub fn check_at<T: CollectUnknown + ?Sized>(
        &self,
        config: &ClientConfig,
        operation: &'static str,
        root: &str,
        value: &T,
    ) -> Result<(), ClientError> {
        let paths = veeam_em_model::xml::unknown_paths(root, value);
        if paths.is_empty() {
            return Ok(());
        }
        if config.strict_unknown {
            return Err(ClientError::UnknownContent { operation, paths });
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        for path in paths {
            if seen.insert(path.clone()) {
                tracing::warn!(
                    operation,
                    "the server sent {path}, which the schemas do not know (a newer server?): kept, not shown"
                );
            }
        }
        Ok(())
    }

    /// Every path reported so far.
    pub fn seen(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect();
        out.sort();
        out
    }
}

/// Decodes the items of a page of a query result one at a time from the body, in the form it
/// came in, and its paging information; `path` leads from `QueryResult` to the items'
/// container (in JSON, every array of that container holds items).
pub(crate) fn decode_page<T: FromXml + JsonType>(
    limits: veeam_em_model::Limits,
    operation: &'static str,
    form: Wire,
    body: Vec<u8>,
    path: &'static [&'static str],
    items: &'static [&'static str],
    mut each: impl FnMut(T) -> Result<(), ClientError>,
) -> Result<(u32, u32), ClientError> {
    if form == Wire::Json {
        let result = limits
            .scope(|| veeam_em_model::json::stream::items_at(&body, path, "PagingInfo", each));
        let paging: PagingInfo = match result {
            Ok(paging) => paging.unwrap_or_default(),
            Err(Stop::Callback(e)) => return Err(e),
            Err(Stop::Decode(source)) => {
                return Err(ClientError::Api(veeam_em_api::ApiError::Decode {
                    operation,
                    source,
                    body,
                }))
            }
        };
        return Ok(pages_of(&paging));
    }
    // One pass: the items, and the paging information kept as it passes. The decoder owns the
    // body (no copy) and gives it back for an error.
    let mut decoder =
        limits.scope(|| ItemDecoder::<T>::nested("QueryResult", path, items).keeping("PagingInfo"));
    decoder.feed_vec(body);
    decoder.finish();
    let decoded = loop {
        match decoder.next_item() {
            Ok(Next::Item(item)) => each(item)?,
            Ok(_) => break decoder.kept().transpose(),
            Err(e) => break Err(e),
        }
    };
    let paging: PagingInfo = match decoded {
        Ok(paging) => paging.unwrap_or_default(),
        Err(source) => {
            return Err(ClientError::Api(veeam_em_api::ApiError::Decode {
                operation,
                source,
                body: decoder.into_buffer(),
            }))
        }
    };
    Ok(pages_of(&paging))
}

/// `(page, pages)` of a page's paging information.
fn pages_of(paging: &PagingInfo) -> (u32, u32) {
    let page = paging
        .page_num
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or(1);
    let pages = paging
        .pages_count
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or(page);
    (page, pages)
}

/// The container path and item names of query operation `O` in entity or reference form.
pub(crate) fn items_path<O: veeam_em_api::query::QueryOperation>(
    entities: bool,
) -> (&'static [&'static str], &'static [&'static str]) {
    if entities {
        (O::ENTITIES_PATH, O::ITEMS)
    } else {
        (&["Refs"], &["Ref"])
    }
}

/// The path of one item of query operation `O`, for reports of unknown content.
pub(crate) fn item_root<O: veeam_em_api::query::QueryOperation>(entities: bool) -> String {
    if entities {
        format!(
            "QueryResult/Entities/{}/{}",
            O::LIST,
            O::ITEMS.first().copied().unwrap_or("Item")
        )
    } else {
        "QueryResult/Refs/Ref".to_owned()
    }
}

/// The polls of a task wait, shared by both clients: pauses that grow from 100 ms to 5 s, never
/// past the deadline, and a last poll at the deadline itself, so a wait of `timeout` gives the
/// task all of it.
#[derive(Debug)]
pub(crate) struct TaskWait {
    deadline: Instant,
    pause: Duration,
}

impl TaskWait {
    pub fn new(now: Instant, timeout: Duration) -> Self {
        Self {
            deadline: now + timeout,
            pause: Duration::from_millis(100),
        }
    }

    /// After a poll at `now` found the task running: how long to sleep before the next poll,
    /// or `None` when that poll was the last (at or after the deadline).
    pub fn next(&mut self, now: Instant) -> Option<Duration> {
        let left = self.deadline.checked_duration_since(now)?;
        if left.is_zero() {
            return None;
        }
        let sleep = self.pause.min(left);
        self.pause = (self.pause * 3 / 2).min(Duration::from_secs(5));
        Some(sleep)
    }
}

#[cfg(test)]
mod task_wait_tests {
    use super::*;

    /// The sleeps of a wait add up to its whole timeout, and the last poll is at the deadline.
    #[test]
    fn a_wait_polls_until_its_deadline_and_once_at_it() {
        for timeout in [0u64, 50, 2_000, 7_300, 60_000] {
            let start = Instant::now();
            let timeout = Duration::from_millis(timeout);
            let mut wait = TaskWait::new(start, timeout);
            let mut now = start;
            let mut polls = 1;
            while let Some(sleep) = wait.next(now) {
                assert!(sleep <= Duration::from_secs(5));
                now += sleep;
                polls += 1;
            }
            assert_eq!(now - start, timeout, "the last poll is at the deadline");
            assert!(polls >= 1);
        }
    }
}
