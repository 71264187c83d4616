//! The audit log: one SHA-256 hash chain over every entry, written inside the transaction of
//! the change it records (or before the read it records) and linked under a lock on the chain
//! head, so that concurrent writers, on any number of servers, make one chain. A write transaction
//! writes its entries to `audit_pending` ([`Audited`]); right after it commits, a chaining
//! transaction ([`chain`]) moves them into the chain, so only chaining holds the head, and one
//! chaining serves many writers and reads at once ([`GroupCommit`]).
//!
//! `hash(n) = SHA-256("safeconduct audit v1" ‖ 0x00 ‖ hash(n-1) ‖ seq ‖ at ‖ fields)`, with
//! `hash(0)` 32 zero bytes, seq and at as 8-byte big-endian, and each field (operation id,
//! user id, role, device, action, record, reason) as 0x00 when absent or 0x01 ‖ length
//! (4 bytes BE) ‖ UTF-8 bytes (ids in decimal).
//!
//! A stated reason is sealed before it is chained and opened when entries are read
//! ([`with_reason_sealed`], [`entries_opened`]: `reasons` holds the sealing).

use sha2::{Digest, Sha256};

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};

use super::many::insert_rows;
use super::{Db, Held, Parted, Row, Value, p};
use crate::types::{Actor, AuditBreak, AuditCheckpoint, AuditEntry, AuditKey, AuditReport};
use crate::vault::Vault;
use crate::{Result, StoreError};
use safeconduct_domain::OperationId;
use safeconduct_domain::values::Timestamp;

pub(crate) const GENESIS: [u8; 32] = [0; 32];

fn field(h: &mut Sha256, value: Option<&str>) {
    match value {
        None => h.update([0]),
        Some(v) => {
            h.update([1]);
            h.update((v.len() as u32).to_be_bytes());
            h.update(v.as_bytes());
        }
    }
}

/// The hash of an entry, given the hash before it.
pub fn entry_hash(prev: &[u8; 32], seq: i64, e: &AuditEntry) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"safeconduct audit v1\0");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(e.at.0.to_be_bytes());
    field(&mut h, e.operation.map(|o| o.0.to_string()).as_deref());
    field(&mut h, e.user.map(|u| u.0.to_string()).as_deref());
    field(&mut h, e.role.map(|r| r.as_str()));
    field(&mut h, e.device.as_deref());
    field(&mut h, Some(&e.action));
    field(&mut h, e.record.as_deref());
    field(&mut h, e.reason.as_deref());
    h.finalize().into()
}

fn hash32(bytes: Vec<u8>) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| crate::StoreError::Internal("a stored audit hash is not 32 bytes".into()))
}

/// Records `entry` in the write transaction `db`: it is written as pending with the change
/// and chained once the change commits (see [`Audited`]).
pub(crate) fn record(db: &mut dyn Db, entry: AuditEntry) -> Result<()> {
    db.audit(entry)
}

/// Records the entry of a change `actor` made to `record` (`kind/id`).
pub(crate) fn change(
    db: &mut dyn Db,
    actor: &Actor,
    op: Option<OperationId>,
    action: &str,
    record: String,
) -> Result<()> {
    self::record(db, AuditEntry::by(actor, op, action, Some(record)))
}

/// Pending entries read per statement while chaining.
const PENDING_PAGE: i64 = 5000;

/// The columns of an entry, in the order of `ENTRY_COLUMNS`.
const ENTRY_COLUMNS: &str = "at, operation_id, user_id, role, device, action, record, reason";

fn entry_values(e: &AuditEntry) -> Vec<Value> {
    p![
        e.at.0,
        e.operation.map(|o| o.0),
        e.user.map(|u| u.0),
        e.role.map(|r| r.as_str()),
        e.device.clone(),
        e.action.as_str(),
        e.record.clone(),
        e.reason.clone(),
    ]
    .to_vec()
}

