//! The audit trail through the API on both backends: every read of personal data is in the
//! log before it is answered, with who, role, endpoint and path and the stated reason; no
//! personal data is in the log; the chain verifies after a case's whole journey.

mod common;

use common::{LOOKUP, case, error_message, spawn_app, spawn_app_with_places};
use reqwest::Method;
use safeconduct_domain::Role;
use safeconduct_server::api::endpoints;
use safeconduct_store::AuditEntry;
use safeconduct_store::testing::Backend;

async fn reads_of_personal_data_are_logged_without_personal_data(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let reference = app.register_with_pass(2, "0700 321 654", p.window).await;
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;

    let reason = Some("caller asked for the window");
    let res = app
        .read_for(Role::Coordinator, &case(&reference), reason)
        .await;
    assert_eq!(res.status(), 200);
    app.lookup(Role::Hotline, serde_json::json!({ "phone": "0700321654" }))
        .await;
    let entries = app
        .on_store(move |s| s.audit_entries(before, 10).unwrap())
        .await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    let (_, read) = &entries[0];
    assert_eq!(read.action, "h::household");
    assert_eq!(read.role, Some(Role::Coordinator));
    assert_eq!(
        read.record.as_deref(),
        Some(format!("/api/operations/{}/households/{reference}", app.op).as_str())
    );
    assert_eq!(read.reason.as_deref(), Some("caller asked for the window"));
    let (_, lookup) = &entries[1];
    assert_eq!(lookup.action, "h::lookup");
    assert!(
        !lookup.record.as_deref().unwrap().contains("321"),
        "the phone stays out of the log"
    );

    // Nothing in the whole log names a person or a phone.
    let all = app.on_store(|s| s.audit_entries(0, 10_000).unwrap()).await;
    assert!(
        all.iter()
            .any(|(_, e)| e.action == "pass_issued" || e.action == "issue_pass")
    );
    let text = format!("{all:?}");
    for secret in ["Sadat", "سادات", "93700321654", "0700", "P0000100"] {
        assert!(!text.contains(secret), "{secret} appears in the audit log");
    }
    assert_eq!(
        app.on_store(|s| s.verify_audit().unwrap().first_break)
            .await,
        None
    );
}

async fn bulk_exports_need_a_reason_and_are_logged_with_it(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let path = format!("/api/operations/{{op}}/flights/{}/manifest.csv", p.flight);
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    let res = app.read_for(Role::Coordinator, &path, None).await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "reason_required"
    );
    assert_eq!(
        app.on_store(|s| s.audit_head().unwrap().0).await,
        before,
        "a refused export is not a read"
    );
    let reason = Some("manifest for the crew");
    let res = app.read_for(Role::Coordinator, &path, reason).await;
    assert_eq!(res.status(), 200);
    let entries = app
        .on_store(move |s| s.audit_entries(before, 10).unwrap())
        .await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].1.action, "h::manifest_csv");
    assert_eq!(
        entries[0].1.reason.as_deref(),
        Some("manifest for the crew")
    );
    let res = app.read_for(Role::Manifest, &path, Some("x")).await;
    assert_eq!(
        res.status(),
        403,
        "bulk exports are the coordinator's alone"
    );
}

