//! The blocking client: log on when first needed, keep the token, repeat what may be repeated,
//! log on again once when a session expired, page through query results item by item, wait for
//! tasks. Any [`Transport`] carries it: ureq (`Client::connect`), the embedded simulator, a
//! closure.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use veeam_em_api::query::{QueryFormat, QueryOperation};
use veeam_em_api::{api, ApiError, Entry, LoggedOn, Operation, Route, SessionToken};
use veeam_em_model::stream::{ItemDecoder, Next};
use veeam_em_model::{EntityRef, LogonSession, Task, Wire};

use crate::config::ClientConfig;
use crate::engine::{self, Action, Call, Event, Polled, TaskWait, UnknownReport};
use crate::error::ClientError;
use crate::transport::{HttpRequest, HttpResponse, Transport};

/// A blocking client of one Enterprise Manager.
#[derive(Debug)]
pub struct Client<T> {
    config: ClientConfig,
    transport: T,
    session: Mutex<Option<LoggedOn>>,
    unknown: UnknownReport,
}

#[cfg(feature = "blocking")]
impl Client<crate::UreqTransport> {
    /// A client over HTTPS (ureq, rustls), as `config` says.
    pub fn connect(config: ClientConfig) -> Result<Self, ClientError> {
        let transport = crate::UreqTransport::new(&config)?;
        Ok(Self::with_transport(config, transport))
    }
}

