//! Enrolled field devices record scans offline, signed with their own key, and sync them: an
//! admission scan admits the household whose pass it read, a departure moves the batch into
//! escort, arrivals per person at the gate move each household when all its members are in,
//! a check-in hands it to processing. Re-sending is harmless, a gap waits, conflicts become
//! incidents a coordinator resolves, and the chain of custody names who held whom.

mod common;

use common::field::sync_body;
use common::*;
use reqwest::{Method, StatusCode};
use safeconduct_domain::scan::{ScanAct, ScanPlace};
use safeconduct_domain::{Role, RvId};
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

fn now() -> i64 {
    safeconduct_keys::now().0
}

async fn scans_admit_depart_arrive_and_check_in_through_the_lifecycle(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let (a, pa) = app.pass_holder(3, "0700 100 001", places.window).await;
    let (b, pb) = app.pass_holder(2, "0700 100 002", places.window).await;
    let mut escort = app.escort_at(places.rv, 1).await;
    let mut gate = app.gate_device_at(places.gate, 2).await;

    // Twenty minutes ago, inside the window: every record below is dated before its sync (a
    // record's time is never taken as later than the sync that brought it).
    let t = now() - 1200;
    let records = escort.walk(op, places.gate, &[pa, pb], 5, (t, t + 60));
    let first = app.sync_ok(&escort, &records).await;
    assert_eq!(first["received"], 4);
    assert_eq!(first["applied_seq"], 3);
    assert_eq!(first["incidents"], json!([]), "{first}");
    assert_eq!(app.stage(&a).await, "in_escort");
    assert_eq!(app.stage(&b).await, "in_escort");

    // The same sync again, as a phone on a bad network sends it: nothing moves twice.
    let again = app.sync_ok(&escort, &records).await;
    assert_eq!(
        (again["received"].as_u64(), again["already_had"].as_u64()),
        (Some(0), Some(4))
    );

    // At the gate: two of household A's three arrive, then the third; B whole; B checked in.
    let arrivals = vec![
        gate.record(
            op,
            ScanAct::Arrive {
                pass_index: pa,
                people: 2,
            },
            t + 600,
        ),
        gate.record(
            op,
            ScanAct::Arrive {
                pass_index: pb,
                people: 2,
            },
            t + 600,
        ),
        gate.record(op, ScanAct::CheckIn { pass_index: pb }, t + 700),
    ];
    let at_gate = app.sync_ok(&gate, &arrivals).await;
    assert_eq!(
        kinds(&at_gate["incidents"]),
        ["partial_arrival"],
        "{at_gate}"
    );
    // Arrival is per person: the two who arrived go on, the third is still on the way.
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["stage"], "arrived_at_gate");
    let apart = household["members_apart"].as_array().unwrap();
    assert_eq!(
        apart.len(),
        1,
        "one member is still on the way: {household}"
    );
    assert_eq!(apart[0]["stage"], "in_escort");
    assert_eq!(app.stage(&b).await, "processed");
    let last = vec![gate.record(
        op,
        ScanAct::Arrive {
            pass_index: pa,
            people: 1,
        },
        t + 900,
    )];
    app.sync_ok(&gate, &last).await;
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["stage"], "arrived_at_gate");
    assert_eq!(household["members_apart"], json!([]), "the third rejoined");

    // Every person is in one stage and the batch balances.
    let report = app.accountability().await;
    assert_eq!(report["ok"], true, "{report}");

    // The chain of custody of each of A's three: the batch, the escort's device, from
    // departure to their own arrival.
    let chain = app
        .get(Role::Coordinator, &format!("{}/custody", case(&a)))
        .await;
    let links = chain.as_array().unwrap();
    assert_eq!(links.len(), 3, "{chain}");
    for link in links {
        assert_eq!(link["device"], format!("device/{}", escort.id));
        assert_eq!(link["ended_by"], "arrived");
        assert!(link["until"].is_string());
    }
    assert_ne!(
        links[1]["until"], links[2]["until"],
        "the third arrived later"
    );
}

