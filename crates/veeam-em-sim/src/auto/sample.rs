//! Plausible documents of any schema type, written from `veeam_em_model::reflect`: every member
//! in schema order, required ones always, optional ones by a deterministic coin, values chosen
//! from their type (enumerations from their values, dates before the world's epoch, UIDs of the
//! right form) and their name (`...Name`, `...Size`, `...Path`). The same object, field and
//! seed always give the same value, so that the query service can filter on what the entities
//! show without rendering them.
//!
//! The object's own identity (`Type`, `Href`, `UID`, `Name`) and its `Links` come from the
//! caller ([`Identity`]); hrefs anywhere else point at the object itself, so that every href a
//! document holds can be followed.

use std::fmt::Write as _;

use time::OffsetDateTime;
use veeam_em_model::reflect::{self, ElementInfo, ElementKind, ParticleInfo, TypeInfo, ValueKind};

use crate::ids::mix64;

/// Who the document is about.
pub(crate) struct Identity<'a> {
    /// `Type` of the entity (its root element).
    pub type_: &'a str,
    pub href: &'a str,
    pub uid: &'a str,
    pub name: &'a str,
    /// The `<Link .../>` elements of its `Links`, already written.
    pub links: &'a str,
    /// The href of the `k`-th nested element `name` that is an object of its own (a plan's VMs
    /// at `/failoverPlans/{ID}/includes/{ID}`), if it is one.
    pub nested: &'a dyn Fn(&str, u32) -> Option<String>,
}

/// No nested objects.
pub(crate) fn no_nested(_: &str, _: u32) -> Option<String> {
    None
}

/// A deterministic source of values for one object.
pub(crate) struct Sampler<'a> {
    pub seed: u64,
    pub epoch: OffsetDateTime,
    pub identity: Identity<'a>,
    /// The world's ids, so that UIDs of kinds it has name existing objects.
    pub ids: Option<crate::ids::IdSpace>,
    /// How many objects of a kind (by UID kind name) exist at top level, if it is one.
    pub existing: fn(&str) -> Option<u64>,
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

