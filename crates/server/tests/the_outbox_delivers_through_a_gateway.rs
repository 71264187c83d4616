//! Messages leave through a real HTTP SMS gateway running in the test: a reassignment's
//! notice is delivered with its idempotency key and credentials; a gateway that answers 500
//! and recovers gets it again after the back-off and delivers it once; a sender that stops
//! between sending and recording sends again with the same key and the gateway delivers it
//! once; two senders at once take each message once; a refusal fails the message for good
//! and puts the household on the hotline's worklist, as does a pass link refused or none
//! made, while one delivered tells the household;
//! the demo's file transport writes one line; over HTTPS, a gateway with a private CA whose
//! certificate is not trusted gets nothing and the message waits, and trusted, it delivers;
//! a gateway reached in clear beyond this machine is refused at start. Times are handed to
//! the sender, so back-off is tested without waiting for it.

mod common;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use common::*;
use safeconduct_domain::Role;
use safeconduct_domain::hotline::NOTICE_GRACE_SECONDS;
use safeconduct_domain::values::Timestamp;
use safeconduct_server::App;
use safeconduct_server::outbox::{FileTransport, GatewayCredentials, SmsGateway, Transport};
use safeconduct_store::testing::{Backend, test_kek};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// What the gateway saw and did.
#[derive(Default)]
struct Gateway {
    /// Every request: its idempotency key, its authorization header, its body.
    requests: Vec<(String, String, Value)>,
    /// Messages delivered to phones, once per key.
    delivered: Vec<Value>,
    keys: HashSet<String>,
    /// Answer this status to the next requests, one each, before working again.
    failures: Vec<u16>,
}

type Shared = Arc<Mutex<Gateway>>;

async fn receive(
    State(gateway): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let mut g = gateway.lock().unwrap();
    let key = header("idempotency-key");
    g.requests
        .push((key.clone(), header("authorization"), body.clone()));
    if !g.failures.is_empty() {
        return StatusCode::from_u16(g.failures.remove(0)).unwrap();
    }
    // A gateway that honours idempotency keys: a key seen before is answered as before.
    if g.keys.insert(key) {
        g.delivered.push(body);
    }
    StatusCode::OK
}

/// A gateway on 127.0.0.1; its URL.
async fn start_gateway(gateway: Shared) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/sms", axum::routing::post(receive))
        .with_state(gateway);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A certificate for 127.0.0.1 and localhost signed by its own key (standing for a private
/// gateway's CA): (certificate PEM, certificate DER, key DER).
fn self_signed() -> (String, Vec<u8>, Vec<u8>) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    (
        certified.cert.pem(),
        certified.cert.der().to_vec(),
        certified.signing_key.serialize_der(),
    )
}

/// Accepts TCP connections and completes a TLS handshake on each; a client that gives up
/// the handshake (it does not trust the certificate) is dropped.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    tls: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.tls.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// A gateway that speaks only HTTPS on 127.0.0.1 with `certificate`; its URL.
async fn start_https_gateway(gateway: Shared, certificate: (Vec<u8>, Vec<u8>)) -> String {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let (cert, key) = certificate;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(cert)],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
    )
    .unwrap();
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/sms", tcp.local_addr().unwrap());
    let listener = TlsListener {
        tcp,
        tls: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    };
    let app = axum::Router::new()
        .route("/sms", axum::routing::post(receive))
        .with_state(gateway);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A sender over the test server's store (another server of the same deployment).
fn sender(app: &TestApp, transport: Arc<dyn Transport>) -> App {
    App::new(app.store.clone(), test_kek()).with_transport(transport)
}

/// A case whose reassignment queued a notice; its reference.
async fn reassigned_case(app: &TestApp, phone: &str) -> String {
    let p = app.places(100, 300).await;
    let reference = app.register_with_pass(2, phone, p.window).await;
    let later = app
        .add_window(p.rv, "2030-08-24T06:00:00Z", "2030-08-24T08:00:00Z", 50)
        .await;
    app.reassign(&reference, later).await;
    reference
}

