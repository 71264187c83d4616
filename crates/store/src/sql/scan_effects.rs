//! What field records do, through the lifecycle's own path: an admission admits the
//! household whose pass it read (`admission::admit`, then `lifecycle::admit_scanned` for a
//! run of admissions at once), a departure moves a device's batch into escort
//! (`batches::depart_batch`, refused whole), an arrival moves the members it counts at the
//! gate their batch is bound for (the others stay in escort), a check-in hands the arrived
//! members to processing. What the rules refuse becomes an incident (`incidents::raise`).
//! The ingest (`scans`) decides when a record's turn comes.
//!
//! Imports `incidents`, `lifecycle`, `batches`, `step` and `many`; never `scans`.

use super::batches::depart_batch;
use super::incidents::{Facts, raise};
use super::lifecycle::{ScannedAdmission, admit_scanned, apply};
use super::many::{rows_in, update_from_rows};
use super::step::{CASE_COLUMNS, LoadedCase, loaded};
use super::{Db, Value, in_part, p};
use crate::types::*;
use crate::vault::Vault;
use crate::{Result, StoreError};
use safeconduct_domain::admission::{self, PassStanding, PresentedPass};
use safeconduct_domain::scan::{IncidentKind, ScanAct, ScanRecord, corrected};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;
use std::collections::{HashMap, HashSet};

/// Whether an arrival at the gate waits for its household: while the household is still at
/// or before its RV as far as the records synced so far say, its departure may yet come. In any
/// other stage (on the way, at the gate, or out of the journey: no-show, reassigned,
/// withdrawn, rejected) the arrival takes effect or is an incident now.
pub(crate) fn arrival_waits(stage: Stage) -> bool {
    match stage {
        Stage::Registered
        | Stage::DocumentsVerified
        | Stage::Eligible
        | Stage::Assigned
        | Stage::PassIssued
        | Stage::AdmittedAtRv => true,
        Stage::InEscort
        | Stage::ArrivedAtGate
        | Stage::Processed
        | Stage::Manifested
        | Stage::Boarded
        | Stage::Rejected
        | Stage::Withdrawn
        | Stage::NoShow
        | Stage::Reassigned
        | Stage::Unaccounted => false,
    }
}

/// Whether a check-in at the gate waits for its household: until its arrival is synced (it is
/// on the way, or unaccounted and may yet arrive), as an arrival waits, and then some.
pub(crate) fn check_in_waits(stage: Stage) -> bool {
    arrival_waits(stage) || matches!(stage, Stage::InEscort | Stage::Unaccounted)
}

/// The stages in which `waits` holds, as a SQL list: the ingest retries waiting acts by the
/// same rules as decide them.
pub(crate) fn waiting_stages(waits: fn(Stage) -> bool) -> String {
    Stage::ALL
        .into_iter()
        .filter(|stage| waits(*stage))
        .map(|stage| format!("'{}'", stage.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A gate act on a pass a newer one replaced belongs to an earlier journey of its household
/// (a pass is replaced only before its household leaves the RV): it is an incident, and
/// moves nobody on the journey of the newer pass.
fn superseded(h: &Holder) -> bool {
    h.presented.standing == PassStanding::Superseded
}

/// What a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Applied,
    Incident,
    /// A refusal: logged, nothing moves.
    Noted,
    /// A gate act whose household has not left its RV in any record synced yet.
    Waiting,
}

impl Effect {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Effect::Applied => "applied",
            Effect::Incident => "incident",
            Effect::Noted => "noted",
            Effect::Waiting => "waiting",
        }
    }
}

/// A stored record, and the skew of the sync that brought it and when that sync arrived.
pub(crate) struct Stored {
    pub(crate) record: ScanRecord,
    pub(crate) skew: i64,
    pub(crate) received_at: Timestamp,
}

impl Stored {
    /// When its act happened by the server's clock ([`corrected`]).
    fn at(&self) -> Timestamp {
        corrected(self.record.at, self.skew, self.received_at)
    }
}

