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
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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
                let readers = reads(store.as_ref(), operation.map(OperationId), since)?;
                print_reads(store.as_ref(), &readers, since, over)
            }
        }
    }
}

/// What one reader did: a signed-in user, or (`None`) whoever opened pass links.
#[derive(Default)]
struct Reader {
    roles: BTreeSet<Role>,
    /// Audited requests: every read, a list's page, a call logged on a case.
    requests: u64,
    /// Every case named, by a single read or in a list.
    cases: HashSet<String>,
    /// When each case was opened on its own (an entry naming exactly one case), in order:
    /// what someone copying the register does, case after case.
    opened: Vec<(i64, String)>,
}

impl Reader {
    /// The most distinct cases opened on their own within any 60 minutes, and when that hour
    /// began. A console re-reading the case it has open counts it once.
    fn busiest_hour(&self) -> (i64, usize) {
        let mut best = (self.opened.first().map_or(0, |o| o.0), 0);
        let mut within: HashMap<&str, usize> = HashMap::new();
        let mut start = 0;
        for (at, case) in &self.opened {
            *within.entry(case.as_str()).or_default() += 1;
            while self.opened[start].0 <= *at - 3600 {
                let gone = &self.opened[start].1;
                if let Some(n) = within.get_mut(gone.as_str()) {
                    *n -= 1;
                    if *n == 0 {
                        within.remove(gone.as_str());
                    }
                }
                start += 1;
            }
            if within.len() > best.1 {
                best = (self.opened[start].0, within.len());
            }
        }
        best
    }
}

/// Whether an entry is an audited request for personal data or for which cases exist: those
/// are logged under their endpoint's name (`h::lookup`, `ph::pass_png`), changes under their
/// event's kind (`pass_issued`); a step refused names the case's stage, and a pass link opened
/// shows a household's pass to whoever holds the link.
fn is_read(entry: &AuditEntry) -> bool {
    entry.action.contains("::")
        || entry.action == "step_refused"
        || entry.action == "pass_link_opened"
}

/// The cases an entry's record names: its path's reference, or the references a lookup or a
/// list logged (each written in its canonical form); a pass link's entry names its pass.
fn cases_named(record: &str) -> Vec<String> {
    if let Some(pass) = record.strip_prefix("pass/") {
        return vec![format!("pass {pass}")];
    }
    record
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|t| t.len() == 9 && t.as_bytes()[4] == b'-')
        .filter_map(|t| CaseReference::parse(t).ok())
        .map(|r| r.to_string())
        .collect()
}

/// Every reader's requests since `since` (in `operation` alone, when given), from the whole
/// chain.
fn reads(
    store: &dyn Store,
    operation: Option<OperationId>,
    since: Timestamp,
) -> Result<BTreeMap<Option<UserId>, Reader>> {
    const PAGE: i64 = 5_000;
    let mut readers: BTreeMap<Option<UserId>, Reader> = BTreeMap::new();
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
            if e.at.0 < since.0 || !is_read(e) || operation.is_some_and(|o| e.operation != Some(o))
            {
                continue;
            }
            let r = readers.entry(e.user).or_default();
            r.requests += 1;
            r.roles.extend(e.role);
            let named = cases_named(e.record.as_deref().unwrap_or_default());
            if let [one] = named.as_slice() {
                r.opened.push((e.at.0, one.clone()));
            }
            r.cases.extend(named);
        }
    }
    // Entries are chained in the order they were written, which may differ by a little from
    // the order of their times.
    for r in readers.values_mut() {
        r.opened.sort();
    }
    Ok(readers)
}

fn print_reads(
    store: &dyn Store,
    readers: &BTreeMap<Option<UserId>, Reader>,
    since: Timestamp,
    over: usize,
) -> Result<()> {
    if readers.is_empty() {
        println!("no reads of personal data since {}", since.rfc3339());
        return Ok(());
    }
    let mut rows: Vec<(&Option<UserId>, &Reader, (i64, usize))> = readers
        .iter()
        .map(|(id, r)| (id, r, r.busiest_hour()))
        .collect();
    rows.sort_by_key(|(id, r, (_, most))| {
        (
            std::cmp::Reverse(*most),
            std::cmp::Reverse(r.requests),
            **id,
        )
    });
    println!("reads of personal data since {}:", since.rfc3339());
    println!(
        "{:<20} {:<24} {:>8} {:>7}  busiest hour (cases opened one by one)",
        "user", "roles", "requests", "cases"
    );
    let mut marked = 0;
    for (id, r, (hour, most)) in rows {
        let name = match id {
            Some(id) => store
                .username(*id)
                .context("reading user names")?
                .unwrap_or_else(|| format!("user {}", id.0)),
            None => "(pass links)".to_string(),
        };
        let roles: Vec<&str> = r.roles.iter().map(|role| role.as_str()).collect();
        let roles = if id.is_none() {
            "nobody signed in".to_string()
        } else {
            roles.join(",")
        };
        let mark = if most > over {
            marked += 1;
            format!("  MORE THAN {over} IN AN HOUR")
        } else {
            String::new()
        };
        println!(
            "{name:<20} {roles:<24} {:>8} {:>7}  from {} ({most}){mark}",
            r.requests,
            r.cases.len(),
            Timestamp(hour).rfc3339()
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
