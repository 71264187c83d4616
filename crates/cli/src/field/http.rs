//! The reference field client's calls to the server (docs/field-protocol.md): sign in,
//! register the device's key, ask for the kit, sync records. Each call answers the JSON body
//! or an error that says what the server refused and what to do about it.
//!
//! Over https:// (rustls), or plain http:// on the operation's own network.
//!
//! Must not import the state directory (`state`) or the commands (`field`): it is handed the
//! texts to send and hands back what came.

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use std::time::Duration;

/// A server the device talks to.
pub struct Server {
    base: String,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

/// How long one call may take before it counts as failed (and is retried by the user).
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

impl Server {
    /// A server at `base`: `https://host[:port]` (TLS by rustls: the system's certificate
    /// authorities, or only those of `ca_pem` when the operation runs its own), or
    /// `http://host:port` on the operation's own network. Redirects are not followed: the
    /// device talks to the address it was enrolled with and no other.
    pub fn new(base: &str, ca_pem: Option<&str>) -> Result<Self> {
        let base = base.trim_end_matches('/').to_string();
        let https = base.starts_with("https://") && base.len() > "https://".len();
        let http = base.starts_with("http://") && base.len() > "http://".len();
        if !https && !http {
            bail!(
                "--server {base:?}: give the server's address as https://host[:port] \
                 (or http://host:port on the operation's own network)"
            );
        }
        // reqwest's TLS has no crypto provider of its own here: ring, once per process (an
        // error means one is installed already, which serves as well).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(https);
        if let Some(pem) = ca_pem {
            if !https {
                bail!("--server-ca: a CA certificate is for an https:// server, not {base}");
            }
            let certificates = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .context("--server-ca: not a PEM certificate")?;
            if certificates.is_empty() {
                bail!("--server-ca: no PEM certificate in it");
            }
            builder = builder.tls_certs_only(certificates);
        }
        let client = builder.build().context("making the HTTP client")?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the HTTP runtime")?;
        Ok(Server {
            base,
            client,
            runtime,
        })
    }

    /// POSTs `body` to `path` (from `/api/…`) with the bearer token when given; the answer's
    /// JSON body when it succeeded.
    fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        self.runtime.block_on(async {
            let mut request = self.client.post(&url).json(body);
            if let Some(t) = token {
                request = request.bearer_auth(t);
            }
            let response = request.send().await.map_err(|e| {
                anyhow!(
                    "could not reach the server at {}: {}",
                    self.base,
                    causes(&e)
                )
            })?;
            let status = response.status().as_u16();
            let text = response
                .text()
                .await
                .map_err(|e| anyhow!("the answer from {url} broke off: {e}"))?;
            let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if (200..300).contains(&status) {
                return Ok(answer);
            }
            Err(refusal(status, &answer, &text))
        })
    }

    /// Signs in; the bearer token and when it expires.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        totp: Option<&str>,
    ) -> Result<(String, String)> {
        let mut body = json!({"username": username, "password": password});
        if let Some(code) = totp {
            body["totp"] = code.into();
        }
        let answer = self
            .post("/api/sessions", None, &body)
            .with_context(|| format!("signing in as {username}"))?;
        let token = answer["token"]
            .as_str()
            .context("the sign-in answer holds no token")?;
        Ok((
            token.to_string(),
            answer["expires_at"].as_str().unwrap_or("").to_string(),
        ))
    }

    /// Registers the device's public key with its one-time code; the device as the server
    /// knows it.
    pub fn register_key(
        &self,
        token: &str,
        operation: i64,
        device: i64,
        code: &str,
        public_key: &str,
    ) -> Result<Value> {
        let path = format!("/api/operations/{operation}/devices/{device}/key");
        self.post(
            &path,
            Some(token),
            &json!({"code": code, "public_key": public_key}),
        )
        .with_context(|| {
            format!(
                "registering the key of device {device} (a wrong, used or expired code, or a \
                 device of another user, is answered as not found)"
            )
        })
    }

    /// Asks for the device's kit with a signed request; the whole answer.
    pub fn kit(
        &self,
        token: &str,
        operation: i64,
        device: i64,
        request: &str,
        signature: &str,
    ) -> Result<Value> {
        let path = format!("/api/operations/{operation}/devices/{device}/kit");
        self.post(
            &path,
            Some(token),
            &json!({"request": request, "signature": signature}),
        )
        .with_context(|| format!("asking for the field kit of device {device}"))
    }

    /// Sends one sync of signed records; the server's receipt.
    pub fn sync(
        &self,
        token: &str,
        operation: i64,
        device: i64,
        device_time: i64,
        records: &[(&str, &str)],
    ) -> Result<Value> {
        let path = format!("/api/operations/{operation}/devices/{device}/scans");
        let records: Vec<Value> = records
            .iter()
            .map(|(r, s)| json!({"record": r, "signature": s}))
            .collect();
        self.post(
            &path,
            Some(token),
            &json!({"device_time": device_time, "records": records}),
        )
    }
}

/// The error for a refused call: the status, the server's message, and what to do.
fn refusal(status: u16, answer: &Value, text: &str) -> anyhow::Error {
    let message = answer["error"]["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| text.chars().take(200).collect());
    let hint = match status {
        401 => "; sign in again with `safeconduct field sign-in`",
        404 => "; the device does not exist or is not this user's",
        409 if answer["error"]["code"] == "device_suspended" => {
            "; a suspended device is refused until a coordinator enrols a new one"
        }
        413 => "; the body was too large",
        429 => "; wait before trying again",
        s if s >= 500 => "; the server failed: try again later",
        _ => "",
    };
    anyhow!("the server refused ({status}): {message}{hint}")
}

/// An error with every cause below it (a certificate not trusted, a refused connection),
/// not only the outermost "error sending request".
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text = format!("{text}: {next}");
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_without_a_scheme_is_refused() {
        let e = Server::new("10.0.0.5:8080", None)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("https://host"), "{e}");
    }

    #[test]
    fn a_ca_certificate_goes_with_https_only_and_must_be_one() {
        let e = Server::new("http://10.0.0.5:8080", Some("x"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("https://"), "{e}");
        let e = Server::new("https://10.0.0.5", Some("not a certificate"))
            .err()
            .unwrap();
        assert!(format!("{e:#}").contains("PEM"), "{e:#}");
        assert!(Server::new("https://10.0.0.5:8443", None).is_ok());
    }

    #[test]
    fn a_refusal_names_the_status_the_message_and_what_to_do() {
        let body = json!({"error": {"code": "unauthenticated", "message": "sign in"}});
        let e = refusal(401, &body, "").to_string();
        assert!(e.contains("401") && e.contains("sign in") && e.contains("field sign-in"));
    }
}
