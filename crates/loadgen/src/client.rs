//! The API as the load generator calls it: signing in, JSON requests with a bearer token
//! (and an idempotency key), and what a failed request tells. Knows nothing of the mix of
//! requests or of the database.

use crate::args::Args;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// Signs in at `base`, with the current one-time code when `totp_secret` is given; returns
/// the bearer token.
pub async fn sign_in(
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

/// A JSON request with the bearer token; any answer but a success is an error naming the
/// URL, the status and the body.
pub async fn call(
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
pub async fn call_keyed(
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

/// Whether a request never reached a server (nothing was processed), so that a load
/// balancer would send it to the next one.
pub fn unreached(e: &anyhow::Error) -> bool {
    e.downcast_ref::<reqwest::Error>()
        .is_some_and(|e| e.is_connect())
}

/// Whether a request failed on the way (no HTTP answer came back), processed or not.
pub fn answer_lost(e: &anyhow::Error) -> bool {
    e.downcast_ref::<reqwest::Error>().is_some()
}

/// A failure's reason, in a few words, to count failures by.
pub fn cause(e: &anyhow::Error) -> String {
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

/// Assigns the escort user to the RV (and the gate, when there is one): escorts act only at
/// the places assigned to them.
pub async fn assign_escort(
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
