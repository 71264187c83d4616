//! The HTTP JSON API of safeconduct: authentication, authorisation, request parsing, and
//! the answers. Every endpoint is declared once, with the roles that may call it, in the
//! table merged by [`api::endpoints`] from the resource modules of [`api`]; the table's shape
//! is [`endpoints`].
//!
//! Architecture invariant: this crate speaks HTTP and JSON and nothing else. It decides no
//! lifecycle rule (that is `safeconduct-domain`) and writes no SQL (that is
//! `safeconduct-store`, behind its trait). Wire types live here and convert to domain types at
//! the door. Personal data is never written to the log. It holds no key material: the pass
//! keyring, audit checkpoints, one-time codes and password hashes are `safeconduct-keys`.

pub mod api;
pub mod auth;
mod custody;
pub mod endpoints;
mod error;
mod extract;
pub mod limits;
pub mod openapi;
pub mod outbox;
mod pages;
pub mod read_audit;
mod replanning;
pub mod routing;
pub mod wire;

pub use error::ApiError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use safeconduct_keys::checkpoint;
// The one clock the application reads; the handlers call it as `crate::now()`.
use safeconduct_keys::now;
use safeconduct_keys::passes::PassKeyring;
use safeconduct_store::{Store, StoreError};
use std::sync::Arc;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The state every handler shares.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    /// How long a session token stays valid.
    pub session_seconds: i64,
    sessions: Arc<auth::SessionCache>,
    keyring: PassKeyring,
    pub limits: limits::Limits,
    pub(crate) limiter: Arc<limits::RateLimiter>,
    /// Seconds the custody sweep's clock runs ahead (`custody.rs`); 0 in service.
    custody_clock_ahead: i64,
    /// The street network and its hazards (`routing.rs`), when the server has an extract.
    router: Option<Arc<safeconduct_route::Router>>,
    /// Where the outbox sends (`outbox.rs`); `None`: messages wait in the store.
    transport: Option<Arc<dyn outbox::Transport>>,
    /// Password checks running at once: each stretches its key in 19 MiB for tens of
    /// milliseconds, so a flood of sign-ins waits here instead of taking every core and
    /// gigabytes of memory (`api/sessions.rs`).
    pub(crate) password_checks: Arc<tokio::sync::Semaphore>,
}

impl App {
    pub(crate) fn kek(&self) -> &safeconduct_pass::Kek {
        self.keyring.kek()
    }

    /// An application over `store`, issuing passes with keys wrapped under `kek`.
    pub fn new(store: Arc<dyn Store>, kek: safeconduct_pass::Kek) -> Self {
        Self::with_keyring(store, PassKeyring::new(kek))
    }

    pub fn with_keyring(store: Arc<dyn Store>, keyring: PassKeyring) -> Self {
        App {
            store,
            session_seconds: 12 * 3600,
            sessions: Arc::default(),
            keyring,
            limits: limits::Limits::default(),
            limiter: Arc::default(),
            custody_clock_ahead: 0,
            router: None,
            transport: None,
            password_checks: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
        }
    }

    pub fn with_limits(mut self, limits: limits::Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn keyring(&self) -> &PassKeyring {
        &self.keyring
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Runs a store call on the blocking pool, so that database work never stalls the
    /// request loop.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(store.as_ref()))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "store task failed");
                ApiError::internal()
            })?
            .map_err(ApiError::from)
    }
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// Every answer — each endpoint's, the 404 of an unknown path, the 405 of a known path with
/// another method, a refusal of any layer — carries the same security headers: answers that
/// carry personal data must not be cached, sniffed, framed or leak a referrer, and an answer
/// about something that does not exist must look like every other. A 405 without a body of
/// ours (axum's own) gets the JSON error body first, keeping its `Allow` header.
async fn security_headers(res: Response) -> Response {
    let mut res = if res.status() == StatusCode::METHOD_NOT_ALLOWED
        && res.headers().get(header::CONTENT_TYPE).is_none()
    {
        let allow = res.headers().get(header::ALLOW).cloned();
        let mut ours = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this endpoint does not take that method",
        )
        .into_response();
        if let Some(allow) = allow {
            ours.headers_mut().insert(header::ALLOW, allow);
        }
        ours
    } else {
        res
    };
    let h = res.headers_mut();
    // Embedded page files (the only answers with an entity tag) revalidate: they carry no
    // data. Everything else is never stored.
    if !h.contains_key(header::ETAG) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// The complete application.
pub fn router(app: App) -> Router {
    let document = api::docs::ApiDocument(Arc::new(openapi::document()));
    api::router(app.clone())
        .merge(pages::site::router().with_state(app.clone()))
        .fallback(not_found)
        .layer(axum::Extension(document))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            app,
            limits::per_address,
        ))
        .layer(axum::middleware::map_response(security_headers))
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let checkpoints = tokio::spawn(checkpoint_every(app.clone(), AUDIT_CHECKPOINT_SECONDS));
    let sweeps = tokio::spawn(custody::sweep_every(
        app.clone(),
        custody::CUSTODY_SWEEP_SECONDS,
    ));
    // Routes answer under the stored hazards from the first request on.
    if let Err(e) = app.sync_hazards().await {
        tracing::warn!(code = e.code, "could not apply the stored hazards at start");
    }
    let hazards = tokio::spawn(routing::sync_every(
        app.clone(),
        routing::HAZARD_SYNC_SECONDS,
    ));
    let sending = tokio::spawn(outbox::send_every(app.clone(), outbox::SEND_TICK_MILLIS));
    let served = axum::serve(
        listener,
        router(app.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    checkpoints.abort();
    sweeps.abort();
    hazards.abort();
    sending.abort();
    // A last signed checkpoint of the audit chain as the server stops.
    let keyring = app.keyring().clone();
    let _ = app
        .run(move |s| checkpoint::checkpoint(&keyring, s, now()))
        .await;
    served
}

/// How often a server signs the head of the audit chain, when it has moved.
pub const AUDIT_CHECKPOINT_SECONDS: u64 = 600;

async fn checkpoint_every(app: App, seconds: u64) {
    let mut last = -1;
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(seconds));
    loop {
        ticks.tick().await;
        let keyring = app.keyring().clone();
        let done = app
            .run(move |s| {
                let (seq, _) = s.audit_head()?;
                if seq == last {
                    return Ok(seq);
                }
                checkpoint::checkpoint(&keyring, s, now()).map(|c| c.seq)
            })
            .await;
        match done {
            Ok(seq) => last = seq,
            Err(e) => tracing::warn!(code = e.code, "could not sign an audit checkpoint"),
        }
    }
}
