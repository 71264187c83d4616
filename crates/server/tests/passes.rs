//! Passes through the API on both backends: issued, fetched as text, QR and sheet, verified
//! offline with a field kit fetched by an escort device, revoked, superseded, and re-issued
//! after a key compromise. A standard QR reader (zbarimg) reads the served PNG back to the
//! exact text.

mod common;

use common::{case, spawn_app_with_places, zbar_read};
use reqwest::StatusCode;
use safeconduct_domain::scan::ScanPlace;
use safeconduct_domain::{GateId, Role, RvId};
use safeconduct_keys::passes::FieldKit;
use safeconduct_pass::{Check, Outcome};
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU8, Ordering};

fn now() -> u64 {
    safeconduct_keys::now().0 as u64
}

/// The kit of a device enrolled now for the test user of `role` at its place of `p`, asked
/// for with a request the device signs.
async fn kit(app: &common::TestApp, role: Role, p: &common::Places) -> FieldKit {
    static SEED: AtomicU8 = AtomicU8::new(60);
    let place = match role {
        Role::Gate => ScanPlace::Gate(GateId(p.gate)),
        _ => ScanPlace::Rv(RvId(p.rv)),
    };
    let device = app
        .enrol(role, place, SEED.fetch_add(1, Ordering::Relaxed))
        .await;
    app.device_kit(&device).await
}

/// Now, which is inside the test window, and the pass's RV, as the checkpoint tier says.
fn inside_window(kit: &FieldKit, text: &str) -> (u64, u64) {
    let now = now();
    let v = kit.verifier().unwrap().verify_text(
        text,
        &Check {
            now,
            ..Check::default()
        },
    );
    let c = v
        .checkpoint
        .expect("an escort kit reads the checkpoint tier");
    assert!(c.window_start <= now && now <= c.window_end);
    (now, c.rv)
}

