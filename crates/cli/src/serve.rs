//! `safeconduct serve` and `safeconduct demo`: the HTTP API on an address until a signal
//! stops it, with the rate limits of the command line; the demo seeds its operation first.
//!
//! The endpoints, their roles and the limits' accounting are the server's; this module only
//! opens the store and the key file, binds the address and waits for the signal.

use crate::data::DataArgs;
use crate::demo;
use anyhow::{Context, Result};
use clap::Args;
use safeconduct_server::App;
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
}

impl ServeArgs {
    pub fn run(self) -> Result<()> {
        let ServeArgs { addr, data, limits } = self;
        let (store, keyring) = data.open_to_serve()?;
        println!("store: {}", safeconduct_store::redact(&data.url()));
        serve(addr, store, keyring, limits.into())
    }
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
        let logins = demo::seed(store.as_ref(), &keyring, households)?;
        println!("store: {}", safeconduct_store::redact(&args.url()));
        demo::print_logins(&logins, addr);
        if seed_only {
            return Ok(());
        }
        serve(addr, store, keyring, Default::default())
    }
}

/// Rate limits, per server and per session token; 0 turns one off.
#[derive(Args, Clone, Copy)]
pub struct LimitArgs {
    /// Requests per second per token (bursts of four seconds' worth).
    #[arg(long, env = "SAFECONDUCT_REQUESTS_PER_SECOND", default_value_t = 50)]
    requests_per_second: u32,
    /// Reads of one case (lookups by phone or reference, a case, its events, its pass) per
    /// minute per user, across the user's tokens (bursts of ten).
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
    /// Behind a load balancer: the client address is the last X-Forwarded-For entry. Only
    /// when every request comes through a proxy that sets it.
    #[arg(long, env = "SAFECONDUCT_BEHIND_PROXY")]
    behind_proxy: bool,
}

impl From<LimitArgs> for safeconduct_server::limits::Limits {
    fn from(a: LimitArgs) -> Self {
        safeconduct_server::limits::Limits {
            requests_per_second: a.requests_per_second,
            lookups_per_minute: a.lookups_per_minute,
            requests_per_ip_per_second: a.requests_per_ip_per_second,
            behind_proxy: a.behind_proxy,
        }
    }
}

fn serve(
    addr: SocketAddr,
    store: Arc<dyn Store>,
    keyring: safeconduct_keys::passes::PassKeyring,
    limits: safeconduct_server::limits::Limits,
) -> Result<()> {
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
        safeconduct_server::serve(
            listener,
            App::with_keyring(store, keyring).with_limits(limits),
            shutdown_signal(),
        )
        .await?;
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
