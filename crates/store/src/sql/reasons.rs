//! Free-text reasons (a rejection's, a withdrawal's, a revocation's, the `X-Reason` of a read)
//! as they are kept: sealed under the operation's data key like every other personal datum,
//! because people write names and circumstances into them. The sealed text is what the event
//! and the audit entry hold, and what the audit chain hashes: once the operation is shredded
//! the reason can never be read again, and the chain still verifies.
//!
//! A stored reason is `sealed:` and the hex of the sealed bytes; the associated data binds it
//! to its operation and its time. A reason without the prefix is a statement the system wrote
//! (no person typed it) and is kept as it is.
//!
//! Imports nothing of the subjects; the vault seals.

use super::Db;
use crate::Result;
use crate::StoreError;
use crate::vault::{Record, Vault};
use safeconduct_domain::OperationId;
use safeconduct_domain::values::Timestamp;

const PREFIX: &str = "sealed:";

/// Whether a stored reason is sealed.
pub(crate) fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// The stored form of `reason`, stated at `at` in `op`.
pub(crate) fn seal(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    at: Timestamp,
    reason: &str,
) -> Result<String> {
    let key = vault.key(db, op)?;
    let sealed = key.seal(Record::Reason, at.0, &reason);
    let mut out = String::with_capacity(PREFIX.len() + sealed.len() * 2);
    out.push_str(PREFIX);
    for b in sealed {
        out.push_str(&format!("{b:02x}"));
    }
    Ok(out)
}

/// The reason as it was stated, or `None` when the operation was shredded.
pub(crate) fn open(
    db: &mut dyn Db,
    vault: &Vault,
    op: Option<OperationId>,
    at: Timestamp,
    stored: &str,
) -> Result<Option<String>> {
    let Some(hex) = stored.strip_prefix(PREFIX) else {
        return Ok(Some(stored.to_string()));
    };
    let damaged = || StoreError::Internal("a sealed reason is not hex".into());
    let op = op.ok_or_else(|| StoreError::Internal("a sealed reason has no operation".into()))?;
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(damaged)?;
    match vault.key(db, op) {
        Ok(key) => Ok(Some(key.open(Record::Reason, at.0, &bytes)?)),
        Err(StoreError::Shredded(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
