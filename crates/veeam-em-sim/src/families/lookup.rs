//! The lookup service: the virtual infrastructure below each hierarchy root, as the world has
//! it. `/lookupSvc` links a lookup of VMs and one of hosts per hierarchy root; `/lookup` answers
//! them (by `host`, `type` and `name`, `*` for every name) and `hierarchyRef` lookups, from the
//! same objects the rest of the world names: a VM is a job's include whose `HierarchyObjRef`
//! lies below the root, a host is a managed ESXi or Hyper-V server of the root's backup server.
//!
//! Why a plug-in: these answers are computed over several kinds (roots, includes, managed
//! servers), which the catalogue cannot say.

use http::StatusCode;
use veeam_em_api::{Entry, Route};
use veeam_em_model::{Document, HierarchyItem, HierarchyItems, Link, LinkList, LookupSvc};

use crate::errors::Failure;
use crate::family::Family;
use crate::registry::{registry, KindId, Obj};
use crate::render::links;
use crate::world::World;

/// The lookup service family.
#[derive(Debug)]
pub(crate) struct Lookup {
    root: Option<KindId>,
    managed: Option<KindId>,
    /// Every kind whose objects are VMs in jobs (`ObjectInJob` under jobs and policies).
    includes: Vec<KindId>,
}

/// The object types a lookup link is written for, per hierarchy root.
const LINKED_TYPES: [&str; 2] = ["Vm", "Host"];

impl Lookup {
    pub fn new() -> Self {
        let reg = registry();
        Self {
            root: reg.named("HierarchyRoot"),
            managed: reg.named("ManagedServer"),
            includes: reg
                .kinds()
                .iter()
                .filter(|k| k.name == "ObjectInJob")
                .map(|k| k.id)
                .collect(),
        }
    }

