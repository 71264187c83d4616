//! The PostgreSQL engine, for several app servers over one durable, replicated database.
//!
//! A small pool of connections (four per server unless the URL says `connections=N`: several
//! servers share one database, whose cores bound how many statements run at once); a connection that broke is dropped and a new one opened on
//! the next request, so a server whose database restarts reconnects by itself, and requests
//! during an outage fail fast as `Unavailable`. Writes run in READ COMMITTED transactions;
//! exactly-once comes from the version guard on the case row and CHECK constraints on
//! capacities, and a transaction that loses a deadlock or serialisation race is run again.
//! Changes are announced with `pg_notify` and received by a listener connection on every
//! server.

mod listen;

use crate::sql::{Db, Engine, Held, Parted, Row, SqlStore, Value, upgrade};
use crate::vault::Vault;
use crate::{Change, Feed, Result, StoreError};
use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, GenericClient, NoTls, Statement};
use safeconduct_pass::Kek;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// The shared migrations are written for PostgreSQL; only SQLite's `WITHOUT ROWID` goes.
pub(crate) fn schema_dialect(sql: &str) -> String {
    sql.replace(") WITHOUT ROWID;", ");")
}

/// The channel changes are announced on.
pub(crate) const CHANNEL: &str = "safeconduct_changes";

/// Connections one server opens at most, unless its database URL says `connections=N`. On
/// the project's 2-core machines four per server gave shorter tails than eight, with one
/// server and with three (docs/benchmarks.md).
const DEFAULT_CONNECTIONS: usize = 4;
/// Most connections a URL may ask for: PostgreSQL refuses more than `max_connections` (100 by
/// default) across every client.
const MOST_CONNECTIONS: usize = 1000;
/// How long a request waits for a free connection before it is refused as unavailable.
const CHECKOUT_WAIT: Duration = Duration::from_secs(5);
/// How many times a write that lost a race is run again.
const WRITE_ATTEMPTS: usize = 5;

/// The store on PostgreSQL.
pub type PgStore = SqlStore<PgEngine>;

pub struct PgEngine {
    config: postgres::Config,
    max_connections: usize,
    idle: Mutex<Vec<PgConn>>,
    returned: Condvar,
    open: AtomicUsize,
    changes: broadcast::Sender<Feed>,
    /// The listener thread stops when the engine is dropped.
    _alive: std::sync::Arc<()>,
}

