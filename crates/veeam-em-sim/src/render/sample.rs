//! Documents of any schema type, written from `veeam_em_model::reflect`: every member in schema
//! order, required ones always, optional ones by a deterministic coin, values that match their
//! type and look like what servers send ([`values`]). The object's own members come from the
//! world ([`World::field`]: what requests changed, the family's, else the value here), so an
//! entity, a list item and a query filter agree.
//!
//! The object's identity (`Type`, `Href`, `UID`, `Name`) and its `Links` come from the caller
//! ([`Identity`]); members that are objects of their own (a job's includes) come from the
//! caller too ([`Identity::nested`]), so that they are the objects of their collection.

use std::fmt::Write as _;

use veeam_em_model::reflect::{self, ElementInfo, ElementKind, ParticleInfo, TypeInfo, ValueKind};

use super::values;
use crate::ids::mix64;
use crate::registry::Obj;
use crate::world::{Value, World};

/// Who the document is about.
pub(crate) struct Identity<'a> {
    /// `Type` of the entity (its root element).
    pub type_: &'a str,
    pub href: &'a str,
    pub uid: &'a str,
    pub name: &'a str,
    /// The `<Link .../>` elements of its `Links`, already written.
    pub links: &'a str,
    /// The entity documents of the objects of their own that element `name` holds, if it holds
    /// such objects (root elements renamed by the caller).
    pub nested: &'a dyn Fn(&str) -> Option<Vec<String>>,
    /// Whether element `name` is an object of its own (cheap: what `nested` would render).
    pub nests: &'a dyn Fn(&str) -> bool,
    /// Whether an optional nested member (by its path, `Job/JobInfo/BackupJobInfo`) is there,
    /// when the object's family decides (else a coin does).
    pub keep: &'a dyn Fn(&str) -> Option<bool>,
}

/// No decision on nested members.
pub(crate) fn no_keep(_: &str) -> Option<bool> {
    None
}

/// No nested objects.
pub(crate) fn no_nested(_: &str) -> Option<Vec<String>> {
    None
}

/// No element is an object of its own.
pub(crate) fn no_nests(_: &str) -> bool {
    false
}

const NAMESPACE: &str = "http://www.veeam.com/ent/v1.0";
/// Nesting beyond which optional members are left out (recursive types end here).
const OPTIONAL_DEPTH: usize = 4;
/// Nesting beyond which nothing is written (a guard; schemas do not nest this deep).
const MAX_DEPTH: usize = 12;

/// A stable hash of a member path.
fn hash_str(seed: u64, text: &str) -> u64 {
    text.bytes()
        .fold(mix64(seed), |h, b| mix64(h ^ u64::from(b)))
}

/// The seed of object `o`'s values.
pub(crate) fn seed_of(w: &dyn World, o: Obj) -> u64 {
    w.hash(0x5a4d_504c ^ (u64::from(o.kind.0) << 40), o.index)
}

/// A deterministic writer of one object's documents.
pub(crate) struct Sampler<'a> {
    pub world: &'a dyn World,
    pub object: Obj,
    pub seed: u64,
    pub identity: Identity<'a>,
}

