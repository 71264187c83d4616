//! `safeconduct audit`: verify the audit chain and its signed checkpoints, sign a checkpoint
//! of its head, and report who read personal data and how much.
//!
//! It knows nothing of the chain's hashing: the store recomputes it, the checkpoint signing
//! belongs to the key file's side.

use crate::data::DataArgs;
use anyhow::{Context, Result};
use clap::Subcommand;
use safeconduct_domain::OperationId;
use safeconduct_domain::values::Timestamp;
use safeconduct_store::Store;
use safeconduct_store::access::{self, ReaderReport};

#[derive(Subcommand)]
pub enum AuditCommand {
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
    /// Who read personal data, and how much: for each user (and for pass links, opened by
    /// nobody signed in), their audited requests (a case, a lookup, a pass, a list of cases, a
    /// call's parts, a call logged, a step refused with the case's stage), the distinct cases
    /// those named, and the most cases they opened one by one within any 60 minutes; the
    /// busiest first.
    ///
    /// A hotline operator guiding callers opens a few dozen cases an hour (a console re-reading
    /// the case it has open counts it once; a list's references are named, not opened);
    /// someone copying the register opens many more, within the per-user limit of the servers.
    /// Readers who opened more than --over within an hour are marked, to be asked why. Names
    /// no case and no person: the audit log holds none.
    Reads {
        /// Only the reads in this operation.
        #[arg(long)]
        operation: Option<i64>,
        /// Reads from this time on (RFC 3339, e.g. 2026-11-28T06:00:00Z); default: the last
        /// 24 hours.
        #[arg(long)]
        since: Option<String>,
        /// Mark readers who opened more than this many cases within an hour.
        #[arg(long, default_value_t = 60)]
        over: usize,
        #[command(flatten)]
        data: DataArgs,
    },
}

impl AuditCommand {
    pub fn run(self) -> Result<()> {
        match self {
            AuditCommand::Verify { data } => {
                if !audit_verify(data.open()?.as_ref(), &data.keyring()?)? {
                    std::process::exit(1);
                }
                Ok(())
            }
            AuditCommand::Checkpoint { data } => {
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
            AuditCommand::Reads {
                operation,
                since,
                over,
                data,
            } => {
                let since = match since {
                    Some(t) => Timestamp::parse_rfc3339("--since", &t)?,
                    None => Timestamp(safeconduct_keys::now().0 - 24 * 3600),
                };
                let store = data.open()?;
                let operations = match operation {
                    Some(op) => vec![OperationId(op)],
                    None => store
                        .operations()
                        .context("listing the operations")?
                        .into_iter()
                        .map(|o| o.id)
                        .collect(),
                };
                let readers = access::readers(store.as_ref(), &operations, since)
                    .context("reading the audit log")?;
                print_reads(store.as_ref(), &readers, since, over)
            }
        }
    }
}

fn print_reads(
    store: &dyn Store,
    readers: &[ReaderReport],
    since: Timestamp,
    over: usize,
) -> Result<()> {
    if readers.is_empty() {
        println!("no reads of personal data since {}", since.rfc3339());
        return Ok(());
    }
    println!("reads of personal data since {}:", since.rfc3339());
    println!(
        "{:<20} {:<24} {:>8} {:>7}  busiest hour (cases opened one by one)",
        "user", "roles", "requests", "cases"
    );
    let mut marked = 0;
    for r in readers {
        let name = match r.user {
            Some(id) => store
                .username(id)
                .context("reading user names")?
                .unwrap_or_else(|| format!("user {}", id.0)),
            None => "(pass links)".to_string(),
        };
        let roles = if r.user.is_none() {
            "nobody signed in".to_string()
        } else {
            let roles: Vec<&str> = r.roles.iter().map(|role| role.as_str()).collect();
            roles.join(",")
        };
        let most = r.busiest_hour_cases;
        let mark = if most > over {
            marked += 1;
            format!("  MORE THAN {over} IN AN HOUR")
        } else {
            String::new()
        };
        let hour = match r.busiest_hour_from {
            Some(from) => format!("from {} ({most})", from.rfc3339()),
            None => "none opened one by one".to_string(),
        };
        println!(
            "{name:<20} {roles:<24} {:>8} {:>7}  {hour}{mark}",
            r.requests, r.cases
        );
    }
    if marked > 0 {
        println!(
            "{marked} reader(s) opened more than {over} cases within an hour: ask them why, and \
             suspend the account (`safeconduct user`) if nobody can say"
        );
    }
    Ok(())
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
