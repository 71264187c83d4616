//! Someone with a user's token, or guessing a password, tries to keep what a session gives:
//! a live stream open after signing out or after their places were taken away, forty
//! password guesses sent at once, a coordinator kept out by a name locked with wrong guesses, a fresh allowance of case reads by signing in again, case
//! reads outside the lookup endpoint, and reads logged under whatever spelling of a
//! reference they typed.

mod common;

use common::{LOOKUP, case, sign_in, spawn_app_with, spawn_app_with_places};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_server::limits::Limits;
use safeconduct_store::testing::Backend;
use serde_json::json;
use std::time::Duration;

fn limits(lookups_per_minute: u32) -> Limits {
    Limits {
        requests_per_ip_per_second: 0,
        lookups_per_minute,
        ..Default::default()
    }
}

/// Opens the live stream with `token`; the response, its body still to come.
async fn open_live(app: &common::TestApp, token: &str) -> reqwest::Response {
    let res = app
        .client
        .get(app.url("/api/operations/{op}/live"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res
}

/// Whether the stream ends within `wait` (anything it sends meanwhile is read and dropped).
async fn ends_within(res: &mut reqwest::Response, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, res.chunk()).await {
            Err(_) => return false,
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None)) | Ok(Err(_)) => return true,
        }
    }
}