impl Sampler<'_> {
    /// The document `element` (a root element), as XML text; `None` when its type is not in the
    /// schemas built.
    pub fn document(&self, element: &str) -> Option<String> {
        let root = reflect::root(element)?;
        let ty = reflect::complex(root.type_name)?;
        let mut out = String::with_capacity(1024);
        self.element(&mut out, element, ty, element, 0, true, None);
        Some(out)
    }

    fn coin(&self, path: &str) -> bool {
        hash_str(self.seed, path) % 4 != 0
    }

    fn count(&self, path: &str, min: u32, max: Option<u32>, depth: usize) -> u32 {
        let wanted = if depth >= OPTIONAL_DEPTH {
            0
        } else {
            1 + u32::try_from(hash_str(self.seed, path) % 2).unwrap_or(0)
        };
        let wanted = wanted.max(min);
        max.map_or(wanted, |m| wanted.min(m))
    }

    #[allow(clippy::too_many_arguments)]
    fn element(
        &self,
        out: &mut String,
        name: &str,
        ty: &TypeInfo,
        path: &str,
        depth: usize,
        root: bool,
        href: Option<&str>,
    ) {
        out.push('<');
        out.push_str(name);
        if root {
            let _ = write!(out, " xmlns=\"{NAMESPACE}\"");
        }
        for a in ty.attributes {
            let apath = format!("{path}/@{}", a.name);
            let value = if root {
                match self.top(a.name, a.value, a.required) {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                if !a.required && (depth >= OPTIONAL_DEPTH || !self.coin(&apath)) {
                    continue;
                }
                match (href, a.value) {
                    (_, ValueKind::Href) => self.identity.href.to_owned(),
                    // A nested element's type is its own name.
                    (_, ValueKind::String) if a.name == "Type" => name.to_owned(),
                    _ => self.leaf(a.value, a.name, &apath, a.required),
                }
            };
            let _ = write!(out, " {}=\"{}\"", a.name, escape(&value));
        }
        if let Some(text) = ty.text {
            out.push('>');
            out.push_str(&escape(&self.leaf(text, name, path, true)));
            let _ = write!(out, "</{name}>");
            return;
        }
        let mut children = String::new();
        if depth < MAX_DEPTH {
            for p in ty.content {
                match p {
                    ParticleInfo::Element(e) => self.member(&mut children, e, path, depth, root),
                    ParticleInfo::Choice {
                        min,
                        max,
                        alternatives,
                    } => {
                        let cpath = format!("{path}/choice");
                        let n = self.count(&cpath, *min, *max, depth);
                        for k in 0..n {
                            let pick = usize::try_from(
                                hash_str(self.seed, &format!("{cpath}{k}"))
                                    % alternatives.len().max(1) as u64,
                            )
                            .unwrap_or(0);
                            if let Some(alt) = alternatives.get(pick) {
                                let single = ElementInfo {
                                    min: 1,
                                    max: Some(1),
                                    ..*alt
                                };
                                self.member(
                                    &mut children,
                                    &single,
                                    &format!("{cpath}{k}"),
                                    depth,
                                    false,
                                );
                            }
                        }
                    }
                }
            }
        }
        if children.is_empty() {
            out.push_str("/>");
        } else {
            out.push('>');
            out.push_str(&children);
            let _ = write!(out, "</{name}>");
        }
    }

    fn member(&self, out: &mut String, e: &ElementInfo, parent: &str, depth: usize, top: bool) {
        let path = format!("{parent}/{}", e.name);
        // The object's own links, at its top level; nested link lists are left out (they would
        // point nowhere).
        if e.name == "Links" {
            if top && !self.identity.links.is_empty() {
                let _ = write!(out, "<Links>{}</Links>", self.identity.links);
            }
            return;
        }
        // Objects of their own: the caller's documents of them.
        if let (ElementKind::Complex(_), Some(items)) = (e.kind, (self.identity.nested)(e.name)) {
            if e.max != Some(1) {
                for item in items {
                    out.push_str(&item);
                }
                return;
            }
        }
        if let (true, ElementKind::Value(v), Some(1)) = (top, e.kind, e.max) {
            if let Some(value) = self.top(e.name, v, e.min > 0) {
                let _ = write!(out, "<{0}>{1}</{0}>", e.name, escape(&value));
            }
            return;
        }
        let n = if e.min == 0 && e.max == Some(1) {
            // An entity's own members are all there; deeper optional ones as the family says,
            // else by the coin.
            let kept = match (self.identity.keep)(&path) {
                Some(decided) => decided,
                // A list of objects of their own (a job's `Includes`) is always there.
                None if self.holds_objects(e) => true,
                None => top || (depth < OPTIONAL_DEPTH && self.coin(&format!("{path}?"))),
            };
            u32::from(kept)
        } else {
            self.count(&path, e.min, e.max, depth)
        };
        for k in 0..n {
            let ipath = if n > 1 {
                format!("{path}{k}")
            } else {
                path.clone()
            };
            match e.kind {
                ElementKind::Value(v) => {
                    let value = self.leaf(v, e.name, &ipath, e.min > 0);
                    let _ = write!(out, "<{0}>{1}</{0}>", e.name, escape(&value));
                }
                ElementKind::Complex(t) => match reflect::complex(t) {
                    Some(ty) => self.element(out, e.name, ty, &ipath, depth + 1, false, None),
                    None => {
                        let _ = write!(out, "<{}/>", e.name);
                    }
                },
            }
        }
    }

    /// Whether member `e` is a list of objects of their own (its items are nested objects).
    fn holds_objects(&self, e: &ElementInfo) -> bool {
        let ElementKind::Complex(t) = e.kind else {
            return false;
        };
        let Some(ty) = reflect::complex(t) else {
            return false;
        };
        ty.content.iter().any(|p| match p {
            ParticleInfo::Element(item) => (self.identity.nests)(item.name),
            ParticleInfo::Choice { alternatives, .. } => {
                alternatives.iter().any(|a| (self.identity.nests)(a.name))
            }
        })
    }

    /// A top-level simple member: the identity, else what the world says it is.
    fn top(&self, name: &str, v: ValueKind, required: bool) -> Option<String> {
        let id = &self.identity;
        match (name, v) {
            ("Type", ValueKind::String) => return Some(id.type_.to_owned()),
            ("Href", ValueKind::Href) => return Some(id.href.to_owned()),
            ("UID", ValueKind::Uid) => return Some(id.uid.to_owned()),
            ("Name", ValueKind::String) => return Some(id.name.to_owned()),
            // An `Id` attribute is the id its address ends with.
            ("Id", ValueKind::String) if !id.href.is_empty() => {
                let path = id.href.split('?').next().unwrap_or_default();
                return Some(path.rsplit('/').next().unwrap_or_default().to_owned());
            }
            _ => {}
        }
        match self.world.field(self.object, name) {
            Some(v) => Some(v),
            // A required member the world leaves out still needs a value.
            None if required => Some(self.leaf(v, name, name, true)),
            None => None,
        }
    }

    /// The generic value of top-level member `name` (`None`: the document leaves it out).
    pub fn generic_top(&self, root: &str, name: &str) -> Option<String> {
        let ty = reflect::complex(reflect::root(root)?.type_name)?;
        for a in ty.attributes {
            if a.name == name {
                // An entity's own members are all sent, as servers do (only members a
                // family leaves out, such as the end of a running session, are absent).
                let apath = format!("{root}/@{}", a.name);
                return Some(self.leaf(a.value, a.name, &apath, a.required));
            }
        }
        for p in ty.content {
            if let ParticleInfo::Element(e) = p {
                if let (true, ElementKind::Value(v), Some(1)) = (e.name == name, e.kind, e.max) {
                    let path = format!("{root}/{}", e.name);
                    if v == ValueKind::String && e.min == 0 {
                        // A text nothing plausible fills (a password) is left out.
                        let h = hash_str(self.seed, &path);
                        return values::text(self.world, self.object, e.name, h);
                    }
                    return Some(self.leaf(v, e.name, &path, e.min > 0));
                }
            }
        }
        None
    }

    /// A value of kind `v` for member `name` at `path`.
    fn leaf(&self, v: ValueKind, name: &str, path: &str, required: bool) -> String {
        let h = hash_str(self.seed, path);
        let w = self.world;
        match v {
            ValueKind::Href => self.identity.href.to_owned(),
            ValueKind::Bool => {
                // Switches are mostly on; "is it disabled/canceled" mostly not.
                let lower = name.to_ascii_lowercase();
                let negative = lower.contains("disable")
                    || lower.contains("cancel")
                    || lower.starts_with("isretry")
                    || lower.contains("failover");
                (if negative { h % 8 == 0 } else { h % 4 != 0 }).to_string()
            }
            ValueKind::Int | ValueKind::Long | ValueKind::UnsignedInt => {
                let n = values::integer(name, h, self.seed);
                if v == ValueKind::Int {
                    n.clamp(0, i64::from(i32::MAX)).to_string()
                } else {
                    n.max(0).to_string()
                }
            }
            ValueKind::Double => format!("{}.{}", 1 + h % 9, h % 10),
            ValueKind::DateTime => {
                veeam_em_model::DateTime::from(values::date(w, name, h)).to_string()
            }
            ValueKind::Uid => match values::uid_kind(w, self.object, name) {
                Some(k) => match w.related(self.object, k) {
                    Some(i) => w.uid(Obj { kind: k, index: i }),
                    None => w.uid(self.object),
                },
                None => w.uid(self.object),
            },
            ValueKind::Enum(e) => match reflect::enumeration(e) {
                Some(info) if !info.values.is_empty() => {
                    // Prefer real values to the catch-alls (`None`, `Unknown`).
                    let real: Vec<&str> = info
                        .values
                        .iter()
                        .copied()
                        .filter(|v| !matches!(*v, "None" | "Unknown"))
                        .collect();
                    let pool = if real.is_empty() {
                        info.values
                    } else {
                        &real[..]
                    };
                    pool[usize::try_from(h % pool.len() as u64).unwrap_or(0)].to_owned()
                }
                _ => String::new(),
            },
            ValueKind::String => values::text(w, self.object, name, h).unwrap_or_else(|| {
                if required {
                    w.name(self.object)
                } else {
                    String::new()
                }
            }),
        }
    }
}

