//! The sans-IO core: the simulator's state and a function from an `http::Request` to an
//! `http::Response`. No sockets, no async runtime; time comes from a [`Clock`]. The server
//! (`server.rs`) and in-process transports are thin shells around [`Simulator::serve`].
//!
//! A request goes: faults decided, `/api` checked, routed with the catalogue
//! (`veeam_em_api::incoming`), authenticated, then answered by the built-in resources (entry
//! point, logon sessions, tasks) or a handler of the world (`handlers/`: GET, query service,
//! action).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use time::OffsetDateTime;
use veeam_em_api::incoming::{AnyRequest, Incoming, RequestError};
use veeam_em_api::response::{body_response, ToResponse};
use veeam_em_api::{Auth, Entry, LoggedOn, RouteError, SessionToken};
use veeam_em_model::{
    Document, EnterpriseManager, Link, LinkList, LogonSession, LogonSessions, SupportedVersion,
    SupportedVersionList, Tasks, Text, Wire,
};

use crate::auth::{Logon, Refusal, Sessions};
use crate::clock::{Clock, SystemClock};
use crate::config::SimConfig;
use crate::errors::Failure;
use crate::faults::{Fault, FaultRule, FaultState};
use crate::handlers::act::Outcome as ActionOutcome;
use crate::state::State as World;
use crate::tasks::{self, Change, TaskRecord};

/// API versions the entry point lists (each can be logged on to with `?v=`).
pub const API_VERSIONS: &[&str] = &["v1_5", "v1_6", "v1_7"];

/// How the body of an answer is to be delivered (faults a socket shell applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// As is.
    Normal,
    /// Half of it, then the connection closes.
    Truncate,
    /// No answer: the connection closes.
    Drop,
    /// In small pieces with this pause between them.
    Slow(Duration),
}

/// The answer to one request, with how to deliver it.
#[derive(Debug)]
pub struct Outcome {
    /// The response.
    pub response: http::Response<Vec<u8>>,
    /// Wait this long before answering (an injected latency).
    pub delay: Option<Duration>,
    /// How to send it.
    pub delivery: Delivery,
}

/// What requests change.
#[derive(Debug)]
struct State {
    world: World,
    tasks: Vec<TaskRecord>,
    next_task: u64,
}

/// A simulated Enterprise Manager.
#[derive(Debug)]
pub struct Simulator {
    config: SimConfig,
    clock: Arc<dyn Clock>,
    state: RwLock<State>,
    /// When the next running task finishes (Unix nanoseconds; `i64::MAX`: none).
    next_due: AtomicI64,
    sessions: Sessions,
    faults: Mutex<FaultState>,
    /// Hrefs start with this when a request has no `Host` header.
    base: RwLock<String>,
    /// `http` or `https`, for hrefs built from the `Host` header.
    scheme: RwLock<&'static str>,
    /// The world's anchor, and the clock's time when the simulator started.
    anchor: OffsetDateTime,
    started: OffsetDateTime,
}

fn nanos(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos()).unwrap_or(i64::MAX)
}

