//! Persistence logic written once for every engine: which rows a step reads, which it writes,
//! in which order, inside the transaction the engine provides.
//!
//! The statements here are the common dialect of SQLite (3.39 and later) and PostgreSQL:
//! numbered parameters (`$1`), `RETURNING`, `ON CONFLICT`, `IS NOT DISTINCT FROM`, and an
//! explicit `CAST` wherever the engines would type a result differently. An engine module
//! supplies connections, transactions, its own migrations, parameter binding and error
//! mapping; nothing engine-specific appears here.

pub(crate) mod accounts;
pub(crate) mod audit;
pub(crate) mod batches;
pub(crate) mod calls;
mod case_reads;
mod casework;
pub(crate) mod counts;
pub(crate) mod custody;
pub(crate) mod devices;
pub(crate) mod flights;
pub(crate) mod gates;
pub(crate) mod hazards;
pub(crate) mod households;
pub(crate) mod incidents;
pub(crate) mod lifecycle;
mod many;
pub(crate) mod members;
pub(crate) mod operations;
pub(crate) mod outbox;
pub(crate) mod pass_links;
pub(crate) mod passes;
pub mod plans;
pub(crate) mod reasons;
pub(crate) mod rvs;
pub(crate) mod scan_effects;
pub(crate) mod scans;
pub(crate) mod sealed;
mod shred;
pub(crate) mod step;
mod store;
pub(crate) mod upgrade;
pub(crate) mod windows;

pub use store::SqlStore;

use crate::{Feed, Result, StoreError};
use tokio::sync::broadcast;

/// What an engine provides: transactions and the feed of changes.
pub trait Engine: Send + Sync + 'static {
    /// Runs `f` in a read-only transaction with a consistent view.
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T>;
    /// Runs `f`'s statements each on the latest committed state, without a transaction
    /// around them where the engine can save the cost. For reads that need no consistency
    /// across statements.
    fn read_latest<T>(&self, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.read(f)
    }
    /// Runs `f` in a write transaction, committed only if `f` succeeds. An engine may run `f`
    /// again when the transaction lost a race with another writer and was rolled back.
    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T>;
    /// Changes committed by any server sharing the store.
    fn subscribe(&self) -> broadcast::Receiver<Feed>;
}

/// A value crossing to or from an engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
}

/// `From` for every type a variant's own type converts from without loss.
macro_rules! from_lossless {
    ($variant:ident($inner:ty): $($t:ty),*) => {
        $(impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(<$inner>::from(v))
            }
        })*
    };
}
from_lossless!(Int(i64): i64);
from_lossless!(Real(f64): f64);
from_lossless!(Bool(bool): bool);
from_lossless!(Text(String): &str, String, &String);
from_lossless!(Bytes(Vec<u8>): &[u8], Vec<u8>);
/// Unsigned integers bound as `Value::Int`: every count, capacity and index fits in an `i64`.
macro_rules! from_unsigned {
    ($($t:ty),*) => {
        $(impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::Int(v as i64)
            }
        })*
    };
}
from_unsigned!(u32, u16, usize);
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

/// Parameters of a statement: `p![a, b, c]`.
macro_rules! p {
    ($($v:expr),* $(,)?) => {
        &[$($crate::sql::Value::from($v)),*][..]
    };
}
pub(crate) use p;

/// A migration: its version and the parts it is made of. The shared part is written in
/// PostgreSQL's dialect and read by each engine through its own `schema_dialect` (a table
/// ending in `WITHOUT ROWID` keeps that clause on SQLite only); an engine's own part holds
/// what the two engines do differently (triggers, rebuilding a table) and runs after it.
pub(crate) struct Migration {
    pub version: i64,
    pub shared: Option<&'static str>,
    pub postgres: Option<&'static str>,
    pub sqlite: Option<&'static str>,
}

/// `migration!(version, "file.sql", [parts])`: the parts are read from `sql/migrations/`
/// (shared), `postgres/migrations/` and `sqlite/migrations/`.
macro_rules! migration {
    ($version:literal, $file:literal, [$($part:ident)+]) => {
        Migration {
            version: $version,
            $($part: Some(migration!(@ $part $file)),)+
            ..Migration::NONE
        }
    };
    (@ shared $file:literal) => { include_str!(concat!("migrations/", $file)) };
    (@ postgres $file:literal) => { include_str!(concat!("../postgres/migrations/", $file)) };
    (@ sqlite $file:literal) => { include_str!(concat!("../sqlite/migrations/", $file)) };
}

impl Migration {
    const NONE: Migration = Migration {
        version: 0,
        shared: None,
        postgres: None,
        sqlite: None,
    };
}

