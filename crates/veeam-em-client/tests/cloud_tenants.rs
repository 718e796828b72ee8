//! Tenant provisioning against the simulator over a real socket: read-modify-write of a tenant
//! keeps every field, known or not (the simulator answers as a newer server, with an attribute
//! and an element no schema declares), and a body without `TenantType` gets the server's `500`
//! `<Error>`, whose message the client surfaces.

use std::sync::Arc;
use std::time::Duration;

use veeam_em_api::{api, BaseUrl, Credentials};
use veeam_em_client::{Client, ClientConfig, RetryPolicy, UreqTransport};
use veeam_em_model::{CloudTenant, Document, TaskState};
use veeam_em_sim::server::{start, RunningServer, ServerOptions};
use veeam_em_sim::{SimConfig, Simulator};

fn newer_server() -> (Arc<Simulator>, RunningServer, Client<UreqTransport>) {
    let sim = Arc::new(Simulator::new(SimConfig {
        newer_server: true,
        task_duration: Duration::from_millis(100),
        ..SimConfig::default()
    }));
    let server = start(
        sim.clone(),
        ServerOptions {
            port: 0,
            tls: false,
            cert_path: None,
        },
    )
    .unwrap();
    let config = ClientConfig::new(BaseUrl::parse(server.url()).unwrap())
        .credentials(Credentials::new("admin", "admin"))
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        });
    let client = Client::connect(config).unwrap();
    (sim, server, client)
}

fn tenant_ids(client: &Client<UreqTransport>) -> Vec<String> {
    let tenants = client.call(&api::cloud().tenants().get()).unwrap();
    assert!(!tenants.refs.is_empty(), "the simulator seeds tenants");
    tenants.refs.iter().map(|r| r.uid.id().to_owned()).collect()
}

fn first_tenant(client: &Client<UreqTransport>) -> String {
    tenant_ids(client).remove(0)
}

fn quota(tenant: &CloudTenant) -> Option<i64> {
    tenant
        .resources
        .as_ref()?
        .cloud_tenant_resources
        .first()?
        .repository_quota
        .as_ref()?
        .quota
}

fn set_quota(tenant: &mut CloudTenant, mb: i64) {
    tenant.resources.as_mut().unwrap().cloud_tenant_resources[0]
        .repository_quota
        .as_mut()
        .unwrap()
        .quota = Some(mb);
}

#[test]
fn read_modify_write_of_a_tenant_keeps_known_and_unknown_fields() {
    let (_sim, _server, client) = newer_server();
    // A tenant with a repository quota (the sampled tenants do not all have one).
    let (tenant, before) = tenant_ids(&client)
        .into_iter()
        .map(|id| {
            let tenant = api::cloud().tenants().id(id.as_str());
            let entity = client.call(&tenant.clone().get_entity()).unwrap();
            (tenant, entity)
        })
        .find(|(_, entity)| quota(entity).is_some())
        .expect("a seeded tenant has a repository quota");
    // The newer server's additions were read and kept.
    assert!(
        before
            .unknown
            .attributes()
            .iter()
            .any(|(name, _)| name == "SimFutureRevision"),
        "{:?}",
        before.unknown
    );
    assert!(before
        .unknown
        .elements()
        .iter()
        .any(|e| e.xml.contains("<SimFutureSetting>")));
    assert!(before.tenant_type.is_some(), "tenants carry TenantType");

    let mut changed = before.clone();
    let new_quota = quota(&before).unwrap() + 1024;
    set_quota(&mut changed, new_quota);
    // The body sent back carries the newer server's additions (the simulator merges a body into
    // what it has, so only the body itself shows that the client kept them).
    let body = Document::CloudTenant(changed.clone()).to_xml_string();
    assert!(
        body.contains(r#"SimFutureRevision="2""#) && body.contains("<SimFutureSetting>"),
        "{body}"
    );
    let task = client
        .call(&tenant.clone().update(changed.clone()))
        .unwrap();
    let done = client
        .wait_task(&task.task_id, Duration::from_secs(10))
        .unwrap();
    assert_eq!(done.state, TaskState::Finished);

    let after = client.call(&tenant.get_entity()).unwrap();
    assert_eq!(quota(&after), Some(new_quota));
    // Everything else, known or not, is as it was.
    let mut expected = before;
    set_quota(&mut expected, new_quota);
    assert_eq!(after, expected);
    assert_eq!(
        Document::CloudTenant(after).to_xml_string(),
        Document::CloudTenant(expected).to_xml_string()
    );
}

#[test]
fn a_tenant_body_without_tenant_type_gets_the_servers_message() {
    let (_sim, _server, client) = newer_server();
    let id = first_tenant(&client);
    let tenant = api::cloud().tenants().id(id.as_str());
    let mut body = client.call(&tenant.clone().get_entity()).unwrap();
    body.tenant_type = None;
    let err = client.call(&tenant.update(body)).unwrap_err();
    let message = err.server_message().unwrap_or_default();
    assert!(message.contains("TenantType"), "{err}");
    assert!(
        err.to_string().contains("500") && err.to_string().contains("TenantType"),
        "{err}"
    );
}