impl Simulator {
    /// A simulator on the system clock.
    pub fn new(config: SimConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A simulator on `clock` (e.g. a [`ManualClock`](crate::ManualClock) in tests).
    pub fn with_clock(config: SimConfig, clock: Arc<dyn Clock>) -> Self {
        // Anchored at `now`, to the second (the same seed and `now` give the same bodies).
        let started = clock.now();
        let anchor = config.now.unwrap_or(started);
        let anchor = anchor.replace_nanosecond(0).unwrap_or(anchor);
        let world = World::new(config.clone(), anchor);
        let faults = FaultState::new(config.faults.clone(), config.seed);
        Self {
            sessions: Sessions::new(config.effective_users(), config.session_idle),
            faults: Mutex::new(faults),
            state: RwLock::new(State {
                world,
                tasks: Vec::new(),
                next_task: 1,
            }),
            next_due: AtomicI64::new(i64::MAX),
            base: RwLock::new("https://localhost:9398/api".to_owned()),
            anchor,
            started,
            scheme: RwLock::new("http"),
            clock,
            config,
        }
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Hrefs of answers to requests without a `Host` header start with `base` (e.g.
    /// `http://127.0.0.1:9398/api`); `scheme` is used with the `Host` header otherwise.
    pub fn set_base_url(&self, base: &str) {
        let base = base.trim_end_matches('/').to_owned();
        let scheme = if base.starts_with("https:") {
            "https"
        } else {
            "http"
        };
        *self.scheme.write().unwrap_or_else(|e| e.into_inner()) = scheme;
        *self.base.write().unwrap_or_else(|e| e.into_inner()) = base;
    }

    /// Adds a fault rule.
    pub fn add_fault(&self, rule: FaultRule) {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .add(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The catalogue GETs the world cannot serve (empty when every one is): a GET is served
    /// when it is one of the core's own, the query service, an object or a collection of a kind,
    /// or a document the schemas describe.
    pub fn unserved_operations(&self) -> Vec<&'static str> {
        const BUILT_IN: &[&str] = &[
            "GetEntryPoint",
            "GetLogonSessions",
            "GetLogonSession",
            "GetTasks",
            "GetTask",
        ];
        let reg = crate::registry::registry();
        veeam_em_api::CATALOGUE
            .iter()
            .filter(|e| e.method == "GET" && e.query_service.is_none())
            .filter(|e| !BUILT_IN.contains(&e.name))
            .filter(|e| {
                let node = veeam_em_api::resource::node(e.path);
                let documented = e
                    .representation()
                    .is_some_and(|r| veeam_em_model::reflect::root(r).is_some());
                reg.at(&node).is_none() && reg.listing(&node).is_none() && !documented
            })
            .map(|e| e.name)
            .collect()
    }

    /// Answers a request, applying the faults that change the answer itself (latency and the
    /// faults of delivery are ignored: see [`serve`](Self::serve)). What an in-process transport
    /// calls.
    pub fn handle(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        self.serve(request).response
    }

    /// Answers a request, with the delay and delivery faults a socket shell applies.
    pub fn serve(&self, request: http::Request<Vec<u8>>) -> Outcome {
        let started = Instant::now();
        let wire = accept(&request);
        let method = request.method().clone();
        let target = request
            .uri()
            .path_and_query()
            .map_or_else(|| request.uri().to_string(), |p| p.as_str().to_owned());
        let faults = self
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .decide(&target);
        let mut outcome = Outcome {
            response: http::Response::new(Vec::new()),
            delay: None,
            delivery: Delivery::Normal,
        };
        let mut status_fault = None;
        let fail_task = faults.contains(&Fault::TaskFail);
        for fault in &faults {
            match fault {
                Fault::Latency(d) => outcome.delay = Some(*d),
                Fault::Status(code) => status_fault = Some(*code),
                Fault::Truncate => outcome.delivery = Delivery::Truncate,
                Fault::Drop => outcome.delivery = Delivery::Drop,
                Fault::SlowBody(d) => outcome.delivery = Delivery::Slow(*d),
                Fault::TaskFail => {}
                Fault::ExpireSession => {
                    if let Ok(incoming) = Incoming::parse(&request) {
                        if let Some(token) = &incoming.session {
                            self.sessions.expire(token.expose());
                        }
                    }
                }
            }
        }
        outcome.response = match status_fault {
            Some(code) => {
                let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                Failure::new(
                    status,
                    format!("Injected fault: the server answers {status}"),
                )
                .response(wire)
            }
            None => match self.answer(&request, wire, fail_task) {
                Ok(response) => response,
                Err(failure) => failure.response(wire),
            },
        };
        tracing::info!(
            target: "veeam_em_sim",
            method = %method,
            path = %target,
            status = outcome.response.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "request"
        );
        outcome
    }

    /// The simulated time: the anchor (`--now`) plus the time since the simulator started, so
    /// that a world anchored in the past still sees its tasks and sessions move.
    fn now(&self) -> OffsetDateTime {
        self.anchor + (self.clock.now() - self.started)
    }

    /// Moves the world's present to `now`, finishes the tasks that are due and applies their
    /// changes.
    fn advance(&self, now: OffsetDateTime) {
        {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            state.world.set_now(now);
        }
        if self.next_due.load(Ordering::Acquire) > nanos(now) {
            return;
        }
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let State { world, tasks, .. } = &mut *state;
        let mut next = i64::MAX;
        for task in tasks.iter_mut().filter(|t| t.result.is_none()) {
            if task.done_at <= now {
                task.result = Some(tasks::apply(world, &task.change, task.done_at));
            } else {
                next = next.min(nanos(task.done_at));
            }
        }
        self.next_due.store(next, Ordering::Release);
    }

    fn base_for(&self, request: &http::Request<Vec<u8>>) -> String {
        match request
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '@']))
        {
            Some(host) => {
                let scheme = *self.scheme.read().unwrap_or_else(|e| e.into_inner());
                format!("{scheme}://{host}/api")
            }
            None => self.base.read().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }

    /// The answer to `request`, its body in `wire` form (what its `Accept` asks for).
    fn answer(
        &self,
        request: &http::Request<Vec<u8>>,
        wire: Wire,
        fail_task: bool,
    ) -> Result<http::Response<Vec<u8>>, Failure> {
        crate::state::forget();
        let now = self.now();
        self.advance(now);
        let path = request.uri().path();
        let below_api = path.len() >= 4
            && path[..4].eq_ignore_ascii_case("/api")
            && (path.len() == 4 || path.as_bytes()[4] == b'/');
        if !below_api {
            return Err(Failure::not_found(format!(
                "{path} is not an address of the API (it starts with /api)"
            )));
        }
        let incoming = Incoming::parse(request).map_err(request_failure)?;
        let entry = incoming.route.entry;
        let logon = match entry.auth {
            Auth::None => None,
            Auth::Basic => None,
            Auth::Session => Some(self.authenticate(incoming.session.as_ref(), now)?),
        };
        let base = self.base_for(request);
        if entry.auth == Auth::Basic {
            return self.logon(&incoming, &base, now);
        }
        match entry.name {
            "GetEntryPoint" => {
                return Ok(document(
                    entry,
                    &Document::EnterpriseManager(entry_point(&base)),
                    wire,
                ))
            }
            "GetLogonSessions" => {
                let list = LogonSessions {
                    logon_sessions: self
                        .sessions
                        .list(now)
                        .iter()
                        .map(|l| logon_session(&base, l))
                        .collect(),
                    unknown: Default::default(),
                };
                return Ok(document(entry, &Document::LogonSessions(list), wire));
            }
            "GetLogonSession" | "Logout" => {
                let id = incoming.route.path_values[0].as_str();
                let found = self
                    .sessions
                    .list(now)
                    .into_iter()
                    .find(|l| l.id.eq_ignore_ascii_case(id));
                let Some(found) = found else {
                    return Err(Failure::not_found(format!(
                        "There is no logon session {id:?}"
                    )));
                };
                if entry.name == "Logout" {
                    self.sessions.close(&found.id);
                    return Ok(().to_response(entry, wire));
                }
                return Ok(document(
                    entry,
                    &Document::LogonSession(logon_session(&base, &found)),
                    wire,
                ));
            }
            _ => {}
        }
        let logon = logon.ok_or_else(|| Failure::unauthorized("A logon session is required"))?;
        if let Some(query_type) = entry.query_service {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            let result =
                crate::handlers::query::answer(&state.world, query_type, &incoming.route, &base)?;
            return Ok(document(entry, &Document::QueryResult(result), wire));
        }
        match entry.name {
            "GetTasks" | "GetTask" => {
                let state = self.state.read().unwrap_or_else(|e| e.into_inner());
                if entry.name == "GetTasks" {
                    let tasks = Tasks {
                        tasks: state
                            .tasks
                            .iter()
                            .filter(|t| t.owner == logon.id)
                            .map(|t| t.render(&base))
                            .collect(),
                        unknown: Default::default(),
                    };
                    return Ok(document(entry, &Document::Tasks(tasks), wire));
                }
                let id = incoming.route.path_values[0].as_str();
                let task = state
                    .tasks
                    .iter()
                    .find(|t| t.id.eq_ignore_ascii_case(id))
                    .ok_or_else(|| Failure::not_found(format!("There is no task {id:?}")))?;
                return Ok(document(entry, &Document::Task(task.render(&base)), wire));
            }
            "DeleteTask" => {
                let id = incoming.route.path_values[0].as_str();
                let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
                let at = state
                    .tasks
                    .iter()
                    .position(|t| t.id.eq_ignore_ascii_case(id) && t.owner == logon.id)
                    .ok_or_else(|| Failure::not_found(format!("There is no task {id:?}")))?;
                state.tasks.remove(at);
                return Ok(empty(entry));
            }
            _ => {}
        }
        if entry.http_method() == Method::GET {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            let doc = crate::handlers::get::get(&state.world, entry, &incoming.route, &base)?;
            return Ok(document(entry, &doc, wire));
        }
        self.act(entry, &incoming, &logon, &base, now, fail_task)
    }

    fn authenticate(
        &self,
        token: Option<&SessionToken>,
        now: OffsetDateTime,
    ) -> Result<Logon, Failure> {
        let Some(token) = token else {
            return Err(Failure::unauthorized(
                "The request has no X-RestSvcSessionId: log on first (POST /api/sessionMngr/?v=latest)",
            ));
        };
        self.sessions.check(token.expose(), now).map_err(|refusal| {
            Failure::unauthorized(match refusal {
                Refusal::Expired => "The logon session has expired: log on again",
                Refusal::Unknown => "The logon session is not valid: log on again",
            })
        })
    }

    fn logon(
        &self,
        incoming: &Incoming,
        base: &str,
        now: OffsetDateTime,
    ) -> Result<http::Response<Vec<u8>>, Failure> {
        let Some(credentials) = &incoming.credentials else {
            return Err(Failure::unauthorized(
                "Logon needs a user name and password (Basic authentication)",
            ));
        };
        let version = incoming
            .route
            .query_value("v")
            .unwrap_or("latest")
            .to_owned();
        if version != "latest"
            && !API_VERSIONS
                .iter()
                .any(|v| v.eq_ignore_ascii_case(&version))
        {
            return Err(Failure::bad_request(format!(
                "API version {version:?} is not supported; use latest or one of {}",
                API_VERSIONS.join(", ")
            )));
        }
        if !self
            .sessions
            .verify(credentials.user(), credentials.expose_password())
        {
            return Err(Failure::unauthorized(
                "The user name or password is incorrect",
            ));
        }
        let (token, logon) = self.sessions.open(credentials.user(), &version, now);
        let logged_on = LoggedOn {
            session: logon_session(base, &logon),
            token: SessionToken::new(token),
        };
        Ok(logged_on.to_response(incoming.route.entry, incoming.accept))
    }

    fn act(
        &self,
        entry: &'static Entry,
        incoming: &Incoming,
        logon: &Logon,
        base: &str,
        now: OffsetDateTime,
        fail_task: bool,
    ) -> Result<http::Response<Vec<u8>>, Failure> {
        let wire = incoming.accept;
        // The typed request checks the body's shape (required members, values).
        AnyRequest::from_incoming(incoming).map_err(request_failure)?;
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let outcome = crate::handlers::act::act(
            &state.world,
            entry,
            &incoming.route,
            incoming.body.as_ref(),
            base,
        )?;
        match outcome {
            ActionOutcome::Document(doc, change) => {
                tasks::apply(&mut state.world, &change, now);
                Ok(document(entry, &doc, wire))
            }
            ActionOutcome::Now(change) => {
                let (success, message) = tasks::apply(&mut state.world, &change, now);
                if !success {
                    return Err(Failure::not_found(message));
                }
                Ok(empty(entry))
            }
            ActionOutcome::Task(operation, change) => {
                let change = if fail_task {
                    Change::Fail(format!(
                        "Injected fault: {operation} failed; nothing changed"
                    ))
                } else {
                    change
                };
                let id = format!("task-{}", state.next_task);
                state.next_task += 1;
                let task = TaskRecord {
                    id,
                    operation,
                    owner: logon.id.clone(),
                    done_at: now + self.config.task_duration,
                    change,
                    result: None,
                };
                if task.done_at <= now {
                    // A task of no duration: done before it is answered.
                    let mut task = task;
                    task.result = Some(tasks::apply(&mut state.world, &task.change, now));
                    let rendered = task.render(base);
                    state.tasks.push(task);
                    return Ok(document(entry, &Document::Task(rendered), wire));
                }
                self.next_due
                    .fetch_min(nanos(task.done_at), Ordering::AcqRel);
                let rendered = task.render(base);
                state.tasks.push(task);
                Ok(document(entry, &Document::Task(rendered), wire))
            }
        }
    }
}

/// The response of `entry` without a body (its usual success status).
fn empty(entry: &Entry) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(Vec::new());
    *response.status_mut() = StatusCode::from_u16(entry.status()).unwrap_or(StatusCode::NO_CONTENT);
    response
}

/// The response of `entry` with `doc` as its body in `wire` form and the entry's success status.
fn document(entry: &Entry, doc: &Document, wire: Wire) -> http::Response<Vec<u8>> {
    let status = StatusCode::from_u16(entry.status()).unwrap_or(StatusCode::OK);
    body_response(status, doc.to_wire(wire).into_bytes(), wire)
}

/// The form `request` asks its answer in: JSON when its `Accept` lists `application/json`.
fn accept(request: &http::Request<Vec<u8>>) -> Wire {
    request
        .headers()
        .get(http::header::ACCEPT)
        .map_or(Wire::Xml, |v| {
            Wire::from_accept(&String::from_utf8_lossy(v.as_bytes()))
        })
}

/// The answer to a request the catalogue does not take.
fn request_failure(e: RequestError) -> Failure {
    match e {
        RequestError::Route(RouteError::MethodNotAllowed {
            method,
            url,
            allowed,
        }) => Failure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "{url} has no {method} operation; it has {}",
                allowed.join(", ")
            ),
        )
        .with_header("allow", allowed.join(", ")),
        RequestError::Route(RouteError::NoMatch { method, url }) => {
            Failure::not_found(format!("There is no resource at {method} {url}"))
        }
        RequestError::Route(other) => Failure::bad_request(other.to_string()),
        RequestError::BadAuthorization => Failure::unauthorized(e.to_string()),
        RequestError::MissingCredentials { .. } => Failure::unauthorized(e.to_string()),
        other => Failure::bad_request(other.to_string()),
    }
}

