//! `safeconduct audit`: verify the audit chain and its signed checkpoints, and sign a
//! checkpoint of its head.
//!
//! It knows nothing of the chain's hashing: the store recomputes it, the checkpoint signing
//! belongs to the key file's side.

use crate::data::DataArgs;
use anyhow::{Context, Result};
use clap::Subcommand;
use safeconduct_store::Store;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit chain from its first entry, compare it with its head and every
    /// signed checkpoint, and report the first broken link. Exits with 1 when the log does
    /// not verify.
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Sign the current head of the audit chain and print the checkpoint, to keep apart from
    /// the database as proof of the log's state now. Servers also sign one every 10 minutes.
    Checkpoint {
        #[command(flatten)]
        data: DataArgs,
    },
}

impl AuditCommand {
    pub fn run(self) -> Result<()> {
        match self {
            AuditCommand::Verify { data } => {
                if !audit_verify(data.open()?.as_ref(), &data.keyring()?)? {
                    std::process::exit(1);
                }
                Ok(())
            }
            AuditCommand::Checkpoint { data } => {
                let c = safeconduct_keys::checkpoint::checkpoint(
                    &data.keyring()?,
                    data.open()?.as_ref(),
                    safeconduct_keys::now(),
                )?;
                println!(
                    "entry {} hash {} at {} key {} signature {}",
                    c.seq,
                    hex(&c.hash),
                    c.at.rfc3339(),
                    hex(&c.kid),
                    hex(&c.signature)
                );
                Ok(())
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Prints what the audit chain check found; returns whether the log verifies.
fn audit_verify(
    store: &dyn Store,
    keyring: &safeconduct_keys::passes::PassKeyring,
) -> Result<bool> {
    let report = store.verify_audit().context("reading the audit log")?;
    let forged = safeconduct_keys::checkpoint::forged_checkpoints(
        keyring,
        store,
        &report.checkpoints,
        safeconduct_keys::now(),
    )?;
    match report.first_break {
        None => println!(
            "audit chain intact: {} entries, head {}",
            report.entries,
            hex(&report.head)
        ),
        Some(b) => println!(
            "audit chain BROKEN: {b}; the {} entries before it verify",
            report.entries
        ),
    }
    let signed = report.checkpoints.len() - forged.len();
    println!(
        "{signed} of {} checkpoint(s) signed by this store's audit key{}",
        report.checkpoints.len(),
        report
            .checkpoints
            .last()
            .map(|c| format!("; the last at entry {}, {}", c.seq, c.at.rfc3339()))
            .unwrap_or_default()
    );
    for seq in &forged {
        println!("checkpoint at entry {seq}: signature does NOT verify");
    }
    Ok(report.first_break.is_none() && forged.is_empty())
}