/// Every migration, in order; each runs once, in the transaction of the store's opening.
/// (A migration of all three parts leaves nothing for `..Migration::NONE` to fill.)
#[rustfmt::skip]
#[allow(clippy::needless_update)]
pub(crate) const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_lifecycle.sql", [shared postgres sqlite]),
    migration!(2, "0002_scans.sql", [shared postgres sqlite]),
    migration!(3, "0003_passes.sql", [shared]),
    migration!(4, "0004_sign_in_failures.sql", [shared]),
    migration!(5, "0005_audit.sql", [shared postgres sqlite]),
    migration!(6, "0006_place_assignments.sql", [shared]),
    migration!(7, "0007_sealed.sql", [shared]),
    migration!(8, "0008_drop_clear.sql", [shared postgres]),
    migration!(9, "0009_totp.sql", [shared]),
    migration!(10, "0010_count_shards.sql", [postgres sqlite]),
    migration!(11, "0011_audit_pending.sql", [shared]),
    migration!(12, "0012_request_keys.sql", [shared]),
    migration!(13, "0013_scans_by_user.sql", [postgres sqlite]),
    migration!(14, "0014_minors.sql", [shared]),
    migration!(15, "0015_reasons_unlocked.sql", [postgres sqlite]),
    migration!(16, "0016_reasons_sealed.sql", [postgres sqlite]),
    migration!(17, "0017_tier_keys_renewed.sql", [shared]),
    migration!(18, "0018_custody_deadlines.sql", [shared]),
    migration!(19, "0019_field_devices.sql", [shared postgres sqlite]),
    migration!(20, "0020_plans.sql", [shared]),
    migration!(21, "0021_hotline_outbox.sql", [shared]),
    migration!(22, "0022_pass_links.sql", [shared]),
    migration!(23, "0023_cases_by_stage.sql", [shared]),
    migration!(24, "0024_whereabouts.sql", [shared]),
    migration!(25, "0025_field_members_and_incidents.sql", [shared]),
    migration!(26, "0026_held_flights.sql", [shared]),
    migration!(27, "0027_flights_kept.sql", [shared]),
    migration!(28, "0028_sign_in_failures_by_age.sql", [shared]),
    migration!(29, "0029_untold_households.sql", [shared]),
    migration!(30, "0030_case_reads.sql", [shared]),
    migration!(31, "0031_admitted_at_rv.sql", [shared]),
    migration!(32, "0032_pass_expiry.sql", [shared]),
    migration!(33, "0033_hazard_reporters.sql", [shared]),
    migration!(34, "0034_audit_by_operation_and_time.sql", [shared]),
    migration!(35, "0035_sessions_without_a_code.sql", [shared]),
];

/// An engine's migrations in order, as it runs them: the shared part put into the engine's
/// dialect, then the engine's own part.
pub(crate) fn migrations(
    own: fn(&Migration) -> Option<&'static str>,
    dialect: fn(&str) -> String,
) -> Vec<(i64, String)> {
    MIGRATIONS
        .iter()
        .map(|m| {
            let parts: Vec<String> = [m.shared.map(dialect), own(m).map(str::to_string)]
                .into_iter()
                .flatten()
                .collect();
            (m.version, parts.join("\n"))
        })
        .collect()
}

/// Runs `work` as a part of the transaction ([`Db::begin_part`]): kept when it succeeds,
/// undone whole when it fails (its rows, audit entries and announcements), so that a step
/// refused after it had written leaves nothing of itself behind. Parts do not nest.
pub(crate) fn in_part<T>(
    db: &mut dyn Db,
    work: impl FnOnce(&mut dyn Db) -> Result<T>,
) -> Result<T> {
    db.begin_part()?;
    match work(db) {
        Ok(done) => db.keep_part().map(|()| done),
        Err(e) => db.undo_part().and(Err(e)),
    }
}

/// Work a transaction holds until its commit, kept in step with the transaction's parts
/// ([`Db::begin_part`]): undoing a part drops what was added since it began.
pub(crate) struct Held<T> {
    items: Vec<T>,
    /// How many items there were when the part under way began.
    part: Option<usize>,
}

impl<T> Held<T> {
    pub(crate) fn new() -> Self {
        Held {
            items: Vec::new(),
            part: None,
        }
    }
    pub(crate) fn push(&mut self, item: T) {
        self.items.push(item);
    }
    pub(crate) fn items(&self) -> &[T] {
        &self.items
    }
    /// Everything held, for the commit; nothing is held afterwards.
    pub(crate) fn take(&mut self) -> Vec<T> {
        self.part = None;
        std::mem::take(&mut self.items)
    }
}

/// The marks a transaction's parts leave on what it holds ([`Held`]).
pub trait Parted {
    fn begin_part(&mut self);
    fn undo_part(&mut self);
    fn keep_part(&mut self);
}

impl<T> Parted for Held<T> {
    fn begin_part(&mut self) {
        self.part = Some(self.items.len());
    }
    fn undo_part(&mut self) {
        if let Some(len) = self.part.take() {
            self.items.truncate(len);
        }
    }
    fn keep_part(&mut self) {
        self.part = None;
    }
}

/// One result row, read by column index.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

fn unexpected(i: usize, v: &Value, want: &str) -> StoreError {
    StoreError::Internal(format!("column {i}: expected {want}, found {v:?}"))
}

