//! The sending side of the message outbox: a loop that claims due messages from the store
//! and hands each to a pluggable [`Transport`] — an HTTPS SMS gateway ([`SmsGateway`]) or a
//! file ([`FileTransport`], for the demo) — and records what became of it. The store counts
//! each attempt before it is made and defers the next one by the domain's back-off
//! (`hotline::retry_delay_seconds`), so a server that stops between sending and recording
//! sends again later with the same idempotency key, which a gateway that honours it delivers
//! once.
//!
//! Message recipients and texts are personal data: nothing here logs them (a failure is
//! logged by message id and a description this module wrote, never a gateway's body).
//!
//! Must not depend on: the resource modules.

use crate::{ApiError, App};
use safeconduct_domain::values::Timestamp;
use safeconduct_store::{Delivery, OutgoingMessage};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

/// How often the loop looks for due messages, in milliseconds.
pub const SEND_TICK_MILLIS: u64 = 1000;
/// Messages claimed per round; the rest wait for the next.
const CLAIM_AT_ONCE: usize = 20;

pub type Sending<'a> = Pin<Box<dyn Future<Output = Delivery> + Send + 'a>>;

/// Where messages go.
pub trait Transport: Send + Sync + 'static {
    /// Sends one message; says whether it was accepted, may pass on a retry, or never will.
    fn send<'a>(&'a self, message: &'a OutgoingMessage) -> Sending<'a>;
}

/// How the gateway knows us.
#[derive(Clone)]
pub enum GatewayCredentials {
    None,
    /// `Authorization: Bearer …`.
    Bearer(String),
    /// `Authorization: Basic …`.
    Basic {
        user: String,
        password: String,
    },
}

impl std::fmt::Debug for GatewayCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GatewayCredentials::None => "None",
            GatewayCredentials::Bearer(_) => "Bearer(…)",
            GatewayCredentials::Basic { .. } => "Basic(…)",
        })
    }
}

/// Makes `ring` the TLS crypto provider of this process, once (later calls do nothing).
/// reqwest is built without a provider of its own: every process installs this before it
/// builds its first HTTP client, or the build panics.
pub fn install_tls_provider() {
    // An error means a provider is installed already, which serves as well.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An HTTP SMS gateway: each message is a `POST` of `{"to", "text"}` as JSON to the URL,
/// with the message's key in `Idempotency-Key`. A 2xx answer is delivery to the gateway; a
/// 5xx, a 429, a timeout, no connection or a failed TLS handshake may pass and is retried;
/// any other answer (redirects included: they are not followed) is a refusal and the message
/// fails. Over `https://` (rustls; the system's certificate authorities, or only the one
/// given); plain `http://` only to a loopback address, since the messages carry phone
/// numbers and personal texts.
pub struct SmsGateway {
    url: reqwest::Url,
    credentials: GatewayCredentials,
    client: reqwest::Client,
}

/// Whether a URL stays on this machine: a loopback address or `localhost`.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // An IPv6 host is written in brackets.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl SmsGateway {
    /// A gateway verified against the system's certificate authorities.
    pub fn new(url: &str, credentials: GatewayCredentials) -> Result<Self, String> {
        Self::trusting(url, credentials, None)
    }

    /// A gateway whose certificate must come from the authority in `ca_file` (PEM; one or
    /// more certificates) and from no other: a private gateway with its own CA.
    pub fn trusting(
        url: &str,
        credentials: GatewayCredentials,
        ca_file: Option<&std::path::Path>,
    ) -> Result<Self, String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("SMS gateway URL {url:?}: {e}"))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {
                if ca_file.is_some() {
                    return Err(format!(
                        "SMS gateway URL {url}: a CA certificate is for an https:// gateway"
                    ));
                }
            }
            "http" => {
                return Err(format!(
                    "SMS gateway URL {url}: plain http:// would carry phone numbers and texts \
                     in clear; use https:// (http:// is accepted to a loopback address only)"
                ));
            }
            other => {
                return Err(format!(
                    "SMS gateway URL {url}: {other}:// is not spoken; use https://"
                ));
            }
        }
        install_tls_provider();
        let mut builder = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            // A redirect could lead off TLS or elsewhere: the gateway is the URL given.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(url.scheme() == "https");
        if let Some(path) = ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| format!("SMS gateway CA file {}: {e}", path.display()))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("SMS gateway CA file {}: {e}", path.display()))?;
            if certificates.is_empty() {
                return Err(format!(
                    "SMS gateway CA file {}: no PEM certificate in it",
                    path.display()
                ));
            }
            builder = builder.tls_certs_only(certificates);
        }
        let client = builder
            .build()
            .map_err(|e| format!("SMS gateway client: {e}"))?;
        Ok(SmsGateway {
            url,
            credentials,
            client,
        })
    }
}

