//! What the blocking and the async client share, without I/O: one call as a state machine
//! (`Call`: token, send, wait and repeat, log on again, done), one task wait (`TaskWait`),
//! reporting content the schemas do not know, logging without secrets, reading a page of items.
//!
//! The policy lives here once; each client only drives the machines with its own I/O (a thread
//! sleep or a timer, a blocking or an async transport), so the two cannot drift apart.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::StatusCode;
use veeam_em_api::{ApiError, Auth, Entry, SessionToken};
use veeam_em_model::json::stream::Stop;
use veeam_em_model::json::JsonType;
use veeam_em_model::stream::{ItemDecoder, Next};
use veeam_em_model::xml::{CollectUnknown, FromXml};
use veeam_em_model::{PagingInfo, Task, TaskState, Wire};

use crate::config::ClientConfig;
use crate::error::ClientError;
use crate::transport::{HttpRequest, HttpResponse, TransportError};

/// Where one call stands.
#[derive(Debug)]
struct Attempt {
    /// Attempts made (from 1 once the first is sent).
    number: u32,
    /// The session was renewed once already during this call.
    relogged: bool,
    /// When the call began (for [`ClientConfig::call_timeout`]).
    began: Instant,
    /// When the request of the current attempt was handed to the transport.
    sent: Instant,
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

/// What a client must do next for a [`Call`], which it then answers with an [`Event`].
#[derive(Debug)]
pub(crate) enum Action {
    /// Get a session token (the kept one, or a new logon's): answer [`Event::Token`].
    NeedToken,
    /// Hand this request to the transport: answer [`Event::Sent`] with what came back.
    Send(HttpRequest),
    /// Sleep this long (a pause before the next attempt): answer [`Event::Waited`].
    Wait(Duration),
    /// Forget the kept session, which has expired: answer [`Event::Forgotten`] (the next
    /// [`Action::NeedToken`] then logs on again).
    ForgetSession,
    /// The call is over: the answer, whatever its status (the resource layer judges it).
    Done(HttpResponse),
    /// The call is over: it failed.
    Fail(ClientError),
}

/// What a client reports to a [`Call`] after doing its [`Action`].
#[derive(Debug)]
pub(crate) enum Event {
    /// The call begins.
    Start,
    /// The token asked for, or why there is none.
    Token(Result<SessionToken, ClientError>),
    /// What the transport gave back.
    Sent(Result<HttpResponse, TransportError>),
    /// The pause is over.
    Waited,
    /// The session is forgotten.
    Forgotten,
}

/// One call of one operation as a state machine without I/O: the retry, re-logon and
/// call-timeout policy, written once. The blocking and the async client drive it the same way:
/// `let mut event = Event::Start; loop { event = match call.step(event) { ... } }`, doing each
/// [`Action`] with their own I/O (a thread sleep or a timer, a blocking or an async transport).
pub(crate) struct Call<'a, B> {
    config: &'a ClientConfig,
    entry: &'static Entry,
    /// The request of an attempt, from the token it carries (if the operation needs one).
    build: B,
    attempt: Attempt,
}

