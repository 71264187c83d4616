//! A batch leaves the rendezvous point with its households and does not reach the gate: past
//! its custody deadline (departure + walking time + tolerance) everyone of it not arrived is
//! unaccounted at once, on the live stream and in the counts, while the batch is still open.
//! Gate staff list the batches they expect (counts, no names), their own gates' only.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_domain::field::CUSTODY_TOLERANCE_SECONDS;
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

/// Seconds between two RFC 3339 times of an answer.
fn seconds_between(from: &Value, to: &Value) -> i64 {
    let t = |v: &Value| {
        safeconduct_domain::values::Timestamp::parse_rfc3339("time", v.as_str().unwrap())
            .unwrap()
            .0
    };
    t(to) - t(from)
}

/// How many times the case `reference` was marked unaccounted, by its events.
async fn times_marked_unaccounted(app: &TestApp, reference: &str) -> usize {
    let kinds = app.event_kinds(reference).await;
    kinds.iter().filter(|k| *k == "mark_unaccounted").count()
}

async fn a_batch_past_its_deadline_raises_the_alarm_without_anyone_closing_it(backend: Backend) {
    // The sweep's clock runs three hours ahead: every batch is overdue as it leaves.
    let app = spawn_app_with_custody_clock_ahead(backend, 3 * 3600).await;
    let p = app.places(100, 300).await;
    let a = app.register_with_pass(2, "0700 000 101", p.window).await;
    let b = app.register_with_pass(3, "0700 000 102", p.window).await;
    for r in [&a, &b] {
        app.admit_at_rv(r, p.rv).await;
    }
    let mut stream = app
        .client
        .get(app.url("/api/operations/{op}/live"))
        .bearer_auth(app.token(Role::Coordinator))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);

    let departed = app.depart(p.rv, p.gate, &[&a, &b]).await;
    let id = departed["id"].as_i64().unwrap();
    assert_eq!(
        seconds_between(&departed["departed_at"], &departed["deadline"]),
        30 * 60 + CUSTODY_TOLERANCE_SECONDS,
        "the default walking time and the tolerance: {departed}"
    );

    // Nobody closes the batch: the next read already shows both households unaccounted.
    let batch = app.batch(id).await;
    assert_eq!(batch["closed_at"], Value::Null, "{batch}");
    assert_eq!(batch["alarm"], true, "{batch}");
    assert_eq!(batch["unaccounted"].as_array().unwrap().len(), 2, "{batch}");
    assert_eq!(batch["unaccounted_households"], 2, "{batch}");
    // The escort who walked the batch is told how many are missing, never who: the escort
    // party holds no roster.
    let escorts = app
        .get(
            Role::Escort,
            &format!("/api/operations/{{op}}/batches/{id}"),
        )
        .await;
    assert_eq!(escorts["alarm"], true, "{escorts}");
    assert_eq!(escorts["unaccounted_households"], 2, "{escorts}");
    assert!(escorts.get("unaccounted").is_none(), "{escorts}");
    for r in [&a, &b] {
        assert!(!escorts.to_string().contains(r.as_str()), "{escorts}");
    }
    let counts = app.counts().await;
    assert_eq!(counts["operation"]["people"]["unaccounted"], 5, "{counts}");
    let in_escort = &counts["operation"]["people"]["in_escort"];
    assert_eq!(in_escort.as_u64().unwrap_or(0), 0, "{counts}");
    for r in [&a, &b] {
        let case = app.get(Role::Coordinator, &case(r)).await;
        assert_eq!(case["stage"], "unaccounted");
    }

    // The coordinator's live stream carries the alarm, with the batch and no names or
    // references.
    let seen = read_stream_until(&mut stream, "custody_alarm", "alarm on the live stream").await;
    assert!(seen.contains(&format!("\"batch_id\":{id}")), "{seen}");
    assert!(seen.contains("mark_unaccounted"), "{seen}");
    for r in [&a, &b] {
        assert!(
            !seen.contains(r.as_str()),
            "no reference on the stream: {seen}"
        );
    }

    // Sweeping again marks no one twice: one alarm, one step per household.
    let again = app.batch(id).await;
    assert_eq!(again["unaccounted"], batch["unaccounted"]);
    assert_eq!(times_marked_unaccounted(&app, &a).await, 1);

    // One household turns up late: the gate counts it in, and the alarm history stays.
    app.arrive_at_gate(id, &a).await;
    let case_a = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(case_a["stage"], "arrived_at_gate");
    let counts = app.counts().await;
    assert_eq!(counts["operation"]["people"]["unaccounted"], 3, "{counts}");
    let kinds = app.event_kinds(&a).await;
    assert!(kinds.iter().any(|k| k == "mark_unaccounted"), "{kinds:?}");
    let report = app.accountability().await;
    assert_eq!(report["counts"]["people"]["unaccounted"], 3, "{report}");
}

