//! Who read personal data, and how much: the report an auditor reads, from the audit log's
//! entries since a time (`safeconduct audit reads`, and the auditor's endpoint).
//!
//! For each reader (a signed-in user, or whoever opened pass links) it counts their audited
//! requests, the distinct cases those named, and the most cases they opened one by one within
//! any 60 minutes: a hotline operator guiding callers opens a few dozen an hour, someone
//! copying the register many more. It names no case and no person: the audit log holds none,
//! and a stated reason is never opened here.
//!
//! Must not know: how the log is hashed or stored (it reads entries through [`Store`]), nor
//! who may read the report (the CLI and the server's authorisation decide).

use crate::{AuditEntry, Result, Store};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{CaseReference, OperationId, Role, UserId};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What one reader did since the report's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderReport {
    /// The user; `None` for pass links, opened by nobody signed in.
    pub user: Option<UserId>,
    /// The roles they read in.
    pub roles: Vec<Role>,
    /// Audited requests: every read, a list's page, a call logged on a case.
    pub requests: u64,
    /// The distinct cases named, by a single read or in a list.
    pub cases: usize,
    /// The most distinct cases opened on their own within any 60 minutes...
    pub busiest_hour_cases: usize,
    /// ...and when that hour began (none when no case was opened on its own).
    pub busiest_hour_from: Option<Timestamp>,
}

/// Every reader's report in `operations` since `since`, the busiest first (most cases opened
/// within an hour, then most requests). Reads those operations' entries from `since` on, and
/// keeps only what it needs of each: stated reasons stay sealed. (Every read is of one
/// operation: entries of none are sign-ins and account changes.)
pub fn readers(
    store: &dyn Store,
    operations: &[OperationId],
    since: Timestamp,
) -> Result<Vec<ReaderReport>> {
    const PAGE: i64 = 5_000;
    let mut readers: BTreeMap<Option<UserId>, Reader> = BTreeMap::new();
    for &op in operations {
        let mut after = (since, -1);
        loop {
            let page = store.operation_audit_entries(op, after, PAGE)?;
            let Some((seq, last)) = page.last() else {
                break;
            };
            after = (last.at, *seq);
            for (_, e) in &page {
                if is_read(e) {
                    count(&mut readers, e);
                }
            }
        }
    }
    let mut reports: Vec<ReaderReport> = readers
        .into_iter()
        .map(|(user, mut r)| {
            // Each operation's entries come in time order; several operations' interleave.
            r.opened.sort();
            let (from, most) = r.busiest_hour();
            ReaderReport {
                user,
                roles: r.roles.into_iter().collect(),
                requests: r.requests,
                cases: r.cases.len(),
                busiest_hour_cases: most,
                busiest_hour_from: (most > 0).then_some(Timestamp(from)),
            }
        })
        .collect();
    reports.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.busiest_hour_cases),
            std::cmp::Reverse(r.requests),
            r.user,
        )
    });
    Ok(reports)
}

/// Counts a read in its reader's tally.
fn count(readers: &mut BTreeMap<Option<UserId>, Reader>, e: &AuditEntry) {
    let r = readers.entry(e.user).or_default();
    r.requests += 1;
    r.roles.extend(e.role);
    let named = cases_named(e.record.as_deref().unwrap_or_default());
    if let [one] = named.as_slice() {
        r.opened.push((e.at.0, one.clone()));
    }
    r.cases.extend(named);
}

/// What one reader did, as the log is read.
#[derive(Default)]
struct Reader {
    roles: BTreeSet<Role>,
    requests: u64,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(at: &[(i64, &str)]) -> Reader {
        Reader {
            opened: at.iter().map(|(t, c)| (*t, c.to_string())).collect(),
            ..Reader::default()
        }
    }

    #[test]
    fn the_busiest_hour_counts_distinct_cases_within_sixty_minutes() {
        let r = opened(&[
            (0, "a"),
            (10, "a"),
            (20, "b"),
            (3599, "c"),
            (3600, "d"),
            (7300, "e"),
        ]);
        // 0..3599 holds a, b, c; at 3600 the first "a" leaves but the second stays: a, b, c, d.
        assert_eq!(r.busiest_hour(), (10, 4));
        assert_eq!(opened(&[]).busiest_hour(), (0, 0));
    }

    #[test]
    fn a_record_names_its_cases_and_a_pass_link_its_pass() {
        let reference = CaseReference::from_random([7; 8]).to_string();
        let record = format!("/api/operations/1/households/{reference}/events");
        assert_eq!(cases_named(&record), vec![reference.clone()]);
        let list = format!("h::lookup {reference},{reference}");
        assert_eq!(cases_named(&list).len(), 2);
        assert_eq!(cases_named("pass/77"), vec!["pass 77".to_string()]);
        assert!(cases_named("rv/3").is_empty());
    }
}
