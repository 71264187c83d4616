//! An escort (or gate) device's field kit, as the server hands it out, opens the passes of the
//! places its user works at now and nothing else: an expired assignment gets no kit, the kit
//! of RV A does not open a pass of RV B, and a gate kit opens the passes of the RVs its gates
//! serve. On both backends.

mod common;

use common::{TestApp, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_domain::values::Timestamp;
use safeconduct_keys::passes::FieldKit;
use safeconduct_pass::{Check, Outcome};
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::Backend;
use serde_json::json;

const KIT: &str = "/api/operations/{op}/field-kit";

async fn kit(app: &TestApp, role: Role, query: &str) -> FieldKit {
    serde_json::from_value(app.get(role, &format!("{KIT}{query}")).await).unwrap()
}

/// A second agreed, active RV with a window open now and its own gate: (rv, gate, window).
/// The escort accepts it while assigned to it, then goes back to RV A (`a`) only.
async fn rv_b(app: &TestApp, a: i64) -> (i64, i64, i64) {
    let rv = app.propose_rv("RV Bravo").await;
    app.assign("escort", &[rv], &[]).await;
    app.rv_step(Role::Escort, rv, "accept").await;
    app.assign("escort", &[a], &[]).await;
    app.rv_step(Role::Coordinator, rv, "activate").await;
    let gate = json!({
        "name": "Gate 9", "location": { "lat": 60.168, "lon": 24.943 },
        "kind": "discreet", "hourly_throughput": 300, "rv_ids": [rv]
    });
    let gate = app
        .create(Role::Coordinator, "/api/operations/{op}/gates", gate)
        .await["id"]
        .as_i64()
        .unwrap();
    let now = safeconduct_keys::now();
    let (start, end) = (
        time_text(Timestamp(now.0 - 1800)),
        time_text(Timestamp(now.0 + 5400)),
    );
    let window = app.add_window(rv, &start, &end, 20).await;
    (rv, gate, window)
}

/// The text of a pass the server issued to a new household in `window`.
async fn pass_in(app: &TestApp, window: i64, phone: &str) -> String {
    let reference = app.register_with_pass(2, phone, window).await;
    let path = format!("{}/pass", common::case(&reference));
    app.get(Role::Coordinator, &path).await["text"]
        .as_str()
        .unwrap()
        .to_string()
}

fn outcome(kit: &FieldKit, text: &str, rv: Option<i64>) -> Outcome {
    let check = Check {
        now: safeconduct_keys::now().0 as u64,
        rv: rv.map(|r| r as u64),
        holder: None,
    };
    kit.verifier().unwrap().verify_text(text, &check).outcome
}

async fn refused(app: &TestApp, role: Role, query: &str) -> (StatusCode, String, String) {
    let (status, body) = app.try_get(role, &format!("{KIT}{query}")).await;
    let text = |k: &str| body["error"][k].as_str().unwrap_or_default().to_string();
    (status, text("code"), text("message"))
}

async fn an_escort_whose_assignment_expired_gets_no_kit(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    assert_eq!(kit(&app, Role::Escort, "").await.places.len(), 1);

    // The assignment ended an hour ago.
    let now = safeconduct_keys::now().0;
    let ended = json!({
        "rv_ids": [p.rv],
        "valid_from": time_text(Timestamp(now - 7200)),
        "valid_until": time_text(Timestamp(now - 3600)),
    });
    let path = "/api/operations/{op}/users/escort/places";
    app.ok(Role::Coordinator, Method::PUT, path, Some(ended), 200)
        .await;
    let (status, code, message) = refused(&app, Role::Escort, "").await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope")
    );
    assert!(
        message.contains("not assigned to any rendezvous point now"),
        "{message}"
    );
    let (status, ..) = refused(&app, Role::Escort, &format!("?rv={}", p.rv)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The same for gate staff, and for a user who was never assigned anywhere.
    let ended = json!({
        "gate_ids": [p.gate],
        "valid_from": time_text(Timestamp(now - 7200)),
        "valid_until": time_text(Timestamp(now - 3600)),
    });
    let path = "/api/operations/{op}/users/gate/places";
    app.ok(Role::Coordinator, Method::PUT, path, Some(ended), 200)
        .await;
    let (status, code, message) = refused(&app, Role::Gate, "").await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope")
    );
    assert!(
        message.contains("not assigned to any gate now"),
        "{message}"
    );

    // Assigned again: the kit is served again, for that place only.
    app.assign("escort", &[p.rv], &[]).await;
    let again = kit(&app, Role::Escort, "").await;
    assert_eq!(again.places.len(), 1);
    assert_eq!(again.places[0].rv, p.rv);
    assert_eq!(again.format, "safeconduct-field-kit/2");
}

