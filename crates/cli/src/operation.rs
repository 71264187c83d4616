//! `safeconduct operation`: create, list, close and shred operations.
//!
//! It holds no rule of its own about operations beyond what the command line checks (the
//! name typed out before a shred); the store decides, and refuses.

use crate::data::DataArgs;
use anyhow::{Context, Result};
use clap::Subcommand;
use safeconduct_domain::OperationId;
use safeconduct_store::Store;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum OperationCommand {
    /// Create an operation and print its id.
    Create {
        /// A name people recognise, e.g. "Kabul airlift".
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List operations.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Close an operation: it takes no new households. Everything else goes on.
    Close {
        operation: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Destroy a closed operation's data key, so that its personal data (names, birth dates,
    /// phones, document numbers, notes) can never be read again, by anyone.
    ///
    /// Its pass signing and tier keys are destroyed with it: no pass of the operation is given
    /// out or verifies again. Counts, the event log, pass statuses and the audit chain stay
    /// and still verify. Write the aggregate statistics first with --stats. Backups taken
    /// before shredding still hold the wrapped data key: destroy them, or the key file, too.
    ///
    /// Refused while anyone is in escort or unaccounted: their records are how they are found.
    /// --force-with-reason shreds anyway; the audit log records that the shred was forced and
    /// how many people were in escort and unaccounted (not the reason's words, which could
    /// name people and could no longer be sealed).
    Shred {
        operation: i64,
        /// The operation's name, typed out: shredding cannot be undone.
        #[arg(long)]
        confirm: String,
        /// Write the operation's aggregate statistics (counts by stage, per RV and gate, and
        /// the accountability check) to this JSON file before shredding. Refused if the file
        /// exists.
        #[arg(long)]
        stats: Option<PathBuf>,
        /// Shred even though people are in escort or unaccounted, for the reason stated here.
        #[arg(long, value_name = "TEXT")]
        force_with_reason: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

impl OperationCommand {
    pub fn run(self) -> Result<()> {
        match self {
            OperationCommand::Create { name, data } => {
                let store = data.open()?;
                let op = store.create_operation(&name, safeconduct_keys::now())?;
                println!("{}", op.id);
                Ok(())
            }
            OperationCommand::List { data } => {
                let store = data.open()?;
                for op in store.operations()? {
                    let state = match (op.closed_at, op.shredded_at) {
                        (_, Some(_)) => "shredded",
                        (Some(_), None) => "closed",
                        (None, None) => "open",
                    };
                    println!("{}\t{}\t{state}", op.id, op.name);
                }
                Ok(())
            }
            OperationCommand::Close { operation, data } => {
                let store = data.open()?;
                let op = store.close_operation(
                    OperationId(operation),
                    &safeconduct_store::Actor::system(safeconduct_keys::now()),
                )?;
                println!(
                    "operation {} ({}) closed at {}: it takes no new households",
                    op.id,
                    op.name,
                    op.closed_at.unwrap_or(op.created_at).rfc3339()
                );
                Ok(())
            }
            OperationCommand::Shred {
                operation,
                confirm,
                stats,
                force_with_reason,
                data,
            } => {
                // A forced shred needs a real statement, checked before anything is done.
                let forced = force_with_reason
                    .map(|r| {
                        safeconduct_domain::values::Text::parse("--force-with-reason", &r, 500)
                    })
                    .transpose()?
                    .is_some();
                shred(
                    data.open()?.as_ref(),
                    OperationId(operation),
                    &confirm,
                    stats.as_deref(),
                    forced,
                )
            }
        }
    }
}

fn shred(
    store: &dyn Store,
    id: OperationId,
    confirm: &str,
    stats: Option<&std::path::Path>,
    forced: bool,
) -> Result<()> {
    let op = store.operation(id)?;
    if confirm != op.name {
        anyhow::bail!(
            "--confirm must be the operation's name, {:?}; nothing was shredded",
            op.name
        );
    }
    if op.shredded_at.is_some() {
        anyhow::bail!("operation {id} was already shredded");
    }
    if op.closed_at.is_none() {
        anyhow::bail!(
            "operation {id} is still open; close it first (safeconduct operation close {id}); nothing was shredded"
        );
    }
    // The store refuses this too, in the shred's own transaction; asked here first so that a
    // refused shred writes no statistics file.
    let counts = store.stage_counts(id, safeconduct_store::CountScope::Operation)?;
    let on_the_way = |stage| counts.people.get(&stage).copied().unwrap_or(0);
    let (in_escort, unaccounted) = (
        on_the_way(safeconduct_domain::Stage::InEscort),
        on_the_way(safeconduct_domain::Stage::Unaccounted),
    );
    if (in_escort > 0 || unaccounted > 0) && !forced {
        anyhow::bail!(
            "operation {id} has {in_escort} people in escort and {unaccounted} unaccounted: their \
             records are how they are found. Bring them in or account for them first, or shred \
             anyway with --force-with-reason TEXT; nothing was shredded"
        );
    }
    if let Some(path) = stats {
        let counts = store.operation_counts(id)?;
        let out = serde_json::json!({
            "operation": { "id": op.id.0, "name": op.name },
            "exported_at": safeconduct_keys::now().rfc3339(),
            "accountability": crate::statistics::accountability(store.accountability(id, safeconduct_keys::now())?),
            "rvs": counts.rvs.into_iter().map(|(rv, c)| serde_json::json!({
                "rv": rv.0, "counts": crate::statistics::counts(c)
            })).collect::<Vec<_>>(),
            "gates": counts.gates.into_iter().map(|(gate, c)| serde_json::json!({
                "gate": gate.0, "counts": crate::statistics::counts(c)
            })).collect::<Vec<_>>(),
        });
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .with_context(|| format!("creating {}; nothing was shredded", path.display()))?;
        serde_json::to_writer_pretty(&mut file, &out)?;
        std::io::Write::write_all(&mut file, b"\n")?;
        file.sync_all()?;
        println!("aggregate statistics written to {}", path.display());
    }
    let op = store.shred_operation(
        id,
        &safeconduct_store::Actor::system(safeconduct_keys::now()),
        forced,
    )?;
    println!(
        "operation {} ({}) shredded at {}: its personal data can no longer be read. Counts and the audit chain remain (safeconduct audit verify).",
        op.id,
        op.name,
        op.shredded_at.unwrap_or(op.created_at).rfc3339()
    );
    Ok(())
}
