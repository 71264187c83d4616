//! A server whose PostgreSQL goes away: requests during the outage fail fast with 503 and a
//! clear error, the server reconnects by itself when the database is back, and nothing
//! acknowledged is lost; clients of its live changes are told to read again, since changes
//! committed meanwhile by other servers were not heard. The outage is made by a TCP proxy between the server and PostgreSQL
//! that drops every connection and refuses new ones, as a restarting database does.
//! (SQLite has no connection to lose; this test is PostgreSQL's.)

mod common;

use reqwest::StatusCode;
use safeconduct_domain::Role;
use safeconduct_domain::values::Timestamp;
use safeconduct_server::App;
use safeconduct_store::NewUser;
use safeconduct_store::testing::{Backend, TestStore};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A proxy that can be taken down (dropping every connection) and brought back on the same
/// port.
struct Proxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    up: Arc<AtomicBool>,
    sockets: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let p = Proxy {
            addr,
            upstream,
            up: Arc::new(AtomicBool::new(true)),
            sockets: Arc::new(Mutex::new(Vec::new())),
        };
        p.serve(listener);
        p
    }

    fn serve(&self, listener: TcpListener) {
        let (up, sockets, upstream) = (self.up.clone(), self.sockets.clone(), self.upstream);
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            while up.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(server) = TcpStream::connect(upstream) else {
                            continue;
                        };
                        sockets
                            .lock()
                            .unwrap()
                            .extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                        pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                        pipe(server, client);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            // Dropping the listener closes the port: new connections are refused.
        });
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.sockets.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
        let listener = loop {
            if let Ok(l) = TcpListener::bind(self.addr) {
                break l;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        self.serve(listener);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

async fn register(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    i: usize,
) -> (StatusCode, Value, Duration) {
    let started = Instant::now();
    let res = client
        .post(format!("{base}/api/operations/1/households"))
        .bearer_auth(token)
        .json(&json!({"language": "prs", "members": [{"name": format!("Outage Person{i}")}]}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (
        status,
        res.json().await.unwrap_or(Value::Null),
        started.elapsed(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_fails_fast_with_503_and_the_server_reconnects_by_itself() {
    let db = TestStore::fresh(Backend::Postgres);
    let proxy = Proxy::start("127.0.0.1:5432".parse().unwrap());
    let proxied = db
        .url
        .replacen("127.0.0.1:5432", &proxy.addr.to_string(), 1);
    assert_ne!(
        proxied, db.url,
        "the test database URL names 127.0.0.1:5432"
    );
    let store = tokio::task::spawn_blocking(move || {
        let store =
            safeconduct_store::open(&proxied, safeconduct_store::testing::test_kek()).unwrap();
        let op = store.create_operation("Outage", Timestamp(0)).unwrap().id;
        let hash = safeconduct_keys::password::hash_password("correct horse battery").unwrap();
        let user = store
            .create_user(
                &NewUser {
                    username: "c".into(),
                    password_hash: hash,
                    organisation: None,
                },
                Timestamp(0),
            )
            .unwrap();
        store
            .grant_role(
                user,
                op,
                Role::Coordinator,
                &safeconduct_store::Actor::system(safeconduct_domain::values::Timestamp(0)),
            )
            .unwrap();
        let e = safeconduct_keys::totp::enrol_with(
            &safeconduct_store::testing::test_kek(),
            user,
            "c",
            b"outage test secret!!",
        );
        store
            .set_totp(
                user,
                &e.wrapped,
                &safeconduct_store::Actor::system(Timestamp(0)),
            )
            .unwrap();
        store
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(safeconduct_server::serve(
        listener,
        App::new(store, safeconduct_store::testing::test_kek()),
        std::future::pending(),
    ));
    safeconduct_server::outbox::install_tls_provider();
    let client = reqwest::Client::new();
    let token = client
        .post(format!("{base}/api/sessions"))
        .json(&json!({
            "username": "c",
            "password": "correct horse battery",
            "totp": safeconduct_keys::totp::code_at(
                b"outage test secret!!",
                safeconduct_keys::now().0
            ),
        }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();

    let mut acknowledged = Vec::new();
    let (status, body, _) = register(&client, &base, &token, 0).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    acknowledged.push(body["reference"].as_str().unwrap().to_string());

    // A dashboard watching live changes through the outage.
    let mut live = client
        .get(format!("{base}/api/operations/1/live"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);

    proxy.down();
    for i in 1..4 {
        let (status, body, took) = register(&client, &base, &token, i).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["code"], "store_unavailable");
        assert!(
            took < Duration::from_secs(3),
            "failed in {took:?}, not fast"
        );
    }
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);

    proxy.up();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, body, _) = register(&client, &base, &token, 99).await;
        if status == StatusCode::CREATED {
            acknowledged.push(body["reference"].as_str().unwrap().to_string());
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not reconnect: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    // Once the server hears changes again, the dashboard is told it may have missed some.
    let seen =
        common::read_stream_until(&mut live, "event: resync", "resync after the outage").await;
    assert!(seen.contains("change feed was interrupted"), "{seen}");

    // Every acknowledged registration is in the database, read directly.
    let url = db.url.clone();
    let found = tokio::task::spawn_blocking(move || {
        let store = safeconduct_store::open(&url, safeconduct_store::testing::test_kek()).unwrap();
        acknowledged
            .iter()
            .map(|r| {
                store
                    .household(
                        safeconduct_domain::OperationId(1),
                        &safeconduct_domain::CaseReference::parse(r).unwrap(),
                    )
                    .is_ok()
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(found, [true, true]);
    let store_guard = db;
    tokio::task::spawn_blocking(move || drop(store_guard))
        .await
        .unwrap();
}
