//! The after-run check: every acknowledged write read back from the database the servers
//! share, opened with their key file. Knows nothing of HTTP.

use crate::args::Args;
use anyhow::{Context, Result};

/// Households in the operation now, read from the database given with --verify-database.
pub fn households_now(args: &Args) -> Result<u64> {
    let op = safeconduct_domain::OperationId(args.operation);
    Ok(open_database(args)?
        .stage_counts(op, safeconduct_store::CountScope::Operation)?
        .total_households())
}

/// The database given with --verify-database, read with the key file.
pub fn open_database(args: &Args) -> Result<std::sync::Arc<dyn safeconduct_store::Store>> {
    let url = args
        .verify_database
        .as_deref()
        .context("no --verify-database")?;
    let key_file = args.key_file.as_ref().context("no --key-file")?;
    let kek = safeconduct_keys::keyfile::load(key_file)?;
    Ok(safeconduct_store::open(url, kek)?)
}

/// Acknowledged writes (reference, the stage it must have reached) that the database does
/// not hold, and accountability problems; prints how many registrations committed without
/// their answer reaching the client (counting from `households_before`).
pub fn lost_writes(
    args: &Args,
    acknowledged: &[(String, &'static str)],
    households_before: Option<u64>,
) -> Result<Vec<String>> {
    let op = safeconduct_domain::OperationId(args.operation);
    let store = open_database(args)?;
    let mut missing = Vec::new();
    for (reference, stage) in acknowledged {
        let r = safeconduct_domain::CaseReference::parse(reference)?;
        match store.household(op, &r) {
            Ok(h)
                if *stage == "admitted_at_rv"
                    && h.stage != safeconduct_domain::Stage::AdmittedAtRv =>
            {
                missing.push(format!("{reference}: admission lost (stage {})", h.stage))
            }
            Ok(_) => {}
            Err(e) => missing.push(format!("{reference}: {e}")),
        }
    }
    let report = store.accountability(op, safeconduct_keys::now())?;
    if !report.ok() {
        missing.push(format!("accountability: {:?}", report.problems));
    }
    println!(
        "verified {} acknowledged writes against the database",
        acknowledged.len()
    );
    let registered = acknowledged
        .iter()
        .filter(|(_, s)| *s == "registered")
        .count();
    let during = households_now(args)? - households_before.unwrap_or_default();
    println!(
        "households registered during the load: {during}, of which answered {registered} \
         and committed without an answer {}",
        during.saturating_sub(registered as u64)
    );
    Ok(missing)
}