impl<T: Transport> Client<T> {
    /// A client over `transport`.
    pub fn with_transport(config: ClientConfig, transport: T) -> Self {
        Self {
            config,
            transport,
            session: Mutex::new(None),
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

    fn session(&self) -> std::sync::MutexGuard<'_, Option<LoggedOn>> {
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Logs on (again), keeping the new session.
    pub fn logon(&self) -> Result<LogonSession, ClientError> {
        self.logon_keeping().map(|(session, _)| session)
    }

    /// Logs on, keeps the new session and returns it with its token (which another thread may
    /// already have replaced in the client by the time the caller uses it).
    fn logon_keeping(&self) -> Result<(LogonSession, SessionToken), ClientError> {
        let credentials = self
            .config
            .credentials
            .clone()
            .ok_or(ClientError::NoCredentials)?;
        let mut op = api::session_mngr().logon(credentials);
        op.v = Some(self.config.api_version.clone());
        let response = self.execute(&op)?;
        let logged_on = self.config.limits.scope(|| op.decode(response))?;
        self.unknown.check(
            &self.config,
            <veeam_em_api::ops::Logon as Operation>::ENTRY,
            &logged_on,
        )?;
        tracing::info!(user = logged_on.session.user_name.as_str(), "logged on");
        let kept = (logged_on.session.clone(), logged_on.token.clone());
        *self.session() = Some(logged_on);
        Ok(kept)
    }

    /// The current logon session, if logged on.
    pub fn logon_session(&self) -> Option<LogonSession> {
        self.session().as_ref().map(|s| s.session.clone())
    }

    /// Logs off (deletes the logon session); nothing to do when not logged on.
    pub fn logout(&self) -> Result<(), ClientError> {
        let Some(id) = self
            .session()
            .as_ref()
            .map(|s| s.session.session_id.clone())
        else {
            return Ok(());
        };
        let op = api::logon_sessions().id(id.as_str()).logout();
        let result = self.call(&op);
        *self.session() = None;
        result
    }

    fn token(&self) -> Result<SessionToken, ClientError> {
        if let Some(s) = self.session().as_ref() {
            return Ok(s.token.clone());
        }
        // Its own logon's token: another thread may have dropped the session since.
        self.logon_keeping().map(|(_, token)| token)
    }

    /// Sends the request of `op` in the configured wire form, as often as the policy allows;
    /// the raw answer.
    fn execute<O: Operation>(&self, op: &O) -> Result<HttpResponse, ClientError> {
        self.execute_entry(O::ENTRY, &|token| {
            op.request_in(self.config.wire, &self.config.base, token)
        })
    }

    /// Drives a [`Call`] of `entry` with this client's blocking I/O.
    fn execute_entry(
        &self,
        entry: &'static Entry,
        build: &dyn Fn(Option<&SessionToken>) -> Result<HttpRequest, ApiError>,
    ) -> Result<HttpResponse, ClientError> {
        let mut call = Call::new(&self.config, entry, build);
        let mut event = Event::Start;
        loop {
            event = match call.step(event) {
                Action::NeedToken => Event::Token(self.token()),
                Action::Send(request) => Event::Sent(self.transport.send(request)),
                Action::Wait(pause) => {
                    std::thread::sleep(pause);
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
    pub fn call<O: Operation>(&self, op: &O) -> Result<O::Output, ClientError> {
        let response = self.execute(op)?;
        let output = self.config.limits.scope(|| op.decode(response))?;
        self.unknown.check(&self.config, O::ENTRY, &output)?;
        Ok(output)
    }

    /// Sends the request of a route (e.g. an href) with an optional body; the raw answer, its
    /// status already checked (an error status is an [`ApiError::Status`]).
    pub fn send_route(
        &self,
        route: &Route,
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse, ClientError> {
        let credentials = self.config.credentials.clone();
        let response = self.execute_entry(route.entry, &|token| {
            route.request_in(
                self.config.wire,
                &self.config.base,
                token,
                credentials.as_ref(),
                body.clone(),
            )
        })?;
        engine::checked(route.entry, response)
    }

    /// The references of a reference list, decoded one at a time from the body (in JSON:
    /// all at once, as a page).
    pub fn refs<O>(&self, op: &O) -> Result<RefItems, ClientError>
    where
        O: Operation<Output = veeam_em_model::EntityReferences>,
    {
        let response = self.execute(op)?;
        let form = veeam_em_api::response::body_form(&response).unwrap_or(Wire::Xml);
        let body = engine::checked(O::ENTRY, response)?.into_body();
        if form == Wire::Json {
            let mut items = VecDeque::new();
            engine::decode_page::<EntityRef>(
                self.config.limits,
                O::ENTRY.name,
                form,
                body,
                &[],
                &[],
                |item| {
                    items.push_back(item);
                    Ok(())
                },
            )?;
            return Ok(RefItems {
                operation: O::ENTRY.name,
                source: RefSource::Decoded(items),
            });
        }
        let mut decoder = self
            .config
            .limits
            .scope(|| veeam_em_model::stream::ItemDecoder::new("EntityReferences", "Ref"));
        decoder.feed(&body);
        decoder.finish();
        Ok(RefItems {
            operation: O::ENTRY.name,
            source: RefSource::Xml {
                decoder: Box::new(decoder),
                body,
            },
        })
    }

    /// The items of a query, in entity form, page after page, decoded one at a time (memory:
    /// one page). The query's own page size is kept; without one, the client's is used.
    pub fn query_entities<O: QueryOperation>(&self, op: O) -> QueryItems<'_, T, O, O::Entity> {
        QueryItems::new(self, op, true)
    }

    /// The items of a query, in reference form, page after page.
    pub fn query_refs<O: QueryOperation>(&self, op: O) -> QueryItems<'_, T, O, EntityRef> {
        QueryItems::new(self, op, false)
    }

    /// Waits for a task to finish: polls it with growing pauses until it is finished, failed or
    /// `timeout` passed.
    pub fn wait_task(&self, task_id: &str, timeout: Duration) -> Result<Task, ClientError> {
        self.wait_task_observed(task_id, timeout, &mut |_| {})
    }

    /// [`wait_task`](Self::wait_task), calling `observe` with the task after every poll (to
    /// show its progress).
    pub fn wait_task_observed(
        &self,
        task_id: &str,
        timeout: Duration,
        observe: &mut dyn FnMut(&Task),
    ) -> Result<Task, ClientError> {
        let mut wait = TaskWait::new(task_id, Instant::now(), timeout);
        loop {
            let task = self.call(&api::tasks().id(task_id).get())?;
            observe(&task);
            match wait.polled(task, Instant::now()) {
                Polled::Sleep(pause) => std::thread::sleep(pause),
                Polled::Done(task) => return Ok(task),
                Polled::Fail(error) => return Err(error),
            }
        }
    }
}

/// References decoded one at a time from a response body.
#[derive(Debug)]
pub struct RefItems {
    operation: &'static str,
    source: RefSource,
}

/// Where [`RefItems`] takes its references from.
#[derive(Debug)]
enum RefSource {
    /// An XML body, decoded item by item.
    Xml {
        decoder: Box<ItemDecoder<EntityRef>>,
        body: Vec<u8>,
    },
    /// A JSON body, decoded as a page.
    Decoded(VecDeque<EntityRef>),
}

impl Iterator for RefItems {
    type Item = Result<EntityRef, ClientError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (decoder, body) = match &mut self.source {
            RefSource::Decoded(items) => return items.pop_front().map(Ok),
            RefSource::Xml { decoder, body } => (decoder, body),
        };
        match decoder.next_item() {
            Ok(Next::Item(item)) => Some(Ok(item)),
            Ok(_) => None,
            Err(source) => Some(Err(ClientError::Api(ApiError::Decode {
                operation: self.operation,
                source,
                body: std::mem::take(body),
            }))),
        }
    }
}

/// The items of a query, page after page.
#[derive(Debug)]
pub struct QueryItems<'c, T, O, I> {
    client: &'c Client<T>,
    op: O,
    entities: bool,
    buffer: VecDeque<I>,
    next_page: Option<u32>,
    /// `(page, pages)` of the last page read.
    progress: (u32, u32),
}

impl<'c, T: Transport, O: QueryOperation, I> QueryItems<'c, T, O, I>
where
    I: veeam_em_model::xml::FromXml
        + veeam_em_model::json::JsonType
        + veeam_em_model::xml::CollectUnknown,
{
    fn new(client: &'c Client<T>, mut op: O, entities: bool) -> Self {
        let query = op.query_mut();
        query.set_format(if entities {
            QueryFormat::Entities
        } else {
            QueryFormat::Refs
        });
        if query.get_page_size().is_none() {
            query.set_page_size(client.config.page_size);
        }
        let first = query.get_page().unwrap_or(1);
        Self {
            client,
            op,
            entities,
            buffer: VecDeque::new(),
            next_page: Some(first),
            progress: (0, 0),
        }
    }

    /// `(page, pages)` read so far (for progress indicators).
    pub fn progress(&self) -> (u32, u32) {
        self.progress
    }

    fn fetch(&mut self, page: u32) -> Result<(), ClientError> {
        self.op.query_mut().set_page(page);
        let response = self.client.execute(&self.op)?;
        let form = veeam_em_api::response::body_form(&response).unwrap_or(Wire::Xml);
        let body = engine::checked(O::ENTRY, response)?.into_body();
        let (path, items) = engine::items_path::<O>(self.entities);
        let root = engine::item_root::<O>(self.entities);
        let (client, buffer) = (self.client, &mut self.buffer);
        let (page, pages) = engine::decode_page::<I>(
            self.client.config.limits,
            O::ENTRY.name,
            form,
            body,
            path,
            items,
            |item| {
                client
                    .unknown
                    .check_at(&client.config, O::ENTRY.name, &root, &item)?;
                buffer.push_back(item);
                Ok(())
            },
        )?;
        self.progress = (page, pages);
        self.next_page = (page < pages).then_some(page + 1);
        Ok(())
    }
}

impl<T: Transport, O: QueryOperation, I> Iterator for QueryItems<'_, T, O, I>
where
    I: veeam_em_model::xml::FromXml
        + veeam_em_model::json::JsonType
        + veeam_em_model::xml::CollectUnknown,
{
    type Item = Result<I, ClientError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            let page = self.next_page.take()?;
            if let Err(e) = self.fetch(page) {
                return Some(Err(e));
            }
        }
    }
}
