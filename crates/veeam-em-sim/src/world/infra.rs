//! Backup servers and their repositories: the infrastructure every other object links up to.

use veeam_em_model::{BackupServer, BackupServers, Document, Entities, EntityRef, LinkList, Text};

use super::{Ctx, Form, IndexSet, Kind, KindId, KindRoute, LinkSpec, Value, World};

/// Backup servers of the world (two, whatever its size).
pub(crate) const SERVER_COUNT: u64 = 2;
const SERVER_NAMES: [&str; SERVER_COUNT as usize] =
    ["enterprise03.tech.local", "backupsrv29.tech.local"];
/// Repositories per backup server.
const REPOSITORIES_PER_SERVER: u64 = 3;

/// The name of backup server `i`.
pub(crate) fn server_name(i: u64) -> &'static str {
    SERVER_NAMES[(i % SERVER_COUNT) as usize]
}

/// `Up` link to backup server `server`, as every object below it has.
pub(crate) fn up_to_server(cx: &Ctx<'_>, server: u64) -> Option<veeam_em_model::Link> {
    static UP: LinkSpec = LinkSpec::new(
        "Up",
        Some("BackupServerReference"),
        "/backupServers/{}",
        "GET",
        true,
    );
    UP.render(
        cx,
        &[&cx.id(KindId::BackupServer, server)],
        Some(&Text::from(server_name(server))),
    )
}

pub(crate) struct Servers;

static SERVER_LINKS: [LinkSpec; 9] = [
    LinkSpec::new(
        "Down",
        Some("JobReferenceList"),
        "/backupServers/{}/jobs",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("RepositoryReferenceList"),
        "/backupServers/{}/repositories",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ExternalRepositoryReferenceList"),
        "/backupServers/{}/externalRepositories",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("CredentialsList"),
        "/backupServers/{}/credentials",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("PasswordKeyList"),
        "/backupServers/{}/passwords",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ManagedServerReferenceList"),
        "/backupServers/{}/managedServers",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Edit",
        Some("BackupServerReference"),
        "/backupServers/{}",
        "PUT",
        false,
    ),
    LinkSpec::new(
        "Delete",
        Some("BackupServerReference"),
        "/backupServers/{}",
        "DELETE",
        false,
    ),
    LinkSpec::new(
        "Start",
        None,
        "/backupServers/{}?action=collect",
        "POST",
        false,
    ),
];
static SERVER_TO_ENTITY: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("BackupServer"),
    "/backupServers/{}?format=Entity",
    "GET",
    true,
);
static SERVER_TO_REF: LinkSpec = LinkSpec::new(
    "Alternate",
    Some("BackupServerReference"),
    "/backupServers/{}",
    "GET",
    true,
);

impl Servers {
    fn links(&self, cx: &Ctx<'_>, i: u64, alternate: &LinkSpec) -> LinkList {
        let id = cx.id(KindId::BackupServer, i);
        let name = Text::from(server_name(i));
        let mut links: Vec<_> = SERVER_LINKS
            .iter()
            .filter_map(|l| l.render(cx, &[&id], Some(&name)))
            .collect();
        links.extend(alternate.render(cx, &[&id], Some(&name)));
        LinkList {
            links,
            unknown: Default::default(),
        }
    }

    fn server(&self, cx: &Ctx<'_>, i: u64) -> BackupServer {
        let id = cx.id(KindId::BackupServer, i);
        BackupServer {
            type_: Some("BackupServer".into()),
            href: Some(cx.href(&format!("/backupServers/{id}?format=Entity"))),
            name: Some(server_name(i).into()),
            uid: Some(cx.uid(KindId::BackupServer, i)),
            links: Some(self.links(cx, i, &SERVER_TO_REF)),
            description: Some(r"Created by TECH\administrator".into()),
            port: Some(9392),
            version: Some(if i == 0 { "13.0.1.1071" } else { "12.3.1.1139" }.into()),
            wcf_port: (i == 0).then_some(9420),
            vbr_certificate_thumbprint: None,
            unknown: Default::default(),
        }
    }
}

impl Kind for Servers {
    fn id(&self) -> KindId {
        KindId::BackupServer
    }

    fn routes(&self) -> &'static [KindRoute] {
        &[
            KindRoute {
                template: "/backupServers",
                form: Form::Collection(None),
            },
            KindRoute {
                template: "/backupServers/{}",
                form: Form::Item,
            },
        ]
    }

    fn all(&self, _w: &World) -> IndexSet {
        IndexSet::Range(0..SERVER_COUNT)
    }

    fn exists(&self, _w: &World, i: u64) -> bool {
        i < SERVER_COUNT
    }

    fn reference(&self, cx: &Ctx<'_>, i: u64) -> EntityRef {
        let id = cx.id(KindId::BackupServer, i);
        EntityRef {
            type_: "BackupServerReference".into(),
            href: cx.href(&format!("/backupServers/{id}")),
            name: Some(server_name(i).into()),
            uid: cx.uid(KindId::BackupServer, i),
            links: Some(self.links(cx, i, &SERVER_TO_ENTITY)),
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, i: u64) -> Document {
        Document::BackupServer(self.server(cx, i))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        Document::BackupServers(server_list(cx, self, items))
    }

    fn query_type(&self) -> Option<&'static str> {
        Some("BackupServer")
    }

    fn fields(&self) -> &'static [&'static str] {
        &["uid", "name", "port", "version"]
    }

    fn field(&self, w: &World, i: u64, name: &str) -> Option<Value> {
        Some(match name {
            "uid" => Value::Uid(format!(
                "urn:veeam:BackupServer:{}",
                w.ids.uuid("BackupServer", i)
            )),
            "name" => Value::Text(server_name(i).into()),
            "port" => Value::Int(9392),
            "version" => Value::Text(if i == 0 { "13.0.1.1071" } else { "12.3.1.1139" }.into()),
            _ => return None,
        })
    }

    fn query_entities(&self, cx: &Ctx<'_>, items: &[u64]) -> Entities {
        Entities {
            list: Some(veeam_em_model::EntityList::BackupServers(server_list(
                cx, self, items,
            ))),
            ..Default::default()
        }
    }
}

