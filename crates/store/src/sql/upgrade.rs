//! Upgrades of stored data that SQL alone cannot make. An engine's migration runner calls
//! [`before`] inside the transaction of each migration, before that migration's SQL: the
//! upgrade and the schema change commit together or not at all. When [`before`] reports that
//! it rewrote personal data, the engine compacts the tables afterwards so that no old copy of
//! a row is left in the database files.

use super::sealed::{DocumentFields, HouseholdFields, PersonFields};
use super::{Db, Row, audit, dec, p, reasons};
use crate::types::{Actor, AuditEntry};
use crate::vault::{DataKey, Index, Record, Vault};
use crate::{Result, StoreError};
use safeconduct_domain::OperationId;
use safeconduct_domain::values::Timestamp;

/// Returns true when personal data stored in clear was rewritten.
pub(crate) fn before(version: i64, db: &mut dyn Db, vault: &Vault) -> Result<bool> {
    match version {
        // Migration 8 drops the columns that held personal data in clear.
        8 => seal_clear_personal_data(db, vault),
        // Migration 15 lifted the append-only triggers for this; migration 16 restores them.
        16 => seal_clear_reasons(db, vault),
        _ => Ok(false),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Gives every operation a data key and seals the personal data written before encryption
/// at rest existed.
fn seal_clear_personal_data(db: &mut dyn Db, vault: &Vault) -> Result<bool> {
    let now = now();
    let unkeyed = db.rows(
        "SELECT id FROM operations WHERE id NOT IN (SELECT operation_id FROM operation_keys)",
        p![],
    )?;
    for r in unkeyed {
        vault.create_key(db, OperationId(r.i64(0)?), now)?;
    }
    let mut sealed = seal_each(
        db,
        vault,
        "SELECT id, operation_id, contact_phone, notes FROM households WHERE sealed IS NULL",
        |db, r, id, key| {
            let fields = HouseholdFields {
                contact_phone: r.opt_text(2)?,
                notes: r.opt_text(3)?,
                ..HouseholdFields::default()
            };
            db.exec(
                "UPDATE households SET sealed = $2, phone_index = $3 WHERE id = $1",
                p![
                    id,
                    key.seal(Record::Household, id, &fields),
                    fields
                        .contact_phone
                        .as_deref()
                        .map(|p| key.index(Index::Phone, p)),
                ],
            )
        },
    )?;
    sealed += seal_each(
        db,
        vault,
        "SELECT id, operation_id, name_latin, name_native, birth_date, nationality, phone, language
         FROM people WHERE sealed IS NULL",
        |db, r, id, key| {
            let fields = PersonFields {
                latin: r.text(2)?,
                native: r.opt_text(3)?,
                birth_date: r.opt_text(4)?,
                nationality: r.opt_text(5)?,
                phone: r.opt_text(6)?,
                language: r.opt_text(7)?.map(dec).transpose()?,
            };
            let (phone_index, name_index) = fields.indexes(key)?;
            db.exec(
                "UPDATE people SET sealed = $2, phone_index = $3, name_index = $4 WHERE id = $1",
                p![
                    id,
                    key.seal(Record::Person, id, &fields),
                    phone_index,
                    name_index
                ],
            )
        },
    )?;
    sealed += seal_each(
        db,
        vault,
        "SELECT id, operation_id, number, issuing_country, expiry FROM documents WHERE sealed IS NULL",
        |db, r, id, key| {
            let fields = DocumentFields {
                number: r.text(2)?,
                issuing_country: r.opt_text(3)?,
                expiry: r.opt_text(4)?,
            };
            db.exec(
                "UPDATE documents SET sealed = $2, number_index = $3 WHERE id = $1",
                p![
                    id,
                    key.seal(Record::Document, id, &fields),
                    key.index(Index::Document, &fields.number),
                ],
            )
        },
    )?;
    if sealed > 0 {
        tracing::info!(records = sealed, "sealed personal data stored in clear");
    }
    Ok(sealed > 0)
}

/// Seals every row `select` returns (its id and operation id first): `seal` writes the sealed
/// row with the operation's data key. Returns how many rows were sealed.
fn seal_each(
    db: &mut dyn Db,
    vault: &Vault,
    select: &str,
    seal: impl Fn(&mut dyn Db, &Row, i64, &DataKey) -> Result<u64>,
) -> Result<usize> {
    let rows = db.rows(select, p![])?;
    for r in &rows {
        let (id, key) = (r.i64(0)?, vault.key(db, OperationId(r.i64(1)?))?);
        seal(db, r, id, &key)?;
    }
    Ok(rows.len())
}

/// A reason stated in clear, as it is kept from now on: sealed under its operation's data key,
/// or withheld (`None`) when there is no key to seal it under (the operation was shredded, or
/// the entry names none): then nobody may read it anyway.
fn sealed_or_withheld(
    db: &mut dyn Db,
    vault: &Vault,
    op: Option<OperationId>,
    at: Timestamp,
    clear: &str,
) -> Result<Option<String>> {
    let Some(op) = op else {
        return Ok(None);
    };
    match reasons::seal(db, vault, op, at, clear) {
        Ok(sealed) => Ok(Some(sealed)),
        Err(StoreError::Shredded(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Seals the reasons stated before reasons were sealed, in the events, the pending audit
/// entries and the audit chain. The chain hashed each entry's reason as it was stored, so the
/// entries from the first one rewritten are linked again over the sealed text, the head moves
/// with them, and the signed checkpoints from that entry on, which no longer match, are
/// withdrawn. An entry appended at the end says so, with the head as it was: a copy of an
/// earlier checkpoint kept elsewhere is matched against that.
fn seal_clear_reasons(db: &mut dyn Db, vault: &Vault) -> Result<bool> {
    let mut sealed = 0usize;
    let events = db.rows(
        "SELECT id, operation_id, at, detail FROM events WHERE detail LIKE '%\"reason\"%'",
        p![],
    )?;
    for r in &events {
        let bad = |_| StoreError::Internal("an event's detail is not JSON".into());
        let mut detail: serde_json::Value = serde_json::from_str(&r.text(3)?).map_err(bad)?;
        let Some(clear) = detail["reason"]
            .as_str()
            .filter(|s| !reasons::is_sealed(s))
            .map(str::to_owned)
        else {
            continue;
        };
        let op = Some(OperationId(r.i64(1)?));
        detail["reason"] = sealed_or_withheld(db, vault, op, Timestamp(r.i64(2)?), &clear)?.into();
        db.exec(
            "UPDATE events SET detail = $2 WHERE id = $1",
            p![r.i64(0)?, detail.to_string()],
        )?;
        sealed += 1;
    }
    let pending = db.rows(
        "SELECT id, operation_id, at, reason FROM audit_pending
         WHERE reason IS NOT NULL AND reason NOT LIKE 'sealed:%'",
        p![],
    )?;
    for r in &pending {
        let op = r.opt_i64(1)?.map(OperationId);
        let reason = sealed_or_withheld(db, vault, op, Timestamp(r.i64(2)?), &r.text(3)?)?;
        db.exec(
            "UPDATE audit_pending SET reason = $2 WHERE id = $1",
            p![r.i64(0)?, reason],
        )?;
        sealed += 1;
    }
    let first = db
        .one(
            "SELECT MIN(seq) FROM audit_log WHERE reason IS NOT NULL AND reason NOT LIKE 'sealed:%'",
            p![],
        )?
        .opt_i64(0)?;
    if let Some(first) = first {
        sealed += relink_over_sealed_reasons(db, vault, first)?;
    }
    if sealed > 0 {
        tracing::info!(reasons = sealed, "sealed reasons stored in clear");
    }
    Ok(sealed > 0)
}

/// Seals the clear reasons of the chain from entry `first` and links every entry from there
/// again; returns how many reasons were sealed.
fn relink_over_sealed_reasons(db: &mut dyn Db, vault: &Vault, first: i64) -> Result<usize> {
    let (last, old_head) = audit::head(db)?;
    let mut prev = match first {
        1 => audit::GENESIS,
        _ => db
            .one("SELECT hash FROM audit_log WHERE seq = $1", p![first - 1])?
            .bytes(0)?
            .try_into()
            .map_err(|_| StoreError::Internal("a stored audit hash is not 32 bytes".into()))?,
    };
    let mut sealed = 0;
    let mut after = first - 1;
    loop {
        let page = audit::entries(db, after, 5000)?;
        if page.is_empty() {
            break;
        }
        for (seq, mut entry, _, _) in page {
            if let Some(clear) = entry.reason.clone().filter(|r| !reasons::is_sealed(r)) {
                entry.reason = sealed_or_withheld(db, vault, entry.operation, entry.at, &clear)?;
                sealed += 1;
            }
            let hash = audit::entry_hash(&prev, seq, &entry);
            db.exec(
                "UPDATE audit_log SET reason = $2, prev_hash = $3, hash = $4 WHERE seq = $1",
                p![seq, entry.reason, &prev[..], &hash[..]],
            )?;
            prev = hash;
            after = seq;
        }
    }
    db.exec(
        "UPDATE audit_head SET hash = $1 WHERE id = 1",
        p![&prev[..]],
    )?;
    let withdrawn = db.exec("DELETE FROM audit_checkpoints WHERE seq >= $1", p![first])?;
    let was: String = old_head.iter().map(|b| format!("{b:02x}")).collect();
    audit::chain(
        db,
        &[AuditEntry::by(
            &Actor::system(Timestamp(now())),
            None,
            "audit_reasons_sealed",
            Some(format!(
                "entries {first} to {last} linked again over their sealed reasons; \
                 {withdrawn} signed checkpoints from entry {first} withdrawn; the head was \
                 entry {last} with hash {was}"
            )),
        )],
    )?;
    Ok(sealed)
}
