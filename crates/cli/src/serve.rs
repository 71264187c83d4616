//! `safeconduct serve` and `safeconduct demo`: the HTTP API on an address until a signal
//! stops it, with the rate limits of the command line, the street extract to route on and
//! the transport of the message outbox; the demo seeds its operation first, routes on the
//! extract of central Helsinki built into the binary and writes its messages to a file.
//!
//! The endpoints, their roles, the limits' accounting, the routing and the sending are the
//! server's; this module only opens the store, the key file and the extract, picks the
//! transport, binds the address and waits for the signal.

use crate::data::DataArgs;
use crate::demo;
use anyhow::{Context, Result};
use clap::Args;
use safeconduct_server::App;
use safeconduct_server::outbox::{FileTransport, GatewayCredentials, SmsGateway, Transport};
use safeconduct_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SAFECONDUCT_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// OpenStreetMap extract (.osm.pbf) to route on, e.g. data/osm/helsinki-centre.osm.pbf;
    /// without one, the route endpoints answer 503.
    #[arg(long, env = "SAFECONDUCT_OSM")]
    osm: Option<PathBuf>,
    #[command(flatten)]
    outbox: OutboxArgs,
}

impl ServeArgs {
    pub fn run(self) -> Result<()> {
        let ServeArgs {
            addr,
            data,
            limits,
            osm,
            outbox,
        } = self;
        let (store, keyring) = data.open_to_serve()?;
        println!("store: {}", safeconduct_store::redact(&data.url()));
        if let Some(url) = &outbox.public_url {
            store.set_pass_link_base(url);
            if url.starts_with("https://") && !limits.behind_proxy {
                // This server speaks plain HTTP: households reach it through a TLS proxy.
                eprintln!(
                    "warning: pass links point at {url}, so requests come through a proxy, but \
                     --behind-proxy is not set: every client will share the proxy's address \
                     and its limits (requests, sign-ins and pass-link misses per address). \
                     Set --behind-proxy when the proxy appends X-Forwarded-For."
                );
            }
        }
        let router = osm
            .map(|path| crate::route::load(&path).map(router))
            .transpose()?;
        let wiring = Wiring {
            router,
            transport: outbox.transport()?,
        };
        serve(addr, store, keyring, limits.into(), wiring)
    }
}

/// The extract of central Helsinki (© OpenStreetMap contributors, ODbL) the demo routes on,
/// built in so the demo runs from anywhere.
const DEMO_EXTRACT: &[u8] = include_bytes!("../../../data/osm/helsinki-centre.osm.pbf");

fn router(network: safeconduct_route::Network) -> Arc<safeconduct_route::Router> {
    let started = std::time::Instant::now();
    let router = safeconduct_route::Router::new(network);
    println!(
        "routing: {} junctions, prepared in {:.1} s",
        router.network().node_count(),
        started.elapsed().as_secs_f64()
    );
    Arc::new(router)
}

/// Where the outbox sends. Without any, messages wait in the store (visible as pending).
#[derive(Args)]
pub struct OutboxArgs {
    /// SMS gateway: each message is POSTed as JSON {"to", "text"} with an Idempotency-Key
    /// header. https:// (plain http:// only to a loopback address: the messages carry phone
    /// numbers and personal texts).
    #[arg(long, env = "SAFECONDUCT_SMS_GATEWAY_URL")]
    sms_gateway_url: Option<String>,
    /// Bearer token for the gateway.
    #[arg(long, env = "SAFECONDUCT_SMS_GATEWAY_TOKEN", hide_env_values = true)]
    sms_gateway_token: Option<String>,
    /// User for the gateway's basic authentication (with --sms-gateway-password).
    #[arg(long, env = "SAFECONDUCT_SMS_GATEWAY_USER")]
    sms_gateway_user: Option<String>,
    #[arg(long, env = "SAFECONDUCT_SMS_GATEWAY_PASSWORD", hide_env_values = true)]
    sms_gateway_password: Option<String>,
    /// Trust only this CA certificate (PEM) for the gateway, instead of the system's
    /// authorities: a private gateway with its own CA.
    #[arg(long, env = "SAFECONDUCT_SMS_GATEWAY_CA", requires = "sms_gateway_url")]
    sms_gateway_ca: Option<PathBuf>,
    /// Append every message to this file as a JSON line instead (demos and drills).
    #[arg(
        long,
        env = "SAFECONDUCT_MESSAGES_FILE",
        conflicts_with = "sms_gateway_url"
    )]
    messages_file: Option<PathBuf>,
    /// The address households reach this server at (e.g. https://pass.example.org): issuing
    /// a pass then sends the household's phone a link to its pass page. Without it, no link
    /// is sent. Must be https (plain http only on this machine's loopback), at most 120
    /// characters (the link goes in a text message).
    #[arg(long, env = "SAFECONDUCT_PUBLIC_URL", value_parser = public_url)]
    public_url: Option<String>,
}

