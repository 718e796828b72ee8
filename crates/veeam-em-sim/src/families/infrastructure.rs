//! The infrastructure family: what backup servers, their managed servers, repositories and
//! hierarchy roots are, beyond sampled values: versions and ports of real releases, the hosts a
//! backup server manages (a vCenter, ESXi hosts, Windows and Linux proxies), repository types,
//! and hierarchy roots that are the vCenters and hosts they are related to.

use crate::family::Family;
use crate::registry::{registry, KindId, Obj};
use crate::world::World;

/// The infrastructure family.
#[derive(Debug)]
pub(crate) struct Infrastructure {
    server: Option<KindId>,
    managed: Option<KindId>,
    repository: Option<KindId>,
    root: Option<KindId>,
}

/// What the managed servers of a backup server are, by their place on it.
const MANAGED: [(&str, &str); 6] = [
    ("VC", "vcsa"),
    ("ESXi", "esx"),
    ("Windows", "proxy"),
    ("Linux", "linux-repo"),
    ("ESXi", "esx"),
    ("HvServer", "hv"),
];

const REPOSITORY_KINDS: [&str; 5] = ["WindowsLocal", "LinuxLocal", "CifsShare", "Nfs", "Cloud"];

impl Infrastructure {
    pub fn new() -> Self {
        let reg = registry();
        Self {
            server: reg.named("BackupServer"),
            managed: reg.named("ManagedServer"),
            repository: reg.named("Repository"),
            root: reg.named("HierarchyRoot"),
        }
    }

    /// `(place on its backup server, the backup server)` of `o`.
    fn place(w: &dyn World, o: Obj) -> (u64, u64) {
        let per = w.per_owner(o.kind).max(1);
        if o.index >= crate::store::FIRST_CREATED {
            (o.index - crate::store::FIRST_CREATED, 0)
        } else {
            (o.index % per, o.index / per)
        }
    }

    fn managed(w: &dyn World, o: Obj) -> (&'static str, String) {
        let (pos, server) = Self::place(w, o);
        let (ty, host) = MANAGED[(pos % MANAGED.len() as u64) as usize];
        let n = pos / MANAGED.len() as u64 + 1;
        let site =
            ["tech.local", "dr.tech.local", "branch.local", "corp.local"][(server % 4) as usize];
        (ty, format!("{host}{n:02}.{site}"))
    }
}

impl Family for Infrastructure {
    fn kinds(&self) -> &'static [&'static str] {
        &[
            "BackupServer",
            "ManagedServer",
            "Repository",
            "HierarchyRoot",
        ]
    }

    fn name(&self, w: &dyn World, o: Obj) -> Option<String> {
        if Some(o.kind) == self.managed {
            return Some(Self::managed(w, o).1);
        }
        if Some(o.kind) == self.root {
            // The vCenter or host it is the root of.
            let managed = self.managed?;
            let m = w.related(o, managed)?;
            return Some(w.name(Obj {
                kind: managed,
                index: m,
            }));
        }
        None
    }

    fn field(&self, w: &dyn World, o: Obj, member: &str) -> Option<Option<String>> {
        self.member(w, o, member).map(Some)
    }
}

impl Infrastructure {
    fn member(&self, w: &dyn World, o: Obj, member: &str) -> Option<String> {
        if Some(o.kind) == self.server {
            let newest = o.index % 2 == 0;
            return match member {
                "Version" => Some(if newest { "13.0.1.1071" } else { "12.3.1.1139" }.into()),
                "Port" => Some("9392".into()),
                "WcfPort" => Some("9420".into()),
                "Description" => Some(
                    [
                        "Backup server of the main site",
                        "Backup server of the DR site",
                    ][(o.index % 2) as usize]
                        .into(),
                ),
                _ => None,
            };
        }
        if Some(o.kind) == self.managed {
            let (ty, _) = Self::managed(w, o);
            return match member {
                "ManagedServerType" => Some(ty.into()),
                "Description" => Some(
                    match ty {
                        "VC" => "vCenter Server",
                        "ESXi" => "VMware ESXi host",
                        "Windows" => "Backup proxy",
                        "Linux" => "Hardened repository host",
                        _ => "Hyper-V host",
                    }
                    .into(),
                ),
                _ => None,
            };
        }
        if Some(o.kind) == self.repository {
            let (pos, _) = Self::place(w, o);
            return match member {
                "Kind" => {
                    Some(REPOSITORY_KINDS[(pos % REPOSITORY_KINDS.len() as u64) as usize].into())
                }
                _ => None,
            };
        }
        if Some(o.kind) == self.root {
            let managed = self.managed?;
            let m = w.related(o, managed)?;
            let (ty, _) = Self::managed(
                w,
                Obj {
                    kind: managed,
                    index: m,
                },
            );
            return match member {
                "HostType" => Some(
                    match ty {
                        "VC" => "VC",
                        "HvServer" => "HvServer",
                        _ => "ESXi",
                    }
                    .into(),
                ),
                _ => None,
            };
        }
        None
    }
}
