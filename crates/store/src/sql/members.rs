//! Members of a household apart from its stage: a step that only some members take (an arrival
//! at the gate of fewer than all, the custody sweep of members left in escort, a resolution of
//! some of them) moves those members and no others. Who moves and whether the household's own
//! stage goes with them is decided by the lifecycle's table (`Stage::after`, `decide`) and
//! `field::household_moves`; members apart from the household's stage are rows of
//! `held_people`, each with its own stage, batch and places, counted in the maintained counts
//! as people without a household. Every person is in exactly one stage at every moment.
//!
//! Imports `step` only; the subjects that take steps (lifecycle, batches) import it and do the
//! step's own side effects (a batch's arrivals, resolutions) with the members it moved.

use super::step::{LoadedCase, NewEvent, bump, commit_step, insert_event};
use super::{Db, p};
use crate::types::*;
use crate::{Result, StoreError};
use safeconduct_domain::field::household_moves;
use safeconduct_domain::lifecycle::{CaseState, Command, decide};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

/// A member held apart from the household's stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeldMember {
    pub person: PersonId,
    pub stage: Stage,
    pub batch: BatchId,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    /// The flight the member is manifested on apart from the household; `None` before.
    pub flight: Option<FlightId>,
}

/// The members of a household: those in its stage, and those held apart, each by person id.
pub(crate) struct Members {
    pub with_household: Vec<PersonId>,
    pub held: Vec<HeldMember>,
}

