//! The embedded SQLite engine: one file, created on first use, migrations embedded in the
//! binary. WAL mode, `synchronous=FULL` (an acknowledged step survives power loss), a busy
//! timeout, and `BEGIN IMMEDIATE` for every write so that a step's read-decide-write cannot
//! interleave with another writer.

use crate::sql::{Db, Engine, Row, SqlStore, Value, upgrade};
use crate::vault::Vault;
use crate::{Change, Feed, Result, StoreError};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use safeconduct_pass::Kek;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::broadcast;

/// Migrations in order; each runs once, in its own transaction.
const MIGRATIONS: &[(i64, &str)] = crate::sql::migrations!();

/// The store on SQLite.
pub type SqliteStore = SqlStore<SqliteEngine>;

/// One writer connection (SQLite allows one writer at a time anyway) and a small pool of
/// reader connections, which WAL lets run beside the writer.
pub struct SqliteEngine {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    changes: broadcast::Sender<Feed>,
}

impl SqliteStore {
    /// Opens the store file at `path`, creating it and its directory on first use, and brings
    /// its schema up to date. Personal data is sealed under data keys wrapped by `kek`.
    pub fn open(path: &Path, kek: Kek) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let mut writer = open(path)?;
        let vault = Vault::new(kek);
        migrate(&mut writer, &vault)?;
        let store = SqlStore::new(
            SqliteEngine {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
                changes: broadcast::channel(1024).0,
            },
            vault,
        );
        store.chain_pending()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.engine.path
    }
}

fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)
        .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
    // Every statement of the store stays prepared: with the default of 16, most steps would
    // prepare their statements again.
    conn.set_prepared_statement_cache_capacity(512);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA cache_size = -16000;",
    )
    .map_err(db)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, vault: &Vault) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .map_err(db)?;
    let mut rewritten = false;
    // Every pending migration and its upgrade in one transaction, as on PostgreSQL: a failed
    // upgrade leaves the schema as it was, never half-way (migration 15 lifts the append-only
    // triggers that 16 restores).
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    for (version, sql) in MIGRATIONS {
        let done: Option<i64> = tx
            .query_row(
                "SELECT version FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        if done.is_none() {
            rewritten |= upgrade::before(
                *version,
                &mut SqliteTx {
                    conn: &tx,
                    pending: Vec::new(),
                    part: None,
                },
                vault,
            )?;
            tx.execute_batch(sql).map_err(db)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, unixepoch())",
                [version],
            )
            .map_err(db)?;
        }
    }
    tx.commit().map_err(db)?;
    if rewritten {
        // Rows rewritten by an upgrade leave no old copy behind in the file.
        conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(db)?;
    }
    Ok(())
}

/// Maps an engine error to a store error: constraint violations are conflicts, a busy or
/// unreachable file is "unavailable", anything else is internal.
fn db(e: rusqlite::Error) -> StoreError {
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

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Bytes(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            Value::Bool(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v as i64)),
        })
    }
}

/// `$1` parameters of the common dialect become SQLite's `?1`.
fn dialect(sql: &str) -> std::borrow::Cow<'_, str> {
    if sql.contains('$') {
        std::borrow::Cow::Owned(sql.replace('$', "?"))
    } else {
        std::borrow::Cow::Borrowed(sql)
    }
}

struct SqliteTx<'a> {
    conn: &'a Connection,
    pending: Vec<Change>,
    /// How many announcements there were when the part under way began.
    part: Option<usize>,
}

impl Db for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(&dialect(sql)).map_err(db)?;
        stmt.execute(rusqlite::params_from_iter(params))
            .map(|n| n as u64)
            .map_err(db)
    }

    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut stmt = self.conn.prepare_cached(&dialect(sql)).map_err(db)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params)).map_err(db)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(db)? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(match r.get_ref(i).map_err(db)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                });
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    fn notify(&mut self, change: &Change) -> Result<()> {
        self.pending.push(change.clone());
        Ok(())
    }

    fn begin_part(&mut self) -> Result<()> {
        self.part = Some(self.pending.len());
        self.exec("SAVEPOINT part", &[]).map(|_| ())
    }

    fn undo_part(&mut self) -> Result<()> {
        if let Some(len) = self.part.take() {
            self.pending.truncate(len);
        }
        self.exec("ROLLBACK TO SAVEPOINT part", &[])?;
        self.exec("RELEASE SAVEPOINT part", &[]).map(|_| ())
    }

    fn keep_part(&mut self) -> Result<()> {
        self.part = None;
        self.exec("RELEASE SAVEPOINT part", &[]).map(|_| ())
    }

    /// The next ids after the largest: this transaction is the only writer.
    fn next_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>> {
        let last = self
            .one(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"), &[])?
            .i64(0)?;
        Ok((last + 1..=last + n as i64).collect())
    }
}

impl Engine for SqliteEngine {
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => open(&self.path)?,
        };
        let out = {
            let tx = conn.transaction().map_err(db)?;
            let out = f(&mut SqliteTx {
                conn: &tx,
                pending: Vec::new(),
                part: None,
            });
            tx.finish().map_err(db)?;
            out
        };
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < 8 {
            pool.push(conn);
        }
        out
    }

    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let mut handle = SqliteTx {
            conn: &tx,
            pending: Vec::new(),
            part: None,
        };
        let out = f(&mut handle)?;
        let pending = std::mem::take(&mut handle.pending);
        tx.commit().map_err(db)?;
        for change in pending {
            // Nobody listening is not an error.
            let _ = self.changes.send(Feed::Change(change));
        }
        Ok(out)
    }

    fn subscribe(&self) -> broadcast::Receiver<Feed> {
        self.changes.subscribe()
    }
}
