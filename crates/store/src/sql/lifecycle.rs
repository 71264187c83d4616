//! One lifecycle step of one case: the facts the decision needs (window, flight, batch gate),
//! `decide`, the counters the step moves, and the commit; and a case's history of events.
//!
//! Imports `step`, the place guards (`rvs`, `gates`) and the record of a custody resolution
//! (`custody`), and the outbox for a reassignment's notice; never households, batches or
//! passes.

use super::custody::record_resolution;
use super::gates::require_gate;
use super::members::{HeldMember, Who, members, take_step};
use super::rvs::require_rv;
use super::step::{
    DecidedStep, LoadedCase, commit_step, commit_steps, household_id, load_case, retire_valid_pass,
    stage,
};
use super::{Db, dec, outbox, p, reasons};
use crate::types::*;
use crate::vault::Vault;
use crate::{Result, StoreError};
use safeconduct_domain::admission::{PassStanding, PresentedPass};
use safeconduct_domain::field::CustodyOutcome;
use safeconduct_domain::lifecycle::{Command, decide};
use safeconduct_domain::model::{FlightLoad, WindowLoad};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

fn window_load(db: &mut dyn Db, op: OperationId, window: WindowId) -> Result<WindowLoad> {
    let r = db.row_in_operation(
        "SELECT w.rv_id, r.status, w.capacity, w.assigned_people
         FROM windows w JOIN rvs r ON r.id = w.rv_id
         WHERE w.id = $1 AND w.operation_id = $2",
        "window",
        window.0,
        op,
    )?;
    Ok(WindowLoad {
        window,
        rv: RvId(r.i64(0)?),
        rv_status: dec(r.text(1)?)?,
        capacity: r.u32(2)?,
        assigned_people: r.u32(3)?,
    })
}

fn flight_load(db: &mut dyn Db, op: OperationId, flight: FlightId) -> Result<FlightLoad> {
    let r = db.row_in_operation(
        "SELECT capacity, manifested_people FROM flights
         WHERE id = $1 AND operation_id = $2 AND cancelled_at IS NULL",
        "flight",
        flight.0,
        op,
    )?;
    Ok(FlightLoad {
        flight,
        capacity: r.u32(0)?,
        manifested_people: r.u32(1)?,
    })
}

fn batch_gate(db: &mut dyn Db, op: OperationId, batch: BatchId) -> Result<GateId> {
    db.row_in_operation(
        "SELECT gate_id FROM batches WHERE id = $1 AND operation_id = $2",
        "batch",
        batch.0,
        op,
    )?
    .i64(0)
    .map(GateId)
}

/// When the window a household holds closes (`None`: it holds none).
fn window_end(db: &mut dyn Db, window: Option<WindowId>) -> Result<Option<Timestamp>> {
    let Some(window) = window else {
        return Ok(None);
    };
    let w = db.one("SELECT end_at FROM windows WHERE id = $1", p![window.0])?;
    Ok(Some(Timestamp(w.i64(0)?)))
}

/// The pass a household presents at its rendezvous point, with the window it was issued for:
/// the pass with index `shown` when the escort read it, else the household's latest. `None`
/// when the household holds no pass (the lifecycle refuses the step).
fn presented_pass(
    db: &mut dyn Db,
    case: &LoadedCase,
    shown: Option<i64>,
) -> Result<Option<PresentedPass>> {
    let Some(window) = case.state.window else {
        return Ok(None);
    };
    let status = db.row(
        "SELECT status FROM passes WHERE household_id = $1
         AND pass_index = COALESCE(CAST($2 AS BIGINT),
                                   (SELECT pass_index FROM households WHERE id = $1))",
        p![case.id.0, shown],
    )?;
    let standing = match (status, shown) {
        (None, Some(_)) => {
            return Err(DomainError::invalid(
                "pass_index",
                "no pass with this index was issued to this household",
            )
            .into());
        }
        (None, None) => return Ok(None),
        (Some(r), _) => match dec::<PassState>(r.text(0)?)? {
            PassState::Valid => PassStanding::Valid,
            PassState::Revoked => PassStanding::Revoked,
            PassState::Superseded => PassStanding::Superseded,
        },
    };
    let w = db.one(
        "SELECT rv_id, start_at, end_at FROM windows WHERE id = $1",
        p![window.0],
    )?;
    Ok(Some(PresentedPass {
        standing,
        rv: RvId(w.i64(0)?),
        window_start: Timestamp(w.i64(1)?),
        window_end: Timestamp(w.i64(2)?),
    }))
}

