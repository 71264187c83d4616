//! The real `safeconduct serve`, killed with SIGKILL during a storm of field syncs (several
//! devices syncing signed records from concurrent tasks) and started again on the same store,
//! has every record it acknowledged with a 200 stored exactly once, on both backends: sending
//! every record again counts each acknowledged one as already had, every record the devices
//! ever sent is received or already had exactly once, and each device's `applied_seq` covers
//! what was acknowledged before the kill and everything after the re-send.

mod common;

use common::store::{add_coordinator, cli};
use reqwest::Method;
use safeconduct_domain::scan::{ScanAct, ScanPlace, ScanRecord};
use safeconduct_domain::{FieldDeviceId, OperationId, RvId};
use safeconduct_keys::devices::client::{DeviceKey, record_text};
use safeconduct_store::testing::{Backend, TestStore};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEVICES: usize = 4;
/// Records per sync: small enough that the storm makes many syncs before the kill.
const CHUNK: u64 = 50;
/// Syncs acknowledged (over all devices) before the server is killed.
const ACKNOWLEDGED_BEFORE_KILL: usize = 24;
const PASSWORD: &str = "a password for the field storm";

/// `safeconduct serve` on a free port over the store, answering once it is up.
async fn serve(url: &str, key_file: &Path) -> (Child, String) {
    // The storm comes from one address and one token per role, standing for many phones.
    let (server, base) = common::store::serve(
        url,
        key_file,
        &[
            ("SAFECONDUCT_REQUESTS_PER_IP_PER_SECOND", "0"),
            ("SAFECONDUCT_REQUESTS_PER_SECOND", "0"),
        ],
    );
    let started = Instant::now();
    safeconduct_server::outbox::install_tls_provider();
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (server, base)
}

