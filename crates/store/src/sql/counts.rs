//! Counts: the maintained stage counts of an operation, its RVs and gates, batch balances,
//! and the accountability report that recounts them from the cases.
//!
//! Imports `step` and the place guards (`rvs`, `gates`); writes nothing.

use super::gates::require_gate;
use super::rvs::require_rv;
use super::step::{require_operation, stage};
use super::{Db, Row, p};
use crate::Result;
use crate::types::*;
use safeconduct_domain::accountability::{AccountabilityReport, BatchBalance, StageCounts};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

fn read_counts(rows: Vec<Row>) -> Result<StageCounts> {
    let mut counts = StageCounts::default();
    for r in rows {
        counts.add(stage(r.text(0)?)?, r.i64(1)?, r.i64(2)?);
    }
    Ok(counts.normalised())
}

pub(crate) fn stage_counts(
    db: &mut dyn Db,
    op: OperationId,
    scope: CountScope,
) -> Result<StageCounts> {
    require_operation(db, op)?;
    let (scope, id) = match scope {
        CountScope::Operation => ("operation", 0),
        CountScope::Rv(rv) => {
            require_rv(db, op, rv)?;
            ("rv", rv.0)
        }
        CountScope::Gate(g) => {
            require_gate(db, op, g)?;
            ("gate", g.0)
        }
    };
    let rows = db.rows(
        "SELECT stage, CAST(SUM(households) AS BIGINT), CAST(SUM(people) AS BIGINT)
         FROM stage_counts WHERE operation_id = $1 AND scope = $2 AND scope_id = $3
         GROUP BY stage",
        p![op.0, scope, id],
    )?;
    read_counts(rows)
}

/// Counts for the operation and every RV and gate of it, read together.
pub(crate) fn operation_counts(db: &mut dyn Db, op: OperationId) -> Result<OperationCounts> {
    require_operation(db, op)?;
    let mut out = OperationCounts::default();
    for r in db.rows(
        "SELECT id FROM rvs WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )? {
        out.rvs.push((RvId(r.i64(0)?), StageCounts::default()));
    }
    for r in db.rows(
        "SELECT id FROM gates WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )? {
        out.gates.push((GateId(r.i64(0)?), StageCounts::default()));
    }
    let rows = db.rows(
        "SELECT scope, scope_id, stage, CAST(SUM(households) AS BIGINT),
                CAST(SUM(people) AS BIGINT)
         FROM stage_counts WHERE operation_id = $1 GROUP BY scope, scope_id, stage",
        p![op.0],
    )?;
    for r in rows {
        let (scope, id) = (r.text(0)?, r.i64(1)?);
        let counts = match scope.as_str() {
            "operation" => Some(&mut out.operation),
            "rv" => out
                .rvs
                .iter_mut()
                .find(|(rv, _)| rv.0 == id)
                .map(|(_, c)| c),
            "gate" => out
                .gates
                .iter_mut()
                .find(|(g, _)| g.0 == id)
                .map(|(_, c)| c),
            _ => None,
        };
        if let Some(c) = counts {
            c.add(stage(r.text(2)?)?, r.i64(3)?, r.i64(4)?);
        }
    }
    out.operation = std::mem::take(&mut out.operation).normalised();
    let rv_counts = out.rvs.iter_mut().map(|(_, c)| c);
    for c in rv_counts.chain(out.gates.iter_mut().map(|(_, c)| c)) {
        *c = std::mem::take(c).normalised();
    }
    Ok(out)
}

pub(crate) fn batch_balances(db: &mut dyn Db, op: OperationId) -> Result<Vec<BatchBalance>> {
    db.rows(
        "SELECT id, rv_id, gate_id, departed_people, arrived_people, closed_at IS NOT NULL
         FROM batches WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )?
    .iter()
    .map(|r| {
        Ok(BatchBalance {
            batch: BatchId(r.i64(0)?),
            rv: RvId(r.i64(1)?),
            gate: GateId(r.i64(2)?),
            departed_people: r.i64(3)? as u64,
            arrived_people: r.i64(4)? as u64,
            closed: r.bool(5)?,
        })
    })
    .collect()
}

/// Runs inside one read transaction, so that the maintained and recomputed counts see the
/// same state.
pub(crate) fn accountability(
    db: &mut dyn Db,
    op: OperationId,
    now: Timestamp,
) -> Result<AccountabilityReport> {
    let maintained = stage_counts(db, op, CountScope::Operation)?;
    // Each person once: in their household's stage, or in their own while held apart from it.
    let rows = db.rows(
        "SELECT h.stage, COUNT(*), CAST(SUM(h.size - (
                    SELECT COUNT(*) FROM held_people x WHERE x.household_id = h.id)) AS BIGINT)
         FROM households h WHERE h.operation_id = $1 GROUP BY h.stage
         UNION ALL
         SELECT stage, 0, COUNT(*) FROM held_people WHERE operation_id = $1 GROUP BY stage",
        p![op.0],
    )?;
    let recomputed = read_counts(rows)?;
    let registered = db
        .one(
            "SELECT COUNT(*) FROM people WHERE operation_id = $1",
            p![op.0],
        )?
        .i64(0)?;
    let batches = batch_balances(db, op)?;
    let custody = super::custody::custody_counts(db, op, now)?;
    Ok(AccountabilityReport::new(
        registered as u64,
        maintained,
        recomputed,
        batches,
        custody,
    ))
}
