//! An escort tries to forge scans: under another escort's enrolled device (so that the real
//! device's records would be dropped as already had), with records signed by a key the server
//! never registered, with absurd sequence numbers, pass indexes, times and counts, with a
//! place not the device's, admitting passes it never read; and reads the answers for devices
//! that are not theirs. Every
//! attack is refused or comes to nothing, and a refused sync stores nothing.

mod common;

use common::field::sync_body;
use common::{TestApp, assert_refused, error_message, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::field::MAX_SCAN_SEQ;
use safeconduct_domain::scan::{ScanAct, ScanPlace, ScanRecord};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{FieldDeviceId, GateId, OperationId, Role, RvId};
use safeconduct_keys::devices::client::{DeviceKey, record_text};
use safeconduct_store::testing::Backend;

fn now() -> i64 {
    safeconduct_keys::now().0
}

/// The intruder (a second escort, at RV B) sends `records` to `path`; the status.
async fn intruder_sends(
    app: &TestApp,
    token: &str,
    path: &str,
    records: &[(String, String)],
) -> StatusCode {
    app.call_with(
        Some(token),
        Method::POST,
        path,
        Some(sync_body(records, now())),
    )
    .await
    .0
}

fn signed(key: &DeviceKey, record: &ScanRecord) -> (String, String) {
    let text = record_text(record);
    let sig = key.sign(&text);
    (text, sig)
}

async fn another_escorts_device_is_not_theirs_to_sync(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let (reference, pass) = app.pass_holder(1, "0700 310 001", p.window).await;
    let rv_b = app.propose_rv("RV Bravo").await;
    let intruder = app.add_user("escort2", Role::Escort).await;
    app.assign("escort2", &[rv_b], &[]).await;
    let mut real = app.escort_at(p.rv, 21).await;
    // The intruder makes records in the real device's name with its own key, first.
    let own_key = DeviceKey::from_seed([66; 32]);
    let record = ScanRecord {
        operation: app.op,
        device: FieldDeviceId(real.id),
        seq: 0,
        at: Timestamp(now()),
        place: ScanPlace::Rv(RvId(p.rv)),
        act: ScanAct::Refuse {
            pass_index: Some(pass),
            code: "wrong_rv".into(),
        },
        pass_digest: None,
    };
    let status = intruder_sends(
        &app,
        &intruder,
        &real.scans_path(),
        &[signed(&own_key, &record)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another user's device is not found"
    );
    // Even as the real device's user, a key the server never registered signs nothing.
    let (status, _) = app.sync(&real, &[signed(&own_key, &record)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The real device's seq 0 is still free: its admission is stored and takes effect.
    let admit = real.record(
        app.op.0,
        ScanAct::Admit {
            pass_index: pass,
            batch: None,
        },
        now(),
    );
    let answer = app.sync_ok(&real, &[admit]).await;
    assert_eq!(answer["received"], 1);
    assert_eq!(app.stage(&reference).await, "admitted_at_rv");
}

async fn records_out_of_range_are_refused_and_change_nothing(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let (reference, pass) = app.pass_holder(2, "0700 310 002", p.window).await;
    let device = app.escort_at(p.rv, 22).await;
    let base = ScanRecord {
        operation: OperationId(app.op.0),
        device: FieldDeviceId(device.id),
        seq: 0,
        at: Timestamp(now()),
        place: ScanPlace::Rv(RvId(p.rv)),
        act: ScanAct::Admit {
            pass_index: pass,
            batch: None,
        },
        pass_digest: app.passes_read.lock().unwrap().get(&pass).copied(),
    };
    let with = |f: &dyn Fn(&mut ScanRecord)| {
        let mut r = base.clone();
        f(&mut r);
        signed(&device.key, &r)
    };
    let bad = [
        with(&|r| r.seq = MAX_SCAN_SEQ + 1),
        with(&|r| {
            r.act = ScanAct::Admit {
                pass_index: 1 << 40,
                batch: None,
            }
        }),
        with(&|r| {
            r.act = ScanAct::Admit {
                pass_index: -1,
                batch: None,
            }
        }),
        with(&|r| r.at = Timestamp(253_402_300_799)),
        with(&|r| r.at = Timestamp(-62_135_596_800)),
        with(&|r| {
            r.act = ScanAct::Admit {
                pass_index: pass,
                batch: Some(0),
            }
        }),
        with(&|r| {
            r.act = ScanAct::Refuse {
                pass_index: None,
                code: "Admit\u{202e}".into(),
            }
        }),
        with(&|r| r.place = ScanPlace::Gate(GateId(p.gate))),
        with(&|r| r.place = ScanPlace::Rv(RvId(p.rv + 77))),
        with(&|r| r.operation = OperationId(app.op.0 + 1)),
    ];
    for record in &bad {
        let (status, body) = app.sync(&device, std::slice::from_ref(record)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            record.0
        );
    }
    // Malformed texts, a bad signature encoding, an empty sync.
    let junk = [
        ("{".to_string(), device.key.sign("{")),
        ("[]".to_string(), device.key.sign("[]")),
        (bad[0].0.clone(), "not-base64!".to_string()),
    ];
    for record in &junk {
        let (status, _) = app.sync(&device, std::slice::from_ref(record)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", record.0);
    }
    let (status, _) = app
        .call(
            Role::Escort,
            Method::POST,
            &device.scans_path(),
            Some(sync_body(&[], now())),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.stage(&reference).await, "pass_issued");
    let devices = app
        .get(Role::Coordinator, "/api/operations/{op}/devices")
        .await;
    assert_eq!(
        devices[0]["applied_seq"], -1,
        "nothing was stored: {devices}"
    );
    assert!(devices[0]["last_sync_at"].is_null());
}

/// A rogue escort device admits households of its own RV whose passes it never read: it knows
/// (or guesses) their indices, not their signed bytes. Without the pass's digest, with a wrong
/// one, with the digest of another pass it did read, or as a version 1 record naming the pass by
/// index only, the sync is refused whole and nothing changes; the answer is the same for an
/// index nobody holds.
async fn an_admission_of_a_pass_the_device_never_read_is_refused(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let target = app.register_with_pass(2, "0700 310 003", p.window).await;
    let (read, read_index) = app.pass_holder(1, "0700 310 004", p.window).await;
    // The device never reads the target's pass: its index is taken from the coordinator's
    // view here, as an insider would guess it.
    let target_index = app
        .get(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/households/{target}/pass"),
        )
        .await["pass_index"]
        .as_i64()
        .unwrap();
    let mut device = app.escort_at(p.rv, 23).await;
    let admit = |pass_index| ScanAct::Admit {
        pass_index,
        batch: None,
    };
    let other_digest = app.passes_read.lock().unwrap()[&read_index];
    let forged = [
        device.record_with_digest(app.op.0, admit(target_index), now(), Some([7; 16])),
        device.record_with_digest(app.op.0, admit(target_index), now(), Some(other_digest)),
    ];
    let mut answers = Vec::new();
    for record in &forged {
        let (status, body) = app.sync(&device, std::slice::from_ref(record)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = error_message(&body).to_string();
        assert!(message.contains("pass_digest"), "{message}");
        answers.push(message.replace(&format!("seq {}", answers.len()), "seq N"));
    }
    // An index nobody holds is answered in the same words (but for the index named).
    let nobody = device.record_with_digest(app.op.0, admit(900), now(), Some([7; 16]));
    let (status, body) = app.sync(&device, &[nobody]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = error_message(&body);
    assert_eq!(
        message
            .replace("seq 2", "seq N")
            .replace("pass 900", &format!("pass {target_index}")),
        answers[0]
    );
    // A version 1 record, naming the pass by index only, is refused too.
    let v1 = {
        let r = ScanRecord {
            operation: app.op,
            device: FieldDeviceId(device.id),
            seq: 3,
            at: Timestamp(now()),
            place: ScanPlace::Rv(RvId(p.rv)),
            act: admit(target_index),
            pass_digest: None,
        };
        let text = record_text(&r).replace("safeconduct-scan/2", "safeconduct-scan/1");
        let sig = device.key.sign(&text);
        (text, sig)
    };
    let (status, body) = app.sync(&device, &[v1]).await;
    assert_refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "format");
    // Nothing was stored or moved.
    assert_eq!(app.stage(&target).await, "pass_issued");
    assert!(app.open_incidents().await.is_empty());
    let devices = app
        .get(Role::Coordinator, "/api/operations/{op}/devices")
        .await;
    assert_eq!(devices[0]["applied_seq"], -1, "{devices}");
    assert!(devices[0]["last_sync_at"].is_null());
    // The pass the device did read is admitted with its digest.
    let mut honest = app.escort_at(p.rv, 24).await;
    let ok = honest.record(app.op.0, admit(read_index), now());
    app.sync_ok(&honest, &[ok]).await;
    assert_eq!(app.stage(&read).await, "admitted_at_rv");
}

/// An escort stating, in `X-Device-Id`, a name the server records itself (an enrolled device's
/// `device/N`, the command line's `cli`) is refused and changes nothing: steps and the chain
/// of custody cannot be recorded as another party's device. A name of their own is recorded as
/// they state it.
async fn an_escort_cannot_act_in_the_name_of_an_enrolled_device(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 10, 50).await;
    let reference = app.register_with_pass(1, "0700 300 001", p.window).await;
    let admit = |device: &'static str| {
        app.client
            .post(app.url(&format!(
                "/api/operations/{{op}}/households/{reference}/rv-arrival"
            )))
            .bearer_auth(app.token(Role::Escort))
            .header("X-Device-Id", device)
            .json(&serde_json::json!({ "rv_id": p.rv }))
            .send()
    };
    for claimed in ["device/1", "Device/12", "CLI"] {
        let res = admit(claimed).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{claimed}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_header", "{body}");
    }
    let case = app.get(Role::Coordinator, &common::case(&reference)).await;
    assert_eq!(case["stage"], "pass_issued", "{case}");
    let res = admit("phone-7").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let events = app
        .get(
            Role::Coordinator,
            &format!("{}/events", common::case(&reference)),
        )
        .await;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "admit_at_rv", "{events}");
    assert_eq!(last["device"], "phone-7", "{events}");
}

safeconduct_store::on_both_backends_async!(
    an_escort_cannot_act_in_the_name_of_an_enrolled_device,
    another_escorts_device_is_not_theirs_to_sync,
    records_out_of_range_are_refused_and_change_nothing,
    an_admission_of_a_pass_the_device_never_read_is_refused,
);
