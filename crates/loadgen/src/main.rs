//! `safeconduct-load`: a mixed load against one or several safeconduct servers, open-loop at
//! a fixed rate and bounded in time, as a crisis cell would put on them: hotline lookups by
//! phone, registrations, field writes from escorts at rendezvous points (admissions), and
//! dashboard reads. Requests go round-robin to the servers, as a load balancer would send
//! them. Every acknowledged write is kept, and with `--verify-database` checked against the
//! database afterwards: none may be missing, even if a server was killed during the run.
//!
//! Needs two users in the operation: `--user` holding coordinator and hotline roles, and
//! `--escort-user` holding the escort role, both with `--password`.

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Parser, Clone)]
#[command(name = "safeconduct-load", version)]
struct Args {
    /// Base URLs of the servers, comma-separated: http://127.0.0.1:8081,http://127.0.0.1:8082
    #[arg(long, value_delimiter = ',', required = true)]
    servers: Vec<String>,
    /// Operation id.
    #[arg(long, default_value_t = 1)]
    operation: i64,
    #[arg(long, default_value = "load")]
    user: String,
    #[arg(long, default_value = "load-escort")]
    escort_user: String,
    #[arg(long, env = "SAFECONDUCT_LOAD_PASSWORD")]
    password: String,
    /// The authenticator secret of --user, a coordinator, as `safeconduct user add` printed
    /// it: the load generator signs in with its current one-time code.
    #[arg(long, env = "SAFECONDUCT_LOAD_TOTP_SECRET")]
    totp_secret: Option<String>,
    /// Requests per second to offer.
    #[arg(long, default_value_t = 1000)]
    rate: u32,
    /// Seconds of load.
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Households prepared (registered through to pass issued) before the load, for the
    /// escorts to admit and the hotline to look up. Default: as many as the run admits (a
    /// fifth of its requests); fewer are refused.
    #[arg(long)]
    prepare: Option<usize>,
    /// After the run, read every acknowledged write back from this database.
    #[arg(long, requires = "key_file")]
    verify_database: Option<String>,
    /// After preparing, refresh the statistics of the database given with --verify-database,
    /// as an import does after its bulk load: the load then meets the query plans of an
    /// operation that has been running for a while, not those of tables that grew from
    /// nothing a minute ago, which PostgreSQL's autovacuum would refresh within its next round.
    #[arg(long, requires = "verify_database")]
    refresh_statistics: bool,
    /// The servers' key file, to read the database given with --verify-database.
    #[arg(long, env = "SAFECONDUCT_KEY_FILE")]
    key_file: Option<std::path::PathBuf>,
    /// Kill this process (one of the servers) with SIGKILL during the load…
    #[arg(long)]
    kill_pid: Option<u32>,
    /// …this many seconds after the load started.
    #[arg(long, default_value_t = 10)]
    kill_after: u64,
    /// Instead of the mixed load: field devices syncing scans as fast as the servers take
    /// them, this many devices at once…
    #[arg(long)]
    scan_devices: Option<usize>,
    /// …each sync carrying this many scans.
    #[arg(long, default_value_t = 250)]
    scan_batch: usize,
}

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
}