async fn a_batch_within_its_deadline_raises_nothing_and_takes_its_links_walking_time(
    backend: Backend,
) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    // A gate 12 minutes from the RV.
    let gate = json!({
        "name": "Gate 9", "location": { "lat": 60.168, "lon": 24.943 },
        "kind": "main", "hourly_throughput": 300, "rv_ids": [p.rv], "walking_minutes": 12
    });
    let gate = app
        .create(Role::Coordinator, "/api/operations/{op}/gates", gate)
        .await;
    assert_eq!(gate["walking"], json!([{ "rv_id": p.rv, "minutes": 12 }]));
    let g9 = gate["id"].as_i64().unwrap();
    let a = app.register_with_pass(2, "0700 000 111", p.window).await;
    app.admit_at_rv(&a, p.rv).await;
    let batch = app.depart(p.rv, g9, &[&a]).await;
    assert_eq!(
        seconds_between(&batch["departed_at"], &batch["deadline"]),
        12 * 60 + CUSTODY_TOLERANCE_SECONDS
    );
    let id = batch["id"].as_i64().unwrap();
    let read = app.batch(id).await;
    assert_eq!(read["alarm"], false, "{read}");
    assert_eq!(read["unaccounted"], json!([]));
    let case_a = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(case_a["stage"], "in_escort");

    // A coordinator changes the walking time; the batch on its way keeps its deadline.
    let path = format!("/api/operations/{{op}}/gates/{g9}/walking-time");
    let changed = app
        .post(
            Role::Coordinator,
            &path,
            Some(json!({ "rv_id": p.rv, "minutes": 45 })),
        )
        .await;
    assert_eq!(
        changed["walking"],
        json!([{ "rv_id": p.rv, "minutes": 45 }])
    );
    let read = app.batch(id).await;
    assert_eq!(read["deadline"], batch["deadline"]);
}