async fn records_after_a_gap_wait_for_the_missing_ones(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let (a, pa) = app.pass_holder(1, "0700 100 011", places.window).await;
    let mut escort = app.escort_at(places.rv, 3).await;
    let t = now();
    let walk = escort.walk(op, places.gate, &[pa], 1, (t, t));
    let [open, admit, depart]: [(String, String); 3] = walk.try_into().unwrap();
    // The last chunk arrives first: stored, acknowledged, waiting.
    let late_first = app.sync_ok(&escort, &[admit.clone(), depart.clone()]).await;
    assert_eq!(late_first["received"], 2);
    assert_eq!(late_first["applied_seq"], -1);
    assert_eq!(app.stage(&a).await, "pass_issued");
    let filled = app.sync_ok(&escort, &[open]).await;
    assert_eq!(filled["applied_seq"], 2);
    assert_eq!(app.stage(&a).await, "in_escort");
}

async fn conflicts_become_incidents_and_a_coordinator_resolves_them(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let (a, pa) = app.pass_holder(1, "0700 100 021", places.window).await;
    let (r, pr) = app.pass_holder(1, "0700 100 022", places.window).await;
    // R's pass is revoked while the escorts are offline with an old status list.
    app.post(
        Role::Coordinator,
        &format!("{}/pass/revoke", case(&r)),
        Some(json!({"reason": "reported stolen"})),
    )
    .await;
    let mut one = app.escort_at(places.rv, 4).await;
    let mut two = app.escort_at(places.rv, 5).await;
    let t = now();
    let rec = one.admit(op, pa, t);
    let first = app.sync_ok(&one, &[rec]).await;
    assert_eq!(first["incidents"], json!([]));
    let recs = [two.admit(op, pa, t + 5), two.admit(op, pr, t + 6)];
    let second = app.sync_ok(&two, &recs).await;
    let mut kinds: Vec<&str> = second["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["double_admission", "revoked_pass"], "{second}");
    // The device sees its own records of the double admission, never the other device's.
    let double = second["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "double_admission")
        .unwrap()
        .clone();
    assert_eq!(double["records"], json!([[two.id, 0]]));
    // Nor its id: a count of every incident, a day's rate between two syncs.
    assert!(double.get("id").is_none(), "{double}");
    assert_eq!(
        app.stage(&r).await,
        "pass_issued",
        "a revoked pass admits nobody"
    );
    assert_eq!(app.stage(&a).await, "admitted_at_rv");

    // The coordinator sees both devices' records and resolves with a note.
    let open = app.open_incidents().await;
    assert_eq!(open.len(), 2);
    let double = open
        .iter()
        .find(|i| i["kind"] == "double_admission")
        .unwrap();
    assert_eq!(double["records"], json!([[one.id, 0], [two.id, 0]]));
    let id = double["id"].as_i64().unwrap();
    let resolved = app
        .post(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/incidents/{id}/resolve"),
            Some(json!({"note": "same family, scanned twice at the door"})),
        )
        .await;
    assert!(resolved["resolved_at"].is_string());
    assert_eq!(app.open_incidents().await.len(), 1);
    let (status, _) = app
        .call(
            Role::Coordinator,
            Method::POST,
            &format!("/api/operations/{{op}}/incidents/{id}/resolve"),
            Some(json!({"note": "again"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // A clock four hours behind at a sync is an incident of its own.
    let late = vec![one.record(
        op,
        ScanAct::Refuse {
            pass_index: None,
            code: "unreadable".into(),
        },
        t,
    )];
    let (status, skewed) = app
        .call(
            Role::Escort,
            Method::POST,
            &one.scans_path(),
            Some(sync_body(&late, now() - 4 * 3600)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(skewed["incidents"][0]["kind"], "clock_skew", "{skewed}");
}

/// A server with its places, a household of one holding a pass (its reference and index, the
/// pass read by the devices), and two escort devices at its RV (keys from `seed` and
/// `seed + 1`).
async fn two_escorts_and_a_pass(
    backend: Backend,
    seed: u8,
) -> (
    TestApp,
    Places,
    String,
    i64,
    common::field::Device,
    common::field::Device,
) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let (a, pa) = app.pass_holder(1, "0700 100 031", places.window).await;
    let at_rv = ScanPlace::Rv(RvId(places.rv));
    let one = app.enrol(Role::Escort, at_rv, seed).await;
    let two = app.enrol(Role::Escort, at_rv, seed + 1).await;
    (app, places, a, pa, one, two)
}

async fn a_suspended_device_and_forged_records_are_refused_and_change_nothing(backend: Backend) {
    let (app, places, a, pa, mut escort, mut other) = two_escorts_and_a_pass(backend, 6).await;
    let op = app.op.0;
    let t = now();
    let admit = escort.admit(op, pa, t);

    // A record changed after signing.
    let forged_text = admit
        .0
        .replace(&format!("\"pass\":{pa}"), &format!("\"pass\":{}", pa + 7));
    assert_ne!(forged_text, admit.0);
    let forged = (forged_text, admit.1.clone());
    let (status, body) = app.sync(&escort, &[forged]).await;
    assert_refused(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "records[0].signature",
    );
    // Another device's records replayed under this device's name.
    let replayed = other.admit(op, pa, t);
    let (status, _) = app.sync(&escort, &[replayed]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // One bad record refuses the whole sync.
    let bad = escort.record(
        op,
        ScanAct::Depart {
            batch: 1,
            head_count: 0,
        },
        t,
    );
    let (status, _) = app.sync(&escort, &[admit.clone(), bad]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A place outside the device's.
    let mut elsewhere = app.escort_at(places.rv, 8).await;
    elsewhere.place = ScanPlace::Rv(RvId(places.rv + 1000));
    let outside = elsewhere.admit(op, pa, t);
    let (status, _) = app.sync(&elsewhere, &[outside]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another user's device is not found, like a device that does not exist.
    let (status_mine, _) = app
        .call(
            Role::Gate,
            Method::POST,
            &escort.scans_path(),
            Some(sync_body(std::slice::from_ref(&admit), t)),
        )
        .await;
    let (status_none, _) = app
        .call(
            Role::Escort,
            Method::POST,
            "/api/operations/{op}/devices/99999/scans",
            Some(sync_body(std::slice::from_ref(&admit), t)),
        )
        .await;
    assert_eq!(status_mine, StatusCode::NOT_FOUND);
    assert_eq!(status_none, StatusCode::NOT_FOUND);
    assert_eq!(app.stage(&a).await, "pass_issued");

    // Suspended: refused, and the kit is refused too.
    app.post(
        Role::Coordinator,
        &format!("/api/operations/{{op}}/devices/{}/suspend", escort.id),
        None,
    )
    .await;
    // Suspension signs the device's user out everywhere (the phone held the session too);
    // signed in again, the user's syncs from the suspended device are refused.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, _) = app.sync(&escort, std::slice::from_ref(&admit)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old session ended");
    let token = sign_in(&app.client, &app.base, "escort").await;
    let (status, answer) = app
        .call_with(
            Some(&token),
            Method::POST,
            &escort.scans_path(),
            Some(sync_body(&[admit], t)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(answer["error"]["code"], "device_suspended", "{answer}");
    assert_eq!(app.stage(&a).await, "pass_issued");
    let text = safeconduct_keys::devices::client::kit_request_text(
        app.op,
        safeconduct_domain::FieldDeviceId(escort.id),
        safeconduct_domain::values::Timestamp(t),
    );
    let (status, _) = app
        .call_with(
            Some(&token),
            Method::POST,
            &format!("/api/operations/{{op}}/devices/{}/kit", escort.id),
            Some(json!({"request": text, "signature": escort.key.sign(&text)})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn a_device_kit_carries_keys_windows_and_released_gates_but_no_roster(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let a = app
        .register_with_pass(2, "0700 100 041", places.window)
        .await;
    // A window that is over and one that opens after the kit expires: not in the kit.
    let hours = |h: i64| {
        safeconduct_server::wire::time_text(safeconduct_domain::values::Timestamp(now() + h * 3600))
    };
    app.add_window(places.rv, &hours(-4), &hours(-2), 10).await;
    app.add_window(places.rv, &hours(13), &hours(14), 10).await;
    let escort = app.escort_at(places.rv, 9).await;
    let kit_of = |seed_text: String, sig: String| json!({"request": seed_text, "signature": sig});
    let text = safeconduct_keys::devices::client::kit_request_text(
        app.op,
        safeconduct_domain::FieldDeviceId(escort.id),
        safeconduct_domain::values::Timestamp(now()),
    );
    let path = format!("/api/operations/{{op}}/devices/{}/kit", escort.id);
    let kit = app.device_kit_ok(&escort).await;
    assert_eq!(kit["kit"]["tier"], "checkpoint");
    assert_eq!(kit["windows"][0]["expected_people"], 2);
    assert_eq!(kit["windows"].as_array().unwrap().len(), 1, "{kit}");
    assert_eq!(
        kit["gate_locations"],
        json!([]),
        "no gate location until released"
    );
    let body = kit.to_string();
    assert!(!body.contains(&a), "the kit names no case");
    assert!(
        !body.contains("Sadat") && !body.contains("0700"),
        "the kit names nobody"
    );
    // A request signed by another key is refused.
    let (status, _) = app
        .call(
            Role::Escort,
            Method::POST,
            &path,
            Some(kit_of(
                text.clone(),
                safeconduct_keys::devices::client::DeviceKey::from_seed([99; 32]).sign(&text),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Released for the window, the gate's location is in the next kit; withdrawn, it is not.
    let release = app
        .create(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/gates/{}/releases", places.gate),
            json!({"device_id": escort.id, "window_id": places.window}),
        )
        .await;
    let kit = app.device_kit_ok(&escort).await;
    assert_eq!(kit["gate_locations"][0]["gate_id"], places.gate);
    app.post(
        Role::Coordinator,
        &format!(
            "/api/operations/{{op}}/gate-releases/{}/revoke",
            release["id"]
        ),
        None,
    )
    .await;
    let kit = app.device_kit_ok(&escort).await;
    assert_eq!(kit["gate_locations"], json!([]));

    // Released for a window that opens in three hours, the location waits until an hour
    // before it opens: not a day ahead to pass on.
    let now = safeconduct_keys::now().0;
    let text =
        |t: i64| safeconduct_server::wire::time_text(safeconduct_domain::values::Timestamp(t));
    let later = app
        .add_window(places.rv, &text(now + 3 * 3600), &text(now + 5 * 3600), 10)
        .await;
    let releases = format!("/api/operations/{{op}}/gates/{}/releases", places.gate);
    app.create(
        Role::Coordinator,
        &releases,
        json!({"device_id": escort.id, "window_id": later}),
    )
    .await;
    let kit = app.device_kit_ok(&escort).await;
    assert_eq!(kit["gate_locations"], json!([]), "too early: {kit}");
    // Released for the window under way, it goes only while the gate is open.
    app.create(
        Role::Coordinator,
        &releases,
        json!({"device_id": escort.id, "window_id": places.window}),
    )
    .await;
    let kit = app.device_kit_ok(&escort).await;
    assert_eq!(
        kit["gate_locations"][0]["window_id"], places.window,
        "{kit}"
    );
    let status = format!("/api/operations/{{op}}/gates/{}/status", places.gate);
    for (gate_status, released) in [("suspended", false), ("open", true)] {
        app.ok(
            Role::Coordinator,
            Method::POST,
            &status,
            Some(json!({"status": gate_status})),
            200,
        )
        .await;
        let kit = app.device_kit_ok(&escort).await;
        let listed = kit["gate_locations"].as_array().unwrap().len();
        assert_eq!(listed, usize::from(released), "gate {gate_status}: {kit}");
    }
}

async fn an_enrolment_code_registers_one_key_once(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let enrolled = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/devices",
            json!({"username": "escort", "role": "escort", "rv_ids": [places.rv], "label": "phone"}),
        )
        .await;
    let id = enrolled["device"]["id"].as_i64().unwrap();
    let key = safeconduct_keys::devices::client::DeviceKey::from_seed([11; 32]);
    let path = format!("/api/operations/{{op}}/devices/{id}/key");
    let wrong = json!({"code": "AAAA-BBBB-CCCC-DDDD", "public_key": key.public_text()});
    let (status, _) = app
        .call(Role::Escort, Method::POST, &path, Some(wrong))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let right = json!({"code": enrolled["enrolment_code"], "public_key": key.public_text()});
    let (status, _) = app
        .call(Role::Escort, Method::POST, &path, Some(right.clone()))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call(Role::Escort, Method::POST, &path, Some(right))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a code registers one key, once"
    );
    // A user of another operation and a name nobody has get one answer.
    let ask = |name: &str| json!({"username": name, "role": "escort", "rv_ids": [places.rv], "label": "x"});
    let path = "/api/operations/{op}/devices";
    let other = app
        .call(Role::Coordinator, Method::POST, path, Some(ask("outsider")))
        .await;
    let nobody = app
        .call(
            Role::Coordinator,
            Method::POST,
            path,
            Some(ask("nobody-at-all")),
        )
        .await;
    assert_eq!(other.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other, nobody);
    // A device for a place its user does not hold is refused.
    let (status, _) = app
        .call(
            Role::Coordinator,
            Method::POST,
            "/api/operations/{op}/devices",
            Some(json!({"username": "gate", "role": "gate", "gate_ids": [places.gate + 50], "label": "x"})),
        )
        .await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::UNPROCESSABLE_ENTITY);
}

/// A device that raises a flood of incidents does not bury the others: coordinators list them
/// by state, kind and place, a page at a time by id (newest first), every one reachable once.
/// Field staff list none; bad filters are refused, naming the parameter.
async fn incidents_are_listed_by_state_kind_and_place_a_page_at_a_time(backend: Backend) {
    let (app, places, _, pa, mut noisy, mut honest) = two_escorts_and_a_pass(backend, 8).await;
    let op = app.op.0;
    let t = now();
    let admit = |d: &mut common::field::Device, at| d.admit(op, pa, at);
    let first = admit(&mut honest, t);
    app.sync_ok(&honest, &[first]).await;
    // 30 departures of batches never opened: 30 incidents of the noisy device.
    let flood: Vec<_> = (1..=30)
        .map(|b| {
            noisy.record(
                op,
                ScanAct::Depart {
                    batch: b,
                    head_count: 1,
                },
                t + b as i64,
            )
        })
        .collect();
    app.sync_ok(&noisy, &flood).await;
    let twice = admit(&mut noisy, t + 40);
    app.sync_ok(&noisy, &[twice]).await;
    let list = |query: String| {
        let app = &app;
        async move {
            let path = format!("/api/operations/{{op}}/incidents{query}");
            app.get(Role::Coordinator, &path)
                .await
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let ids = |v: &[Value]| {
        v.iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let everything = list(String::new()).await;
    assert_eq!(everything.len(), 31);
    let all_ids = ids(&everything);
    assert!(all_ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    // The one real conflict is found by its kind, whatever the flood.
    let doubles = list("?kind=double_admission&limit=1".into()).await;
    assert_eq!(doubles.len(), 1);
    let mut records = vec![json!([honest.id, 0]), json!([noisy.id, 30])];
    records.sort_by_key(|r| r[0].as_i64());
    assert_eq!(doubles[0]["records"], json!(records));
    assert_eq!(list("?kind=refused".into()).await.len(), 30);
    // Pages of 7 by id: each once, in order, the last one short.
    let mut paged = Vec::new();
    let mut query = "?limit=7".to_string();
    loop {
        let page = list(query.clone()).await;
        paged.extend(ids(&page));
        if page.len() < 7 {
            break;
        }
        query = format!("?limit=7&before={}", paged.last().unwrap());
    }
    assert_eq!(paged, all_ids);
    // By place: this RV's, none of another RV or of the gate.
    assert_eq!(list(format!("?rv={}", places.rv)).await.len(), 31);
    assert!(list(format!("?rv={}", places.rv + 100)).await.is_empty());
    assert!(list(format!("?gate={}", places.gate)).await.is_empty());
    // By state.
    let id = doubles[0]["id"].as_i64().unwrap();
    app.post(
        Role::Coordinator,
        &format!("/api/operations/{{op}}/incidents/{id}/resolve"),
        Some(json!({"note": "the same family at the door twice"})),
    )
    .await;
    assert_eq!(ids(&list("?state=resolved".into()).await), vec![id]);
    assert_eq!(list("?state=open".into()).await.len(), 30);
    assert_eq!(
        list("?state=all&kind=double_admission".into()).await.len(),
        1
    );
    assert!(list("?kind=double_admission".into()).await.is_empty());
    // Bad filters are refused, naming the parameter; field staff list nothing.
    for (query, field) in [
        ("?state=closed", "state"),
        ("?kind=teleport", "kind"),
        ("?limit=0", "limit"),
        ("?limit=1001", "limit"),
        ("?before=-3", "before"),
        ("?rv=x", "rv"),
        ("?rv=1&gate=1", "gate"),
        ("?all=true", ""),
    ] {
        let path = format!("/api/operations/{{op}}/incidents{query}");
        let (status, body) = app.try_get(Role::Coordinator, &path).await;
        assert!(status.is_client_error(), "{query}: {status} {body}");
        let message = error_message(&body);
        assert!(message.contains(field), "{query}: {message}");
    }
    for role in [Role::Escort, Role::Gate] {
        let (status, _) = app
            .try_get(role, "/api/operations/{op}/incidents?state=all")
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

safeconduct_store::on_both_backends_async!(
    incidents_are_listed_by_state_kind_and_place_a_page_at_a_time,
    scans_admit_depart_arrive_and_check_in_through_the_lifecycle,
    records_after_a_gap_wait_for_the_missing_ones,
    conflicts_become_incidents_and_a_coordinator_resolves_them,
    a_suspended_device_and_forged_records_are_refused_and_change_nothing,
    a_device_kit_carries_keys_windows_and_released_gates_but_no_roster,
    an_enrolment_code_registers_one_key_once,
    a_record_at_the_wrong_gate_neither_counts_nor_blocks_and_tells_nothing,
    a_reused_sequence_number_and_a_clock_a_day_off_are_refused,
    a_sync_whose_households_keep_changing_is_answered_try_again_and_nothing_is_kept,
    an_arrival_of_a_household_marked_no_show_is_an_incident_whichever_came_first,
    an_arrival_read_from_a_replaced_pass_moves_nobody_on_the_new_journey,
    an_arrival_on_a_pass_revoked_on_the_way_counts_its_people_in_and_is_an_incident,
    a_clock_set_back_before_the_sync_does_not_put_a_deadline_off,
);

/// A departure recorded on a right clock, synced after the phone's clock was set back twenty
/// hours: the skew measured at the sync would date the departure twenty hours ahead, and its
/// batch's deadline with it. It is dated no later than the sync, so the deadline stays near
/// and a batch that does not arrive is missed in time.
async fn a_clock_set_back_before_the_sync_does_not_put_a_deadline_off(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let (_, pass) = app.pass_holder(2, "0700 100 071", places.window).await;
    let mut escort = app.escort_at(places.rv, 71).await;
    let t = now();
    let records = escort.walk(op, places.gate, &[pass], 1, (t, t + 60));
    let set_back = now() - 20 * 3600;
    let (status, body) = app
        .call(
            Role::Escort,
            Method::POST,
            &escort.scans_path(),
            Some(sync_body(&records, set_back)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let synced = now();
    let path = format!("/api/operations/{{op}}/gates/{}/batches", places.gate);
    let batches = app.get(Role::Coordinator, &path).await;
    let time = |v: &Value| {
        safeconduct_domain::values::Timestamp::parse_rfc3339("time", v.as_str().unwrap())
            .unwrap()
            .0
    };
    let departed = time(&batches[0]["departed_at"]);
    let deadline = time(&batches[0]["deadline"]);
    assert!(
        departed <= synced,
        "departed {departed}, synced {synced}: {batches}"
    );
    assert!(
        deadline < synced + 12 * 3600,
        "deadline {deadline}: {batches}"
    );
}

async fn a_record_at_the_wrong_gate_neither_counts_nor_blocks_and_tells_nothing(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let gate_b = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/gates",
            json!({"name": "Gate 9", "location": {"lat": 60.168, "lon": 24.943}, "kind": "discreet",
                   "hourly_throughput": 100, "rv_ids": [places.rv]}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    app.assign("gate", &[], &[places.gate, gate_b]).await;
    let (a, pa) = app.pass_holder(2, "0700 100 051", places.window).await;
    let mut escort = app.escort_at(places.rv, 12).await;
    let mut at_a = app.gate_device_at(places.gate, 13).await;
    let mut at_b = app.gate_device_at(gate_b, 14).await;
    let t = now();
    let walk = escort.walk(op, places.gate, &[pa], 2, (t, t));
    app.sync_ok(&escort, &walk).await;
    // Gate B records one of the two as arrived: not counted, and the answer names nobody.
    let wrong = [at_b.record(
        op,
        ScanAct::Arrive {
            pass_index: pa,
            people: 1,
        },
        t + 60,
    )];
    let answer = app.sync_ok(&at_b, &wrong).await;
    assert_eq!(answer["incidents"][0]["kind"], "refused", "{answer}");
    let told = answer.to_string();
    assert!(!told.contains(&a) && !told.contains("in_escort"), "{told}");
    // Gate A, where the batch goes, sees both arrive: the household is complete there.
    let right = [at_a.record(
        op,
        ScanAct::Arrive {
            pass_index: pa,
            people: 2,
        },
        t + 120,
    )];
    let answer = app.sync_ok(&at_a, &right).await;
    assert_eq!(answer["incidents"], json!([]), "{answer}");
    assert_eq!(app.stage(&a).await, "arrived_at_gate");
    // A check-in at gate B of a household arrived at A takes no effect and blocks no sync.
    let check_in = [at_b.record(op, ScanAct::CheckIn { pass_index: pa }, t + 180)];
    let answer = app.sync_ok(&at_b, &check_in).await;
    assert_eq!(answer["incidents"][0]["kind"], "refused", "{answer}");
    let more = [escort.record(
        op,
        ScanAct::Refuse {
            pass_index: None,
            code: "unreadable".into(),
        },
        t + 200,
    )];
    app.sync_ok(&escort, &more).await;
    assert_eq!(app.stage(&a).await, "arrived_at_gate");
}

async fn a_reused_sequence_number_and_a_clock_a_day_off_are_refused(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let mut escort = app.escort_at(places.rv, 15).await;
    let t = now();
    let first = escort.record(
        op,
        ScanAct::Refuse {
            pass_index: None,
            code: "unreadable".into(),
        },
        t,
    );
    app.sync_ok(&escort, std::slice::from_ref(&first)).await;
    // Another record under seq 0: the device would lose an act it believes acknowledged.
    let mut again = app.escort_at(places.rv, 15).await;
    again.id = escort.id;
    let other = again.record(
        op,
        ScanAct::Refuse {
            pass_index: None,
            code: "torn".into(),
        },
        t,
    );
    let (status, body) = app.sync(&escort, &[other]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Not a suspension: a device keeps its records on this answer.
    assert_eq!(body["error"]["code"], "conflict", "{body}");
    let (status, _) = app
        .call(
            Role::Escort,
            Method::POST,
            &escort.scans_path(),
            Some(sync_body(&[first], t - 3 * 86_400)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A sync whose households keep changing while it is written (here every update of a
/// household is skipped by a trigger, as if another server changed it first each time) is
/// decided again, then answered 503 `try_again` with `Retry-After`: nothing of it is kept, the
/// device keeps its records (the code is not a suspension's), and the same records are taken
/// once the households hold still.
async fn a_sync_whose_households_keep_changing_is_answered_try_again_and_nothing_is_kept(
    backend: Backend,
) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let (a, pa) = app.pass_holder(2, "0700 100 061", places.window).await;
    let mut escort = app.escort_at(places.rv, 16).await;
    let admit = escort.admit(op, pa, now());
    let (skip_updates, allow_updates) = match backend {
        Backend::Sqlite => (
            "CREATE TRIGGER households_skipped BEFORE UPDATE ON households
             BEGIN SELECT RAISE(IGNORE); END;",
            "DROP TRIGGER households_skipped;",
        ),
        Backend::Postgres => (
            "CREATE FUNCTION households_skip() RETURNS trigger LANGUAGE plpgsql
             AS $$ BEGIN RETURN NULL; END $$;
             CREATE TRIGGER households_skipped BEFORE UPDATE ON households
             FOR EACH ROW EXECUTE FUNCTION households_skip();",
            "DROP TRIGGER households_skipped ON households;",
        ),
    };
    let raw_exec = |sql| safeconduct_store::testing::raw_exec(app.db_url(), sql).unwrap();

    raw_exec(skip_updates);
    let token = app.token(Role::Escort).to_string();
    let body = Some(sync_body(std::slice::from_ref(&admit), now()));
    let (status, headers, answer) = app
        .raw(&token, Method::POST, &escort.scans_path(), body)
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(headers["retry-after"], "2");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["error"]["code"], "try_again", "{answer}");
    assert_eq!(app.listed_device(escort.id).await["applied_seq"], -1);
    raw_exec(allow_updates);
    assert_eq!(app.stage(&a).await, "pass_issued", "nothing was kept");

    let synced = app.sync_ok(&escort, &[admit]).await;
    assert_eq!(synced["applied_seq"], 0);
    assert_eq!(app.stage(&a).await, "admitted_at_rv");
}

/// A gate records an arrival of a household whose departure it has not heard of: the record
/// waits for the departure. If instead the household is marked no-show, nobody will depart
/// with it; the arrival becomes an incident at the next sync, as it does when the arrival is
/// synced after the no-show, and never waits for a later journey to take it.
async fn an_arrival_of_a_household_marked_no_show_is_an_incident_whichever_came_first(
    backend: Backend,
) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let (first, pf) = app.pass_holder(1, "0700 100 061", places.window).await;
    let (second, ps) = app.pass_holder(1, "0700 100 062", places.window).await;
    let mut gate = app.gate_device_at(places.gate, 16).await;
    let t = now();
    let no_show =
        |reference: &str| format!("/api/operations/{{op}}/households/{reference}/no-show");

    // The first: the arrival is synced, waits, and then the household is marked no-show.
    let record = gate.arrive(op, pf, 1, t);
    let waiting = app.sync_ok(&gate, &[record]).await;
    assert_eq!(waiting["incidents"], json!([]), "{waiting}");
    app.post(Role::Coordinator, &no_show(&first), None).await;
    // The second: marked no-show, then its arrival is synced.
    app.post(Role::Coordinator, &no_show(&second), None).await;
    let record = gate.arrive(op, ps, 1, t + 1);
    let answer = app.sync_ok(&gate, &[record]).await;

    let kinds_of = |incidents: &Value, pass: i64| -> Vec<String> {
        incidents
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["pass_index"] == pass)
            .map(|i| i["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds_of(&answer["incidents"], ps), ["refused"], "{answer}");
    let all = app
        .get(
            Role::Coordinator,
            "/api/operations/{op}/incidents?state=all",
        )
        .await;
    assert_eq!(kinds_of(&all, pf), ["refused"], "{all}");
    assert_eq!(kinds_of(&all, ps), ["refused"], "{all}");
    for reference in [&first, &second] {
        assert_eq!(app.stage(reference).await, "no_show");
    }
}

/// A gate records an arrival from a pass that is then replaced (re-issued) before the
/// household leaves its RV with the new one. The waiting arrival belongs to the old pass: when
/// the household departs on the new pass, the old arrival is an incident, and the household
/// stays on the way until the gate reads the new pass.
async fn an_arrival_read_from_a_replaced_pass_moves_nobody_on_the_new_journey(backend: Backend) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let (a, old_pass) = app.pass_holder(2, "0700 100 071", places.window).await;
    let mut gate = app.gate_device_at(places.gate, 17).await;
    let mut escort = app.escort_at(places.rv, 18).await;
    let t = now();
    let record = gate.arrive(op, old_pass, 2, t);
    let waiting = app.sync_ok(&gate, &[record]).await;
    assert_eq!(waiting["incidents"], json!([]), "{waiting}");

    app.post(
        Role::Coordinator,
        &format!("/api/operations/{{op}}/households/{a}/pass"),
        None,
    )
    .await;
    let new_pass = app.pass_index(&a).await;
    assert_ne!(new_pass, old_pass);
    let walk = escort.walk(op, places.gate, &[new_pass], 1, (t + 60, t + 60));
    app.sync_ok(&escort, &walk).await;
    assert_eq!(
        app.stage(&a).await,
        "in_escort",
        "the old arrival moved nobody"
    );
    let incidents = app
        .get(
            Role::Coordinator,
            "/api/operations/{op}/incidents?state=all",
        )
        .await;
    let old: Vec<&Value> = incidents
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["pass_index"] == old_pass)
        .collect();
    assert_eq!(old.len(), 1, "{incidents}");
    assert_eq!(old[0]["kind"], "superseded_pass", "{incidents}");

    let record = gate.arrive(op, new_pass, 2, t + 600);
    let answer = app.sync_ok(&gate, &[record]).await;
    assert_eq!(answer["incidents"], json!([]), "{answer}");
    assert_eq!(app.stage(&a).await, "arrived_at_gate");
}

/// A pass revoked while its household walks to the gate (the phone reported stolen on the
/// way): the people who arrive are counted in, never left on the way to become a false alarm,
/// and a coordinator is told which pass it was.
async fn an_arrival_on_a_pass_revoked_on_the_way_counts_its_people_in_and_is_an_incident(
    backend: Backend,
) {
    let (app, places) = spawn_app_with_places(backend, 100, 100).await;
    let op = app.op.0;
    let (a, pass) = app.pass_holder(2, "0700 100 081", places.window).await;
    let mut escort = app.escort_at(places.rv, 19).await;
    let mut gate = app.gate_device_at(places.gate, 20).await;
    let t = now();
    let walk = escort.walk(op, places.gate, &[pass], 1, (t, t));
    app.sync_ok(&escort, &walk).await;
    assert_eq!(app.stage(&a).await, "in_escort");
    app.post(
        Role::Coordinator,
        &format!("/api/operations/{{op}}/households/{a}/pass/revoke"),
        Some(json!({"reason": "phone reported stolen on the way"})),
    )
    .await;

    let record = gate.arrive(op, pass, 2, t + 600);
    let answer = app.sync_ok(&gate, &[record]).await;
    assert_eq!(app.stage(&a).await, "arrived_at_gate");
    assert_eq!(kinds(&answer["incidents"]), ["revoked_pass"], "{answer}");
    assert_eq!(answer["incidents"][0]["pass_index"], pass, "{answer}");
    let told = answer.to_string();
    assert!(!told.contains(&a), "the gate is not told the case: {told}");
}
