//! Sign-in back-off on both backends: repeated failures lock the account name for a while,
//! known or not, even against the right password; a success before the lock forgets them.

mod common;

use common::spawn_app;
use reqwest::{Method, StatusCode};
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
    let name = "coordinator";
    // Three failures, then a success: the run is forgotten.
    for _ in 0..3 {
        assert_eq!(
            sign_in(&app, name, "wrong").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in(&app, name, "correct horse battery").await.0,
        StatusCode::OK
    );
    // Five failures in a row: the fifth locks the name for 30 s.
    for _ in 0..5 {
        assert_eq!(
            sign_in(&app, name, "wrong").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, retry) = sign_in(&app, name, "correct horse battery").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(matches!(retry, Some(1..=30)), "{retry:?}");
    // Typed differently, the name is the same name.
    assert_eq!(
        sign_in(&app, " Coordinator ", "correct horse battery")
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Other accounts are not affected; tokens already issued keep working.
    assert_eq!(
        sign_in(&app, "hotline", "correct horse battery").await.0,
        StatusCode::OK
    );
    let (status, _) = app
        .call(
            safeconduct_domain::Role::Coordinator,
            Method::GET,
            "/api/operations/{op}",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // An unknown name is treated exactly like a known one.
    for _ in 0..5 {
        assert_eq!(
            sign_in(&app, "nobody", "guess").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in(&app, "nobody", "guess").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Lookups answer with personal data one case at a time: a token that looks up faster than a
/// person on a call could is refused for a while; other tokens are not.
async fn lookups_are_rate_limited_per_token(backend: Backend) {
    let limits = safeconduct_server::limits::Limits {
        requests_per_second: 50,
        lookups_per_minute: 3,
    };
    let app = common::spawn_app_with(backend, limits).await;
    let lookup = "/api/operations/{op}/lookup?phone=0700000001";
    for _ in 0..3 {
        app.ok(
            safeconduct_domain::Role::Hotline,
            Method::GET,
            lookup,
            None,
            200,
        )
        .await;
    }
    let res = app
        .client
        .get(app.url(lookup))
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
    app.ok(
        safeconduct_domain::Role::Coordinator,
        Method::GET,
        lookup,
        None,
        200,
    )
    .await;
    app.ok(
        safeconduct_domain::Role::Hotline,
        Method::GET,
        "/api/operations/{op}",
        None,
        200,
    )
    .await;
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

safeconduct_store::on_both_backends_async!(
    cross_origin_requests_get_no_cors_grant,
    repeated_failed_sign_ins_lock_the_name,
    lookups_are_rate_limited_per_token,
);