/// The household holding a pass, as a record's effect needs it: the pass as presented and
/// the case, read by one statement.
struct Holder {
    reference: CaseReference,
    presented: PresentedPass,
    case: LoadedCase,
}

impl Holder {
    fn id(&self) -> HouseholdId {
        self.case.id
    }
    fn stage(&self) -> Stage {
        self.case.state.stage
    }
}

/// The households holding the passes `indices`, by pass index, with one statement for a few
/// hundred passes.
fn holders(db: &mut dyn Db, op: OperationId, indices: &[i64]) -> Result<HashMap<i64, Holder>> {
    let rows = rows_in(
        db,
        &format!(
            "SELECT p.pass_index, h.reference, p.status, w.rv_id, w.start_at, w.end_at,
                    {CASE_COLUMNS}
             FROM passes p JOIN households h ON h.id = p.household_id
             LEFT JOIN windows w ON w.id = h.window_id
             WHERE p.operation_id = $1 AND p.pass_index"
        ),
        op.0,
        indices,
    )?;
    let mut holders = HashMap::with_capacity(rows.len());
    for r in rows {
        let standing = match r.text(2)?.as_str() {
            "valid" => PassStanding::Valid,
            "revoked" => PassStanding::Revoked,
            _ => PassStanding::Superseded,
        };
        let holder = Holder {
            reference: CaseReference::parse(&r.text(1)?)?,
            presented: PresentedPass {
                standing,
                rv: RvId(r.opt_i64(3)?.unwrap_or(0)),
                window_start: Timestamp(r.opt_i64(4)?.unwrap_or(i64::MAX)),
                window_end: Timestamp(r.opt_i64(5)?.unwrap_or(i64::MIN)),
            },
            case: loaded(&r, 6)?,
        };
        holders.insert(r.i64(0)?, holder);
    }
    Ok(holders)
}

fn holder(db: &mut dyn Db, op: OperationId, pass_index: i64) -> Result<Option<Holder>> {
    Ok(holders(db, op, &[pass_index])?.remove(&pass_index))
}

/// The device acting at the moment of a record, by the server's clock.
fn device_actor(device: &Device, at: Timestamp) -> Actor {
    Actor {
        user: Some(device.user),
        role: Some(device.role),
        device: Some(format!("device/{}", device.id)),
        at,
        places: Some(device.places.clone()),
    }
}

type Outcome = (Effect, Option<HouseholdId>);

