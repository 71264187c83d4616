//! The embedded SQLite backend: one file, created on first use, migrations embedded in the
//! binary. WAL mode, `synchronous=FULL` (an acknowledged step survives power loss), a busy
//! timeout, and `BEGIN IMMEDIATE` for every write so that a step's read-decide-write cannot
//! interleave with another writer.

mod cases;
mod conn;
mod places;
mod store_impl;

use crate::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use safeconduct_domain::accountability::StageCounts;
use safeconduct_domain::lifecycle::CaseState;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Migrations in order; each runs once, in its own transaction.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("migrations/0001_lifecycle.sql"))];

/// The SQLite store. One writer connection (SQLite allows one writer at a time anyway) and a
/// small pool of reader connections, which WAL lets run beside the writer.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl SqliteStore {
    /// Opens the store file at `path`, creating it and its directory on first use, and brings
    /// its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let mut writer = conn::open(path)?;
        migrate(&mut writer)?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a reader connection.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.readers.lock().expect("reader pool poisoned").pop();
        let conn = match conn {
            Some(c) => c,
            None => conn::open(&self.path)?,
        };
        let out = f(&conn);
        let mut pool = self.readers.lock().expect("reader pool poisoned");
        if pool.len() < 8 {
            pool.push(conn);
        }
        out
    }

    /// Runs `f` in an immediate write transaction, committed only if `f` succeeds.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let out = f(&tx)?;
        tx.commit().map_err(db)?;
        Ok(out)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .map_err(db)?;
    for (version, sql) in MIGRATIONS {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let done: Option<i64> = tx
            .query_row(
                "SELECT version FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        if done.is_none() {
            tx.execute_batch(sql).map_err(db)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, unixepoch())",
                [version],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)?;
    }
    Ok(())
}

/// Maps an engine error to a store error: constraint violations are conflicts, a busy or
/// unreachable file is "unavailable", anything else is internal.
pub(crate) fn db(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) => match f.code {
            ErrorCode::ConstraintViolation => StoreError::Conflict(format!(
                "the change conflicts with stored data ({})",
                msg.as_deref().unwrap_or("constraint")
            )),
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Internal(e.to_string()),
        },
        _ => StoreError::Internal(e.to_string()),
    }
}

/// Collects the rows of a query, mapping engine errors once.
pub(crate) trait CollectRows<T> {
    fn all(self) -> Result<Vec<T>>;
}

impl<T, I: Iterator<Item = rusqlite::Result<T>>> CollectRows<T> for rusqlite::Result<I> {
    fn all(self) -> Result<Vec<T>> {
        self.map_err(db)?
            .collect::<rusqlite::Result<Vec<T>>>()
            .map_err(db)
    }
}

/// Encodes a serde enum as the string it serialises to.
pub(crate) fn enc<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => panic!("not a string enum: {other:?}"),
    }
}

/// Decodes a string column into a serde enum.
pub(crate) fn dec<T: DeserializeOwned>(s: String) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.clone()))
        .map_err(|_| StoreError::Internal(format!("unexpected stored value {s:?}")))
}

pub(crate) fn stage(s: String) -> Result<Stage> {
    Stage::parse(&s).ok_or_else(|| StoreError::Internal(format!("unknown stage {s:?}")))
}

/// Adds `households` and `people` to the counts of a stage, for the operation and for the
/// RV and gate the case is placed at.
fn bump(
    tx: &Transaction<'_>,
    op: OperationId,
    case: &CaseState,
    households: i64,
    people: i64,
) -> Result<()> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO stage_counts (operation_id, scope, scope_id, stage, households, people)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (operation_id, scope, scope_id, stage) DO UPDATE
             SET households = households + excluded.households, people = people + excluded.people",
        )
        .map_err(db)?;
    let stage = case.stage.as_str();
    stmt.execute(params![op.0, "operation", 0, stage, households, people])
        .map_err(db)?;
    if let Some(rv) = case.rv {
        stmt.execute(params![op.0, "rv", rv.0, stage, households, people])
            .map_err(db)?;
    }
    if let Some(gate) = case.gate {
        stmt.execute(params![op.0, "gate", gate.0, stage, households, people])
            .map_err(db)?;
    }
    Ok(())
}

/// Moves a case's people in the maintained counts, and its seats between windows.
fn move_case(
    tx: &Transaction<'_>,
    op: OperationId,
    before: &CaseState,
    after: &CaseState,
) -> Result<()> {
    let size = before.size as i64;
    bump(tx, op, before, -1, -size)?;
    bump(tx, op, after, 1, size)?;
    let seat = |c: &CaseState| c.window.filter(|_| c.stage.holds_window_seat());
    let (old, new) = (seat(before), seat(after));
    if old != new {
        if let Some(w) = old {
            tx.execute(
                "UPDATE windows SET assigned_people = assigned_people - ?1 WHERE id = ?2",
                params![size, w.0],
            )
            .map_err(db)?;
        }
        if let Some(w) = new {
            tx.execute(
                "UPDATE windows SET assigned_people = assigned_people + ?1 WHERE id = ?2",
                params![size, w.0],
            )
            .map_err(db)?;
        }
    }
    Ok(())
}

pub(crate) fn read_counts(rows: Vec<(String, i64, i64)>) -> Result<StageCounts> {
    let mut counts = StageCounts::default();
    for (s, h, p) in rows {
        counts.add(stage(s)?, h, p);
    }
    Ok(counts.normalised())
}

pub(crate) fn ts(v: i64) -> Timestamp {
    Timestamp(v)
}
