//! Scale benchmarks of the embedded store and the import, recorded in docs/benchmarks.md.
//!
//!     cargo bench -p safeconduct --bench scale            # full: 100k-row import, 1M people
//!     SAFECONDUCT_BENCH_PEOPLE=100000 cargo bench -p safeconduct --bench scale   # smaller
//!
//! Measures: import of 100,000 CSV rows (the release binary, end to end); stage counts and a
//! lookup by phone in an operation of 1,000,000 people; resident memory of the server process
//! serving that store.
//!
//! The households and the names of the volunteer list come from the demo's deterministic
//! generator (`safeconduct_cli::generator`), so every run measures the same data.

use safeconduct_cli::generator::{self, Dice, MEN, SURNAMES, WOMEN};
use safeconduct_domain::values::*;
use safeconduct_domain::*;
use safeconduct_store::sqlite::SqliteStore;
use safeconduct_store::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p99(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() * 99 / 100]
}

/// A messy volunteer list: households of 1-8 sharing a phone, 7% of people listed twice with
/// the phone typed differently and "SURNAME, Given" order.
fn write_csv(path: &Path, rows: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "Full name,Name (Dari/Pashto),Phone / WhatsApp,Passport or Tazkira no.,Household ref,Category,Year of birth,Location,Notes").unwrap();
    let mut d = Dice(7);
    let mut written = 0;
    let mut hh = 0;
    while written < rows {
        hh += 1;
        let size = 1 + d.below(8) as usize;
        let phone = 700_000_000 + d.below(99_999_999);
        let surname = d.pick(SURNAMES).0;
        for k in 0..size {
            if written >= rows {
                break;
            }
            let names = if d.chance(50) { WOMEN } else { MEN };
            let given = d.pick(names).0;
            let year = 1950 + d.below(70);
            let doc = format!("P{:08}", hh * 10 + k);
            writeln!(
                f,
                "{given} {surname}{hh},,0{phone},{doc},HH-{hh},SIV applicant,{year},PD5,"
            )
            .unwrap();
            written += 1;
            if d.below(100) < 7 && written < rows {
                writeln!(
                    f,
                    "\"{}{hh}, {given}\",,+93 {phone},,HH-{hh},SIV applicant,{year},PD5,",
                    surname.to_uppercase()
                )
                .unwrap();
                written += 1;
            }
        }
    }
}

fn bench_import(bin: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("list.csv");
    write_csv(&csv, 100_000);
    let data = dir.path().join("data");
    let ok = Command::new(bin)
        .args(["operation", "create", "Bench"])
        .env("SAFECONDUCT_DATA", &data)
        .output()
        .unwrap();
    assert!(ok.status.success());
    let started = Instant::now();
    let out = Command::new(bin)
        .args(["import", csv.to_str().unwrap(), "--operation", "1"])
        .env("SAFECONDUCT_DATA", &data)
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    println!(
        "import of 100,000 CSV rows: {:.2} s wall (target < 10 s)\n  {first}",
        took.as_secs_f64()
    );
}

fn populate(store: &SqliteStore, op: OperationId, people: usize) -> Vec<PhoneNumber> {
    let mut phones = Vec::new();
    let mut refs = generator::references();
    let actor = Actor::system(Timestamp(1_800_000_000));
    let started = Instant::now();
    for chunk in generator::population(11, people, 2500) {
        let chunk = chunk.unwrap();
        for household in &chunk {
            if phones.len() < 10_000 {
                phones.extend(household.contact_phone().cloned());
            }
        }
        store
            .register_households(op, &chunk, &mut refs, &actor)
            .unwrap();
    }
    println!(
        "registered {people} people in {:.1} s ({:.0} people/s, 2,500 households per transaction)",
        started.elapsed().as_secs_f64(),
        people as f64 / started.elapsed().as_secs_f64()
    );
    phones
}

fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn bench_server_memory(bin: &Path, data: &Path, phones: &[PhoneNumber]) {
    let mut user = Command::new(bin)
        .args([
            "user",
            "add",
            "bench",
            "--operation",
            "1",
            "--role",
            "coordinator",
            "--role",
            "hotline",
            "--password-stdin",
        ])
        .env("SAFECONDUCT_DATA", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    user.stdin
        .take()
        .unwrap()
        .write_all(b"benchmark password\n")
        .unwrap();
    let added = user.wait_with_output().unwrap();
    assert!(added.status.success());
    let secret = String::from_utf8_lossy(&added.stdout)
        .lines()
        .find_map(|l| l.split("authenticator app): ").nth(1).map(str::to_string))
        .expect("user add prints the coordinator's one-time code secret");
    let port = 18_000 + (std::process::id() % 1000) as u16;
    let addr = format!("127.0.0.1:{port}");
    let mut server = Command::new(bin)
        .args(["serve", "--addr", &addr])
        .env("SAFECONDUCT_DATA", data)
        .env("SAFECONDUCT_LOG", "warn")
        // One token drives every request here: measure speed, not the rate limits.
        .env("SAFECONDUCT_REQUESTS_PER_SECOND", "0")
        .env("SAFECONDUCT_LOOKUPS_PER_MINUTE", "0")
        .env("SAFECONDUCT_REQUESTS_PER_IP_PER_SECOND", "0")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let client = std::net::TcpStream::connect;
    let started = Instant::now();
    while client(addr.as_str()).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let http = |method: &str, path: &str, token: Option<&str>, body: &str| -> String {
        use std::io::Read;
        let mut s = client(addr.as_str()).unwrap();
        let auth = token
            .map(|t| format!("authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\n{auth}content-length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let res = http(
        "POST",
        "/api/sessions",
        None,
        &format!(
            r#"{{"username":"bench","password":"benchmark password","totp":"{}"}}"#,
            safeconduct_keys::totp::code_for(&secret, safeconduct_keys::now().0).unwrap()
        ),
    );
    let token = res
        .split("\"token\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let mut lookups = Vec::new();
    for phone in phones.iter().take(500) {
        let t = Instant::now();
        let r = http(
            "POST",
            "/api/operations/1/lookup",
            Some(&token),
            &format!(r#"{{"phone":"{}"}}"#, phone.as_str()),
        );
        lookups.push(t.elapsed());
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    }
    let mut counts = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let r = http("GET", "/api/operations/1/counts", Some(&token), "");
        counts.push(t.elapsed());
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    }
    let (rss, peak) = rss_kib(server.id());
    println!(
        "server over HTTP, 1 connection per request: phone lookup median {:.2} ms p99 {:.2} ms; counts median {:.2} ms",
        median(lookups.clone()).as_secs_f64() * 1e3,
        p99(lookups).as_secs_f64() * 1e3,
        median(counts).as_secs_f64() * 1e3
    );
    println!(
        "server resident memory after 600 requests: {:.1} MiB (peak {:.1} MiB; target < 300 MiB)",
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    let _ = server.kill();
    let _ = server.wait();
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_safeconduct"));
    let people: usize = std::env::var("SAFECONDUCT_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!(
        "safeconduct scale benchmark ({} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    bench_import(bin);

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The server started on this directory below reads the same key file.
    std::fs::create_dir_all(&data).unwrap();
    safeconduct_store::testing::write_test_key_file(&data.join("key.hex"));
    let store = SqliteStore::open(
        &data.join("safeconduct.sqlite3"),
        safeconduct_store::testing::test_kek(),
    )
    .unwrap();
    let op = store.create_operation("Scale", Timestamp(0)).unwrap().id;
    let phones = populate(&store, op, people);

    let mut counts = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let c = store.stage_counts(op, CountScope::Operation).unwrap();
        counts.push(t.elapsed());
        assert_eq!(c.total_people(), people as u64);
    }
    println!(
        "stage counts, {people} people: median {:.3} ms, p99 {:.3} ms (target < 50 ms)",
        median(counts.clone()).as_secs_f64() * 1e3,
        p99(counts).as_secs_f64() * 1e3
    );
    let mut lookups = Vec::new();
    for phone in phones.iter().take(2000) {
        let t = Instant::now();
        let found = store.households_by_phone(op, phone).unwrap();
        lookups.push(t.elapsed());
        assert!(!found.is_empty());
    }
    println!(
        "lookup by phone, {people} people: median {:.3} ms, p99 {:.3} ms (target < 2 ms)",
        median(lookups.clone()).as_secs_f64() * 1e3,
        p99(lookups).as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let report = store.accountability(op, safeconduct_keys::now()).unwrap();
    println!(
        "full accountability recount, {people} people: {:.0} ms (ok: {})",
        t.elapsed().as_secs_f64() * 1e3,
        report.ok()
    );
    drop(store);
    bench_server_memory(bin, &data, &phones);
}