pub(crate) fn effect_of(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    device: &Device,
    s: &Stored,
    touched: &mut Vec<IncidentId>,
) -> Result<Outcome> {
    let r = &s.record;
    let at = s.at();
    let actor = device_actor(device, at);
    let this = [(r.device, r.seq)];
    let facts = Facts {
        rv: r.rv(),
        gate: r.gate(),
        pass_index: r.act.pass_index(),
        household: None,
    };
    let mut incident = |db: &mut dyn Db,
                        kind: IncidentKind,
                        key: String,
                        facts: Facts,
                        detail: String,
                        records: &[(FieldDeviceId, u64)]|
     -> Result<Outcome> {
        let household = facts.household;
        touched.push(raise(db, op, kind, &key, facts, &detail, records, at)?);
        Ok((Effect::Incident, household))
    };
    let own_key = |kind: IncidentKind| format!("{kind}/device/{}/seq/{}", r.device, r.seq);
    // Most incidents are of this record alone, keyed by it.
    macro_rules! own {
        ($db:expr, $kind:expr, $facts:expr, $detail:expr) => {
            incident($db, $kind, own_key($kind), $facts, $detail, &this)
        };
    }
    match &r.act {
        ScanAct::Refuse { .. } => Ok((Effect::Noted, None)),
        ScanAct::Admit { .. } => Err(StoreError::Internal(
            "an admission is decided with its run (admit_run)".into(),
        )),
        ScanAct::OpenBatch { batch, gate } => {
            let rv = r.rv().unwrap_or(RvId(0));
            let linked = db
                .row(
                    "SELECT 1 FROM gate_rvs g JOIN gates t ON t.id = g.gate_id
                     WHERE g.gate_id = $1 AND g.rv_id = $2 AND t.operation_id = $3",
                    p![gate.0, rv.0, op.0],
                )?
                .is_some();
            let opened = linked
                && db.exec(
                    "INSERT INTO device_batches (device_id, batch_no, rv_id, gate_id, opened_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (device_id, batch_no) DO NOTHING",
                    p![r.device.0, *batch, rv.0, gate.0, at.0],
                )? == 1;
            if opened {
                return Ok((Effect::Applied, None));
            }
            let detail = if linked {
                format!("batch {batch} of device {} was opened twice", r.device)
            } else {
                format!(
                    "batch {batch} was opened for gate {gate}, which receives no batches from RV {rv}"
                )
            };
            own!(db, IncidentKind::Refused, facts, detail)
        }
        ScanAct::Depart { batch, head_count } => {
            let Some(b) = db.row(
                "SELECT rv_id, gate_id, batch_id FROM device_batches WHERE device_id = $1 AND batch_no = $2",
                p![r.device.0, *batch],
            )?
            else {
                let detail = format!("batch {batch} of device {} departed but was never opened", r.device);
                return own!(db, IncidentKind::Refused, facts, detail);
            };
            if b.opt_i64(2)?.is_some() {
                let detail = format!("batch {batch} of device {} departed twice", r.device);
                return own!(db, IncidentKind::Refused, facts, detail);
            }
            let (rv, gate) = (RvId(b.i64(0)?), GateId(b.i64(1)?));
            // The batch takes every household this device admitted into it, also when another
            // device's admission of the same pass took effect first (a double admission): the
            // household walks with the batch whose escort put it there, whichever device
            // synced first, so the outcome does not depend on the order of syncs.
            let households = db
                .rows(
                    "SELECT DISTINCT h.id, h.reference FROM device_scans s
                     JOIN households h ON h.id = s.household_id
                     WHERE s.device_id = $1 AND s.batch_no = $2 AND s.act = 'admit'
                       AND ((h.stage = 'admitted_at_rv' AND h.rv_id = $3)
                            OR EXISTS (SELECT 1 FROM held_people m
                                       WHERE m.household_id = h.id AND m.rv_id = $3
                                         AND m.stage = 'admitted_at_rv'))
                       AND (s.effect = 'applied' OR EXISTS (
                           SELECT 1 FROM incident_scans x JOIN incidents i ON i.id = x.incident_id
                           WHERE x.device_id = s.device_id AND x.seq = s.seq
                             AND i.kind = 'double_admission'))
                     ORDER BY h.id",
                    p![r.device.0, *batch, rv.0],
                )?
                .iter()
                .map(|row| CaseReference::parse(&row.text(1)?).map_err(StoreError::from))
                .collect::<Result<Vec<_>>>()?;
            if households.is_empty() {
                let detail = format!(
                    "batch {batch} of device {} departed with nobody admitted into it",
                    r.device
                );
                return own!(db, IncidentKind::Refused, facts, detail);
            }
            let departure = BatchDeparture {
                rv,
                gate,
                households,
            };
            // A departure refused half-way (a gate suspended meanwhile, a household held at
            // another RV) leaves nothing behind: no batch without its people, nobody in escort
            // in a batch that records none.
            let departed = match in_part(db, |db| depart_batch(db, op, &departure, &actor)) {
                Ok(batch) => batch,
                Err(e @ (StoreError::Domain(_) | StoreError::NotFound(_))) => {
                    let detail = format!("batch {batch} of device {}: {e}", r.device);
                    return own!(db, IncidentKind::Refused, facts, detail);
                }
                Err(e) => return Err(e),
            };
            db.exec(
                "UPDATE device_batches SET batch_id = $1 WHERE device_id = $2 AND batch_no = $3",
                p![departed.id.0, r.device.0, *batch],
            )?;
            if departed.departed_people != *head_count {
                let detail = format!(
                    "batch {} left RV {rv} with {head_count} people counted at the door, {} admitted into it",
                    departed.id, departed.departed_people
                );
                let key = format!("head_count/batch/{}", departed.id);
                incident(db, IncidentKind::HeadCount, key, facts, detail, &this)?;
            }
            Ok((Effect::Applied, None))
        }
        ScanAct::Arrive { pass_index, people } => {
            let gate = r.gate().unwrap_or(GateId(0));
            let Some(h) = holder(db, op, *pass_index)? else {
                let detail =
                    format!("pass {pass_index} arrived at gate {gate}: no household holds it");
                return own!(db, IncidentKind::UnknownPass, facts, detail);
            };
            let facts = Facts {
                household: Some(h.id()),
                ..facts
            };
            if superseded(&h) {
                let detail =
                    format!("pass {pass_index} arrived at gate {gate}: a newer pass replaced it");
                return own!(db, IncidentKind::SupersededPass, facts, detail);
            }
            // Before its departure is synced, an arrival waits for it.
            if arrival_waits(h.stage()) {
                return Ok((Effect::Waiting, Some(h.id())));
            }
            let Some(batch) = h.case.state.batch else {
                let detail = format!(
                    "pass {pass_index} arrived at gate {gate}: the household is {}",
                    h.stage()
                );
                return own!(db, IncidentKind::Refused, facts, detail);
            };
            // Only the gate the batch is bound for counts its people in: a record of another
            // gate neither counts nor moves anyone.
            let bound_for = GateId(
                db.one("SELECT gate_id FROM batches WHERE id = $1", p![batch.0])?
                    .i64(0)?,
            );
            if bound_for != gate {
                let detail = format!(
                    "pass {pass_index} arrived at gate {gate}, but its batch {batch} is bound for gate {bound_for}"
                );
                return own!(db, IncidentKind::Refused, facts, detail);
            }
            // Arrival is per person: the members counted move on, the others stay in escort
            // (and become unaccounted at the deadline).
            let request = CaseRequest::ArriveAtGate {
                batch,
                people: Some(*people),
            };
            // In a part of its own: a step refused after it wrote leaves nothing behind, and
            // the refusal becomes the record's incident.
            let arrival = in_part(db, |db| {
                apply(db, vault, op, &h.reference, &request, &actor)
            });
            if let Err(e) = arrival {
                return match e {
                    StoreError::Domain(_) | StoreError::NotFound(_) => {
                        let detail = format!("pass {pass_index} arrived at gate {gate}: {e}");
                        own!(db, IncidentKind::Refused, facts, detail)
                    }
                    e => Err(e),
                };
            }
            let behind = db
                .one(
                    "SELECT COUNT(*) FROM held_people WHERE household_id = $1 AND batch_id = $2
                     AND stage IN ('in_escort', 'unaccounted')",
                    p![h.id().0, batch.0],
                )?
                .i64(0)?;
            if behind > 0 {
                let detail = format!(
                    "{behind} of the {} people of the household of pass {pass_index} have not arrived at gate {gate}: still in escort or unaccounted",
                    h.case.state.size
                );
                let key = format!("partial_arrival/household/{}/batch/{batch}", h.id());
                incident(db, IncidentKind::PartialArrival, key, facts, detail, &this)?;
            }
            // A pass revoked after its household was admitted at the RV (a phone reported
            // stolen on the way): the people who arrived are counted in, and a coordinator is
            // told.
            if h.presented.standing == PassStanding::Revoked {
                let detail = format!(
                    "pass {pass_index} arrived at gate {gate}: it was revoked after its household was admitted"
                );
                let kind = IncidentKind::RevokedPass;
                incident(db, kind, own_key(kind), facts, detail, &this)?;
            }
            Ok((Effect::Applied, Some(h.id())))
        }
        ScanAct::CheckIn { pass_index } => {
            let gate = r.gate().unwrap_or(GateId(0));
            let Some(h) = holder(db, op, *pass_index)? else {
                let detail =
                    format!("pass {pass_index} checked in at gate {gate}: no household holds it");
                return own!(db, IncidentKind::UnknownPass, facts, detail);
            };
            let facts = Facts {
                household: Some(h.id()),
                ..facts
            };
            if superseded(&h) {
                let detail = format!(
                    "pass {pass_index} checked in at gate {gate}: a newer pass replaced it"
                );
                return own!(db, IncidentKind::SupersededPass, facts, detail);
            }
            if check_in_waits(h.stage()) {
                return Ok((Effect::Waiting, Some(h.id())));
            }
            let request = CaseRequest::Process { gate };
            match in_part(db, |db| {
                apply(db, vault, op, &h.reference, &request, &actor)
            }) {
                Ok(_) => Ok((Effect::Applied, Some(h.id()))),
                Err(e @ (StoreError::Domain(_) | StoreError::NotFound(_))) => {
                    let detail = format!("pass {pass_index} checked in at gate {gate}: {e}");
                    own!(db, IncidentKind::Refused, facts, detail)
                }
                Err(e) => Err(e),
            }
        }
    }
}

