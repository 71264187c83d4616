//! Sign-in back-off on both backends: repeated failures lock the account name for a while,
//! known or not, even against the right password; a success before the lock forgets them.
//! Attempts are also counted per client address, and requests and case reads are limited.

mod common;

use common::spawn_app;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_server::auth::sign_in_lock_seconds;
use safeconduct_store::testing::Backend;
use serde_json::json;

async fn sign_in(
    app: &common::TestApp,
    username: &str,
    password: &str,
) -> (StatusCode, Option<u64>) {
    let res = app
        .client
        .post(app.url("/api/sessions"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap();
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    (res.status(), retry)
}

/// The test users' password.
const PASSWORD: &str = "correct horse battery";

/// The status a sign-in is answered with.
async fn answer(app: &common::TestApp, username: &str, password: &str) -> StatusCode {
    sign_in(app, username, password).await.0
}

#[test]
fn the_lock_grows_with_failures_and_is_capped() {
    let locks: Vec<i64> = (0..=12).map(sign_in_lock_seconds).collect();
    assert_eq!(&locks[..6], &[0, 0, 0, 0, 0, 30]);
    assert_eq!(&locks[6..9], &[60, 120, 240]);
    assert_eq!(locks[12], 900);
    assert_eq!(sign_in_lock_seconds(u32::MAX), 900);
}

async fn repeated_failed_sign_ins_lock_the_name(backend: Backend) {
    let app = spawn_app(backend).await;
    // A name that signs in with a password alone (an auditor's).
    let name = "auditor";
    // Three failures, then a success: the run is forgotten.
    for _ in 0..3 {
        assert_eq!(answer(&app, name, "wrong").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(answer(&app, name, PASSWORD).await, StatusCode::OK);
    // Five failures in a row: the fifth locks the name for 30 s.
    for _ in 0..5 {
        assert_eq!(answer(&app, name, "wrong").await, StatusCode::UNAUTHORIZED);
    }
    let (status, retry) = sign_in(&app, name, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(matches!(retry, Some(1..=30)), "{retry:?}");
    // Typed differently, the name is the same name.
    assert_eq!(
        answer(&app, " Auditor ", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Other accounts are not affected; tokens already issued keep working.
    assert_eq!(answer(&app, "gate", PASSWORD).await, StatusCode::OK);
    let coordinator = safeconduct_domain::Role::Coordinator;
    let (status, _) = app
        .call(coordinator, Method::GET, "/api/operations/{op}", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    // An unknown name is treated exactly like a known one.
    for _ in 0..5 {
        assert_eq!(
            answer(&app, "nobody", "guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        answer(&app, "nobody", "guess").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// An app whose users may read three cases a minute.
async fn three_case_reads_a_minute(backend: Backend) -> common::TestApp {
    let limits = safeconduct_server::limits::Limits {
        requests_per_second: 50,
        lookups_per_minute: 3,
        ..Default::default()
    };
    common::spawn_app_with(backend, limits).await
}

/// Lookups answer with personal data one case at a time: a token that looks up faster than a
/// person on a call could is refused for a while; other tokens are not.
async fn lookups_are_rate_limited_per_token(backend: Backend) {
    let app = three_case_reads_a_minute(backend).await;
    let phone = serde_json::json!({ "phone": "0700000001" });
    for _ in 0..3 {
        app.lookup(safeconduct_domain::Role::Hotline, phone.clone())
            .await;
    }
    let res = app
        .client
        .post(app.url(common::LOOKUP))
        .json(&phone)
        .bearer_auth(app.token(safeconduct_domain::Role::Hotline))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "rate_limited"
    );
    // Another operator's token, and other requests with the same token, go on.
    app.lookup(safeconduct_domain::Role::Coordinator, phone)
        .await;
    app.get(safeconduct_domain::Role::Hotline, "/api/operations/{op}")
        .await;
}

/// Logging a call on a case tells whether it exists (and, with a route to send, whether the
/// household still walks to its RV): a call logged on a case not read just before is counted
/// as a read of it, so references cannot be tried that way without limit.
async fn calls_logged_on_cases_not_read_count_as_reads(backend: Backend) {
    let app = three_case_reads_a_minute(backend).await;
    let call = json!({ "outcome": "no_answer" });
    let mut statuses = Vec::new();
    for guess in ["K7M4-Q2XP", "K7M4-Q2XR", "K7M4-Q2XS", "K7M4-Q2XT"] {
        let path = format!("{}/calls", common::case(guess));
        let (status, _) = app
            .call(
                safeconduct_domain::Role::Hotline,
                Method::POST,
                &path,
                Some(call.clone()),
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

/// Cross-origin use is closed: no answer carries an Access-Control-Allow-Origin header, so a
/// page on another site cannot read the API with a user's token.
async fn cross_origin_requests_get_no_cors_grant(backend: Backend) {
    let app = spawn_app(backend).await;
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/api/operations/{op}"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let res = app
        .client
        .get(app.url("/api/operations/{op}"))
        .bearer_auth(app.token(safeconduct_domain::Role::Coordinator))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
}

async fn coordinators_and_the_hotline_sign_in_with_a_one_time_code_used_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let send = |body: serde_json::Value| {
        let app = &app;
        async move {
            let res = app
                .client
                .post(app.url("/api/sessions"))
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.json::<serde_json::Value>().await.unwrap())
        }
    };
    let password = "correct horse battery";
    let now = safeconduct_keys::now().0;
    // No code, or a wrong one: the same answer as a wrong password.
    for body in [
        json!({ "username": "coordinator", "password": password }),
        json!({ "username": "coordinator", "password": password, "totp": "000000" }),
        json!({ "username": "coordinator", "password": "wrong", "totp": common::totp_code("coordinator", now + 30) }),
    ] {
        let (status, out) = send(body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(out["error"]["code"], "invalid_credentials", "{out}");
    }
    // The next step's code (one step of clock drift is allowed) signs in, once.
    let code = common::totp_code("coordinator", now + 30);
    let body = json!({ "username": "coordinator", "password": password, "totp": code });
    assert_eq!(send(body.clone()).await.0, StatusCode::OK);
    let (status, out) = send(body).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a code is used once: {out}"
    );
    // An earlier step's code is not accepted after a later one was used.
    let earlier = common::totp_code("coordinator", now - 30);
    let (status, _) =
        send(json!({ "username": "coordinator", "password": password, "totp": earlier })).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A coordinator without an authenticator cannot sign in; the refusal says what is needed.
    let store = app.store.clone();
    let op = app.op;
    tokio::task::spawn_blocking(move || {
        let hash = safeconduct_keys::password::hash_password(password).unwrap();
        let id = store
            .create_user(
                &safeconduct_store::NewUser {
                    username: "unenrolled".into(),
                    password_hash: hash,
                    organisation: None,
                },
                safeconduct_domain::values::Timestamp(0),
            )
            .unwrap();
        store
            .grant_role(
                id,
                op,
                safeconduct_domain::Role::Coordinator,
                &safeconduct_store::Actor::system(safeconduct_domain::values::Timestamp(0)),
            )
            .unwrap();
    })
    .await
    .unwrap();
    // Its right password is refused exactly as a wrong one: the answer confirms nothing.
    let right = send(json!({ "username": "unenrolled", "password": password })).await;
    let wrong = send(json!({ "username": "unenrolled", "password": "not the password" })).await;
    assert_eq!(right.0, StatusCode::UNAUTHORIZED);
    assert_eq!(right, wrong);
    assert_eq!(
        right.1["error"]["code"], "invalid_credentials",
        "{}",
        right.1
    );
    assert!(
        common::error_message(&right.1).contains("safeconduct user totp NAME"),
        "{}",
        right.1
    );
    // Hotline operators and manifest officers need a code as coordinators do: they find who
    // is trying to leave, or put people on a flight.
    for name in ["hotline", "manifest"] {
        let (status, out) = send(json!({ "username": name, "password": password })).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {out}");
        // (This step's code signed in at set-up; the next step's is accepted for drift.)
        let code = common::totp_code(name, safeconduct_keys::now().0 + 30);
        let body = json!({ "username": name, "password": password, "totp": code });
        assert_eq!(send(body).await.0, StatusCode::OK, "{name} with a code");
    }
    // Other roles need no code.
    for name in ["auditor", "escort", "gate"] {
        let (status, out) = send(json!({ "username": name, "password": password })).await;
        assert_eq!(status, StatusCode::OK, "{name}: {out}");
    }
}

/// Insists that `refused` is a 429 `rate_limited` with the wait in `Retry-After`.
async fn assert_rate_limited(refused: reqwest::Response) {
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
}

/// One address sending too fast is refused, signed in or not, before any work is done; behind
/// a proxy the address is the one the proxy appended to X-Forwarded-For.
async fn requests_are_rate_limited_per_address(backend: Backend) {
    let limits = safeconduct_server::limits::Limits {
        requests_per_ip_per_second: 2,
        behind_proxy: true,
        ..Default::default()
    };
    let app = common::spawn_app_with(backend, limits).await;
    let from = |address: &'static str| {
        app.client
            .get(app.url("/healthz"))
            .header("x-forwarded-for", format!("203.0.113.9, {address}"))
            .send()
    };
    // A burst of four seconds' worth, then refusals with the wait.
    for _ in 0..8 {
        assert_eq!(from("198.51.100.7").await.unwrap().status(), StatusCode::OK);
    }
    assert_rate_limited(from("198.51.100.7").await.unwrap()).await;
    // Another address is not affected.
    assert_eq!(from("198.51.100.8").await.unwrap().status(), StatusCode::OK);
}

/// Sign-in attempts are counted per client address too: a sender trying name after name (a
/// new name each time, so that no name's back-off applies) is refused once its attempts are
/// spent, each being a key-stretched password check. A success gives its attempt back (a room
/// of staff behind one address signs in at the start of a shift), and other addresses are
/// not affected.
async fn sign_ins_are_limited_per_address(backend: Backend) {
    let limits = safeconduct_server::limits::Limits {
        sign_ins_per_minute: 3,
        behind_proxy: true,
        ..Default::default()
    };
    let app = common::spawn_app_with(backend, limits).await;
    let from = |address: &'static str, username: String, password: &'static str| {
        app.client
            .post(app.url("/api/sessions"))
            .header("x-forwarded-for", address)
            .json(&json!({ "username": username, "password": password }))
            .send()
    };
    let room = "198.51.100.7";
    for _ in 0..5 {
        let res = from(room, "escort".into(), PASSWORD).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    for i in 0..3 {
        let res = from(room, format!("made-up-{i}"), "guess").await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    assert_rate_limited(from(room, "made-up-9".into(), "guess").await.unwrap()).await;
    let res = from("198.51.100.8", "escort".into(), PASSWORD)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "another address signs in");
}

/// Servers behind one load balancer share a user's allowance of case reads: reads counted on
/// one are counted on the next, which refuses the one beyond; another user goes on.
async fn case_reads_are_counted_across_servers(backend: Backend) {
    let app = three_case_reads_a_minute(backend).await;
    let peer = app.spawn_peer().await;
    let phone = json!({ "phone": "0700000001" });
    let on_peer = |role: Role| {
        app.call_on(
            &peer,
            role,
            Method::POST,
            common::LOOKUP,
            Some(phone.clone()),
        )
    };
    for _ in 0..2 {
        app.lookup(Role::Hotline, phone.clone()).await;
    }
    assert_eq!(on_peer(Role::Hotline).await.0, StatusCode::OK);
    let (status, refused) = on_peer(Role::Hotline).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{refused}");
    assert_eq!(refused["error"]["code"], "rate_limited", "{refused}");
    // The first server, whose own bucket has a read left, refuses too.
    let (status, _) = app
        .call(
            Role::Hotline,
            Method::POST,
            common::LOOKUP,
            Some(phone.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(on_peer(Role::Coordinator).await.0, StatusCode::OK);
}

safeconduct_store::on_both_backends_async!(
    case_reads_are_counted_across_servers,
    sign_ins_are_limited_per_address,
    requests_are_rate_limited_per_address,
    coordinators_and_the_hotline_sign_in_with_a_one_time_code_used_once,
    cross_origin_requests_get_no_cors_grant,
    repeated_failed_sign_ins_lock_the_name,
    lookups_are_rate_limited_per_token,
    calls_logged_on_cases_not_read_count_as_reads,
);
