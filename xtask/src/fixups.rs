//! Named fix-up steps applied to the IR between the front end and the renderer.
//!
//! When the schemas are right for validation but give the generated Rust an awkward or wrong
//! shape, the correction lives here as a named step, never as an edit of generated code. Each
//! step fails loudly when what it fixes is no longer there, so stale fix-ups do not pile up.

use anyhow::{bail, Result};

use crate::ir::{Model, Particle, TypeDef};

/// One fix-up: a name (shown when it fails) and the change.
struct Step {
    name: &'static str,
    apply: fn(&mut Model) -> Result<()>,
}

const STEPS: &[Step] = &[Step {
    name: "name the item choice of CdpReplicaSessions",
    apply: name_cdp_replica_session_items,
}];

/// Applies every step in order.
pub fn apply(model: &mut Model) -> Result<()> {
    for step in STEPS {
        (step.apply)(model).map_err(|e| e.context(format!("fix-up `{}`", step.name)))?;
    }
    Ok(())
}

/// The list of CDP replica sessions holds `CdpReplicaSession` items, or `CdpPolicySession` items
/// in query results. The front end names the choice `CdpReplicaSessionOrCdpPolicySession`; the
/// Rust API calls the enum `CdpReplicaSessionItem` (field `cdp_replica_session_items`).
fn name_cdp_replica_session_items(model: &mut Model) -> Result<()> {
    rename_choice(
        model,
        "CdpReplicaSessions",
        "CdpReplicaSessionOrCdpPolicySession",
        "CdpReplicaSessionItem",
    )
}

fn rename_choice(model: &mut Model, owner: &str, from: &str, to: &str) -> Result<()> {
    let Some(TypeDef::Complex(c)) = model.types.get_mut(owner) else {
        bail!("type {owner} not found");
    };
    for p in &mut c.content {
        if let Particle::Choice(ch) = p {
            if ch.name == from {
                ch.name = to.to_owned();
                return Ok(());
            }
        }
    }
    bail!("{owner} has no choice named {from}")
}
