//! A step refused for a case's stage tells the caller where the case stands (the stage and the
//! steps it allows): it is a read of the case. It is audited as one and, for the roles that
//! read cases one at a time, counted against the user's reads of cases, so that a manifest
//! officer who knows a reference cannot learn where it stands by trying steps, unseen and
//! without limit (the hotline takes no step at all). Gate staff at their own gate are audited but not held back.

mod common;

use common::{case, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;
use serde_json::json;

async fn a_refused_step_is_audited_and_counted_as_a_read_of_the_case(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let reference = app.register_with_pass(2, "0700 330 001", p.window).await;
    app.admit_at_rv(&reference, p.rv).await;
    let batch = app.depart(p.rv, p.gate, &[&reference]).await["id"]
        .as_i64()
        .unwrap();
    let withdraw = format!("{}/withdraw", case(&reference));
    let boarded = format!("{}/boarded", case(&reference));
    let try_board = || app.call(Role::Manifest, Method::POST, &boarded, None);
    let before = app.audit_head().await;

    // The hotline may not withdraw a case at all: refused for its role, the stage untold.
    let asked = || Some(json!({"reason": "asked"}));
    let (status, body) = app
        .call(Role::Hotline, Method::POST, &withdraw, asked())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"].get("stage").is_none(), "{body}");
    // A coordinator tries to withdraw a household on its way: refused, naming the stage.
    let (status, body) = app
        .call(Role::Coordinator, Method::POST, &withdraw, asked())
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["stage"], "in_escort", "{body}");
    // The manifest officer tries to board it.
    let (status, body) = try_board().await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["stage"], "in_escort", "{body}");

    // Both are in the audit log, each naming the case and what was tried.
    let refused = app.audit_records(before, "step_refused").await;
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused[0].starts_with("h::withdraw: ") && refused[0].contains(&reference),
        "{refused:?}"
    );
    assert!(refused[1].starts_with("h::boarded: "), "{refused:?}");

    // Counted against the manifest officer's reads of cases: after the burst, the stage is no
    // longer told.
    let mut told = 1;
    loop {
        let (status, body) = try_board().await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(body["error"].get("stage").is_none(), "{body}");
            break;
        }
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        told += 1;
        assert!(told <= 10, "more refused steps than a burst of case reads");
    }

    // Gate staff at their own gate are not held back: a gate officer recording what cannot be
    // recorded yet is told so each time, and each time it is audited.
    let processed = format!("{}/processed", case(&reference));
    let before = app.audit_head().await;
    for _ in 0..12 {
        let (status, body) = app
            .call(
                Role::Gate,
                Method::POST,
                &processed,
                Some(json!({"gate_id": p.gate})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["stage"], "in_escort", "{body}");
    }
    let refused = app.audit_records(before, "step_refused").await;
    assert_eq!(refused.len(), 12, "{refused:?}");

    // Nothing moved.
    let read = app.get(Role::Coordinator, &case(&reference)).await;
    assert_eq!(read["stage"], "in_escort");

    // Once processed at the gate, the household is past the escort's hands: named in a new
    // batch, it is refused as not waiting at the RV, without where it is now.
    app.arrive_at_gate(batch, &reference).await;
    app.process(&reference, p.gate).await;
    let again = json!({"rv_id": p.rv, "gate_id": p.gate, "households": [reference]});
    let (status, body) = app
        .call(
            Role::Escort,
            Method::POST,
            "/api/operations/{op}/batches",
            Some(again),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.ends_with("it is not admitted and waiting to leave this RV")
            && !message.contains("processed")
            && body["error"].get("stage").is_none(),
        "{body}"
    );
}

safeconduct_store::on_both_backends_async!(
    a_refused_step_is_audited_and_counted_as_a_read_of_the_case,
);