struct PgConn {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`), brings its schema
    /// up to date, and starts listening for changes from other servers.
    pub fn connect(url: &str, kek: Kek) -> Result<Self> {
        let (url, max_connections) = pool_size(url)?;
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("invalid PostgreSQL URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(2));
        }
        config.application_name("safeconduct");
        let changes = broadcast::channel(4096).0;
        let alive = std::sync::Arc::new(());
        let engine = PgEngine {
            config,
            max_connections,
            idle: Mutex::new(Vec::new()),
            returned: Condvar::new(),
            open: AtomicUsize::new(0),
            changes,
            _alive: alive.clone(),
        };
        let mut conn = engine.connect()?;
        let vault = Vault::new(kek);
        migrate(&mut conn, &vault)?;
        engine.open.fetch_add(1, Ordering::SeqCst);
        engine.give_back(conn);
        listen::spawn(
            engine.config.clone(),
            engine.changes.clone(),
            std::sync::Arc::downgrade(&alive),
        );
        let store = SqlStore::new(engine, vault);
        store.chain_pending()?;
        Ok(store)
    }
}

impl Drop for PgEngine {
    /// The synchronous client runs its own small runtime and may not be dropped on a thread
    /// that drives async tasks: the pool is emptied on a thread of its own.
    fn drop(&mut self) {
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|p| p.into_inner()));
        let _ = std::thread::spawn(move || drop(idle)).join();
    }
}

impl PgEngine {
    fn connect(&self) -> Result<PgConn> {
        let client = self
            .config
            .connect(NoTls)
            .map_err(|e| StoreError::Unavailable(format!("cannot reach PostgreSQL: {e}")))?;
        Ok(PgConn {
            client,
            statements: HashMap::new(),
        })
    }

    /// A connection from the pool, a new one while fewer than the maximum are open, or a wait
    /// for one to come back.
    fn checkout(&self) -> Result<PgConn> {
        let deadline = Instant::now() + CHECKOUT_WAIT;
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            while let Some(conn) = idle.pop() {
                if !conn.client.is_closed() {
                    return Ok(conn);
                }
                self.open.fetch_sub(1, Ordering::SeqCst);
            }
            if self.open.load(Ordering::SeqCst) < self.max_connections {
                self.open.fetch_add(1, Ordering::SeqCst);
                drop(idle);
                return self.connect().inspect_err(|_| {
                    self.open.fetch_sub(1, Ordering::SeqCst);
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Unavailable(format!(
                    "all {} database connections are busy",
                    self.max_connections
                )));
            }
            idle = self
                .returned
                .wait_timeout(idle, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn give_back(&self, conn: PgConn) {
        if conn.client.is_closed() {
            self.open.fetch_sub(1, Ordering::SeqCst);
        } else {
            self.idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(conn);
        }
        self.returned.notify_one();
    }

    fn transaction<T>(
        &self,
        read_only: bool,
        f: &mut dyn FnMut(&mut dyn Db) -> Result<T>,
    ) -> (Result<T>, bool) {
        let mut conn = match self.checkout() {
            Ok(c) => c,
            Err(e) => return (Err(e), false),
        };
        let mut retry = false;
        let out = (|| {
            let PgConn { client, statements } = &mut conn;
            let mut builder = client.build_transaction();
            if read_only {
                builder = builder
                    .isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .read_only(true);
            }
            let mut tx = builder.start().map_err(|e| pg(e, &mut retry))?;
            let mut handle = PgDb {
                conn: &mut tx,
                statements,
                retry: false,
                notes: Held::new(),
            };
            let out = f(&mut handle).and_then(|v| handle.announce().map(|()| v));
            retry = handle.retry;
            let value = out?;
            tx.commit().map_err(|e| pg(e, &mut retry))?;
            Ok(value)
        })();
        self.give_back(conn);
        (out, retry)
    }

    /// Statements on their own, each seeing the latest committed state: no round trips for
    /// BEGIN and COMMIT.
    fn statements<T>(&self, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        let mut conn = self.checkout()?;
        let out = {
            let PgConn { client, statements } = &mut conn;
            let mut handle = PgDb {
                conn: client,
                statements,
                retry: false,
                notes: Held::new(),
            };
            f(&mut handle).and_then(|v| handle.announce().map(|()| v))
        };
        self.give_back(conn);
        out
    }
}

/// Takes safeconduct's own `connections=N` parameter out of a database URL (the driver does
/// not know it): the URL left for the driver and the most connections this server opens.
fn pool_size(url: &str) -> Result<(String, usize)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), DEFAULT_CONNECTIONS));
    };
    let mut size = DEFAULT_CONNECTIONS;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("connections=") {
            Some(n) => {
                size = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=MOST_CONNECTIONS).contains(n))
                    .ok_or_else(|| {
                        StoreError::Unavailable(format!(
                            "invalid PostgreSQL URL: connections must be a whole number from 1 \
                             to {MOST_CONNECTIONS}, not {n:?}"
                        ))
                    })?
            }
            None => rest.push(pair),
        }
    }
    let url = match rest.is_empty() {
        true => base.to_string(),
        false => format!("{base}?{}", rest.join("&")),
    };
    Ok((url, size))
}

fn migrate(conn: &mut PgConn, vault: &Vault) -> Result<()> {
    let mut retry = false;
    let PgConn { client, statements } = conn;
    let mut tx = client.transaction().map_err(|e| pg(e, &mut retry))?;
    // Several servers may start at once: one migrates, the others wait for it.
    tx.execute("SELECT pg_advisory_xact_lock(7243591)", &[])
        .map_err(|e| pg(e, &mut retry))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .map_err(|e| pg(e, &mut retry))?;
    let mut rewritten = false;
    for (version, sql) in &crate::sql::migrations(|m| m.postgres, schema_dialect) {
        let done = tx
            .query_opt(
                "SELECT version FROM schema_migrations WHERE version = $1",
                &[version],
            )
            .map_err(|e| pg(e, &mut retry))?;
        if done.is_none() {
            rewritten |= upgrade::before(
                *version,
                &mut PgDb {
                    conn: &mut tx,
                    statements: &mut *statements,
                    retry: false,
                    notes: Held::new(),
                },
                vault,
            )?;
            tx.batch_execute(sql).map_err(|e| pg(e, &mut retry))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, extract(epoch from now())::bigint)",
                &[version],
            )
            .map_err(|e| pg(e, &mut retry))?;
        }
    }
    tx.commit().map_err(|e| pg(e, &mut retry))?;
    if rewritten {
        // Rows rewritten by an upgrade leave no old version behind in the tables' files.
        client
            .batch_execute(
                "VACUUM FULL households, people, documents, events, audit_log, audit_pending",
            )
            .map_err(|e| pg(e, &mut retry))?;
    }
    Ok(())
}

/// Maps an engine error to a store error, and notes whether the transaction may be run again.
fn pg(e: postgres::Error, retry: &mut bool) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            *retry = true;
            return StoreError::Conflict("the change raced another one; try again".into());
        }
        if *code == SqlState::UNIQUE_VIOLATION
            || *code == SqlState::CHECK_VIOLATION
            || *code == SqlState::FOREIGN_KEY_VIOLATION
            || *code == SqlState::NOT_NULL_VIOLATION
        {
            return StoreError::Conflict(format!(
                "the change conflicts with stored data ({})",
                db.message()
            ));
        }
        if *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
            || code.code().starts_with("08")
        {
            return StoreError::Unavailable(db.message().to_string());
        }
        return StoreError::Internal(format!("{}: {}", code.code(), db.message()));
    }
    if e.is_closed() || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>()) {
        return StoreError::Unavailable(format!("lost the database connection: {e}"));
    }
    StoreError::Internal(e.to_string())
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => v.to_string().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(v) => v.as_str().to_sql(ty, out),
            Value::Bytes(v) => v.as_slice().to_sql(ty, out),
            Value::Bool(v) => match *ty {
                Type::INT2 | Type::INT4 | Type::INT8 => Value::Int(*v as i64).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn read_value(row: &postgres::Row, i: usize) -> Result<Value> {
    let ty = row.columns()[i].type_();
    Ok(match *ty {
        Type::INT8 => column::<i64>(row, i)?.map(Value::Int),
        Type::INT4 => column::<i32>(row, i)?.map(|v| Value::Int(v as i64)),
        Type::INT2 => column::<i16>(row, i)?.map(|v| Value::Int(v as i64)),
        Type::FLOAT8 => column::<f64>(row, i)?.map(Value::Real),
        Type::FLOAT4 => column::<f32>(row, i)?.map(|v| Value::Real(v as f64)),
        Type::BOOL => column::<bool>(row, i)?.map(Value::Bool),
        Type::BYTEA => column::<Vec<u8>>(row, i)?.map(Value::Bytes),
        Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => {
            column::<String>(row, i)?.map(Value::Text)
        }
        ref other => {
            return Err(StoreError::Internal(format!(
                "column {i}: unsupported type {other}"
            )));
        }
    }
    .unwrap_or(Value::Null))
}

/// Column `i` of `row` as a `T`, or `None` for NULL.
fn column<'a, T: FromSql<'a>>(row: &'a postgres::Row, i: usize) -> Result<Option<T>> {
    row.try_get::<_, Option<T>>(i)
        .map_err(|e| StoreError::Internal(format!("column {i}: {e}")))
}

/// Statements on a connection, inside a transaction or not.
struct PgDb<'a, C: GenericClient> {
    conn: &'a mut C,
    statements: &'a mut HashMap<String, Statement>,
    retry: bool,
    /// Announcements of the work so far, each once, sent by [`PgDb::announce`].
    notes: Held<String>,
}

impl<C: GenericClient> PgDb<'_, C> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.conn.prepare(sql).map_err(|e| pg(e, &mut self.retry))?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    /// Sends the announcements recorded: a run of steps announces each distinct change
    /// once. Inside a transaction they are delivered when, and only if, it commits.
    fn announce(&mut self) -> Result<()> {
        for payload in self.notes.take() {
            self.exec(
                "SELECT pg_notify($1, $2)",
                &[Value::Text(CHANNEL.into()), Value::Text(payload)],
            )?;
        }
        Ok(())
    }

    fn params(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
        params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
    }
}

impl<C: GenericClient> Db for PgDb<'_, C> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let stmt = self.statement(sql)?;
        self.conn
            .execute(&stmt, &Self::params(params))
            .map_err(|e| pg(e, &mut self.retry))
    }

    fn rows(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let rows = self
            .conn
            .query(&stmt, &Self::params(params))
            .map_err(|e| pg(e, &mut self.retry))?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| read_value(r, i))
                    .collect::<Result<Vec<_>>>()
                    .map(Row)
            })
            .collect()
    }

    fn notify(&mut self, change: &Change) -> Result<()> {
        let payload =
            serde_json::to_string(change).map_err(|e| StoreError::Internal(e.to_string()))?;
        if !self.notes.items().contains(&payload) {
            self.notes.push(payload);
        }
        Ok(())
    }

    fn held(&mut self) -> Option<&mut dyn Parted> {
        Some(&mut self.notes)
    }

    fn next_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        self.rows(
            &format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
            ),
            &[Value::Int(n as i64)],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect()
    }

    /// Every column of `table` that PostgreSQL numbers itself, found in the catalogue (there is
    /// no list of them to keep), goes on after the largest value copied into it.
    fn reset_identity(&mut self, table: &str) -> Result<()> {
        let numbered = self.rows(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
            &[Value::Text(table.to_string())],
        )?;
        for row in numbered {
            let column = row.text(0)?;
            self.exec(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
                ),
                &[],
            )?;
        }
        Ok(())
    }
}

impl Engine for PgEngine {
    fn read<T>(&self, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.transaction(true, f).0
    }

    fn read_latest<T>(&self, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.statements(f)
    }

    fn write<T>(&self, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        let mut attempt = 1;
        loop {
            match self.transaction(false, f) {
                (Err(_), true) if attempt < WRITE_ATTEMPTS => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(5 * attempt as u64));
                }
                (out, _) => return out,
            }
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Feed> {
        self.changes.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_size_comes_out_of_the_url_and_the_rest_stays() {
        let base = "postgres://postgres@127.0.0.1:5432/db";
        assert_eq!(
            pool_size(base).unwrap(),
            (base.to_string(), DEFAULT_CONNECTIONS)
        );
        assert_eq!(
            pool_size(&format!("{base}?connections=12")).unwrap(),
            (base.to_string(), 12)
        );
        assert_eq!(
            pool_size(&format!(
                "{base}?sslmode=disable&connections=2&connect_timeout=3"
            ))
            .unwrap(),
            (format!("{base}?sslmode=disable&connect_timeout=3"), 2)
        );
        assert_eq!(
            pool_size(&format!("{base}?sslmode=disable")).unwrap(),
            (format!("{base}?sslmode=disable"), DEFAULT_CONNECTIONS)
        );
        for bad in ["0", "-1", "four", "", "1001"] {
            let e = pool_size(&format!("{base}?connections={bad}")).unwrap_err();
            assert!(
                e.to_string().contains("connections must be a whole number"),
                "{bad}: {e}"
            );
        }
    }
}
