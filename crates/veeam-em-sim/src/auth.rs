//! Logon sessions: users, tokens, idle expiry and logout, as the reference describes them.
//!
//! A token is 16 random bytes in base64 (like the server's `X-RestSvcSessionId`); a session
//! expires after `session_idle` without a request; the session id (a UUID) names it in URLs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use time::OffsetDateTime;

use crate::config::User;

/// One logon session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Logon {
    pub id: String,
    pub user: String,
    pub version: String,
    pub last_used: OffsetDateTime,
}

/// The logon sessions and who may log on.
#[derive(Debug)]
pub(crate) struct Sessions {
    users: Vec<User>,
    idle: Duration,
    by_token: Mutex<HashMap<String, Logon>>,
}

/// Why a token is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Unknown,
    Expired,
}

impl Sessions {
    pub fn new(users: Vec<User>, idle: Duration) -> Self {
        Self {
            users,
            idle,
            by_token: Mutex::new(HashMap::new()),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Logon>> {
        self.by_token.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `user`/`password` may log on (the name's ASCII case does not matter).
    pub fn verify(&self, user: &str, password: &str) -> bool {
        self.users
            .iter()
            .any(|u| u.name.eq_ignore_ascii_case(user) && u.password == password)
    }

    /// Opens a session for `user`; returns its token.
    pub fn open(&self, user: &str, version: &str, now: OffsetDateTime) -> (String, Logon) {
        let token =
            base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().as_bytes());
        let logon = Logon {
            id: uuid::Uuid::new_v4().to_string(),
            user: user.to_owned(),
            version: version.to_owned(),
            last_used: now,
        };
        self.map().insert(token.clone(), logon.clone());
        (token, logon)
    }

    /// The session of `token`, touched now; expired sessions are removed.
    pub fn check(&self, token: &str, now: OffsetDateTime) -> Result<Logon, Refusal> {
        let mut map = self.map();
        let Some(logon) = map.get_mut(token) else {
            return Err(Refusal::Unknown);
        };
        if now - logon.last_used > self.idle {
            map.remove(token);
            return Err(Refusal::Expired);
        }
        logon.last_used = now;
        Ok(logon.clone())
    }

    /// Closes session `id`; `false` when there is none.
    pub fn close(&self, id: &str) -> bool {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, l| !l.id.eq_ignore_ascii_case(id));
        map.len() != before
    }

    /// Ends the session of `token` now (a fault: "the session expired").
    pub fn expire(&self, token: &str) {
        self.map().remove(token);
    }

    /// The sessions that are open, oldest use first.
    pub fn list(&self, now: OffsetDateTime) -> Vec<Logon> {
        let mut map = self.map();
        map.retain(|_, l| now - l.last_used <= self.idle);
        let mut out: Vec<Logon> = map.values().cloned().collect();
        out.sort_by(|a, b| a.last_used.cmp(&b.last_used).then(a.id.cmp(&b.id)));
        out
    }
}
