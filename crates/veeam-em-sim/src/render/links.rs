//! Addresses and links of objects, from the catalogue's declarations (`<Resource>`): every
//! representation carries its kind's links in the declared order, each target filled with the
//! related object's ids (an `Up` link names the object's own server; a `Related` one an object
//! below the owner both share), `Name` on links to objects, and conditional links only where the
//! object's member says so.

use veeam_em_api::resource::{Resource, ResourceLink};
use veeam_em_model::{Href, Link, Text};

use crate::registry::Obj;
use crate::world::World;

/// Which form of an object a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Reference,
    Entity,
}

thread_local! {
    /// A buffer hrefs are assembled in.
    static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// `base + path`, as an href.
pub(crate) fn href(base: &str, path: &str) -> Href {
    SCRATCH.with(|scratch| {
        let mut s = scratch.borrow_mut();
        s.clear();
        s.push_str(base);
        s.push_str(path);
        Href::from(s.as_str())
    })
}

/// The ids that fill `o`'s item path: its parents' ids, then its own.
pub(crate) fn path_ids(w: &dyn World, o: Obj) -> Vec<String> {
    let kind = w.registry().kind(o.kind);
    let mut out = match kind.parent {
        Some(p) => match w.related(o, p) {
            Some(pi) => path_ids(w, Obj { kind: p, index: pi }),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    out.push(w.id(o));
    out
}

/// `template` with each `{}` replaced by the next of `ids`.
pub(crate) fn fill(template: &str, ids: &[String]) -> String {
    let mut out = String::with_capacity(template.len() + 40 * ids.len());
    let mut ids = ids.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        out.push_str(ids.next().map_or("", String::as_str));
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// The address of `o` below the API base (`/jobs/<id>`), in `form`.
pub(crate) fn path(w: &dyn World, o: Obj, form: Form) -> String {
    let kind = w.registry().kind(o.kind);
    let mut p = fill(kind.path, &path_ids(w, o));
    if form == Form::Entity && kind.resource.entity_query {
        p.push_str("?format=Entity");
    }
    p
}

/// Whether `o` passes the link's condition.
fn holds(w: &dyn World, o: Obj, l: &ResourceLink) -> bool {
    match l.when {
        None => true,
        Some((member, values)) => w
            .field(o, member)
            .is_some_and(|v| values.iter().any(|x| *x == v)),
    }
}

fn link(rel: &str, ty: Option<&str>, href: Href, name: Option<String>) -> Link {
    Link {
        rel: Some(Text::from(rel)),
        type_: ty.map(Text::from),
        href,
        name: name.map(Text::from),
        unknown: Default::default(),
    }
}

/// The links of `o`'s representation in `form`; `own` is `o`'s name when the caller has it.
pub(crate) fn of(w: &dyn World, o: Obj, base: &str, form: Form, own: Option<&str>) -> Vec<Link> {
    let reg = w.registry();
    let kind = reg.kind(o.kind);
    let mut out = Vec::with_capacity(kind.resource.links.len());
    for (l, target_kind) in kind.links() {
        if !holds(w, o, l) {
            continue;
        }
        let Some(target_kind) = target_kind else {
            continue;
        };
        let item = reg.kind(target_kind).path;
        let Some(t) = w.related(o, target_kind) else {
            continue;
        };
        let target = Obj {
            kind: target_kind,
            index: t,
        };
        let mut address = fill(l.href, &path_ids(w, target));
        let mut ty = l.type_;
        // To an object (not a collection or an action below it), in either form: its name.
        let to_object = l.method == "GET" && l.href.split('?').next() == Some(item);
        if l.rel == "Alternate" && target == o {
            let r = kind.resource;
            if form == Form::Reference && r.entity_query {
                address.push_str("?format=Entity");
                ty = Some(kind.name);
            }
        }
        let name = to_object.then(|| match own {
            Some(name) if target == o => name.to_owned(),
            _ => w.name(target),
        });
        out.push(link(l.rel, ty, href(base, &address), name));
    }
    out
}

/// The links of a document that is not an object (a guest file path, license counters), filled
/// with the path values of its request: `{}` in order, and a guest path's `Up` one directory up.
pub(crate) fn of_document(resource: &Resource, values: &[String], base: &str) -> Vec<Link> {
    resource
        .links
        .iter()
        .filter(|l| l.served())
        .map(|l: &ResourceLink| {
            let mut values = values.to_vec();
            let inside = resource.path.ends_with("/{}/{}");
            if inside && l.rel == "Up" {
                if let Some(last) = values.last_mut() {
                    let trimmed = last.trim_end_matches(['/', '\\']);
                    *last = match trimmed.rfind(['/', '\\']) {
                        Some(cut) => trimmed[..=cut].to_owned(),
                        None => trimmed.to_owned(),
                    };
                }
            }
            let values: Vec<String> = values
                .iter()
                .map(|v| percent_encoding::utf8_percent_encode(v, SEGMENT).to_string())
                .collect();
            link(l.rel, l.type_, href(base, &fill(l.href, &values)), None)
        })
        .collect()
}

/// What a path value escapes in an href (a guest path keeps its slashes).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'?')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'\\');

/// The path of a route, as requested (values filled into the template, fixed query kept).
pub(crate) fn route_path(entry: &veeam_em_api::Entry, route: &veeam_em_api::Route) -> String {
    let mut values = route.path_values.iter();
    let mut out: String = entry
        .path
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                values
                    .next()
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_default()
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    for (n, (k, v)) in entry.fixed_query.iter().enumerate() {
        out.push(if n == 0 { '?' } else { '&' });
        out.push_str(&format!("{k}={v}"));
    }
    out
}