/// Escapes text for an attribute value or element text.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// The generic value of top-level member `member` of `o`'s entity.
pub(crate) fn field(w: &dyn World, o: Obj, member: &str) -> Option<String> {
    let root = w.registry().kind(o.kind).entity()?;
    Sampler {
        world: w,
        object: o,
        seed: seed_of(w, o),
        identity: Identity {
            type_: root,
            href: "",
            uid: "",
            name: "",
            links: "",
            nested: &no_nested,
            nests: &no_nests,
            keep: &no_keep,
        },
    }
    .generic_top(root, member)
}

/// A query field of `o`, typed by its entity's schema (field names ignore ASCII case).
pub(crate) fn query_field(w: &dyn World, o: Obj, name: &str) -> Value {
    use veeam_em_model::reflect::{ElementKind, ParticleInfo};
    let Some(ty) = w
        .registry()
        .kind(o.kind)
        .entity()
        .and_then(reflect::root)
        .and_then(|r| reflect::complex(r.type_name))
    else {
        return Value::Absent;
    };
    let find = |name: &str| {
        ty.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| (a.name, Some(a.value)))
            .or_else(|| {
                ty.content.iter().find_map(|p| match p {
                    ParticleInfo::Element(e) if e.name.eq_ignore_ascii_case(name) => match e.kind {
                        ElementKind::Value(v) => Some((e.name, Some(v))),
                        ElementKind::Complex(_) => None,
                    },
                    _ => None,
                })
            })
    };
    // Query fields may drop the `UTC` of the member they read (`CreationTime` of a session is
    // its `CreationTimeUTC`).
    let member = find(name).or_else(|| find(&format!("{name}UTC")));
    let (member, kind) = match member {
        Some(m) => m,
        // Query fields the entity does not hold (`BackupServerUid`): its related objects.
        None => (name, None),
    };
    let Some(text) = w.field(o, member).or_else(|| related_field(w, o, name)) else {
        return Value::Absent;
    };
    typed(kind, text)
}

