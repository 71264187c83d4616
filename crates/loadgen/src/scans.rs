//! The scan ingest mode: field devices enrolled as docs/field-protocol.md says, each syncing
//! batches of records it signed back to back for the run's duration, to measure durable
//! records per second and the latency of a sync while the others sync too. Knows nothing of
//! the mixed load.

use crate::args::Args;
use crate::client::call;
use crate::latency::percentile;
use anyhow::{Result, bail};
use reqwest::Method;
use safeconduct_domain::scan::{ScanAct, ScanPlace, ScanRecord};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{FieldDeviceId, OperationId, RvId};
use safeconduct_keys::devices::client::{DeviceKey, record_text};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The tokens the mode acts with: the coordinator's enrols the devices, the escort's registers
/// their keys and syncs, as the escort's phones would.
pub struct Tokens<'a> {
    pub coordinator: &'a str,
    pub escort: &'a str,
}

/// One device of the run: its id and the key it made, registered with the server.
struct Enrolled {
    id: i64,
    key: DeviceKey,
}

/// What one device did: records the server stored on its syncs' 200 answers, the latency of
/// each sync, the last sequence number acknowledged, and the time spent signing.
struct DeviceRun {
    id: i64,
    stored: u64,
    latencies: Vec<Duration>,
    last_seq: Option<u64>,
    signing: Duration,
}

/// Enrols a device for the escort user at `rv` (coordinator) and registers a key made here
/// (escort), as a phone does with its one-time code.
async fn enrol(
    args: &Args,
    client: &reqwest::Client,
    tokens: &Tokens<'_>,
    rv: i64,
    n: usize,
) -> Result<Enrolled> {
    let api = format!(
        "{}/api/operations/{}/devices",
        args.servers[0], args.operation
    );
    let enrolled = call(
        client,
        tokens.coordinator,
        Method::POST,
        api.clone(),
        Some(json!({
            "username": args.escort_user, "role": "escort", "rv_ids": [rv], "gate_ids": [],
            "label": format!("load phone {n}")
        })),
    )
    .await?;
    let id = enrolled["device"]["id"].as_i64().unwrap_or_default();
    let key = DeviceKey::generate();
    call(
        client,
        tokens.escort,
        Method::POST,
        format!("{api}/{id}/key"),
        Some(json!({"code": enrolled["enrolment_code"], "public_key": key.public_text()})),
    )
    .await?;
    Ok(Enrolled { id, key })
}

/// The sync body of `count` records from `first_seq` on: refusals of unreadable passes at
/// `rv`, each signed by the device. A refusal is stored and changes no case, so the run
/// measures the ingest (signatures, the sync's transaction, the commit), not the lifecycle.
fn signed_refusals(args: &Args, device: &Enrolled, rv: i64, first_seq: u64, count: u16) -> Value {
    let now = safeconduct_keys::now();
    let records: Vec<Value> = (first_seq..first_seq + count as u64)
        .map(|seq| {
            let text = record_text(&ScanRecord {
                operation: OperationId(args.operation),
                device: FieldDeviceId(device.id),
                seq,
                at: Timestamp(now.0),
                place: ScanPlace::Rv(RvId(rv)),
                act: ScanAct::Refuse {
                    pass_index: None,
                    code: "unreadable".into(),
                },
                pass_digest: None,
            });
            json!({"signature": device.key.sign(&text), "record": text})
        })
        .collect();
    json!({"device_time": now.0, "records": records})
}

/// When a device syncs: until `deadline` (when it signs as it goes), and with
/// --scan-interval-ms its next sync not before `next`, one `interval` after the one before.
struct Timing {
    deadline: Instant,
    next: Option<Instant>,
    interval: Duration,
}

/// One device syncing: its `presigned` bodies, or records it signs as it goes until the
/// deadline; back to back, or paced by `timing`; the syncs go round-robin to the servers.
async fn run_device(
    args: Args,
    client: reqwest::Client,
    token: String,
    device: Arc<Enrolled>,
    rv: i64,
    presigned: Option<Vec<Value>>,
    mut timing: Timing,
) -> Result<DeviceRun> {
    let mut run = DeviceRun {
        id: device.id,
        stored: 0,
        latencies: Vec::new(),
        last_seq: None,
        signing: Duration::ZERO,
    };
    let mut seq = 0u64;
    let mut n = 0usize;
    let url = |base: &str| {
        format!(
            "{base}/api/operations/{}/devices/{}/scans",
            args.operation, device.id
        )
    };
    let mut presigned = presigned.map(Vec::into_iter);
    loop {
        let body = match &mut presigned {
            Some(bodies) => match bodies.next() {
                Some(body) => body,
                None => break,
            },
            None if Instant::now() >= timing.deadline => break,
            None => {
                // Signing is CPU work: off the runtime's threads, so that it does not hold up
                // the answers of the other devices' syncs and lengthen their measured latency.
                let (a, d) = (args.clone(), device.clone());
                let (body, signing) = tokio::task::spawn_blocking(move || {
                    let t = Instant::now();
                    (signed_refusals(&a, &d, rv, seq, a.scan_batch), t.elapsed())
                })
                .await?;
                run.signing += signing;
                body
            }
        };
        if let Some(next) = &mut timing.next {
            // A server slower than the pace makes the device sync as soon as it can.
            tokio::time::sleep_until((*next).into()).await;
            *next += timing.interval;
        }
        let base = &args.servers[n % args.servers.len()];
        n += 1;
        let t = Instant::now();
        let answer = call(&client, &token, Method::POST, url(base), Some(body)).await?;
        run.latencies.push(t.elapsed());
        let received = answer["received"].as_u64().unwrap_or_default();
        if received != args.scan_batch as u64 {
            bail!(
                "device {}: a sync of {} new records stored {received}: {answer}",
                device.id,
                args.scan_batch
            );
        }
        run.stored += received;
        seq += args.scan_batch as u64;
        run.last_seq = Some(seq - 1);
    }
    Ok(run)
}