/// Marks a window given by this step as given by hand: every later plan keeps the household
/// there until a coordinator releases the pin. Accepting a plan runs the same step and then
/// records the plan as the origin instead (sql/plans.rs).
fn pin(db: &mut dyn Db, household: HouseholdId) -> Result<()> {
    db.exec(
        "UPDATE households SET pinned = $1, plan_id = NULL WHERE id = $2",
        p![true, household.0],
    )?;
    Ok(())
}

pub(crate) fn apply(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    reference: &CaseReference,
    request: &CaseRequest,
    actor: &Actor,
) -> Result<CaseOutcome> {
    let loaded = load_case(db, op, reference, actor)?;
    let case = &loaded.state;
    let mut detail = serde_json::json!({});
    let command = match request {
        CaseRequest::VerifyDocuments => Command::VerifyDocuments,
        CaseRequest::DecideEligible { category } => {
            detail = serde_json::json!({ "category": category.as_str() });
            Command::DecideEligible
        }
        CaseRequest::Reject { reason } => {
            let reason = reasons::seal(db, vault, op, actor.at, reason.as_str())?;
            detail = serde_json::json!({ "reason": reason });
            Command::Reject
        }
        CaseRequest::Assign { window } => Command::Assign(window_load(db, op, *window)?),
        CaseRequest::Reassign { window } => {
            detail = serde_json::json!({ "previous_window": case.window.map(|w| w.0) });
            Command::Reassign(window_load(db, op, *window)?)
        }
        CaseRequest::AdmitAtRv { rv, pass } => {
            require_rv(db, op, *rv)?;
            Command::AdmitAtRv {
                rv: *rv,
                pass: presented_pass(db, &loaded, *pass)?,
                at: actor.at,
            }
        }
        CaseRequest::ArriveAtGate { batch, .. } => Command::ArriveAtGate {
            batch: *batch,
            gate: batch_gate(db, op, *batch)?,
        },
        CaseRequest::Process { gate } => {
            require_gate(db, op, *gate)?;
            Command::Process { gate: *gate }
        }
        CaseRequest::Manifest { flight } => {
            detail = serde_json::json!({ "flight": flight.0 });
            Command::Manifest(flight_load(db, op, *flight)?)
        }
        CaseRequest::Board { flight } => {
            detail = serde_json::json!({ "flight": flight.or(case.flight).map(|f| f.0) });
            Command::Board { flight: *flight }
        }
        CaseRequest::Withdraw { reason } => {
            let reason = reasons::seal(db, vault, op, actor.at, reason.as_str())?;
            detail = serde_json::json!({ "reason": reason });
            Command::Withdraw
        }
        CaseRequest::MarkNoShow => Command::MarkNoShow {
            window_end: window_end(db, case.window)?,
            at: actor.at,
            by_escort: actor.role == Some(Role::Escort),
        },
        CaseRequest::ResolveUnaccounted { outcome, note, .. } => {
            let note = reasons::seal(db, vault, op, actor.at, note.as_str())?;
            detail = serde_json::json!({
                "outcome": outcome.as_str(), "batch": case.batch.map(|b| b.0), "reason": note
            });
            Command::ResolveUnaccounted(*outcome)
        }
    };
    let who = match request {
        CaseRequest::ArriveAtGate { people, .. } => Some(people.map_or(Who::All, Who::Count)),
        CaseRequest::Process { .. } | CaseRequest::Manifest { .. } | CaseRequest::Board { .. } => {
            Some(Who::All)
        }
        CaseRequest::ResolveUnaccounted { persons, .. } => {
            Some(persons.clone().map_or(Who::All, Who::Named))
        }
        _ => None,
    };
    if let Some(who) = who {
        return apply_to_members(
            db, op, reference, &loaded, request, &command, &who, detail, actor,
        );
    }
    let next = decide(case, &command)?;
    match request {
        CaseRequest::DecideEligible { category } => {
            db.exec(
                "UPDATE households SET category = $1 WHERE id = $2",
                p![category.as_str(), loaded.id.0],
            )?;
        }
        CaseRequest::Assign { .. } => pin(db, loaded.id)?,
        CaseRequest::Reassign { .. } => {
            retire_valid_pass(db, loaded.id, PassState::Superseded)?;
            pin(db, loaded.id)?;
        }
        CaseRequest::Withdraw { .. } => {
            retire_valid_pass(db, loaded.id, PassState::Revoked)?;
        }
        _ => {}
    }
    let event = commit_step(
        db,
        op,
        &loaded,
        &next,
        command.step().as_str(),
        detail,
        actor,
    )?;
    match request {
        // The household hears of its new window from the same transaction that gave it, once
        // its seats there are taken: a move of that window in time holds the window's row
        // until it commits, so the times told are the window's as moved.
        CaseRequest::Reassign { window } => {
            outbox::queue_new_window_notice(db, vault, op, reference, *window, actor)?;
        }
        // Its first window: a household no message reaches is the hotline's to tell.
        CaseRequest::Assign { .. } => {
            outbox::untold_when_unreachable(db, op, reference, actor)?;
        }
        _ => {}
    }
    Ok(CaseOutcome {
        reference: reference.clone(),
        from: case.stage,
        to: next.stage,
        people: case.people(),
        event,
        pass_index: None,
    })
}

