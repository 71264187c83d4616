//! Boots the real server on 127.0.0.1:0 over a fresh store per test, with one user per role,
//! and talks to it over HTTP.

#![allow(dead_code)]

use reqwest::{Client, Method, StatusCode};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{OperationId, Role};
use safeconduct_server::App;
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::{Backend, TestStore};
use safeconduct_store::{NewUser, Store};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub mod browser;
pub mod dashboard;
pub mod field;
pub mod map_pages;
mod steps;

/// Every role but the coordinator's: those a coordinators-only endpoint refuses.
pub const NOT_COORDINATOR: [Role; 5] = [
    Role::Hotline,
    Role::Escort,
    Role::Gate,
    Role::Manifest,
    Role::Auditor,
];

/// The hotline's lookup by phone or reference (POST: what is looked for travels in the body).
pub const LOOKUP: &str = "/api/operations/{op}/lookup";

/// Opens `path` (a page of the application) as the test user of `role`, whose session is put
/// into the tab's storage as the sign-in page leaves it.
pub async fn open_as(browser: &browser::Browser, app: &TestApp, role: Role, path: &str) {
    browser
        .sign_in_as(&app.url(""), app.page_session(role))
        .await;
    browser.goto(&app.url(path)).await;
}

/// The message of an error answer; fails the test, showing the answer, when there is none.
#[track_caller]
pub fn error_message(answer: &Value) -> &str {
    answer["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message in {answer}"))
}

/// Asserts that an answer is the refusal `status` and that its message names `named`.
#[track_caller]
pub fn assert_refused(got: StatusCode, body: &Value, status: StatusCode, named: &str) {
    assert_eq!(got, status, "{body}");
    let message = error_message(body);
    assert!(message.contains(named), "{named:?} not named in {body}");
}

/// The path of the case `reference`.
pub fn case(reference: &str) -> String {
    format!("/api/operations/{{op}}/households/{reference}")
}

/// The ids of the members of a case as it was read, in the order it lists them.
pub fn member_ids(household: &Value) -> Vec<i64> {
    household["members"]
        .as_array()
        .expect("a case lists its members")
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

/// Where a coordinator resolves the unaccounted members of the case `reference`.
pub fn resolve_path(reference: &str) -> String {
    format!("{}/resolve-unaccounted", case(reference))
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub store: Arc<dyn Store>,
    pub op: OperationId,
    /// Bearer tokens per role, and one for a user holding every role.
    pub tokens: HashMap<Role, String>,
    pub all_roles: String,
    /// A user with a role in another operation only.
    pub outsider: String,
    /// The passes this test's field devices have read (`field::PassesRead`).
    pub passes_read: field::PassesRead,
    /// The limits the server was started with (and its peers are).
    limits: safeconduct_server::limits::Limits,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    /// Dropped last: removes the test database.
    _db: TestStore,
}

/// Hashing with argon2 is deliberately slow; tests share one hash of one password.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| safeconduct_keys::password::hash_password("correct horse battery").unwrap())
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    // Every test client calls from 127.0.0.1, standing for many people at many addresses.
    let limits = safeconduct_server::limits::Limits {
        requests_per_ip_per_second: 0,
        ..Default::default()
    };
    spawn_app_with(backend, limits).await
}

/// A test server with the places of [`TestApp::places`] set up.
pub async fn spawn_app_with_places(
    backend: Backend,
    window_capacity: u32,
    flight_capacity: u32,
) -> (TestApp, Places) {
    let app = spawn_app(backend).await;
    let places = app.places(window_capacity, flight_capacity).await;
    (app, places)
}

/// A test server with these rate limits.
pub async fn spawn_app_with(
    backend: Backend,
    limits: safeconduct_server::limits::Limits,
) -> TestApp {
    spawn_app_configured(backend, limits, 0, None).await
}

/// A test server routing on the extract of central Helsinki in `data/osm/`, with a router of
/// its own (hazards are the router's state: tests must not share one).
pub async fn spawn_app_routing(backend: Backend) -> TestApp {
    let limits = safeconduct_server::limits::Limits {
        requests_per_ip_per_second: 0,
        ..Default::default()
    };
    spawn_app_configured(backend, limits, 0, Some(helsinki_router())).await
}

