//! `safeconduct user`: create user accounts with roles and places, enrol them for one-time
//! codes, print the current code of an authenticator secret, and let a locked-out name sign
//! in again.
//!
//! It stores only what the password hashing and the one-time code enrolment hand it: no
//! password or secret is kept, each is printed once.

use crate::data::DataArgs;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use safeconduct_domain::{OperationId, Role};
use safeconduct_store::Store;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user with roles in an operation.
    ///
    /// The password is read from standard input with --password-stdin; otherwise a random one
    /// is generated and printed once. A coordinator, hotline operator or manifest officer is
    /// enrolled for one-time codes at once (they sign in with one): the authenticator secret
    /// is printed once, with an otpauth:// URI.
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
    /// authenticator secret once; codes of the old one stop working, and the sessions the
    /// user had open end.
    Totp {
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Let a user's name sign in again at once, forgetting its failed sign-ins as a success
    /// would.
    ///
    /// Five failed sign-ins in a row lock a name, on every server, for 30 seconds and up to
    /// 15 minutes while they go on. A user with an authenticator signs in through the lock
    /// with the right code and password; someone who knows the name of a user without one can
    /// keep it locked by sending wrong passwords under it. Run this once the sender is stopped
    /// (or enrol an authenticator with `user totp`). The unlock is in the audit log.
    Unlock {
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Take roles away from a user in an operation (every role they hold there, unless --role
    /// names some) and end the sessions they have open, on every server within seconds: for
    /// someone who left, or whose password or phone may be in other hands. Audited. The
    /// account, its password and its roles in other operations stay. Taking escort or gate
    /// takes the places the user acts at in that role too, and suspends the user's devices of
    /// that role in the operation. A role named that the user does not hold there is an error
    /// that changes nothing.
    Revoke {
        username: String,
        /// The operation the roles are taken away in.
        #[arg(long)]
        operation: i64,
        /// A role to take away: coordinator, hotline, escort, gate, manifest or auditor.
        /// Repeat for several; leave out to take every role held there.
        #[arg(long = "role", value_parser = parse_role)]
        roles: Vec<Role>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the current one-time code of an authenticator secret, as an authenticator app
    /// would: for the demo and for scripts. Coordinators, hotline operators and manifest
    /// officers use an app on their phone.
    Code {
        /// The base32 secret printed at enrolment.
        #[arg(long, env = "SAFECONDUCT_TOTP_SECRET")]
        secret: String,
    },
}

pub fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: safeconduct_domain::DomainError| e.to_string())
}

impl UserCommand {
    pub fn run(self) -> Result<()> {
        match self {
            UserCommand::Add {
                username,
                operation,
                roles,
                password_stdin,
                rvs,
                gates,
                data,
            } => {
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
            UserCommand::Totp { username, data } => {
                let store = data.open()?;
                let account = store
                    .user_by_name(&username)?
                    .with_context(|| format!("no user named {username:?}"))?;
                enrol_totp(store.as_ref(), &data.kek()?, account.id, &username)
            }
            UserCommand::Unlock { username, data } => {
                let store = data.open()?;
                let account = store
                    .user_by_name(&username)?
                    .with_context(|| format!("no user named {username:?}"))?;
                let name = safeconduct_keys::password::sign_in_name_digest(&username);
                store.clear_sign_in_failures(&name)?;
                let admin = safeconduct_store::Actor::system(safeconduct_keys::now());
                let record = Some(format!("user/{}", account.id.0));
                let entry =
                    safeconduct_store::AuditEntry::by(&admin, None, "sign_in_unlocked", record);
                store.audit(&entry)?;
                println!("{username} may sign in again at once: its failed sign-ins are forgotten");
                Ok(())
            }
            UserCommand::Revoke {
                username,
                operation,
                roles,
                data,
            } => {
                let store = data.open()?;
                let account = store
                    .user_by_name(&username)?
                    .with_context(|| format!("no user named {username:?}"))?;
                let op = OperationId(operation);
                let held = store.roles(account.id, op)?;
                let not_held: Vec<&str> = roles
                    .iter()
                    .filter(|r| !held.contains(r))
                    .map(|r| r.as_str())
                    .collect();
                if !not_held.is_empty() {
                    anyhow::bail!(
                        "{username} does not hold {} in operation {operation}: nothing was changed",
                        not_held.join(", ")
                    );
                }
                let admin = safeconduct_store::Actor::system(safeconduct_keys::now());
                let taken = store
                    .revoke_roles(account.id, op, &roles, &admin)
                    .with_context(|| format!("taking roles away in operation {operation}"))?;
                if taken.is_empty() {
                    anyhow::bail!(
                        "{username} holds no role in operation {operation}: nothing was changed"
                    );
                }
                let names: Vec<&str> = taken.iter().map(|r| r.as_str()).collect();
                println!(
                    "{username} no longer holds {} in operation {operation}; the sessions they \
                     had open have ended",
                    names.join(", ")
                );
                Ok(())
            }
            UserCommand::Code { secret } => {
                let code = safeconduct_keys::totp::code_for(&secret, safeconduct_keys::now().0)
                    .context("the secret is not base32 (letters A-Z and digits 2-7)")?;
                println!("{code}");
                Ok(())
            }
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
    if placed && !roles.iter().any(|r| r.works_at_places()) {
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
    if roles.iter().any(|r| r.signs_in_with_a_code()) {
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

fn generate_password() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}
