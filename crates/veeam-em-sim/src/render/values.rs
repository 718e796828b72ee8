//! Plausible values: names from pools of what real Enterprise Managers hold (backup servers,
//! repositories, jobs, VMs, hosts, tenants), and leaf values chosen by a member's name and type
//! (paths, addresses, versions, sizes, dates near the world's present).
//!
//! Everything is a function of the world's seed, the object and the member, so a value reads the
//! same in an entity, a list and a query filter. Sizes of one object agree with each other (free
//! space and used space add up to its capacity; used quota stays below the quota).

use time::{Duration, OffsetDateTime};

use crate::registry::Obj;
use crate::world::World;

const SERVERS: &[&str] = &[
    "vbr01.tech.local",
    "vbr-dr.tech.local",
    "backup-hq.corp.local",
    "vbr02.branch.local",
    "vbr-edge.corp.local",
    "vbr03.tech.local",
];
const REPOSITORIES: &[&str] = &[
    "Default Backup Repository",
    "Backup Volume 01",
    "Linux Hardened Repository",
    "Scale-out Repository",
    "NAS Repository",
    "Object Storage Archive",
    "Backup Volume 02",
    "DR Site Repository",
];
const WORKLOADS: &[&str] = &[
    "SQL Servers",
    "Domain Controllers",
    "File Servers",
    "Exchange",
    "Web Farm",
    "ERP",
    "Infrastructure",
    "Dev Lab",
    "Oracle",
    "Citrix",
];
pub(crate) const VMS: &[&str] = &[
    "dc01",
    "dc02",
    "sql-prod-01",
    "sql-prod-02",
    "exch-mbx-01",
    "fs01",
    "web-frontend-01",
    "web-frontend-02",
    "erp-app-01",
    "erp-db-01",
    "jump-host",
    "k8s-node-01",
    "k8s-node-02",
    "print-srv",
    "crm-db-02",
    "build-agent-07",
    "oracle01",
    "citrix-ctx-01",
    "monitoring-01",
    "wsus01",
];
const HOSTS: &[&str] = &[
    "esx01.tech.local",
    "esx02.tech.local",
    "esx03.tech.local",
    "vcsa01.tech.local",
    "hv01.tech.local",
    "hv-cluster.tech.local",
    "proxy01.tech.local",
    "linux-repo01.tech.local",
];
const TENANTS: &[&str] = &[
    "Contoso",
    "Fabrikam",
    "Northwind Traders",
    "Tailspin Toys",
    "Wide World Importers",
    "Adventure Works",
    "Litware",
    "Woodgrove Bank",
];
const ROLES: &[&str] = &[
    "Portal Administrator",
    "Restore Operator",
    "Portal User",
    "File Restore Operator",
];
const ACCOUNTS: &[&str] = &[
    "TECH\\administrator",
    "TECH\\backupadmin",
    "TECH\\restore-operators",
    "TECH\\helpdesk",
    "TECH\\jsmith",
    "TECH\\dbadmins",
];
const PLANS: &[&str] = &["Bronze", "Silver", "Gold", "Platinum"];
const COMPUTERS: &[&str] = &[
    "ws-0042.tech.local",
    "ws-0117.tech.local",
    "laptop-jdoe.tech.local",
    "srv-app02.tech.local",
    "ws-0230.tech.local",
    "laptop-mlee.tech.local",
];

/// One of `pool`, chosen by a hash.
fn any(pool: &[&str], h: u64) -> String {
    pool[(h % pool.len() as u64) as usize].to_owned()
}

/// The `i`-th of `pool`, numbered once the pool is used up (`dc01`, ..., `dc01-2`).
fn pick(pool: &[&str], i: u64) -> String {
    let n = pool.len() as u64;
    match i / n {
        0 => pool[(i % n) as usize].to_owned(),
        round => format!("{}-{}", pool[(i % n) as usize], round + 1),
    }
}