async fn gate_staff_see_only_their_own_gates_expected_batches(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let a = app.register_with_pass(2, "0700 000 121", p.window).await;
    let b = app.register_with_pass(1, "0700 000 122", p.window).await;
    for r in [&a, &b] {
        app.admit_at_rv(r, p.rv).await;
    }
    let batch = app.depart(p.rv, p.gate, &[&a, &b]).await;
    let id = batch["id"].as_i64().unwrap();
    app.arrive_at_gate(id, &b).await;

    let path = format!("/api/operations/{{op}}/gates/{}/batches", p.gate);
    let expected = app.get(Role::Gate, &path).await;
    assert_eq!(
        expected,
        json!([{
            "id": id, "rv_id": p.rv, "households": 2, "departed_people": 3, "arrived_people": 1,
            "unaccounted_households": 0, "departed_at": batch["departed_at"],
            "deadline": batch["deadline"]
        }])
    );
    let text = expected.to_string();
    for r in [&a, &b] {
        assert!(!text.contains(r.as_str()), "no references: {text}");
    }
    assert_eq!(app.get(Role::Coordinator, &path).await, expected);

    // A closed batch is no longer expected.
    app.close_batch(id).await;
    assert_eq!(app.get(Role::Gate, &path).await, json!([]));

    // Another gate, not assigned to the gate user: the same 404 as a gate that does not exist.
    let other = json!({
        "name": "Gate 3", "location": { "lat": 60.169, "lon": 24.941 },
        "kind": "main", "hourly_throughput": 300, "rv_ids": [p.rv]
    });
    let other = app
        .create(Role::Coordinator, "/api/operations/{op}/gates", other)
        .await["id"]
        .as_i64()
        .unwrap();
    let theirs = app
        .try_get(
            Role::Gate,
            &format!("/api/operations/{{op}}/gates/{other}/batches"),
        )
        .await;
    let nowhere = app
        .try_get(Role::Gate, "/api/operations/{op}/gates/999999/batches")
        .await;
    assert_eq!(theirs.0, StatusCode::NOT_FOUND);
    // Nothing differs but the identifier asked about.
    let theirs = theirs
        .1
        .to_string()
        .replace(&format!("gate {other}"), "gate 999999");
    assert_eq!(theirs, nowhere.1.to_string());
    // Escorts do not read a gate's expectations at all.
    let (status, _) = app.try_get(Role::Escort, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another operation's coordinator does not either.
    let (status, _) = app
        .call_with(Some(&app.outsider.clone()), Method::GET, &path, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn walking_times_out_of_bounds_are_refused_and_change_nothing(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let gates_before = app
        .get(Role::Coordinator, "/api/operations/{op}/gates")
        .await;
    for minutes in [0, 361] {
        let gate = json!({
            "name": "Gate 5", "location": { "lat": 60.168, "lon": 24.943 },
            "kind": "main", "hourly_throughput": 300, "rv_ids": [p.rv],
            "walking_minutes": minutes
        });
        let (status, body) = app
            .call(
                Role::Coordinator,
                Method::POST,
                "/api/operations/{op}/gates",
                Some(gate),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{minutes}: {body}"
        );
        assert!(error_message(&body).contains("walking_minutes"), "{body}");
    }
    assert_eq!(
        app.get(Role::Coordinator, "/api/operations/{op}/gates")
            .await,
        gates_before
    );

    let path = format!("/api/operations/{{op}}/gates/{}/walking-time", p.gate);
    for (role, body, refused) in [
        // Too short.
        (
            Role::Coordinator,
            json!({ "rv_id": p.rv, "minutes": 0 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // A rendezvous point the gate does not receive from.
        (
            Role::Coordinator,
            json!({ "rv_id": 999999, "minutes": 20 }),
            StatusCode::NOT_FOUND,
        ),
        // Gate staff do not change walking times.
        (
            Role::Gate,
            json!({ "rv_id": p.rv, "minutes": 20 }),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let (status, answer) = app.call(role, Method::POST, &path, Some(body)).await;
        assert_eq!(status, refused, "{answer}");
    }
    assert_eq!(
        app.get(Role::Coordinator, "/api/operations/{op}/gates")
            .await,
        gates_before
    );
}

/// Admitted households `sizes` leave in one batch on a server whose sweep runs three hours
/// ahead, and are read once so the alarm is raised; the app, the batch and the references.
async fn a_missing_batch(backend: Backend, sizes: &[usize]) -> (TestApp, Places, i64, Vec<String>) {
    let app = spawn_app_with_custody_clock_ahead(backend, 3 * 3600).await;
    let p = app.places(100, 300).await;
    let (refs, id) = app.batch_on_its_way(&p, sizes, 2).await;
    let batch = app.batch(id).await;
    assert_eq!(batch["unaccounted"].as_array().unwrap().len(), sizes.len());
    (app, p, id, refs)
}

async fn a_coordinator_resolves_each_missing_household_and_the_report_counts_them(
    backend: Backend,
) {
    let (app, p, id, refs) = a_missing_batch(backend, &[2, 3, 1, 4]).await;
    let report = app.accountability().await;
    assert_eq!(report["unresolved_unaccounted_people"], 10, "{report}");
    assert_eq!(report["resolved_unaccounted_people"], 0, "{report}");

    let resolve = |r: &str, outcome: &str| {
        let body = json!({ "outcome": outcome, "note": "Met the escort at the side street" });
        let path = resolve_path(r);
        let app = &app;
        async move { app.post(Role::Coordinator, &path, Some(body)).await }
    };
    let late = resolve(&refs[0], "arrived_late").await;
    assert_eq!(
        (&late["from"], &late["to"]),
        (&json!("unaccounted"), &json!("arrived_at_gate"))
    );
    let back = resolve(&refs[1], "returned_to_rv").await;
    assert_eq!(back["to"], "admitted_at_rv");
    let found = resolve(&refs[2], "found_elsewhere").await;
    assert_eq!(found["to"], "withdrawn");
    let missing = resolve(&refs[3], "recorded_missing").await;
    assert_eq!(missing["to"], "unaccounted");

    let batch = app.batch(id).await;
    assert_eq!(
        batch["arrived_people"], 2,
        "the late arrival counts in: {batch}"
    );
    let report = app.accountability().await;
    assert_eq!(report["unresolved_unaccounted_people"], 0, "{report}");
    assert_eq!(report["resolved_unaccounted_people"], 10, "{report}");
    assert_eq!(report["counts"]["people"]["unaccounted"], 4, "{report}");

    // The alarm history stays in the case's events.
    let kinds = app.event_kinds(&refs[0]).await;
    assert!(
        kinds[kinds.len().saturating_sub(2)..] == ["mark_unaccounted", "resolve_arrived_late"],
        "{kinds:?}"
    );

    // Back at its RV, the household leaves again in a new batch.
    let again = app.depart(p.rv, p.gate, &[&refs[1]]).await;
    assert_eq!(again["departed_people"], 3);
}

async fn bad_resolutions_are_refused_and_change_nothing(backend: Backend) {
    let (app, p, _, refs) = a_missing_batch(backend, &[2]).await;
    let r = &refs[0];
    let before = app.get(Role::Coordinator, &case(r)).await;
    let events = app
        .get(Role::Coordinator, &format!("{}/events", case(r)))
        .await;
    let refusals = [
        (
            json!({ "outcome": "beamed_up", "note": "no" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "outcome": "arrived_late", "note": "  " }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "outcome": "arrived_late" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, status) in refusals {
        let (got, answer) = app
            .call(
                Role::Coordinator,
                Method::POST,
                &resolve_path(r),
                Some(body.clone()),
            )
            .await;
        assert_eq!(got, status, "{body}: {answer}");
    }
    // Gate staff and escorts do not resolve.
    for role in [Role::Gate, Role::Escort] {
        let body = json!({ "outcome": "arrived_late", "note": "here" });
        let (got, _) = app
            .call(role, Method::POST, &resolve_path(r), Some(body))
            .await;
        assert_eq!(got, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.get(Role::Coordinator, &case(r)).await, before);
    assert_eq!(
        app.get(Role::Coordinator, &format!("{}/events", case(r)))
            .await,
        events
    );

    // A case that is not unaccounted: refused, naming its stage.
    let other = app.register_with_pass(1, "0700 000 299", p.window).await;
    app.admit_at_rv(&other, p.rv).await;
    let body = json!({ "outcome": "returned_to_rv", "note": "was never gone" });
    let (got, answer) = app
        .call(
            Role::Coordinator,
            Method::POST,
            &resolve_path(&other),
            Some(body),
        )
        .await;
    assert_eq!(got, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "illegal_transition");
    assert_eq!(answer["error"]["stage"], "admitted_at_rv");
    let report = app.accountability().await;
    assert_eq!(report["resolved_unaccounted_people"], 0, "{report}");
    assert_eq!(report["unresolved_unaccounted_people"], 2, "{report}");
}

async fn sweeps_running_at_once_mark_each_household_once(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let (refs, id) = app.batch_on_its_way(&p, &[2; 6], 3).await;
    // Four sweeps at once, two hours on, as several servers' ticks would run them.
    let later = safeconduct_domain::values::Timestamp(safeconduct_keys::now().0 + 7200);
    let sweeps: Vec<_> = (0..4)
        .map(|_| {
            let store = app.store.clone();
            tokio::task::spawn_blocking(move || {
                store.sweep_custody(None, &safeconduct_store::Actor::custody_sweep(later))
            })
        })
        .collect();
    let mut marked = 0;
    for s in sweeps {
        marked += s.await.unwrap().unwrap();
    }
    assert_eq!(marked, 6, "each household marked once in all");
    let batch = app.batch(id).await;
    assert_eq!(batch["unaccounted"].as_array().unwrap().len(), 6);
    for r in &refs {
        assert_eq!(times_marked_unaccounted(&app, r).await, 1, "{r}");
    }
    let report = app.accountability().await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["counts"]["people"]["unaccounted"], 12);
}

/// A household of three arrives one member short: the two who arrived go on (arrived, then
/// checked in) while the third stays in escort; past the deadline only that person is
/// unaccounted. Every person is in exactly one stage at every step, the counts and the
/// report count people, the custody chain is per person, and the coordinator resolves that
/// person alone.
async fn a_household_arriving_one_short_leaves_that_member_in_escort(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let a = app.register_with_pass(3, "0700 000 301", p.window).await;
    app.admit_at_rv(&a, p.rv).await;
    let departed = app.depart(p.rv, p.gate, &[&a]).await;
    let id = departed["id"].as_i64().unwrap();
    let deadline = safeconduct_domain::values::Timestamp::parse_rfc3339(
        "deadline",
        departed["deadline"].as_str().unwrap(),
    )
    .unwrap();
    let arrivals = format!("/api/operations/{{op}}/batches/{id}/arrivals");
    let two = app.arrive_people(id, &a, 2).await;
    assert_eq!(
        (two["to"].as_str(), two["people"].as_u64()),
        (Some("arrived_at_gate"), Some(2))
    );
    let household = app.get(Role::Coordinator, &case(&a)).await;
    let members = member_ids(&household);
    let left_behind = members[2];
    assert_eq!(household["stage"], "arrived_at_gate");
    assert_eq!(
        household["members_apart"],
        json!([{"person_id": left_behind, "stage": "in_escort"}])
    );
    let people = |counts: &Value, stage: &str| counts["people"][stage].as_u64().unwrap_or(0);
    let counts = app.counts().await;
    let op = &counts["operation"];
    assert_eq!(
        (people(op, "arrived_at_gate"), people(op, "in_escort")),
        (2, 1),
        "{counts}"
    );
    assert_eq!(op["households"]["arrived_at_gate"], 1, "{counts}");
    let report = app.accountability().await;
    assert_eq!(report["ok"], true, "{report}");

    // Only the one on the way can still arrive: two more are refused, nothing changes.
    let (status, body) = app
        .call(
            Role::Gate,
            Method::POST,
            &arrivals,
            Some(json!({"reference": a, "people": 2})),
        )
        .await;
    assert_refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "people");
    for bad in [
        json!({"reference": a, "people": 0}),
        json!({"reference": a, "people": 61}),
    ] {
        let (status, _) = app
            .call(Role::Gate, Method::POST, &arrivals, Some(bad))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    // The two who arrived are checked in and go on.
    let processed = app
        .step(
            Role::Gate,
            &a,
            "processed",
            Some(json!({"gate_id": p.gate})),
        )
        .await;
    assert_eq!(
        (processed["to"].as_str(), processed["people"].as_u64()),
        (Some("processed"), Some(2))
    );

    // Past the deadline, the member left behind alone is unaccounted; the others stay
    // processed.
    let op_id = app.op;
    let marked = app
        .on_store(move |s| {
            let sweep = safeconduct_store::Actor::custody_sweep(
                safeconduct_domain::values::Timestamp(deadline.0 + 1),
            );
            s.sweep_custody(Some(op_id), &sweep).unwrap()
        })
        .await;
    assert_eq!(marked, 1);
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["stage"], "processed");
    assert_eq!(
        household["members_apart"],
        json!([{"person_id": left_behind, "stage": "unaccounted"}])
    );
    let counts = app.counts().await;
    let op = &counts["operation"];
    assert_eq!(
        (
            people(op, "processed"),
            people(op, "unaccounted"),
            people(op, "in_escort"),
            people(op, "arrived_at_gate")
        ),
        (2, 1, 0, 0),
        "{counts}"
    );
    let batch = app.batch(id).await;
    assert_eq!(batch["unaccounted"], json!([a]), "{batch}");
    assert_eq!(batch["arrived_people"], 2, "{batch}");
    let report = app.accountability().await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["unresolved_unaccounted_people"], 1, "{report}");
    assert_eq!(report["counts"]["people"]["unaccounted"], 1, "{report}");

    // The coordinator's list of unaccounted cases shows the household, its alarm open.
    let unaccounted = "/api/operations/{op}/households?stage=unaccounted";
    let listed = app.get(Role::Coordinator, unaccounted).await;
    let rows = listed["cases"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{listed}");
    assert_eq!(
        (&rows[0]["reference"], &rows[0]["resolved"]),
        (&json!(a), &json!(false))
    );

    // Each person's chain of custody: two arrived, one unaccounted.
    let chain = app
        .get(Role::Auditor, &format!("{}/custody", case(&a)))
        .await;
    let ends: Vec<(i64, &str)> = chain
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["person_id"].as_i64().unwrap(),
                l["ended_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ends,
        vec![
            (members[0], "arrived"),
            (members[1], "arrived"),
            (left_behind, "unaccounted")
        ]
    );

    // A resolution naming a member who arrived is refused and changes nothing.
    let resolve = resolve_path(&a);
    let wrong = json!({"outcome": "arrived_late", "note": "here", "person_ids": [members[0]]});
    let (status, body) = app
        .call(Role::Coordinator, Method::POST, &resolve, Some(wrong))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        app.accountability().await["unresolved_unaccounted_people"],
        1
    );

    // The coordinator resolves that person: found at the gate late; checked in, they rejoin
    // their household.
    let late = json!({"outcome": "arrived_late", "note": "Came with a later group", "person_ids": [left_behind]});
    let resolved = app.post(Role::Coordinator, &resolve, Some(late)).await;
    assert_eq!(
        (
            resolved["from"].as_str(),
            resolved["to"].as_str(),
            resolved["people"].as_u64()
        ),
        (Some("unaccounted"), Some("arrived_at_gate"), Some(1))
    );
    let report = app.accountability().await;
    assert_eq!(
        (
            &report["unresolved_unaccounted_people"],
            &report["resolved_unaccounted_people"]
        ),
        (&json!(0), &json!(1)),
        "{report}"
    );
    let listed = app.get(Role::Coordinator, unaccounted).await;
    assert_eq!(listed["cases"], json!([]), "{listed}");
    app.process(&a, p.gate).await;
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["stage"], "processed");
    assert_eq!(household["members_apart"], json!([]));
    let counts = app.counts().await;
    assert_eq!(people(&counts["operation"], "processed"), 3, "{counts}");
    assert_eq!(app.accountability().await["ok"], true);
}

/// A household of three whose batch arrived one short, the third swept unaccounted past the
/// deadline and the two checked in: the case, its members' ids and the third's.
async fn one_member_unaccounted(app: &TestApp, p: &Places) -> (String, Vec<i64>, i64) {
    let (a, members, left) = app.members_unaccounted(p, 3, 2, "0700 000 351").await;
    (a, members, left[0])
}

/// The passengers a flight's manifest lists, by name, each with whether they boarded.
async fn passengers(app: &TestApp, flight: i64) -> Vec<String> {
    let path = format!("/api/operations/{{op}}/flights/{flight}/manifest.csv");
    let csv = app
        .read_for(Role::Coordinator, &path, Some("boarding check"))
        .await
        .text()
        .await
        .unwrap();
    csv.lines().skip(1).map(str::to_string).collect()
}

/// Lose nobody: members checked in after their household was manifested and flew go on a later
/// flight of their own. The flight's seats are checked for them; they are listed on that
/// flight's manifest, not the household's, and board it; every count follows.
async fn members_checked_in_after_the_household_flew_go_on_a_later_flight(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let (a, _, left) = app.members_unaccounted(&p, 4, 2, "0700 000 353").await;
    app.manifest(p.flight, &a).await;
    let boarded = app.board(&a, p.flight).await;
    assert_eq!(
        (&boarded["to"], &boarded["people"]),
        (&json!("boarded"), &json!(2))
    );

    // Found at the gate late, the two are checked in: the household has flown without them.
    let late =
        json!({"outcome": "arrived_late", "note": "Came with a later group", "person_ids": left});
    app.post(Role::Coordinator, &resolve_path(&a), Some(late))
        .await;
    let processed = app.process(&a, p.gate).await;
    assert_eq!(
        (&processed["to"], &processed["people"]),
        (&json!("processed"), &json!(2))
    );
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["stage"], "boarded");
    let apart = |stage: &str, flight: Option<i64>| -> Value {
        left.iter()
            .map(|id| match flight {
                Some(f) => json!({"person_id": id, "stage": stage, "flight_id": f}),
                None => json!({"person_id": id, "stage": stage}),
            })
            .collect()
    };
    assert_eq!(household["members_apart"], apart("processed", None));

    // A flight with one seat left is refused for the two, and nothing changes.
    let flight = |number: &str, capacity: u32| json!({"number": number, "departs_at": "2030-08-25T12:00:00Z", "capacity": capacity});
    let small = app
        .create(
            Role::Manifest,
            "/api/operations/{op}/flights",
            flight("RCH872", 1),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/operations/{{op}}/flights/{small}/manifest");
    let (status, body) = app
        .call(
            Role::Manifest,
            Method::POST,
            &path,
            Some(json!({"reference": a})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "flight_full", "{body}");
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["members_apart"], apart("processed", None));
    assert!(passengers(&app, small).await.is_empty());

    // The next flight takes them: manifested apart from the household, listed on it alone.
    let later = app
        .create(
            Role::Manifest,
            "/api/operations/{op}/flights",
            flight("RCH873", 10),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let manifested = app.manifest(later, &a).await;
    assert_eq!(
        (
            &manifested["from"],
            &manifested["to"],
            &manifested["people"]
        ),
        (&json!("processed"), &json!("manifested"), &json!(2))
    );
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["members_apart"], apart("manifested", Some(later)));
    let (first, second) = (
        passengers(&app, p.flight).await,
        passengers(&app, later).await,
    );
    assert_eq!((first.len(), second.len()), (2, 2), "{first:?} {second:?}");
    assert!(
        first
            .iter()
            .all(|l| l.contains("Member0") || l.contains("Member1")),
        "{first:?}"
    );
    assert!(
        second
            .iter()
            .all(|l| l.contains("Member2") || l.contains("Member3")),
        "{second:?}"
    );

    // Boarding the household's flight, named or not, does not take them; boarding theirs does.
    let path = format!("{}/boarded", case(&a));
    for wrong in [Some(json!({"flight_id": p.flight})), None] {
        let (status, body) = app.call(Role::Manifest, Method::POST, &path, wrong).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let message = error_message(&body);
        assert!(
            message.contains(&format!("manifested on flight {later}")),
            "{message}"
        );
    }
    let boarded = app.board(&a, later).await;
    assert_eq!(
        (&boarded["to"], &boarded["people"]),
        (&json!("boarded"), &json!(2))
    );
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["members_apart"], apart("boarded", Some(later)));
    let flights = app
        .get(Role::Manifest, "/api/operations/{op}/flights")
        .await;
    let seats: Vec<(i64, i64, i64)> = flights
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_i64().unwrap();
            (n("id"), n("manifested_people"), n("boarded_people"))
        })
        .collect();
    assert_eq!(seats, vec![(p.flight, 2, 2), (small, 0, 0), (later, 2, 2)]);
    let counts = app.counts().await;
    assert_eq!(counts["operation"]["people"]["boarded"], 4, "{counts}");
    let report = app.accountability().await;
    assert_eq!(report["ok"], true, "{report}");
}

/// Lose nobody: a member found back at the RV alone, after the rest of the household went on,
/// leaves with the next batch from that RV, arrives, and rejoins the household at check-in.
async fn a_member_back_at_the_rv_alone_leaves_with_the_next_batch(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let (a, members, third) = one_member_unaccounted(&app, &p).await;
    let back = json!({"outcome": "returned_to_rv", "note": "Walked back to the RV", "person_ids": [third]});
    app.post(Role::Coordinator, &resolve_path(&a), Some(back))
        .await;
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(
        household["members_apart"],
        json!([{"person_id": third, "stage": "admitted_at_rv"}])
    );

    // The next batch takes the case: its one member waiting at the RV leaves, nobody else.
    let departed = app.depart(p.rv, p.gate, &[&a]).await;
    assert_eq!(departed["departed_people"], 1, "{departed}");
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(household["stage"], "processed");
    assert_eq!(
        household["members_apart"],
        json!([{"person_id": third, "stage": "in_escort"}])
    );
    assert_eq!(app.accountability().await["ok"], true);
    // Not a second time: nobody else waits at the RV.
    let (status, _) = app
        .call(
            Role::Escort,
            Method::POST,
            "/api/operations/{op}/batches",
            Some(json!({"rv_id": p.rv, "gate_id": p.gate, "households": [a]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The gate receives the member with the new batch; checked in, they rejoin the household.
    let id = departed["id"].as_i64().unwrap();
    let one = app.arrive_people(id, &a, 1).await;
    assert_eq!(one["people"], 1, "{one}");
    app.process(&a, p.gate).await;
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(
        (&household["stage"], &household["members_apart"]),
        (&json!("processed"), &json!([]))
    );
    let counts = app.counts().await;
    assert_eq!(counts["operation"]["people"]["processed"], 3, "{counts}");
    assert_eq!(app.accountability().await["ok"], true);
    // The third's custody: the first batch (unaccounted), then the second (arrived).
    let chain = app
        .get(Role::Auditor, &format!("{}/custody", case(&a)))
        .await;
    let third_links: Vec<(i64, &str)> = chain
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["person_id"] == third)
        .map(|l| {
            (
                l["batch_id"].as_i64().unwrap(),
                l["ended_by"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(third_links.len(), 2, "{chain}");
    assert_eq!(third_links[1], (id, "arrived"), "{chain}");
    assert!(members.contains(&third));
}

/// The same through an escort's phone: the household's pass scanned into a batch at the RV
/// where its member waits is that member's admission (no double admission), and the batch's
/// departure takes them.
async fn a_phone_takes_a_member_back_at_the_rv_into_its_batch(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 100, 300).await;
    let (a, _, third) = one_member_unaccounted(&app, &p).await;
    let back = json!({"outcome": "returned_to_rv", "note": "Walked back", "person_ids": [third]});
    app.post(Role::Coordinator, &resolve_path(&a), Some(back))
        .await;
    let pass = app.pass_index(&a).await;
    let mut escort = app.escort_at(p.rv, 5).await;
    let (op, t) = (app.op.0, safeconduct_keys::now().0);
    let records = escort.walk(op, p.gate, &[pass], 1, (t, t + 30));
    let answer = app.sync_ok(&escort, &records).await;
    assert_eq!(answer["incidents"], json!([]), "{answer}");
    let household = app.get(Role::Coordinator, &case(&a)).await;
    assert_eq!(
        household["members_apart"],
        json!([{"person_id": third, "stage": "in_escort"}])
    );
    assert_eq!(app.accountability().await["ok"], true);
}

safeconduct_store::on_both_backends_async!(
    members_checked_in_after_the_household_flew_go_on_a_later_flight,
    a_phone_takes_a_member_back_at_the_rv_into_its_batch,
    a_member_back_at_the_rv_alone_leaves_with_the_next_batch,
    a_household_arriving_one_short_leaves_that_member_in_escort,
    sweeps_running_at_once_mark_each_household_once,
    a_coordinator_resolves_each_missing_household_and_the_report_counts_them,
    bad_resolutions_are_refused_and_change_nothing,
    a_batch_past_its_deadline_raises_the_alarm_without_anyone_closing_it,
    a_batch_within_its_deadline_raises_nothing_and_takes_its_links_walking_time,
    gate_staff_see_only_their_own_gates_expected_batches,
    walking_times_out_of_bounds_are_refused_and_change_nothing,
    a_household_admitted_and_never_reported_leaving_raises_an_incident,
);

/// A household admitted at its RV whose departure never reaches the server (the escort's phone
/// lost with it) raises one `not_departed` incident for a coordinator, an hour after its window
/// closed and not before, naming its case; a departure recorded later takes it on its way. A
/// later stay at the RV (back after it was missing) raises its own.
async fn a_household_admitted_and_never_reported_leaving_raises_an_incident(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 300).await;
    let stuck = app.register_with_pass(2, "0700 000 171", p.window).await;
    let left = app.register_with_pass(1, "0700 000 172", p.window).await;
    for r in [&stuck, &left] {
        app.admit_at_rv(r, p.rv).await;
    }
    app.depart(p.rv, p.gate, &[&left]).await;
    let window = app
        .listed("/api/operations/{op}/windows", p.window)
        .await
        .unwrap();
    let end = safeconduct_domain::values::Timestamp::parse_rfc3339(
        "end",
        window["end"].as_str().unwrap(),
    )
    .unwrap()
    .0;
    let op = app.op;
    let sweep = |at: i64| {
        let actor =
            safeconduct_store::Actor::custody_sweep(safeconduct_domain::values::Timestamp(at));
        app.on_store(move |s| s.sweep_custody(Some(op), &actor).unwrap())
    };
    let not_departed = || async {
        app.open_incidents()
            .await
            .into_iter()
            .filter(|i| i["kind"] == "not_departed")
            .collect::<Vec<Value>>()
    };
    sweep(end + 3599).await;
    assert_eq!(not_departed().await, Vec::<Value>::new(), "not yet");
    sweep(end + 3601).await;
    sweep(end + 3700).await;
    let raised = not_departed().await;
    assert_eq!(raised.len(), 1, "one, however many sweeps: {raised:?}");
    let detail = raised[0]["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("case {stuck}")), "{detail}");
    assert_eq!(raised[0]["rv_id"], p.rv);
    // Its departure recorded later, from another phone: on its way.
    app.depart(p.rv, p.gate, &[&stuck]).await;
    assert_eq!(app.stage(&stuck).await, "in_escort");
    // Lost on the way, then found back at the RV: a new stay there, which raises its own
    // incident when its departure is not reported either.
    sweep(end + 3700).await;
    assert_eq!(app.stage(&stuck).await, "unaccounted");
    let back = json!({ "outcome": "returned_to_rv", "note": "Walked back to the RV" });
    app.post(Role::Coordinator, &resolve_path(&stuck), Some(back))
        .await;
    assert_eq!(app.stage(&stuck).await, "admitted_at_rv");
    sweep(end + 3800).await;
    assert_eq!(not_departed().await.len(), 2);
}
