//! What the simulated Enterprise Manager holds and how it behaves: its world (sizes, seed, the
//! time it is anchored at, whether it moves), its users, the idle time of logon sessions, the
//! duration of tasks and job runs, and faults to inject.

use std::collections::BTreeMap;
use std::time::Duration;

use time::OffsetDateTime;

use crate::faults::FaultRule;

/// A user who may log on.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// The name, as sent in Basic authentication (e.g. `admin` or `CORP\admin`).
    pub name: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl User {
    /// `NAME:PASSWORD` (the first `:` separates them).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, password) = text
            .split_once(':')
            .ok_or_else(|| "a user is NAME:PASSWORD".to_owned())?;
        if name.is_empty() {
            return Err("a user needs a name".into());
        }
        Ok(Self {
            name: name.to_owned(),
            password: password.to_owned(),
        })
    }
}

/// Everything that shapes a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of every generated name, id and value: the same seed (and `now`) gives the same
    /// world, byte for byte.
    pub seed: u64,
    /// Objects of each kind per owner, by the catalogue's size names (`backup_servers`,
    /// `jobs_per_server`, `repositories_per_server`, `vms_per_job`, `sessions_per_job`,
    /// `tenants_per_server`; see `schemas/resources`): what is not here takes the catalogue's
    /// count.
    pub sizes: BTreeMap<String, u32>,
    /// Number of CDP policies (each with one replica and its VMs or vApps).
    pub policies: u32,
    /// CDP replication sessions per policy.
    pub sessions_per_policy: u32,
    /// Task sessions per replication session (one per protected VM).
    pub tasks_per_session: u32,
    /// Users who may log on; empty means the default `admin`/`admin`.
    pub users: Vec<User>,
    /// A logon session expires after this long without a request (Enterprise Manager: 15
    /// minutes).
    pub session_idle: Duration,
    /// How long a task started by an action runs before it finishes.
    pub task_duration: Duration,
    /// How long a job's run (a session) takes before it ends with its result.
    pub session_duration: Duration,
    /// The time the world is anchored at: histories end here, the newest sessions are running.
    /// `None`: when the simulator starts.
    pub now: Option<OffsetDateTime>,
    /// Whether the world moves with the clock after it starts: jobs start at their next run,
    /// sessions end, new task sessions and CDP sessions appear (else it stays at `now`; only
    /// what requests do changes it).
    pub live: bool,
    /// Faults to inject.
    pub faults: Vec<FaultRule>,
    /// Answer as a newer server would: the entity documents of the generic world carry an
    /// attribute and an element no schema of ours declares (for tests of what clients keep).
    pub newer_server: bool,
    /// The site this Enterprise Manager stands for, in the DNS names of its backup servers
    /// (`vbr01.site07.tech.local`): what tells the members of a fleet apart. `None`: no site.
    pub site: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            sizes: BTreeMap::new(),
            policies: 4,
            sessions_per_policy: 5,
            tasks_per_session: 3,
            users: Vec::new(),
            session_idle: Duration::from_secs(15 * 60),
            task_duration: Duration::from_secs(2),
            session_duration: Duration::from_secs(10 * 60),
            now: None,
            live: false,
            faults: Vec::new(),
            newer_server: false,
            site: None,
        }
    }
}

impl SimConfig {
    /// The users who may log on (the default `admin`/`admin` when none are configured).
    pub fn effective_users(&self) -> Vec<User> {
        if self.users.is_empty() {
            vec![User {
                name: "admin".into(),
                password: "admin".into(),
            }]
        } else {
            self.users.clone()
        }
    }

    /// Member `k` (from 1) of a fleet of `n` built from this configuration: its own seed (the
    /// seed plus `k - 1`) and site (`site07`, as wide as `n`), the same users, and the faults
    /// aimed at it (`server=k`) or at every member.
    pub fn fleet_member(&self, k: u32, n: u32) -> SimConfig {
        let width = n.to_string().len();
        SimConfig {
            seed: self.seed.wrapping_add(u64::from(k.saturating_sub(1))),
            site: Some(format!("site{k:0width$}")),
            faults: self
                .faults
                .iter()
                .filter(|rule| rule.server.is_none_or(|s| s == k))
                .cloned()
                .collect(),
            ..self.clone()
        }
    }

    /// Total number of task sessions of the world.
    pub fn task_session_count(&self) -> u64 {
        u64::from(self.policies)
            * u64::from(self.sessions_per_policy)
            * u64::from(self.tasks_per_session)
    }
}
