//! The async client: the same behaviour as the blocking one (logon when needed, retries,
//! renewed sessions, unknown-content reports, task waiting) on any [`AsyncTransport`], with a
//! pager that keeps several pages in flight.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::stream::{self, BoxStream, StreamExt as _};
use veeam_em_api::query::{QueryFormat, QueryOperation};
use veeam_em_api::{api, ApiError, Entry, LoggedOn, Operation, Route, SessionToken};
use veeam_em_model::json::JsonType;
use veeam_em_model::xml::{CollectUnknown, FromXml};
use veeam_em_model::Wire;
use veeam_em_model::{EntityRef, LogonSession, Task};

use crate::config::ClientConfig;
use crate::engine::{self, Action, Call, Event, Polled, TaskWait, UnknownReport};
use crate::error::ClientError;
use crate::transport::{AsyncTransport, HttpRequest, HttpResponse};

/// An async client of one Enterprise Manager.
#[derive(Debug)]
pub struct AsyncClient<T> {
    config: ClientConfig,
    transport: T,
    session: Mutex<Option<Session>>,
    /// Serialises logons, so that concurrent calls log on once.
    logon_lock: tokio::sync::Mutex<()>,
    unknown: UnknownReport,
}

/// What the client keeps of its logon: what later calls and the logout need, not the whole
/// `LogonSession` document (some 5 KB with its links, which for an exporter of a hundred
/// servers was a tenth of its heap).
#[derive(Debug)]
struct Session {
    /// For the logout.
    id: String,
    token: SessionToken,
}

#[cfg(feature = "async")]
impl AsyncClient<crate::ReqwestTransport> {
    /// A client over HTTPS (reqwest, rustls), as `config` says.
    pub fn connect(config: ClientConfig) -> Result<Self, ClientError> {
        let transport = crate::ReqwestTransport::new(&config)?;
        Ok(Self::with_transport(config, transport))
    }
}

