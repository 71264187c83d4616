//! Field scans synced from devices: stored once per device and sequence number, with the
//! passes that more than one device admitted.
//!
//! Imports `step` only.

use super::audit;
use super::step::require_operation;
use super::{Db, p};
use crate::types::*;
use crate::{Change, Result};
use safeconduct_domain::*;

pub(crate) fn ingest_scans(
    db: &mut dyn Db,
    op: OperationId,
    device: &str,
    scans: &[FieldScan],
    actor: &Actor,
) -> Result<ScanReceipt> {
    require_operation(db, op)?;
    let mut receipt = ScanReceipt::default();
    let mut any_admitted = false;
    for s in scans {
        let seq = i64::try_from(s.seq)
            .map_err(|_| DomainError::invalid("seq", "a sequence number is below 2^63"))?;
        let inserted = db.exec(
            "INSERT INTO scans (operation_id, device, seq, pass_index, rv_id, gate_id, outcome,
                                scanned_at, received_at, user_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (operation_id, device, seq) DO NOTHING",
            p![
                op.0,
                device,
                seq,
                s.pass_index,
                s.rv.map(|r| r.0),
                s.gate.map(|g| g.0),
                s.outcome.as_str(),
                s.scanned_at.0,
                actor.at.0,
                actor.user.map(|u| u.0),
            ],
        )?;
        if inserted == 1 {
            receipt.received += 1;
            any_admitted |= s.outcome == ScanOutcome::Admitted;
        } else {
            receipt.already_had += 1;
        }
    }
    // One query for the whole batch: passes admitted here that another device admitted too.
    if any_admitted {
        let (low, high) = scans
            .iter()
            .fold((u64::MAX, 0), |(l, h), s| (l.min(s.seq), h.max(s.seq)));
        let doubles = db.rows(
            "SELECT pass_index FROM scans
             WHERE operation_id = $1 AND outcome = 'admitted' AND pass_index IN (
                 SELECT pass_index FROM scans
                 WHERE operation_id = $1 AND device = $2 AND seq BETWEEN $3 AND $4 AND outcome = 'admitted')
             GROUP BY pass_index HAVING COUNT(DISTINCT device) > 1 ORDER BY pass_index",
            p![op.0, device, low as i64, high as i64],
        )?;
        for r in doubles {
            let pass_index = r.i64(0)?;
            let devices = db
                .rows(
                    "SELECT DISTINCT device FROM scans
                     WHERE operation_id = $1 AND pass_index = $2 AND outcome = 'admitted' ORDER BY device",
                    p![op.0, pass_index],
                )?
                .iter()
                .map(|r| r.text(0))
                .collect::<Result<_>>()?;
            receipt.double_admissions.push(DoubleAdmission {
                pass_index,
                devices,
            });
        }
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
