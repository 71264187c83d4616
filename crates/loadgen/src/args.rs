//! The load generator's command line. Knows nothing of the run itself.

use clap::Parser;

#[derive(Parser, Clone)]
#[command(name = "safeconduct-load", version)]
pub struct Args {
    /// Base URLs of the servers, comma-separated: http://127.0.0.1:8081,http://127.0.0.1:8082
    #[arg(long, value_delimiter = ',', required = true)]
    pub servers: Vec<String>,
    /// Operation id.
    #[arg(long, default_value_t = 1)]
    pub operation: i64,
    #[arg(long, default_value = "load")]
    pub user: String,
    #[arg(long, default_value = "load-escort")]
    pub escort_user: String,
    #[arg(long, env = "SAFECONDUCT_LOAD_PASSWORD")]
    pub password: String,
    /// The authenticator secret of --user, a coordinator, as `safeconduct user add` printed
    /// it: the load generator signs in with its current one-time code.
    #[arg(long, env = "SAFECONDUCT_LOAD_TOTP_SECRET")]
    pub totp_secret: Option<String>,
    /// Requests per second to offer.
    #[arg(long, default_value_t = 1000)]
    pub rate: u32,
    /// Seconds of load.
    #[arg(long, default_value_t = 20)]
    pub duration: u64,
    /// Households prepared (registered through to pass issued) before the load, for the
    /// escorts to admit and the hotline to look up. Default: as many as the run admits (a
    /// fifth of its requests); fewer are refused.
    #[arg(long)]
    pub prepare: Option<usize>,
    /// After the run, read every acknowledged write back from this database.
    #[arg(long, requires = "key_file")]
    pub verify_database: Option<String>,
    /// After preparing, refresh the statistics of the database given with --verify-database,
    /// as an import does after its bulk load: the load then meets the query plans of an
    /// operation that has been running for a while, not those of tables that grew from
    /// nothing a minute ago, which PostgreSQL's autovacuum would refresh within its next round.
    #[arg(long, requires = "verify_database")]
    pub refresh_statistics: bool,
    /// The servers' key file, to read the database given with --verify-database.
    #[arg(long, env = "SAFECONDUCT_KEY_FILE")]
    pub key_file: Option<std::path::PathBuf>,
    /// Kill this process (one of the servers) with SIGKILL during the load…
    #[arg(long)]
    pub kill_pid: Option<u32>,
    /// …this many seconds after the load started.
    #[arg(long, default_value_t = 10)]
    pub kill_after: u64,
    /// Instead of the mixed load: field devices, enrolled by --user and registered by
    /// --escort-user, syncing signed records back to back, this many devices at once…
    #[arg(long)]
    pub scan_devices: Option<usize>,
    /// …each sync carrying this many records (the protocol allows 1 to 1000).
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub scan_batch: u16,
    /// …each device making exactly this many syncs, all signed before the clock starts,
    /// instead of signing as it goes for --duration seconds.
    #[arg(long)]
    pub scan_syncs: Option<u32>,
    /// …each device syncing once every this many milliseconds (the devices spread over one
    /// interval) instead of back to back: the latency of a sync when the devices do not all
    /// queue at once.
    #[arg(long)]
    pub scan_interval_ms: Option<u64>,
}