impl<'a, B> Call<'a, B>
where
    B: Fn(Option<&SessionToken>) -> Result<HttpRequest, ApiError>,
{
    pub fn new(config: &'a ClientConfig, entry: &'static Entry, build: B) -> Self {
        let now = Instant::now();
        Self {
            config,
            entry,
            build,
            attempt: Attempt {
                number: 0,
                relogged: false,
                began: now,
                sent: now,
            },
        }
    }

    /// The next action after `event`.
    pub fn step(&mut self, event: Event) -> Action {
        match event {
            Event::Start | Event::Waited | Event::Forgotten => {
                self.attempt.number += 1;
                match self.entry.auth {
                    Auth::Session => Action::NeedToken,
                    Auth::None | Auth::Basic => self.send(None),
                }
            }
            Event::Token(Ok(token)) => self.send(Some(&token)),
            Event::Token(Err(error)) => Action::Fail(error),
            Event::Sent(result) => {
                if let Ok(response) = &result {
                    log_response(self.entry, response, self.attempt.sent.elapsed());
                }
                self.judge(result)
            }
        }
    }

    fn send(&mut self, token: Option<&SessionToken>) -> Action {
        match (self.build)(token) {
            Ok(request) => {
                log_request(self.config, self.entry, &request);
                self.attempt.sent = Instant::now();
                Action::Send(request)
            }
            Err(error) => Action::Fail(error.into()),
        }
    }

    /// What to do with the result of the current attempt.
    fn judge(&mut self, result: Result<HttpResponse, TransportError>) -> Action {
        let (config, entry, attempt) = (self.config, self.entry, &mut self.attempt);
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
                    // The attempt that found the session expired does not count.
                    attempt.number -= 1;
                    tracing::info!(
                        operation = entry.name,
                        "the logon session has expired: logging on again"
                    );
                    return Action::ForgetSession;
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
                        return Action::Wait(delay);
                    }
                }
                if response.body().len() > config.max_response_bytes {
                    return Action::Fail(ClientError::Transport {
                        operation: entry.name,
                        source: TransportError::TooLarge {
                            limit: config.max_response_bytes,
                        },
                    });
                }
                Action::Done(response)
            }
            Err(error) if retryable && error.is_transient() => {
                let delay = config.retry.delay(attempt.number, None);
                if !attempt.has_time_for(config, delay) {
                    return Action::Fail(ClientError::Transport {
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
                Action::Wait(delay)
            }
            Err(source) => Action::Fail(ClientError::Transport {
                operation: entry.name,
                source,
            }),
        }
    }
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

/// A response whose status the resource layer accepts for `entry` (an error status is an
/// [`ApiError::Status`]), given back whole.
pub(crate) fn checked(
    entry: &'static Entry,
    response: HttpResponse,
) -> Result<HttpResponse, ClientError> {
    let (parts, body) = response.into_parts();
    let borrowed = http::Response::from_parts(parts, &body[..]);
    veeam_em_api::response::check_status(entry, &borrowed)?;
    let (parts, _) = borrowed.into_parts();
    Ok(http::Response::from_parts(parts, body))
}

/// Logs a request (headers marked sensitive, the token and the password, are never shown).
fn log_request(config: &ClientConfig, entry: &Entry, request: &HttpRequest) {
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
fn log_response(entry: &Entry, response: &HttpResponse, elapsed: Duration) {
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

/// A task wait as a state machine without I/O, driven by both clients: after each poll of the
/// task, [`polled`](Self::polled) says whether it is over (finished, failed, or out of time)
/// or how long to sleep before the next poll. Pauses grow from 100 ms to 5 s, never past the
/// deadline, and the last poll is at the deadline itself, so a wait of `timeout` gives the task
/// all of it.
#[derive(Debug)]
pub(crate) struct TaskWait<'a> {
    task_id: &'a str,
    timeout: Duration,
    deadline: Instant,
    pause: Duration,
}

/// What follows a poll of a task.
#[derive(Debug)]
pub(crate) enum Polled {
    /// Sleep, then poll again.
    Sleep(Duration),
    /// The task finished successfully.
    Done(Task),
    /// It failed, or the wait is out of time.
    Fail(ClientError),
}

impl<'a> TaskWait<'a> {
    pub fn new(task_id: &'a str, now: Instant, timeout: Duration) -> Self {
        Self {
            task_id,
            timeout,
            deadline: now + timeout,
            pause: Duration::from_millis(100),
        }
    }

    /// After a poll at `now` gave `task`.
    pub fn polled(&mut self, task: Task, now: Instant) -> Polled {
        match finished(task) {
            Ok(Some(done)) => Polled::Done(done),
            Err(failed) => Polled::Fail(failed),
            Ok(None) => match self.next(now) {
                Some(pause) => Polled::Sleep(pause),
                None => Polled::Fail(ClientError::TaskTimeout {
                    task_id: self.task_id.to_owned(),
                    waited: self.timeout,
                }),
            },
        }
    }

    /// After a poll at `now` found the task running: how long to sleep before the next poll,
    /// or `None` when that poll was the last (at or after the deadline).
    fn next(&mut self, now: Instant) -> Option<Duration> {
        let left = self.deadline.checked_duration_since(now)?;
        if left.is_zero() {
            return None;
        }
        let sleep = self.pause.min(left);
        self.pause = (self.pause * 3 / 2).min(Duration::from_secs(5));
        Some(sleep)
    }
}

/// `Some(task)` when it has finished successfully, an error when it failed, `None` while it runs.
fn finished(task: Task) -> Result<Option<Task>, ClientError> {
    match task.state {
        TaskState::Finished | TaskState::OperationFinished => match &task.result {
            Some(result) if !result.success => Err(ClientError::TaskFailed {
                task_id: task.task_id.to_string(),
                message: result.message.as_deref().unwrap_or("no message").to_owned(),
            }),
            _ => Ok(Some(task)),
        },
        _ => Ok(None),
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
            let mut wait = TaskWait::new("t", start, timeout);
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

#[cfg(test)]
mod call_tests {
    use super::*;
    use veeam_em_api::{BaseUrl, Operation};

    fn config() -> ClientConfig {
        ClientConfig::new(BaseUrl::for_host("em.example").unwrap()).retry(crate::RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
            statuses: vec![503],
        })
    }

    fn request(token: Option<&SessionToken>) -> Result<HttpRequest, ApiError> {
        let mut request = http::Request::new(Vec::new());
        if token.is_some() {
            request
                .headers_mut()
                .insert("x-token", http::HeaderValue::from_static("t"));
        }
        Ok(request)
    }

    fn status(code: u16) -> Event {
        let mut response = http::Response::new(Vec::new());
        *response.status_mut() = StatusCode::from_u16(code).unwrap();
        Event::Sent(Ok(response))
    }

    fn token() -> Event {
        Event::Token(Ok(SessionToken::new("t")))
    }

    /// The actions of a call answered with `events`, in order, named.
    fn script(entry: &'static Entry, events: Vec<Event>) -> Vec<String> {
        let config = config();
        let mut call = Call::new(&config, entry, request);
        let mut actions = Vec::new();
        for event in events {
            let action = call.step(event);
            actions.push(match &action {
                Action::NeedToken => "token".to_owned(),
                Action::Send(r) => format!(
                    "send{}",
                    if r.headers().contains_key("x-token") {
                        "+token"
                    } else {
                        ""
                    }
                ),
                Action::Wait(_) => "wait".to_owned(),
                Action::ForgetSession => "forget".to_owned(),
                Action::Done(r) => format!("done {}", r.status().as_u16()),
                Action::Fail(e) => format!("fail {e}").chars().take(4).collect(),
            });
        }
        actions
    }

    const GET: &Entry = <veeam_em_api::ops::GetTask as Operation>::ENTRY;
    const LOGON: &Entry = <veeam_em_api::ops::Logon as Operation>::ENTRY;

    #[test]
    fn a_session_call_asks_for_a_token_then_sends_it() {
        assert_eq!(
            script(GET, vec![Event::Start, token(), status(200)]),
            ["token", "send+token", "done 200"]
        );
    }

    #[test]
    fn a_retryable_status_waits_and_repeats_until_the_attempts_are_spent() {
        let events = vec![
            Event::Start,
            token(),
            status(503),
            Event::Waited,
            token(),
            status(503),
            Event::Waited,
            token(),
            status(503),
        ];
        assert_eq!(
            script(GET, events),
            [
                "token",
                "send+token",
                "wait",
                "token",
                "send+token",
                "wait",
                "token",
                "send+token",
                "done 503"
            ]
        );
    }

    #[test]
    fn an_expired_session_is_renewed_once_without_spending_an_attempt() {
        let events = vec![
            Event::Start,
            token(),
            status(401),
            Event::Forgotten,
            token(),
            status(401),
        ];
        assert_eq!(
            script(GET, events),
            [
                "token",
                "send+token",
                "forget",
                "token",
                "send+token",
                "done 401"
            ]
        );
    }

    #[test]
    fn what_is_not_idempotent_is_never_repeated() {
        assert!(!LOGON.idempotent);
        assert_eq!(
            script(LOGON, vec![Event::Start, status(503)]),
            ["send", "done 503"]
        );
        let refused = Event::Sent(Err(TransportError::Connect {
            target: "em.example:9398".to_owned(),
            message: "refused".to_owned(),
        }));
        assert_eq!(script(LOGON, vec![Event::Start, refused]), ["send", "fail"]);
    }

    #[test]
    fn a_transient_transport_error_is_retried_and_a_missing_token_fails() {
        let refused = || {
            Event::Sent(Err(TransportError::Connect {
                target: "em.example:9398".to_owned(),
                message: "refused".to_owned(),
            }))
        };
        assert_eq!(
            script(
                GET,
                vec![
                    Event::Start,
                    token(),
                    refused(),
                    Event::Waited,
                    token(),
                    status(200)
                ]
            ),
            [
                "token",
                "send+token",
                "wait",
                "token",
                "send+token",
                "done 200"
            ]
        );
        assert_eq!(
            script(
                GET,
                vec![Event::Start, Event::Token(Err(ClientError::NoCredentials))]
            ),
            ["token", "fail"]
        );
    }
}
