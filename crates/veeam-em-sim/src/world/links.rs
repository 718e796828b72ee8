//! Links as the reference pages show them (their `Links` tables), declared once per kind and
//! rendered per object. A link is written only when the catalogue has an operation at its
//! address, so that every link the simulator writes can be followed; as the catalogue grows,
//! the links appear by themselves.

use std::sync::OnceLock;

use veeam_em_model::{Link, Text};

use super::Ctx;

/// One link of a representation.
#[derive(Debug)]
pub(crate) struct LinkSpec {
    /// `Rel`, e.g. `Up`, `Down`, `Alternate`, `Enable`.
    pub rel: &'static str,
    /// `Type`, when the pages show one.
    pub ty: Option<&'static str>,
    /// The address below the API base, `{}` for each id (filled in order), with any fixed
    /// query (`?format=Entity`, `?action=enable`).
    pub path: &'static str,
    /// The method of the operation the link stands for (`GET` for navigation).
    pub method: &'static str,
    /// Whether the link carries the linked object's `Name`.
    pub named: bool,
    served: OnceLock<bool>,
}

impl LinkSpec {
    /// A link declaration.
    pub const fn new(
        rel: &'static str,
        ty: Option<&'static str>,
        path: &'static str,
        method: &'static str,
        named: bool,
    ) -> Self {
        Self {
            rel,
            ty,
            path,
            method,
            named,
            served: OnceLock::new(),
        }
    }

    /// Whether the catalogue has an operation at this address.
    pub fn served(&self) -> bool {
        *self.served.get_or_init(|| {
            let sample = self.path.replace("{}", "0");
            veeam_em_api::route_method(self.method, &sample).is_ok()
        })
    }

    /// The link with `ids` filled in, or `None` when the catalogue cannot serve it.
    pub fn render(&self, cx: &Ctx<'_>, ids: &[&str], name: Option<&Text>) -> Option<Link> {
        if !self.served() {
            return None;
        }
        let mut path = String::with_capacity(self.path.len() + 40 * ids.len());
        let mut ids = ids.iter();
        let mut rest = self.path;
        while let Some(i) = rest.find("{}") {
            path.push_str(&rest[..i]);
            path.push_str(ids.next().copied().unwrap_or("0"));
            rest = &rest[i + 2..];
        }
        path.push_str(rest);
        Some(Link {
            rel: Some(Text::from(self.rel)),
            type_: self.ty.map(Text::from),
            href: cx.href(&path),
            name: if self.named { name.cloned() } else { None },
            unknown: Default::default(),
        })
    }
}