impl<T: AsyncTransport> AsyncClient<T> {
    /// A client over `transport`.
    pub fn with_transport(config: ClientConfig, transport: T) -> Self {
        Self {
            config,
            transport,
            session: Mutex::new(None),
            logon_lock: tokio::sync::Mutex::new(()),
            unknown: UnknownReport::default(),
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Its transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Paths of content the schemas do not know that responses held so far.
    pub fn unknown_content_seen(&self) -> Vec<String> {
        self.unknown.seen()
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Logs on (again), keeping the new session.
    pub async fn logon(&self) -> Result<LogonSession, ClientError> {
        self.logon_keeping().await.map(|(session, _)| session)
    }

    /// Logs on, keeps the new session and returns it with its token (which another task may
    /// already have replaced in the client by the time the caller uses it).
    async fn logon_keeping(&self) -> Result<(LogonSession, SessionToken), ClientError> {
        let credentials = self
            .config
            .credentials
            .clone()
            .ok_or(ClientError::NoCredentials)?;
        let mut op = api::session_mngr().logon(credentials);
        op.v = Some(self.config.api_version.clone());
        let entry = <veeam_em_api::ops::Logon as Operation>::ENTRY;
        let response = self
            .execute_entry(entry, &|_| {
                op.request_in(self.config.wire, &self.config.base, None)
            })
            .await?;
        let logged_on = self.config.limits.scope(|| op.decode(response))?;
        self.unknown.check(&self.config, entry, &logged_on)?;
        tracing::info!(user = logged_on.session.user_name.as_str(), "logged on");
        let LoggedOn { session, token } = logged_on;
        *self.session() = Some(Session {
            id: session.session_id.as_str().to_owned(),
            token: token.clone(),
        });
        Ok((session, token))
    }

    /// Logs off; nothing to do when not logged on.
    pub async fn logout(&self) -> Result<(), ClientError> {
        let Some(id) = self.session().as_ref().map(|s| s.id.clone()) else {
            return Ok(());
        };
        let op = api::logon_sessions().id(id.as_str()).logout();
        let result = self.call(&op).await;
        *self.session() = None;
        result
    }

    async fn token(&self) -> Result<SessionToken, ClientError> {
        if let Some(s) = self.session().as_ref() {
            return Ok(s.token.clone());
        }
        let _one_at_a_time = self.logon_lock.lock().await;
        if let Some(s) = self.session().as_ref() {
            return Ok(s.token.clone());
        }
        // Its own logon's token: another task may have dropped the session since.
        self.logon_keeping().await.map(|(_, token)| token)
    }

    /// Drives a [`Call`] of `entry` with this client's async I/O.
    async fn execute_entry(
        &self,
        entry: &'static Entry,
        build: &(dyn Fn(Option<&SessionToken>) -> Result<HttpRequest, ApiError> + Sync),
    ) -> Result<HttpResponse, ClientError> {
        let mut call = Call::new(&self.config, entry, build);
        let mut event = Event::Start;
        loop {
            event = match call.step(event) {
                Action::NeedToken => Event::Token(Box::pin(self.token()).await),
                Action::Send(request) => Event::Sent(self.transport.send(request).await),
                Action::Wait(pause) => {
                    tokio::time::sleep(pause).await;
                    Event::Waited
                }
                Action::ForgetSession => {
                    *self.session() = None;
                    Event::Forgotten
                }
                Action::Done(response) => return Ok(response),
                Action::Fail(error) => return Err(error),
            };
        }
    }

    /// Calls an operation: its typed output, or an error naming the stage.
    pub async fn call<O: Operation + Sync>(&self, op: &O) -> Result<O::Output, ClientError> {
        let response = self
            .execute_entry(O::ENTRY, &|token| {
                op.request_in(self.config.wire, &self.config.base, token)
            })
            .await?;
        let output = self.config.limits.scope(|| op.decode(response))?;
        self.unknown.check(&self.config, O::ENTRY, &output)?;
        Ok(output)
    }

    /// Sends the request of a route with an optional body; the raw answer, status checked.
    pub async fn send_route(
        &self,
        route: &Route,
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse, ClientError> {
        let credentials = self.config.credentials.clone();
        let response = self
            .execute_entry(route.entry, &|token| {
                route.request_in(
                    self.config.wire,
                    &self.config.base,
                    token,
                    credentials.as_ref(),
                    body.clone(),
                )
            })
            .await?;
        engine::checked(route.entry, response)
    }

    /// Waits for a task to finish (see the blocking client's `wait_task`).
    pub async fn wait_task(&self, task_id: &str, timeout: Duration) -> Result<Task, ClientError> {
        self.wait_task_observed(task_id, timeout, &mut |_| {}).await
    }

    /// [`wait_task`](Self::wait_task), calling `observe` with the task after every poll (to
    /// show its progress).
    pub async fn wait_task_observed(
        &self,
        task_id: &str,
        timeout: Duration,
        observe: &mut (dyn FnMut(&Task) + Send),
    ) -> Result<Task, ClientError> {
        let mut wait = TaskWait::new(task_id, Instant::now(), timeout);
        loop {
            let task = self.call(&api::tasks().id(task_id).get()).await?;
            observe(&task);
            match wait.polled(task, Instant::now()) {
                Polled::Sleep(pause) => tokio::time::sleep(pause).await,
                Polled::Done(task) => return Ok(task),
                Polled::Fail(error) => return Err(error),
            }
        }
    }

    /// One page of a query: its items and the number of pages.
    ///
    /// On a multi-threaded tokio runtime the page is decoded on the blocking pool, so that the
    /// pages in flight decode in parallel with each other and with the requests; elsewhere (a
    /// current-thread runtime such as `vem exporter`'s, or another executor) it is decoded in
    /// place.
    async fn page<O, I>(
        &self,
        mut op: O,
        page: u32,
        entities: bool,
    ) -> Result<(Vec<I>, u32), ClientError>
    where
        O: QueryOperation + Sync,
        I: FromXml + JsonType + CollectUnknown + Send + 'static,
    {
        op.query_mut().set_page(page);
        let response = self
            .execute_entry(O::ENTRY, &|token| {
                op.request_in(self.config.wire, &self.config.base, token)
            })
            .await?;
        let form = veeam_em_api::response::body_form(&response).unwrap_or(Wire::Xml);
        let body = engine::checked(O::ENTRY, response)?.into_body();
        let (path, items) = engine::items_path::<O>(entities);
        let limits = self.config.limits;
        let decode = move || {
            let mut out = Vec::new();
            engine::decode_page::<I>(limits, O::ENTRY.name, form, body, path, items, |item| {
                out.push(item);
                Ok(())
            })
            .map(|(_, pages)| (out, pages))
        };
        let multi_thread = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let (out, pages) = if multi_thread {
            match tokio::task::spawn_blocking(decode).await {
                Ok(decoded) => decoded?,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => {
                    return Err(ClientError::Transport {
                        operation: O::ENTRY.name,
                        source: crate::TransportError::Other(format!("decoding stopped: {e}")),
                    })
                }
            }
        } else {
            decode()?
        };
        let root = engine::item_root::<O>(entities);
        for item in &out {
            self.unknown
                .check_at(&self.config, O::ENTRY.name, &root, item)?;
        }
        Ok((out, pages))
    }

    fn stream<O, I>(&self, mut op: O, entities: bool) -> BoxStream<'_, Result<I, ClientError>>
    where
        O: QueryOperation + Send + Sync + 'static,
        I: FromXml + JsonType + CollectUnknown + Send + 'static,
    {
        let query = op.query_mut();
        query.set_format(if entities {
            QueryFormat::Entities
        } else {
            QueryFormat::Refs
        });
        if query.get_page_size().is_none() {
            query.set_page_size(self.config.page_size);
        }
        let start = query.get_page().unwrap_or(1);
        let in_flight = self.config.pages_in_flight;
        let first_op = op.clone();
        stream::once(async move { self.page::<O, I>(first_op, start, entities).await })
            .flat_map(move |first| match first {
                Err(e) => stream::iter(vec![Err(e)]).boxed(),
                Ok((items, pages)) => {
                    let head = stream::iter(items.into_iter().map(Ok));
                    let op = op.clone();
                    let rest = stream::iter(start.saturating_add(1)..=pages)
                        .map(move |page| {
                            let op = op.clone();
                            async move { self.page::<O, I>(op, page, entities).await }
                        })
                        .buffered(in_flight)
                        .flat_map(|page| match page {
                            Ok((items, _)) => stream::iter(items.into_iter().map(Ok)).left_stream(),
                            Err(e) => stream::iter(vec![Err(e)]).right_stream(),
                        });
                    head.chain(rest).boxed()
                }
            })
            .boxed()
    }

    /// The items of a query in entity form, as a stream, with several pages in flight.
    pub fn query_entities<O>(&self, op: O) -> BoxStream<'_, Result<O::Entity, ClientError>>
    where
        O: QueryOperation + Send + Sync + 'static,
        O::Entity: Send + 'static,
    {
        self.stream(op, true)
    }

    /// The items of a query in reference form, as a stream.
    pub fn query_refs<O>(&self, op: O) -> BoxStream<'_, Result<EntityRef, ClientError>>
    where
        O: QueryOperation + Send + Sync + 'static,
    {
        self.stream(op, false)
    }
}
