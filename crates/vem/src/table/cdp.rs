//! The CDP family's tables: policies, replicas, replication sessions and task sessions, with the
//! columns people look at when they follow continuous data protection.

use veeam_em_model::{CdpPolicy, CdpReplica, CdpReplicaSession, CdpReplicaTaskSession};

use super::{display, size, text, time, uid, Table};

pub(super) fn policies_table(items: &[CdpPolicy]) -> Table {
    let mut t = Table::new(&["NAME", "PLATFORM", "ENABLED", "NEXT RUN (UTC)", "UID"]);
    for p in items {
        t.row(vec![
            text(p.name.as_ref()),
            display(p.platform.as_ref()),
            match p.schedule_enabled {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            time(p.next_run.as_ref()),
            uid(p.uid.as_ref()),
        ]);
    }
    t
}

pub(super) fn replicas_table(items: &[CdpReplica]) -> Table {
    let mut t = Table::new(&["NAME", "POLICY", "BACKUP SERVER", "UID"]);
    for r in items {
        t.row(vec![
            text(r.name.as_ref()),
            text(r.policy_name.as_ref()),
            text(r.backup_server.as_ref()),
            uid(r.uid.as_ref()),
        ]);
    }
    t
}

pub(super) fn sessions_table(items: &[CdpReplicaSession]) -> Table {
    let mut t = Table::new(&["NAME", "STATE", "RESULT", "START (UTC)", "END (UTC)", "UID"]);
    for s in items {
        t.row(vec![
            text(s.name.as_ref()),
            display(s.state.as_ref()),
            display(s.result.as_ref()),
            time(s.creation_time_utc.as_ref()),
            time(s.end_time_utc.as_ref()),
            uid(s.uid.as_ref()),
        ]);
    }
    t
}

pub(super) fn task_sessions_table(items: &[CdpReplicaTaskSession]) -> Table {
    let mut t = Table::new(&[
        "VM",
        "STATE",
        "RESULT",
        "START (UTC)",
        "END (UTC)",
        "SIZE",
        "UID",
    ]);
    for s in items {
        t.row(vec![
            text(s.vm_display_name.as_ref()),
            display(s.state.as_ref()),
            display(s.result.as_ref()),
            time(s.creation_time_utc.as_ref()),
            time(s.end_time_utc.as_ref()),
            size(s.total_size),
            uid(s.uid.as_ref()),
        ]);
    }
    t
}