#[test]
fn every_endpoint_that_answers_with_personal_data_is_audited() {
    // The list is the single statement of which reads are audited; it must name real
    // endpoints, and every GET that casework roles use on one case must be on it.
    use safeconduct_server::endpoints::{
        AUDITED_BY_HANDLER, AUDITED_LISTS, BULK_EXPORTS, CASE_PARTS, IDEMPOTENT, LOOKUPS,
        PERSONAL_DATA_READS,
    };
    let all = endpoints();
    // Every list the authorisation layer reads names real endpoints: a name misspelt, or left
    // behind when an endpoint was renamed, would quietly leave that endpoint unaudited or
    // unlimited.
    for (list, names) in [
        ("PERSONAL_DATA_READS", PERSONAL_DATA_READS),
        ("AUDITED_LISTS", AUDITED_LISTS),
        ("AUDITED_BY_HANDLER", AUDITED_BY_HANDLER),
        ("BULK_EXPORTS", BULK_EXPORTS),
        ("LOOKUPS", LOOKUPS),
        ("CASE_PARTS", CASE_PARTS),
        ("IDEMPOTENT", IDEMPOTENT),
    ] {
        for name in names {
            assert!(
                all.iter().any(|e| e.operation_id == *name),
                "{name} in {list} is not an endpoint"
            );
        }
    }
    for name in AUDITED_BY_HANDLER {
        let e = all.iter().find(|e| e.operation_id == *name).unwrap();
        assert!(
            e.is_audited(),
            "{name}: its handler writes an entry nobody asked for"
        );
    }
    for name in CASE_PARTS.iter().chain(BULK_EXPORTS) {
        let e = all.iter().find(|e| e.operation_id == *name).unwrap();
        assert!(e.reads_personal_data(), "{name} is not audited");
    }
    for e in &all {
        let answers_one_case = safeconduct_server::endpoints::LOOKUPS.contains(&e.operation_id);
        if (e.method == Method::GET && e.path.contains("{reference}")) || answers_one_case {
            assert!(
                e.reads_personal_data(),
                "{} {} reads a case but is not audited",
                e.method,
                e.path
            );
        }
    }
}

/// The auditor's review of access: the hotline's reads counted per reader, the distinct cases
/// they named and the busiest hour, marked over the threshold; the auditor's alone; bad
/// parameters refused by name.
async fn an_auditor_reviews_who_read_how_much(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 20, 20).await;
    let mut references = Vec::new();
    for phone in ["0700 100 001", "0700 100 002", "0700 100 003"] {
        references.push(app.register_with_pass(1, phone, p.window).await);
    }
    let started = safeconduct_server::wire::time_text(safeconduct_keys::now());
    for reference in references.iter().chain(&references[..1]) {
        let path = format!("/api/operations/{{op}}/hotline/cases/{reference}");
        let body = Some(serde_json::json!({}));
        app.ok(Role::Hotline, Method::POST, &path, body, 200).await;
    }
    // Written straight into the log: a manifest officer's list naming two cases (listed, none
    // opened), a pass link opened (nobody signed in), the hotline reading a case of another
    // operation, and a sign-in (of no operation).
    let (op, listed, opened) = (app.op, references[1].clone(), references[2].clone());
    app.on_store(move |s| {
        let user = |name: &str| Some(s.user_by_name(name).unwrap().unwrap().id);
        let other = s
            .operations()
            .unwrap()
            .into_iter()
            .find(|o| o.id != op)
            .unwrap()
            .id;
        let at = safeconduct_keys::now();
        let entry = |operation, user, role, action: &str, record: String| AuditEntry {
            at,
            operation,
            user,
            role,
            device: None,
            action: action.into(),
            record: Some(record),
            reason: None,
        };
        for e in [
            entry(
                Some(op),
                user("manifest"),
                Some(Role::Manifest),
                "h::cases_in_stage",
                format!("stage processed: {listed} {opened}"),
            ),
            entry(Some(op), None, None, "pass_link_opened", "pass/77".into()),
            entry(
                Some(other),
                user("hotline"),
                Some(Role::Hotline),
                "h::household",
                format!("/api/operations/{}/households/{opened}", other.0),
            ),
            entry(None, user("hotline"), None, "signed_in", String::new()),
        ] {
            s.audit(&e).unwrap();
        }
    })
    .await;
    let review = |query: String| {
        let app = &app;
        async move {
            let path = format!("/api/operations/{{op}}/audit/reads{query}");
            app.call(Role::Auditor, Method::GET, &path, None).await
        }
    };
    let (status, out) = review(format!("?since={started}&over=2")).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["over"], 2);
    let readers = out["readers"].as_array().unwrap();
    let hotline = readers
        .iter()
        .find(|r| r["user"] == "hotline")
        .unwrap_or_else(|| panic!("the hotline's reads are reviewed: {out}"));
    assert_eq!(hotline["roles"], serde_json::json!(["hotline"]));
    assert_eq!(hotline["requests"], 4, "{hotline}");
    assert_eq!(
        hotline["cases"], 3,
        "one case read twice counts once: {hotline}"
    );
    assert_eq!(hotline["busiest_hour_cases"], 3, "{hotline}");
    assert_eq!(
        hotline["marked"], true,
        "three cases within an hour, over 2"
    );
    assert_eq!(readers[0]["user"], "hotline", "the busiest first: {out}");
    let of = |user: serde_json::Value| {
        let found = readers.iter().find(|r| r["user"] == user);
        found
            .unwrap_or_else(|| panic!("{user} reviewed: {out}"))
            .clone()
    };
    let lister = of(serde_json::json!("manifest"));
    assert_eq!(lister["cases"], 2, "{lister}");
    assert_eq!(lister["busiest_hour_cases"], 0, "{lister}");
    assert_eq!(
        lister["busiest_hour_from"],
        serde_json::Value::Null,
        "{lister}"
    );
    let links = of(serde_json::Value::Null);
    assert_eq!(links["requests"], 1, "the pass link's open: {links}");
    assert_eq!(links["roles"], serde_json::json!([]), "{links}");
    assert_eq!(
        readers.len(),
        3,
        "no other operation's reads, no sign-in: {out}"
    );
    let text = out.to_string();
    for reference in &references {
        assert!(
            !text.contains(reference.as_str()),
            "no case is named: {text}"
        );
    }
    // The default mark (60) leaves the hotline unmarked; a later start leaves nobody.
    let (_, out) = review(format!("?since={started}")).await;
    assert_eq!(out["over"], 60);
    assert!(
        out["readers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["marked"] == false),
        "{out}"
    );
    let later = safeconduct_server::wire::time_text(safeconduct_domain::values::Timestamp(
        safeconduct_keys::now().0 + 3600,
    ));
    let (_, out) = review(format!("?since={later}")).await;
    assert_eq!(out["readers"], serde_json::json!([]), "{out}");
    // Bad parameters are named.
    for (query, named) in [
        ("?over=0", "over"),
        ("?over=lots", "over"),
        ("?since=yesterday", "since"),
    ] {
        let (status, out) = review(query.to_string()).await;
        assert_eq!(status, 422, "{query}: {out}");
        assert_eq!(out["error"]["field"], named, "{query}: {out}");
    }
    // Coordinators are among those reviewed: the review is not theirs, nor the hotline's.
    for role in [Role::Coordinator, Role::Hotline, Role::Escort] {
        let (status, _) = app
            .call(role, Method::GET, "/api/operations/{op}/audit/reads", None)
            .await;
        assert_eq!(status, 403, "{role:?}");
    }
}

