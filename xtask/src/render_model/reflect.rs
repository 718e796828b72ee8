//! The run-time description of the schemas (`veeam_em_model::reflect`): one static part per
//! schema file, with its types, enumerations and root elements.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{ElementField, FieldType, Model, Particle, TypeDef, ValueType};

fn value_kind(model: &Model, v: &ValueType) -> TokenStream {
    match v {
        ValueType::String => quote!(crate::reflect::ValueKind::String),
        ValueType::Href => quote!(crate::reflect::ValueKind::Href),
        ValueType::Bool => quote!(crate::reflect::ValueKind::Bool),
        ValueType::Int => quote!(crate::reflect::ValueKind::Int),
        ValueType::Long => quote!(crate::reflect::ValueKind::Long),
        ValueType::UnsignedInt => quote!(crate::reflect::ValueKind::UnsignedInt),
        ValueType::Double => quote!(crate::reflect::ValueKind::Double),
        ValueType::DateTime => quote!(crate::reflect::ValueKind::DateTime),
        ValueType::Uid => quote!(crate::reflect::ValueKind::Uid),
        ValueType::Enum(n) => {
            let xsd = schema_name(model, n);
            quote!(crate::reflect::ValueKind::Enum(#xsd))
        }
    }
}

/// The schema name of the type with Rust name `rust`.
fn schema_name(model: &Model, rust: &str) -> String {
    match model.types.get(rust) {
        Some(TypeDef::Complex(c)) => c.xsd_name.clone(),
        Some(TypeDef::Enum(e)) => e.xsd_name.clone(),
        None => rust.to_owned(),
    }
}

fn max(m: Option<u32>) -> TokenStream {
    match m {
        Some(m) => quote!(Some(#m)),
        None => quote!(None),
    }
}

fn element(model: &Model, e: &ElementField) -> TokenStream {
    let name = &e.name;
    let kind = match &e.ty {
        FieldType::Value(v) => {
            let v = value_kind(model, v);
            quote!(crate::reflect::ElementKind::Value(#v))
        }
        FieldType::Complex(n) => {
            let xsd = schema_name(model, n);
            quote!(crate::reflect::ElementKind::Complex(#xsd))
        }
    };
    let (min, max) = (e.min, max(e.max));
    quote!(crate::reflect::ElementInfo { name: #name, kind: #kind, min: #min, max: #max })
}

/// The part of schema file `file`.
pub(super) fn part(model: &Model, file: &str) -> TokenStream {
    let family = crate::families::of_file(file);
    let mut types = Vec::new();
    let mut enums = Vec::new();
    for def in model.types.values().filter(|t| t.source_file() == file) {
        match def {
            TypeDef::Complex(c) => {
                let name = &c.xsd_name;
                let attributes = c.attributes.iter().map(|a| {
                    let (n, v, r) = (&a.name, value_kind(model, &a.ty), a.required);
                    quote!(crate::reflect::AttributeInfo { name: #n, value: #v, required: #r })
                });
                let content = c.content.iter().map(|p| match p {
                    Particle::Element(e) => {
                        let e = element(model, e);
                        quote!(crate::reflect::ParticleInfo::Element(#e))
                    }
                    Particle::Choice(ch) => {
                        let (min, max) = (ch.min, max(ch.max));
                        let alternatives = ch.variants.iter().map(|v| element(model, v));
                        quote!(crate::reflect::ParticleInfo::Choice { min: #min, max: #max, alternatives: &[#(#alternatives),*] })
                    }
                });
                let text = match &c.text {
                    Some(t) => {
                        let t = value_kind(model, t);
                        quote!(Some(#t))
                    }
                    None => quote!(None),
                };
                types.push(quote! {
                    crate::reflect::TypeInfo {
                        name: #name,
                        family: #family,
                        attributes: &[#(#attributes),*],
                        content: &[#(#content),*],
                        text: #text,
                    }
                });
            }
            TypeDef::Enum(e) => {
                let (name, values) = (&e.xsd_name, &e.values);
                enums.push(
                    quote!(crate::reflect::EnumInfo { name: #name, values: &[#(#values),*] }),
                );
            }
        }
    }
    let roots = model
        .roots
        .iter()
        .filter(|r| r.source_file == file)
        .map(|r| {
            let element = &r.name;
            let ty = schema_name(model, &r.type_name);
            quote!(crate::reflect::RootInfo { element: #element, type_name: #ty })
        });
    let mut secrets = Vec::new();
    for def in model.types.values() {
        let TypeDef::Complex(c) = def else { continue };
        if c.source_file != file {
            continue;
        }
        for p in &c.content {
            let elements: Vec<&ElementField> = match p {
                Particle::Element(e) => vec![e],
                Particle::Choice(ch) => ch.variants.iter().collect(),
            };
            for e in elements.into_iter().filter(|e| e.secret) {
                let (owner, name) = (&c.xsd_name, &e.name);
                secrets.push(quote!((#owner, #name)));
            }
        }
    }
    quote! {
        /// This schema file's part of [`crate::reflect`].
        pub(crate) static REFLECT: crate::reflect::Part = (
            &[#(#types),*],
            &[#(#enums),*],
            &[#(#roots),*],
            &[#(#secrets),*],
        );
    }
}