/// A query field named after a related kind (`BackupServerUid`, `JobName`): that object's UID or
/// name.
fn related_field(w: &dyn World, o: Obj, name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let (stem, uid) = if let Some(s) = lower.strip_suffix("uid") {
        (s, true)
    } else if let Some(s) = lower.strip_suffix("name") {
        (s, false)
    } else {
        return None;
    };
    let reg = w.registry();
    let kind = reg
        .kinds
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(stem))?;
    let i = w.related(o, kind.id)?;
    let other = Obj {
        kind: kind.id,
        index: i,
    };
    Some(if uid { w.uid(other) } else { w.name(other) })
}

/// A member's text as a query value of its schema type.
pub(crate) fn typed(kind: Option<ValueKind>, text: String) -> Value {
    match kind {
        Some(ValueKind::Int | ValueKind::Long | ValueKind::UnsignedInt) => {
            text.parse().map_or(Value::Absent, Value::Int)
        }
        Some(ValueKind::Bool) => Value::Bool(text == "true"),
        Some(ValueKind::Uid) => Value::Uid(text),
        Some(ValueKind::DateTime) => veeam_em_model::DateTime::parse(&text)
            .ok()
            .and_then(|d| d.to_offset_date_time())
            .map_or(Value::Absent, Value::Time),
        Some(ValueKind::Enum(e)) => match reflect::enumeration(e) {
            Some(info) => match info.values.iter().find(|v| **v == text) {
                Some(v) => Value::Enum {
                    text: v,
                    known: info.values,
                },
                None => Value::Text(text),
            },
            None => Value::Text(text),
        },
        None if text.starts_with("urn:veeam:") => Value::Uid(text),
        _ => Value::Text(text),
    }
}