async fn a_shredded_operation_answers_gone_for_personal_data_and_still_counts(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = app.register(2, "0700 555 111").await;
    app.close_and_shred().await.unwrap();
    for (method, path, body) in [
        (
            Method::GET,
            format!("/api/operations/{{op}}/households/{reference}"),
            None,
        ),
        (
            Method::POST,
            LOOKUP.to_string(),
            Some(serde_json::json!({ "phone": "0700555111" })),
        ),
    ] {
        let body = app.ok(Role::Coordinator, method, &path, body, 410).await;
        assert_eq!(body["error"]["code"], "shredded", "{body}");
    }
    let closed = app
        .ok(
            Role::Coordinator,
            Method::POST,
            "/api/operations/{op}/households",
            Some(serde_json::json!({
                "language": "ps",
                "members": [{ "name": "Late Arrival" }]
            })),
            409,
        )
        .await;
    assert!(error_message(&closed).contains("closed"), "{closed}");
    let operation = app.get(Role::Coordinator, "/api/operations/{op}").await;
    assert!(operation["shredded_at"].is_string(), "{operation}");
    let counts = app
        .get(Role::Coordinator, "/api/operations/{op}/accountability")
        .await;
    assert_eq!(counts["registered_people"], 2, "{counts}");
}

safeconduct_store::on_both_backends_async!(
    an_auditor_reviews_who_read_how_much,
    a_shredded_operation_answers_gone_for_personal_data_and_still_counts,
    reads_of_personal_data_are_logged_without_personal_data,
    bulk_exports_need_a_reason_and_are_logged_with_it,
);
