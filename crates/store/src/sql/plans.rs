//! Plans: the planning state of an operation as the planner reads it, plans kept as previews,
//! accepting a plan (every move through the lifecycle's assignment step, then a pass for each,
//! in the one transaction) and releasing a coordinator's pin.
//!
//! Imports `lifecycle` (the assignment step, the same as the assign endpoint's), `passes` (the
//! pass issue) and `step`; no subject module imports this one.

use super::lifecycle;
use super::passes::issue_pass;
use super::sealed::{self, HouseholdFields};
use super::step::{NewEvent, household_id, insert_event, lock_operation, require_operation, stage};
use super::{Db, Row, dec, p};
use crate::planning::*;
use crate::types::*;
use crate::vault::{DataKey, Record, Vault};
use crate::{Result, StoreError};
use safeconduct_domain::model::PriorityFlag;
use safeconduct_domain::values::{Coordinate, Timestamp};
use safeconduct_domain::*;
use sha2::{Digest, Sha256};

/// Stages of a household the planner may place or move: eligible, or holding a window it has
/// not yet reached. Later stages hold their seat and are not the planner's.
const MOVABLE: &str = "('eligible', 'assigned', 'pass_issued', 'reassigned')";

fn origin(window: Option<i64>, pinned: bool, plan: Option<i64>) -> AssignmentOrigin {
    match (window, pinned, plan) {
        (None, ..) => AssignmentOrigin::None,
        (Some(_), true, _) => AssignmentOrigin::Manual,
        (Some(_), false, Some(plan)) => AssignmentOrigin::Plan(PlanId(plan)),
        (Some(_), false, None) => AssignmentOrigin::Released,
    }
}

fn planning_household(key: &DataKey, r: &Row) -> Result<PlanningHousehold> {
    let priorities = r.text(4)?;
    let window = r.opt_i64(7)?;
    let id = HouseholdId(r.i64(0)?);
    let fields: HouseholdFields = sealed::open(key, Record::Household, id.0, r, 10)?;
    Ok(PlanningHousehold {
        id,
        reference: CaseReference::parse(&r.text(1)?)
            .map_err(|e| StoreError::Internal(e.to_string()))?,
        stage: stage(r.text(2)?)?,
        size: r.u32(3)?,
        priorities: priorities
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                PriorityFlag::parse(p)
                    .ok_or_else(|| StoreError::Internal(format!("unknown priority {p:?}")))
            })
            .collect::<Result<_>>()?,
        language: dec(r.text(5)?)?,
        registered_at: Timestamp(r.i64(6)?),
        window: window.map(WindowId),
        origin: origin(window, r.bool(8)?, r.opt_i64(9)?),
        location: fields.location,
        needs_vehicle_access: fields.needs_vehicle_access,
        cannot_walk_far: fields.cannot_walk_far,
    })
}

