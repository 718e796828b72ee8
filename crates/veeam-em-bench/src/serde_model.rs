//! Hand-written serde structs equivalent to the generated `EntityReferences` (same fields, owned
//! strings), decoded with `quick_xml::de`: the baseline a user would write by hand.

// The fields mirror the generated model so both decoders do the same work; only some are read.
#![allow(dead_code)]

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct EntityReferences {
    #[serde(rename = "Ref", default)]
    pub refs: Vec<Ref>,
}

#[derive(Debug, Deserialize)]
pub struct Ref {
    #[serde(rename = "@Type")]
    pub type_: Option<String>,
    #[serde(rename = "@Href")]
    pub href: Option<String>,
    #[serde(rename = "@Name")]
    pub name: Option<String>,
    #[serde(rename = "@UID")]
    pub uid: Option<String>,
    #[serde(rename = "Links")]
    pub links: Option<Links>,
}

#[derive(Debug, Deserialize)]
pub struct Links {
    #[serde(rename = "Link", default)]
    pub links: Vec<Link>,
}

#[derive(Debug, Deserialize)]
pub struct Link {
    #[serde(rename = "@Rel")]
    pub rel: Option<String>,
    #[serde(rename = "@Type")]
    pub type_: Option<String>,
    #[serde(rename = "@Href")]
    pub href: String,
    #[serde(rename = "@Name")]
    pub name: Option<String>,
}
