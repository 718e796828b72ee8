//! `<em:secret/>`: an element that holds a secret (a password). Tools built on the model show
//! it redacted (`veeam_em_model::redact`), and refuse to send the placeholder back.

use anyhow::Result;

use crate::annotations::{Annotations, Target};
use crate::ir::{Model, Particle, TypeDef};

/// Marks the elements annotated `<em:secret/>`.
pub fn assign(model: &mut Model, annotations: &Annotations) -> Result<()> {
    for def in model.types.values_mut() {
        let TypeDef::Complex(c) = def else { continue };
        let owner = c.xsd_name.clone();
        for p in &mut c.content {
            let elements: Vec<&mut crate::ir::ElementField> = match p {
                Particle::Element(e) => vec![e],
                Particle::Choice(ch) => ch.variants.iter_mut().collect(),
            };
            for e in elements {
                let target = Target::Member {
                    owner: owner.clone(),
                    name: e.name.clone(),
                    attribute: false,
                };
                if let Some(a) = annotations.take_one(&target, "secret")? {
                    a.only(&[])?;
                    e.secret = true;
                }
            }
        }
    }
    Ok(())
}
