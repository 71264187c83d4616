//! Opening a connection with the settings every connection needs.

use super::db;
use crate::{Result, StoreError};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

pub(super) fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)
        .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -16000;",
    )
    .map_err(db)?;
    Ok(conn)
}