/// The entry in `ENTRY_COLUMNS` order from column `from` of `r`.
fn entry_at(r: &Row, from: usize) -> Result<AuditEntry> {
    Ok(AuditEntry {
        at: Timestamp(r.i64(from)?),
        operation: r.opt_i64(from + 1)?.map(safeconduct_domain::OperationId),
        user: r.opt_i64(from + 2)?.map(safeconduct_domain::UserId),
        role: r.opt_text(from + 3)?.map(|s| s.parse()).transpose()?,
        device: r.opt_text(from + 4)?,
        action: r.text(from + 5)?,
        record: r.opt_text(from + 6)?,
        reason: r.opt_text(from + 7)?,
    })
}

/// Moves every pending entry into the chain, then appends `reads`; returns the sequence
/// numbers of `reads`. Locks the chain head first, so one chaining transaction runs at a time
/// on every server, and reads the pending entries only then: each is chained exactly once.
pub(crate) fn chain(db: &mut dyn Db, reads: &[AuditEntry]) -> Result<Vec<i64>> {
    let head = db.one(
        "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
        &[],
    )?;
    let (mut seq, mut prev) = (head.i64(0)?, hash32(head.bytes(1)?)?);
    let mut link = |e: &AuditEntry| {
        seq += 1;
        let hash = entry_hash(&prev, seq, e);
        let mut row = vec![Value::Int(seq)];
        row.extend(entry_values(e));
        row.extend([Value::from(&prev[..]), Value::from(&hash[..])]);
        prev = hash;
        (seq, row)
    };
    let mut rows = Vec::new();
    loop {
        // Taken and removed in one statement; the head's lock keeps other chainings out, and
        // an entry whose change has not committed yet stays for the next chaining. The page
        // is a range of ids, bounded once: whatever the planner believes of the table's size
        // (a pending table analysed while empty), it is one pass, never a loop per entry.
        let mut page = db.rows(
            &format!(
                "DELETE FROM audit_pending
                 WHERE id <= (SELECT MAX(id) FROM
                              (SELECT id FROM audit_pending ORDER BY id LIMIT $1) AS page)
                 RETURNING id, {ENTRY_COLUMNS}"
            ),
            p![PENDING_PAGE],
        )?;
        page.sort_by_key(|r| r.i64(0).unwrap_or_default());
        for r in &page {
            rows.push(link(&entry_at(r, 1)?).1);
        }
        if (page.len() as i64) < PENDING_PAGE {
            break;
        }
    }
    let mut seqs = Vec::with_capacity(reads.len());
    for e in reads {
        let (s, row) = link(e);
        seqs.push(s);
        rows.push(row);
    }
    if rows.is_empty() {
        return Ok(seqs);
    }
    insert_rows(
        db,
        "audit_log",
        &format!("seq, {ENTRY_COLUMNS}, prev_hash, hash"),
        &rows,
        "",
    )?;
    db.exec(
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
        p![seq, &prev[..]],
    )?;
    Ok(seqs)
}

/// A write transaction that writes its audit entries to `audit_pending` when its work is done;
/// [`chain`] moves them into the chain once it has committed. The chain head is a single row
/// that every chaining on every server updates: writers that held it until their own commit
/// would queue behind each other.
pub(crate) struct Audited<'a> {
    db: &'a mut dyn Db,
    entries: Held<AuditEntry>,
}

impl<'a> Audited<'a> {
    pub(crate) fn new(db: &'a mut dyn Db) -> Self {
        Audited {
            db,
            entries: Held::new(),
        }
    }

    /// Writes the entries recorded as pending; the caller commits next, then chains them.
    /// Says whether there were any.
    pub(crate) fn finish(self) -> Result<bool> {
        let rows: Vec<Vec<Value>> = self.entries.items().iter().map(entry_values).collect();
        insert_rows(self.db, "audit_pending", ENTRY_COLUMNS, &rows, "")?;
        Ok(!rows.is_empty())
    }
}