    /// The platform of a root's references: `HyperV` for a Hyper-V server, else `VMware`.
    fn platform(w: &dyn World, root: Obj) -> &'static str {
        crate::render::values::platform_of(w.field(root, "HostType").as_deref())
    }

    /// `(reference, type, name)` of the objects of `ty` below `root`.
    fn items(&self, w: &dyn World, root: Obj, ty: &str) -> Vec<(String, &'static str, String)> {
        let id = w.id(root);
        let platform = Self::platform(w, root);
        let mut out: Vec<(String, &'static str, String)> = Vec::new();
        if ty.eq_ignore_ascii_case("Vm") {
            let prefix = format!("urn:{platform}:Vm:{id}.");
            for &kind in &self.includes {
                for index in w.objects(kind).iter() {
                    let o = Obj { kind, index };
                    let Some(r) = w.field(o, "HierarchyObjRef") else {
                        continue;
                    };
                    if r.starts_with(&prefix) && !out.iter().any(|(x, _, _)| *x == r) {
                        out.push((r, "Vm", w.name(o)));
                    }
                }
            }
        } else if ty.eq_ignore_ascii_case("Host") {
            let Some(managed) = self.managed else {
                return out;
            };
            let Some(server) = registry()
                .named("BackupServer")
                .and_then(|k| w.related(root, k).map(|index| Obj { kind: k, index }))
            else {
                return out;
            };
            for index in w.children(managed, server).iter() {
                let m = Obj {
                    kind: managed,
                    index,
                };
                let host_type = w.field(m, "ManagedServerType");
                let r = match (platform, host_type.as_deref()) {
                    ("VMware", Some("ESXi")) => format!("urn:VMware:HostSystem:{id}.host-{index}"),
                    ("HyperV", Some("HvServer")) => {
                        format!("urn:HyperV:Host:{id}.{}", w.id(m))
                    }
                    _ => continue,
                };
                out.push((r, "Host", w.name(m)));
            }
        }
        out
    }

    /// The root named by `host` (its UID or its id).
    fn root_of(&self, w: &dyn World, host: &str) -> Option<Obj> {
        let kind = self.root?;
        let id = host.rsplit(':').next().unwrap_or(host);
        let index = w.find(kind, id)?;
        Some(Obj { kind, index })
    }

    fn service(&self, w: &dyn World, base: &str) -> Document {
        let mut found = Vec::new();
        if let Some(kind) = self.root {
            for index in w.objects(kind).iter() {
                let root = Obj { kind, index };
                let uid = w.uid(root);
                for ty in LINKED_TYPES {
                    found.push(Link {
                        rel: Some("Down".into()),
                        type_: Some("HierarchyItemList".into()),
                        href: links::href(base, &format!("/lookup?host={uid}&name=*&type={ty}")),
                        name: Some(w.name(root).into()),
                        unknown: Default::default(),
                    });
                }
            }
        }
        Document::LookupSvc(LookupSvc {
            type_: Some("LookupService".into()),
            href: Some(links::href(base, "/lookupSvc")),
            links: Some(LinkList {
                links: found,
                unknown: Default::default(),
            }),
            unknown: Default::default(),
        })
    }

    fn lookup(&self, w: &dyn World, route: &Route) -> Result<Document, Failure> {
        let param = |name: &str| {
            route
                .query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let found = if let Some(reference) = param("hierarchyRef") {
            // urn:<platform>:<Type>:<root id>.<object>
            let mut parts = reference.splitn(4, ':');
            let (_, _, ty, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
            let root = rest
                .and_then(|r| r.split_once('.'))
                .and_then(|(root, _)| self.root_of(w, root));
            match (root, ty) {
                (Some(root), Some(ty)) => self
                    .items(w, root, lookup_type(ty))
                    .into_iter()
                    .filter(|(r, _, _)| r.eq_ignore_ascii_case(reference))
                    .collect(),
                _ => Vec::new(),
            }
        } else {
            let host = param("host").ok_or_else(|| {
                Failure::new(
                    StatusCode::BAD_REQUEST,
                    "A lookup names a hierarchy object (hierarchyRef) or a host with a type and a name",
                )
            })?;
            let root = self.root_of(w, host).ok_or_else(|| {
                Failure::not_found(format!("No hierarchy root with the UID {host}"))
            })?;
            let ty = param("type").unwrap_or("Vm");
            let name = param("name").unwrap_or("*");
            self.items(w, root, ty)
                .into_iter()
                .filter(|(_, _, n)| matches_name(name, n))
                .collect()
        };
        Ok(Document::HierarchyItems(HierarchyItems {
            hierarchy_items: found
                .into_iter()
                .map(|(r, ty, name)| HierarchyItem {
                    type_: Some("HierarchyItem".into()),
                    href: None,
                    links: None,
                    object_ref: Some(r.into()),
                    object_type: Some(ty.into()),
                    object_name: Some(name.into()),
                    unknown: Default::default(),
                })
                .collect(),
            unknown: Default::default(),
        }))
    }
}

/// The lookup type of a reference's type (`HostSystem` is a `Host`).
fn lookup_type(reference_type: &str) -> &str {
    match reference_type {
        "HostSystem" => "Host",
        other => other,
    }
}

/// Whether `name` matches a lookup's name: `*` for any, a leading or trailing `*` as a
/// wildcard, otherwise equal without regard to case.
fn matches_name(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.to_lowercase(), name.to_lowercase());
    match (p.strip_prefix('*'), p.strip_suffix('*')) {
        _ if p == "*" => true,
        (Some(tail), _) if tail.ends_with('*') => n.contains(tail.trim_end_matches('*')),
        (Some(tail), _) => n.ends_with(tail),
        (None, Some(head)) => n.starts_with(head),
        (None, None) => n == p,
    }
}

impl Family for Lookup {
    fn document(
        &self,
        w: &dyn World,
        entry: &'static Entry,
        route: &Route,
        base: &str,
    ) -> Option<Result<Document, Failure>> {
        match entry.representation()? {
            "LookupSvc" => Some(Ok(self.service(w, base))),
            "HierarchyItems" => Some(self.lookup(w, route)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::matches_name;

    #[test]
    fn names_match_with_wildcards() {
        assert!(matches_name("*", "sql-01"));
        assert!(matches_name("SQL-01", "sql-01"));
        assert!(matches_name("sql*", "sql-01"));
        assert!(matches_name("*01", "sql-01"));
        assert!(matches_name("*ql-0*", "sql-01"));
        assert!(!matches_name("web*", "sql-01"));
        assert!(!matches_name("sql", "sql-01"));
    }
}