async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
    totp_secret: Option<&str>,
) -> Result<String> {
    let mut body = json!({"username": user, "password": password});
    if let Some(secret) = totp_secret {
        body["totp"] = json!(
            safeconduct_keys::totp::code_for(secret, safeconduct_keys::now().0)
                .context("--totp-secret is not base32")?
        );
    }
    let res = client
        .post(format!("{base}/api/sessions"))
        .json(&body)
        .send()
        .await
        .with_context(|| format!("signing in at {base}"))?;
    if !res.status().is_success() {
        bail!(
            "signing in as {user}: {}",
            res.text().await.unwrap_or_default()
        );
    }
    Ok(res.json::<Value>().await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

async fn call(
    client: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> Result<Value> {
    call_keyed(client, token, method, url, body, None).await
}

/// As [`call`], with an `Idempotency-Key`: the request may be sent again after its answer was
/// lost, and takes effect once.
async fn call_keyed(
    client: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
    key: Option<&str>,
) -> Result<Value> {
    let mut req = client.request(method, &url).bearer_auth(token);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await?;
    let status = res.status();
    let value = res.json::<Value>().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("{url}: {status} {value}");
    }
    Ok(value)
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
    call(
        client,
        escort,
        reqwest::Method::POST,
        api(&format!("/rvs/{rv}/accept")),
        None,
    )
    .await?;
    let gate = call(client, token, reqwest::Method::POST, api("/gates"), Some(json!({
        "name": "Load gate", "location": {"lat": 60.167, "lon": 24.9425}, "kind": "discreet", "hourly_throughput": 20000, "rv_ids": [rv]
    }))).await?["id"].as_i64().unwrap_or_default();
    assign_escort(args, client, token, rv, gate).await?;
    let window = call(client, token, reqwest::Method::POST, api("/windows"), Some(json!({
        "rv_id": rv, "start": "2030-08-24T06:00:00Z", "end": "2030-08-25T05:00:00Z", "capacity": 100000
    }))).await?["id"].as_i64().unwrap_or_default();
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
                call(
                    &client,
                    &token,
                    reqwest::Method::POST,
                    case("verify-documents"),
                    None,
                )
                .await?;
                call(
                    &client,
                    &token,
                    reqwest::Method::POST,
                    case("eligibility"),
                    Some(json!({"decision": "eligible", "category": "at_risk"})),
                )
                .await?;
                call(
                    &client,
                    &token,
                    reqwest::Method::POST,
                    case("assign"),
                    Some(json!({"window_id": window})),
                )
                .await?;
                call(&client, &token, reqwest::Method::POST, case("pass"), None).await?;
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

/// Whether a request never reached a server (nothing was processed), so that a load
/// balancer would send it to the next one.
fn unreached(e: &anyhow::Error) -> bool {
    e.downcast_ref::<reqwest::Error>()
        .is_some_and(|e| e.is_connect())
}

/// Whether a request failed on the way (no HTTP answer came back), processed or not.
fn answer_lost(e: &anyhow::Error) -> bool {
    e.downcast_ref::<reqwest::Error>().is_some()
}

/// A failure's reason, in a few words, to count failures by.
fn cause(e: &anyhow::Error) -> String {
    match e.downcast_ref::<reqwest::Error>() {
        Some(r) if r.is_connect() => "could not connect to any server".into(),
        Some(r) if r.is_timeout() => "timed out".into(),
        Some(_) => "connection lost mid-request (server killed)".into(),
        None => {
            let text = e.to_string();
            // "{url}: {status} {body}": keep the status.
            text.split_once(": ")
                .map(|(_, rest)| rest.split(' ').take(2).collect::<Vec<_>>().join(" "))
                .unwrap_or(text)
        }
    }
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
                let url = api(&format!("/lookup?phone=%2B{}", &phone[1..]));
                let v = call(
                    &shared.client,
                    &shared.token,
                    reqwest::Method::GET,
                    url,
                    None,
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
                shared
                    .acknowledged
                    .lock()
                    .await
                    .push((reference, "registered"));
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
                shared
                    .acknowledged
                    .lock()
                    .await
                    .push((reference, "admitted_at_rv"));
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

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

/// The database given with --verify-database, read with the key file.
/// Households in the operation now, read from the database given with --verify-database.
fn households_now(args: &Args) -> Result<u64> {
    let op = safeconduct_domain::OperationId(args.operation);
    Ok(open_database(args)?
        .stage_counts(op, safeconduct_store::CountScope::Operation)?
        .total_households())
}

fn open_database(args: &Args) -> Result<std::sync::Arc<dyn safeconduct_store::Store>> {
    let url = args
        .verify_database
        .as_deref()
        .context("no --verify-database")?;
    let key_file = args.key_file.as_ref().context("no --key-file")?;
    let kek = safeconduct_keys::keyfile::load(key_file)?;
    Ok(safeconduct_store::open(url, kek)?)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(10))
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
    if let Some(devices) = args.scan_devices {
        let op = args.operation;
        let rv = call(&client, &token, reqwest::Method::POST, format!("{base}/api/operations/{op}/rvs"), Some(json!({
            "name": "Scan RV", "location": {"lat": 60.1652, "lon": 24.9393}, "landmark": "scan bench corner"
        }))).await?["id"].as_i64().unwrap_or_default();
        assign_escort(&args, &client, &token, rv, 0).await?;
        return scan_ingest(&args, &client, &escort_token, devices, rv).await;
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
            open_database(&args)?.refresh_statistics()?;
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
            Some(tokio::task::spawn_blocking(move || households_now(&args)).await??)
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
        let op = safeconduct_domain::OperationId(args.operation);
        let db_args = args.clone();
        let missing = tokio::task::spawn_blocking(move || -> Result<Vec<String>> {
            let store = open_database(&db_args)?;
            let mut missing = Vec::new();
            for (reference, stage) in &acknowledged {
                let r = safeconduct_domain::CaseReference::parse(reference)?;
                match store.household(op, &r) {
                    Ok(h)
                        if *stage == "admitted_at_rv"
                            && h.stage != safeconduct_domain::Stage::AdmittedAtRv =>
                    {
                        missing.push(format!("{reference}: admission lost (stage {})", h.stage))
                    }
                    Ok(_) => {}
                    Err(e) => missing.push(format!("{reference}: {e}")),
                }
            }
            let report = store.accountability(op)?;
            if !report.ok() {
                missing.push(format!("accountability: {:?}", report.problems));
            }
            println!(
                "verified {} acknowledged writes against the database",
                acknowledged.len()
            );
            let registered = acknowledged
                .iter()
                .filter(|(_, s)| *s == "registered")
                .count();
            let during = households_now(&db_args)? - households_before.unwrap_or_default();
            println!(
                "households registered during the load: {during}, of which answered {registered} \
                 and committed without an answer {}",
                during.saturating_sub(registered as u64)
            );
            Ok(missing)
        })
        .await??;
        if !missing.is_empty() {
            bail!("acknowledged writes missing: {missing:?}");
        }
        println!("no acknowledged write lost; counts add up");
    }
    Ok(())
}

/// Field devices syncing scans back to back for the duration: durable scans per second.
/// Assigns the escort user to the RV (and the gate, when there is one): escorts act only at
/// the places assigned to them.
async fn assign_escort(
    args: &Args,
    client: &reqwest::Client,
    token: &str,
    rv: i64,
    gate: i64,
) -> Result<()> {
    let base = &args.servers[0];
    let url = format!(
        "{base}/api/operations/{}/users/{}/places",
        args.operation, args.escort_user
    );
    let gates: Vec<i64> = (gate > 0).then_some(gate).into_iter().collect();
    call(
        client,
        token,
        reqwest::Method::PUT,
        url,
        Some(json!({"rv_ids": [rv], "gate_ids": gates})),
    )
    .await?;
    Ok(())
}

async fn scan_ingest(
    args: &Args,
    client: &reqwest::Client,
    token: &str,
    devices: usize,
    rv: i64,
) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(args.duration);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for d in 0..devices {
        let (client, token, args) = (client.clone(), token.to_string(), args.clone());
        tasks.push(tokio::spawn(async move {
            let device = format!("bench-{}-{d}", std::process::id());
            let mut seq = 0u64;
            let mut latencies = Vec::new();
            let mut stored = 0u64;
            let mut n = 0usize;
            while Instant::now() < deadline {
                let base = &args.servers[n % args.servers.len()];
                n += 1;
                let scans: Vec<Value> = (0..args.scan_batch)
                    .map(|i| json!({
                        "seq": seq + i as u64, "pass_index": (d * 10_000_000) as u64 + seq + i as u64,
                        "rv_id": rv, "outcome": "admitted", "scanned_at": "2026-08-24T06:30:00Z"
                    }))
                    .collect();
                let t = Instant::now();
                let url = format!("{base}/api/operations/{}/scans", args.operation);
                let v = call(&client, &token, reqwest::Method::POST, url, Some(json!({"device": device, "scans": scans}))).await?;
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