/// A test server routing on the extract of central Helsinki, with these rate limits.
pub async fn spawn_app_routing_with(
    backend: Backend,
    limits: safeconduct_server::limits::Limits,
) -> TestApp {
    spawn_app_configured(backend, limits, 0, Some(helsinki_router())).await
}

/// A test server routing on `router` (a network built for the test).
pub async fn spawn_app_with_router(
    backend: Backend,
    router: Arc<safeconduct_route::Router>,
) -> TestApp {
    let limits = safeconduct_server::limits::Limits {
        requests_per_ip_per_second: 0,
        ..Default::default()
    };
    spawn_app_configured(backend, limits, 0, Some(router)).await
}

/// A router over the committed extract of central Helsinki.
pub fn helsinki_router() -> Arc<safeconduct_route::Router> {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/osm/helsinki-centre.osm.pbf"
    ))
    .unwrap();
    Arc::new(safeconduct_route::Router::new(
        safeconduct_route::network_from_pbf(&bytes).unwrap(),
    ))
}

/// A test server whose custody sweep judges deadlines `seconds` ahead of the clock, so that a
/// batch is overdue as soon as it departs.
pub async fn spawn_app_with_custody_clock_ahead(backend: Backend, seconds: i64) -> TestApp {
    let limits = safeconduct_server::limits::Limits {
        requests_per_ip_per_second: 0,
        ..Default::default()
    };
    spawn_app_configured(backend, limits, seconds, None).await
}