impl Db for Audited<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.db.exec(sql, params)
    }
    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        self.db.rows(sql, params)
    }
    fn notify(&mut self, change: &crate::Change) -> Result<()> {
        self.db.notify(change)
    }
    fn next_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>> {
        self.db.next_ids(table, n)
    }
    fn reset_identity(&mut self, table: &str) -> Result<()> {
        self.db.reset_identity(table)
    }
    fn audit(&mut self, entry: AuditEntry) -> Result<()> {
        self.entries.push(entry);
        Ok(())
    }
    // Parts mark the entries held here, then are begun, undone or kept in the inner
    // transaction (which marks what it holds in turn).
    fn begin_part(&mut self) -> Result<()> {
        self.entries.begin_part();
        self.db.begin_part()
    }
    fn undo_part(&mut self) -> Result<()> {
        self.entries.undo_part();
        self.db.undo_part()
    }
    fn keep_part(&mut self) -> Result<()> {
        self.entries.keep_part();
        self.db.keep_part()
    }
}

/// Chaining transactions, shared by callers: a caller who needs the chain brought up to date
/// (a writer after its commit, or a read with its own entry, [`crate::Store::audit`]) queues;
/// while one caller's chaining runs the others wait, then the next caller to find the queue
/// idle runs one chaining for everyone queued meanwhile, which also takes every pending entry
/// committed before it began. Each caller returns only once a chaining that began after it
/// queued has committed: a change is in the chain when it is acknowledged, and a read is never
/// answered before its entry is durable. Under load many callers share one transaction.
pub(crate) struct GroupCommit {
    state: Mutex<Queue>,
    written: Condvar,
}

#[derive(Default)]
struct Queue {
    next_ticket: u64,
    waiting: Vec<(u64, Option<AuditEntry>)>,
    writing: bool,
    outcomes: HashMap<u64, Result<Option<i64>>>,
}

/// Most read entries written in one transaction.
const GROUP_LIMIT: usize = 512;

impl GroupCommit {
    pub(crate) fn new() -> Self {
        GroupCommit {
            state: Mutex::new(Queue::default()),
            written: Condvar::new(),
        }
    }

