//! Moving an operation's whole store from one engine to another (the embedded default to
//! PostgreSQL when an operation outgrows one machine), and checking the copy.

use crate::copy_tables::TABLES;
use crate::postgres::PgStore;
use crate::sql::{Db, Engine, Row, Value, counts, operations};
use crate::sqlite::SqliteStore;
use crate::{Kek, Result, Store, StoreError, redact};
use safeconduct_domain::values::Timestamp;
use std::hash::{Hash, Hasher};

/// Rows read and written per round trip.
const PAGE: usize = 5000;

/// What a copy moved and how it was checked.
#[derive(Debug, Clone, Default)]
pub struct CopyReport {
    /// Rows per table, equal on both sides.
    pub tables: Vec<(String, u64)>,
    /// Entries of the audit chain, verified on the copy from the first to its head.
    pub audit_entries: u64,
    /// Operations whose accountability check and maintained counts agree on both sides.
    pub operations_checked: usize,
}

/// Each boxed: a store is opened once per copy, and the two differ in size.
enum Opened {
    Sqlite(Box<SqliteStore>),
    Postgres(Box<PgStore>),
}

impl Opened {
    fn open(url: &str, kek: &Kek) -> Result<Self> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Ok(Opened::Sqlite(Box::new(SqliteStore::open(
                std::path::Path::new(path),
                kek.clone(),
            )?)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Opened::Postgres(Box::new(PgStore::connect(
                url,
                kek.clone(),
            )?)))
        } else {
            Err(StoreError::Unavailable(format!(
                "unknown database URL {:?}",
                redact(url)
            )))
        }
    }
}

fn with_read<T>(o: &Opened, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
    match o {
        Opened::Sqlite(s) => s.engine.read(f),
        Opened::Postgres(s) => s.engine.read(f),
    }
}

/// Fails unless every operation's data key, shredded ones aside, opens with the key file.
fn check_data_keys(o: &Opened) -> Result<usize> {
    match o {
        Opened::Sqlite(s) => s.check_key(),
        Opened::Postgres(s) => s.check_key(),
    }
}

fn with_write<T>(o: &Opened, f: &mut dyn FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
    match o {
        Opened::Sqlite(s) => s.engine.write(f),
        Opened::Postgres(s) => s.engine.write(f),
    }
}

/// Copies everything from the store at `from` into the empty store at `to`, in one read
/// transaction on the source (a consistent snapshot of a live store) and one write
/// transaction on the target (all or nothing), then checks row counts, the event log and
/// every operation's accountability on both sides, and that every operation's data key opens
/// with `kek` in the copy. `progress` hears each table as it goes.
pub fn copy(
    from: &str,
    to: &str,
    kek: &Kek,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<CopyReport> {
    if from == to {
        return Err(StoreError::Conflict(
            "the source and the target are the same database".into(),
        ));
    }
    let source = Opened::open(from, kek)?;
    let target = Opened::open(to, kek)?;
    let existing = with_read(&target, &mut |db| {
        db.one("SELECT COUNT(*) FROM operations", &[])?.i64(0)
    })?;
    if existing > 0 {
        return Err(StoreError::Conflict(format!(
            "the target {} already holds {existing} operation(s); copy only into an empty store",
            redact(to)
        )));
    }
    check_data_keys(&source)?;
    with_read(&source, &mut |src| {
        with_write(&target, &mut |dst| {
            for (table, columns) in TABLES {
                let copied = copy_table(src, dst, table, columns, &mut *progress)?;
                progress(table, copied);
                dst.reset_identity(table)?;
            }
            // The chain's head row exists in every store; it takes the source's value.
            let head = src.one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?;
            dst.exec(
                "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
                &head.0,
            )?;
            Ok(())
        })
    })?;
    // The tables grew from nothing in one transaction: give the planner their sizes.
    with_write(&target, &mut |dst| dst.exec("ANALYZE", &[]).map(|_| ()))?;
    verify(&source, &target)
}

fn copy_table(
    src: &mut dyn Db,
    dst: &mut dyn Db,
    table: &str,
    columns: &[&str],
    progress: &mut dyn FnMut(&str, u64),
) -> Result<u64> {
    let list = columns.join(", ");
    let order = if columns[0] == "id" {
        "id".to_string()
    } else {
        list.clone()
    };
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO {table} ({list}) VALUES ({})",
        placeholders.join(", ")
    );
    let mut offset = 0u64;
    loop {
        let rows = src.rows(
            &format!("SELECT {list} FROM {table} ORDER BY {order} LIMIT {PAGE} OFFSET {offset}"),
            &[],
        )?;
        for row in &rows {
            dst.exec(&insert, &row.0)?;
        }
        offset += rows.len() as u64;
        progress(table, offset);
        if rows.len() < PAGE {
            return Ok(offset);
        }
    }
}