impl Row {
    fn at(&self, i: usize) -> Result<&Value> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Internal(format!("no column {i}")))
    }
    pub fn i64(&self, i: usize) -> Result<i64> {
        match self.at(i)? {
            Value::Int(v) => Ok(*v),
            Value::Bool(b) => Ok(*b as i64),
            v => Err(unexpected(i, v, "an integer")),
        }
    }
    pub fn opt_i64(&self, i: usize) -> Result<Option<i64>> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.i64(i).map(Some),
        }
    }
    pub fn u32(&self, i: usize) -> Result<u32> {
        let v = self.i64(i)?;
        u32::try_from(v).map_err(|_| StoreError::Internal(format!("column {i}: {v} out of range")))
    }
    pub fn f64(&self, i: usize) -> Result<f64> {
        match self.at(i)? {
            Value::Real(v) => Ok(*v),
            Value::Int(v) => Ok(*v as f64),
            v => Err(unexpected(i, v, "a number")),
        }
    }
    pub fn text(&self, i: usize) -> Result<String> {
        match self.at(i)? {
            Value::Text(v) => Ok(v.clone()),
            v => Err(unexpected(i, v, "text")),
        }
    }
    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }
    pub fn bytes(&self, i: usize) -> Result<Vec<u8>> {
        match self.at(i)? {
            Value::Bytes(v) => Ok(v.clone()),
            v => Err(unexpected(i, v, "bytes")),
        }
    }
    pub fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.bytes(i).map(Some),
        }
    }
    pub fn bool(&self, i: usize) -> Result<bool> {
        match self.at(i)? {
            Value::Bool(b) => Ok(*b),
            Value::Int(v) => Ok(*v != 0),
            v => Err(unexpected(i, v, "a boolean")),
        }
    }
}

/// A transaction of an engine. Every method maps engine errors to [`StoreError`]s.
pub trait Db {
    /// Runs a statement and returns the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    /// Runs a query and returns all its rows.
    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    /// Runs a query expected to return at most one row.
    fn row(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }
    /// Runs a query that returns exactly one row (an `INSERT … RETURNING`, a `COUNT`).
    fn one(&mut self, sql: &str, params: &[Value]) -> Result<Row> {
        self.row(sql, params)?
            .ok_or_else(|| StoreError::Internal("a query returned no row".into()))
    }
    /// Runs a query for one row by its id in one operation (`$1` the id, `$2` the operation);
    /// no row is "not found", naming `what` and the id.
    fn row_in_operation(
        &mut self,
        sql: &str,
        what: &str,
        id: i64,
        op: safeconduct_domain::OperationId,
    ) -> Result<Row> {
        self.row(sql, &[Value::Int(id), Value::Int(op.0)])?
            .ok_or_else(|| StoreError::not_found(format!("{what} {id}")))
    }
    /// Announces a change to every server sharing this store, when the transaction commits.
    fn notify(&mut self, change: &crate::Change) -> Result<()>;
    /// What this transaction holds for its commit (announcements of changes), if anything:
    /// its parts mark it, so that undoing a part drops what the part added.
    fn held(&mut self) -> Option<&mut dyn Parted> {
        None
    }
    /// Begins a part of the transaction that can be undone alone ([`Db::undo_part`]) or kept
    /// ([`Db::keep_part`]); parts do not nest. A layer that wraps another and holds work of its
    /// own for the commit (audit entries) marks where the part began, then asks the inner one.
    fn begin_part(&mut self) -> Result<()> {
        if let Some(held) = self.held() {
            held.begin_part();
        }
        self.exec("SAVEPOINT part", &[]).map(|_| ())
    }
    /// Undoes the part begun last: its rows, audit entries and announcements.
    fn undo_part(&mut self) -> Result<()> {
        if let Some(held) = self.held() {
            held.undo_part();
        }
        self.exec("ROLLBACK TO SAVEPOINT part", &[])?;
        self.exec("RELEASE SAVEPOINT part", &[]).map(|_| ())
    }
    /// Keeps the part begun last as part of the transaction.
    fn keep_part(&mut self) -> Result<()> {
        if let Some(held) = self.held() {
            held.keep_part();
        }
        self.exec("RELEASE SAVEPOINT part", &[]).map(|_| ())
    }
    /// Draws `n` fresh ids for rows of `table` about to be inserted with explicit ids: rows
    /// whose sealed personal data binds their id must know it before they are written.
    fn next_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>>;
    /// After rows were inserted with explicit ids: new rows continue after the largest id.
    fn reset_identity(&mut self, _table: &str) -> Result<()> {
        Ok(())
    }
    /// Records an entry for the audit chain. Only the write transactions of [`SqlStore`]
    /// take entries: they write them with the change and chain them once it has committed
    /// ([`audit::Audited`]).
    fn audit(&mut self, _entry: crate::types::AuditEntry) -> Result<()> {
        Err(StoreError::Internal(
            "an audit entry was recorded outside a write transaction".into(),
        ))
    }
}

/// Encodes a serde enum as the string it serialises to.
pub(crate) fn enc<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => panic!("not a string enum: {other:?}"),
    }
}

/// Decodes a string column into a serde enum.
pub(crate) fn dec<T: serde::de::DeserializeOwned>(s: String) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.clone()))
        .map_err(|_| StoreError::Internal(format!("unexpected stored value {s:?}")))
}
