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

const STEPS: &[Step] = &[
    Step {
        name: "name the list choices of QueryResult's Entities and Resources",
        apply: name_query_result_lists,
    },
    Step {
        name: "name the item choice of CdpReplicaSessions",
        apply: name_cdp_replica_session_items,
    },
    Step {
        name: "keep the Rust name VmCdpReplica for the type of VmCdpReplica and CdpReplicaVm",
        apply: name_vm_cdp_replica,
    },
];

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

/// `QueryResult/Entities` (and `/Resources`) hold one list element per query type, as a choice
/// (so that each list can belong to its family's cargo feature). The front end would name the
/// choice after all its alternatives; the API calls it `EntityList` (`ResourceList`), field
/// `lists`.
fn name_query_result_lists(model: &mut Model) -> Result<()> {
    for (owner, to) in [("Entities", "EntityList"), ("Resources", "ResourceList")] {
        let Some(TypeDef::Complex(c)) = model.types.get_mut(owner) else {
            bail!("type {owner} not found");
        };
        let [Particle::Choice(ch)] = c.content.as_mut_slice() else {
            bail!("{owner} is not one choice of lists");
        };
        ch.name = to.to_owned();
        ch.rust_name = "list".to_owned();
    }
    Ok(())
}

/// `VmCdpReplicaEntityType` is the type of two roots (`VmCdpReplica`, and `CdpReplicaVm` that
/// servers send), so the front end names it after the XSD type (`VmCdpReplicaEntity`); the API
/// keeps the name of the documented element.
fn name_vm_cdp_replica(model: &mut Model) -> Result<()> {
    rename_type(model, "VmCdpReplicaEntity", "VmCdpReplica")
}

/// Renames a type and every reference to it.
fn rename_type(model: &mut Model, from: &str, to: &str) -> Result<()> {
    use crate::ir::{FieldType, ValueType};
    let Some(mut def) = model.types.remove(from) else {
        bail!("type {from} not found");
    };
    if model.types.contains_key(to) {
        bail!("type {to} exists already");
    }
    match &mut def {
        TypeDef::Complex(c) => c.rust_name = to.to_owned(),
        TypeDef::Enum(e) => e.rust_name = to.to_owned(),
    }
    model.types.insert(to.to_owned(), def);
    let fix = |ty: &mut FieldType| match ty {
        FieldType::Complex(n) | FieldType::Value(ValueType::Enum(n)) if n == from => {
            *n = to.to_owned()
        }
        _ => {}
    };
    for def in model.types.values_mut() {
        if let TypeDef::Complex(c) = def {
            for a in &mut c.attributes {
                if a.ty == ValueType::Enum(from.to_owned()) {
                    a.ty = ValueType::Enum(to.to_owned());
                }
            }
            for p in &mut c.content {
                match p {
                    Particle::Element(e) => fix(&mut e.ty),
                    Particle::Choice(ch) => ch.variants.iter_mut().for_each(|v| fix(&mut v.ty)),
                }
            }
        }
    }
    for root in &mut model.roots {
        if root.type_name == from {
            root.type_name = to.to_owned();
        }
    }
    Ok(())
}

fn rename_choice(model: &mut Model, owner: &str, from: &str, to: &str) -> Result<()> {
    let Some(TypeDef::Complex(c)) = model.types.get_mut(owner) else {
        bail!("type {owner} not found");
    };
    for p in &mut c.content {
        if let Particle::Choice(ch) = p {
            if ch.name == from {
                ch.name = to.to_owned();
                ch.rust_name = crate::names::member_name(ch.min, ch.max, to);
                return Ok(());
            }
        }
    }
    bail!("{owner} has no choice named {from}")
}

/// Gives the member `xml_name` of type `owner` (an attribute, element or choice) the Rust field
/// name `to`, e.g. when two members would get the same name.
#[allow(dead_code)]
fn rename_field(model: &mut Model, owner: &str, xml_name: &str, to: &str) -> Result<()> {
    let Some(TypeDef::Complex(c)) = model.types.get_mut(owner) else {
        bail!("type {owner} not found");
    };
    if let Some(a) = c.attributes.iter_mut().find(|a| a.name == xml_name) {
        a.rust_name = to.to_owned();
        return Ok(());
    }
    for p in &mut c.content {
        match p {
            Particle::Element(e) if e.name == xml_name => {
                e.rust_name = to.to_owned();
                return Ok(());
            }
            Particle::Choice(ch) if ch.name == xml_name => {
                ch.rust_name = to.to_owned();
                return Ok(());
            }
            _ => {}
        }
    }
    bail!("{owner} has no member {xml_name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Attribute, ComplexType, ElementField, FieldType, ValueType};

    /// `<xs:attribute name="Name"/>` and `<xs:element name="name"/>`: both `name` in Rust.
    fn clashing() -> Model {
        let mut model = Model::default();
        model.types.insert(
            "Thing".into(),
            TypeDef::Complex(ComplexType {
                xsd_name: "ThingType".into(),
                rust_name: "Thing".into(),
                source_file: "schemas/test.xsd".into(),
                doc: None,
                base: None,
                attributes: vec![Attribute {
                    name: "Name".into(),
                    rust_name: String::new(),
                    ty: ValueType::String,
                    required: false,
                    doc: None,
                }],
                content: vec![Particle::Element(ElementField {
                    name: "name".into(),
                    rust_name: String::new(),
                    ty: FieldType::Value(ValueType::String),
                    min: 0,
                    max: Some(1),
                    doc: None,
                    json_key: String::new(),
                    json_aliases: Vec::new(),
                    secret: false,
                })],
                text: None,
                json: Default::default(),
            }),
        );
        crate::names::assign(&mut model);
        model
    }

    #[test]
    fn a_name_clash_is_an_error_that_points_to_rename_field() {
        let mut model = clashing();
        let err = crate::names::check(&model).unwrap_err().to_string();
        assert!(
            err.contains("ThingType") && err.contains("rename_field"),
            "{err}"
        );
        rename_field(&mut model, "Thing", "name", "name_element").unwrap();
        crate::names::check(&model).unwrap();
        assert!(rename_field(&mut model, "Thing", "Nope", "x").is_err());
    }
}