/// What records did: (sequence number, effect, household) of each, written by
/// [`write_marks`].
pub(crate) type Marks = Vec<(u64, Effect, Option<HouseholdId>)>;

/// Writes what each record of `device` did.
pub(crate) fn write_marks(
    db: &mut dyn Db,
    device: FieldDeviceId,
    marks: &[(u64, Effect, Option<HouseholdId>)],
) -> Result<()> {
    let rows: Vec<Vec<Value>> = marks
        .iter()
        .map(|(seq, effect, household)| {
            p![*seq as i64, effect.as_str(), household.map(|h| h.0)].to_vec()
        })
        .collect();
    update_from_rows(
        db,
        "UPDATE device_scans SET effect = v.column2, household_id = v.column3",
        &["BIGINT", "TEXT", "BIGINT"],
        &rows,
        "WHERE device_scans.device_id = $1 AND device_scans.seq = v.column1
           AND (device_scans.effect IS NULL OR device_scans.effect = 'waiting')",
        p![device.0],
    )?;
    Ok(())
}

/// Raises the incident of one record alone, keyed by it.
fn own_incident(
    db: &mut dyn Db,
    op: OperationId,
    r: &ScanRecord,
    kind: IncidentKind,
    facts: Facts,
    detail: &str,
    touched: &mut Vec<IncidentId>,
) -> Result<()> {
    let key = format!("{kind}/device/{}/seq/{}", r.device, r.seq);
    let at = r.at;
    touched.push(raise(
        db,
        op,
        kind,
        &key,
        facts,
        detail,
        &[(r.device, r.seq)],
        at,
    )?);
    Ok(())
}