async fn sign_out(app: &common::TestApp, token: &str) {
    let res = app
        .client
        .delete(app.url("/api/sessions"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

async fn the_live_stream_ends_at_sign_out(backend: Backend) {
    let (app, _) = spawn_app_with_places(backend, 10, 10).await;
    // (A coordinator's one-time code was used at set-up: escort and gate staff stand in.)
    for user in ["escort", "gate"] {
        let token = sign_in(&app.client, &app.base, user).await;
        let mut live = open_live(&app, &token).await;
        assert!(
            !ends_within(&mut live, Duration::from_secs(3)).await,
            "{user}: a signed-in stream stays open"
        );
        sign_out(&app, &token).await;
        assert!(
            ends_within(&mut live, Duration::from_secs(6)).await,
            "{user}: the stream goes on after sign-out"
        );
    }
}

async fn the_live_stream_ends_when_places_change(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 10, 10).await;
    let token = sign_in(&app.client, &app.base, "escort").await;
    let mut live = open_live(&app, &token).await;
    assert!(!ends_within(&mut live, Duration::from_secs(3)).await);
    app.assign("escort", &[], &[]).await;
    assert!(
        ends_within(&mut live, Duration::from_secs(6)).await,
        "the stream goes on for places no longer assigned"
    );
    app.assign("escort", &[p.rv], &[]).await;
    let mut again = open_live(&app, &token).await;
    assert!(
        !ends_within(&mut again, Duration::from_secs(3)).await,
        "a stream opened with the new places stays open"
    );
}

async fn forty_guesses_at_once_get_five_checks(backend: Backend) {
    let app = spawn_app_with(backend, limits(30)).await;
    let guesses = (0..40).map(|i| {
        let client = app.client.clone();
        let url = app.url("/api/sessions");
        async move {
            client
                .post(url)
                .json(
                    &serde_json::json!({ "username": "auditor", "password": format!("guess {i}") }),
                )
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked, 5, "{answers:?}");
    assert_eq!(refused, 35, "{answers:?}");
    // The right password is refused too while the name is locked.
    let res = app
        .client
        .post(app.url("/api/sessions"))
        .json(&serde_json::json!({ "username": "auditor", "password": "correct horse battery" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// A stranger who knows a coordinator's name sends wrong passwords to keep it locked. The
/// coordinator still signs in with the right password and a fresh one-time code; without the
/// code, or with the code and a wrong password, the answer is only the wait, like any other,
/// and the success unlocks the name. (A user with no authenticator waits the lock out: the
/// test above.)
async fn a_stranger_cannot_keep_a_coordinator_locked_out(backend: Backend) {
    let app = spawn_app_with(backend, limits(30)).await;
    app.add_user_with_code("farida", Role::Coordinator).await;
    let send =
        |body: serde_json::Value| app.call_with(None, Method::POST, "/api/sessions", Some(body));
    let guess = json!({ "username": "farida", "password": "a stranger's guess" });
    let mut guesses = 0;
    loop {
        let (status, out) = send(guess.clone()).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(out["error"]["code"], "too_many_attempts", "{out}");
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{out}");
        guesses += 1;
        assert!(guesses <= 10, "the name never locked");
    }
    let password = "correct horse battery";
    let now = safeconduct_keys::now().0;
    let locked = |out: &serde_json::Value| out["error"]["code"] == "too_many_attempts";
    for body in [
        json!({ "username": "farida", "password": password }),
        json!({ "username": "farida", "password": password, "totp": "000000" }),
        // A code seen over a shoulder, with a guess: the wait, and the code is used up.
        json!({ "username": "farida", "password": "a guess", "totp": common::totp_code("farida", now) }),
    ] {
        let (status, out) = send(body).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{out}");
        assert!(locked(&out), "{out}");
    }
    let code = common::totp_code("farida", now + 30);
    let owner = json!({ "username": "farida", "password": password, "totp": code });
    let (status, out) = send(owner).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert!(out["token"].is_string(), "{out}");
    // Unlocked: the next guess is checked (and refused) again.
    let (status, out) = send(guess).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{out}");
}

async fn case_reads_are_limited_per_user_on_every_route(backend: Backend) {
    let app = spawn_app_with(backend, limits(3)).await;
    let places = app.places(10, 10).await;
    let reference = app
        .register_with_pass(1, "0700 200 001", places.window)
        .await;
    // Three reads of one case, by three routes that answer with it.
    let by_reference = json!({ "reference": reference });
    let by_phone = json!({ "phone": "0700200001" });
    let hotline_case = format!("/api/operations/{{op}}/hotline/cases/{reference}");
    for (path, body) in [
        (hotline_case.as_str(), json!({})),
        (LOOKUP, by_reference.clone()),
        (LOOKUP, by_phone),
    ] {
        let (status, body) = app
            .call(Role::Hotline, Method::POST, path, Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (status, _) = app
        .call(Role::Hotline, Method::POST, &hotline_case, Some(json!({})))
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a case read is a lookup"
    );
    // Signing in again does not start a new allowance.
    let fresh = sign_in(&app.client, &app.base, "hotline").await;
    let (status, _) = app
        .call_with(Some(&fresh), Method::POST, LOOKUP, Some(by_reference))
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a new token, the same user"
    );
    // Another user is not held up.
    let (status, _) = app.try_get(Role::Coordinator, &case(&reference)).await;
    assert_eq!(status, StatusCode::OK);
}

/// The hotline console opens a case with one counted read; its calls, messages and route
/// are free for a minute after it. A part of a case not read first is counted like any read,
/// so reading parts does not get round the limit.
async fn an_open_case_costs_one_read_and_its_parts_nothing(backend: Backend) {
    let app = spawn_app_with(backend, limits(2)).await;
    let places = app.places(10, 10).await;
    let open = app
        .register_with_pass(1, "0700 400 001", places.window)
        .await;
    let other = app
        .register_with_pass(1, "0700 400 002", places.window)
        .await;
    let third = app
        .register_with_pass(1, "0700 400 003", places.window)
        .await;
    let parts = |reference: &str| {
        let position = json!({ "lat": 60.1699, "lon": 24.9384 });
        [
            (Method::GET, format!("{}/calls", case(reference)), None),
            (Method::GET, format!("{}/messages", case(reference)), None),
            (
                Method::POST,
                format!("{}/route", case(reference)),
                Some(position),
            ),
        ]
    };
    let opened = format!("/api/operations/{{op}}/hotline/cases/{open}");
    let (status, body) = app
        .call(Role::Hotline, Method::POST, &opened, Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for _ in 0..3 {
        for (method, path, body) in parts(&open) {
            let (status, _) = app.call(Role::Hotline, method, &path, body).await;
            assert_ne!(
                status,
                StatusCode::TOO_MANY_REQUESTS,
                "{path}: a part of the open case"
            );
        }
    }
    // The calls of a case not read first: counted (the second of two reads)...
    let (status, _) = app
        .call(
            Role::Hotline,
            Method::GET,
            &format!("{}/calls", case(&other)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // ...and a part of a third case is refused: the allowance is spent.
    let (status, _) = app
        .call(
            Role::Hotline,
            Method::GET,
            &format!("{}/messages", case(&third)),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "parts do not get round the limit"
    );
}

async fn reads_are_logged_with_the_canonical_reference(backend: Backend) {
    let (app, p) = spawn_app_with_places(backend, 10, 10).await;
    let reference = app.register_with_pass(1, "0700 300 001", p.window).await;
    let typed = reference.replace('-', "").to_lowercase();
    let spaced = reference.replace('-', "%20");
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    for (method, path, body) in [
        (Method::GET, case(&typed), None),
        (Method::GET, format!("{}/pass.svg", case(&spaced)), None),
        (
            Method::POST,
            LOOKUP.to_string(),
            Some(json!({ "phone": "0700300001" })),
        ),
        (
            Method::POST,
            LOOKUP.to_string(),
            Some(json!({ "reference": typed })),
        ),
    ] {
        let (status, body) = app.call(Role::Coordinator, method, &path, body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let entries = app
        .on_store(move |s| s.audit_entries(before, 100).unwrap())
        .await;
    let records: Vec<String> = entries
        .into_iter()
        .filter(|(_, e)| e.action.starts_with("h::") || e.action.starts_with("ph::"))
        .map(|(_, e)| e.record.unwrap_or_default())
        .collect();
    let op = app.op;
    assert_eq!(
        records,
        vec![
            format!("/api/operations/{op}/households/{reference}"),
            format!("/api/operations/{op}/households/{reference}/pass.svg"),
            format!("/api/operations/{op}/lookup: {reference}"),
            format!("/api/operations/{op}/lookup: {reference}"),
        ]
    );
    // A lookup that finds nothing says so, and what was typed stays out of the log.
    let (before, _) = app.on_store(|s| s.audit_head().unwrap()).await;
    app.lookup(Role::Coordinator, json!({ "phone": "0700999999" }))
        .await;
    let (status, _) = app
        .try_get(Role::Coordinator, "/api/operations/{op}/households/Habiba")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let entries = app
        .on_store(move |s| s.audit_entries(before, 100).unwrap())
        .await;
    let text = format!("{entries:?}");
    assert!(
        text.contains(&format!("/api/operations/{op}/lookup: no case")),
        "{text}"
    );
    assert!(
        !text.contains("Habiba") && !text.contains("999999"),
        "{text}"
    );
}

safeconduct_store::on_both_backends_async!(
    the_live_stream_ends_at_sign_out,
    the_live_stream_ends_when_places_change,
    forty_guesses_at_once_get_five_checks,
    a_stranger_cannot_keep_a_coordinator_locked_out,
    case_reads_are_limited_per_user_on_every_route,
    an_open_case_costs_one_read_and_its_parts_nothing,
    reads_are_logged_with_the_canonical_reference,
);