async fn the_kit_of_an_escort_of_rv_a_does_not_open_a_pass_of_rv_b(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let (b, _, window_b) = rv_b(&app, p.rv).await;
    let pass_a = pass_in(&app, p.window, "0700 200 001").await;
    let pass_b = pass_in(&app, window_b, "0700 200 002").await;

    let escort_a = kit(&app, Role::Escort, "").await;
    assert_eq!(outcome(&escort_a, &pass_a, Some(p.rv)), Outcome::Valid);
    let v = escort_a.verifier().unwrap().verify_text(
        &pass_b,
        &Check {
            now: safeconduct_keys::now().0 as u64,
            ..Check::default()
        },
    );
    assert_eq!(v.outcome, Outcome::ForAnotherPlace);
    assert_eq!(v.outcome.code(), "wrong_rv");
    assert_eq!(v.checkpoint, None, "the kit reads nothing of RV B's pass");
    // Even standing at RV B, and even asking for RV B's key.
    assert_eq!(
        outcome(&escort_a, &pass_b, Some(b)),
        Outcome::ForAnotherPlace
    );
    let (status, code, _) = refused(&app, Role::Escort, &format!("?rv={b}")).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope")
    );

    // A coordinator provisioning a device for RV A makes the same kit; it names tier and place.
    let provisioned = kit(
        &app,
        Role::Coordinator,
        &format!("?tier=checkpoint&rv={}", p.rv),
    )
    .await;
    assert_eq!(outcome(&provisioned, &pass_a, Some(p.rv)), Outcome::Valid);
    assert_eq!(
        outcome(&provisioned, &pass_b, Some(b)),
        Outcome::ForAnotherPlace
    );
    for (query, status) in [
        ("?tier=checkpoint", StatusCode::UNPROCESSABLE_ENTITY),
        ("?tier=checkpoint&gate=1", StatusCode::UNPROCESSABLE_ENTITY),
        ("?tier=gate&rv=1", StatusCode::UNPROCESSABLE_ENTITY),
        ("?tier=checkpoint&rv=987654", StatusCode::NOT_FOUND),
    ] {
        let (got, _, message) = refused(&app, Role::Coordinator, query).await;
        assert_eq!(got, status, "{query}: {message}");
    }

    // Working at both RVs now, the escort's kit opens both, and tells where each belongs.
    app.assign("escort", &[p.rv, b], &[]).await;
    let both = kit(&app, Role::Escort, "").await;
    assert_eq!(both.places.len(), 2);
    assert_eq!(outcome(&both, &pass_b, Some(b)), Outcome::Valid);
    assert_eq!(
        outcome(&both, &pass_b, Some(p.rv)),
        Outcome::WrongRv {
            pass_rv: b as u64,
            here: p.rv as u64
        }
    );
    let narrowed = kit(&app, Role::Escort, &format!("?rv={b}")).await;
    assert_eq!(
        outcome(&narrowed, &pass_a, Some(p.rv)),
        Outcome::ForAnotherPlace
    );
}

async fn a_gate_kit_opens_the_passes_of_its_gates_rvs_only(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let (b, gate_b, window_b) = rv_b(&app, p.rv).await;
    let pass_a = pass_in(&app, p.window, "0700 300 001").await;
    let pass_b = pass_in(&app, window_b, "0700 300 002").await;

    // The gate user works at the gate serving RV A.
    let gate_a = kit(&app, Role::Gate, "").await;
    assert_eq!(gate_a.tier, "gate");
    assert_eq!(gate_a.places.len(), 1);
    assert_eq!(gate_a.places[0].rv, p.rv);
    assert_eq!(outcome(&gate_a, &pass_a, None), Outcome::Valid);
    assert_eq!(outcome(&gate_a, &pass_b, None), Outcome::ForAnotherPlace);
    let (status, code, _) = refused(&app, Role::Gate, &format!("?gate={gate_b}")).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "out_of_scope")
    );
    let (status, ..) = refused(&app, Role::Gate, "?tier=checkpoint").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A gate device provisioned for RV B's gate opens RV B's passes only.
    let provisioned = kit(
        &app,
        Role::Coordinator,
        &format!("?tier=gate&gate={gate_b}"),
    )
    .await;
    assert_eq!(provisioned.places[0].rv, b);
    assert_eq!(outcome(&provisioned, &pass_b, None), Outcome::Valid);
    assert_eq!(
        outcome(&provisioned, &pass_a, None),
        Outcome::ForAnotherPlace
    );

    // Working at both gates, the gate user's device opens both RVs' passes.
    app.assign("gate", &[], &[p.gate, gate_b]).await;
    let both = kit(&app, Role::Gate, "").await;
    assert_eq!(outcome(&both, &pass_a, None), Outcome::Valid);
    assert_eq!(outcome(&both, &pass_b, None), Outcome::Valid);
}

