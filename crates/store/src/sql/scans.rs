//! Field scans synced from devices: checked against the operation's bounds, stored once per
//! user, device and sequence number, with the passes that more than one device admitted at the
//! syncing user's places.
//!
//! Imports `step` only.

use super::audit;
use super::step::require_operation;
use super::{Db, p};
use crate::types::*;
use crate::{Change, Result};
use safeconduct_domain::field::ScanBounds;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn ingest_scans(
    db: &mut dyn Db,
    op: OperationId,
    device: &str,
    scans: &[FieldScan],
    actor: &Actor,
) -> Result<ScanReceipt> {
    let user = actor.user.ok_or_else(|| {
        DomainError::invalid(
            "device",
            "scans are synced by a signed-in user, never anonymously",
        )
    })?;
    require_operation(db, op)?;
    let facts = db.one(
        "SELECT created_at, next_pass_index FROM operations WHERE id = $1",
        p![op.0],
    )?;
    let bounds = ScanBounds::new(Timestamp(facts.i64(0)?), facts.i64(1)?, actor.at);
    for s in scans {
        bounds.check(s.seq, s.pass_index, s.scanned_at)?;
    }
    let mut receipt = ScanReceipt::default();
    let mut any_admitted = false;
    for s in scans {
        let inserted = db.exec(
            "INSERT INTO scans (operation_id, user_id, device, seq, pass_index, rv_id, gate_id,
                                outcome, scanned_at, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (operation_id, user_id, device, seq) DO NOTHING",
            p![
                op.0,
                user.0,
                device,
                s.seq as i64,
                s.pass_index,
                s.rv.map(|r| r.0),
                s.gate.map(|g| g.0),
                s.outcome.as_str(),
                s.scanned_at.0,
                actor.at.0,
            ],
        )?;
        if inserted == 1 {
            receipt.received += 1;
            any_admitted |= s.outcome == ScanOutcome::Admitted;
        } else {
            receipt.already_had += 1;
        }
    }
    if any_admitted {
        receipt.double_admissions = double_admissions(db, op, user, device, scans, actor)?;
    }
    if receipt.received > 0 {
        audit::change(
            db,
            actor,
            Some(op),
            "scans_synced",
            format!("device/{device}"),
        )?;
        db.notify(&Change {
            operation: op,
            kind: "scans_received".into(),
            stage: None,
            rv: scans.first().and_then(|s| s.rv),
            gate: scans.first().and_then(|s| s.gate),
            batch: None,
        })?;
    }
    Ok(receipt)
}

/// Passes admitted in this sync that another device, or another user's device, admitted too.
/// Only admissions at the actor's places count and are named: an answer never names a device,
/// an RV or a gate outside them.
fn double_admissions(
    db: &mut dyn Db,
    op: OperationId,
    user: UserId,
    device: &str,
    scans: &[FieldScan],
    actor: &Actor,
) -> Result<Vec<DoubleAdmission>> {
    // One query for the whole sync: every admission of the passes this device admitted.
    let (low, high) = scans
        .iter()
        .fold((u64::MAX, 0), |(l, h), s| (l.min(s.seq), h.max(s.seq)));
    let rows = db.rows(
        "SELECT DISTINCT pass_index, user_id, device, rv_id, gate_id FROM scans
         WHERE operation_id = $1 AND outcome = 'admitted' AND pass_index IN (
             SELECT pass_index FROM scans
             WHERE operation_id = $1 AND user_id = $2 AND device = $3 AND seq BETWEEN $4 AND $5
               AND outcome = 'admitted')
         ORDER BY pass_index, device, user_id",
        p![op.0, user.0, device, low as i64, high as i64],
    )?;
    let mut by_pass: BTreeMap<i64, BTreeSet<(String, i64)>> = BTreeMap::new();
    for r in rows {
        let (rv, gate) = (r.opt_i64(3)?.map(RvId), r.opt_i64(4)?.map(GateId));
        if actor.sees(rv, gate) {
            by_pass
                .entry(r.i64(0)?)
                .or_default()
                .insert((r.text(2)?, r.i64(1)?));
        }
    }
    Ok(by_pass
        .into_iter()
        .filter(|(_, devices)| devices.len() > 1)
        .map(|(pass_index, devices)| DoubleAdmission {
            pass_index,
            devices: devices.into_iter().map(|(device, _)| device).collect(),
        })
        .collect())
}