/// A JSON call that must succeed; its answer.
async fn ok(
    client: &reqwest::Client,
    token: &str,
    method: Method,
    url: String,
    body: Value,
) -> Value {
    let mut req = client.request(method, &url).bearer_auth(token);
    if !body.is_null() {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let value: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{url}: {status} {value}");
    value
}

async fn sign_in(client: &reqwest::Client, base: &str, user: &str, totp: Option<&str>) -> String {
    let mut body = json!({"username": user, "password": PASSWORD});
    if let Some(secret) = totp {
        body["totp"] =
            json!(safeconduct_keys::totp::code_for(secret, safeconduct_keys::now().0).unwrap());
    }
    let res = client
        .post(format!("{base}/api/sessions"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "signing in as {user}");
    res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A device of the storm: its id, its key, every record it ever sent (text and signature, in
/// seq order) and the highest seq a 200 answer acknowledged.
struct Device {
    id: i64,
    key: DeviceKey,
    sent: Mutex<Vec<(String, String)>>,
    acknowledged: Mutex<Option<u64>>,
}

impl Device {
    /// The signed refusal with sequence number `seq`, at `rv`.
    fn record(&self, rv: i64, seq: u64) -> (String, String) {
        let text = record_text(&ScanRecord {
            operation: OperationId(1),
            device: FieldDeviceId(self.id),
            seq,
            at: safeconduct_keys::now(),
            place: ScanPlace::Rv(RvId(rv)),
            act: ScanAct::Refuse {
                pass_index: None,
                code: "unreadable".into(),
            },
            pass_digest: None,
        });
        let signature = self.key.sign(&text);
        (text, signature)
    }
}

fn sync_body(records: &[(String, String)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(r, s)| json!({"record": r, "signature": s}))
        .collect();
    json!({"device_time": safeconduct_keys::now().0, "records": records})
}

fn scans_url(base: &str, device: &Device) -> String {
    format!("{base}/api/operations/1/devices/{}/scans", device.id)
}

/// Each device's `applied_seq` as the coordinator reads it, in the order of `devices`.
async fn applied(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    devices: &[Arc<Device>],
) -> Vec<i64> {
    let listed = ok(
        client,
        token,
        Method::GET,
        format!("{base}/api/operations/1/devices"),
        Value::Null,
    )
    .await;
    devices
        .iter()
        .map(|d| {
            listed
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["id"].as_i64() == Some(d.id))
                .and_then(|l| l["applied_seq"].as_i64())
                .unwrap()
        })
        .collect()
}

/// Syncs until a request fails (the server was killed), keeping every record it sent and the
/// last seq acknowledged.
async fn storm(client: reqwest::Client, base: String, token: String, device: Arc<Device>, rv: i64) {
    for chunk in 0.. {
        let records: Vec<(String, String)> = (chunk * CHUNK..(chunk + 1) * CHUNK)
            .map(|seq| device.record(rv, seq))
            .collect();
        // Kept before sending: a sync whose answer is lost may still have been stored.
        device.sent.lock().unwrap().extend(records.iter().cloned());
        let res = client
            .post(scans_url(&base, &device))
            .bearer_auth(&token)
            .json(&sync_body(&records))
            .send()
            .await;
        let Ok(res) = res else { return };
        if res.status().as_u16() != 200 {
            return;
        }
        let Ok(answer) = res.json::<Value>().await else {
            return;
        };
        assert_eq!(
            answer["received"], CHUNK,
            "a new sync is stored whole: {answer}"
        );
        *device.acknowledged.lock().unwrap() = Some((chunk + 1) * CHUNK - 1);
    }
}

fn acknowledged_syncs(devices: &[Arc<Device>]) -> usize {
    devices
        .iter()
        .map(|d| {
            d.acknowledged
                .lock()
                .unwrap()
                .map_or(0, |s| (s + 1) / CHUNK) as usize
        })
        .sum()
}

fn crash_mid_sync_storm_keeps_every_acknowledged_record_once(backend: Backend) {
    let db = TestStore::fresh(backend);
    let url = db.url.clone();
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("key.hex");
    safeconduct_store::testing::write_test_key_file(&key_file);
    cli(&url, &key_file, &["operation", "create", "Storm"], None);
    let secret = add_coordinator(&url, &key_file, "coord", PASSWORD);
    cli(
        &url,
        &key_file,
        &[
            "user",
            "add",
            "escort",
            "--operation",
            "1",
            "--role",
            "escort",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        safeconduct_server::outbox::install_tls_provider();
        let client = reqwest::Client::new();
        let (mut server, base) = serve(&url, &key_file).await;
        let coordinator = sign_in(&client, &base, "coord", Some(&secret)).await;
        let escort = sign_in(&client, &base, "escort", None).await;
        let api = |base: &str, p: &str| format!("{base}/api/operations/1{p}");
        let rv = ok(&client, &coordinator, Method::POST, api(&base, "/rvs"), json!({
            "name": "Storm RV", "location": {"lat": 60.1652, "lon": 24.9393}, "landmark": "the corner"
        }))
        .await["id"]
            .as_i64()
            .unwrap();
        ok(&client, &coordinator, Method::PUT, api(&base, "/users/escort/places"),
            json!({"rv_ids": [rv], "gate_ids": []})).await;
        let mut devices = Vec::new();
        for n in 0..DEVICES {
            let enrolled = ok(&client, &coordinator, Method::POST, api(&base, "/devices"), json!({
                "username": "escort", "role": "escort", "rv_ids": [rv], "gate_ids": [],
                "label": format!("storm phone {n}")
            }))
            .await;
            let id = enrolled["device"]["id"].as_i64().unwrap();
            let key = DeviceKey::from_seed([n as u8 + 1; 32]);
            ok(&client, &escort, Method::POST, api(&base, &format!("/devices/{id}/key")),
                json!({"code": enrolled["enrolment_code"], "public_key": key.public_text()})).await;
            devices.push(Arc::new(Device { id, key, sent: Mutex::default(), acknowledged: Mutex::default() }));
        }

        let started = Instant::now();
        let tasks: Vec<_> = devices
            .iter()
            .map(|d| tokio::spawn(storm(client.clone(), base.clone(), escort.clone(), d.clone(), rv)))
            .collect();
        while acknowledged_syncs(&devices) < ACKNOWLEDGED_BEFORE_KILL {
            assert!(started.elapsed() < Duration::from_secs(20), "the storm made no progress");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Child::kill is SIGKILL: no chance to flush or finish a transaction.
        server.kill().unwrap();
        server.wait().unwrap();
        for t in tasks {
            t.await.unwrap();
        }

        for d in &devices {
            eprintln!(
                "device {}: {} records sent, up to seq {:?} acknowledged before the kill",
                d.id,
                d.sent.lock().unwrap().len(),
                d.acknowledged.lock().unwrap()
            );
        }
        assert!(
            devices.iter().any(|d| {
                let acknowledged = d.acknowledged.lock().unwrap().map_or(0, |s| s + 1);
                d.sent.lock().unwrap().len() as u64 > acknowledged
            }),
            "the kill cut off no sync: it did not happen during the storm"
        );
        let (mut server, base) = serve(&url, &key_file).await;
        // Sessions are kept in the store: the tokens outlive the process.
        let before = applied(&client, &base, &coordinator, &devices).await;
        for (device, applied) in devices.iter().zip(&before) {
            let acknowledged = device.acknowledged.lock().unwrap().map_or(-1, |s| s as i64);
            assert!(
                *applied >= acknowledged,
                "device {}: applied_seq {applied} after the restart, but up to {acknowledged} was acknowledged",
                device.id
            );
        }
        for device in &devices {
            let sent = device.sent.lock().unwrap().clone();
            let acknowledged = device.acknowledged.lock().unwrap().map_or(0, |s| s + 1) as usize;
            let url = scans_url(&base, device);
            // The acknowledged records first: every one of them already had.
            for part in sent[..acknowledged].chunks(1000) {
                let answer = ok(&client, &escort, Method::POST, url.clone(), sync_body(part)).await;
                assert_eq!(
                    (answer["received"].as_u64(), answer["already_had"].as_u64()),
                    (Some(0), Some(part.len() as u64)),
                    "device {}: an acknowledged record was lost: {answer}",
                    device.id
                );
            }
            // Then the rest, whose answers the kill cut off: each stored once, before or now.
            let (mut received, mut already_had) = (0, 0);
            for part in sent[acknowledged..].chunks(1000) {
                let answer = ok(&client, &escort, Method::POST, url.clone(), sync_body(part)).await;
                received += answer["received"].as_u64().unwrap();
                already_had += answer["already_had"].as_u64().unwrap();
            }
            assert_eq!(received + already_had, (sent.len() - acknowledged) as u64);
            // And everything once more: nothing is stored a second time.
            for part in sent.chunks(1000) {
                let answer = ok(&client, &escort, Method::POST, url.clone(), sync_body(part)).await;
                assert_eq!(answer["already_had"].as_u64(), Some(part.len() as u64), "{answer}");
            }
        }
        let after = applied(&client, &base, &coordinator, &devices).await;
        for (device, applied) in devices.iter().zip(&after) {
            let sent = device.sent.lock().unwrap().len() as i64;
            assert_eq!(*applied, sent - 1, "device {}: every record sent took effect", device.id);
        }
        server.kill().unwrap();
        server.wait().unwrap();
    });
}

safeconduct_store::on_both_backends!(crash_mid_sync_storm_keeps_every_acknowledged_record_once);