/// `CloudGatewayPool` -> `Cloud Gateway Pool`.
fn words(name: &str) -> String {
    let mut out = String::new();
    for (n, c) in name.chars().enumerate() {
        if n > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The position of `o` below its owner (or among all objects of its kind).
fn position(w: &dyn World, o: Obj) -> u64 {
    if o.index >= crate::store::FIRST_CREATED {
        return o.index - crate::store::FIRST_CREATED;
    }
    let per = w.per_owner(o.kind).max(1);
    if w.registry().kind(o.kind).owner.is_some() {
        o.index % per
    } else {
        o.index
    }
}

/// The display name of `o` from its kind's pool.
pub(crate) fn name(w: &dyn World, o: Obj) -> String {
    let kind = w.registry().kind(o.kind);
    let pos = position(w, o);
    // A different start in the pool for each owner, so that two servers do not hold the same VMs.
    let spread = o.index / w.per_owner(o.kind).max(1);
    match kind.name {
        "BackupServer" => {
            let name = pick(SERVERS, o.index);
            match (&w.config().site, name.split_once('.')) {
                (Some(site), Some((host, domain))) => format!("{host}.{site}.{domain}"),
                _ => name,
            }
        }
        // Unique across servers (a tool keys repositories by name).
        "Repository" => pick(REPOSITORIES, o.index),
        "Job" => {
            let workload = WORKLOADS[((spread * 3 + pos) % WORKLOADS.len() as u64) as usize];
            match w.field(o, "JobType").as_deref() {
                Some("Replica") => format!("Replication Job {workload}"),
                Some("BackupCopy" | "ImmediateBackupCopy") => {
                    format!("Backup Copy Job {workload}")
                }
                _ => format!("Backup Job {workload}"),
            }
        }
        "NasJob" => format!("File Share Backup {}", pick(WORKLOADS, spread + pos)),
        "AgentBackupJob" => format!(
            "Agent Backup {}",
            pick(
                &["Laptops", "Servers", "Workstations", "Remote Office"],
                spread + pos
            )
        ),
        "AgentProtectionGroup" => pick(
            &[
                "Workstations",
                "Laptops",
                "Linux Servers",
                "Windows Servers",
            ],
            spread + pos,
        ),
        "DiscoveredComputer" => pick(COMPUTERS, o.index),
        "ObjectInJob"
        | "ObjectInAgentBackupJob"
        | "CatalogVm"
        | "FailoveredVm"
        | "CloudFailoveredVm"
        | "CdpReplicaVm"
        | "VAppCdpReplicaVm" => pick(VMS, spread * 5 + pos),
        "NASObject" => format!(
            "\\\\fs01.tech.local\\{}",
            pick(
                &["Finance", "HR", "Projects", "Public", "Engineering"],
                spread + pos
            )
        ),
        "FileServer" => format!(
            "\\\\{}",
            pick(
                &["fs01.tech.local", "fs02.tech.local", "nas01.tech.local"],
                o.index
            )
        ),
        "ManagedServer" | "HierarchyRoot" => pick(HOSTS, spread * 2 + pos),
        "WanAccelerator" => pick(
            &[
                "wan01.tech.local",
                "wan-dr.tech.local",
                "wan02.branch.local",
            ],
            o.index,
        ),
        "ExternalRepository" => pick(
            &[
                "Amazon S3 Archive",
                "Azure Blob Archive",
                "Google Cloud Archive",
            ],
            o.index,
        ),
        "CloudTenant" => pick(TENANTS, o.index),
        "CloudSubtenant" => format!(
            "{}-{}",
            pick(&["finance", "sales", "it", "hr"], pos),
            spread + 1
        ),
        "CloudHardwarePlan" => format!("{} Plan", pick(PLANS, o.index)),
        "CloudGateway" => pick(
            &[
                "cg01.provider.net",
                "cg02.provider.net",
                "cg-eu.provider.net",
            ],
            o.index,
        ),
        "CloudGatewayPool" => format!("Gateway Pool {}", pick(&["EU", "US", "APAC"], o.index)),
        "CloudPublicIpAddress" => format!("203.0.113.{}", 10 + o.index % 200),
        "VlanConfiguration" => format!("VLAN range {}", 100 + o.index * 10),
        "EnterpriseRole" => pick(ROLES, o.index),
        "EnterpriseAccount" => pick(ACCOUNTS, o.index),
        "VCloudOrganizationConfig" => format!("{} Org", pick(TENANTS, o.index)),
        "VSphereSelfServiceConfig" => format!("{} self-service", pick(TENANTS, o.index)),
        "CredentialsInfo" => pick(ACCOUNTS, pos),
        "PasswordKeyInfo" => format!("Encryption key {}", pos + 1),
        _ => format!("{} {}", words(kind.name), pos + 1),
    }
}

/// A UUID from a hash (valid version-4 form).
pub(crate) fn guid(h: u64) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&h.to_be_bytes());
    bytes[8..].copy_from_slice(&crate::ids::mix64(h).to_be_bytes());
    bytes[6] = 0x40 | (bytes[6] & 0x0F);
    bytes[8] = 0x80 | (bytes[8] & 0x3F);
    uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
}

