//! Someone holds a copy of the database of an operation that was shredded, or a coordinator's
//! token after it. What people wrote into reasons (a rejection, a withdrawal, a revocation,
//! the `X-Reason` of a read) was sealed under the operation's data key, so after the shred it
//! is gone from the audit log and the events, and the chain still verifies. No pass route
//! answers for a shredded operation, and its pass keys are gone from the database. A shred
//! is refused while people are in escort, unless forced, and a forced shred is audited with
//! its counts.

mod common;

use common::{case, error_message, spawn_app_with_places};
use reqwest::Method;
use safeconduct_domain::Role;
use safeconduct_domain::values::Timestamp;
use safeconduct_store::testing::{Backend, raw_text};
use safeconduct_store::{Actor, StoreError};
use serde_json::json;

const REVOKED: &str = "revoked: holder Farida Wardak reported the pass stolen";
const REJECTED: &str = "rejected: Jawad Karimi has no eligible category";
const WITHDRAWN: &str = "withdrawn: the Nazari family stays with their mother";
const READ: &str = "caller Habiba Sultani asked for her window";

/// Every reason, as a needle: a part no other text contains.
const NEEDLES: [&str; 4] = ["Wardak", "Karimi", "Nazari", "Sultani"];

async fn raw(app: &common::TestApp, sql: &'static str) -> Vec<String> {
    let url = app.db_url().to_string();
    tokio::task::spawn_blocking(move || raw_text(&url, sql))
        .await
        .unwrap()
}

/// The audit log's reasons and the events' details as stored, read past the store.
async fn stored_text(app: &common::TestApp) -> String {
    let mut all = raw(app, "SELECT COALESCE(reason, '') FROM audit_log").await;
    all.extend(raw(app, "SELECT COALESCE(reason, '') FROM audit_pending").await);
    all.extend(raw(app, "SELECT detail FROM events").await);
    all.join("\n")
}

async fn reasons_are_sealed_and_gone_after_the_shred(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 30, 30).await;
    let a = app.register_with_pass(2, "0700 100 001", p.window).await;
    app.step(
        Role::Coordinator,
        &a,
        "pass/revoke",
        Some(json!({ "reason": REVOKED })),
    )
    .await;
    let b = app.register(1, "0700 100 002").await;
    app.step(Role::Coordinator, &b, "verify-documents", None)
        .await;
    let decision = json!({ "decision": "rejected", "reason": REJECTED });
    app.step(Role::Coordinator, &b, "eligibility", Some(decision))
        .await;
    let c = app.register(1, "0700 100 003").await;
    app.step(
        Role::Coordinator,
        &c,
        "withdraw",
        Some(json!({ "reason": WITHDRAWN })),
    )
    .await;
    let res = app.read_for(Role::Coordinator, &case(&a), Some(READ)).await;
    assert_eq!(res.status(), 200);

    // Sealed in the database from the start; read back opened while the operation lives.
    let stored = stored_text(&app).await;
    for needle in NEEDLES {
        assert!(!stored.contains(needle), "{needle} is stored in clear");
    }
    assert!(stored.contains("sealed:"), "the reasons are stored sealed");
    let reasons = |entries: Vec<(i64, safeconduct_store::AuditEntry)>| -> Vec<String> {
        entries.into_iter().filter_map(|(_, e)| e.reason).collect()
    };
    let alive = reasons(app.on_store(|s| s.audit_entries(0, 10_000).unwrap()).await);
    for reason in [REVOKED, REJECTED, WITHDRAWN, READ] {
        assert!(alive.iter().any(|r| r == reason), "{reason} in {alive:?}");
    }

    let phone = app.escort_at(p.rv, 51).await;
    assert_eq!(app.device_kit_answer(&phone).await.0, 200);
    app.close_and_shred().await.unwrap();
    let stored = stored_text(&app).await;
    for needle in NEEDLES {
        assert!(!stored.contains(needle), "{needle} is stored in clear");
    }
    let after = reasons(app.on_store(|s| s.audit_entries(0, 10_000).unwrap()).await);
    for needle in NEEDLES {
        assert!(
            !after.iter().any(|r| r.contains(needle)),
            "{needle} is readable after the shred: {after:?}"
        );
    }
    let chain = app.on_store(|s| s.verify_audit().unwrap()).await;
    assert_eq!(chain.first_break, None);
    // A read stating a reason is refused rather than logged with an unsealable reason.
    let res = app.read_for(Role::Coordinator, &case(&a), Some(READ)).await;
    assert_eq!(res.status(), 410);
}