async fn spawn_app_configured(
    backend: Backend,
    limits: safeconduct_server::limits::Limits,
    custody_clock_ahead: i64,
    router: Option<Arc<safeconduct_route::Router>>,
) -> TestApp {
    let db = TestStore::fresh(backend);
    let store = db.store.clone();
    // The store is synchronous: set-up runs off the async worker.
    let setup_store = store.clone();
    let op = tokio::task::spawn_blocking(move || {
        let store = setup_store;
        let op = store
            .create_operation("Test operation", Timestamp(1_700_000_000))
            .unwrap()
            .id;
        let other = store
            .create_operation("Other operation", Timestamp(1_700_000_000))
            .unwrap()
            .id;
        for role in Role::ALL {
            let id = add_user(&store, role.as_str());
            store.grant_role(id, op, role, &admin()).unwrap();
        }
        let all = add_user(&store, "all");
        for role in Role::ALL {
            store.grant_role(all, op, role, &admin()).unwrap();
        }
        let outsider = add_user(&store, "outsider");
        store
            .grant_role(outsider, other, Role::Coordinator, &admin())
            .unwrap();
        // Coordinators, hotline operators and manifest officers sign in with a one-time code.
        let with_a_code = Role::ALL.into_iter().filter(|r| r.signs_in_with_a_code());
        for name in with_a_code.map(Role::as_str).chain(["all", "outsider"]) {
            let id = store.user_by_name(name).unwrap().unwrap().id;
            enrol(&store, id, name);
        }
        op
    })
    .await
    .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut app = App::new(store.clone(), test_kek())
        .with_limits(limits)
        .with_custody_clock_ahead(custody_clock_ahead);
    if let Some(router) = router {
        app = app.with_router(router);
    }
    tokio::spawn(async move {
        safeconduct_server::serve(listener, app, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    safeconduct_server::outbox::install_tls_provider();
    let client = Client::new();
    let base = format!("http://{addr}");
    let mut tokens = HashMap::new();
    for role in Role::ALL {
        tokens.insert(role, sign_in(&client, &base, role.as_str()).await);
    }
    let all_roles = sign_in(&client, &base, "all").await;
    let outsider = sign_in(&client, &base, "outsider").await;
    TestApp {
        base,
        client,
        store,
        op,
        tokens,
        all_roles,
        outsider,
        limits,
        passes_read: Default::default(),
        _shutdown: tx,
        _db: db,
    }
}

fn add_user(store: &Arc<dyn Store>, name: &str) -> safeconduct_domain::UserId {
    store
        .create_user(
            &NewUser {
                username: name.into(),
                password_hash: password_hash().into(),
                organisation: None,
            },
            Timestamp(1_700_000_000),
        )
        .unwrap()
}

/// Enrols test user `id` (named `name`) for one-time codes (`totp_code(name, …)`).
fn enrol(store: &Arc<dyn Store>, id: safeconduct_domain::UserId, name: &str) {
    let e = safeconduct_keys::totp::enrol_with(&test_kek(), id, name, &totp_secret(name));
    store.set_totp(id, &e.wrapped, &admin()).unwrap();
}

/// The authenticator secret of a test user enrolled for one-time codes.
pub fn totp_secret(username: &str) -> Vec<u8> {
    format!("{username:-<20}").into_bytes()
}

/// A test user's one-time code at unix time `at`.
pub fn totp_code(username: &str, at: i64) -> String {
    safeconduct_keys::totp::code_at(&totp_secret(username), at)
}

/// Signs in as the test user `username` (with its one-time code) and returns a new token. A
/// code is used once: when this step's was used already (a second sign-in within 30 s), the
/// next step's, which the server accepts for clock drift, signs in.
pub async fn sign_in(client: &Client, base: &str, username: &str) -> String {
    let now = safeconduct_keys::now().0;
    for at in [now, now + 30] {
        let code = totp_code(username, at);
        let res = client
            .post(format!("{base}/api/sessions"))
            .json(
                &json!({ "username": username, "password": "correct horse battery", "totp": code }),
            )
            .send()
            .await
            .unwrap();
        if res.status() == StatusCode::OK {
            return res.json::<Value>().await.unwrap()["token"]
                .as_str()
                .unwrap()
                .to_string();
        }
    }
    panic!("sign in as {username}: refused with this step's code and the next one's");
}

impl TestApp {
    /// The session the sign-in page leaves in a tab's storage for the test user of `role`
    /// (for [`browser::Browser::sign_in_as`]).
    pub fn page_session(&self, role: Role) -> Value {
        self.page_session_of(self.token(role), role.as_str(), role)
    }

    /// The session the sign-in page leaves for `username`, signed in with `token`, holding
    /// `role` in the test operation.
    pub fn page_session_of(&self, token: &str, username: &str, role: Role) -> Value {
        json!({
            "token": token, "username": username, "op": self.op.0,
            "opName": "Test operation", "roles": [role.as_str()],
        })
    }

    /// The pass links queued since the last call, as the household's phone receives them (each
    /// message recorded as sent, as a transport would).
    /// Where the audit chain stands now: what [`TestApp::audit_records`] reads after.
    pub async fn audit_head(&self) -> i64 {
        self.on_store(|s| s.audit_head().unwrap()).await.0
    }

    /// The records of the audit entries of `action` written after `head`, oldest first.
    pub async fn audit_records(&self, head: i64, action: &str) -> Vec<String> {
        let entries = self
            .on_store(move |s| s.audit_entries(head, 1000).unwrap())
            .await;
        entries
            .into_iter()
            .filter(|(_, e)| e.action == action)
            .map(|(_, e)| e.record.unwrap_or_default())
            .collect()
    }

    /// The kinds of the events of the case `reference`, oldest first.
    pub async fn event_kinds(&self, reference: &str) -> Vec<String> {
        let events = self
            .get(Role::Coordinator, &format!("{}/events", case(reference)))
            .await;
        kinds(&events).into_iter().map(str::to_string).collect()
    }

    /// The batch `id` as a coordinator reads it.
    pub async fn batch(&self, id: i64) -> Value {
        self.get(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/batches/{id}"),
        )
        .await
    }

    /// The kinds of the messages queued for the case `reference`, oldest first.
    pub async fn message_kinds(&self, reference: &str) -> Vec<String> {
        let messages = self
            .get(Role::Coordinator, &format!("{}/messages", case(reference)))
            .await;
        messages
            .as_array()
            .unwrap_or_else(|| panic!("no list of messages: {messages}"))
            .iter()
            .map(|m| m["kind"].as_str().unwrap().to_string())
            .collect()
    }

    /// Passes issued from now on are linked to by a message to the household's phone, pointing
    /// at this server (as `serve --public-url` sets it): until the link is delivered, or past
    /// its grace, the household is not on the hotline's worklist for want of being told.
    pub async fn link_passes(&self) {
        let base = self.url("");
        self.on_store(move |s| s.set_pass_link_base(&base)).await;
    }

    pub async fn sent_pass_links(&self) -> Vec<String> {
        let messages = self
            .on_store(|s| {
                let now = safeconduct_keys::now();
                let claimed = s.claim_due_messages(now, 100).unwrap();
                for m in &claimed {
                    s.record_delivery(m.id, &safeconduct_store::Delivery::Sent, now)
                        .unwrap();
                }
                claimed
            })
            .await;
        messages
            .iter()
            .filter(|m| m.kind == safeconduct_domain::hotline::MessageKind::PassLink)
            .map(|m| {
                let start = m.text.find("http").expect("a link in the message");
                let link = m.text[start..].split_whitespace().next().unwrap();
                link.to_string()
            })
            .collect()
    }

    /// Closes the operation and shreds it, not forced, as an administrator at its end would:
    /// the shred's answer.
    pub async fn close_and_shred(&self) -> safeconduct_store::Result<safeconduct_store::Operation> {
        let op = self.op;
        self.on_store(move |s| {
            let admin = safeconduct_store::Actor::system(safeconduct_domain::values::Timestamp(
                1_800_000_000,
            ));
            s.close_operation(op, &admin)?;
            s.shred_operation(op, &admin, false)
        })
        .await
    }

    /// Runs a store call off the async workers (the PostgreSQL client blocks).
    pub async fn on_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn safeconduct_store::Store) -> T + Send + 'static,
    ) -> T {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(store.as_ref()))
            .await
            .unwrap()
    }

    /// Starts a second app server over the same database, as another machine behind the load
    /// balancer would: on PostgreSQL with a store of its own (its own connections and change
    /// listener); on SQLite, whose file belongs to one process, over the same store.
    pub async fn spawn_peer(&self) -> String {
        let limits = self.limits;
        let store = if self._db.url.starts_with("sqlite:") {
            self.store.clone()
        } else {
            let url = self._db.url.clone();
            tokio::task::spawn_blocking(move || safeconduct_store::open(&url, test_kek()).unwrap())
                .await
                .unwrap()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            safeconduct_server::serve(
                listener,
                App::new(store, test_kek()).with_limits(limits),
                std::future::pending(),
            )
            .await
            .unwrap();
        });
        format!("http://{addr}")
    }

    /// The URL of the test database, to read it as an attacker with a copy of it would.
    pub fn db_url(&self) -> &str {
        &self._db.url
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.base,
            path.replace("{op}", &self.op.to_string())
        )
    }

    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }

    /// Sends a request as `role` and returns the status and the JSON body (Null if none).
    pub async fn call(
        &self,
        role: Role,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let token = self.tokens[&role].clone();
        self.call_with(Some(&token), method, path, body).await
    }

    pub async fn call_with(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.send(&self.url(path), token, method, body).await
    }

    /// Sends a request as `role` to another server (see [`TestApp::spawn_peer`]).
    pub async fn call_on(
        &self,
        base: &str,
        role: Role,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = format!("{base}{}", path.replace("{op}", &self.op.to_string()));
        let token = self.tokens[&role].clone();
        self.send(&url, Some(&token), method, body).await
    }

    async fn send(
        &self,
        url: &str,
        token: Option<&str>,
        method: Method,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let streaming = res.headers().get("content-type").is_some_and(|v| {
            v.to_str()
                .unwrap_or_default()
                .starts_with("text/event-stream")
        });
        if streaming {
            // A live stream never ends; the status is the answer.
            return (status, Value::Null);
        }
        let text = res.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, value)
    }

    /// Calls and insists on `expected`, printing the body when it differs.
    pub async fn ok(
        &self,
        role: Role,
        method: Method,
        path: &str,
        body: Option<Value>,
        expected: u16,
    ) -> Value {
        let (status, value) = self.call(role, method.clone(), path, body).await;
        assert_eq!(
            status.as_u16(),
            expected,
            "{method} {path} as {role}: {value}"
        );
        value
    }

    /// Sets up an agreed, active RV linked to an open gate, a window and a flight.
    /// The window is open now: it started half an hour ago and closes in an hour and a half.
    pub async fn places(&self, window_capacity: u32, flight_capacity: u32) -> Places {
        let now = safeconduct_keys::now();
        let rv = json!({
            "name": "RV Alpha", "location": { "lat": 60.165196, "lon": 24.939259 },
            "landmark": "Annankatu, by the blue doors"
        });
        let rv = self
            .create(Role::Coordinator, "/api/operations/{op}/rvs", rv)
            .await;
        let rv = rv["id"].as_i64().unwrap();
        // The escort party accepts through an escort assigned to the point.
        self.assign("escort", &[rv], &[]).await;
        let accepted = self.rv_step(Role::Escort, rv, "accept").await;
        assert_eq!(accepted["status"], "agreed");
        self.rv_step(Role::Coordinator, rv, "activate").await;
        let gate = json!({
            "name": "Gate 7", "location": { "lat": 60.167065, "lon": 24.9425 },
            "kind": "discreet", "hourly_throughput": 400, "rv_ids": [rv]
        });
        let gate = self
            .create(Role::Coordinator, "/api/operations/{op}/gates", gate)
            .await;
        let gate = gate["id"].as_i64().unwrap();
        let (start, end) = (
            time_text(Timestamp(now.0 - 1800)),
            time_text(Timestamp(now.0 + 5400)),
        );
        let window = self.add_window(rv, &start, &end, window_capacity).await;
        let flight = json!({
            "number": "RCH871", "departs_at": "2030-08-24T12:00:00Z", "capacity": flight_capacity
        });
        let flight = self
            .create(Role::Manifest, "/api/operations/{op}/flights", flight)
            .await;
        let flight = flight["id"].as_i64().unwrap();
        // Escort and gate staff act only where they are assigned.
        for (user, rvs, gates) in [
            ("escort", vec![rv], vec![]),
            ("gate", vec![], vec![gate]),
            ("all", vec![rv], vec![gate]),
        ] {
            self.assign(user, &rvs, &gates).await;
        }
        Places {
            rv,
            gate,
            window,
            flight,
        }
    }

    /// Adds a user `name` holding `role` in the test operation (enrolled for one-time codes
    /// when the role needs them) and signs them in; their token.
    pub async fn add_user(&self, name: &str, role: Role) -> String {
        self.add_user_with_roles(name, &[role]).await
    }

    /// Adds a user `name` holding each of `roles` in the test operation (enrolled for one-time
    /// codes when a role needs them) and signs them in; their token.
    pub async fn add_user_with_roles(&self, name: &str, roles: &[Role]) -> String {
        let (store, op, username) = (self.store.clone(), self.op, name.to_string());
        let roles = roles.to_vec();
        tokio::task::spawn_blocking(move || {
            let id = add_user(&store, &username);
            if roles.iter().any(|r| r.signs_in_with_a_code()) {
                enrol(&store, id, &username);
            }
            for role in roles {
                store.grant_role(id, op, role, &admin()).unwrap();
            }
        })
        .await
        .unwrap();
        sign_in(&self.client, &self.base, name).await
    }

    /// Adds a user `name` holding `role` in the test operation, enrolled for one-time codes
    /// (`totp_code(name, …)`), without signing in: for a test that signs in as a person would.
    pub async fn add_user_with_code(&self, name: &str, role: Role) {
        let (store, op, username) = (self.store.clone(), self.op, name.to_string());
        tokio::task::spawn_blocking(move || {
            let id = add_user(&store, &username);
            store.grant_role(id, op, role, &admin()).unwrap();
            enrol(&store, id, &username);
        })
        .await
        .unwrap();
    }

    /// Sends a request with `token` and returns the whole answer: status, headers and body as
    /// text.
    pub async fn raw(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.text().await.unwrap())
    }

    /// Asks, as the coordinator, to register the household `body` describes: the whole answer.
    pub async fn try_register(&self, body: Value) -> (StatusCode, Value) {
        let path = "/api/operations/{op}/households";
        self.call(Role::Coordinator, Method::POST, path, Some(body))
            .await
    }

    /// Assigns the test user `user` to these RVs and gates (replacing earlier assignments).
    pub async fn assign(&self, user: &str, rvs: &[i64], gates: &[i64]) {
        self.ok(
            Role::Coordinator,
            Method::PUT,
            &format!("/api/operations/{{op}}/users/{user}/places"),
            Some(json!({ "rv_ids": rvs, "gate_ids": gates })),
            200,
        )
        .await;
    }

    /// Registers a household of `size` documented members and returns its reference.
    pub async fn register(&self, size: usize, phone: &str) -> String {
        let members: Vec<Value> = (0..size)
            .map(|i| json!({
                "name": format!("Member{i} Sadat"), "name_native": "سادات",
                "birth_date": format!("{}", 1960 + i), "nationality": "AF", "phone": phone,
                "documents": [{ "type": "passport", "number": format!("P{:08}", 1000 + i), "issuing_country": "AF" }]
            }))
            .collect();
        self.ok(Role::Coordinator, Method::POST, "/api/operations/{op}/households", Some(json!({
            "contact_phone": phone, "language": "prs", "priorities": ["medical"], "members": members
        })), 201)
            .await["reference"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Takes a registered case to eligible.
    pub async fn to_eligible(&self, reference: &str) {
        self.step(Role::Coordinator, reference, "verify-documents", None)
            .await;
        let decision = json!({"decision": "eligible", "category": "special_immigrant_visa"});
        self.step(Role::Coordinator, reference, "eligibility", Some(decision))
            .await;
    }

    /// Registers a household of `size` documented members and takes it to pass issued in
    /// `window`; its reference.
    pub async fn register_with_pass(&self, size: usize, phone: &str, window: i64) -> String {
        let reference = self.register(size, phone).await;
        self.to_pass_issued(&reference, window).await;
        reference
    }

    /// Takes a registered case to pass issued.
    pub async fn to_pass_issued(&self, reference: &str, window: i64) {
        self.to_eligible(reference).await;
        let assignment = json!({"window_id": window});
        self.step(Role::Coordinator, reference, "assign", Some(assignment))
            .await;
        self.step(Role::Coordinator, reference, "pass", None).await;
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Places {
    pub rv: i64,
    pub gate: i64,
    pub window: i64,
    pub flight: i64,
}

/// The key encryption key of test servers and stores; servers sharing a database share it.
pub use safeconduct_store::testing::test_kek;

/// Set-up done by an administrator at the command line.
fn admin() -> safeconduct_store::Actor {
    safeconduct_store::Actor::system(Timestamp(1_700_000_000))
}

/// A QR code read from a PNG image by zbarimg (Debian's zbar-tools, an independent reader;
/// scripts/test.sh installs it): the text it holds.
pub fn zbar_read(png: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("code.png");
    std::fs::write(&path, png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(&path)
        .output()
        .expect(
            "zbarimg (Debian package zbar-tools) must be installed: scripts/test.sh installs it",
        );
    assert!(
        out.status.success(),
        "zbarimg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end_matches('\n')
        .to_string()
}

/// Reads a live stream (server-sent events) until `needle` appears, for 15 seconds at most:
/// what it read. `what` names what the test waits for.
pub async fn read_stream_until(stream: &mut reqwest::Response, needle: &str, what: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {what} within 15 s; the stream said: {seen}"))
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

/// The kinds of a list of events (or incidents), in order.
pub fn kinds(events: &Value) -> Vec<&str> {
    events
        .as_array()
        .expect("a list of events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}