    /// Runs `chain` (a write transaction of the store taking every pending entry, then
    /// appending the read entries it is given) for this caller and whoever else queued.
    /// Returns the sequence number of `entry`, if one was given.
    pub(crate) fn join(
        &self,
        entry: Option<AuditEntry>,
        chain: impl Fn(&[AuditEntry]) -> Result<Vec<i64>>,
    ) -> Result<Option<i64>> {
        let lock = || self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut queue = lock();
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.waiting.push((ticket, entry));
        loop {
            if let Some(outcome) = queue.outcomes.remove(&ticket) {
                return outcome;
            }
            if queue.writing {
                queue = self.written.wait(queue).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            let take = queue.waiting.len().min(GROUP_LIMIT);
            let group: Vec<(u64, Option<AuditEntry>)> = queue.waiting.drain(..take).collect();
            queue.writing = true;
            drop(queue);
            let reads: Vec<AuditEntry> = group.iter().filter_map(|(_, e)| e.clone()).collect();
            let written = chain(&reads);
            queue = lock();
            queue.writing = false;
            // The read entries' sequence numbers, in the order they were given.
            let mut seqs = written.as_ref().ok().map(|s| s.iter().copied());
            for (t, e) in &group {
                let outcome = match &written {
                    Err(err) => Err(shared(err)),
                    Ok(_) => Ok(e.as_ref().and_then(|_| seqs.as_mut()?.next())),
                };
                queue.outcomes.insert(*t, outcome);
            }
            self.written.notify_all();
        }
    }
}

/// The same failure, for each caller whose entry was in a group that failed.
fn shared(e: &StoreError) -> StoreError {
    match e {
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
        StoreError::NotFound(m) => StoreError::NotFound(m.clone()),
        StoreError::Shredded(op) => StoreError::Shredded(*op),
        other => StoreError::Internal(other.to_string()),
    }
}

/// An entry as stored: its sequence number, the entry, the hash before it and its own.
type Stored = (i64, AuditEntry, [u8; 32], [u8; 32]);

fn entry(r: &Row) -> Result<Stored> {
    Ok((
        r.i64(0)?,
        entry_at(r, 1)?,
        hash32(r.bytes(9)?)?,
        hash32(r.bytes(10)?)?,
    ))
}

/// Entries from `after` (exclusive), at most `limit`, in chain order.
pub(crate) fn entries(db: &mut dyn Db, after: i64, limit: i64) -> Result<Vec<Stored>> {
    db.rows(
        &format!(
            "SELECT seq, {ENTRY_COLUMNS}, prev_hash, hash
             FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
        ),
        p![after, limit],
    )?
    .iter()
    .map(entry)
    .collect()
}

/// `entry` with its stated reason sealed under its operation's data key, like any text a
/// person typed; a read of a shredded operation is refused here.
pub(crate) fn with_reason_sealed(
    db: &mut dyn Db,
    vault: &Vault,
    entry: &AuditEntry,
) -> Result<AuditEntry> {
    let mut entry = entry.clone();
    if let Some(reason) = entry.reason.take() {
        let op = entry.operation.ok_or_else(|| {
            StoreError::Internal("a stated reason needs the operation it is about".into())
        })?;
        entry.reason = Some(super::reasons::seal(db, vault, op, entry.at, &reason)?);
    }
    Ok(entry)
}

/// Entries from `after` (exclusive), at most `limit`, in chain order, each stated reason
/// opened (`None` once its operation was shredded).
pub(crate) fn entries_opened(
    db: &mut dyn Db,
    vault: &Vault,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, AuditEntry)>> {
    entries(db, after, limit)?
        .into_iter()
        .map(|(seq, mut e, _, _)| {
            if let Some(stored) = e.reason.take() {
                e.reason = super::reasons::open(db, vault, e.operation, e.at, &stored)?;
            }
            Ok((seq, e))
        })
        .collect()
}

/// The entries of `op` after `after` (time, then sequence number), at most `limit`, in that
/// order, without their stated reasons (over the index `audit_log_operation_at`).
pub(crate) fn operation_entries(
    db: &mut dyn Db,
    op: OperationId,
    after: (Timestamp, i64),
    limit: i64,
) -> Result<Vec<(i64, AuditEntry)>> {
    db.rows(
        &format!(
            "SELECT seq, {ENTRY_COLUMNS} FROM audit_log
             WHERE operation_id = $1 AND (at > $2 OR (at = $2 AND seq > $3))
             ORDER BY operation_id, at, seq LIMIT $4"
        ),
        p![op.0, after.0.0, after.1, limit],
    )?
    .iter()
    .map(|r| {
        let mut e = entry_at(r, 1)?;
        e.reason = None;
        Ok((r.i64(0)?, e))
    })
    .collect()
}

/// Recomputes the whole chain, page by page, and compares it with the stored head and every
/// checkpoint. Reports the first broken link.
pub(crate) fn verify(db: &mut dyn Db) -> Result<AuditReport> {
    let head = db.one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?;
    let (head_seq, head_hash) = (head.i64(0)?, hash32(head.bytes(1)?)?);
    let checkpoints = checkpoints(db)?;
    let mut expected_seq = 1;
    let mut prev = GENESIS;
    let mut first_break = None;
    let mut recomputed_at = std::collections::HashMap::new();
    'pages: loop {
        let page = entries(db, expected_seq - 1, 5000)?;
        if page.is_empty() {
            break;
        }
        for (seq, e, stored_prev, stored_hash) in page {
            let problem = if seq != expected_seq {
                Some(AuditBreak::Missing { seq: expected_seq })
            } else if stored_prev != prev {
                Some(AuditBreak::Relinked { seq })
            } else if entry_hash(&prev, seq, &e) != stored_hash {
                Some(AuditBreak::Altered { seq })
            } else {
                None
            };
            if let Some(p) = problem {
                first_break = Some(p);
                break 'pages;
            }
            if checkpoints.iter().any(|c| c.seq == seq) {
                recomputed_at.insert(seq, stored_hash);
            }
            prev = stored_hash;
            expected_seq = seq + 1;
        }
    }
    let entries = expected_seq - 1;
    if first_break.is_none() {
        if let Some(c) = checkpoints.iter().find(|c| c.seq > entries) {
            first_break = Some(AuditBreak::Truncated {
                entries,
                checkpoint: c.seq,
            });
        } else if let Some(c) = checkpoints
            .iter()
            .find(|c| recomputed_at.get(&c.seq) != Some(&c.hash))
        {
            first_break = Some(AuditBreak::CheckpointMismatch { seq: c.seq });
        } else if head_seq != entries || (entries > 0 && head_hash != prev) {
            first_break = Some(AuditBreak::Truncated {
                entries,
                checkpoint: head_seq,
            });
        }
    }
    Ok(AuditReport {
        entries,
        head: prev,
        first_break,
        checkpoints,
    })
}

