//! Every endpoint, called by every role: the roles it does not name get 403, a caller without
//! credentials gets 401, a user of another operation gets 403, and the roles it names pass the
//! gate. Generated from the endpoint table, so a new endpoint is covered the day it is added.

mod common;

use common::spawn_app;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_server::endpoints::{Access, endpoints};
use safeconduct_store::testing::Backend;

fn concrete(path: &str, reference: &str) -> String {
    path.replace("{reference}", reference)
        .replace("{person}", "1")
        .replace("{rv}", "1")
        .replace("{gate}", "1")
        .replace("{batch}", "1")
        .replace("{flight}", "1")
}

async fn every_endpoint_refuses_the_roles_it_does_not_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = app.register(1, "0700 555 000").await;
    let mut checked = 0;
    for e in endpoints() {
        let path = concrete(e.path, &reference);
        let method = Method::from_bytes(e.method.as_str().as_bytes()).unwrap();
        match e.access {
            Access::Open => {
                let (status, _) = app
                    .call_with(None, method.clone(), &path, Some(serde_json::json!({})))
                    .await;
                assert_ne!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{} {} is open",
                    e.method,
                    e.path
                );
            }
            Access::SignedIn => {
                let (status, body) = app.call_with(None, method.clone(), &path, None).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{} {}", e.method, e.path);
                assert_eq!(body["error"]["code"], "unauthenticated");
            }
            Access::Roles(allowed) => {
                let (status, body) = app.call_with(None, method.clone(), &path, None).await;
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{} {} without credentials",
                    e.method,
                    e.path
                );
                assert_eq!(body["error"]["code"], "unauthenticated");
                let (status, _) = app
                    .call_with(Some("0".repeat(64).as_str()), method.clone(), &path, None)
                    .await;
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{} {} with an unknown token",
                    e.method,
                    e.path
                );
                let outsider = app.outsider.clone();
                let (status, _) = app
                    .call_with(Some(&outsider), method.clone(), &path, None)
                    .await;
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} {} by a user of another operation",
                    e.method,
                    e.path
                );
                for role in Role::ALL {
                    let (status, body) = app.call(role, method.clone(), &path, None).await;
                    if allowed.contains(&role) {
                        assert!(
                            status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                            "{} {} must admit {role}: {status} {body}",
                            e.method,
                            e.path
                        );
                    } else {
                        assert_eq!(
                            status,
                            StatusCode::FORBIDDEN,
                            "{} {} must refuse {role}: {body}",
                            e.method,
                            e.path
                        );
                        assert_eq!(body["error"]["code"], "forbidden");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 200, "checked {checked} role/endpoint pairs");
}

async fn escort_and_gate_roles_cannot_list_or_read_households(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = app.register(2, "0700 555 001").await;
    for role in [Role::Escort, Role::Gate, Role::Manifest, Role::Auditor] {
        for path in [
            format!("/api/operations/{{op}}/households/{reference}"),
            "/api/operations/{op}/lookup?phone=0700555001".to_string(),
        ] {
            let (status, _) = app.call(role, Method::GET, &path, None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} {path}");
        }
    }
}

async fn a_signed_out_token_stops_working(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.token(Role::Coordinator).to_string();
    let (status, _) = app
        .call_with(Some(&token), Method::GET, "/api/operations/{op}", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call_with(Some(&token), Method::DELETE, "/api/sessions", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .call_with(Some(&token), Method::GET, "/api/operations/{op}", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn a_wrong_password_and_an_unknown_user_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    for (user, password) in [
        ("coordinator", "wrong password here"),
        ("nobody", "correct horse battery"),
    ] {
        let (status, body) = app
            .call_with(
                None,
                Method::POST,
                "/api/sessions",
                Some(serde_json::json!({"username": user, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "invalid_credentials");
    }
}

safeconduct_store::on_both_backends_async!(
    every_endpoint_refuses_the_roles_it_does_not_name,
    escort_and_gate_roles_cannot_list_or_read_households,
    a_signed_out_token_stops_working,
    a_wrong_password_and_an_unknown_user_get_the_same_answer,
);
