//! The decode limits of `ClientConfig::limits` apply to what the clients decode: whole
//! responses, streamed reference lists and query pages (decoded on other threads too).

use std::sync::Arc;

use veeam_em_api::query::Query;
use veeam_em_api::{api, ApiError, BaseUrl, Credentials};
use veeam_em_client::{Client, ClientConfig, ClientError, SimTransport};
use veeam_em_model::{DecodeErrorKind, Limit, Limits};
use veeam_em_sim::{SimConfig, Simulator};

fn client(limits: Limits) -> Client<SimTransport> {
    let sim = Arc::new(Simulator::new(SimConfig::default()));
    let config = ClientConfig::new(BaseUrl::parse("http://sim.invalid/api").unwrap())
        .credentials(Credentials::new("admin", "admin"))
        .limits(limits);
    Client::with_transport(config, SimTransport::new(sim))
}

fn is_items_limit(e: &ClientError) -> bool {
    matches!(
        e,
        ClientError::Api(ApiError::Decode { source, .. })
            if matches!(source.kind(), DecodeErrorKind::LimitExceeded { limit: Limit::Items, max: 40 })
    )
}

#[test]
fn client_limits_bound_every_decode() {
    // 60 task sessions; no other document here has more than 40 children in one element.
    let generous = client(Limits::DEFAULT);
    assert_eq!(
        generous
            .call(&api::cdp_replica_task_sessions().get())
            .unwrap()
            .refs
            .len(),
        60
    );

    let strict = client(Limits::DEFAULT.max_items(40));
    let err = strict
        .call(&api::cdp_replica_task_sessions().get())
        .unwrap_err();
    assert!(is_items_limit(&err), "{err}");
    // The cause names the setting to raise.
    let mut chain = err.to_string();
    let mut cause = std::error::Error::source(&err);
    while let Some(c) = cause {
        chain.push_str(&format!(": {c}"));
        cause = c.source();
    }
    assert!(chain.contains("Limits::max_items"), "{chain}");

    // Streamed reference lists and pages of a query.
    let mut refs = strict
        .refs(&api::cdp_replica_task_sessions().get())
        .unwrap();
    assert!(refs.any(|r| r.is_err_and(|e| is_items_limit(&e))));
    let mut pages =
        strict.query_entities(api::query().cdp_replica_task_session(Query::new().page_size(50)));
    let first = pages.find(|r| r.is_err()).expect("the page is refused");
    assert!(
        matches!(first, Err(ClientError::Api(ApiError::Decode { .. }))),
        "{first:?}"
    );

    // The thread's own limits are not changed by a client's.
    assert_eq!(Limits::current(), Limits::DEFAULT);
}
