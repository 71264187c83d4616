//! `safeconduct store copy`: move the whole store to another database, with a spinner, and
//! report what the copy verified.
//!
//! The copy and its checks are the store's; this module only reads the key file and talks to
//! the terminal.

use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum StoreCommand {
    /// Copy every operation from one database into an empty one, then verify the copy.
    ///
    /// For moving a live operation from the embedded default to PostgreSQL: the source is read
    /// in one consistent snapshot while it keeps serving; the target is written in one
    /// transaction (all or nothing). Afterwards row counts, the event log and every
    /// operation's stage counts are compared on both sides. Point the servers at the target
    /// once the copy is verified; changes made to the source after the snapshot are not
    /// copied.
    Copy {
        /// Source database URL, e.g. sqlite:safeconduct-data/safeconduct.sqlite3.
        #[arg(long)]
        from: String,
        /// Target database URL, e.g. postgres://postgres@127.0.0.1:5432/safeconduct. Must be
        /// empty.
        #[arg(long)]
        to: String,
        /// The key file of the source (e.g. safeconduct-data/key.hex). The copy holds the same
        /// wrapped keys: serve it with the same file.
        #[arg(long, env = "SAFECONDUCT_KEY_FILE")]
        key_file: PathBuf,
    },
}

impl StoreCommand {
    pub fn run(self) -> Result<()> {
        match self {
            StoreCommand::Copy { from, to, key_file } => {
                copy_store(&from, &to, &safeconduct_keys::keyfile::load(&key_file)?)
            }
        }
    }
}

fn copy_store(from: &str, to: &str, kek: &safeconduct_store::Kek) -> Result<()> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("valid template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    let report = safeconduct_store::copy(from, to, kek, &mut |table, rows| {
        bar.set_message(format!("copying {table}: {rows} rows"));
    })
    .with_context(|| {
        format!(
            "copying {} to {}",
            safeconduct_store::redact(from),
            safeconduct_store::redact(to)
        )
    })?;
    bar.finish_and_clear();
    let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
    println!(
        "copied {rows} rows in {:.1}s; verified: row counts of {} tables, the event log, the counts of {} operation(s), and the audit chain ({} entries)",
        started.elapsed().as_secs_f64(),
        report.tables.len(),
        report.operations_checked,
        report.audit_entries
    );
    for (table, n) in &report.tables {
        println!("  {table:<14} {n}");
    }
    Ok(())
}