fn link(rel: &str, ty: Option<&str>, href: String, name: Option<&str>) -> Link {
    Link {
        rel: Some(Text::from(rel)),
        type_: ty.map(Text::from),
        href: href.into(),
        name: name.map(Text::from),
        unknown: Default::default(),
    }
}

/// `GET /api/`: the entry point with its logon links.
fn entry_point(base: &str) -> EnterpriseManager {
    EnterpriseManager {
        type_: Some("EnterpriseManager".into()),
        href: Some(format!("{base}/").into()),
        links: Some(LinkList {
            links: vec![
                link(
                    "Down",
                    Some("LogonSessionList"),
                    format!("{base}/logonSessions"),
                    None,
                ),
                link(
                    "Create",
                    Some("LogonSession"),
                    format!("{base}/sessionMngr/?v=latest"),
                    None,
                ),
            ],
            unknown: Default::default(),
        }),
        supported_versions: Some(SupportedVersionList {
            supported_versions: API_VERSIONS
                .iter()
                .map(|v| SupportedVersion {
                    name: (*v).into(),
                    links: Some(LinkList {
                        links: vec![link(
                            "Create",
                            Some("LogonSession"),
                            format!("{base}/sessionMngr/?v={v}"),
                            None,
                        )],
                        unknown: Default::default(),
                    }),
                    unknown: Default::default(),
                })
                .collect(),
            unknown: Default::default(),
        }),
        unknown: Default::default(),
    }
}

fn logon_session(base: &str, logon: &Logon) -> LogonSession {
    // The links the catalogue declares for a logon session (those this build serves).
    let links = veeam_em_api::resource::resource("/logonSessions/{}")
        .map(|r| crate::render::links::of_document(r, std::slice::from_ref(&logon.id), base))
        .unwrap_or_default();
    LogonSession {
        type_: Some("LogonSession".into()),
        href: Some(format!("{base}/logonSessions/{}", logon.id).into()),
        links: Some(LinkList {
            links,
            unknown: Default::default(),
        }),
        user_name: logon.user.as_str().into(),
        session_id: logon.id.as_str().into(),
        unknown: Default::default(),
    }
}
