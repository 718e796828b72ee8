//! What the catalogue knows of the objects behind its paths, beyond its operations: the kinds
//! of objects (one per item path), the collections that list them, and the links each
//! representation carries, all generated from `schemas/resources/*.xml` by `cargo xtask regen`.
//!
//! A server (the simulator) serves from these tables; a client can ask what a representation
//! offers (`resource("/jobs/{}")` has a `Start` link, conditional on `JobType`) without reading
//! the reference. Paths are written as the catalogue's path nodes, `{}` for each identifier:
//! `/jobs/{}`, `/cdpReplicas/{}/vms/{}`.

use std::sync::LazyLock;

/// A kind of object (an item path), or another path whose documents carry declared links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    /// The path node, e.g. `/jobs/{}`.
    pub path: &'static str,
    /// For a kind of object: its name in UIDs (`urn:veeam:Job:...`) and in link types
    /// (`JobReference`).
    pub kind: Option<&'static str>,
    /// Root element of its entity form, if the catalogue serves one.
    pub entity: Option<&'static str>,
    /// Whether the entity form is served with `?format=Entity` (else by the plain GET).
    pub entity_query: bool,
    /// Whether the plain GET answers a reference (`EntityRef`).
    pub reference: bool,
    /// How many objects a simulated server holds below each owner, when the catalogue says.
    pub count: Option<u32>,
    /// The name of the simulator's option that sets `count`.
    pub size: Option<&'static str>,
    /// The reference page of its link table.
    pub page: Option<&'static str>,
    /// Its links, in the order servers write them.
    pub links: &'static [ResourceLink],
}

/// One link of a resource's representations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceLink {
    /// `Rel`: `Up`, `Down`, `Alternate`, `Edit`, `Start`, ...
    pub rel: &'static str,
    /// Path node and fixed query of the target, e.g. `/jobs/{}?action=start`.
    pub href: &'static str,
    /// The method of the operation it stands for.
    pub method: crate::entry::Method,
    /// `Type`, if any.
    pub type_: Option<&'static str>,
    /// The catalogue operation it stands for.
    pub operation: &'static str,
    /// Written only when the object's top-level member `.0` is one of `.1`.
    pub when: Option<(&'static str, &'static [&'static str])>,
}

/// A collection path and the kind it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collection {
    /// The path node, e.g. `/backupServers/{}/jobs`.
    pub path: &'static str,
    /// The path node of the kind it lists, e.g. `/jobs/{}`.
    pub item: &'static str,
}

static RESOURCES: LazyLock<Vec<Resource>> = LazyLock::new(crate::generated::resources);
static COLLECTIONS: LazyLock<Vec<Collection>> = LazyLock::new(crate::generated::collections);

/// Every resource of the families in this build.
pub fn resources() -> &'static [Resource] {
    &RESOURCES
}

/// Every collection of the families in this build.
pub fn collections() -> &'static [Collection] {
    &COLLECTIONS
}

/// The resource at path node `path` (`/jobs/{}`).
pub fn resource(path: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.path == path)
}

/// The names of the operations of this build.
static OPERATIONS: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| crate::CATALOGUE.iter().map(|e| e.name).collect());

impl ResourceLink {
    /// Whether the operation it stands for is in this build (a link to a family that is not
    /// built is not written).
    pub fn served(&self) -> bool {
        OPERATIONS.contains(self.operation)
    }
}

/// The path node of a path template: `/jobs/{jobId}/includes/{includeId}` ->
/// `/jobs/{}/includes/{}` (a trailing slash dropped).
pub fn node(template: &str) -> String {
    template
        .trim_end_matches('/')
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}
