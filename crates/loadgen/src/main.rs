//! `safeconduct-load`: a mixed load against one or several safeconduct servers, open-loop at
//! a fixed rate and bounded in time, as a crisis cell would put on them: hotline lookups by
//! phone, registrations, field writes from escorts at rendezvous points (admissions), and
//! dashboard reads. Requests go round-robin to the servers, as a load balancer would send
//! them. Every acknowledged write is kept, and with `--verify-database` checked against the
//! database afterwards: none may be missing, even if a server was killed during the run.
//!
//! Needs two users in the operation: `--user` holding coordinator and hotline roles, and
//! `--escort-user` holding the escort role, both with `--password`. With `--scan-devices` it
//! runs the field instead (scans.rs): the coordinator enrols devices for the escort, who
//! registers their keys, and each device syncs signed records back to back.
//!
//! Architecture invariant: it reaches the servers over HTTP only, as any client does, and
//! imports nothing of the server crate; the store (opened with the key file through
//! `safeconduct-keys`) serves only the after-run check.

mod args;
mod check;
mod client;
mod latency;
mod scans;

use anyhow::{Result, bail};
use args::Args;
use clap::Parser;
use client::{answer_lost, assign_escort, call, call_keyed, cause, sign_in, unreached};
use latency::percentile;
use safeconduct_domain::values::Timestamp;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Lookup,
    Register,
    FieldAdmit,
    Dashboard,
}

impl Kind {
    const ALL: [Kind; 4] = [
        Kind::Lookup,
        Kind::Register,
        Kind::FieldAdmit,
        Kind::Dashboard,
    ];
    fn name(self) -> &'static str {
        match self {
            Kind::Lookup => "hotline lookup",
            Kind::Register => "registration",
            Kind::FieldAdmit => "field admission",
            Kind::Dashboard => "dashboard read",
        }
    }
    /// The mix: 5 lookups, 2 registrations, 2 field writes, 1 dashboard read in every 10.
    fn for_tick(i: usize) -> Kind {
        match i % 10 {
            0 | 2 | 4 | 6 | 8 => Kind::Lookup,
            1 | 5 => Kind::Register,
            3 | 7 => Kind::FieldAdmit,
            _ => Kind::Dashboard,
        }
    }
}

struct Shared {
    args: Args,
    client: reqwest::Client,
    token: String,
    escort_token: String,
    rv: i64,
    phones: Vec<String>,
    /// References with a pass, waiting to be admitted.
    ready: Mutex<Vec<String>>,
    /// Acknowledged writes: (reference, stage it must have at least reached).
    acknowledged: Mutex<Vec<(String, &'static str)>>,
    latencies: Mutex<Vec<(Kind, Duration, bool)>>,
    /// Why requests failed, and how many for each reason.
    failures: Mutex<std::collections::BTreeMap<String, usize>>,
    next_server: AtomicUsize,
}

impl Shared {
    /// The index of the server a new request goes to first: round-robin.
    fn first_server(&self) -> usize {
        self.next_server.fetch_add(1, Ordering::Relaxed) % self.args.servers.len()
    }