pub(crate) fn checkpoints(db: &mut dyn Db) -> Result<Vec<AuditCheckpoint>> {
    db.rows(
        "SELECT seq, hash, at, kid, signature FROM audit_checkpoints ORDER BY seq",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(AuditCheckpoint {
            seq: r.i64(0)?,
            hash: hash32(r.bytes(1)?)?,
            at: Timestamp(r.i64(2)?),
            kid: r.bytes(3)?,
            signature: r.bytes(4)?,
        })
    })
    .collect()
}

/// The current head: entries so far and the last hash.
pub(crate) fn head(db: &mut dyn Db) -> Result<(i64, [u8; 32])> {
    let r = db.one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?;
    Ok((r.i64(0)?, hash32(r.bytes(1)?)?))
}

pub(crate) fn add_checkpoint(db: &mut dyn Db, c: &AuditCheckpoint) -> Result<()> {
    db.exec(
        "INSERT INTO audit_checkpoints (seq, hash, at, kid, signature) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (seq) DO NOTHING",
        p![
            c.seq,
            &c.hash[..],
            c.at.0,
            c.kid.as_slice(),
            c.signature.as_slice()
        ],
    )?;
    Ok(())
}

pub(crate) fn audit_key(db: &mut dyn Db) -> Result<Option<AuditKey>> {
    db.row(
        "SELECT kid, public_key, wrapped_secret, created_at FROM audit_keys
         ORDER BY created_at DESC, kid LIMIT 1",
        &[],
    )?
    .map(|r| {
        let bad = |_| crate::StoreError::Internal("a stored audit key is malformed".into());
        Ok(AuditKey {
            kid: r.bytes(0)?.try_into().map_err(bad)?,
            public_key: r.bytes(1)?.try_into().map_err(bad)?,
            wrapped_secret: r.bytes(2)?,
            created_at: Timestamp(r.i64(3)?),
        })
    })
    .transpose()
}

/// Stores the audit key unless there is one; returns the stored one.
pub(crate) fn init_audit_key(db: &mut dyn Db, key: &AuditKey) -> Result<AuditKey> {
    if let Some(existing) = audit_key(db)? {
        return Ok(existing);
    }
    db.exec(
        "INSERT INTO audit_keys (kid, public_key, wrapped_secret, created_at) VALUES ($1, $2, $3, $4)",
        p![&key.kid[..], &key.public_key[..], key.wrapped_secret.as_slice(), key.created_at.0],
    )?;
    Ok(key.clone())
}
