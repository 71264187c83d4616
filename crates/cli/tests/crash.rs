//! A server killed with SIGKILL in the middle of a load loses no write it acknowledged, on
//! both backends: every registration and every step answered with success is in the store
//! afterwards, and the counts still add up.

mod common;

use common::store::{add_coordinator, cli, serve, sign_in_when_up};
use safeconduct_domain::{CaseReference, OperationId};
use safeconduct_store::testing::{Backend, TestStore};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn crash_mid_load_loses_no_acknowledged_write(backend: Backend) {
    let db = TestStore::fresh(backend);
    let url = db.url.clone();
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("key.hex");
    safeconduct_store::testing::write_test_key_file(&key_file);
    cli(&url, &key_file, &["operation", "create", "Crash"], None);
    let secret = add_coordinator(&url, &key_file, "load", "a password for the load");
    // The load comes from one address, standing for many clients.
    let (mut server, base) = serve(
        &db.url,
        &key_file,
        &[("SAFECONDUCT_REQUESTS_PER_IP_PER_SECOND", "0")],
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let acknowledged: Arc<Mutex<Vec<(String, &'static str)>>> = Arc::default();
    runtime.block_on(async {
        safeconduct_server::outbox::install_tls_provider();
        let client = reqwest::Client::new();
        let started = Instant::now();
        let token = sign_in_when_up(&client, &base, "load", "a password for the load", &secret).await;
        let mut workers = Vec::new();
        for w in 0..6 {
            let (client, base, token, acknowledged) = (client.clone(), base.clone(), token.clone(), acknowledged.clone());
            workers.push(tokio::spawn(async move {
                for i in 0.. {
                    let res = client
                        .post(format!("{base}/api/operations/1/households"))
                        .bearer_auth(&token)
                        .json(&json!({"language": "ps", "members": [{"name": format!("Load W{w} N{i}")}, {"name": "Second Member"}]}))
                        .send()
                        .await;
                    let Ok(res) = res else { return };
                    if res.status().as_u16() != 201 {
                        return;
                    }
                    let Ok(body) = res.json::<Value>().await else { return };
                    let reference = body["reference"].as_str().unwrap().to_string();
                    acknowledged.lock().unwrap().push((reference.clone(), "registered"));
                    let step = client
                        .post(format!("{base}/api/operations/1/households/{reference}/withdraw"))
                        .bearer_auth(&token)
                        .json(&json!({"reason": "load test"}))
                        .send()
                        .await;
                    match step {
                        Ok(r) if r.status().is_success() => {
                            acknowledged.lock().unwrap().push((reference, "withdrawn"));
                        }
                        _ => return,
                    }
                }
            }));
        }
        // Let the load run, then kill the server without warning.
        while acknowledged.lock().unwrap().len() < 60 {
            assert!(started.elapsed() < Duration::from_secs(60), "the load made no progress");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.kill().unwrap();
        server.wait().unwrap();
        for w in workers {
            let _ = w.await;
        }
    });
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 60);
    let store = db.store.clone();
    let op = OperationId(1);
    for (reference, what) in &acknowledged {
        let case = store
            .household(op, &CaseReference::parse(reference).unwrap())
            .unwrap_or_else(|e| panic!("acknowledged case {reference} lost: {e}"));
        if *what == "withdrawn" {
            assert_eq!(
                case.stage,
                safeconduct_domain::Stage::Withdrawn,
                "acknowledged withdrawal of {reference} lost"
            );
        }
    }
    let report = store
        .accountability(op, safeconduct_domain::values::Timestamp(0))
        .unwrap();
    assert!(report.ok(), "{report:?}");
    drop(store);
}

safeconduct_store::on_both_backends!(crash_mid_load_loses_no_acknowledged_write);
