//! The dashboard's first paint with 1,000,000 people in the operation, measured in Chromium
//! with its performance timeline: first-contentful-paint, and the moment the counts are on
//! the page (the mark `safeconduct-counts-shown` the dashboard sets). Figures go to
//! docs/benchmarks.md. Ignored by default (filling the store takes minutes):
//!
//!     cargo test -p safeconduct --test dashboard_speed -- --ignored --nocapture
//!     SAFECONDUCT_BENCH_PEOPLE=100000 cargo test -p safeconduct --test dashboard_speed -- --ignored --nocapture
//!
//! It fails when a load's counts are shown later than one second after navigation starts.

mod common;

#[allow(dead_code)]
#[path = "../../server/tests/common/browser.rs"]
mod browser;

use common::store::{add_coordinator, cli, free_port};
use safeconduct_cli::generator;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{CaseReference, OperationId};
use safeconduct_store::testing::{Backend, TestStore};
use safeconduct_store::{Actor, CountScope};
use serde_json::{Value, json};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "a password for the benchmark";

fn fill(url: &str, people: usize) {
    let store = safeconduct_store::open(url, safeconduct_store::testing::test_kek()).unwrap();
    let op = OperationId(1);
    let mut counter = 0u64;
    let mut refs = move || {
        counter += 1;
        CaseReference::from_random(counter.to_be_bytes())
    };
    let actor = Actor::system(Timestamp(1_800_000_000));
    let started = Instant::now();
    for chunk in generator::population(11, people, 2500) {
        store
            .register_households(op, &chunk.unwrap(), &mut refs, &actor)
            .unwrap();
    }
    let counts = store.stage_counts(op, CountScope::Operation).unwrap();
    assert_eq!(counts.total_people(), people as u64);
    println!(
        "registered {people} people in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "fills a store with 1,000,000 people (minutes); run it for docs/benchmarks.md"]
fn the_dashboard_paints_its_counts_within_a_second_with_a_million_people() {
    let people: usize = std::env::var("SAFECONDUCT_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let db = TestStore::fresh(Backend::Sqlite);
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("key.hex");
    safeconduct_store::testing::write_test_key_file(&key_file);
    cli(&db.url, &key_file, &["operation", "create", "Speed"], None);
    let secret = add_coordinator(&db.url, &key_file, "coordinator", PASSWORD);
    fill(&db.url, people);

    let addr = format!("127.0.0.1:{}", free_port());
    let mut server = Command::new(env!("CARGO_BIN_EXE_safeconduct"))
        .args(["serve", "--addr", &addr])
        .env("SAFECONDUCT_DATABASE", &db.url)
        .env("SAFECONDUCT_KEY_FILE", &key_file)
        .env("SAFECONDUCT_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://{addr}");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let loads = runtime.block_on(async {
        let client = reqwest::Client::new();
        let started = Instant::now();
        let token = loop {
            let answer = client
                .post(format!("{base}/api/sessions"))
                .json(&json!({
                    "username": "coordinator", "password": PASSWORD,
                    "totp": safeconduct_keys::totp::code_for(&secret, safeconduct_keys::now().0),
                }))
                .send()
                .await;
            match answer {
                Ok(r) if r.status().is_success() => {
                    break r.json::<Value>().await.unwrap()["token"]
                        .as_str()
                        .unwrap()
                        .to_string();
                }
                _ => {
                    assert!(
                        started.elapsed() < Duration::from_secs(30),
                        "server did not start"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        let browser = browser::Browser::start().await;
        browser.goto(&format!("{base}/app/sign-in?lang=en")).await;
        browser.find("h1").await;
        let session = json!({
            "token": token, "username": "coordinator", "op": 1, "opName": "Speed",
            "roles": ["coordinator"]
        });
        browser
            .eval(
                "sessionStorage.setItem('safeconduct.session', JSON.stringify(arguments[0]))",
                json!([session]),
            )
            .await;
        let mut loads = Vec::new();
        // The first load fills the browser's cache of the page's files, as a coordinator's
        // second visit would find it; all are reported.
        for lang in ["en", "en", "en", "prs", "prs", "prs"] {
            browser
                .goto(&format!("{base}/app/dashboard?lang={lang}"))
                .await;
            browser
                .wait_until(
                    "performance.getEntriesByName('safeconduct-counts-shown').length > 0",
                    "the counts",
                )
                .await;
            let timeline = browser
                .eval(
                    "const paint = performance.getEntriesByName('first-contentful-paint')[0];
                     const counts = performance.getEntriesByName('safeconduct-counts-shown')[0];
                     const registered = document.querySelector('[data-stage=registered] .households').textContent;
                     return [paint ? paint.startTime : null, counts.startTime, registered];",
                    json!([]),
                )
                .await;
            println!("{lang}: first-contentful-paint {} ms, counts shown {} ms, registered {}",
                timeline[0], timeline[1], timeline[2]);
            loads.push(timeline);
        }
        loads
    });
    let _ = server.kill();
    let _ = server.wait();
    for load in &loads {
        let fcp = load[0].as_f64().expect("a first-contentful-paint entry");
        let counts = load[1].as_f64().unwrap();
        assert!(fcp < 1000.0, "first contentful paint at {fcp} ms");
        assert!(counts < 1000.0, "counts shown at {counts} ms");
    }
}