/// The longest public address a pass link may start with: the link's message must fit.
const PUBLIC_URL_MAX: usize = 120;

/// A public address households can be sent to: https, or http on loopback only (a network
/// between the phone and the server could otherwise rewrite the pass page and read its link),
/// with no query, fragment or blank, short enough for a text message.
fn public_url(text: &str) -> std::result::Result<String, String> {
    let url = text.trim();
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', ':']).next().unwrap_or("");
        if !matches!(host, "127.0.0.1" | "localhost") && !rest.starts_with("[::1]") {
            return Err(
                "plain http is for this machine only (127.0.0.1, localhost, [::1]): \
                 give the https address households reach"
                    .into(),
            );
        }
        rest
    } else {
        return Err("give the address households reach, starting with https://".into());
    };
    if rest.trim_end_matches('/').is_empty() || rest.starts_with('/') {
        return Err("the address names no host".into());
    }
    let url = url.trim_end_matches('/');
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'))
    {
        return Err("the address may not hold blanks, a query (?) or a fragment (#)".into());
    }
    if url.chars().count() > PUBLIC_URL_MAX {
        return Err(format!(
            "the address is longer than {PUBLIC_URL_MAX} characters: the link must fit in a text message"
        ));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::public_url;

    #[test]
    fn a_public_address_is_https_or_this_machine() {
        assert_eq!(
            public_url("https://pass.example.org/").unwrap(),
            "https://pass.example.org"
        );
        assert_eq!(
            public_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            public_url("http://[::1]:8080").unwrap(),
            "http://[::1]:8080"
        );
        assert!(
            public_url("http://pass.example.org")
                .unwrap_err()
                .contains("https")
        );
        assert!(public_url("http://[2001:db8::1]").is_err());
        assert!(
            public_url("pass.example.org")
                .unwrap_err()
                .contains("https://")
        );
        assert!(public_url("https://").unwrap_err().contains("no host"));
        assert!(
            public_url("https://a.org/?x=1")
                .unwrap_err()
                .contains("query")
        );
        let long = format!("https://{}.org", "a".repeat(120));
        assert!(public_url(&long).unwrap_err().contains("120"));
    }
}

impl OutboxArgs {
    fn transport(self) -> Result<Option<Arc<dyn Transport>>> {
        let credentials = match (
            self.sms_gateway_token,
            self.sms_gateway_user,
            self.sms_gateway_password,
        ) {
            (None, None, None) => GatewayCredentials::None,
            (Some(token), None, None) => GatewayCredentials::Bearer(token),
            (None, Some(user), Some(password)) => GatewayCredentials::Basic { user, password },
            _ => anyhow::bail!(
                "give the SMS gateway either a token, or a user and a password, not both"
            ),
        };
        Ok(match (self.sms_gateway_url, self.messages_file) {
            (Some(url), _) => Some(Arc::new(
                SmsGateway::trusting(&url, credentials, self.sms_gateway_ca.as_deref())
                    .map_err(anyhow::Error::msg)?,
            )),
            (None, Some(path)) => Some(Arc::new(FileTransport::new(path))),
            (None, None) => None,
        })
    }
}

/// What a server routes on and sends through.
struct Wiring {
    router: Option<Arc<safeconduct_route::Router>>,
    transport: Option<Arc<dyn Transport>>,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "SAFECONDUCT_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Directory for the demo database; reused (not re-seeded) if it already holds the demo.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Database URL instead of a directory: sqlite:PATH or postgres://….
    #[arg(long, env = "SAFECONDUCT_DATABASE")]
    database: Option<String>,
    /// Key encryption key file (default: key.hex in the demo directory).
    #[arg(long, env = "SAFECONDUCT_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Number of households to register.
    #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u32).range(10..=200_000))]
    households: u32,
    /// Seed only, print the logins, and exit without serving.
    #[arg(long)]
    seed_only: bool,
}

