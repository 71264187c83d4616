//! The sending side of the message outbox: a loop that claims due messages from the store
//! and hands each to a pluggable [`Transport`] — an HTTP SMS gateway ([`SmsGateway`]) or a
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

/// An HTTP SMS gateway: each message is a `POST` of `{"to", "text"}` as JSON to the URL,
/// with the message's key in `Idempotency-Key`. A 2xx answer is delivery to the gateway; a
/// 5xx, a 429, a timeout or no connection may pass and is retried; any other answer is a
/// refusal and the message fails. Plain HTTP only (the client is built without TLS): reach a
/// gateway on the internet through a local relay that adds it.
pub struct SmsGateway {
    url: reqwest::Url,
    credentials: GatewayCredentials,
    client: reqwest::Client,
}

impl SmsGateway {
    pub fn new(url: &str, credentials: GatewayCredentials) -> Result<Self, String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("SMS gateway URL {url:?}: {e}"))?;
        if url.scheme() != "http" {
            return Err(format!(
                "SMS gateway URL {url}: only http:// is spoken (put a TLS relay in front)"
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| format!("SMS gateway client: {e}"))?;
        Ok(SmsGateway {
            url,
            credentials,
            client,
        })
    }
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
                Err(_) => Delivery::Retry {
                    error: "gateway not reachable".into(),
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
