//! The dashboard's alarm panel reads `GET …/alarms`: the households unaccounted whose alarm
//! no coordinator has resolved, by batch, with the batch's places, deadline and counts, found
//! through the unaccounted households alone (the accountability check, which recounts every
//! case, stays the auditor's). A batch past its deadline is an alarm as soon as it is read,
//! closed or not; a resolved household leaves it. Coordinators only; anyone else, and a
//! coordinator of another operation, is answered exactly as for the counts. Each read is in
//! the audit log with the references it returned.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

const ALARMS: &str = "/api/operations/{op}/alarms";

async fn a_short_batch_is_an_open_alarm_until_its_household_is_resolved(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 100).await;
    assert_eq!(
        app.get(Role::Coordinator, ALARMS).await,
        json!({ "unresolved_people": 0, "alarms": [] })
    );
    let (batch, arrived, missing) = app.a_batch_arriving_short(&p, "0700 600 00").await;

    let open = app.get(Role::Coordinator, ALARMS).await;
    assert_eq!(open["unresolved_people"], 3, "{open}");
    let alarms = open["alarms"].as_array().unwrap();
    assert_eq!(alarms.len(), 1, "{open}");
    let a = &alarms[0];
    assert_eq!(a["batch_id"], batch);
    assert_eq!(a["rv_id"], p.rv);
    assert_eq!(a["gate_id"], p.gate);
    assert_eq!(a["departed_people"], 5);
    assert_eq!(a["arrived_people"], 2);
    assert_eq!(a["unaccounted_people"], 3);
    assert!(
        a["closed_at"].is_string() && a["deadline"].is_string(),
        "{a}"
    );
    assert_eq!(
        a["households"],
        json!([{ "reference": missing, "size": 3 }]),
        "the missing household only, by reference and size"
    );
    assert!(!open.to_string().contains(&arrived));
    // It agrees with the accountability check, which counts the same people.
    let report = app.accountability().await;
    assert_eq!(
        report["unresolved_unaccounted_people"],
        open["unresolved_people"]
    );

    // Each read is audited with the references it returned.
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    app.get(Role::Coordinator, ALARMS).await;
    let entries = app
        .on_store(move |s| s.audit_entries(before, 10).unwrap())
        .await;
    let read: Vec<_> = entries
        .iter()
        .filter(|(_, e)| e.action == "h::open_alarms")
        .collect();
    assert_eq!(read.len(), 1, "{entries:?}");
    assert_eq!(read[0].1.role, Some(Role::Coordinator));
    assert_eq!(
        read[0].1.record.as_deref(),
        Some(
            format!(
                "/api/operations/{}/alarms: 1 alarms, 1 returned: {missing}",
                app.op
            )
            .as_str()
        )
    );

    app.post(
        Role::Coordinator,
        &format!("{}/resolve-unaccounted", case(&missing)),
        Some(json!({ "outcome": "found_elsewhere", "note": "At the other gate" })),
    )
    .await;
    assert_eq!(
        app.get(Role::Coordinator, ALARMS).await,
        json!({ "unresolved_people": 0, "alarms": [] })
    );
}

async fn a_batch_past_its_deadline_is_an_alarm_before_anyone_closes_it(backend: Backend) {
    // The sweep's clock runs three hours ahead: every batch is overdue as it leaves.
    let app = spawn_app_with_custody_clock_ahead(backend, 3 * 3600).await;
    let p = app.places(100, 300).await;
    let a = app.register_with_pass(2, "0700 600 101", p.window).await;
    let b = app.register_with_pass(1, "0700 600 102", p.window).await;
    for r in [&a, &b] {
        app.admit_at_rv(r, p.rv).await;
    }
    let batch = app.depart(p.rv, p.gate, &[&a, &b]).await["id"]
        .as_i64()
        .unwrap();
    let open = app.get(Role::Coordinator, ALARMS).await;
    assert_eq!(open["unresolved_people"], 3, "{open}");
    let alarm = &open["alarms"][0];
    assert_eq!(alarm["batch_id"], batch);
    assert_eq!(
        alarm["closed_at"],
        Value::Null,
        "still open: swept at its deadline"
    );
    assert_eq!(alarm["arrived_people"], 0);
    let mut listed: Vec<&str> = alarm["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["reference"].as_str().unwrap())
        .collect();
    listed.sort();
    let mut expected = vec![a.as_str(), b.as_str()];
    expected.sort();
    assert_eq!(listed, expected);
}

async fn only_coordinators_read_the_alarms_and_others_learn_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 100).await;
    app.a_batch_arriving_short(&p, "0700 600 20").await;
    for role in NOT_COORDINATOR {
        let (status, body) = app.try_get(role, ALARMS).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {body}");
        assert!(body.get("alarms").is_none(), "{role}: {body}");
    }
    // A coordinator of another operation, or of none that exists, gets what the counts give.
    let outsider = app.outsider.clone();
    for op in [app.op.0.to_string(), "999999".to_string()] {
        let read = |path: &'static str| {
            let (app, outsider, op) = (&app, &outsider, op.clone());
            async move {
                app.call_with(
                    Some(outsider),
                    Method::GET,
                    &path.replace("{op}", &op),
                    None,
                )
                .await
            }
        };
        let alarms = read(ALARMS).await;
        assert_eq!(alarms.0, StatusCode::FORBIDDEN, "{}", alarms.1);
        assert_eq!(alarms, read("/api/operations/{op}/counts").await);
    }
    let (status, _) = app.call_with(None, Method::GET, ALARMS, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

safeconduct_store::on_both_backends_async!(
    a_short_batch_is_an_open_alarm_until_its_household_is_resolved,
    a_batch_past_its_deadline_is_an_alarm_before_anyone_closes_it,
    only_coordinators_read_the_alarms_and_others_learn_nothing,
);