/// The TLS failure behind a request's error, if any (a certificate not trusted, a name that
/// does not match): its description names no message, recipient or text.
fn tls_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(tls.to_string());
    }
    // An I/O error's `source` skips the error it wraps (which may wrap another): look inside.
    if let Some(inner) = error
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .and_then(|inner| tls_failure(inner))
    {
        return Some(inner);
    }
    error.source().and_then(tls_failure)
}

impl Transport for SmsGateway {
    fn send<'a>(&'a self, message: &'a OutgoingMessage) -> Sending<'a> {
        Box::pin(async move {
            let mut request = self
                .client
                .post(self.url.clone())
                .header("Idempotency-Key", &message.idempotency_key)
                .json(&serde_json::json!({
                    "to": message.to.as_str(),
                    "text": message.text,
                }));
            request = match &self.credentials {
                GatewayCredentials::None => request,
                GatewayCredentials::Bearer(token) => request.bearer_auth(token),
                GatewayCredentials::Basic { user, password } => {
                    request.basic_auth(user, Some(password))
                }
            };
            match request.send().await {
                Ok(answer) if answer.status().is_success() => Delivery::Sent,
                Ok(answer) => {
                    let status = answer.status();
                    let error = format!("gateway answered {}", status.as_u16());
                    if status.is_server_error() || status.as_u16() == 429 {
                        Delivery::Retry { error }
                    } else {
                        Delivery::Refused { error }
                    }
                }
                Err(e) if e.is_timeout() => Delivery::Retry {
                    error: "gateway did not answer in time".into(),
                },
                Err(e) => Delivery::Retry {
                    error: match tls_failure(&e) {
                        Some(tls) => format!("TLS with the gateway failed: {tls}"),
                        None => "gateway not reachable".into(),
                    },
                },
            }
        })
    }
}

/// The demo's transport: each message appended to a file as one JSON line (`key`, `to`,
/// `text`), standing for the phones. The file holds personal data like the messages do.
pub struct FileTransport {
    path: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

impl FileTransport {
    pub fn new(path: PathBuf) -> Self {
        FileTransport {
            path,
            lock: tokio::sync::Mutex::new(()),
        }
    }
}

impl Transport for FileTransport {
    fn send<'a>(&'a self, message: &'a OutgoingMessage) -> Sending<'a> {
        Box::pin(async move {
            let _one_writer = self.lock.lock().await;
            let line = serde_json::json!({
                "key": message.idempotency_key,
                "to": message.to.as_str(),
                "text": message.text,
            });
            let path = self.path.clone();
            let written = tokio::task::spawn_blocking(move || {
                use std::io::Write;
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?;
                writeln!(file, "{line}")
            })
            .await;
            match written {
                Ok(Ok(())) => Delivery::Sent,
                _ => Delivery::Retry {
                    error: "message file not writable".into(),
                },
            }
        })
    }
}

impl App {
    /// Sends the outbox's messages through `transport`.
    pub fn with_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Sends the messages due at `at` (of every operation) and records each outcome; returns
    /// how many were tried. Without a transport, none.
    pub async fn send_due(&self, at: Timestamp) -> Result<usize, ApiError> {
        let Some(transport) = self.transport.clone() else {
            return Ok(0);
        };
        let due = self
            .run(move |s| s.claim_due_messages(at, CLAIM_AT_ONCE))
            .await?;
        let tried = due.len();
        for message in due {
            let delivery = transport.send(&message).await;
            if let Delivery::Retry { error } | Delivery::Refused { error } = &delivery {
                tracing::warn!(message = message.id, attempt = message.attempts, %error, "message not delivered");
            }
            let id = message.id;
            self.run(move |s| s.record_delivery(id, &delivery, crate::now()))
                .await?;
        }
        Ok(tried)
    }
}

/// The loop: every `millis`, the messages due now.
pub(crate) async fn send_every(app: App, millis: u64) {
    if app.transport.is_none() {
        return;
    }
    let mut ticks = tokio::time::interval(std::time::Duration::from_millis(millis));
    loop {
        ticks.tick().await;
        if let Err(e) = app.send_due(crate::now()).await {
            tracing::warn!(code = e.code, "the outbox could not send");
        }
    }
}