async fn messages(app: &TestApp, reference: &str) -> Value {
    app.get(Role::Hotline, &format!("{}/messages", case(reference)))
        .await
}

async fn worklist(app: &TestApp) -> Value {
    app.get(Role::Hotline, "/api/operations/{op}/hotline/worklist")
        .await
}

async fn a_gateway_that_fails_and_recovers_delivers_the_notice_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = reassigned_case(&app, "0700 000 301").await;
    let gateway: Shared = Arc::default();
    gateway.lock().unwrap().failures = vec![500, 503];
    let url = start_gateway(gateway.clone()).await;
    let transport = SmsGateway::new(&url, GatewayCredentials::Bearer("gw-secret".into())).unwrap();
    let sender = sender(&app, Arc::new(transport));
    let t = safeconduct_keys::now().0;
    // Not delivered within the grace, the household would be on the hotline's worklist.
    let op = app.op;
    let after_grace = Timestamp(t + NOTICE_GRACE_SECONDS + 60);
    let untold = move |s: &dyn safeconduct_store::Store| s.hotline_worklist(op, after_grace);
    let listed = app.on_store(move |s| untold(s).unwrap()).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(worklist(&app).await, serde_json::json!([]), "being sent");

    assert_eq!(sender.send_due(Timestamp(t)).await.unwrap(), 1);
    let listed = messages(&app, &reference).await;
    assert_eq!(listed[0]["status"], "pending");
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["last_error"], "gateway answered 500");
    // Not due again until the back-off has passed.
    assert_eq!(sender.send_due(Timestamp(t + 1)).await.unwrap(), 0);
    assert_eq!(sender.send_due(Timestamp(t + 6)).await.unwrap(), 1);
    assert_eq!(sender.send_due(Timestamp(t + 30)).await.unwrap(), 1);
    assert_eq!(sender.send_due(Timestamp(t + 3600)).await.unwrap(), 0);

    let listed = messages(&app, &reference).await;
    assert_eq!(listed[0]["kind"], "new_window");
    assert_eq!(listed[0]["status"], "sent");
    assert_eq!(
        worklist(&app).await,
        serde_json::json!([]),
        "told: nobody to call"
    );
    assert_eq!(listed[0]["attempts"], 3);
    assert!(listed[0]["sent_at"].is_string());
    let g = gateway.lock().unwrap();
    assert_eq!(g.requests.len(), 3);
    let key = &g.requests[0].0;
    assert!(key.starts_with("sc-"), "{key}");
    assert!(
        g.requests
            .iter()
            .all(|(k, auth, _)| k == key && auth == "Bearer gw-secret")
    );
    assert_eq!(g.delivered.len(), 1);
    assert_eq!(g.delivered[0]["to"], "+93700000301");
    let text = g.delivered[0]["text"].as_str().unwrap();
    assert!(text.contains(&reference) && text.contains("UTC"), "{text}");
}

