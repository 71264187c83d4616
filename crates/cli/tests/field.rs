//! An escort's phone runs the reference field client against a real server on SQLite: a
//! coordinator enrols the device over HTTP, the client enrols with the one-time code, fetches
//! its kit, opens a batch, scans a real pass offline (and an unreadable one), departs the batch
//! and syncs; the household is then in escort on the server, and syncing again is harmless.
//! A gate device then records the household's arrivals (two members, then the third) and its
//! check-in, and the household is processed.

mod common;

use common::{bin, seed_demo, stderr, stdout, text};
use serde_json::{Value, json};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

/// The demo's coordinator authenticator secret (crates/cli/src/demo.rs).
const DEMO_TOTP_SECRET: &[u8] = b"safeconduct demo 2fa";

/// A `safeconduct serve` of a seeded demo, killed when dropped.
struct Served {
    child: Child,
    base: String,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(data: &Path) -> Served {
        let port = common::store::free_port();
        let addr = format!("127.0.0.1:{port}");
        let child = bin()
            .args(["serve", "--addr", &addr, "--data"])
            .arg(data)
            .env_remove("SAFECONDUCT_DATABASE")
            .env_remove("SAFECONDUCT_KEY_FILE")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "the server never listened");
            std::thread::sleep(Duration::from_millis(100));
        }
        Served {
            child,
            base: format!("http://{addr}"),
            http: {
                safeconduct_server::outbox::install_tls_provider();
                reqwest::Client::new()
            },
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// Calls the API as `token`; the status and the JSON body.
    fn call(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        self.runtime.block_on(async {
            let mut req = self.http.request(method.parse().unwrap(), &url);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            if let Some(b) = body {
                req = req.json(&b);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json().await.unwrap_or(Value::Null))
        })
    }

    fn ok(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.call(Some(token), method, path, body);
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {answer}"
        );
        answer
    }

    fn coordinator(&self) -> String {
        let code = safeconduct_keys::totp::code_at(DEMO_TOTP_SECRET, safeconduct_keys::now().0);
        let body =
            json!({"username": "coordinator", "password": "demo-coordinator-pass", "totp": code});
        let (status, answer) = self.call(None, "POST", "/api/sessions", Some(body));
        assert_eq!(status, 200, "{answer}");
        answer["token"].as_str().unwrap().to_string()
    }
}

/// Runs `safeconduct field --state STATE ARGS` as the escort user.
fn field(state: &Path, args: &[&str]) -> Output {
    field_as("demo-escort-pass", state, args)
}

/// Runs `safeconduct field --state STATE ARGS` with this user's password.
fn field_as(password: &str, state: &Path, args: &[&str]) -> Output {
    bin()
        .arg("field")
        .arg("--state")
        .arg(state)
        .args(args)
        .env("SAFECONDUCT_PASSWORD", password)
        .env_remove("SAFECONDUCT_FIELD_STATE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn succeeds(state: &Path, args: &[&str]) -> String {
    succeeds_as("demo-escort-pass", state, args)
}

fn succeeds_as(password: &str, state: &Path, args: &[&str]) -> String {
    let out = field_as(password, state, args);
    assert!(out.status.success(), "field {args:?}: {}", text(&out));
    stdout(&out)
}

/// A household of three registered, eligible, assigned to the window open now at `rv`, with
/// its pass issued; its reference and pass text.
fn household_with_pass(server: &Served, token: &str, rv: i64) -> (String, String) {
    let now = safeconduct_keys::now().0;
    let windows = server.ok(token, "GET", "/api/operations/1/windows", None);
    let time = |w: &Value, f: &str| {
        safeconduct_domain::values::Timestamp::parse_rfc3339("t", w[f].as_str().unwrap())
            .unwrap()
            .0
    };
    let window = windows
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["rv_id"] == rv && time(w, "start") <= now && now + 600 < time(w, "end"))
        .expect("a window open now at the first RV")["id"]
        .clone();
    let members: Vec<Value> = (0..3)
        .map(|i| json!({
            "name": format!("Member{i} Field"), "birth_date": format!("{}", 1970 + i),
            "nationality": "AF", "phone": "0700 100 901",
            "documents": [{"type": "passport", "number": format!("F{:08}", 500 + i), "issuing_country": "AF"}]
        }))
        .collect();
    let registered = server.ok(
        token,
        "POST",
        "/api/operations/1/households",
        Some(json!({"contact_phone": "0700 100 901", "language": "prs", "members": members})),
    );
    let reference = registered["reference"].as_str().unwrap().to_string();
    let case = format!("/api/operations/1/households/{reference}");
    server.ok(token, "POST", &format!("{case}/verify-documents"), None);
    let eligible = json!({"decision": "eligible", "category": "special_immigrant_visa"});
    server.ok(
        token,
        "POST",
        &format!("{case}/eligibility"),
        Some(eligible),
    );
    let assign = json!({"window_id": window});
    server.ok(token, "POST", &format!("{case}/assign"), Some(assign));
    let issued = server.ok(token, "POST", &format!("{case}/pass"), None);
    let pass = issued["pass"]["text"].as_str().unwrap().to_string();
    (reference, pass)
}

