//! Upgrades of stored data that SQL alone cannot make. An engine's migration runner calls
//! [`before`] inside the transaction of each migration, before that migration's SQL: the
//! upgrade and the schema change commit together or not at all. When [`before`] reports that
//! it rewrote personal data, the engine compacts the tables afterwards so that no old copy of
//! a row is left in the database files.

use super::sealed::{DocumentFields, HouseholdFields, PersonFields};
use super::{Db, Row, dec, p};
use crate::Result;
use crate::vault::{DataKey, Index, Record, Vault};
use safeconduct_domain::OperationId;

/// Returns true when personal data stored in clear was rewritten.
pub(crate) fn before(version: i64, db: &mut dyn Db, vault: &Vault) -> Result<bool> {
    match version {
        // Migration 8 drops the columns that held personal data in clear.
        8 => seal_clear_personal_data(db, vault),
        _ => Ok(false),
    }
}

/// Gives every operation a data key and seals the personal data written before encryption
/// at rest existed.
fn seal_clear_personal_data(db: &mut dyn Db, vault: &Vault) -> Result<bool> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
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
