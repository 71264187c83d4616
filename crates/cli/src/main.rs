//! `safeconduct`: the one binary. Serves the API, seeds and serves a demo, imports volunteer
//! lists, manages operations and users.
//!
//! Architecture invariant: this crate wires the others together and talks to the terminal;
//! it holds no lifecycle rule and no SQL.

mod demo;
mod import;
mod pass;
mod statistics;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use safeconduct_domain::{OperationId, Role};
use safeconduct_server::App;
use safeconduct_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Coordinates the safe passage of civilians out of a contested city: registration,
/// rendezvous points, escort batches, gates and flights, losing nobody and leaking nothing.
#[derive(Parser)]
#[command(name = "safeconduct", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DataArgs {
    /// Directory holding the embedded database (created on first use), used when no
    /// --database is given.
    #[arg(long, env = "SAFECONDUCT_DATA", default_value = "safeconduct-data")]
    data: PathBuf,
    /// Database URL: sqlite:PATH (the embedded default) or postgres://user@host:port/database
    /// for several servers over one database (add ?connections=N to open up to N connections
    /// per server instead of 4).
    #[arg(long, env = "SAFECONDUCT_DATABASE")]
    database: Option<String>,
    /// Key encryption key file that wraps each operation's data key (which seals personal
    /// data) and pass keys: 64 hex digits, created owner-only on first use. Every server of one
    /// database needs the same file; without it the personal data cannot be read. Keep it and
    /// its backup apart from the database. Default: key.hex in the --data directory.
    #[arg(long, env = "SAFECONDUCT_KEY_FILE")]
    key_file: Option<PathBuf>,
}

impl DataArgs {
    fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data.join("key.hex"))
    }

    /// The key file, created on first use; refused when the embedded database already exists
    /// without it, since a new key would open none of its data.
    fn kek(&self) -> Result<safeconduct_store::Kek> {
        let path = self.key_path();
        let embedded = self.data.join("safeconduct.sqlite3");
        if self.database.is_none() && !path.exists() && embedded.exists() {
            anyhow::bail!(
                "the database {} exists but its key file {} does not: give the key file it was \
                 created with (--key-file or SAFECONDUCT_KEY_FILE)",
                embedded.display(),
                path.display()
            );
        }
        Ok(safeconduct_keys::keyfile::load_or_create(&path)?)
    }

    fn keyring(&self) -> Result<safeconduct_keys::passes::PassKeyring> {
        Ok(safeconduct_keys::passes::PassKeyring::new(self.kek()?))
    }

    fn url(&self) -> String {
        self.database.clone().unwrap_or_else(|| {
            format!("sqlite:{}", self.data.join("safeconduct.sqlite3").display())
        })
    }

    fn open(&self) -> Result<Arc<dyn Store>> {
        let url = self.url();
        safeconduct_store::open(&url, self.kek()?)
            .with_context(|| format!("opening the store at {}", safeconduct_store::redact(&url)))
    }

    /// The store and the pass keyring for a server, refused when the key file does not open
    /// the store's keys: a server started with the wrong one would look healthy and fail
    /// every read of personal data.
    fn open_to_serve(&self) -> Result<(Arc<dyn Store>, safeconduct_keys::passes::PassKeyring)> {
        let store = self.open()?;
        let keyring = self.keyring()?;
        safeconduct_keys::checkpoint::check_key_file(&keyring, store.as_ref()).with_context(
            || {
                format!(
                    "the key file {} does not fit the store at {}",
                    self.key_path().display(),
                    safeconduct_store::redact(&self.url())
                )
            },
        )?;
        Ok((store, keyring))
    }
}