/// After the run: every device's `applied_seq`, as the coordinator reads it, must be the last
/// sequence number a 200 answer acknowledged (refusals wait for nothing, so all took effect).
async fn check_applied(
    args: &Args,
    client: &reqwest::Client,
    token: &str,
    runs: &[DeviceRun],
) -> Result<()> {
    let url = format!(
        "{}/api/operations/{}/devices",
        args.servers[0], args.operation
    );
    let listed = call(client, token, Method::GET, url, None).await?;
    for run in runs {
        let applied = listed
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["id"].as_i64() == Some(run.id))
            .and_then(|d| d["applied_seq"].as_i64());
        let expected = run.last_seq.map_or(-1, |s| s as i64);
        if applied != Some(expected) {
            bail!(
                "device {}: applied_seq {applied:?}, but records up to {expected} were acknowledged",
                run.id
            );
        }
    }
    Ok(())
}

/// `--scan-devices` field devices at `rv`, enrolled and registered, then syncing
/// `--scan-batch` signed records at a time back to back for the duration: durable records per
/// second and sync latency, then a check that every acknowledged record took effect.
pub async fn scan_ingest(
    args: &Args,
    client: &reqwest::Client,
    tokens: Tokens<'_>,
    rv: i64,
) -> Result<()> {
    let count = args.scan_devices.unwrap_or_default();
    let mut devices = Vec::with_capacity(count);
    for n in 0..count {
        devices.push(Arc::new(enrol(args, client, &tokens, rv, n).await?));
    }
    // With --scan-syncs every record is signed before the clock starts: the load generator
    // shares the cores with the server, and signing as it goes would take CPU from it.
    let mut presigned: Vec<Option<Vec<Value>>> = Vec::with_capacity(count);
    for device in &devices {
        presigned.push(match args.scan_syncs {
            Some(syncs) => {
                let (a, d) = (args.clone(), device.clone());
                Some(
                    tokio::task::spawn_blocking(move || {
                        (0..syncs as u64)
                            .map(|n| {
                                signed_refusals(&a, &d, rv, n * a.scan_batch as u64, a.scan_batch)
                            })
                            .collect()
                    })
                    .await?,
                )
            }
            None => None,
        });
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.duration);
    let tasks: Vec<_> = devices
        .into_iter()
        .zip(presigned)
        .enumerate()
        .map(|(d, (device, bodies))| {
            let (args, client, token) = (args.clone(), client.clone(), tokens.escort.to_string());
            // Paced devices start spread over one interval, as phones that sync on their own.
            let interval = Duration::from_millis(args.scan_interval_ms.unwrap_or_default());
            let timing = Timing {
                deadline,
                next: args
                    .scan_interval_ms
                    .map(|_| started + interval * d as u32 / count as u32),
                interval,
            };
            tokio::spawn(run_device(args, client, token, device, rv, bodies, timing))
        })
        .collect();
    let mut runs = Vec::with_capacity(count);
    for t in tasks {
        runs.push(t.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stored: u64 = runs.iter().map(|r| r.stored).sum();
    let signing: f64 = runs.iter().map(|r| r.signing.as_secs_f64()).sum();
    let mut latencies: Vec<Duration> = runs.iter().flat_map(|r| r.latencies.clone()).collect();
    latencies.sort();
    println!(
        "scan ingest: {count} devices, {} signed records per sync, {} servers: {stored} records \
         stored durably in {elapsed:.1}s = {:.0} records/s; {} syncs, latency p50 {:.1} ms, \
         p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms; signing during the run: {signing:.1} s \
         (wall time summed over the devices)",
        args.scan_batch,
        args.servers.len(),
        stored as f64 / elapsed,
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    check_applied(args, client, tokens.coordinator, &runs).await?;
    println!("every device's applied_seq is its last acknowledged record");
    Ok(())
}