/// A seeded demo served from `dir`, the coordinator's token and the first RV's id.
fn demo_served(dir: &Path) -> (Served, String, i64) {
    let data = dir.join("data");
    let seeded = seed_demo(&data, "20");
    assert!(seeded.status.success(), "{}", text(&seeded));
    let server = Served::start(&data);
    let coordinator = server.coordinator();
    let rvs = server.ok(&coordinator, "GET", "/api/operations/1/rvs", None);
    let rv = rvs[0]["id"].as_i64().unwrap();
    (server, coordinator, rv)
}

/// `enrol` of the escort user's device in operation 1 with its code, then `extra`.
fn enrol_args<'a>(
    server: &'a str,
    device: &'a str,
    code: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "enrol",
        "--server",
        server,
        "--operation",
        "1",
        "--user",
        "escort",
    ];
    args.extend(["--device", device, "--code", code]);
    args.extend(extra);
    args
}

fn kit_file(state: &Path) -> PathBuf {
    state.join("kit.json")
}

#[test]
fn escort_and_gate_devices_move_a_household_into_escort_and_through_the_gate_by_synced_scans() {
    let dir = tempfile::tempdir().unwrap();
    // The first RV (active) and the demo gate user's gate, which receives its batches.
    let (server, coordinator, rv) = demo_served(dir.path());
    let gates = server.ok(&coordinator, "GET", "/api/operations/1/gates", None);
    let gate = gates
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["rv_ids"].as_array().unwrap().contains(&json!(rv))
                && g["name"].as_str().unwrap().contains("service gate")
        })
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (reference, pass) = household_with_pass(&server, &coordinator, rv);

    // The coordinator enrols a device for the escort at that RV.
    let enrolled = server.ok(
        &coordinator,
        "POST",
        "/api/operations/1/devices",
        Some(
            json!({"username": "escort", "role": "escort", "rv_ids": [rv], "label": "RV phone 1"}),
        ),
    );
    let device = enrolled["device"]["id"].as_i64().unwrap().to_string();
    let code = enrolled["enrolment_code"].as_str().unwrap();

    let state = dir.path().join("phone");
    let s = &state;
    let said = succeeds(s, &enrol_args(&server.base, &device, code, &[]));
    assert!(
        said.contains(&format!("device {device} of operation 1 enrolled")),
        "{said}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["key", "session"] {
            let mode = std::fs::metadata(state.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }
    // The same state directory cannot enrol a second device over the first one's key.
    let again = field(s, &enrol_args(&server.base, &device, code, &[]));
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already holds the key"),
        "{}",
        text(&again)
    );

    let said = succeeds(s, &["kit"]);
    assert!(said.contains("checkpoint tier"), "{said}");
    let kit = std::fs::read_to_string(kit_file(s)).unwrap();
    assert!(!kit.contains(&reference), "the kit names no case");
    assert!(
        !kit.contains("Field") && !kit.contains("0700"),
        "the kit names nobody"
    );

    let said = succeeds(s, &["batch", "open", "--gate", &gate.to_string()]);
    assert!(said.contains("batch 1 opened"), "{said}");

    // An expired kit verifies nothing and records nothing.
    let mut expired: Value = serde_json::from_str(&kit).unwrap();
    expired["expires_at"] = "2001-01-01T00:00:00Z".into();
    std::fs::write(kit_file(s), expired.to_string()).unwrap();
    let refused = field(s, &["scan", "--text", &pass, "--batch", "1"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("safeconduct field kit"),
        "{}",
        text(&refused)
    );
    std::fs::write(kit_file(s), &kit).unwrap();

    let said = succeeds(s, &["scan", "--text", &pass, "--batch", "1"]);
    assert!(said.starts_with("valid:"), "{said}");
    assert!(
        said.contains("3 people") && said.contains("recorded admit (seq 1)"),
        "{said}"
    );
    assert!(
        !said.contains(&reference),
        "an escort sees no case reference: {said}"
    );
    let unreadable = field(s, &["scan", "--text", "SC2:NOT A PASS"]);
    assert!(
        !unreadable.status.success(),
        "an unreadable pass admits nobody"
    );
    assert!(
        stdout(&unreadable).contains("recorded refuse (seq 2)"),
        "{}",
        text(&unreadable)
    );
    succeeds(s, &["batch", "depart", "--batch", "1", "--head-count", "3"]);
    let said = succeeds(s, &["pending"]);
    assert!(
        said.contains("4 record(s) wait to be synced (seq 0 to 3)"),
        "{said}"
    );

    // A sync whose answer is lost: the phone keeps its records and sends them again later.
    let journal = std::fs::read(state.join("journal.json")).unwrap();
    let said = succeeds(s, &["sync", "--chunk", "3"]);
    assert!(
        said.contains("synced in 2 sync(s): 4 received, 0 already had"),
        "{said}"
    );
    assert!(said.contains("applied up to seq 3"), "{said}");
    let household = server.ok(
        &coordinator,
        "GET",
        &format!("/api/operations/1/households/{reference}"),
        None,
    );
    assert_eq!(household["stage"], "in_escort", "{household}");

    let said = succeeds(s, &["sync"]);
    assert!(said.contains("nothing to sync"), "{said}");
    std::fs::write(state.join("journal.json"), journal).unwrap();
    let said = succeeds(s, &["sync"]);
    assert!(said.contains("0 received, 4 already had"), "{said}");
    let household = server.ok(
        &coordinator,
        "GET",
        &format!("/api/operations/1/households/{reference}"),
        None,
    );
    assert_eq!(household["stage"], "in_escort", "nothing moved twice");

    // At the gate, a gate device reads the pass with its gate kit: two members arrive, then
    // the third, and the household is checked in.
    let enrolled = server.ok(
        &coordinator,
        "POST",
        "/api/operations/1/devices",
        Some(
            json!({"username": "gate", "role": "gate", "gate_ids": [gate], "label": "gate laptop"}),
        ),
    );
    let device = enrolled["device"]["id"].as_i64().unwrap().to_string();
    let code = enrolled["enrolment_code"].as_str().unwrap();
    let g = &dir.path().join("laptop");
    let at_gate = |args: &[&str]| succeeds_as("demo-gate-pass", g, args);
    at_gate(&[
        "enrol",
        "--server",
        &server.base,
        "--operation",
        "1",
        "--user",
        "gate",
        "--device",
        &device,
        "--code",
        code,
    ]);
    assert!(at_gate(&["kit"]).contains("gate tier"));
    let scan = field_as("demo-gate-pass", g, &["scan", "--text", &pass]);
    assert!(
        !scan.status.success(),
        "a gate device admits nobody at an RV"
    );
    let said = at_gate(&["arrive", "--text", &pass, "--people", "2"]);
    assert!(
        said.contains(&format!("case {}", reference.replace('-', ""))),
        "{said}"
    );
    at_gate(&["arrive", "--text", &pass, "--people", "1"]);
    at_gate(&["check-in", "--text", &pass]);
    let said = at_gate(&["sync"]);
    assert!(
        said.contains("3 received") && said.contains("partial_arrival"),
        "{said}"
    );
    let household = server.ok(
        &coordinator,
        "GET",
        &format!("/api/operations/1/households/{reference}"),
        None,
    );
    assert_eq!(household["stage"], "processed", "{household}");
}