/// A format 1 kit carried the operation's tier secret itself, from which every RV's format 2
/// key derives. The upgrade (migration 17) deletes the secrets; the keyring makes new ones, and
/// a secret taken before opens nothing issued after.
async fn a_tier_secret_from_a_format_1_kit_opens_no_pass_after_the_upgrade(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    pass_in(&app, p.window, "0700 200 011").await;
    let keyring =
        safeconduct_keys::passes::PassKeyring::new(safeconduct_store::testing::test_kek());
    let op = app.op;
    let old = app
        .on_store(move |s| {
            let unlocked = keyring.unlock(op, &s.pass_keys(op).unwrap()).unwrap();
            let kid = unlocked.active().unwrap().kid();
            unlocked.checkpoint.key_for(p.rv as u64, kid).bytes()
        })
        .await;
    let migration = match backend {
        Backend::Sqlite => {
            include_str!("../../store/src/sqlite/migrations/0017_tier_keys_renewed.sql")
        }
        Backend::Postgres => {
            include_str!("../../store/src/postgres/migrations/0017_tier_keys_renewed.sql")
        }
    };
    safeconduct_store::testing::raw_exec(app.db_url(), migration).unwrap();

    let after = pass_in(&app, p.window, "0700 200 012").await;
    let fresh = kit(&app, Role::Escort, "").await;
    assert_eq!(outcome(&fresh, &after, Some(p.rv)), Outcome::Valid);
    let mut stolen = fresh.clone();
    stolen.places[0].key = safeconduct_keys::passes::b64(&old[..]);
    assert_eq!(
        outcome(&stolen, &after, Some(p.rv)),
        Outcome::ForAnotherPlace,
        "the old secret's key opens nothing issued after the upgrade"
    );
}

/// A phone with an escort kit is lost. The coordinator rotates the signing key as compromised,
/// which re-issues every pass: the lost kit, even given the new public keys and status list
/// (anyone signed in may read those), reads nothing of the re-issued passes.
async fn a_kit_lost_before_a_compromise_rotation_reads_no_reissued_pass(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let reference = app.register_with_pass(2, "0700 200 021", p.window).await;
    let lost = kit(&app, Role::Escort, "").await;
    let rotate = json!({"compromised": true, "reissue": true});
    app.post(
        Role::Coordinator,
        "/api/operations/{op}/keys/rotate",
        Some(rotate),
    )
    .await;
    let path = format!("{}/pass", common::case(&reference));
    let reissued = app.get(Role::Coordinator, &path).await["text"]
        .as_str()
        .unwrap()
        .to_string();
    let fresh = kit(&app, Role::Escort, "").await;
    assert_eq!(outcome(&fresh, &reissued, Some(p.rv)), Outcome::Valid);
    let mut stolen = fresh.clone();
    stolen.places = lost.places.clone();
    let v = stolen.verifier().unwrap().verify_text(
        &reissued,
        &Check {
            now: safeconduct_keys::now().0 as u64,
            rv: Some(p.rv as u64),
            holder: None,
        },
    );
    assert_eq!(v.outcome, Outcome::ForAnotherPlace);
    assert_eq!(
        v.checkpoint, None,
        "the lost kit reads nothing of the new pass"
    );
}

safeconduct_store::on_both_backends_async!(
    an_escort_whose_assignment_expired_gets_no_kit,
    the_kit_of_an_escort_of_rv_a_does_not_open_a_pass_of_rv_b,
    a_gate_kit_opens_the_passes_of_its_gates_rvs_only,
    a_tier_secret_from_a_format_1_kit_opens_no_pass_after_the_upgrade,
    a_kit_lost_before_a_compromise_rotation_reads_no_reissued_pass,
);