/// A hierarchy object reference of the kind a member name suggests (`urn:VMware:Vm:...`),
/// below the hierarchy root `o` is related to (so that the lookup service finds it there).
fn hierarchy_ref(w: &dyn World, o: Obj, name: &str, h: u64) -> String {
    let root = w
        .registry()
        .named("HierarchyRoot")
        .and_then(|k| w.related(o, k).map(|index| Obj { kind: k, index }));
    let (platform, root) = match root {
        Some(r) => (platform_of(w.field(r, "HostType").as_deref()), w.id(r)),
        None => ("VMware", guid(0x7c3e_11aa)),
    };
    let lower = name.to_ascii_lowercase();
    let (ty, prefix) = if lower.contains("host") {
        ("HostSystem", "host")
    } else if lower.contains("datastore") || lower.contains("storage") {
        ("Datastore", "datastore")
    } else if lower.contains("orgvdc") || lower.contains("organization") {
        return format!("urn:vCloud:OrgVdc:{root}.urn:vcloud:vdc:{}", guid(h));
    } else if lower.contains("vapp") {
        return format!("urn:vCloud:Vapp:{root}.urn:vcloud:vapp:{}", guid(h));
    } else if lower.contains("network") || lower.contains("switch") {
        ("Network", "network")
    } else {
        ("Vm", "vm")
    };
    if platform == "HyperV" {
        return format!("urn:HyperV:{ty}:{root}.{}", guid(h));
    }
    format!("urn:VMware:{ty}:{root}.{prefix}-{}", 1000 + h % 9000)
}

/// The platform of hierarchy references below a root of `host_type`: `HyperV` for a Hyper-V
/// server, else `VMware`.
pub(crate) fn platform_of(host_type: Option<&str>) -> &'static str {
    if host_type == Some("HvServer") {
        "HyperV"
    } else {
        "VMware"
    }
}