    /// Keeps an acknowledged write: the household must have reached at least `stage`.
    async fn acknowledge(&self, reference: String, stage: &'static str) {
        self.acknowledged.lock().await.push((reference, stage));
    }
}

fn household(i: usize) -> (Value, String) {
    let phone = format!("+937{:08}", (i * 7919) % 100_000_000);
    let body = json!({
        "contact_phone": phone,
        "language": "prs",
        "members": [
            {"name": format!("Load Person{i}"), "birth_date": "1980", "documents": [{"type": "passport", "number": format!("L{:08}", i)}]},
            {"name": format!("Load Child{i}"), "birth_date": "2015", "documents": [{"type": "national_id", "number": format!("C{:08}", i)}]}
        ]
    });
    (body, phone)
}

async fn prepare(
    args: &Args,
    households: usize,
    client: &reqwest::Client,
    token: &str,
    escort: &str,
) -> Result<(i64, Vec<String>, Vec<String>)> {
    let base = &args.servers[0];
    let op = args.operation;
    let api = |p: &str| format!("{base}/api/operations/{op}{p}");
    let rv = call(client, token, reqwest::Method::POST, api("/rvs"), Some(json!({
        "name": "Load RV", "location": {"lat": 60.1652, "lon": 24.9393}, "landmark": "load test corner"
    }))).await?["id"].as_i64().unwrap_or_default();
    let gate = call(client, token, reqwest::Method::POST, api("/gates"), Some(json!({
        "name": "Load gate", "location": {"lat": 60.167, "lon": 24.9425}, "kind": "discreet", "hourly_throughput": 20000, "rv_ids": [rv]
    }))).await?["id"].as_i64().unwrap_or_default();
    // The escort party accepts the point through the escort assigned to it.
    assign_escort(args, client, token, rv, gate).await?;
    call(
        client,
        escort,
        reqwest::Method::POST,
        api(&format!("/rvs/{rv}/accept")),
        None,
    )
    .await?;
    // A window open for the whole run: households are admitted online only within it.
    let now = safeconduct_keys::now().0;
    let (start, end) = (Timestamp(now - 3600), Timestamp(now + 23 * 3600));
    let window = call(
        client,
        token,
        reqwest::Method::POST,
        api("/windows"),
        Some(json!({
            "rv_id": rv, "start": start.rfc3339(), "end": end.rfc3339(), "capacity": 100000
        })),
    )
    .await?["id"]
        .as_i64()
        .unwrap_or_default();
    let mut phones = Vec::new();
    let mut ready = Vec::new();
    let started = Instant::now();
    let batch = 32;
    let offset = std::process::id() as usize * 100_000;
    for chunk in (0..households).collect::<Vec<_>>().chunks(batch) {
        let mut tasks = Vec::new();
        for &i in chunk {
            let (client, token, base) = (client.clone(), token.to_string(), base.clone());
            tasks.push(tokio::spawn(async move {
                let api = |p: &str| format!("{base}/api/operations/{op}{p}");
                let (body, phone) = household(offset + i);
                let r = call(
                    &client,
                    &token,
                    reqwest::Method::POST,
                    api("/households"),
                    Some(body),
                )
                .await?;
                let reference = r["reference"].as_str().unwrap_or_default().to_string();
                let case = |s: &str| api(&format!("/households/{reference}/{s}"));
                // The case's way to a pass, one request a step.
                for (step, body) in [
                    ("verify-documents", None),
                    (
                        "eligibility",
                        Some(json!({"decision": "eligible", "category": "at_risk"})),
                    ),
                    ("assign", Some(json!({"window_id": window}))),
                    ("pass", None),
                ] {
                    call(&client, &token, reqwest::Method::POST, case(step), body).await?;
                }
                Ok::<_, anyhow::Error>((reference, phone))
            }));
        }
        for t in tasks {
            let (reference, phone) = t.await??;
            ready.push(reference);
            phones.push(phone);
        }
    }
    eprintln!(
        "prepared {} households with passes in {:.1}s",
        ready.len(),
        started.elapsed().as_secs_f64()
    );
    Ok((rv, phones, ready))
}

async fn one(shared: Arc<Shared>, kind: Kind, i: usize) {
    let started = Instant::now();
    let mut outcome = Err(anyhow::anyhow!("no server"));
    // Like a load balancer: a request that could not connect goes to the next server. A
    // registration carries an idempotency key, so one whose answer was lost (its server was
    // killed mid-request) is sent again too, as a client would: it takes effect once.
    let first = shared.first_server();
    let servers = shared.args.servers.len();
    for n in 0..servers {
        outcome = attempt(
            &shared,
            &shared.args.servers[(first + n) % servers],
            kind,
            i,
        )
        .await;
        match &outcome {
            Err(e) if unreached(e) => continue,
            Err(e) if kind == Kind::Register && answer_lost(e) => continue,
            _ => break,
        }
    }
    if let Err(e) = &outcome {
        *shared.failures.lock().await.entry(cause(e)).or_default() += 1;
    }
    let ok = outcome.is_ok();
    shared
        .latencies
        .lock()
        .await
        .push((kind, started.elapsed(), ok));
}

async fn attempt(shared: &Arc<Shared>, base: &str, kind: Kind, i: usize) -> Result<()> {
    let op = shared.args.operation;
    let api = |p: &str| format!("{base}/api/operations/{op}{p}");
    {
        match kind {
            Kind::Lookup => {
                let phone = &shared.phones[i % shared.phones.len()];
                // The phone travels in the body, never in the address.
                let v = call(
                    &shared.client,
                    &shared.token,
                    reqwest::Method::POST,
                    api("/lookup"),
                    Some(json!({ "phone": phone })),
                )
                .await?;
                if v["cases"].as_array().is_none_or(|c| c.is_empty()) {
                    bail!("lookup found nothing");
                }
            }
            Kind::Register => {
                let (body, _) = household(10_000_000 + i);
                let key = format!("load-{}-{i}", std::process::id());
                let v = call_keyed(
                    &shared.client,
                    &shared.token,
                    reqwest::Method::POST,
                    api("/households"),
                    Some(body),
                    Some(&key),
                )
                .await?;
                let reference = v["reference"].as_str().unwrap_or_default().to_string();
                shared.acknowledge(reference, "registered").await;
            }
            Kind::FieldAdmit => {
                let Some(reference) = shared.ready.lock().await.pop() else {
                    bail!("no household left to admit");
                };
                let url = api(&format!("/households/{reference}/rv-arrival"));
                let sent = call(
                    &shared.client,
                    &shared.escort_token,
                    reqwest::Method::POST,
                    url,
                    Some(json!({"rv_id": shared.rv})),
                )
                .await;
                if let Err(e) = &sent
                    && unreached(e)
                {
                    // Not processed anywhere: the household is still waiting.
                    shared.ready.lock().await.push(reference.clone());
                }
                sent?;
                shared.acknowledge(reference, "admitted_at_rv").await;
            }
            Kind::Dashboard => {
                call(
                    &shared.client,
                    &shared.token,
                    reqwest::Method::GET,
                    api("/counts"),
                    None,
                )
                .await?;
            }
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    // reqwest's TLS has no crypto provider of its own in this workspace (see the server's
    // outbox): ring, installed before the first client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        // Many devices syncing 1000 records each queue behind one another at the store:
        // their wait is what the scan mode measures, not a failure.
        .timeout(Duration::from_secs(if args.scan_devices.is_some() {
            60
        } else {
            10
        }))
        .build()?;
    let base = &args.servers[0];
    let token = sign_in(
        &client,
        base,
        &args.user,
        &args.password,
        args.totp_secret.as_deref(),
    )
    .await?;
    let escort_token = sign_in(&client, base, &args.escort_user, &args.password, None).await?;
    if args.scan_devices.is_some() {
        // The devices' records are refusals at an RV of the escort's: no household needed.
        let (rv, _, _) = prepare(&args, 0, &client, &token, &escort_token).await?;
        let tokens = scans::Tokens {
            coordinator: &token,
            escort: &escort_token,
        };
        return scans::scan_ingest(&args, &client, tokens, rv).await;
    }
    let total = args.rate as usize * args.duration as usize;
    let admissions = (0..total)
        .filter(|&i| matches!(Kind::for_tick(i), Kind::FieldAdmit))
        .count();
    let households = match args.prepare {
        None => admissions.max(1),
        Some(n) if n < admissions => bail!(
            "--prepare {n} is too few: {} req/s for {} s admits {admissions} households; \
             prepare at least that many, or leave --prepare out",
            args.rate,
            args.duration
        ),
        Some(n) => n.max(1),
    };
    let (rv, phones, ready) = prepare(&args, households, &client, &token, &escort_token).await?;
    if args.refresh_statistics {
        let args = args.clone();
        tokio::task::spawn_blocking(move || -> Result<()> {
            check::open_database(&args)?.refresh_statistics()?;
            Ok(())
        })
        .await??;
        println!("refreshed the database's statistics");
    }
    // Households before the load, to tell afterwards how many registrations committed
    // without their answer reaching the client.
    let households_before = match args.verify_database {
        Some(_) => {
            let args = args.clone();
            Some(tokio::task::spawn_blocking(move || check::households_now(&args)).await??)
        }
        None => None,
    };
    let shared = Arc::new(Shared {
        args: args.clone(),
        client,
        token,
        escort_token,
        rv,
        phones,
        ready: Mutex::new(ready),
        acknowledged: Mutex::new(Vec::new()),
        latencies: Mutex::new(Vec::new()),
        failures: Mutex::new(Default::default()),
        next_server: AtomicUsize::new(0),
    });
    let interval = Duration::from_secs_f64(1.0 / args.rate.max(1) as f64);
    let started = Instant::now();
    if let Some(pid) = args.kill_pid {
        let after = Duration::from_secs(args.kill_after);
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let killed = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            match killed {
                Ok(status) if status.success() => eprintln!(
                    "killed server process {pid} with SIGKILL {}s into the load",
                    after.as_secs()
                ),
                // A run meant to kill a server proves nothing if the server lived on.
                failed => {
                    eprintln!("error: could not kill server process {pid}: {failed:?}");
                    std::process::exit(1);
                }
            }
        });
    }
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let due = started + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        tasks.push(tokio::spawn(one(shared.clone(), Kind::for_tick(i), i)));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    let latencies = shared.latencies.lock().await;
    let ok = latencies.iter().filter(|l| l.2).count();
    println!(
        "servers {}; offered {} req/s for {}s; completed {} requests in {:.1}s ({:.0} req/s), {} failed",
        args.servers.len(),
        args.rate,
        args.duration,
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        latencies.len() - ok
    );
    for (why, n) in shared.failures.lock().await.iter() {
        println!("  failed: {n} × {why}");
    }
    let mut all: Vec<Duration> = latencies.iter().filter(|l| l.2).map(|l| l.1).collect();
    all.sort();
    println!(
        "  {:<16} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  ({} ok)",
        "all",
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        percentile(&all, 0.99),
        all.len()
    );
    for kind in Kind::ALL {
        let mut v: Vec<Duration> = latencies
            .iter()
            .filter(|l| l.0 == kind && l.2)
            .map(|l| l.1)
            .collect();
        v.sort();
        let failed = latencies.iter().filter(|l| l.0 == kind && !l.2).count();
        println!(
            "  {:<16} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  ({} ok, {failed} failed)",
            kind.name(),
            percentile(&v, 0.5),
            percentile(&v, 0.95),
            percentile(&v, 0.99),
            v.len()
        );
    }
    drop(latencies);
    if args.verify_database.is_some() {
        let acknowledged = shared.acknowledged.lock().await.clone();
        let db_args = args.clone();
        let missing = tokio::task::spawn_blocking(move || {
            check::lost_writes(&db_args, &acknowledged, households_before)
        })
        .await??;
        if !missing.is_empty() {
            bail!("acknowledged writes missing: {missing:?}");
        }
        println!("no acknowledged write lost; counts add up");
    }
    Ok(())
}
