//! Query service filters: syntax, quoting, grouping, and the round trip through a URL.

use proptest::prelude::*;
use veeam_em_api::fields::cdp_replica_session as s;
use veeam_em_api::ops::QueryCdpReplicaSessions;
use veeam_em_api::queries::CdpReplicaSessionQuery;
use veeam_em_api::query::{Filter, Query, QueryFormat};
use veeam_em_api::{api, route, BaseUrl, Operation, SessionToken};
use veeam_em_model::{DateTime, Uid};

#[test]
fn comparisons() {
    assert_eq!(s::NAME.eq("a").as_str(), r#"Name=="a""#);
    assert_eq!(s::NAME.ne("a").as_str(), r#"Name!="a""#);
    assert_eq!(
        s::CREATION_TIME_UTC
            .lt(DateTime::parse("2021-06-15T00:00:00Z").unwrap())
            .as_str(),
        r#"CreationTimeUTC<"2021-06-15T00:00:00Z""#
    );
    assert_eq!(
        s::CREATION_TIME_UTC
            .gt(DateTime::parse("2021-06-15T02:00:00+02:00").unwrap())
            .as_str(),
        r#"CreationTimeUTC>"2021-06-15T00:00:00Z""#
    );
    assert_eq!(s::NAME.le("a").as_str(), r#"Name<="a""#);
    assert_eq!(s::NAME.ge("a").as_str(), r#"Name>="a""#);
    let uid = Uid::parse("urn:veeam:CdpPolicy:145f3365-6ec0-44e9-9538-8c8c34ebdcce").unwrap();
    assert_eq!(
        s::POLICY_UID.eq(uid).as_str(),
        r#"PolicyUid=="urn:veeam:CdpPolicy:145f3365-6ec0-44e9-9538-8c8c34ebdcce""#
    );
}

#[test]
fn enumerated_fields_take_their_enum() {
    use veeam_em_model::{SessionResult, SessionState};
    assert_eq!(
        s::RESULT.eq(SessionResult::Failed).as_str(),
        r#"Result=="Failed""#
    );
    assert_eq!(
        s::STATE.ne(SessionState::Working).as_str(),
        r#"State!="Working""#
    );
    // A value the schema does not list is still possible (enumerations are open), but it is
    // written as such: a `&str` does not compile (see the `compile_fail` example of `query`).
    assert_eq!(
        s::RESULT.eq(SessionResult::Other("Paused".into())).as_str(),
        r#"Result=="Paused""#
    );
}

#[test]
fn quoting_of_special_characters() {
    assert_eq!(
        s::NAME.eq(r#"say "hi" \ bye; a,b (c)"#).as_str(),
        r#"Name=="say \"hi\" \\ bye; a,b (c)""#
    );
}

#[test]
fn and_or_grouping() {
    use veeam_em_model::{SessionResult as Result, SessionState as State};
    let f = s::STATE
        .eq(State::Working)
        .and(s::RESULT.eq(Result::Failed))
        .or(s::STATE
            .eq(State::Stopped)
            .and(s::RESULT.eq(Result::Success)));
    assert_eq!(
        f.as_str(),
        r#"(State=="Working";Result=="Failed"),(State=="Stopped";Result=="Success")"#
    );
    let g = s::NAME.eq("a").and(s::NAME.eq("b").or(s::NAME.eq("c")));
    assert_eq!(g.as_str(), r#"Name=="a";(Name=="b",Name=="c")"#);
    let h = s::NAME.eq("a").and(s::NAME.eq("b")).and(s::NAME.eq("c"));
    assert_eq!(h.as_str(), r#"Name=="a";Name=="b";Name=="c""#);
    assert_eq!(s::NAME.eq("a").group().as_str(), r#"(Name=="a")"#);
}

fn round_trip(query: Query<CdpReplicaSessionQuery>) -> QueryCdpReplicaSessions {
    let op = api::query().cdp_replica_session(query);
    let base = BaseUrl::parse("https://em:9398/api").unwrap();
    let request = op.request(&base, Some(&SessionToken::new("t"))).unwrap();
    let back: QueryCdpReplicaSessions =
        QueryCdpReplicaSessions::try_from(&route(&request.uri().to_string()).unwrap()).unwrap();
    assert_eq!(back, op);
    back
}

#[test]
fn filters_survive_the_url() {
    let back =
        round_trip(
            Query::new()
                .filter(s::NAME.eq("CDP Policy 1@2021-02-11 19:08:36").and(
                    s::STATE.ne(veeam_em_model::SessionState::Working).or(
                        s::RESULT.eq(veeam_em_model::SessionResult::Other("A&B=C+D#E%".into())),
                    ),
                ))
                .sort_asc(s::NAME)
                .page_size(10)
                .page(3)
                .format(QueryFormat::Entities),
        );
    assert_eq!(
        back.query.filter_text(),
        Some(r#"Name=="CDP Policy 1@2021-02-11 19:08:36";(State!="Working",Result=="A&B=C+D#E%")"#)
    );
}

#[test]
fn a_second_filter_adds_a_condition() {
    let q: Query<CdpReplicaSessionQuery> = Query::new()
        .filter(s::NAME.eq("a").or(s::NAME.eq("b")))
        .filter(s::POLICY_NAME.eq("p"));
    assert_eq!(
        q.filter_text(),
        Some(r#"(Name=="a",Name=="b");PolicyName=="p""#)
    );
}

#[test]
fn page_size_and_page_zero_are_refused() {
    let base = BaseUrl::parse("https://em:9398/api").unwrap();
    let token = SessionToken::new("t");
    for query in [
        Query::<CdpReplicaSessionQuery>::new().page_size(0),
        Query::new().page(0),
    ] {
        let err = api::query()
            .cdp_replica_session(query)
            .request(&base, Some(&token))
            .unwrap_err();
        assert!(
            matches!(err, veeam_em_api::ApiError::Build { .. }),
            "{err:?}"
        );
    }
    assert!(api::query()
        .cdp_replica_session(Query::new().page_size(1).page(1))
        .request(&base, Some(&token))
        .is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_string_value_round_trips(value in ".{0,30}", other in "[ -~]{0,30}") {
        let filter: Filter<CdpReplicaSessionQuery> = s::NAME.eq(value.clone()).or(s::FAILURE_MESSAGE.ne(other));
        round_trip(Query::new().filter(filter).page_size(5));
    }
}

/// Random filters, built the way users build them.
fn arbitrary_filter() -> impl Strategy<Value = Filter<CdpReplicaSessionQuery>> {
    let leaf = (0usize..4, 0usize..6, ".{0,12}").prop_map(|(field, op, text)| {
        let f = match field {
            0 => s::NAME,
            1 => s::POLICY_NAME,
            2 => s::FAILURE_MESSAGE,
            _ => s::BACKUP_SERVER_NAME,
        };
        match op {
            0 => f.eq(text),
            1 => f.ne(text),
            2 => f.lt(text),
            3 => f.gt(text),
            4 => f.le(text),
            _ => f.ge(text),
        }
    });
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
            inner.prop_map(Filter::group),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// What the builder prints, the parser reads, and printing it again gives the same text.
    #[test]
    fn print_parse_print(filter in arbitrary_filter()) {
        let printed = filter.as_str().to_owned();
        let parsed = veeam_em_api::filter::parse(&printed)
            .map_err(|e| TestCaseError::fail(format!("{printed:?}: {e}")))?;
        prop_assert_eq!(parsed.to_string(), printed);
    }

    /// The parser never panics, and what it accepts prints as something it accepts again.
    #[test]
    fn parse_is_total(text in r#"[a-zA-Z=!<>;,()" \\]{0,30}"#) {
        if let Ok(e) = veeam_em_api::filter::parse(&text) {
            let again = veeam_em_api::filter::parse(&e.to_string()).unwrap();
            prop_assert_eq!(again, e);
        }
    }
}