/// Twenty-four comma-separated hourly flags (a schedule's `Day`): on outside working hours.
fn hour_flags(h: u64) -> String {
    let busy = h % 3 == 0;
    (0..24)
        .map(|hour| {
            if busy && (8..18).contains(&hour) {
                "0"
            } else {
                "1"
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A text for member `name` (not an identity member); `object` is the object's own name.
pub(crate) fn text(w: &dyn World, o: Obj, name: &str, h: u64) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let server = || {
        w.registry()
            .named("BackupServer")
            .and_then(|k| w.related(o, k).map(|s| w.name(Obj { kind: k, index: s })))
    };
    let related_name = |kind: &str| {
        w.registry()
            .named(kind)
            .and_then(|k| w.related(o, k).map(|i| w.name(Obj { kind: k, index: i })))
    };
    Some(match name {
        // Its own id (`ObjectInJobId`): the id its address ends with.
        _ if name.strip_suffix("Id") == Some(w.registry().kind(o.kind).name) => w.id(o),
        "DisplayName" => w.name(o),
        "Description" => format!(
            "Created by {} at {}.",
            ACCOUNTS[(h % 2) as usize],
            short_date(w.anchor() - Duration::days(30 + (h % 300) as i64))
        ),
        "Password" => return None,
        "Day" => hour_flags(h),
        "BackupServer" | "BackupServerName" | "BackupServerIdOrName" => server()?,
        "JobName" | "MaxDurationBackupJobName" | "MaxDurationReplicaJobName" => {
            related_name("Job").unwrap_or_else(|| format!("Backup Job {}", any(WORKLOADS, h)))
        }
        "RepositoryName" | "RepositoryFriendlyName" => {
            related_name("Repository").unwrap_or_else(|| any(REPOSITORIES, h))
        }
        "PolicyName" => related_name("CdpPolicy").unwrap_or_else(|| "CDP Policy 1".into()),
        "TenantName" => related_name("CloudTenant").unwrap_or_else(|| any(TENANTS, h)),
        "RoleName" => any(ROLES, h),
        "Version" | "AgentVersion" => {
            ["13.0.1.1071", "12.3.1.1139", "6.3.0.177"][(h % 3) as usize].into()
        }
        "OsVersion" => [
            "Microsoft Windows Server 2022 Standard",
            "Microsoft Windows 11 Enterprise",
            "Ubuntu 22.04.4 LTS",
        ][(h % 3) as usize]
            .into(),
        "Result" => "Success".into(),
        "Status" => ["Available", "Online"][(h % 2) as usize].into(),
        "ObjectType" | "HierarchyObjectType" => "Vm".into(),
        "Type" => ["Full", "Increment"][(h % 2) as usize].into(),
        "CompressionLevel" => "5".into(),
        "Extension" => ".vbk".into(),
        "Operation" => "Backup".into(),
        "Time" => format!("{:02}:{:02}", 18 + h % 5, [0, 15, 30, 45][(h % 4) as usize]),
        "ProcessingMode" => ["HotAdd", "Network", "DirectSan"][(h % 3) as usize].into(),
        "StorageOptimization" => ["LocalTarget", "LanTarget", "WanTarget"][(h % 3) as usize].into(),
        "TemplateMode" => "None".into(),
        "Tag" => ["Production", "Tier1", "DR"][(h % 3) as usize].into(),
        "VbrCertificateThumbprint" => {
            format!("{:016X}{:016X}{:08X}", h, crate::ids::mix64(h), h as u32)
        }
        "Rel" => "Up".into(),
        "Message"
        | "FailureMessage"
        | "Reason"
        | "Hint"
        | "StackTrace"
        | "FirstChanceExceptionMessage" => String::new(),
        "DomainName" => "tech.local".into(),
        "ClusterName" => ["Cluster-HQ", "Cluster-DR"][(h % 2) as usize].into(),
        "OrganizationName" => any(TENANTS, h),
        "VirtualDataCenterName" => {
            format!("{}-vdc", any(TENANTS, h).to_lowercase().replace(' ', "-"))
        }
        "StorageName" => ["datastore1", "vsanDatastore", "ds-ssd-01"][(h % 3) as usize].into(),
        "SwitchName" => ["vSwitch0", "dvSwitch-Prod"][(h % 2) as usize].into(),
        "FolderName" => ["Backups", "VeeamBackup", "Restore"][(h % 3) as usize].into(),
        "ParentName" => any(HOSTS, h),
        "QuotaName" => format!("{} quota", any(TENANTS, h)),
        "JobFileName" => format!(
            "{}.vbm",
            related_name("Job").unwrap_or_else(|| "Backup Job".into())
        ),
        "VmSuffix" => "_replica".into(),
        "VmNewName" | "vAppNewName" => format!("{}_restored", any(VMS, h)),
        "ProductionNetwork" => "VM Network".into(),
        "SetSuccessfulBackupDetailsToVmAttr" => "Notes".into(),
        "FlrExtentionRestrictions" => "*.exe,*.dll".into(),
        "FileOrFolder" => ["C:\\Users", "D:\\Shares\\Finance", "/var/www"][(h % 3) as usize].into(),
        "PreFailoverPlanCommand" | "PostFailoverPlanCommand" => String::new(),
        "BackupJobStatusReportLink" | "CapacityPlanningReportLink" | "ProtectedVmsReportLink" => {
            format!("https://em01.tech.local:9443/Reports/{name}")
        }
        "Login" | "UserName" | "Username" | "Account" | "AccountName" | "DomainAccount"
        | "Owner" => ACCOUNTS[(h % ACCOUNTS.len() as u64) as usize].into(),
        "AccountSid" => format!(
            "S-1-5-21-{}-{}-{}-{}",
            1000 + h % 9000,
            h % 100000,
            h % 7777,
            1100 + h % 900
        ),
        _ if lower.ends_with("uid") => return uid_text(w, o, name, h),
        _ if lower.ends_with("ref") => hierarchy_ref(w, o, name, h),
        _ if lower.ends_with("id") || lower == "uniqueid" => guid(h),
        _ if lower.contains("path") => {
            ["D:\\Backups", "E:\\Replicas", "/mnt/backup", "C:\\VeeamFLR"][(h % 4) as usize].into()
        }
        _ if lower.contains("ipaddress") || lower.contains("ip") || lower.contains("gateway") => {
            if lower.contains("mask") {
                "255.255.255.0".into()
            } else {
                format!("10.{}.{}.{}", 10 + h % 20, h % 250, 10 + h % 200)
            }
        }
        _ if lower.contains("mask") => "255.255.255.0".into(),
        _ if lower.contains("dns") || lower.contains("host") || lower.contains("server") => {
            any(HOSTS, h)
        }
        _ if lower.contains("vapp") => format!("vApp-{}", any(WORKLOADS, h).replace(' ', "-")),
        _ if lower.contains("vm")
            || lower.contains("object")
            || lower.contains("hierarchy")
            || lower.contains("displayname") =>
        {
            any(VMS, h)
        }
        _ if lower.contains("name") => related_name("Job").unwrap_or_else(|| any(VMS, h)),
        _ => return None,
    })
}

/// The kind a UID member names (`JobUid` -> `Job`, `HostUid` -> `ManagedServer`,
/// `CacheRepositoryUid` -> `Repository`, `UID` -> the object's own), as the reference's
/// examples use them.
pub(crate) fn uid_kind(w: &dyn World, o: Obj, member: &str) -> Option<crate::registry::KindId> {
    let reg = w.registry();
    let stem = member
        .trim_end_matches("UID")
        .trim_end_matches("Uid")
        .trim_end_matches("Id");
    let named = match stem {
        "" => return Some(o.kind),
        "Host" | "VCenter" => "ManagedServer",
        "Server" => "FileServer",
        "Policy" => "CdpPolicy",
        "PolicySession" => "CdpReplicaSession",
        "Tenant" => "CloudTenant",
        "LinkedBackup" => "Backup",
        "JobSession" => {
            // The session kind above a task session.
            return reg
                .kind(o.kind)
                .owner
                .or_else(|| reg.named("BackupJobSession"));
        }
        other => other,
    };
    // `CacheRepository` -> `Repository`, `TemplateJob` -> `Job`: drop leading words.
    let mut rest = named;
    loop {
        if let Some(k) = reg.named(rest) {
            return Some(k);
        }
        let next = rest
            .char_indices()
            .skip(1)
            .find(|(_, c)| c.is_ascii_uppercase())
            .map(|(i, _)| &rest[i..])?;
        rest = next;
    }
}

/// A UID member (`JobUid`, `RepositoryUid`) held as text: the related object's UID when the
/// world has that kind.
fn uid_text(w: &dyn World, o: Obj, name: &str, h: u64) -> Option<String> {
    match uid_kind(w, o, name) {
        Some(k) => w.related(o, k).map(|i| w.uid(Obj { kind: k, index: i })),
        // `VmUid` and the like: a hierarchy object, not an object of Enterprise Manager.
        None => Some(hierarchy_ref(w, o, name, h)),
    }
}

/// `5/14/2025 9:12 AM`, as Windows writes creation notes.
fn short_date(t: OffsetDateTime) -> String {
    let (hour, ampm) = match t.hour() {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!(
        "{}/{}/{} {}:{:02} {}",
        u8::from(t.month()),
        t.day(),
        t.year(),
        hour,
        t.minute(),
        ampm
    )
}

/// An integer for member `name`; `object_seed` ties the sizes of one object together.
pub(crate) fn integer(name: &str, h: u64, object_seed: u64) -> i64 {
    const GB: i64 = 1 << 30;
    let lower = name.to_ascii_lowercase();
    // One object's capacity, and the share of it that is free.
    let capacity = (2 + (object_seed % 30) as i64) * 512 * GB;
    let free_share = 10 + (object_seed >> 8) % 70;
    let free = capacity / 100 * free_share as i64;
    let n = (h % 1000) as i64;
    if lower == "capacity" || lower.contains("capacity") {
        capacity
    } else if lower.contains("free") {
        free
    } else if lower == "usedspace" {
        capacity - free
    } else if lower.contains("quota") {
        let quota = 100 + (object_seed % 40) as i64 * 50;
        let scale = if lower.ends_with("mb") { 1024 } else { 1 };
        if lower.contains("used") {
            quota * scale / 100 * (20 + (object_seed >> 12) % 60) as i64
        } else {
            quota * scale
        }
    } else if lower.ends_with("gb") || lower.contains("limitgb") {
        100 + n
    } else if lower.ends_with("mb") || lower.contains("memory") {
        1024 * (1 + n % 64)
    } else if lower.ends_with("mhz") {
        2000 + n * 10
    } else if lower.contains("size") || lower.contains("bytes") {
        (8 + (h % 200) as i64) * GB
    } else if lower.contains("port") {
        [9392, 9393, 6180, 443, 2500, 6160][(h % 6) as usize]
    } else if lower == "timeoffsetutc" {
        [0, 1, 2, 3][(h % 4) as usize]
    } else if lower.contains("percent") {
        60 + n % 40
    } else if lower.contains("progress") {
        100
    } else if lower.contains("seconds") || lower.contains("rpo") {
        [15, 30, 60][(h % 3) as usize]
    } else if lower.contains("minutes") || lower.ends_with("min") {
        [5, 15, 30][(h % 3) as usize]
    } else if lower.contains("hours") {
        [1, 4, 8, 24][(h % 4) as usize]
    } else if lower.contains("days") || lower.contains("period") {
        [7, 14, 30][(h % 3) as usize]
    } else if lower.contains("cycles")
        || lower.contains("restorepoints")
        || lower.contains("retain")
    {
        [7, 14, 28][(h % 3) as usize]
    } else if lower == "statuscode" {
        200
    } else if lower.contains("compression") {
        [4, 5, 6][(h % 3) as usize]
    } else if lower.contains("scope") {
        1 + n % 2
    } else if lower.contains("dayofmonth") {
        1 + n % 28
    } else if lower.contains("order") {
        1 + n % 8
    } else if lower.contains("ratio") {
        1 + n % 4
    } else if lower.contains("count") || lower.contains("vms") || lower.contains("jobs") {
        1 + n % 12
    } else {
        1 + n % 20
    }
}

/// A date for member `name`, near the world's present: creation and start before it, ends
/// after their starts, next runs after it.
pub(crate) fn date(w: &dyn World, name: &str, h: u64) -> OffsetDateTime {
    let now = w.history_end();
    let lower = name.to_ascii_lowercase();
    let base = now - Duration::days(1 + (h % 20) as i64) - Duration::minutes((h % 600) as i64);
    if lower.contains("next") || lower.contains("expir") {
        now + Duration::hours(2 + (h % 20) as i64)
    } else if lower.starts_with("end") || lower.contains("end") || lower.contains("last") {
        now - Duration::minutes(30 + (h % 1200) as i64)
    } else {
        base
    }
}