fn server_list(cx: &Ctx<'_>, kind: &Servers, items: &[u64]) -> BackupServers {
    BackupServers {
        backup_servers: items.iter().map(|&i| kind.server(cx, i)).collect(),
        unknown: Default::default(),
    }
}

pub(crate) struct Repositories;

static REPOSITORY_LINKS: [LinkSpec; 3] = [
    LinkSpec::new(
        "Alternate",
        Some("Repository"),
        "/repositories/{}?format=Entity",
        "GET",
        true,
    ),
    LinkSpec::new(
        "Down",
        Some("BackupReferenceList"),
        "/repositories/{}/backups",
        "GET",
        false,
    ),
    LinkSpec::new(
        "Down",
        Some("ReplicaReferenceList"),
        "/repositories/{}/replicas",
        "GET",
        false,
    ),
];

/// The name of repository `i`.
pub(crate) fn repository_name(i: u64) -> String {
    match i % REPOSITORIES_PER_SERVER {
        0 => "Default Backup Repository".to_owned(),
        n => format!("Repository {:02}", i / REPOSITORIES_PER_SERVER * 10 + n),
    }
}

impl Kind for Repositories {
    fn id(&self) -> KindId {
        KindId::Repository
    }

    fn routes(&self) -> &'static [KindRoute] {
        &[
            KindRoute {
                template: "/repositories",
                form: Form::Collection(None),
            },
            KindRoute {
                template: "/repositories/{}",
                form: Form::Item,
            },
        ]
    }

    fn all(&self, _w: &World) -> IndexSet {
        IndexSet::Range(0..SERVER_COUNT * REPOSITORIES_PER_SERVER)
    }

    fn exists(&self, _w: &World, i: u64) -> bool {
        i < SERVER_COUNT * REPOSITORIES_PER_SERVER
    }

    fn reference(&self, cx: &Ctx<'_>, i: u64) -> EntityRef {
        let id = cx.id(KindId::Repository, i);
        let name = Text::from(repository_name(i));
        let mut links: Vec<_> = up_to_server(cx, i / REPOSITORIES_PER_SERVER)
            .into_iter()
            .collect();
        links.extend(
            REPOSITORY_LINKS
                .iter()
                .filter_map(|l| l.render(cx, &[&id], Some(&name))),
        );
        EntityRef {
            type_: "RepositoryReference".into(),
            href: cx.href(&format!("/repositories/{id}")),
            name: Some(name),
            uid: cx.uid(KindId::Repository, i),
            links: Some(LinkList {
                links,
                unknown: Default::default(),
            }),
            unknown: Default::default(),
        }
    }

    fn entity(&self, cx: &Ctx<'_>, i: u64) -> Document {
        // The entity form's values beyond identity and links are sampled from the schema.
        crate::auto::entity_document(cx, "Repository", &self.object(cx, i))
            .unwrap_or_else(|_| Document::EntityRef(self.reference(cx, i)))
    }

    fn list(&self, cx: &Ctx<'_>, items: &[u64]) -> Document {
        let objects: Vec<_> = items.iter().map(|&i| self.object(cx, i)).collect();
        crate::auto::list_document(cx, "Repositories", "Repository", &objects).unwrap_or_else(
            |_| {
                Document::EntityReferences(veeam_em_model::EntityReferences {
                    refs: items.iter().map(|&i| self.reference(cx, i)).collect(),
                    unknown: Default::default(),
                })
            },
        )
    }
}

impl Repositories {
    /// Repository `i` as an object for the schema-driven entity form: its identity and the links
    /// of its reference (with `Alternate` back to the reference form).
    fn object(&self, cx: &Ctx<'_>, i: u64) -> crate::auto::Object {
        let reference = self.reference(cx, i);
        let mut links: Vec<veeam_em_model::Link> = reference
            .links
            .map(|l| l.links)
            .unwrap_or_default()
            .into_iter()
            .filter(|l| l.rel.as_deref() != Some("Alternate"))
            .collect();
        links.push(veeam_em_model::Link {
            rel: Some("Alternate".into()),
            type_: Some("RepositoryReference".into()),
            href: reference.href.clone(),
            name: reference.name.clone(),
            unknown: Default::default(),
        });
        crate::auto::Object {
            href: cx.href(&format!(
                "{}?format=Entity",
                reference.href.trim_start_matches(cx.base)
            )),
            uid: reference.uid.to_string(),
            name: reference.name.map(String::from).unwrap_or_default(),
            links,
            seed: cx.world.hash(0x7e90, i),
            nested: Vec::new(),
        }
    }
}
