//! Shredding a closed operation: its data key and pass keys destroyed in one transaction.

use super::operations::operation;
use super::{Db, audit, p, passes};
use crate::types::*;
use crate::vault::Vault;
use crate::{Result, StoreError};
use safeconduct_domain::*;

/// People of the operation in escort and unaccounted: nobody knows yet where they are.
fn people_on_the_way(db: &mut dyn Db, op: OperationId) -> Result<(i64, i64)> {
    let r = db.one(
        "SELECT CAST(COALESCE(SUM(CASE WHEN stage = 'in_escort' THEN people ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN stage = 'unaccounted' THEN people ELSE 0 END), 0) AS BIGINT)
         FROM stage_counts
         WHERE operation_id = $1 AND scope = 'operation' AND stage IN ('in_escort', 'unaccounted')",
        p![op.0],
    )?;
    Ok((r.i64(0)?, r.i64(1)?))
}

/// Destroys a closed operation's data key, with its pass signing and tier keys, in one
/// transaction: its personal data can never be read again, and no pass of it verifies or is
/// given out. Counts, events, passes' status and the audit chain stay.
///
/// Refused while anyone is in escort or unaccounted (their records are how they are found)
/// unless `forced`: the entry of a forced shred says so, with how many people were in escort
/// and unaccounted. The coordinator's own words are not kept: written after the shred they
/// could not be sealed, and people write names into them.
pub(crate) fn shred_operation(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    actor: &Actor,
    forced: bool,
) -> Result<Operation> {
    let operation = operation(db, op)?;
    if operation.closed_at.is_none() {
        return Err(StoreError::Conflict(format!(
            "operation {op} is still open: close it before shredding its personal data"
        )));
    }
    if operation.shredded_at.is_some() {
        return Err(StoreError::Shredded(op));
    }
    let (in_escort, unaccounted) = people_on_the_way(db, op)?;
    if (in_escort > 0 || unaccounted > 0) && !forced {
        return Err(StoreError::Conflict(format!(
            "operation {op} has {in_escort} people in escort and {unaccounted} unaccounted: \
             their records are how they are found; bring them in (or account for them) first, \
             or force the shred with a stated reason; nothing was shredded"
        )));
    }
    vault.shred(db, op, actor.at.0)?;
    passes::destroy_keys(db, op)?;
    // The one clear fact about a person (a possible minor, read by the verify-documents rule)
    // goes with the rest.
    db.exec(
        "UPDATE people SET minor = $2 WHERE operation_id = $1",
        p![op.0, false],
    )?;
    let mut entry = AuditEntry::by(
        actor,
        Some(op),
        "operation_shredded",
        Some(format!("operation/{}", op.0)),
    );
    if forced {
        entry.reason = Some(format!(
            "forced by the coordinator with {in_escort} people in escort and {unaccounted} \
             unaccounted"
        ));
    }
    audit::record(db, entry)?;
    super::operations::operation(db, op)
}