async fn a_sender_stopped_between_send_and_record_does_not_deliver_twice(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = reassigned_case(&app, "0700 000 302").await;
    let gateway: Shared = Arc::default();
    let url = start_gateway(gateway.clone()).await;
    let t = safeconduct_keys::now().0;

    // The first server claims the message and sends it, then stops before recording.
    let store = app.store.clone();
    let claimed = tokio::task::spawn_blocking(move || store.claim_due_messages(Timestamp(t), 10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let transport = SmsGateway::new(&url, GatewayCredentials::None).unwrap();
    assert_eq!(
        transport.send(&claimed[0]).await,
        safeconduct_store::Delivery::Sent
    );
    assert_eq!(messages(&app, &reference).await[0]["status"], "pending");

    // Another server (or the same, restarted) finds it due after the back-off.
    let sender = sender(&app, Arc::new(transport));
    assert_eq!(sender.send_due(Timestamp(t + 60)).await.unwrap(), 1);
    assert_eq!(messages(&app, &reference).await[0]["status"], "sent");
    let g = gateway.lock().unwrap();
    assert_eq!(g.requests.len(), 2);
    assert_eq!(g.requests[0].0, g.requests[1].0, "the same key both times");
    assert_eq!(g.delivered.len(), 1, "delivered once");
}

async fn two_senders_at_once_send_each_message_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut references = Vec::new();
    let p = app.places(100, 300).await;
    let later = app
        .add_window(p.rv, "2030-08-24T06:00:00Z", "2030-08-24T08:00:00Z", 50)
        .await;
    for phone in ["0700 000 311", "0700 000 312", "0700 000 313"] {
        let reference = app.register_with_pass(1, phone, p.window).await;
        app.reassign(&reference, later).await;
        references.push(reference);
    }
    let gateway: Shared = Arc::default();
    let url = start_gateway(gateway.clone()).await;
    let one = sender(
        &app,
        Arc::new(SmsGateway::new(&url, GatewayCredentials::None).unwrap()),
    );
    let other = sender(
        &app,
        Arc::new(SmsGateway::new(&url, GatewayCredentials::None).unwrap()),
    );
    let t = Timestamp(safeconduct_keys::now().0);
    let (a, b) = tokio::join!(one.send_due(t), other.send_due(t));
    assert_eq!(
        a.unwrap() + b.unwrap(),
        3,
        "each message taken by one sender"
    );
    assert_eq!(gateway.lock().unwrap().requests.len(), 3);
    for reference in &references {
        assert_eq!(messages(&app, reference).await[0]["status"], "sent");
    }
}

async fn a_gateway_that_refuses_a_message_fails_it_for_good(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = reassigned_case(&app, "0700 000 303").await;
    let gateway: Shared = Arc::default();
    gateway.lock().unwrap().failures = vec![400];
    let url = start_gateway(gateway.clone()).await;
    let sender = sender(
        &app,
        Arc::new(SmsGateway::new(&url, GatewayCredentials::None).unwrap()),
    );
    let t = safeconduct_keys::now().0;
    assert_eq!(sender.send_due(Timestamp(t)).await.unwrap(), 1);
    assert_eq!(sender.send_due(Timestamp(t + 3600)).await.unwrap(), 0);
    let listed = messages(&app, &reference).await;
    assert_eq!(listed[0]["status"], "failed");
    assert_eq!(listed[0]["last_error"], "gateway answered 400");
    assert_eq!(gateway.lock().unwrap().requests.len(), 1);
    // Its new window untold: the household is on the hotline's worklist.
    let listed = worklist(&app).await;
    assert_eq!(listed[0]["reference"], reference.as_str(), "{listed}");
    assert_eq!(listed[0]["reason"], "new_window_untold", "{listed}");
}

/// A household with a phone hears of its first window by the link to its pass: until the link
/// is delivered it is untold. With no public address no link is made, and it is on the
/// hotline's worklist at once; a link refused by the gateway puts it there too; a link
/// delivered tells it, and it stays off the list past the grace.
async fn a_household_is_untold_of_its_pass_until_its_link_is_delivered(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = app.places(100, 300).await;
    let unlinked = app.register_with_pass(2, "0700 000 321", p.window).await;
    let listed = worklist(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["reference"], unlinked.as_str(), "{listed}");
    assert_eq!(listed[0]["reason"], "new_window_untold", "{listed}");
    assert!(app.message_kinds(&unlinked).await.is_empty());

    app.link_passes().await;
    let gateway: Shared = Arc::default();
    let url = start_gateway(gateway.clone()).await;
    let sender = sender(
        &app,
        Arc::new(SmsGateway::new(&url, GatewayCredentials::None).unwrap()),
    );
    let t = safeconduct_keys::now().0;
    let op = app.op;
    let after_grace = Timestamp(t + NOTICE_GRACE_SECONDS + 60);
    let untold = move |s: &dyn safeconduct_store::Store| {
        let listed = s.hotline_worklist(op, after_grace).unwrap();
        listed
            .into_iter()
            .map(|w| w.reference.to_string())
            .collect::<Vec<_>>()
    };

    // Refused by the gateway: listed once the link has failed.
    let refused = app.register_with_pass(2, "0700 000 322", p.window).await;
    assert_eq!(app.message_kinds(&refused).await, ["pass_link"]);
    assert_eq!(
        worklist(&app).await.as_array().unwrap().len(),
        1,
        "the link is on its way"
    );
    assert_eq!(
        app.on_store(untold).await,
        [unlinked.clone(), refused.clone()]
    );
    // Sent at the time of the test's clock now: a link written in a later second than `t` is
    // not due at `t`.
    gateway.lock().unwrap().failures = vec![400];
    assert_eq!(sender.send_due(safeconduct_keys::now()).await.unwrap(), 1);
    assert_eq!(messages(&app, &refused).await[0]["status"], "failed");
    let listed = worklist(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");

    // Its pass issued again before the link went: the old link, which opens nothing now, is
    // given up unsent; the new one, delivered, tells it, past the grace too.
    let delivered = app.register_with_pass(2, "0700 000 323", p.window).await;
    let path = format!("{}/pass", case(&delivered));
    let (status, body) = app
        .call(Role::Coordinator, reqwest::Method::POST, &path, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let links = messages(&app, &delivered).await;
    assert_eq!(links[0]["status"], "failed", "{links}");
    assert_eq!(
        links[0]["last_error"], "superseded by a newer pass",
        "{links}"
    );
    assert_eq!(sender.send_due(safeconduct_keys::now()).await.unwrap(), 1);
    assert_eq!(messages(&app, &delivered).await[1]["status"], "sent");
    assert_eq!(
        gateway.lock().unwrap().delivered.len(),
        1,
        "the new link alone"
    );
    assert_eq!(
        app.on_store(untold).await,
        [unlinked.clone(), refused.clone()]
    );
}

async fn the_file_transport_writes_each_message_as_a_json_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = reassigned_case(&app, "0700 000 304").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messages.jsonl");
    let sender = sender(&app, Arc::new(FileTransport::new(path.clone())));
    assert_eq!(
        sender
            .send_due(Timestamp(safeconduct_keys::now().0))
            .await
            .unwrap(),
        1
    );
    let written = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["to"], "+93700000304");
    assert!(lines[0]["text"].as_str().unwrap().contains(&reference));
    assert_eq!(messages(&app, &reference).await[0]["status"], "sent");
}

async fn an_https_gateway_is_trusted_by_its_ca_only_and_delivers_after_failing(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = reassigned_case(&app, "0700 000 305").await;
    let gateway: Shared = Arc::default();
    gateway.lock().unwrap().failures = vec![503];
    let (ca_pem, cert, key) = self_signed();
    let url = start_https_gateway(gateway.clone(), (cert, key)).await;
    let dir = tempfile::tempdir().unwrap();
    let (right_ca, other_ca) = (
        dir.path().join("gateway-ca.pem"),
        dir.path().join("other.pem"),
    );
    std::fs::write(&right_ca, &ca_pem).unwrap();
    std::fs::write(&other_ca, self_signed().0).unwrap();
    let t = safeconduct_keys::now().0;

    // Trusting another CA (and not the system's, which never signed this one): the
    // handshake fails, the gateway hears nothing, the message waits.
    let untrusting = sender(
        &app,
        Arc::new(SmsGateway::trusting(&url, GatewayCredentials::None, Some(&other_ca)).unwrap()),
    );
    assert_eq!(untrusting.send_due(Timestamp(t)).await.unwrap(), 1);
    let listed = messages(&app, &reference).await;
    assert_eq!(listed[0]["status"], "pending");
    let error = listed[0]["last_error"].as_str().unwrap();
    assert!(
        error.starts_with("TLS with the gateway failed") && error.contains("certificate"),
        "{error}"
    );
    assert!(gateway.lock().unwrap().requests.is_empty());
    // The system's authorities do not know a private CA either.
    let system = sender(
        &app,
        Arc::new(SmsGateway::new(&url, GatewayCredentials::None).unwrap()),
    );
    assert_eq!(system.send_due(Timestamp(t + 6)).await.unwrap(), 1);
    assert!(gateway.lock().unwrap().requests.is_empty());

    // Trusting its CA: the gateway answers 503 once, then takes it.
    let trusting = sender(
        &app,
        Arc::new(
            SmsGateway::trusting(
                &url,
                GatewayCredentials::Bearer("gw-tls".into()),
                Some(&right_ca),
            )
            .unwrap(),
        ),
    );
    assert_eq!(trusting.send_due(Timestamp(t + 30)).await.unwrap(), 1);
    assert_eq!(
        messages(&app, &reference).await[0]["last_error"],
        "gateway answered 503"
    );
    assert_eq!(trusting.send_due(Timestamp(t + 100)).await.unwrap(), 1);
    let listed = messages(&app, &reference).await;
    assert_eq!(listed[0]["status"], "sent");
    assert_eq!(listed[0]["attempts"], 4);
    let g = gateway.lock().unwrap();
    assert_eq!(g.requests.len(), 2);
    assert!(g.requests.iter().all(|(k, auth, _)| k.starts_with("sc-")
        && k == &g.requests[0].0
        && auth == "Bearer gw-tls"));
    assert_eq!(g.delivered.len(), 1);
    assert_eq!(g.delivered[0]["to"], "+93700000305");
    assert!(
        g.delivered[0]["text"]
            .as_str()
            .unwrap()
            .contains(&reference)
    );
}

#[test]
fn a_gateway_reached_in_clear_beyond_this_machine_is_refused_at_start() {
    let none = || GatewayCredentials::None;
    for clear in [
        "http://sms.example/send",
        "http://10.0.0.7:8080/sms",
        "http://[2001:db8::1]/sms",
    ] {
        let refused = SmsGateway::new(clear, none()).err().unwrap();
        assert!(
            refused.contains("in clear") && refused.contains("https://"),
            "{refused}"
        );
    }
    assert!(SmsGateway::new("ftp://sms.example/send", none()).is_err());
    assert!(SmsGateway::new("not a url", none()).is_err());
    // Over TLS anywhere; in clear to a relay on this machine.
    for fine in [
        "https://sms.example/send",
        "http://127.0.0.1:8080/sms",
        "http://localhost:8080/sms",
        "http://[::1]:8080/sms",
    ] {
        assert!(SmsGateway::new(fine, none()).is_ok(), "{fine}");
    }
    // A CA file that is missing or holds no certificate is named.
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let refused = SmsGateway::trusting("https://sms.example/send", none(), Some(&missing))
        .err()
        .unwrap();
    assert!(refused.contains("missing.pem"), "{refused}");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificate here\n").unwrap();
    let refused = SmsGateway::trusting("https://sms.example/send", none(), Some(&empty))
        .err()
        .unwrap();
    assert!(refused.contains("empty.pem"), "{refused}");
}

safeconduct_store::on_both_backends_async!(
    a_gateway_that_fails_and_recovers_delivers_the_notice_once,
    a_sender_stopped_between_send_and_record_does_not_deliver_twice,
    two_senders_at_once_send_each_message_once,
    a_gateway_that_refuses_a_message_fails_it_for_good,
    a_household_is_untold_of_its_pass_until_its_link_is_delivered,
    the_file_transport_writes_each_message_as_a_json_line,
    an_https_gateway_is_trusted_by_its_ca_only_and_delivers_after_failing,
);