#[test]
fn every_field_command_explains_itself() {
    for args in [
        &["field", "--help"][..],
        &["field", "enrol", "--help"],
        &["field", "kit", "--help"],
        &["field", "scan", "--help"],
        &["field", "batch", "open", "--help"],
        &["field", "batch", "depart", "--help"],
        &["field", "arrive", "--help"],
        &["field", "check-in", "--help"],
        &["field", "pending", "--help"],
        &["field", "sync", "--help"],
    ] {
        common::explains_itself(args);
    }
}

#[test]
fn a_device_not_yet_enrolled_is_told_how_to_enrol() {
    let dir = tempfile::tempdir().unwrap();
    let out = field(dir.path(), &["sync"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("safeconduct field enrol"),
        "{}",
        text(&out)
    );
}

/// A TLS front on 127.0.0.1 for the server at `backend` (host:port), as the operation's
/// reverse proxy is: its certificate, for localhost and 127.0.0.1, is signed by its own key
/// (standing for the operation's own certificate authority). Its address and the
/// certificate's PEM; it serves until the test process ends.
fn tls_front(backend: String) -> (String, String) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(certified.cert.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        )),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (acceptor, backend) = (acceptor.clone(), backend.clone());
                tokio::spawn(async move {
                    // A client that does not trust the certificate gives up the handshake.
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    if let Ok(mut plain) = tokio::net::TcpStream::connect(&backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
    });
    (address, certified.cert.pem())
}

