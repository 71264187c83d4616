//! An escort (or gate) device's field kit, as the server hands it out, opens the passes of the
//! places its user works at now and nothing else: an expired assignment gets no kit, the kit
//! of RV A does not open a pass of RV B, and a gate kit opens the passes of the RVs its gates
//! serve. A kit goes only to an enrolled device asking with a request signed by its key: a
//! session token alone (a stolen password) gets none. On both backends.

mod common;

use common::{TestApp, error_message, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{FieldDeviceId, Role};
use safeconduct_keys::devices::client::kit_request_text;
use safeconduct_keys::passes::FieldKit;
use safeconduct_pass::{Check, Outcome};
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::Backend;
use serde_json::json;

const KIT: &str = "/api/operations/{op}/field-kit";

/// The kit a coordinator provisions a device with by hand (`query` names tier and place).
async fn kit(app: &TestApp, role: Role, query: &str) -> FieldKit {
    serde_json::from_value(app.get(role, &format!("{KIT}{query}")).await).unwrap()
}

/// The kit of a device enrolled now for the test user of `role` at these places.
async fn device_kit(app: &TestApp, role: Role, rvs: &[i64], gates: &[i64], seed: u8) -> FieldKit {
    let device = app.enrol_at(role, rvs, gates, seed).await;
    app.device_kit(&device).await
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
    let escort = app.escort_at(p.rv, 31).await;
    assert_eq!(app.device_kit(&escort).await.places.len(), 1);
    let gate = app.gate_device_at(p.gate, 32).await;
    assert_eq!(app.device_kit(&gate).await.places.len(), 1);

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
    let (status, body) = app.device_kit_answer(&escort).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("out_of_scope"))
    );
    let message = error_message(&body);
    assert!(
        message.contains("not assigned to any rendezvous point now"),
        "{message}"
    );

    // The same for gate staff.
    let ended = json!({
        "gate_ids": [p.gate],
        "valid_from": time_text(Timestamp(now - 7200)),
        "valid_until": time_text(Timestamp(now - 3600)),
    });
    let path = "/api/operations/{op}/users/gate/places";
    app.ok(Role::Coordinator, Method::PUT, path, Some(ended), 200)
        .await;
    let (status, body) = app.device_kit_answer(&gate).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let message = error_message(&body);
    assert!(
        message.contains("not assigned to any gate now"),
        "{message}"
    );

    // Assigned again: the kit is served again, for that place only.
    app.assign("escort", &[p.rv], &[]).await;
    let again = app.device_kit(&escort).await;
    assert_eq!(again.places.len(), 1);
    assert_eq!(again.places[0].rv, p.rv);
    assert_eq!(again.format, "safeconduct-field-kit/2");
}

/// An escort's or gate officer's session, with no enrolled device's key, gets no kit: not
/// from the user-scoped kit (refused for their role, in whatever form asked), not from a
/// device's kit with a request it did not sign, nor with another device's signed request.
async fn a_session_token_alone_gets_no_kit(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    for (role, query) in [
        (Role::Escort, String::new()),
        (Role::Escort, format!("?rv={}", p.rv)),
        (Role::Escort, format!("?tier=checkpoint&rv={}", p.rv)),
        (Role::Gate, String::new()),
        (Role::Gate, format!("?tier=gate&gate={}", p.gate)),
    ] {
        let (status, code, _) = refused(&app, role, &query).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{role} {query}"
        );
    }
    let device = app.escort_at(p.rv, 33).await;
    let other = app.escort_at(p.rv, 34).await;
    let path = format!("/api/operations/{{op}}/devices/{}/kit", device.id);
    let request = kit_request_text(app.op, FieldDeviceId(device.id), safeconduct_keys::now());
    let unsigned = json!({"request": request, "signature": "A".repeat(86)});
    let by_another = json!({"request": request, "signature": other.key.sign(&request)});
    for body in [unsigned, by_another] {
        let (status, answer) = app
            .call(Role::Escort, Method::POST, &path, Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert!(answer.get("kit").is_none());
    }
    // The device's own signed request is served.
    assert_eq!(app.device_kit(&device).await.places[0].rv, p.rv);
}

async fn the_kit_of_an_escort_of_rv_a_does_not_open_a_pass_of_rv_b(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let (b, _, window_b) = rv_b(&app, p.rv).await;
    let pass_a = pass_in(&app, p.window, "0700 200 001").await;
    let pass_b = pass_in(&app, window_b, "0700 200 002").await;

    let escort_a = device_kit(&app, Role::Escort, &[p.rv], &[], 35).await;
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
    // Even standing at RV B; and a device enrolled for RV B gets no key while its user is
    // not assigned there.
    assert_eq!(
        outcome(&escort_a, &pass_b, Some(b)),
        Outcome::ForAnotherPlace
    );
    app.assign("escort", &[p.rv, b], &[]).await;
    let at_b = app.enrol_at(Role::Escort, &[b], &[], 36).await;
    app.assign("escort", &[p.rv], &[]).await;
    let (status, answer) = app.device_kit_answer(&at_b).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(answer.get("kit").is_none(), "no key of RV B: {answer}");

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
    let both = device_kit(&app, Role::Escort, &[p.rv, b], &[], 37).await;
    assert_eq!(both.places.len(), 2);
    assert_eq!(outcome(&both, &pass_b, Some(b)), Outcome::Valid);
    assert_eq!(
        outcome(&both, &pass_b, Some(p.rv)),
        Outcome::WrongRv {
            pass_rv: b as u64,
            here: p.rv as u64
        }
    );
    let narrowed = app.device_kit(&at_b).await;
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
    let gate_a = device_kit(&app, Role::Gate, &[], &[p.gate], 38).await;
    assert_eq!(gate_a.tier, "gate");
    assert_eq!(gate_a.places.len(), 1);
    assert_eq!(gate_a.places[0].rv, p.rv);
    assert_eq!(outcome(&gate_a, &pass_a, None), Outcome::Valid);
    assert_eq!(outcome(&gate_a, &pass_b, None), Outcome::ForAnotherPlace);
    // A gate device's kit holds gate keys only: it reads no checkpoint tier.
    assert!(
        gate_a
            .verifier()
            .unwrap()
            .verify_text(
                &pass_a,
                &Check {
                    now: safeconduct_keys::now().0 as u64,
                    ..Check::default()
                }
            )
            .checkpoint
            .is_none()
    );

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
    let both = device_kit(&app, Role::Gate, &[], &[p.gate, gate_b], 39).await;
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
    let migration = safeconduct_store::testing::migration(backend, 17);
    safeconduct_store::testing::raw_exec(app.db_url(), &migration).unwrap();

    let after = pass_in(&app, p.window, "0700 200 012").await;
    let fresh = device_kit(&app, Role::Escort, &[p.rv], &[], 40).await;
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
    let phone = app.escort_at(p.rv, 41).await;
    let lost = app.device_kit(&phone).await;
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
    let fresh = app.device_kit(&phone).await;
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
    a_session_token_alone_gets_no_kit,
    the_kit_of_an_escort_of_rv_a_does_not_open_a_pass_of_rv_b,
    a_gate_kit_opens_the_passes_of_its_gates_rvs_only,
    a_tier_secret_from_a_format_1_kit_opens_no_pass_after_the_upgrade,
    a_kit_lost_before_a_compromise_rotation_reads_no_reissued_pass,
);