impl Sampler<'_> {
    /// The document `element` (a root element), as XML text; `None` when its type is not in
    /// the schemas built.
    pub fn document(&self, element: &str) -> Option<String> {
        let root = reflect::root(element)?;
        let ty = reflect::complex(root.type_name)?;
        let mut out = String::with_capacity(1024);
        self.element(&mut out, element, ty, element, 0, true, None);
        Some(out)
    }

    /// The value of the top-level member `name` (attribute or simple element, ASCII case
    /// ignored) of the document `root` of type `ty`, as that document shows it (`None` when it
    /// leaves it out): for the query service.
    pub fn field(&self, root: &str, ty: &TypeInfo, name: &str) -> Option<String> {
        for a in ty.attributes {
            if a.name.eq_ignore_ascii_case(name) {
                let apath = format!("{root}/@{}", a.name);
                if !a.required && !self.coin(&apath) && !is_identity(a.name) {
                    return None;
                }
                return Some(self.value(a.value, a.name, &apath, true));
            }
        }
        for p in ty.content {
            if let ParticleInfo::Element(e) = p {
                if let (true, ElementKind::Value(v)) = (e.name.eq_ignore_ascii_case(name), e.kind) {
                    let path = format!("{root}/{}", e.name);
                    if e.min == 0 && e.max == Some(1) && !self.coin(&format!("{path}?")) {
                        return None;
                    }
                    if e.max != Some(1) {
                        return None;
                    }
                    return Some(self.value(v, e.name, &path, true));
                }
            }
        }
        None
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
            if !a.required && depth >= OPTIONAL_DEPTH {
                continue;
            }
            if !a.required && !self.coin(&apath) && !is_identity(a.name) {
                continue;
            }
            let value = match (href, a.value) {
                // A nested object of its own: its href.
                (Some(h), ValueKind::Href) if a.name == "Href" => h.to_owned(),
                // ... and its type, named as its element is.
                (Some(_), ValueKind::String) if a.name == "Type" => name.to_owned(),
                _ => self.value(a.value, a.name, &apath, depth == 0),
            };
            let _ = write!(out, " {}=\"{}\"", a.name, escape(&value));
        }
        if let Some(text) = ty.text {
            out.push('>');
            out.push_str(&escape(&self.value(text, name, path, false)));
            let _ = write!(out, "</{name}>");
            return;
        }
        let mut children = String::new();
        if depth < MAX_DEPTH {
            for p in ty.content {
                match p {
                    ParticleInfo::Element(e) => self.member(&mut children, e, path, depth),
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
                                self.member(&mut children, &single, &format!("{cpath}{k}"), depth);
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

    fn member(&self, out: &mut String, e: &ElementInfo, parent: &str, depth: usize) {
        let path = format!("{parent}/{}", e.name);
        // The object's own links, at its top level; nested link lists are left out (they
        // would point nowhere).
        if e.name == "Links" {
            if depth == 0 && !self.identity.links.is_empty() {
                let _ = write!(out, "<Links>{}</Links>", self.identity.links);
            }
            return;
        }
        let n = if e.min == 0 && e.max == Some(1) {
            u32::from(
                depth < OPTIONAL_DEPTH
                    && (self.coin(&format!("{path}?")) || crate::quirks::always_sent(&path)),
            )
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
                    let value = self.value(v, e.name, &ipath, depth == 0);
                    let _ = write!(out, "<{0}>{1}</{0}>", e.name, escape(&value));
                }
                ElementKind::Complex(t) => match reflect::complex(t) {
                    Some(ty) => {
                        let href = (self.identity.nested)(e.name, k);
                        self.element(out, e.name, ty, &ipath, depth + 1, false, href.as_deref());
                    }
                    None => {
                        let _ = write!(out, "<{}/>", e.name);
                    }
                },
            }
        }
    }

    /// A value of kind `v` for the member `name` at `path`; `top`: a member of the object
    /// itself (its identity applies).
    fn value(&self, v: ValueKind, name: &str, path: &str, top: bool) -> String {
        let h = hash_str(self.seed, path);
        let id = &self.identity;
        if top {
            match (name, v) {
                ("Type", ValueKind::String) => return id.type_.to_owned(),
                ("Href", ValueKind::Href) => return id.href.to_owned(),
                ("UID", ValueKind::Uid) => return id.uid.to_owned(),
                ("Name", ValueKind::String) => return id.name.to_owned(),
                _ => {}
            }
        }
        match v {
            ValueKind::Href => id.href.to_owned(),
            ValueKind::Bool => (h % 2 == 0).to_string(),
            ValueKind::Int | ValueKind::Long | ValueKind::UnsignedInt => {
                let lower = name.to_ascii_lowercase();
                let n = if lower.contains("size") || lower.contains("bytes") {
                    (h % 500 + 1) * 1_073_741_824
                } else if lower.contains("port") {
                    [9392u64, 9393, 9398, 443, 6160][usize::try_from(h % 5).unwrap_or(0)]
                } else {
                    h % 100
                };
                if v == ValueKind::Int {
                    (n % i32::MAX as u64).to_string()
                } else {
                    n.to_string()
                }
            }
            ValueKind::Double => format!("{}.{}", h % 100, h % 10),
            ValueKind::DateTime => {
                // Ends within the last day; everything else (creation, start) before that, so
                // that an end never comes before its start.
                const DAY: u64 = 86_400;
                let ago = if name.starts_with("End") {
                    h % DAY
                } else {
                    DAY + h % (29 * DAY)
                };
                let t = self.epoch - time::Duration::seconds(i64::try_from(ago).unwrap_or(0));
                veeam_em_model::DateTime::from(t).to_string()
            }
            ValueKind::Uid => {
                let kind: String = name
                    .trim_end_matches("UID")
                    .trim_end_matches("Uid")
                    .trim_end_matches("Id")
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                let kind = if kind.is_empty() { id.type_ } else { &kind };
                // A UID of a kind the world has (`JobUid`) names one of its objects.
                let object = match (self.ids, (self.existing)(kind)) {
                    (Some(ids), Some(count)) if count > 0 => Some(ids.kind(kind).uuid(h % count)),
                    _ => None,
                };
                let uuid = object.unwrap_or_else(|| uuid::Uuid::from_u64_pair(h, mix64(h)));
                format!("urn:veeam:{kind}:{uuid}")
            }
            ValueKind::Enum(e) => match reflect::enumeration(e) {
                Some(info) if !info.values.is_empty() => info.values
                    [usize::try_from(h % info.values.len() as u64).unwrap_or(0)]
                .to_owned(),
                _ => "Unknown".to_owned(),
            },
            ValueKind::String => string_value(name, h, id.name),
        }
    }
}

/// Identity attributes are written whenever the type has them.
fn is_identity(name: &str) -> bool {
    matches!(name, "Type" | "Href" | "UID" | "Name")
}

/// A string that looks like what a field of this name holds.
fn string_value(name: &str, h: u64, object: &str) -> String {
    const WORDS: [&str; 8] = [
        "alpha", "bravo", "delta", "echo", "golf", "kilo", "lima", "tango",
    ];
    let word = WORDS[usize::try_from(h % 8).unwrap_or(0)];
    let lower = name.to_ascii_lowercase();
    if lower.ends_with("id") || lower.ends_with("ref") {
        uuid::Uuid::from_u64_pair(mix64(h), h).to_string()
    } else if lower.contains("path") || lower.contains("folder") {
        format!("C:\\Data\\{word}\\{}", h % 100)
    } else if lower.contains("host") || lower.contains("server") || lower.contains("dns") {
        format!("{word}-srv{:02}.tech.local", h % 40)
    } else if lower.contains("name") {
        format!("{object} {word}")
    } else if lower.contains("description") || lower.contains("message") || lower.contains("reason")
    {
        format!("Simulated {word} for {object}")
    } else {
        format!("{word}{}", h % 1000)
    }
}

/// Escapes text for an attribute value or element text.
fn escape(text: &str) -> String {
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
