//! Operations: creating one with its data key, reading, closing to new households, shredding
//! its personal data.
//!
//! Imports `step`, and `passes` (a shred destroys the pass keys with the data key); subjects
//! that need an open operation import this.

use super::audit;
use super::step::duplicate;
use super::{Db, Row, p};
use crate::types::*;
use crate::vault::Vault;
use crate::{Result, StoreError};
use safeconduct_domain::values::{Text, Timestamp};
use safeconduct_domain::*;

/// Refuses an operation that is closed: it takes no new households.
pub(crate) fn require_open_operation(db: &mut dyn Db, op: OperationId) -> Result<()> {
    let operation = operation(db, op)?;
    if operation.closed_at.is_some() {
        return Err(StoreError::Conflict(format!(
            "operation {op} is closed: it takes no new households"
        )));
    }
    Ok(())
}

const OPERATION_COLUMNS: &str = "o.id, o.name, o.created_at, o.closed_at, k.shredded_at";

fn operation_row(r: &Row) -> Result<Operation> {
    Ok(Operation {
        id: OperationId(r.i64(0)?),
        name: r.text(1)?,
        created_at: Timestamp(r.i64(2)?),
        closed_at: r.opt_i64(3)?.map(Timestamp),
        shredded_at: r.opt_i64(4)?.map(Timestamp),
    })
}

pub(crate) fn operation(db: &mut dyn Db, id: OperationId) -> Result<Operation> {
    let r = db
        .row(
            &format!(
                "SELECT {OPERATION_COLUMNS} FROM operations o
                 LEFT JOIN operation_keys k ON k.operation_id = o.id WHERE o.id = $1"
            ),
            p![id.0],
        )?
        .ok_or_else(|| StoreError::not_found(format!("operation {id}")))?;
    operation_row(&r)
}

pub(crate) fn operations(db: &mut dyn Db) -> Result<Vec<Operation>> {
    db.rows(
        &format!(
            "SELECT {OPERATION_COLUMNS} FROM operations o
             LEFT JOIN operation_keys k ON k.operation_id = o.id ORDER BY o.id"
        ),
        p![],
    )?
    .iter()
    .map(operation_row)
    .collect()
}

/// Closes an operation to new households. Closing a closed operation changes nothing.
pub(crate) fn close_operation(
    db: &mut dyn Db,
    op: OperationId,
    actor: &Actor,
) -> Result<Operation> {
    let closed = db.exec(
        "UPDATE operations SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL",
        p![op.0, actor.at.0],
    )?;
    if closed > 0 {
        audit::change(
            db,
            actor,
            Some(op),
            "operation_closed",
            format!("operation/{}", op.0),
        )?;
    }
    operation(db, op)
}

pub(crate) fn create_operation(
    db: &mut dyn Db,
    vault: &Vault,
    name: &str,
    at: Timestamp,
) -> Result<Operation> {
    let name = Text::parse("name", name, 120)?;
    let id = db
        .one(
            "INSERT INTO operations (name, created_at) VALUES ($1, $2) RETURNING id",
            p![name.as_str(), at.0],
        )
        .map_err(duplicate(format!("an operation named {:?}", name.as_str())))?
        .i64(0)?;
    vault.create_key(db, OperationId(id), at.0)?;
    audit::change(
        db,
        &Actor::system(at),
        Some(OperationId(id)),
        "operation_created",
        format!("operation/{id}"),
    )?;
    Ok(Operation {
        id: OperationId(id),
        name: name.as_str().to_string(),
        created_at: at,
        closed_at: None,
        shredded_at: None,
    })
}
