//! `safeconduct audit`: verify the audit chain and its signed checkpoints, sign a checkpoint
//! of its head, and report who read personal data and how much.
//!
//! It knows nothing of the chain's hashing: the store recomputes it, the checkpoint signing
//! belongs to the key file's side.

use crate::data::DataArgs;
use anyhow::{Context, Result};
use clap::Subcommand;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{CaseReference, OperationId, Role, UserId};
use safeconduct_store::{AuditEntry, Store};
use std::collections::{BTreeMap, BTreeSet, HashSet};

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
    /// Who read personal data, and how much: for each user, their reads (a case, a lookup, a
    /// pass, a list of cases, a call's parts, a step refused with the case's stage), the
    /// distinct cases those named, and their busiest hour; most reads first.
    ///
    /// A hotline operator guiding callers reads a few dozen cases an hour; someone copying the
    /// register reads many more, within the per-user limit of the servers. Users whose busiest
    /// hour holds more than --over reads are marked, to be asked why. Names no case and no
    /// person: the audit log holds none.
    Reads {
        /// Only the reads in this operation.
        #[arg(long)]
        operation: Option<i64>,
        /// Reads from this time on (RFC 3339, e.g. 2026-11-28T06:00:00Z); default: the last
        /// 24 hours.
        #[arg(long)]
        since: Option<String>,
        /// Mark users who read more than this in one hour.
        #[arg(long, default_value_t = 60)]
        over: u64,
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
                let readers = reads(store.as_ref(), operation.map(OperationId), since)?;
                print_reads(store.as_ref(), &readers, since, over)
            }
        }
    }
}

/// What one user read.
#[derive(Default)]
struct Reader {
    roles: BTreeSet<Role>,
    reads: u64,
    cases: HashSet<CaseReference>,
    /// Reads per hour (its start, in seconds).
    hours: BTreeMap<i64, u64>,
}

impl Reader {
    fn busiest_hour(&self) -> (i64, u64) {
        self.hours
            .iter()
            .map(|(h, n)| (*h, *n))
            .max_by_key(|(h, n)| (*n, -*h))
            .unwrap_or_default()
    }
}

/// Whether an entry records a read of personal data: reads are logged under their endpoint's
/// name (`h::lookup`, `ph::pass_png`), changes under their event's kind (`pass_issued`); a
/// step refused names the case's stage, and is a read too.
fn is_read(entry: &AuditEntry) -> bool {
    entry.action.contains("::") || entry.action == "step_refused"
}

/// The cases an entry's record names: its path's reference, or the references a lookup or a
/// list logged (each written in its canonical form).
fn cases_named(record: &str) -> impl Iterator<Item = CaseReference> + '_ {
    record
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|t| t.len() == 9 && t.as_bytes()[4] == b'-')
        .filter_map(|t| CaseReference::parse(t).ok())
}

/// Every user's reads since `since` (in `operation` alone, when given), from the whole chain.
fn reads(
    store: &dyn Store,
    operation: Option<OperationId>,
    since: Timestamp,
) -> Result<BTreeMap<UserId, Reader>> {
    const PAGE: i64 = 5_000;
    let mut readers: BTreeMap<UserId, Reader> = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = store
            .audit_entries(after, PAGE)
            .context("reading the audit log")?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = *last;
        for (_, e) in &page {
            let Some(user) = e.user else { continue };
            if e.at.0 < since.0 || !is_read(e) || operation.is_some_and(|o| e.operation != Some(o))
            {
                continue;
            }
            let r = readers.entry(user).or_default();
            r.reads += 1;
            r.roles.extend(e.role);
            r.cases
                .extend(cases_named(e.record.as_deref().unwrap_or_default()));
            *r.hours.entry(e.at.0 - e.at.0.rem_euclid(3600)).or_default() += 1;
        }
    }
    Ok(readers)
}

fn print_reads(
    store: &dyn Store,
    readers: &BTreeMap<UserId, Reader>,
    since: Timestamp,
    over: u64,
) -> Result<()> {
    if readers.is_empty() {
        println!("no reads of personal data since {}", since.rfc3339());
        return Ok(());
    }
    let mut rows: Vec<(&UserId, &Reader)> = readers.iter().collect();
    rows.sort_by_key(|(id, r)| (std::cmp::Reverse(r.reads), **id));
    println!("reads of personal data since {}:", since.rfc3339());
    println!(
        "{:<20} {:<24} {:>7} {:>7}  busiest hour",
        "user", "roles", "reads", "cases"
    );
    let mut marked = 0;
    for (id, r) in rows {
        let name = store
            .username(*id)
            .context("reading user names")?
            .unwrap_or_else(|| format!("user {}", id.0));
        let roles: Vec<&str> = r.roles.iter().map(|role| role.as_str()).collect();
        let (hour, most) = r.busiest_hour();
        let mark = if most > over {
            marked += 1;
            format!("  MORE THAN {over} IN AN HOUR")
        } else {
            String::new()
        };
        println!(
            "{name:<20} {:<24} {:>7} {:>7}  {} ({most}){mark}",
            roles.join(","),
            r.reads,
            r.cases.len(),
            Timestamp(hour).rfc3339()
        );
    }
    if marked > 0 {
        println!(
            "{marked} user(s) read more than {over} times in one hour: ask them why, and suspend \
             the account (`safeconduct user`) if nobody can say"
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