async fn no_pass_answers_after_the_shred(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 30, 30).await;
    let a = app.register_with_pass(2, "0700 100 011", p.window).await;
    // A child on a parent's passport: the one clear flag about a person, which the shred
    // clears with the rest.
    let child = json!({"language": "prs", "members": [
        {"name": "Mariam Sadat", "birth_date": "1988", "documents": [
            {"type": "passport", "number": "P55667788", "issuing_country": "AF"}]},
        {"name": "Omid Sadat", "birth_date": "2019"}
    ]});
    app.create(Role::Coordinator, "/api/operations/{op}/households", child)
        .await;
    let minors = "SELECT CAST(COUNT(*) AS TEXT) FROM people WHERE minor = TRUE";
    let minors = if backend == Backend::Sqlite {
        "SELECT CAST(COUNT(*) AS TEXT) FROM people WHERE minor = 1"
    } else {
        minors
    };
    assert_eq!(raw(&app, minors).await, vec!["1".to_string()]);
    let pass = case(&a) + "/pass";
    let routes = [
        pass.clone(),
        pass.clone() + ".png",
        pass.clone() + ".svg",
        pass.clone() + ".html",
        format!(
            "/api/operations/{{op}}/field-kit?tier=checkpoint&rv={}",
            p.rv
        ),
        "/api/operations/{op}/status-list".to_string(),
        "/api/operations/{op}/keys".to_string(),
    ];
    for path in &routes {
        let (status, body) = app.try_get(Role::Coordinator, path).await;
        assert_eq!(status, 200, "{path} before the shred: {body}");
    }
    let phone = app.escort_at(p.rv, 51).await;
    assert_eq!(app.device_kit_answer(&phone).await.0, 200);
    app.close_and_shred().await.unwrap();
    for path in &routes {
        let (status, body) = app.try_get(Role::Coordinator, path).await;
        assert_eq!(status, 410, "{path} after the shred: {body}");
        assert_eq!(body["error"]["code"], "shredded", "{path}: {body}");
        let message = error_message(&body);
        assert!(message.contains("passes"), "{path}: {message}");
    }
    let (status, _) = app.device_kit_answer(&phone).await;
    assert_eq!(status, 410, "an escort device gets no kit either");
    let (status, _) = app
        .call(
            Role::Coordinator,
            Method::POST,
            "/api/operations/{op}/keys/rotate",
            Some(json!({ "compromised": false })),
        )
        .await;
    assert_eq!(status, 410, "no new key is made for a shredded operation");
    for table in [
        "SELECT CAST(COUNT(*) AS TEXT) FROM pass_keys",
        "SELECT CAST(COUNT(*) AS TEXT) FROM tier_keys",
    ] {
        let left = raw(&app, table).await;
        // The other operation of the test set-up never made pass keys.
        assert_eq!(left, vec!["0".to_string()], "{table}");
    }
    assert_eq!(raw(&app, minors).await, vec!["0".to_string()], "minors");
}

async fn shred_waits_for_people_in_escort_unless_forced(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 30, 30).await;
    let a = app.register_with_pass(3, "0700 100 021", p.window).await;
    app.admit_at_rv(&a, p.rv).await;
    app.depart(p.rv, p.gate, &[&a]).await;
    let refused = app.close_and_shred().await;
    match refused {
        Err(StoreError::Conflict(m)) => {
            assert!(m.contains("3 people in escort and 0 unaccounted"), "{m}");
            assert!(!m.contains("Sadat"), "no names: {m}");
        }
        other => panic!("shredded with people in escort: {other:?}"),
    }
    let (_, household) = app.try_get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["stage"], "in_escort", "nothing was shredded");

    let op = app.op;
    let forced = app
        .on_store(move |s| s.shred_operation(op, &Actor::system(Timestamp(1_800_000_001)), true))
        .await;
    assert!(forced.unwrap().shredded_at.is_some());
    let entries = app.on_store(|s| s.audit_entries(0, 10_000).unwrap()).await;
    let (_, shred) = entries
        .iter()
        .rev()
        .find(|(_, e)| e.action == "operation_shredded")
        .unwrap();
    let stated = shred.reason.as_deref().unwrap_or_default();
    assert!(stated.contains("forced"), "{stated}");
    assert!(
        stated.contains("3 people in escort and 0 unaccounted"),
        "{stated}"
    );
    let chain = app.on_store(|s| s.verify_audit().unwrap()).await;
    assert_eq!(chain.first_break, None);
}

safeconduct_store::on_both_backends_async!(
    reasons_are_sealed_and_gone_after_the_shred,
    no_pass_answers_after_the_shred,
    shred_waits_for_people_in_escort_unless_forced,
);
