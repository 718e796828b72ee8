//! The sans-IO core: the simulator's state and a function from an `http::Request` to an
//! `http::Response`. No sockets, no async runtime; time comes from a [`Clock`]. The server
//! (`server.rs`) and in-process transports are thin shells around [`Simulator::serve`].
//!
//! A request goes: faults decided, `/api` checked, routed with the catalogue
//! (`veeam_em_api::incoming`), authenticated, then answered by the built-in resources (entry
//! point, logon sessions, tasks), the query service, the world's kinds (GET) or an action.

use std::collections::HashMap;
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

use crate::actions::{self, Outcome as ActionOutcome};
use crate::auth::{Logon, Refusal, Sessions};
use crate::clock::{Clock, SystemClock};
use crate::config::SimConfig;
use crate::errors::Failure;
use crate::faults::{Fault, FaultRule, FaultState};
use crate::serve::{self, Served};
use crate::tasks::{self, TaskRecord};
use crate::world::{Ctx, LinkSpec, World};

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
    plan: HashMap<&'static str, Served>,
    faults: Mutex<FaultState>,
    /// Hrefs start with this when a request has no `Host` header.
    base: RwLock<String>,
    /// `http` or `https`, for hrefs built from the `Host` header.
    scheme: RwLock<&'static str>,
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
        let world = World::new(&config);
        let faults = FaultState::new(config.faults.clone(), config.seed);
        Self {
            sessions: Sessions::new(config.effective_users(), config.session_idle),
            plan: serve::plan(),
            faults: Mutex::new(faults),
            state: RwLock::new(State {
                world,
                tasks: Vec::new(),
                next_task: 1,
            }),
            next_due: AtomicI64::new(i64::MAX),
            base: RwLock::new("https://localhost:9398/api".to_owned()),
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

    /// The catalogue GETs the world cannot serve (empty when every one is).
    pub fn unserved_operations(&self) -> Vec<&'static str> {
        serve::unserved(&self.plan)
            .into_iter()
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
        for fault in &faults {
            match fault {
                Fault::Latency(d) => outcome.delay = Some(*d),
                Fault::Status(code) => status_fault = Some(*code),
                Fault::Truncate => outcome.delivery = Delivery::Truncate,
                Fault::Drop => outcome.delivery = Delivery::Drop,
                Fault::SlowBody(d) => outcome.delivery = Delivery::Slow(*d),
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
            None => match self.answer(&request, wire) {
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

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Finishes the tasks that are due and applies their effects.
    fn advance(&self, now: OffsetDateTime) {
        if self.next_due.load(Ordering::Acquire) > nanos(now) {
            return;
        }
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let State { world, tasks, .. } = &mut *state;
        let mut next = i64::MAX;
        for task in tasks.iter_mut().filter(|t| t.result.is_none()) {
            if task.done_at <= now {
                task.result = Some(tasks::apply(world, &task.effect));
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
    ) -> Result<http::Response<Vec<u8>>, Failure> {
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
            let cx = Ctx {
                world: &state.world,
                base: &base,
            };
            let result = crate::query::answer(&cx, query_type, &incoming.route)?;
            return Ok(document(entry, &Document::QueryResult(result), wire));
        }
        match entry.name {
            "GetTasks" | "GetTask" => {
                let state = self.state.read().unwrap_or_else(|e| e.into_inner());
                let cx = Ctx {
                    world: &state.world,
                    base: &base,
                };
                if entry.name == "GetTasks" {
                    let tasks = Tasks {
                        tasks: state
                            .tasks
                            .iter()
                            .filter(|t| t.owner == logon.id)
                            .map(|t| t.render(&cx))
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
                return Ok(document(entry, &Document::Task(task.render(&cx)), wire));
            }
            _ => {}
        }
        if entry.http_method() == Method::GET {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            let cx = Ctx {
                world: &state.world,
                base: &base,
            };
            let doc = match self.plan.get(entry.name) {
                Some(served) => serve::get(&cx, served, &incoming.route)?,
                // Every other GET: the generic world, from the catalogue and the schemas.
                None => crate::auto::get(&cx, entry, &incoming.route).ok_or_else(|| {
                    Failure::new(
                        StatusCode::NOT_IMPLEMENTED,
                        format!("The simulator has no data for {} yet", entry.name),
                    )
                })??,
            };
            return Ok(document(entry, &doc, wire));
        }
        self.act(entry, &incoming, &logon, &base, now)
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
    ) -> Result<http::Response<Vec<u8>>, Failure> {
        let wire = incoming.accept;
        crate::quirks::check(entry, incoming.body.as_ref())?;
        let request = AnyRequest::from_incoming(incoming).map_err(request_failure)?;
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let outcome = match actions::act(&state.world, &request) {
            // What no hand-written action does: the generic world answers as the catalogue
            // says (a task that finishes and changes nothing, a sampled document, or no body).
            Err(f) if f.status == StatusCode::NOT_IMPLEMENTED => {
                let cx = Ctx {
                    world: &state.world,
                    base,
                };
                match crate::auto::act(&cx, entry, &incoming.route, incoming.body.as_ref())? {
                    Some(outcome) => outcome,
                    None => return Ok(empty(entry)),
                }
            }
            other => other?,
        };
        match outcome {
            ActionOutcome::Document(doc) => Ok(document(entry, &doc, wire)),
            ActionOutcome::Applied(effect) => {
                crate::tasks::apply(&mut state.world, &effect);
                Ok(empty(entry))
            }
            ActionOutcome::Task(operation, effect) => {
                let id = format!("task-{}", state.next_task);
                state.next_task += 1;
                let task = TaskRecord {
                    id,
                    operation,
                    owner: logon.id.clone(),
                    done_at: now + self.config.task_duration,
                    effect,
                    result: None,
                };
                self.next_due
                    .fetch_min(nanos(task.done_at), Ordering::AcqRel);
                let cx = Ctx {
                    world: &state.world,
                    base,
                };
                let rendered = task.render(&cx);
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

/// The links of a logon session, as the reference example lists them (those the catalogue
/// serves are written; the example links no CDP collection, so neither does this).
static LOGON_LINKS: [LinkSpec; 30] = [
    LinkSpec::new(
        "Down",
        Some("BackupServerReferenceList"),
        "/backupServers",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ManagedServerReferenceList"),
        "/managedServers",
        "GET",
        false,
    ),
    LinkSpec::new("Down", Some("JobReferenceList"), "/jobs", "GET", false),
    LinkSpec::new(
        "Down",
        Some("FailoverPlanReferenceList"),
        "/failoverPlans",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("HierarchyRootReferenceList"),
        "/hierarchyRoots",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("RepositoryReferenceList"),
        "/repositories",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("BackupReferenceList"),
        "/backups",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("RestorePointReferenceList"),
        "/restorePoints",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("VmRestorePointReferenceList"),
        "/vmRestorePoints",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ReplicaReferenceList"),
        "/replicas",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("BackupJobSessionReferenceList"),
        "/backupSessions",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("RestoreSessionReferenceList"),
        "/restoreSessions",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ReplicaJobSessionReferenceList"),
        "/replicaSessions",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("BackupTaskSessionReferenceList"),
        "/backupTaskSessions",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ReplicaTaskSessionReferenceList"),
        "/replicaTaskSessions",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("EnterpriseSecuritySettings"),
        "/security",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("WanAcceleratorReferenceList"),
        "/wanAccelerators",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("BackupFileReferenceList"),
        "/backupFiles",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ExternalRepositoryReferenceList"),
        "/externalRepositories",
        "GET",
        false,
    ),
    LinkSpec::new("Down", Some("TaskList"), "/tasks", "GET", false),
    LinkSpec::new("Down", Some("QueryService"), "/querySvc", "GET", false),
    LinkSpec::new("Down", Some("LookupService"), "/lookupSvc", "GET", false),
    LinkSpec::new(
        "Down",
        Some("BackupServerList"),
        "/backupServers?format=Entity",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ManagedServerList"),
        "/managedServers?format=Entity",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Create",
        None,
        "/backupServers?action=create",
        "POST",
        false,
    ),
    LinkSpec::new("Down", Some("JobList"), "/jobs?format=Entity", "GET", false),
    LinkSpec::new(
        "Down",
        Some("RepositoryList"),
        "/repositories?format=Entity",
        "GET",
        false,
    ),
    LinkSpec::new("Down", Some("VCloudService"), "/vCloud", "GET", false),
    LinkSpec::new("Down", Some("AgentsService"), "/agents", "GET", false),
    LinkSpec::new("Down", Some("NasService"), "/nas", "GET", false),
];

fn logon_session(base: &str, logon: &Logon) -> LogonSession {
    let world_free_cx = base;
    let mut links = vec![link(
        "Up",
        Some("EnterpriseManager"),
        format!("{base}/"),
        None,
    )];
    for spec in &LOGON_LINKS {
        if spec.served() {
            links.push(link(
                spec.rel,
                spec.ty,
                format!("{world_free_cx}{}", spec.path),
                None,
            ));
        }
    }
    links.push(link(
        "Delete",
        None,
        format!("{base}/logonSessions/{}", logon.id),
        None,
    ));
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