#[test]
fn a_device_talks_to_its_server_over_tls_trusting_the_operations_own_authority() {
    let dir = tempfile::tempdir().unwrap();
    let (server, coordinator, rv) = demo_served(dir.path());
    let enrolled = server.ok(
        &coordinator,
        "POST",
        "/api/operations/1/devices",
        Some(json!({"username": "escort", "role": "escort", "rv_ids": [rv], "label": "TLS"})),
    );
    let device = enrolled["device"]["id"].as_i64().unwrap().to_string();
    let code = enrolled["enrolment_code"].as_str().unwrap().to_string();
    let (front, ca) = tls_front(server.base.trim_start_matches("http://").to_string());
    let url = format!("https://localhost:{}", front.rsplit(':').next().unwrap());
    let ca_file = dir.path().join("operation-ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let state = dir.path().join("phone");
    let enrol = |extra: &[&str]| field(&state, &enrol_args(&url, &device, &code, extra));

    // Without the operation's authority the certificate is not trusted: refused, nothing kept.
    let untrusted = enrol(&[]);
    assert!(!untrusted.status.success());
    let said = stderr(&untrusted);
    assert!(said.contains("could not reach the server"), "{said}");
    assert!(said.to_lowercase().contains("certificate"), "{said}");
    assert!(
        !state.join("key").exists(),
        "no key kept after a refused enrolment"
    );

    // With it, the device enrols from the coordinator's QR code (a PNG of it here), and later
    // commands trust the same authority.
    let ca_arg = ca_file.to_str().unwrap();
    let qr = enrolled["enrolment_qr"].as_str().unwrap();
    let png = dir.path().join("enrolment.png");
    let image = safeconduct_pass::qr::Qr::new(qr).unwrap().png(6);
    std::fs::write(&png, image).unwrap();
    let said = {
        let out = field(
            &state,
            &[
                "enrol",
                "--server",
                &url,
                "--user",
                "escort",
                "--enrolment-png",
                png.to_str().unwrap(),
                "--server-ca",
                ca_arg,
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        stdout(&out)
    };
    assert!(
        said.contains(&format!("device {device} of operation 1 enrolled")),
        "{said}"
    );
    let said = succeeds(&state, &["kit"]);
    assert!(said.contains("checkpoint tier"), "{said}");
    let device_file = std::fs::read_to_string(state.join("device.json")).unwrap();
    assert!(device_file.contains("https://localhost"), "{device_file}");

    // Another QR code (a pass, a typo) is no enrolment, said so.
    let other = dir.path().join("other");
    let out = field(
        &other,
        &[
            "enrol",
            "--server",
            &url,
            "--user",
            "escort",
            "--enrolment",
            "SC2:NOT-AN-ENROLMENT",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("holds no enrolment"),
        "{}",
        text(&out)
    );

    // A certificate authority for a plain http:// server is a mistake, said so.
    let other = dir.path().join("other");
    let out = field(
        &other,
        &enrol_args(&server.base, &device, &code, &["--server-ca", ca_arg]),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("https://"), "{}", text(&out));
}