/// An admission read by a field device: the case holding the pass it read and the pass as
/// presented (its standing, and the RV and window it was issued for), both read by one
/// statement, so that the decision sees them as they were at one moment; the device acting
/// at the record's time. The case's version guards the write: a case stepped or a pass
/// re-issued or revoked since refuses the whole sync, which the device sends again.
pub(crate) struct ScannedAdmission<'a> {
    pub case: &'a LoadedCase,
    pub reference: &'a CaseReference,
    pub rv: RvId,
    pub pass: Option<PresentedPass>,
    pub actor: Actor,
}

/// Admissions read by field devices, of distinct households, each decided as [`apply`]
/// decides `AdmitAtRv` and written together (`commit_steps`): a sync's admissions cost a
/// few statements, not a few each. Returns each admission's outcome in order: a refusal of
/// one is its own and the others go on.
pub(crate) fn admit_scanned(
    db: &mut dyn Db,
    op: OperationId,
    admissions: &[ScannedAdmission<'_>],
) -> Result<Vec<Result<CaseOutcome>>> {
    let mut rvs_known = std::collections::HashSet::new();
    let mut outcomes: Vec<Option<Result<CaseOutcome>>> = Vec::with_capacity(admissions.len());
    let (mut decided, mut steps) = (Vec::new(), Vec::new());
    for (i, a) in admissions.iter().enumerate() {
        // Scoped to the device's places as `load_case` scopes every actor.
        if !a.actor.sees(a.case.state.rv, a.case.state.gate) {
            let missing = StoreError::not_found(format!("case {}", a.reference));
            outcomes.push(Some(Err(missing)));
            continue;
        }
        if !rvs_known.contains(&a.rv) {
            if let Err(e) = require_rv(db, op, a.rv) {
                outcomes.push(Some(Err(e)));
                continue;
            }
            rvs_known.insert(a.rv);
        }
        let command = Command::AdmitAtRv {
            rv: a.rv,
            pass: a.pass,
            at: a.actor.at,
        };
        match decide(&a.case.state, &command) {
            Ok(after) => {
                outcomes.push(None);
                decided.push(i);
                steps.push(DecidedStep {
                    loaded: a.case,
                    after,
                    kind: command.step().as_str(),
                    detail: serde_json::json!({}),
                    actor: &a.actor,
                });
            }
            Err(e) => outcomes.push(Some(Err(e.into()))),
        }
    }
    let events = commit_steps(db, op, &steps)?;
    for ((i, step), event) in decided.into_iter().zip(&steps).zip(events) {
        outcomes[i] = Some(Ok(CaseOutcome {
            reference: admissions[i].reference.clone(),
            from: step.loaded.state.stage,
            to: step.after.stage,
            people: step.loaded.state.people(),
            event,
            pass_index: None,
        }));
    }
    Ok(outcomes.into_iter().flatten().collect())
}

/// A step that members of a household take on their own when not all of them do (arrival at
/// the gate, check-in, a resolution, a member checked in after the household was manifested
/// going on a flight of their own): `members::take_step`, then what the step changes beside
/// the case for the members it moved (the batch's arrivals, the resolutions, the flight's
/// seats, checked for every mover).
#[allow(clippy::too_many_arguments)]
fn apply_to_members(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
    loaded: &LoadedCase,
    request: &CaseRequest,
    command: &Command,
    who: &Who,
    detail: serde_json::Value,
    actor: &Actor,
) -> Result<CaseOutcome> {
    let case = &loaded.state;
    let may_take = |m: &HeldMember| match request {
        CaseRequest::ArriveAtGate { batch, .. } => m.batch == *batch,
        CaseRequest::Process { gate } => m.gate == Some(*gate),
        // Boarding takes the members on the flight named, or on the household's when none is:
        // a member manifested on a later flight boards only when that flight is named.
        CaseRequest::Board { flight } => m.flight.is_some() && m.flight == flight.or(case.flight),
        _ => true,
    };
    let step = command.step();
    let moved = match take_step(
        db,
        op,
        loaded,
        command,
        who,
        &may_take,
        step.as_str(),
        detail,
        actor,
    ) {
        Err(StoreError::Domain(refusal)) if matches!(request, CaseRequest::Board { .. }) => {
            // Nobody boards: a member manifested on another flight is named with it, since the
            // household's own stage says nothing of them.
            let apart = members(db, loaded.id)?
                .held
                .into_iter()
                .find(|m| m.stage == Stage::Manifested && !may_take(m));
            return Err(match apart {
                Some(HeldMember {
                    person,
                    flight: Some(flight),
                    ..
                }) => DomainError::conflict(format!(
                    "member {person} of this household is manifested on flight {flight}: \
                     board them by naming that flight"
                ))
                .into(),
                _ => refusal.into(),
            });
        }
        moved => moved?,
    };
    let arrived = |db: &mut dyn Db, batch: BatchId, people: usize| {
        db.exec(
            "UPDATE batches SET arrived_people = arrived_people + $1 WHERE id = $2",
            p![people, batch.0],
        )
    };
    match request {
        CaseRequest::ArriveAtGate { batch, .. } => {
            arrived(db, *batch, moved.people() as usize)?;
        }
        CaseRequest::Manifest { flight } => {
            let Command::Manifest(load) = command else {
                return Err(StoreError::Internal("a manifest without its flight".into()));
            };
            load.seats_for(moved.people())?;
            // Written only where the seats are still there: a change of the flight or another
            // manifest committed since it was read is refused in its own words, not as a
            // broken constraint.
            let written = db.exec(
                "UPDATE flights SET manifested_people = manifested_people + $1
                 WHERE id = $2 AND manifested_people + $1 <= capacity AND cancelled_at IS NULL",
                p![moved.people(), flight.0],
            )?;
            if written == 0 {
                flight_load(db, op, *flight)?.seats_for(moved.people())?;
                return Err(StoreError::Conflict(
                    "the flight changed meanwhile; try again".into(),
                ));
            }
        }
        CaseRequest::Board { .. } => {
            // Each mover boards the flight they are manifested on: the household's, or their
            // own when manifested apart from it.
            let mut boarded = std::collections::BTreeMap::<Option<FlightId>, u32>::new();
            *boarded.entry(case.flight).or_default() += moved.with_household.len() as u32;
            for m in &moved.held {
                *boarded.entry(m.flight).or_default() += 1;
            }
            for (flight, people) in boarded.into_iter().filter(|(_, n)| *n > 0) {
                let flight = flight.ok_or_else(|| {
                    StoreError::Internal("a member boarded without a flight".into())
                })?;
                db.exec(
                    "UPDATE flights SET boarded_people = boarded_people + $1 WHERE id = $2",
                    p![people, flight.0],
                )?;
            }
        }
        CaseRequest::ResolveUnaccounted { outcome, .. } => {
            let batch = case.batch;
            let mut resolved: Vec<(PersonId, BatchId)> = Vec::new();
            for person in &moved.with_household {
                let batch = batch.ok_or_else(|| {
                    StoreError::Internal("an unaccounted case holds no batch".into())
                })?;
                resolved.push((*person, batch));
            }
            resolved.extend(moved.held.iter().map(|m| (m.person, m.batch)));
            for (person, batch) in &resolved {
                record_resolution(db, op, loaded.id, *person, *batch, *outcome, actor.at)?;
                if *outcome == CustodyOutcome::ArrivedLate {
                    arrived(db, *batch, 1)?;
                }
            }
            // A household found elsewhere as a whole leaves the route: its pass goes with it.
            if *outcome == CustodyOutcome::FoundElsewhere
                && moved.household_stage == Some(Stage::Withdrawn)
            {
                retire_valid_pass(db, loaded.id, PassState::Revoked)?;
            }
        }
        _ => {}
    }
    Ok(CaseOutcome {
        reference: reference.clone(),
        from: moved.from.unwrap_or(case.stage),
        to: moved.to.unwrap_or(case.stage),
        people: moved.people(),
        event: moved.event,
        pass_index: None,
    })
}

pub(crate) fn case_events(
    db: &mut dyn Db,
    op: OperationId,
    reference: &CaseReference,
) -> Result<Vec<Event>> {
    let household = household_id(db, op, reference)?.0;
    db.rows(
        "SELECT id, kind, from_stage, to_stage, user_id, role, device, rv_id, gate_id, at
         FROM events WHERE household_id = $1 ORDER BY id",
        p![household],
    )?
    .iter()
    .map(|r| {
        Ok(Event {
            id: r.i64(0)?,
            kind: r.text(1)?,
            from: r.opt_text(2)?.map(stage).transpose()?,
            to: r.opt_text(3)?.map(stage).transpose()?,
            user: r.opt_i64(4)?.map(UserId),
            role: r.opt_text(5)?.map(|r| r.parse()).transpose()?,
            device: r.opt_text(6)?,
            rv: r.opt_i64(7)?.map(RvId),
            gate: r.opt_i64(8)?.map(GateId),
            at: Timestamp(r.i64(9)?),
        })
    })
    .collect()
}