fn digest(rows: &[Row]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    for r in rows {
        for v in &r.0 {
            match v {
                Value::Null => 0u8.hash(&mut h),
                Value::Int(i) => i.hash(&mut h),
                Value::Bool(b) => (*b as i64).hash(&mut h),
                Value::Real(f) => f.to_bits().hash(&mut h),
                Value::Text(t) => t.hash(&mut h),
                Value::Bytes(b) => b.hash(&mut h),
            }
        }
    }
    h.finish()
}

fn verify(source: &Opened, target: &Opened) -> Result<CopyReport> {
    let mut report = CopyReport::default();
    for (table, _) in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let a = with_read(source, &mut |db| db.one(&sql, &[])?.i64(0))?;
        let b = with_read(target, &mut |db| db.one(&sql, &[])?.i64(0))?;
        if a != b {
            return Err(StoreError::Internal(format!(
                "{table}: {a} rows in the source, {b} in the copy"
            )));
        }
        report.tables.push((table.to_string(), a as u64));
    }
    // The event log compared row by row, every column the copy moved.
    let columns = TABLES
        .iter()
        .find(|(table, _)| *table == "events")
        .map(|(_, columns)| columns.join(", "))
        .ok_or_else(|| StoreError::Internal("the copy moves no events table".into()))?;
    let events = format!("SELECT {columns} FROM events ORDER BY id");
    let a = with_read(source, &mut |db| db.rows(&events, &[]).map(|r| digest(&r)))?;
    let b = with_read(target, &mut |db| db.rows(&events, &[]).map(|r| digest(&r)))?;
    if a != b {
        return Err(StoreError::Internal(
            "the event log of the copy differs from the source".into(),
        ));
    }
    let ops = with_read(source, &mut |db| operations::operations(db))?;
    for op in &ops {
        let a = with_read(source, &mut |db| {
            counts::accountability(db, op.id, Timestamp(0))
        })?;
        let b = with_read(target, &mut |db| {
            counts::accountability(db, op.id, Timestamp(0))
        })?;
        if a != b {
            return Err(StoreError::Internal(format!(
                "operation {}: the counts of the copy differ",
                op.id
            )));
        }
    }
    check_data_keys(target)?;
    report.operations_checked = ops.len();
    let chain = with_read(target, &mut |db| super::sql::audit::verify(db))?;
    if let Some(b) = chain.first_break {
        return Err(StoreError::Internal(format!(
            "the audit chain of the copy does not verify: {b}"
        )));
    }
    // The source may have moved on since the snapshot: the copy's chain must be a prefix of
    // the source's.
    let seq = chain.entries;
    let at_source = with_read(source, &mut |db| {
        db.row(
            "SELECT hash FROM audit_log WHERE seq = $1",
            &[Value::Int(seq)],
        )?
        .map(|r| r.bytes(0))
        .transpose()
    })?;
    if seq > 0 && at_source.as_deref() != Some(&chain.head[..]) {
        return Err(StoreError::Internal(
            "the audit chain of the copy differs from the source".into(),
        ));
    }
    report.audit_entries = chain.entries as u64;
    Ok(report)
}
