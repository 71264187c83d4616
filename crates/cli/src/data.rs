//! The options every command that reads the store shares (where the data lives, the database
//! URL, the key file) and opening the store, the key encryption key and the pass keyring from
//! them.
//!
//! It knows no command: the command groups use it, it uses none of them.

use anyhow::{Context, Result};
use clap::Args;
use safeconduct_store::Store;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Clone)]
pub struct DataArgs {
    /// Directory holding the embedded database (created on first use), used when no
    /// --database is given.
    #[arg(long, env = "SAFECONDUCT_DATA", default_value = "safeconduct-data")]
    pub data: PathBuf,
    /// Database URL: sqlite:PATH (the embedded default) or postgres://user@host:port/database
    /// for several servers over one database (add ?connections=N to open up to N connections
    /// per server instead of 4).
    #[arg(long, env = "SAFECONDUCT_DATABASE")]
    pub database: Option<String>,
    /// Key encryption key file that wraps each operation's data key (which seals personal
    /// data) and pass keys: 64 hex digits, created owner-only on first use. Every server of one
    /// database needs the same file; without it the personal data cannot be read. Keep it and
    /// its backup apart from the database. Default: key.hex in the --data directory.
    #[arg(long, env = "SAFECONDUCT_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

impl DataArgs {
    pub fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data.join("key.hex"))
    }

    /// The key file, created on first use; refused when the embedded database already exists
    /// without it, since a new key would open none of its data.
    pub fn kek(&self) -> Result<safeconduct_store::Kek> {
        let path = self.key_path();
        let embedded = self.data.join("safeconduct.sqlite3");
        if self.database.is_none() && !path.exists() && embedded.exists() {
            anyhow::bail!(
                "the database {} exists but its key file {} does not: give the key file it was \
                 created with (--key-file or SAFECONDUCT_KEY_FILE)",
                embedded.display(),
                path.display()
            );
        }
        Ok(safeconduct_keys::keyfile::load_or_create(&path)?)
    }

    pub fn keyring(&self) -> Result<safeconduct_keys::passes::PassKeyring> {
        Ok(safeconduct_keys::passes::PassKeyring::new(self.kek()?))
    }

    pub fn url(&self) -> String {
        self.database.clone().unwrap_or_else(|| {
            format!("sqlite:{}", self.data.join("safeconduct.sqlite3").display())
        })
    }

    pub fn open(&self) -> Result<Arc<dyn Store>> {
        let url = self.url();
        safeconduct_store::open(&url, self.kek()?)
            .with_context(|| format!("opening the store at {}", safeconduct_store::redact(&url)))
    }

    /// The store and the pass keyring for a server, refused when the key file does not open
    /// the store's keys: a server started with the wrong one would look healthy and fail
    /// every read of personal data.
    pub fn open_to_serve(&self) -> Result<(Arc<dyn Store>, safeconduct_keys::passes::PassKeyring)> {
        let store = self.open()?;
        let keyring = self.keyring()?;
        safeconduct_keys::checkpoint::check_key_file(&keyring, store.as_ref()).with_context(
            || {
                format!(
                    "the key file {} does not fit the store at {}",
                    self.key_path().display(),
                    safeconduct_store::redact(&self.url())
                )
            },
        )?;
        Ok((store, keyring))
    }
}