/// Rate limits, per server and per session token; 0 turns one off.
#[derive(Args, Clone, Copy)]
struct LimitArgs {
    /// Requests per second per token (bursts of four seconds' worth).
    #[arg(long, env = "SAFECONDUCT_REQUESTS_PER_SECOND", default_value_t = 50)]
    requests_per_second: u32,
    /// Case lookups by phone or reference per minute per token (bursts of ten).
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

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    ///
    /// Every endpoint states the roles that may call it; see GET /api/openapi.json.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SAFECONDUCT_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Seed a realistic demo operation and serve it.
    ///
    /// Creates a few thousand households with multi-script names, six rendezvous points beside
    /// real streets of central Helsinki (OpenStreetMap), two gates, windows over two days,
    /// flights and a hazard, then prints the address and the demo logins. Without --data the
    /// demo lives in a fresh temporary directory.
    Demo {
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
    },
    /// Import a volunteer spreadsheet (CSV) into an operation.
    ///
    /// Columns are found by their headers: name (required), name in Dari/Pashto script, phone,
    /// passport or tazkira number, household reference, category, year of birth, location,
    /// notes. Phones in any typed form become E.164. The same person listed twice (document
    /// number; or name across spelling variants with birth year and phone or household) is
    /// merged; a person already registered is not registered again; near misses are imported
    /// and flagged for review; rows with bad values are refused. The report names lines,
    /// never people.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Operation id to import into.
        #[arg(long)]
        operation: i64,
        /// Plan and report, but register nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the full report (every merge, review and refusal) to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Create and list operations.
    #[command(subcommand)]
    Operation(OperationCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// Move the whole store to another database.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Issue, revoke and verify passes; rotate keys; write field kits.
    #[command(subcommand)]
    Pass(PassCommand),
    /// Check and sign the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the audit chain from its first entry, compare it with its head and every
    /// signed checkpoint, and report the first broken link. Exits with 1 when the log does
    /// not verify.
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Sign the current head of the audit chain and print the checkpoint, to keep apart from
    /// the database as proof of the log's state now. Servers also sign one every 10 minutes.
    Checkpoint {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum PassCommand {
    /// Issue a household's pass (or re-issue it: the earlier one is superseded) and print its
    /// text form.
    Issue {
        #[arg(long)]
        operation: i64,
        /// Case reference, e.g. 7KQ2-MX9D.
        #[arg(long)]
        case: String,
        /// Also write the QR code as a PNG image here.
        #[arg(long)]
        png: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Revoke a household's valid pass.
    Revoke {
        #[arg(long)]
        operation: i64,
        #[arg(long)]
        case: String,
        /// Why, for the event log.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Verify a pass offline with a field kit, as a checkpoint device does. Exits with 0 when
    /// the pass admits, 1 otherwise.
    Verify {
        /// The pass's text form (SC1:…). Omit it and give --image to read a QR code.
        text: Option<String>,
        /// A PNG image of the pass's QR code.
        #[arg(long)]
        image: Option<PathBuf>,
        /// Field kit file (from `safeconduct pass kit` or GET /api/operations/{id}/field-kit).
        #[arg(long)]
        kit: PathBuf,
        /// Rendezvous point id where the check happens.
        #[arg(long)]
        rv: Option<u64>,
        /// Number of the document the holder shows.
        #[arg(long)]
        document: Option<String>,
        /// Birth year on that document.
        #[arg(long)]
        birth_year: Option<u16>,
        /// Check as of this time (RFC 3339) instead of now.
        #[arg(long)]
        at: Option<String>,
        /// Language of the answer: en, fr, prs, ps, ar or uk.
        #[arg(long, default_value = "en", value_parser = parse_language)]
        lang: safeconduct_domain::values::Language,
        /// Warn when the kit's revocation list is older than this many hours (default: the
        /// kit's policy, 6).
        #[arg(long)]
        warn_after_hours: Option<u64>,
        /// Refuse every pass when the revocation list is older than this many hours (default:
        /// the kit's policy, 48).
        #[arg(long)]
        refuse_after_hours: Option<u64>,
    },
    /// Write a field kit: public keys, one tier's secret, the signed status list.
    Kit {
        #[arg(long)]
        operation: i64,
        /// checkpoint (escort devices) or gate (gate laptops).
        #[arg(long, value_parser = parse_tier)]
        tier: safeconduct_pass::Tier,
        /// File to write (created owner-only).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Manage the operation's signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Replace the signing key. With --compromised every pass the old key signed is revoked
    /// and, unless --no-reissue, re-issued at once with the new key.
    Rotate {
        #[arg(long)]
        operation: i64,
        /// The old key may be known to others.
        #[arg(long)]
        compromised: bool,
        /// Do not re-issue the revoked passes now.
        #[arg(long)]
        no_reissue: bool,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn parse_language(s: &str) -> Result<safeconduct_domain::values::Language, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("unknown language {s:?}: expected en, fr, prs, ps, ar or uk"))
}

fn parse_tier(s: &str) -> Result<safeconduct_pass::Tier, String> {
    match s {
        "checkpoint" => Ok(safeconduct_pass::Tier::Checkpoint),
        "gate" => Ok(safeconduct_pass::Tier::Gate),
        _ => Err(format!("unknown tier {s:?}: expected checkpoint or gate")),
    }
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Copy every operation from one database into an empty one, then verify the copy.
    ///
    /// For moving a live operation from the embedded default to PostgreSQL: the source is read
    /// in one consistent snapshot while it keeps serving; the target is written in one
    /// transaction (all or nothing). Afterwards row counts, the event log and every
    /// operation's stage counts are compared on both sides. Point the servers at the target
    /// once the copy is verified; changes made to the source after the snapshot are not
    /// copied.
    Copy {
        /// Source database URL, e.g. sqlite:safeconduct-data/safeconduct.sqlite3.
        #[arg(long)]
        from: String,
        /// Target database URL, e.g. postgres://postgres@127.0.0.1:5432/safeconduct. Must be
        /// empty.
        #[arg(long)]
        to: String,
        /// The key file of the source (e.g. safeconduct-data/key.hex). The copy holds the same
        /// wrapped keys: serve it with the same file.
        #[arg(long, env = "SAFECONDUCT_KEY_FILE")]
        key_file: PathBuf,
    },
}

#[derive(Subcommand)]
enum OperationCommand {
    /// Create an operation and print its id.
    Create {
        /// A name people recognise, e.g. "Kabul airlift".
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List operations.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Close an operation: it takes no new households. Everything else goes on.
    Close {
        operation: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Destroy a closed operation's data key, so that its personal data (names, birth dates,
    /// phones, document numbers, notes) can never be read again, by anyone.
    ///
    /// Counts, the event log, pass statuses and the audit chain stay and still verify. Write
    /// the aggregate statistics first with --stats. Backups taken before shredding still hold
    /// the wrapped data key: destroy them, or the key file, too.
    Shred {
        operation: i64,
        /// The operation's name, typed out: shredding cannot be undone.
        #[arg(long)]
        confirm: String,
        /// Write the operation's aggregate statistics (counts by stage, per RV and gate, and
        /// the accountability check) to this JSON file before shredding. Refused if the file
        /// exists.
        #[arg(long)]
        stats: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user with roles in an operation.
    ///
    /// The password is read from standard input with --password-stdin; otherwise a random one
    /// is generated and printed once. A coordinator is enrolled for one-time codes at once:
    /// the authenticator secret is printed once, with an otpauth:// URI.
    Add {
        username: String,
        /// Operation the roles apply to.
        #[arg(long)]
        operation: i64,
        /// Role in the operation: coordinator, hotline, escort, gate, manifest or auditor.
        /// Repeat for several.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// For an escort user: a rendezvous point id they act at. Repeat for several.
        #[arg(long = "rv")]
        rvs: Vec<i64>,
        /// For a gate user: a gate id they act at. Repeat for several.
        #[arg(long = "gate")]
        gates: Vec<i64>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Enrol a user for one-time codes (again), e.g. after a lost phone: prints the new
    /// authenticator secret once; codes of the old one stop working.
    Totp {
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the current one-time code of an authenticator secret, as an authenticator app
    /// would: for the demo and for scripts. Coordinators use an app on their phone.
    Code {
        /// The base32 secret printed at enrolment.
        #[arg(long, env = "SAFECONDUCT_TOTP_SECRET")]
        secret: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: safeconduct_domain::DomainError| e.to_string())
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SAFECONDUCT_LOG")
                .unwrap_or_else(|_| "info,postgres=warn,tokio_postgres=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { addr, data, limits } => {
            let (store, keyring) = data.open_to_serve()?;
            println!("store: {}", safeconduct_store::redact(&data.url()));
            serve(addr, store, keyring, limits.into())
        }
        Command::Demo {
            addr,
            data,
            database,
            key_file,
            households,
            seed_only,
        } => {
            let dir = match data {
                Some(d) => d,
                None => {
                    std::env::temp_dir().join(format!("safeconduct-demo-{}", std::process::id()))
                }
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
        Command::Import {
            file,
            operation,
            dry_run,
            report,
            data,
        } => {
            let store = data.open()?;
            import::run(
                store.as_ref(),
                OperationId(operation),
                &file,
                dry_run,
                report.as_deref(),
            )
        }
        Command::Operation(OperationCommand::Create { name, data }) => {
            let store = data.open()?;
            let op = store.create_operation(&name, safeconduct_keys::now())?;
            println!("{}", op.id);
            Ok(())
        }
        Command::Operation(OperationCommand::List { data }) => {
            let store = data.open()?;
            for op in store.operations()? {
                let state = match (op.closed_at, op.shredded_at) {
                    (_, Some(_)) => "shredded",
                    (Some(_), None) => "closed",
                    (None, None) => "open",
                };
                println!("{}\t{}\t{state}", op.id, op.name);
            }
            Ok(())
        }
        Command::Operation(OperationCommand::Close { operation, data }) => {
            let store = data.open()?;
            let op = store.close_operation(
                OperationId(operation),
                &safeconduct_store::Actor::system(safeconduct_keys::now()),
            )?;
            println!(
                "operation {} ({}) closed at {}: it takes no new households",
                op.id,
                op.name,
                op.closed_at.unwrap_or(op.created_at).rfc3339()
            );
            Ok(())
        }
        Command::Operation(OperationCommand::Shred {
            operation,
            confirm,
            stats,
            data,
        }) => shred(
            data.open()?.as_ref(),
            OperationId(operation),
            &confirm,
            stats.as_deref(),
        ),
        Command::User(UserCommand::Add {
            username,
            operation,
            roles,
            password_stdin,
            rvs,
            gates,
            data,
        }) => {
            let store = data.open()?;
            let places = safeconduct_store::PlaceAssignment {
                rvs: rvs.into_iter().map(safeconduct_domain::RvId).collect(),
                gates: gates.into_iter().map(safeconduct_domain::GateId).collect(),
                ..Default::default()
            };
            add_user(
                store.as_ref(),
                &data.kek()?,
                &username,
                OperationId(operation),
                &roles,
                password_stdin,
                &places,
            )
        }
        Command::User(UserCommand::Totp { username, data }) => {
            let store = data.open()?;
            let account = store
                .user_by_name(&username)?
                .with_context(|| format!("no user named {username:?}"))?;
            enrol_totp(store.as_ref(), &data.kek()?, account.id, &username)
        }
        Command::User(UserCommand::Code { secret }) => {
            let code = safeconduct_keys::totp::code_for(&secret, safeconduct_keys::now().0)
                .context("the secret is not base32 (letters A-Z and digits 2-7)")?;
            println!("{code}");
            Ok(())
        }
        Command::Store(StoreCommand::Copy { from, to, key_file }) => {
            copy_store(&from, &to, &safeconduct_keys::keyfile::load(&key_file)?)
        }
        Command::Pass(command) => run_pass(command),
        Command::Audit(AuditCommand::Verify { data }) => {
            if !audit_verify(data.open()?.as_ref(), &data.keyring()?)? {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Checkpoint { data }) => {
            let c = safeconduct_keys::checkpoint::checkpoint(
                &data.keyring()?,
                data.open()?.as_ref(),
                safeconduct_keys::now(),
            )?;
            println!(
                "entry {} hash {} at {} key {} signature {}",
                c.seq,
                hex(&c.hash),
                c.at.rfc3339(),
                hex(&c.kid),
                hex(&c.signature)
            );
            Ok(())
        }
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&safeconduct_server::openapi::document())?
            );
            Ok(())
        }
    }
}

fn add_user(
    store: &dyn Store,
    kek: &safeconduct_store::Kek,
    username: &str,
    op: OperationId,
    roles: &[Role],
    password_stdin: bool,
    places: &safeconduct_store::PlaceAssignment,
) -> Result<()> {
    let placed = !places.rvs.is_empty() || !places.gates.is_empty();
    if placed && !roles.iter().any(|r| matches!(r, Role::Escort | Role::Gate)) {
        bail!("--rv and --gate are for escort and gate users");
    }
    // Check the places before creating anything, so a typo leaves no half-made user.
    let known_rvs: Vec<_> = store.rvs(op)?.into_iter().map(|r| r.id).collect();
    let known_gates: Vec<_> = store.gates(op)?.into_iter().map(|g| g.id).collect();
    if let Some(rv) = places.rvs.iter().find(|r| !known_rvs.contains(r)) {
        bail!("operation {op} has no rendezvous point {rv}");
    }
    if let Some(gate) = places.gates.iter().find(|g| !known_gates.contains(g)) {
        bail!("operation {op} has no gate {gate}");
    }
    let username = username.trim();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
    {
        bail!("a username is 1 to 64 letters, digits, '.', '_', '-' or '@'");
    }
    store
        .operation(op)
        .with_context(|| format!("operation {op}"))?;
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        let line = line.trim_end_matches(['\n', '\r']).to_string();
        if line.chars().count() < 12 {
            bail!("the password must have at least 12 characters");
        }
        (line, false)
    } else {
        (generate_password()?, true)
    };
    let hash = safeconduct_keys::password::hash_password(&password)?;
    let id = store.create_user(
        &safeconduct_store::NewUser {
            username: username.to_string(),
            password_hash: hash,
            organisation: None,
        },
        safeconduct_keys::now(),
    )?;
    let admin = safeconduct_store::Actor::system(safeconduct_keys::now());
    for role in roles {
        store.grant_role(id, op, *role, &admin)?;
    }
    if placed {
        store
            .assign_places(id, op, places, &admin)
            .context("assigning places")?;
    }
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    println!(
        "user {username} created with roles {} in operation {op}",
        names.join(", ")
    );
    if generated {
        println!("password (shown once): {password}");
    }
    if roles.contains(&Role::Coordinator) {
        enrol_totp(store, kek, id, username)?;
    }
    Ok(())
}

/// Enrols a user for one-time codes and prints the secret, once.
fn enrol_totp(
    store: &dyn Store,
    kek: &safeconduct_store::Kek,
    user: safeconduct_domain::UserId,
    username: &str,
) -> Result<()> {
    let e = safeconduct_keys::totp::enrol(kek, user, username);
    store.set_totp(
        user,
        &e.wrapped,
        &safeconduct_store::Actor::system(safeconduct_keys::now()),
    )?;
    println!(
        "one-time code secret (shown once; add it to an authenticator app): {}",
        e.secret
    );
    println!("  {}", e.uri);
    Ok(())
}

fn shred(
    store: &dyn Store,
    id: OperationId,
    confirm: &str,
    stats: Option<&std::path::Path>,
) -> Result<()> {
    let op = store.operation(id)?;
    if confirm != op.name {
        anyhow::bail!(
            "--confirm must be the operation's name, {:?}; nothing was shredded",
            op.name
        );
    }
    if op.shredded_at.is_some() {
        anyhow::bail!("operation {id} was already shredded");
    }
    if op.closed_at.is_none() {
        anyhow::bail!(
            "operation {id} is still open; close it first (safeconduct operation close {id}); nothing was shredded"
        );
    }
    if let Some(path) = stats {
        let counts = store.operation_counts(id)?;
        let out = serde_json::json!({
            "operation": { "id": op.id.0, "name": op.name },
            "exported_at": safeconduct_keys::now().rfc3339(),
            "accountability": statistics::accountability(store.accountability(id)?),
            "rvs": counts.rvs.into_iter().map(|(rv, c)| serde_json::json!({
                "rv": rv.0, "counts": statistics::counts(c)
            })).collect::<Vec<_>>(),
            "gates": counts.gates.into_iter().map(|(gate, c)| serde_json::json!({
                "gate": gate.0, "counts": statistics::counts(c)
            })).collect::<Vec<_>>(),
        });
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .with_context(|| format!("creating {}; nothing was shredded", path.display()))?;
        serde_json::to_writer_pretty(&mut file, &out)?;
        std::io::Write::write_all(&mut file, b"\n")?;
        file.sync_all()?;
        println!("aggregate statistics written to {}", path.display());
    }
    let op = store.shred_operation(
        id,
        &safeconduct_store::Actor::system(safeconduct_keys::now()),
    )?;
    println!(
        "operation {} ({}) shredded at {}: its personal data can no longer be read. Counts and the audit chain remain (safeconduct audit verify).",
        op.id,
        op.name,
        op.shredded_at.unwrap_or(op.created_at).rfc3339()
    );
    Ok(())
}

fn copy_store(from: &str, to: &str, kek: &safeconduct_store::Kek) -> Result<()> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    let report = safeconduct_store::copy(from, to, kek, &mut |table, rows| {
        bar.set_message(format!("copying {table}: {rows} rows"));
    })
    .with_context(|| {
        format!(
            "copying {} to {}",
            safeconduct_store::redact(from),
            safeconduct_store::redact(to)
        )
    })?;
    bar.finish_and_clear();
    let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
    println!(
        "copied {rows} rows in {:.1}s; verified: row counts of {} tables, the event log, the counts of {} operation(s), and the audit chain ({} entries)",
        started.elapsed().as_secs_f64(),
        report.tables.len(),
        report.operations_checked,
        report.audit_entries
    );
    for (table, n) in &report.tables {
        println!("  {table:<14} {n}");
    }
    Ok(())
}

fn generate_password() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Prints what the audit chain check found; returns whether the log verifies.
fn audit_verify(
    store: &dyn Store,
    keyring: &safeconduct_keys::passes::PassKeyring,
) -> Result<bool> {
    let report = store.verify_audit().context("reading the audit log")?;
    let forged = safeconduct_keys::checkpoint::forged_checkpoints(
        keyring,
        store,
        &report.checkpoints,
        safeconduct_keys::now(),
    )?;
    match report.first_break {
        None => println!(
            "audit chain intact: {} entries, head {}",
            report.entries,
            hex(&report.head)
        ),
        Some(b) => println!(
            "audit chain BROKEN: {b}; the {} entries before it verify",
            report.entries
        ),
    }
    let signed = report.checkpoints.len() - forged.len();
    println!(
        "{signed} of {} checkpoint(s) signed by this store's audit key{}",
        report.checkpoints.len(),
        report
            .checkpoints
            .last()
            .map(|c| format!("; the last at entry {}, {}", c.seq, c.at.rfc3339()))
            .unwrap_or_default()
    );
    for seq in &forged {
        println!("checkpoint at entry {seq}: signature does NOT verify");
    }
    Ok(report.first_break.is_none() && forged.is_empty())
}

fn run_pass(command: PassCommand) -> Result<()> {
    match command {
        PassCommand::Issue {
            operation,
            case,
            png,
            data,
        } => pass::issue(
            data.open()?.as_ref(),
            &data.keyring()?,
            OperationId(operation),
            &case,
            png.as_deref(),
        ),
        PassCommand::Revoke {
            operation,
            case,
            reason,
            data,
        } => pass::revoke(
            data.open()?.as_ref(),
            OperationId(operation),
            &case,
            &reason,
        ),
        PassCommand::Kit {
            operation,
            tier,
            out,
            data,
        } => pass::kit(
            data.open()?.as_ref(),
            &data.keyring()?,
            OperationId(operation),
            tier,
            &out,
        ),
        PassCommand::Keys(KeysCommand::Rotate {
            operation,
            compromised,
            no_reissue,
            data,
        }) => pass::rotate(
            data.open()?.as_ref(),
            &data.keyring()?,
            OperationId(operation),
            compromised,
            !no_reissue,
        ),
        PassCommand::Verify {
            text,
            image,
            kit,
            rv,
            document,
            birth_year,
            at,
            lang,
            warn_after_hours,
            refuse_after_hours,
        } => {
            let at = at
                .map(|a| safeconduct_domain::values::Timestamp::parse_rfc3339("--at", &a))
                .transpose()?;
            let valid = pass::verify(&pass::VerifyArgs {
                text: text.as_deref(),
                image: image.as_deref(),
                kit: &kit,
                rv,
                document: document.as_deref(),
                birth_year,
                at,
                language: lang,
                warn_after: warn_after_hours.map(|h| h * 3600),
                refuse_after: refuse_after_hours.map(|h| h * 3600),
            })?;
            if !valid {
                std::process::exit(1);
            }
            Ok(())
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