async fn bytes(app: &common::TestApp, role: Role, path: &str) -> (StatusCode, String, Vec<u8>) {
    let res = app.read_for(role, path, None).await;
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

async fn a_pass_is_issued_fetched_and_verified_offline(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let reference = app.register(3, "0700 100 001").await;
    app.to_eligible(&reference).await;
    let case = case(&reference);
    let assignment = json!({"window_id": p.window});
    app.step(Role::Coordinator, &reference, "assign", Some(assignment))
        .await;
    let issued = app.step(Role::Coordinator, &reference, "pass", None).await;
    assert_eq!(issued["step"]["to"], "pass_issued");
    let text = issued["pass"]["text"].as_str().unwrap().to_string();
    assert!(text.starts_with("SC2:"));
    assert!(issued["pass"]["bytes"].as_u64().unwrap() <= 200);
    assert!(issued["pass"]["qr_version"].as_i64().unwrap() <= 10);

    // A coordinator can fetch it to send to the household; neither the hotline nor the escort
    // party can (a pass in hand admits whoever holds it).
    let fetched = app.get(Role::Coordinator, &format!("{case}/pass")).await;
    assert_eq!(fetched["text"], text.as_str());
    assert_eq!(fetched["state"], "valid");
    for role in [Role::Hotline, Role::Escort] {
        let (status, _) = app.try_get(role, &format!("{case}/pass")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }

    // The escort device's kit opens the checkpoint tier, not the gate tier.
    let escort = kit(&app, Role::Escort, &p).await;
    assert_eq!(escort.tier, "checkpoint");
    assert_eq!(escort.places.len(), 1, "the escort works at one RV");
    let (at, rv) = inside_window(&escort, &text);
    assert_eq!(rv, p.rv as u64);
    let verifier = escort.verifier().unwrap();
    let check = Check {
        now: at,
        rv: Some(rv),
        holder: Some(("P00001000", 1960)),
    };
    let v = verifier.verify_text(&text, &check);
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");
    assert_eq!(v.checkpoint.unwrap().people, 3);
    assert!(v.gate.is_none());
    assert_eq!(
        verifier
            .verify_text(
                &text,
                &Check {
                    holder: Some(("P00001001", 1960)),
                    ..check
                }
            )
            .outcome,
        Outcome::HolderMismatch
    );
    assert_eq!(
        verifier
            .verify_text(
                &text,
                &Check {
                    rv: Some(rv + 1),
                    ..check
                }
            )
            .outcome,
        Outcome::WrongRv {
            pass_rv: rv,
            here: rv + 1
        }
    );
    // An escort's session gets no kit by itself; the gate device gets the gate tier.
    let (status, _) = app
        .try_get(Role::Escort, "/api/operations/{op}/field-kit?tier=gate")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let gate = kit(&app, Role::Gate, &p).await;
    let v = gate.verifier().unwrap().verify_text(
        &text,
        &Check {
            now: at,
            ..Check::default()
        },
    );
    assert_eq!(v.outcome, Outcome::Valid);
    assert_eq!(v.gate.unwrap().reference, reference.replace('-', ""));
    let (status, _) = app
        .try_get(Role::Coordinator, "/api/operations/{op}/field-kit")
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a coordinator names the tier"
    );

    // The published keys are COSE_Keys; no answer carries a private key.
    let keys = app.get(Role::Auditor, "/api/operations/{op}/keys").await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
    assert_eq!(keys["keys"][0]["state"], "active");
    let cose =
        safeconduct_keys::passes::from_b64(keys["keys"][0]["cose_key"].as_str().unwrap()).unwrap();
    assert!(safeconduct_pass::PublicKey::from_cose_key(&cose).is_ok());
    assert!(!keys.to_string().contains("secret"));

    // QR as SVG and PNG; a printable sheet in the household's language naming nobody.
    let (status, kind, svg) = bytes(&app, Role::Coordinator, &format!("{case}/pass.svg")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/svg+xml"));
    assert!(String::from_utf8(svg).unwrap().starts_with("<svg"));
    let (status, kind, png) = bytes(&app, Role::Coordinator, &format!("{case}/pass.png")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"));
    assert_eq!(&png[1..4], b"PNG");
    let (status, _, sheet) = bytes(&app, Role::Coordinator, &format!("{case}/pass.html")).await;
    assert_eq!(status, StatusCode::OK);
    let sheet = String::from_utf8(sheet).unwrap();
    assert!(sheet.contains(r#"lang="prs" dir="rtl""#), "{sheet}");
    assert!(sheet.contains("اجازه‌نامه"));
    assert!(sheet.contains("RV Alpha"));
    assert!(!sheet.contains("Sadat"), "the sheet names no person");
}

async fn revoking_superseding_and_a_compromised_key_reach_the_status_list(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let a = app.register(1, "0700 100 002").await;
    let b = app.register(2, "0700 100 003").await;
    app.to_pass_issued(&a, p.window).await;
    app.to_pass_issued(&b, p.window).await;
    let pass_of = |r: &str| format!("{}/pass", case(r));
    let text = |v: &Value| v["text"].as_str().unwrap().to_string();
    let old_a = text(&app.get(Role::Coordinator, &pass_of(&a)).await);
    let old_b = text(&app.get(Role::Coordinator, &pass_of(&b)).await);

    // Re-issue a's pass: the old one is superseded.
    let new_a = app.post(Role::Coordinator, &pass_of(&a), None).await;
    let new_a = new_a["pass"]["text"].as_str().unwrap().to_string();
    // Revoke b's pass, with a reason.
    let reason = json!({"reason": "phone taken at a checkpoint"});
    app.step(Role::Coordinator, &b, "pass/revoke", Some(reason))
        .await;
    let again = json!({"reason": "again"});
    let (status, body) = app
        .try_step(Role::Coordinator, &b, "pass/revoke", Some(again))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let escort = kit(&app, Role::Escort, &p).await;
    let (at, rv) = inside_window(&escort, &new_a);
    let verifier = escort.verifier().unwrap();
    let check = Check {
        now: at,
        rv: Some(rv),
        holder: None,
    };
    assert_eq!(
        verifier.verify_text(&old_a, &check).outcome,
        Outcome::Superseded
    );
    assert_eq!(verifier.verify_text(&new_a, &check).outcome, Outcome::Valid);
    assert_eq!(
        verifier.verify_text(&old_b, &check).outcome,
        Outcome::Revoked
    );

    // The signing key is compromised: rotate and re-issue in one call.
    let rotate = json!({"compromised": true, "reissue": true});
    let rotation = app
        .post(
            Role::Coordinator,
            "/api/operations/{op}/keys/rotate",
            Some(rotate),
        )
        .await;
    assert_eq!(rotation["affected"], 1, "{rotation}");
    assert_eq!(rotation["reissued"][0]["reference"], a.as_str());
    let reissued = text(&app.get(Role::Coordinator, &pass_of(&a)).await);
    assert_ne!(reissued, new_a);
    let escort = kit(&app, Role::Escort, &p).await;
    assert_eq!(escort.keys.len(), 2);
    let verifier = escort.verifier().unwrap();
    assert_eq!(
        verifier.verify_text(&new_a, &check).outcome,
        Outcome::Revoked
    );
    assert_eq!(
        verifier.verify_text(&reissued, &check).outcome,
        Outcome::Valid
    );
    let keys = app
        .get(Role::Coordinator, "/api/operations/{op}/keys")
        .await;
    let states: Vec<&str> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["compromised", "active"]);

    // Reassigning voids the pass at once.
    let (start, end) = ("2030-01-01T06:00:00Z", "2030-01-01T08:00:00Z");
    let second_window = app.add_window(p.rv, start, end, 10).await;
    app.reassign(&a, second_window).await;
    let status = app
        .get(Role::Escort, "/api/operations/{op}/status-list")
        .await;
    let signed = safeconduct_keys::passes::from_b64(status["signed"].as_str().unwrap()).unwrap();
    let public: Vec<_> = escort.verifier().unwrap().keys;
    let list = safeconduct_pass::StatusList::verify(&signed, &public).unwrap();
    let index = verifier.verify_text(&reissued, &check).index.unwrap();
    assert_eq!(list.status(index), safeconduct_pass::PassStatus::Superseded);
    // The compromised key's passes take no bit: the list names the key, and a reader refuses
    // them by it (above), so the bits never add up to the passes the key signed.
    let index = verifier.verify_text(&new_a, &check).index.unwrap();
    assert_eq!(list.status(index), safeconduct_pass::PassStatus::Good);
    assert_eq!(list.compromised.len(), 1);
}

/// zbarimg, from Debian's zbar-tools, is the independent reader (`zbar_read`). A machine
/// without it fails this test rather than skipping it.
async fn a_standard_qr_reader_decodes_the_served_png_to_the_exact_text(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let reference = app.register_with_pass(6, "0700 100 004", p.window).await;
    let case = case(&reference);
    let text = app.get(Role::Coordinator, &format!("{case}/pass")).await["text"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, png) = bytes(&app, Role::Coordinator, &format!("{case}/pass.png")).await;
    assert_eq!(zbar_read(&png), text);
}

/// A stranger with a QR reader reads a pass's clear header: its key id, index and days. The
/// indices of passes issued one after another (a re-issue among them) are scattered, all of
/// one length: they tell no count and no rate.
async fn a_stranger_who_scans_passes_learns_no_count_from_them(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let mut texts = Vec::new();
    for n in 0..6 {
        let reference = app.register(1, &format!("0700 100 1{n:02}")).await;
        app.to_pass_issued(&reference, p.window).await;
        let pass = app
            .get(Role::Coordinator, &format!("{}/pass", case(&reference)))
            .await;
        texts.push(pass["text"].as_str().unwrap().to_string());
        if n == 2 {
            let again = app
                .post(
                    Role::Coordinator,
                    &format!("{}/pass", case(&reference)),
                    None,
                )
                .await;
            texts.push(again["pass"]["text"].as_str().unwrap().to_string());
        }
    }
    let indices: Vec<u64> = texts
        .iter()
        .map(|t| {
            let bytes = safeconduct_pass::from_text(t).expect("a pass's text");
            safeconduct_pass::clear_of(&bytes)
                .expect("a clear header")
                .index
        })
        .collect();
    let scattered = safeconduct_domain::field::SCATTERED_PASS_INDICES_FROM
        ..safeconduct_domain::field::STATUS_LIST_SIZE;
    assert!(indices.iter().all(|i| scattered.contains(i)), "{indices:?}");
    for pair in indices.windows(2) {
        assert!(
            pair[0].abs_diff(pair[1]) > 1,
            "consecutive indices: {indices:?}"
        );
    }
    let lengths: Vec<usize> = texts.iter().map(String::len).collect();
    assert!(lengths.iter().all(|&l| l == lengths[0]), "{lengths:?}");
}

safeconduct_store::on_both_backends_async!(
    a_stranger_who_scans_passes_learns_no_count_from_them,
    a_pass_is_issued_fetched_and_verified_offline,
    revoking_superseding_and_a_compromised_key_reach_the_status_list,
    a_standard_qr_reader_decodes_the_served_png_to_the_exact_text,
);
