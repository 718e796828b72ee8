//! The typed API as a Rust user meets it: ordering of dates, following any href, operations
//! without parameters as plain values, type names with acronyms as words.

use veeam_em_api::{api, ops, AnyOperation, BaseUrl, Follow, Operation, SessionToken};
use veeam_em_model::DateTime;

#[test]
fn date_times_are_ordered_by_instant() {
    let parse = |t: &str| DateTime::parse(t).unwrap();
    let mut times = [
        parse("2021-02-11T19:08:36Z"),
        parse("2021-02-11T20:08:35+01:00"), // 19:08:35Z
        parse("2021-02-11T19:08:37"),       // no offset: taken as UTC
        parse("2021-02-10T23:00:00-05:00"), // 2021-02-11T04:00:00Z
    ];
    times.sort();
    let shown: Vec<String> = times.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "2021-02-10T23:00:00-05:00",
            "2021-02-11T20:08:35+01:00",
            "2021-02-11T19:08:36Z",
            "2021-02-11T19:08:37"
        ]
    );
    // Same instant, other offset: ordered, not equal (consistent with ==).
    let a = parse("2021-02-11T19:00:00Z");
    let b = parse("2021-02-11T20:00:00+01:00");
    assert_ne!(a, b);
    assert_ne!(a.cmp(&b), std::cmp::Ordering::Equal);
    assert_eq!(a.max(b), b.max(a));
}

#[test]
fn any_href_follows_as_any_operation() {
    let link = veeam_em_model::Link {
        href: "https://em:9398/api/cdpReplicaSessions/6b87/cdpReplicaTaskSessions".into(),
        ..Default::default()
    };
    let op = link.follow::<AnyOperation>().unwrap();
    assert!(matches!(
        op,
        AnyOperation::GetCdpReplicaSessionTaskSessions(_)
    ));
    assert_eq!(op.entry().name, "GetCdpReplicaSessionTaskSessions");
}

#[test]
fn operations_without_parameters_are_plain_values() {
    let op = ops::GetCdpPolicies;
    assert_eq!(op, api::cdp_policies().get());
    let request = op
        .request(
            &BaseUrl::for_host("em").unwrap(),
            Some(&SessionToken::new("t")),
        )
        .unwrap();
    assert_eq!(request.uri(), "https://em:9398/api/cdpPolicies");
}

#[test]
fn acronyms_are_words_in_type_names() {
    // `CDPReplicaRPOReportingFailedOptionsType` and `RPOScheduleType` in schemas/cdp.xsd.
    let failed = veeam_em_model::CdpReplicaRpoReportingFailedOptions::default();
    let schedule = veeam_em_model::RpoSchedule::default();
    let _ = (failed, schedule);
}