impl DemoArgs {
    pub fn run(self) -> Result<()> {
        let DemoArgs {
            addr,
            data,
            database,
            key_file,
            households,
            seed_only,
        } = self;
        let dir = match data {
            Some(d) => d,
            None => std::env::temp_dir().join(format!("safeconduct-demo-{}", std::process::id())),
        };
        let args = DataArgs {
            data: dir,
            database,
            key_file,
        };
        let (store, keyring) = args.open_to_serve()?;
        store.set_pass_link_base(&format!("http://{addr}"));
        let logins = demo::seed(store.as_ref(), &keyring, households)?;
        println!("store: {}", safeconduct_store::redact(&args.url()));
        demo::print_logins(&logins, addr);
        if seed_only {
            return Ok(());
        }
        let network = safeconduct_route::network_from_pbf(DEMO_EXTRACT)
            .context("the built-in extract of central Helsinki")?;
        let messages = args.data.join("messages.jsonl");
        println!("messages: {}", messages.display());
        let wiring = Wiring {
            router: Some(router(network)),
            transport: Some(Arc::new(FileTransport::new(messages))),
        };
        serve(addr, store, keyring, Default::default(), wiring)
    }
}

/// Rate limits, per server and per session token; 0 turns one off.
#[derive(Args, Clone, Copy)]
pub struct LimitArgs {
    /// Requests per second per token (bursts of four seconds' worth).
    #[arg(long, env = "SAFECONDUCT_REQUESTS_PER_SECOND", default_value_t = 50)]
    requests_per_second: u32,
    /// Reads of one case (lookups by phone or reference, a case, its events, its pass, a call
    /// logged on it, most steps refused with the stage the case is at) per minute per user, across the user's tokens
    /// (bursts of ten).
    #[arg(long, env = "SAFECONDUCT_LOOKUPS_PER_MINUTE", default_value_t = 30)]
    lookups_per_minute: u32,
    /// Requests per second per client address, signed in or not (bursts of four seconds'
    /// worth). A hotline room behind one address shares it.
    #[arg(
        long,
        env = "SAFECONDUCT_REQUESTS_PER_IP_PER_SECOND",
        default_value_t = 200
    )]
    requests_per_ip_per_second: u32,
    /// Pass links that open nothing per minute per client address (bursts of ten); the
    /// address is refused every pass link once they are spent, until they refill.
    #[arg(
        long,
        env = "SAFECONDUCT_PASS_LINK_MISSES_PER_MINUTE",
        default_value_t = 10
    )]
    pass_link_misses_per_minute: u32,
    /// Sign-in attempts per minute per client address (bursts of as many); a successful
    /// sign-in is not counted. A hotline room or gate office behind one address shares it.
    #[arg(long, env = "SAFECONDUCT_SIGN_INS_PER_MINUTE", default_value_t = 30)]
    sign_ins_per_minute: u32,
    /// Behind a load balancer: the client address is the last X-Forwarded-For entry (the
    /// proxy's own address when it set none). Only when every request comes through a proxy
    /// that sets it; without this flag behind one, every client shares the proxy's limits.
    #[arg(long, env = "SAFECONDUCT_BEHIND_PROXY")]
    behind_proxy: bool,
}

impl From<LimitArgs> for safeconduct_server::limits::Limits {
    fn from(a: LimitArgs) -> Self {
        safeconduct_server::limits::Limits {
            requests_per_second: a.requests_per_second,
            lookups_per_minute: a.lookups_per_minute,
            requests_per_ip_per_second: a.requests_per_ip_per_second,
            pass_link_misses_per_minute: a.pass_link_misses_per_minute,
            sign_ins_per_minute: a.sign_ins_per_minute,
            behind_proxy: a.behind_proxy,
        }
    }
}

fn serve(
    addr: SocketAddr,
    store: Arc<dyn Store>,
    keyring: safeconduct_keys::passes::PassKeyring,
    limits: safeconduct_server::limits::Limits,
    wiring: Wiring,
) -> Result<()> {
    let mut app = App::with_keyring(store, keyring).with_limits(limits);
    if let Some(router) = wiring.router {
        app = app.with_router(router);
    }
    if let Some(transport) = wiring.transport {
        app = app.with_transport(transport);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        let local = listener.local_addr()?;
        println!("listening on http://{local}");
        tracing::info!(%local, "serving");
        safeconduct_server::serve(listener, app, shutdown_signal()).await?;
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