pub(crate) fn members(db: &mut dyn Db, household: HouseholdId) -> Result<Members> {
    let held = db
        .rows(
            "SELECT person_id, stage, batch_id, rv_id, gate_id, flight_id FROM held_people
             WHERE household_id = $1 ORDER BY person_id",
            p![household.0],
        )?
        .iter()
        .map(|r| {
            Ok(HeldMember {
                person: PersonId(r.i64(0)?),
                stage: super::step::stage(r.text(1)?)?,
                batch: BatchId(r.i64(2)?),
                rv: r.opt_i64(3)?.map(RvId),
                gate: r.opt_i64(4)?.map(GateId),
                flight: r.opt_i64(5)?.map(FlightId),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let with_household = db
        .rows(
            "SELECT id FROM people WHERE household_id = $1 ORDER BY id",
            p![household.0],
        )?
        .iter()
        .map(|r| r.i64(0).map(PersonId))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|id| !held.iter().any(|h| h.person == *id))
        .collect();
    Ok(Members {
        with_household,
        held,
    })
}

/// Which members take a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Who {
    /// Every member who may take it.
    All,
    /// This many of them: those in the household's stage first, then those held apart, each
    /// in person order (a gate counts people, it does not name them).
    Count(u32),
    /// These people (a coordinator names whom a resolution is about).
    Named(Vec<PersonId>),
}

/// What a step did to a household's members.
#[derive(Debug, Clone, Default)]
pub(crate) struct Moved {
    /// Members who took the step with the household's stage, or held apart by it.
    pub with_household: Vec<PersonId>,
    /// Members held apart who took it, as they were before it.
    pub held: Vec<HeldMember>,
    /// The stage of the household after the step.
    pub household_stage: Option<Stage>,
    /// The stage the movers left and the one they reached (of the household when it moved).
    pub from: Option<Stage>,
    pub to: Option<Stage>,
    pub event: i64,
}

impl Moved {
    pub fn people(&self) -> u32 {
        (self.with_household.len() + self.held.len()) as u32
    }

    pub fn persons(&self) -> Vec<i64> {
        let mut all: Vec<i64> = self.with_household.iter().map(|p| p.0).collect();
        all.extend(self.held.iter().map(|m| m.person.0));
        all.sort_unstable();
        all
    }
}

fn as_state(case: &CaseState, stage: Stage, rv: Option<RvId>, gate: Option<GateId>) -> CaseState {
    CaseState {
        stage,
        rv,
        gate,
        ..case.clone()
    }
}

/// Holds `persons` apart at `stage` (they stay there while their household's stage moves on,
/// or they go there while it stays), counted as people of that stage at the case's places, on
/// `flight` once manifested.
fn hold(
    db: &mut dyn Db,
    op: OperationId,
    loaded: &LoadedCase,
    persons: &[PersonId],
    (stage, flight): (Stage, Option<FlightId>),
    at: Timestamp,
) -> Result<()> {
    let case = &loaded.state;
    let batch = case
        .batch
        .ok_or_else(|| StoreError::Internal("members held apart outside any batch".into()))?;
    for person in persons {
        db.exec(
            "INSERT INTO held_people (person_id, household_id, operation_id, batch_id, rv_id,
                                      gate_id, stage, since, flight_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            p![
                person.0,
                loaded.id.0,
                op.0,
                batch.0,
                case.rv.map(|r| r.0),
                case.gate.map(|g| g.0),
                stage.as_str(),
                at.0,
                flight.map(|f| f.0)
            ],
        )?;
    }
    let n = persons.len() as i64;
    bump(
        db,
        op,
        loaded.id,
        &as_state(case, stage, case.rv, case.gate),
        0,
        n,
    )
}

/// Where a member held apart goes: the batch, the gate it walks to, the flight.
struct Bound {
    batch: BatchId,
    gate: Option<GateId>,
    flight: Option<FlightId>,
}

/// Moves a member held apart to `to`, bound as `bound` says, and their count with them.
fn move_held(
    db: &mut dyn Db,
    op: OperationId,
    loaded: &LoadedCase,
    m: &HeldMember,
    (to, bound): (Stage, Bound),
    at: Timestamp,
) -> Result<()> {
    let Bound {
        batch,
        gate,
        flight,
    } = bound;
    db.exec(
        "UPDATE held_people SET stage = $1, batch_id = $2, gate_id = $3, flight_id = $4,
                                since = $5
         WHERE person_id = $6",
        p![
            to.as_str(),
            batch.0,
            gate.map(|g| g.0),
            flight.map(|f| f.0),
            at.0,
            m.person.0
        ],
    )?;
    let case = &loaded.state;
    bump(
        db,
        op,
        loaded.id,
        &as_state(case, m.stage, m.rv, m.gate),
        0,
        -1,
    )?;
    bump(db, op, loaded.id, &as_state(case, to, m.rv, gate), 0, 1)
}

/// A step of members held apart leaves the household's stage as it is: its version still
/// guards it against a step decided at the same moment.
fn touch(db: &mut dyn Db, loaded: &LoadedCase, at: Timestamp) -> Result<()> {
    let changed = db.exec(
        "UPDATE households SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
        p![at.0, loaded.id.0, loaded.version],
    )?;
    if changed != 1 {
        return Err(StoreError::changed_meanwhile());
    }
    Ok(())
}

/// Members held apart who went back to `rv` on their own (a resolution `returned_to_rv` while
/// the rest of the household went on) leave with `batch`: each is decided as a household of
/// that stage would be (`decide` on the member's own state: the gate open and receiving from
/// the RV), moves into escort in the new batch, towards its gate, and the case's version moves.
/// Returns how many left; none when no member waits at `rv`.
pub(crate) fn depart_held(
    db: &mut dyn Db,
    op: OperationId,
    loaded: &LoadedCase,
    command: &Command,
    actor: &Actor,
) -> Result<u32> {
    let Command::DepartInEscort {
        batch, rv, gate, ..
    } = command
    else {
        return Err(StoreError::Internal(
            "members depart with a departure".into(),
        ));
    };
    let case = &loaded.state;
    let waiting: Vec<HeldMember> = members(db, loaded.id)?
        .held
        .into_iter()
        .filter(|m| m.stage == Stage::AdmittedAtRv && m.rv == Some(*rv))
        .collect();
    if waiting.is_empty() {
        return Ok(0);
    }
    let next = decide(
        &as_state(case, Stage::AdmittedAtRv, Some(*rv), waiting[0].gate),
        command,
    )?;
    for m in &waiting {
        let bound = Bound {
            batch: *batch,
            gate: Some(*gate),
            flight: None,
        };
        move_held(db, op, loaded, m, (next.stage, bound), actor.at)?;
    }
    touch(db, loaded, actor.at)?;
    let persons: Vec<i64> = waiting.iter().map(|m| m.person.0).collect();
    insert_event(
        db,
        NewEvent {
            household: Some(loaded.id),
            transition: Some((Stage::AdmittedAtRv, next.stage)),
            rv: Some(*rv),
            gate: Some(*gate),
            batch: Some(*batch),
            ..NewEvent::new(
                op,
                "depart_in_escort",
                serde_json::json!({
                    "batch": batch.0, "members": persons, "people": persons.len()
                }),
            )
        },
        actor,
    )?;
    Ok(waiting.len() as u32)
}

/// Takes `command`'s step for the members `who` names: the household's stage moves with them
/// (its members left behind held apart where they were) or stays (the movers held apart where
/// the step leads), as `field::household_moves` says; members held apart take it on their own
/// and rejoin the household when they reach its stage. Refuses, changing nothing, a step no
/// member may take (the lifecycle's own refusal), a count larger than the members who may, or
/// a person named who may not.
#[allow(clippy::too_many_arguments)]
pub(crate) fn take_step(
    db: &mut dyn Db,
    op: OperationId,
    loaded: &LoadedCase,
    command: &Command,
    who: &Who,
    may_take: &dyn Fn(&HeldMember) -> bool,
    kind: &str,
    detail: serde_json::Value,
    actor: &Actor,
) -> Result<Moved> {
    let step = command.step();
    let case = &loaded.state;
    let all = members(db, loaded.id)?;
    let decided = decide(case, command);
    let front: Vec<PersonId> = match &decided {
        Ok(_) => all.with_household.clone(),
        Err(_) => Vec::new(),
    };
    let held: Vec<&HeldMember> = all
        .held
        .iter()
        .filter(|h| h.stage.after(step).is_some() && may_take(h))
        .collect();
    if front.is_empty() && held.is_empty() {
        // Nobody may: the lifecycle's refusal names the household's stage and its steps.
        decided?;
        return Err(
            DomainError::conflict(format!("no member of this household may {step}")).into(),
        );
    }
    let (movers_front, movers_held): (Vec<PersonId>, Vec<&HeldMember>) = match who {
        Who::All => (front.clone(), held.clone()),
        Who::Count(n) => {
            let total = front.len() + held.len();
            if *n == 0 || *n as usize > total {
                return Err(DomainError::invalid(
                    "people",
                    format!("1 to {total} members of this household may {step} now, not {n}"),
                )
                .into());
            }
            let n = *n as usize;
            let from_front = n.min(front.len());
            (
                front[..from_front].to_vec(),
                held[..n - from_front].to_vec(),
            )
        }
        Who::Named(persons) => {
            let mut f = Vec::new();
            let mut h = Vec::new();
            for person in persons {
                if front.contains(person) {
                    f.push(*person);
                } else if let Some(m) = held.iter().find(|m| m.person == *person) {
                    h.push(*m);
                } else {
                    return Err(DomainError::invalid(
                        "person_ids",
                        format!(
                            "person {person} is not a member of this household who may {step} now"
                        ),
                    )
                    .into());
                }
            }
            f.sort_unstable();
            f.dedup();
            h.sort_by_key(|m| m.person);
            h.dedup();
            (f, h)
        }
    };
    let mut moved = Moved {
        with_household: movers_front.clone(),
        held: movers_held.iter().map(|m| (*m).clone()).collect(),
        household_stage: Some(case.stage),
        ..Moved::default()
    };
    let mut detail = detail;
    detail["members"] = serde_json::json!(moved.persons());
    detail["people"] = serde_json::json!(moved.people());
    // The household's own stage after the step, for members held apart to rejoin it.
    let mut household_after = case.clone();
    let mut moves_household = false;
    if !movers_front.is_empty() {
        let next = decided?;
        if household_moves(next.stage, movers_front.len() as u32, front.len() as u32) {
            moves_household = true;
            household_after = next;
        }
    }
    // A manifest puts its movers on its flight; every other step leaves them where they are.
    let manifested_on = match command {
        Command::Manifest(load) => Some(load.flight),
        _ => None,
    };
    // Members held apart take the step on their own.
    for m in &movers_held {
        let to = m.stage.after(step).expect("filtered on the step");
        let bound = Bound {
            batch: m.batch,
            gate: m.gate,
            flight: manifested_on.or(m.flight),
        };
        move_held(db, op, loaded, m, (to, bound), actor.at)?;
    }
    if !movers_front.is_empty() && !moves_household {
        // Some members of the household's stage go where the step leads; the household stays.
        let to = case.stage.after(step).expect("decided");
        bump(db, op, loaded.id, case, 0, -(movers_front.len() as i64))?;
        let flight = manifested_on.or(case.flight);
        hold(db, op, loaded, &movers_front, (to, flight), actor.at)?;
        household_after.held += movers_front.len() as u32;
    }
    if moves_household {
        // The members who did not take the step stay where they were, held apart.
        let stay: Vec<PersonId> = front
            .iter()
            .filter(|p| !movers_front.contains(p))
            .copied()
            .collect();
        hold(db, op, loaded, &stay, (case.stage, case.flight), actor.at)?;
        household_after.held = case.held + stay.len() as u32;
    }
    // Members held apart who are now where their household is rejoin it: at its stage, and on
    // its flight once manifested (a member on a later flight stays apart, listed on that one).
    let rejoining = db.rows(
        "SELECT person_id, rv_id, gate_id FROM held_people WHERE household_id = $1 AND stage = $2
           AND (flight_id IS NULL OR flight_id = CAST($3 AS BIGINT))",
        p![
            loaded.id.0,
            household_after.stage.as_str(),
            household_after.flight.map(|f| f.0)
        ],
    )?;
    for r in &rejoining {
        let (rv, gate) = (r.opt_i64(1)?.map(RvId), r.opt_i64(2)?.map(GateId));
        bump(
            db,
            op,
            loaded.id,
            &as_state(case, household_after.stage, rv, gate),
            0,
            -1,
        )?;
        db.exec(
            "DELETE FROM held_people WHERE person_id = $1",
            p![r.i64(0)?],
        )?;
    }
    household_after.held -= rejoining.len() as u32;
    let rejoined = rejoining.len() as i64;
    if moves_household {
        moved.event = commit_step(db, op, loaded, &household_after, kind, detail, actor)?;
        moved.household_stage = Some(household_after.stage);
        (moved.from, moved.to) = (Some(case.stage), Some(household_after.stage));
        return Ok(moved);
    }
    // The household's stage stays: its version still guards it against a step decided at once.
    if rejoined > 0 {
        bump(db, op, loaded.id, case, 0, rejoined)?;
    }
    touch(db, loaded, actor.at)?;
    let from = movers_held.first().map(|m| m.stage).unwrap_or(case.stage);
    let to = from.after(step).unwrap_or(case.stage);
    (moved.from, moved.to) = (Some(from), Some(to));
    moved.event = insert_event(
        db,
        NewEvent {
            household: Some(loaded.id),
            transition: Some((from, to)),
            rv: case.rv,
            gate: case.gate,
            batch: movers_held.first().map(|m| m.batch).or(case.batch),
            ..NewEvent::new(op, kind, detail)
        },
        actor,
    )?;
    Ok(moved)
}