/// Admission records of `device` next to each other in its order (refusals between them
/// aside), decided against their households as the run found them and written together:
/// the holders read at once, the steps through `lifecycle::admit_scanned`. A record whose
/// household an earlier record of the run admits ends the run before it: it is decided once
/// the first is written, as the double admission it is. Returns how many records the run
/// took and what each did.
pub(crate) fn admit_run(
    db: &mut dyn Db,
    op: OperationId,
    device: &Device,
    admissions: &[Stored],
    touched: &mut Vec<IncidentId>,
) -> Result<(usize, Marks)> {
    let indices: Vec<i64> = admissions
        .iter()
        .filter_map(|s| s.record.act.pass_index())
        .collect();
    let holders = holders(db, op, &indices)?;
    let mut marks = Marks::new();
    let mut seen = HashSet::new();
    let mut taken = 0;
    let (mut scanned, mut run) = (Vec::new(), Vec::new());
    for s in admissions {
        let ScanAct::Admit { pass_index, .. } = s.record.act else {
            return Err(StoreError::Internal("a run holds admissions only".into()));
        };
        // Incidents and steps are at the record's time, corrected by its sync's skew.
        let r = ScanRecord {
            at: s.at(),
            ..s.record.clone()
        };
        let rv = r.rv().unwrap_or(RvId(0));
        let facts = Facts {
            rv: r.rv(),
            gate: r.gate(),
            pass_index: Some(pass_index),
            household: None,
        };
        let Some(h) = holders.get(&pass_index) else {
            let detail = format!("pass {pass_index} admitted at RV {rv}: no household holds it");
            own_incident(
                db,
                op,
                &r,
                IncidentKind::UnknownPass,
                facts,
                &detail,
                touched,
            )?;
            marks.push((r.seq, Effect::Incident, None));
            taken += 1;
            continue;
        };
        if !seen.insert(h.id()) {
            break;
        }
        taken += 1;
        let facts = Facts {
            household: Some(h.id()),
            ..facts
        };
        if let Err(refusal) = admission::admit(&h.presented, rv, r.at) {
            let kind = IncidentKind::of_refusal(refusal);
            // The device reads this answer: it never learns which RV a pass is for.
            let why = match refusal {
                admission::Refusal::WrongRv { .. } => {
                    "the pass is for another rendezvous point".to_string()
                }
                other => other.to_string(),
            };
            let detail = format!("pass {pass_index} admitted at RV {rv}: {why}");
            own_incident(db, op, &r, kind, facts, &detail, touched)?;
            marks.push((r.seq, Effect::Incident, Some(h.id())));
            continue;
        }
        if h.stage() != Stage::PassIssued && h.case.state.held > 0 && returned_to(db, h.id(), rv)? {
            // Members who went back to this RV on their own, scanned to leave with this
            // batch: admitted already, they move when the batch departs.
            marks.push((r.seq, Effect::Applied, Some(h.id())));
            continue;
        }
        if h.stage() != Stage::PassIssued {
            let mut records = admissions_of(db, op, pass_index)?;
            records.push((r.device, r.seq));
            let detail = format!(
                "pass {pass_index} admitted again at RV {rv}; the household was already {}",
                h.stage()
            );
            let key = format!("double_admission/pass/{pass_index}");
            touched.push(raise(
                db,
                op,
                IncidentKind::DoubleAdmission,
                &key,
                facts,
                &detail,
                &records,
                r.at,
            )?);
            marks.push((r.seq, Effect::Incident, Some(h.id())));
            continue;
        }
        run.push(ScannedAdmission {
            case: &h.case,
            reference: &h.reference,
            rv,
            pass: Some(h.presented),
            actor: device_actor(device, r.at),
        });
        scanned.push((r, facts));
    }
    let outcomes = admit_scanned(db, op, &run)?;
    for (((r, facts), a), outcome) in scanned.iter().zip(&run).zip(outcomes) {
        match outcome {
            Ok(_) => marks.push((r.seq, Effect::Applied, Some(a.case.id))),
            Err(e @ (StoreError::Domain(_) | StoreError::NotFound(_))) => {
                let pass_index = facts.pass_index.unwrap_or_default();
                let detail = format!("pass {pass_index} admitted at RV {}: {e}", a.rv);
                own_incident(db, op, r, IncidentKind::Refused, *facts, &detail, touched)?;
                marks.push((r.seq, Effect::Incident, Some(a.case.id)));
            }
            Err(e) => return Err(e),
        }
    }
    Ok((taken, marks))
}

/// Whether members of `household` wait at `rv` on their own (returned there while the rest
/// went on).
fn returned_to(db: &mut dyn Db, household: HouseholdId, rv: RvId) -> Result<bool> {
    Ok(db
        .row(
            "SELECT 1 FROM held_people WHERE household_id = $1 AND rv_id = $2
             AND stage = 'admitted_at_rv'",
            p![household.0, rv.0],
        )?
        .is_some())
}

/// Every record that admitted a pass (took effect), as (device, sequence number).
fn admissions_of(
    db: &mut dyn Db,
    op: OperationId,
    pass_index: i64,
) -> Result<Vec<(FieldDeviceId, u64)>> {
    db.rows(
        "SELECT device_id, seq FROM device_scans
         WHERE operation_id = $1 AND pass_index = $2 AND act = 'admit' AND effect = 'applied'
         ORDER BY device_id, seq",
        p![op.0, pass_index],
    )?
    .iter()
    .map(|r| Ok((FieldDeviceId(r.i64(0)?), r.i64(1)? as u64)))
    .collect()
}
