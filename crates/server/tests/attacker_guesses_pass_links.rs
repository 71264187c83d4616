//! A stranger guesses pass-link tokens at the open `POST /api/pass-link`: each guess that
//! opens nothing spends a token of a bucket kept for the guesser's address, stricter than the
//! general per-address limit; once it is empty that address gets 429 for every link, good or
//! not, while other addresses go on untouched. A link that opens a pass spends nothing, so
//! households behind one carrier address do not hold each other up; one link opened over and
//! over waits after a burst of its own, whatever the address. Every link that opens
//! nothing (unknown, malformed, superseded, revoked, of a household checked in at the gate)
//! gets one and the same 404. Each open is
//! in the audit log.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use safeconduct_server::limits::{Limits, PASS_LINK_BURST, PASS_LINK_OPEN_BURST};
use safeconduct_store::testing::Backend;
use serde_json::{Value, json};

/// The status, `Retry-After` and body of opening `token` from `address` (behind the proxy,
/// which appends the client's address to X-Forwarded-For).
async fn open_from(
    app: &TestApp,
    address: &str,
    token: &str,
) -> (StatusCode, Option<String>, Value) {
    let res = app
        .client
        .post(app.url("/api/pass-link"))
        .header("x-forwarded-for", format!("203.0.113.1, {address}"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let wait = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, wait, res.json().await.unwrap_or(Value::Null))
}

/// The token of a link (after `#`).
fn token_of(link: &str) -> String {
    link.rsplit('#').next().unwrap().to_string()
}

async fn a_token_guesser_is_throttled_by_address_and_nobody_else_is(backend: Backend) {
    let limits = Limits {
        requests_per_ip_per_second: 0,
        pass_link_misses_per_minute: 10,
        behind_proxy: true,
        ..Default::default()
    };
    let app = spawn_app_with(backend, limits).await;
    let p = app.places(50, 50).await;
    app.link_passes().await;
    app.register_with_pass(2, "0700 500 001", p.window).await;
    let links = app.sent_pass_links().await;
    assert_eq!(links.len(), 1, "{links:?}");
    let good = token_of(&links[0]);

    // Opening a good link costs nothing: a household opens its page as often as it likes.
    // Each open is a read of its pass, in the audit log by the pass's index alone.
    let before = app.audit_head().await;
    for _ in 0..(PASS_LINK_BURST as usize * 2) {
        let (status, _, body) = open_from(&app, "198.51.100.20", &good).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let opened = app.audit_records(before, "pass_link_opened").await;
    assert_eq!(opened.len(), PASS_LINK_BURST as usize * 2, "{opened:?}");
    assert!(
        opened
            .iter()
            .all(|r| r == &opened[0] && r.starts_with("pass/")),
        "{opened:?}"
    );
    let after_opens = app.audit_head().await;

    // A guesser: the burst of misses, each the same 404, then 429 with the wait.
    let guesser = "198.51.100.66";
    let mut not_found = None;
    for i in 0..PASS_LINK_BURST as usize {
        let guess = format!("{i:040x}");
        let (status, _, body) = open_from(&app, guesser, &guess).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "guess {i}: {body}");
        match &not_found {
            None => not_found = Some(body),
            Some(first) => assert_eq!(&body, first, "every miss is answered alike"),
        }
    }
    let (status, wait, body) = open_from(&app, guesser, &format!("{:040x}", 999)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    let wait: u64 = wait.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let missed = app.audit_records(after_opens, "pass_link_opened").await;
    assert!(missed.is_empty(), "a miss reads nothing: {missed:?}");
    // Throttled, the guesser learns nothing more, not even from a good link: a link known
    // but for a few characters is not found at the speed of the general limit.
    let (status, _, body) = open_from(&app, guesser, &good).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.get("qr_png").is_none());

    // Another address is not affected: its misses are misses, its good link opens.
    let (status, _, body) = open_from(&app, "198.51.100.67", &format!("{:040x}", 1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(Some(body), not_found);
    let (status, _, body) = open_from(&app, "198.51.100.67", &good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["qr_png"].is_string());
    // Nor are the signed-in clients at the guesser's address (the general bucket is apart).
    let (status, _) = app
        .call(Role::Coordinator, Method::GET, "/api/operations/{op}", None)
        .await;
    assert_eq!(status, StatusCode::OK);

    // One link opened over and over, from any address, waits after its burst: a seized
    // phone's link cannot load the servers or fill the audit log. Misses from that address
    // are misses still.
    let opened_so_far = PASS_LINK_BURST as usize * 2 + 1;
    let mut more = 0;
    let (status, wait) = loop {
        let address = format!("198.51.100.{}", 100 + more % 50);
        let (status, wait, body) = open_from(&app, &address, &good).await;
        if status != StatusCode::OK {
            assert_eq!(body["error"]["code"], "rate_limited", "{body}");
            break (status, wait);
        }
        more += 1;
        assert!(more <= 100, "a link opens without end");
    };
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(opened_so_far + more, PASS_LINK_OPEN_BURST as usize);
    let wait: u64 = wait.expect("Retry-After").parse().unwrap();
    assert!((1..=10).contains(&wait), "{wait}");
    let (status, _, body) = open_from(&app, "198.51.100.100", &format!("{:040x}", 2)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

async fn every_link_that_opens_nothing_gets_the_same_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(50, 50).await;
    app.link_passes().await;
    let reference = app.register_with_pass(1, "0700 500 002", p.window).await;
    let first = token_of(&app.sent_pass_links().await[0]);
    app.step(Role::Coordinator, &reference, "pass", None).await;
    let second = token_of(&app.sent_pass_links().await[0]);
    app.revoke_pass(&reference, "phone taken at a checkpoint")
        .await;
    let unknown = app.open_pass_link(&"0".repeat(40)).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND, "{}", unknown.1);
    for (what, token) in [
        ("superseded", first.clone()),
        ("revoked", second),
        ("too short", first[..39].to_string()),
        ("not hex", "z".repeat(40)),
        (
            "upper case of an unknown one",
            "ABCDEF".repeat(7)[..40].to_string(),
        ),
    ] {
        assert_eq!(app.open_pass_link(&token).await, unknown, "{what}");
    }
    // A household checked in at the gate needs its pass no more: its link, on a phone lost
    // or taken after, opens nothing. Until then it opens (the gate reads the pass too).
    let (walked, link) = at_the_gate(&app, &p, 1, "0700 500 003").await;
    let (status, body) = app.open_pass_link(&link).await;
    assert_eq!(status, StatusCode::OK, "arrived at the gate: {body}");
    app.process(&walked, p.gate).await;
    assert_eq!(app.open_pass_link(&link).await, unknown, "checked in");
    // A household checked in but for a member still on the way: that member needs the pass
    // at the gate still, and the link opens.
    let (split, link) = at_the_gate(&app, &p, 2, "0700 500 004").await;
    app.process(&split, p.gate).await;
    assert_eq!(app.stage(&split).await, "processed");
    let (status, body) = app.open_pass_link(&link).await;
    assert_eq!(status, StatusCode::OK, "a member is on the way: {body}");
}

/// A household of `size` with a pass and a link, admitted at the RV and escorted to the gate,
/// where one of its members arrives (all of them when it is one): its reference and link.
async fn at_the_gate(app: &TestApp, p: &Places, size: usize, phone: &str) -> (String, String) {
    let reference = app.register_with_pass(size, phone, p.window).await;
    let link = token_of(&app.sent_pass_links().await[0]);
    app.admit_at_rv(&reference, p.rv).await;
    let batch = app.depart(p.rv, p.gate, &[&reference]).await["id"]
        .as_i64()
        .unwrap();
    app.arrive_people(batch, &reference, 1).await;
    (reference, link)
}

safeconduct_store::on_both_backends_async!(
    a_token_guesser_is_throttled_by_address_and_nobody_else_is,
    every_link_that_opens_nothing_gets_the_same_404,
);
