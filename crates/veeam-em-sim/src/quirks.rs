//! Server behaviour the reference does not document but real servers show, reproduced so that
//! clients meet it in tests before they meet it in production.
//!
//! - Since Veeam Backup & Replication 9.5 Update 4, the body that creates or edits a tenant
//!   must carry `TenantType`; a server answers `500` with an `<Error>` (no `Status` attribute)
//!   when it is missing, older editions of the reference notwithstanding. Such servers always
//!   send it in a tenant's entity, so a client that writes back what it read is fine.

use http::StatusCode;
use veeam_em_api::Entry;
use veeam_em_model::Document;

use crate::errors::Failure;

/// Operations whose body must hold an element, and the message the server answers without it.
const REQUIRED_ELEMENTS: &[(&str, &str, &str)] = &[
    (
        "CreateCloudTenant",
        "TenantType",
        "Failed to create the tenant: TenantType is not specified. Specify the tenant type (Standalone, ActiveDirectory or VCD).",
    ),
    (
        "UpdateCloudTenant",
        "TenantType",
        "Failed to edit the tenant: TenantType is not specified. Send back the TenantType block of the tenant.",
    ),
];

/// Optional members (`Root/Element`) the sampled documents always carry, as real servers do.
const ALWAYS_SENT: &[&str] = &["CloudTenant/TenantType"];

/// Whether the sampled documents always carry the member at `path` (`Root/Element`).
pub(crate) fn always_sent(path: &str) -> bool {
    ALWAYS_SENT.contains(&path)
}

/// Refuses a request the way a real server does, if one of the quirks applies.
pub(crate) fn check(entry: &Entry, body: Option<&Document>) -> Result<(), Failure> {
    let Some(body) = body else { return Ok(()) };
    for (operation, element, message) in REQUIRED_ELEMENTS {
        if entry.name == *operation && !crate::auto::has_child(&body.to_xml_string(), element) {
            return Err(Failure::new(StatusCode::INTERNAL_SERVER_ERROR, *message));
        }
    }
    Ok(())
}