/// The operation's planning state. Read inside the transaction that accepts a plan too, so
/// that its fingerprint is compared with the state the plan was computed from.
pub(crate) fn planning_state(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
) -> Result<PlanningState> {
    require_operation(db, op)?;
    let rows = db.rows(
        &format!(
            "SELECT id, reference, stage, size, priorities, language, registered_at,
                    window_id, pinned, plan_id, sealed
             FROM households WHERE operation_id = $1 AND stage IN {MOVABLE} ORDER BY id"
        ),
        p![op.0],
    )?;
    let households = if rows.is_empty() {
        Vec::new()
    } else {
        let key = vault.key(db, op)?;
        rows.iter()
            .map(|r| planning_household(&key, r))
            .collect::<Result<Vec<_>>>()?
    };
    let mut rvs = Vec::new();
    for r in db.rows(
        "SELECT id, status, lat, lon, vehicle_access FROM rvs WHERE operation_id = $1 ORDER BY id",
        p![op.0],
    )? {
        let id = RvId(r.i64(0)?);
        let links = db
            .rows(
                "SELECT gate_id, walking_minutes FROM gate_rvs WHERE rv_id = $1 ORDER BY gate_id",
                p![id.0],
            )?
            .iter()
            .map(|l| {
                Ok(GateLink {
                    gate: GateId(l.i64(0)?),
                    walking_minutes: l.u32(1)?,
                })
            })
            .collect::<Result<_>>()?;
        rvs.push(PlanningRv {
            id,
            status: dec(r.text(1)?)?,
            location: Coordinate::new(r.f64(2)?, r.f64(3)?)?,
            vehicle_access: r.bool(4)?,
            links,
        });
    }
    let gates = db
        .rows(
            "SELECT id, status, hourly_throughput FROM gates WHERE operation_id = $1 ORDER BY id",
            p![op.0],
        )?
        .iter()
        .map(|r| {
            Ok(PlanningGate {
                id: GateId(r.i64(0)?),
                status: dec(r.text(1)?)?,
                throughput_per_hour: r.u32(2)?,
            })
        })
        .collect::<Result<_>>()?;
    // The seats of movable households are the planner's to give; every other seat stays.
    let windows = db
        .rows(
            &format!(
                "SELECT w.id, w.rv_id, w.start_at, w.end_at, w.capacity,
                        w.capacity - w.assigned_people + CAST(COALESCE((
                            SELECT SUM(h.size) FROM households h
                            WHERE h.window_id = w.id AND h.stage IN {MOVABLE}), 0) AS BIGINT)
                 FROM windows w WHERE w.operation_id = $1 ORDER BY w.id"
            ),
            p![op.0],
        )?
        .iter()
        .map(|r| {
            Ok(PlanningWindow {
                id: WindowId(r.i64(0)?),
                rv: RvId(r.i64(1)?),
                start: Timestamp(r.i64(2)?),
                end: Timestamp(r.i64(3)?),
                capacity: r.u32(4)?,
                room: r.u32(5)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(PlanningState {
        households,
        rvs,
        gates,
        windows,
    })
}

/// The SHA-256 of a planning state: equal fingerprints, equal states.
pub fn fingerprint(state: &PlanningState) -> [u8; 32] {
    let bytes = serde_json::to_vec(state).expect("a planning state serialises");
    Sha256::digest(bytes).into()
}

fn stored_plan(r: &Row) -> Result<StoredPlan> {
    let kind = r.text(1)?;
    Ok(StoredPlan {
        id: PlanId(r.i64(0)?),
        kind: PlanKind::parse(&kind)
            .ok_or_else(|| StoreError::Internal(format!("unknown plan kind {kind:?}")))?,
        answer: serde_json::from_str(&r.text(2)?)
            .map_err(|e| StoreError::Internal(format!("a stored plan's answer: {e}")))?,
        created_at: Timestamp(r.i64(3)?),
        created_by: r.opt_i64(4)?.map(UserId),
        accepted_at: r.opt_i64(5)?.map(Timestamp),
        accepted_by: r.opt_i64(6)?.map(UserId),
    })
}

const PLAN_COLUMNS: &str =
    "id, kind, answer, created_at, created_by, accepted_at, accepted_by, fingerprint, moves";

pub(crate) fn save_plan(
    db: &mut dyn Db,
    op: OperationId,
    plan: &NewPlan,
    actor: &Actor,
) -> Result<StoredPlan> {
    require_operation(db, op)?;
    let moves = serde_json::to_string(&plan.moves)
        .map_err(|e| StoreError::Internal(format!("a plan's moves: {e}")))?;
    let row = db.one(
        &format!(
            "INSERT INTO plans (operation_id, kind, fingerprint, moves, answer, created_at,
                                created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {PLAN_COLUMNS}"
        ),
        p![
            op.0,
            plan.kind.as_str(),
            &plan.fingerprint[..],
            moves,
            plan.answer.to_string(),
            actor.at.0,
            actor.user.map(|u| u.0),
        ],
    )?;
    let stored = stored_plan(&row)?;
    super::audit::change(
        db,
        actor,
        Some(op),
        &format!("{}_previewed", plan.kind.as_str()),
        format!("plan/{}", stored.id.0),
    )?;
    Ok(stored)
}

fn plan_row(db: &mut dyn Db, op: OperationId, plan: PlanId) -> Result<Row> {
    db.row_in_operation(
        &format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1 AND operation_id = $2"),
        "plan",
        plan.0,
        op,
    )
}

pub(crate) fn plan(db: &mut dyn Db, op: OperationId, plan: PlanId) -> Result<StoredPlan> {
    stored_plan(&plan_row(db, op, plan)?)
}

/// Accepts a plan: refused when it was accepted already or when the planning state is no
/// longer the one it was computed from. Every household the plan gives another window takes
/// the assignment step (`assign`, or `reassign`, which supersedes its pass), households leaving
/// a window first so that their seats are free for the others; then each gets a pass signed by
/// `signer`. All of it commits together or not at all.
#[allow(clippy::too_many_arguments)]
pub(crate) fn accept_plan(
    db: &mut dyn Db,
    vault: &Vault,
    link_base: Option<&str>,
    op: OperationId,
    id: PlanId,
    signer: PassSigner<'_>,
    actor: &Actor,
) -> Result<Acceptance> {
    // The operation's row first, as a window moved in time takes it, before any window's
    // seats: the two wait for each other, never each for the other.
    lock_operation(db, op)?;
    let row = plan_row(db, op, id)?;
    let stored = stored_plan(&row)?;
    if stored.accepted_at.is_some() {
        return Err(StoreError::Conflict(format!(
            "plan {id} was accepted already"
        )));
    }
    let state = planning_state(db, vault, op)?;
    if row.bytes(7)? != fingerprint(&state) {
        return Err(StoreError::Conflict(format!(
            "plan {id} is stale: the households, places or windows changed since it was \
             computed; compute a new one"
        )));
    }
    let moves: Vec<PlannedMove> = serde_json::from_str(&row.text(8)?)
        .map_err(|e| StoreError::Internal(format!("a stored plan's moves: {e}")))?;
    let by_id: std::collections::HashMap<HouseholdId, &PlanningHousehold> =
        state.households.iter().map(|h| (h.id, h)).collect();
    let mut changes: Vec<(&PlanningHousehold, WindowId)> = moves
        .iter()
        .filter_map(|m| by_id.get(&m.household).map(|h| (*h, m.window)))
        .filter(|(h, w)| h.window != Some(*w))
        .collect();
    changes.sort_by_key(|(h, _)| (h.window.is_none(), h.id));
    let mut moved = Vec::with_capacity(changes.len());
    for (h, window) in &changes {
        let request = match h.window {
            None => CaseRequest::Assign { window: *window },
            Some(_) => CaseRequest::Reassign { window: *window },
        };
        // The RV it leaves, if that one no longer takes anyone: the hotline calls it.
        let left = match h.window {
            Some(w) => db
                .row(
                    "SELECT r.id FROM windows w JOIN rvs r ON r.id = w.rv_id
                     WHERE w.id = $1 AND r.status <> 'active'",
                    p![w.0],
                )?
                .map(|r| r.i64(0))
                .transpose()?,
            None => None,
        };
        let step = lifecycle::apply(db, vault, op, &h.reference, &request, actor)?;
        db.exec(
            "UPDATE households SET plan_id = $1, pinned = $2, moved_from_rv = $3 WHERE id = $4",
            p![id.0, false, left, h.id.0],
        )?;
        moved.push((h.reference.clone(), *window, step));
    }
    let mut accepted = Vec::with_capacity(moved.len());
    for (reference, window, step) in moved {
        let (_, pass) = issue_pass(db, vault, link_base, op, &reference, &mut *signer, actor)?;
        accepted.push(AcceptedMove {
            reference,
            window,
            step,
            pass_index: pass.pass_index,
        });
    }
    let row = db.one(
        &format!(
            "UPDATE plans SET accepted_at = $1, accepted_by = $2 WHERE id = $3
             RETURNING {PLAN_COLUMNS}"
        ),
        p![actor.at.0, actor.user.map(|u| u.0), id.0],
    )?;
    insert_event(
        db,
        NewEvent::new(
            op,
            "plan_accepted",
            serde_json::json!({ "plan": id.0, "moved": accepted.len() }),
        ),
        actor,
    )?;
    Ok(Acceptance {
        plan: stored_plan(&row)?,
        moved: accepted,
    })
}

/// Releases a coordinator's pin: the household keeps its window, and later plans may move it.
pub(crate) fn release_pin(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
    actor: &Actor,
) -> Result<()> {
    let household = household_id(db, op, reference)?;
    let changed = db.exec(
        "UPDATE households SET pinned = $1 WHERE id = $2 AND pinned = $3",
        p![false, household.0, true],
    )?;
    if changed == 0 {
        return Err(StoreError::Conflict(format!(
            "case {reference} holds no window assigned by hand"
        )));
    }
    insert_event(
        db,
        NewEvent {
            household: Some(household),
            ..NewEvent::new(op, "pin_released", serde_json::json!({}))
        },
        actor,
    )?;
    Ok(())
}
