//! The scan ingest mode: field devices syncing scans back to back for the run's duration,
//! to measure durable scans per second. Knows nothing of the mixed load.

use crate::args::Args;
use crate::client::call;
use crate::latency::percentile;
use anyhow::Result;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// `--scan-devices` field devices syncing scans back to back for the duration, escorts at
/// `rv` signed in with `token`: durable scans per second. The scans name the operation's
/// first `passes` passes in turn, as refused: a pass admitted over and over would make every
/// sync read all its earlier admissions, which no real checkpoint does.
pub async fn scan_ingest(
    args: &Args,
    client: &reqwest::Client,
    token: &str,
    rv: i64,
    passes: usize,
) -> Result<()> {
    let passes = passes.max(1) as u64;
    let devices = args.scan_devices.unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(args.duration);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for d in 0..devices {
        let (client, token, args) = (client.clone(), token.to_string(), args.clone());
        tasks.push(tokio::spawn(async move {
            let device = format!("bench-{}-{d}", std::process::id());
            let scanned_at = safeconduct_keys::now().rfc3339();
            let mut seq = 0u64;
            let mut latencies = Vec::new();
            let mut stored = 0u64;
            let mut n = 0usize;
            while Instant::now() < deadline {
                let base = &args.servers[n % args.servers.len()];
                n += 1;
                let scans: Vec<Value> = (0..args.scan_batch)
                    .map(|i| {
                        json!({
                            "seq": seq + i as u64, "pass_index": 1 + (seq + i as u64) % passes,
                            "rv_id": rv, "outcome": "refused", "scanned_at": scanned_at
                        })
                    })
                    .collect();
                let t = Instant::now();
                let url = format!("{base}/api/operations/{}/scans", args.operation);
                let v = call(
                    &client,
                    &token,
                    reqwest::Method::POST,
                    url,
                    Some(json!({"device": device, "scans": scans})),
                )
                .await?;
                latencies.push(t.elapsed());
                stored += v["received"].as_u64().unwrap_or(0);
                seq += args.scan_batch as u64;
            }
            Ok::<_, anyhow::Error>((stored, latencies))
        }));
    }
    let mut stored = 0;
    let mut latencies = Vec::new();
    for t in tasks {
        let (s, l) = t.await??;
        stored += s;
        latencies.extend(l);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "scan ingest: {devices} devices, {} scans per sync, {} servers: {stored} scans stored durably in {elapsed:.1}s = {:.0} scans/s; sync latency p50 {:.1} ms, p99 {:.1} ms",
        args.scan_batch,
        args.servers.len(),
        stored as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
    Ok(())
}
