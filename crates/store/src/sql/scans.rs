//! Records synced from enrolled field devices, and what each does. A sync is stored whole or
//! not at all; each record once, keyed by device and sequence number (a record sent again is
//! already had). Records take effect in each device's own order: a record waits for its
//! device's earlier records, so chunks arriving out of order change nothing in the outcome.
//! Each effect goes through the lifecycle (`decide` and `step::commit_steps`, through
//! `lifecycle::admit_scanned` for a run of admissions, `lifecycle::apply`,
//! `batches::depart_batch`), the same path as the online API; what the lifecycle or the
//! admission rule refuses becomes an incident (`incidents`), never a silent success or a
//! dropped record. A sync costs a few statements, not a few per record (`many`): its own
//! records are stored once, with what they did.
//!
//! Imports `devices`, `incidents`, `step`, `many` and `scan_effects` (what each record does).

use super::devices::active_device_of;
use super::incidents::{Facts, raise};
use super::step::require_operation;
use super::{Db, Row, audit, p};
use crate::types::*;
use crate::vault::Vault;
use crate::{Change, Result, StoreError};
use safeconduct_domain::field::ScanBounds;
use safeconduct_domain::scan::{
    IncidentKind, PassDigest, ScanAct, ScanPlace, ScanRecord, skew_is_incident,
};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;
use std::collections::{BTreeMap, HashMap};

use super::many::{insert_rows, rows_in};
use super::scan_effects::{
    Effect, Marks, Stored, admit_run, arrival_waits, check_in_waits, effect_of, waiting_stages,
    write_marks,
};
pub(crate) fn ingest(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    sync: &DeviceSync,
    actor: &Actor,
) -> Result<SyncReceipt> {
    require_operation(db, op)?;
    // Two syncs of one device (a sync sent again while the first is still running) take
    // turns: the first write on the device's row holds it until commit, so the second reads
    // the device's applied sequence as the first left it.
    db.exec(
        "UPDATE devices SET last_sync_at = $1 WHERE id = $2 AND operation_id = $3",
        p![actor.at.0, sync.device.0, op.0],
    )?;
    let device = active_device_of(db, op, sync.device, actor)?;
    // A device clock more than a day off would move every record's time by as much: a clock
    // to set right before the records are worth keeping.
    let skew = actor.at.0.saturating_sub(sync.device_time.0);
    if skew.unsigned_abs() > safeconduct_domain::field::CLOCK_SKEW_SECONDS as u64 {
        return Err(DomainError::invalid(
            "device_time",
            "more than a day from the server's clock: set the device's clock, then sync again",
        )
        .into());
    }
    let created = db.one("SELECT created_at FROM operations WHERE id = $1", p![op.0])?;
    let bounds = ScanBounds::new(Timestamp(created.i64(0)?), actor.at);
    for (i, s) in sync.records.iter().enumerate() {
        let at_record = |e: DomainError| {
            DomainError::invalid("records", format!("record {i} (seq {}): {e}", s.record.seq))
        };
        s.record.check(&bounds).map_err(at_record)?;
        let (rv, gate) = (s.record.rv(), s.record.gate());
        let mine = rv.is_none_or(|rv| device.places.rvs.contains(&rv))
            && gate.is_none_or(|gate| device.places.gates.contains(&gate));
        if !mine {
            return Err(at_record(DomainError::invalid(
                "place",
                "not one of the device's places",
            ))
            .into());
        }
        // The device acts for its user, at places the user still holds: a user moved elsewhere
        // takes none of the old places along on the device.
        if !actor.sees(rv, gate) {
            return Err(at_record(DomainError::invalid(
                "place",
                "no longer assigned to the device's user; a coordinator enrols the device \
                 for the user's places",
            ))
            .into());
        }
    }
    check_pass_digests(db, op, &sync.records)?;
    let mut receipt = SyncReceipt {
        skew,
        ..SyncReceipt::default()
    };
    // A record sent again (in this sync or an earlier one) must be the one stored under its
    // sequence number: a device that reused one would lose an act it believes acknowledged.
    // Two syncs of one device take turns (above): what is stored stays so until commit.
    let seqs: Vec<i64> = sync.records.iter().map(|s| s.record.seq as i64).collect();
    let mut known: HashMap<u64, &str> = HashMap::new();
    let (low, high) = (
        seqs.iter().min().copied().unwrap_or(0),
        seqs.iter().max().copied().unwrap_or(-1),
    );
    // A sync's records mostly follow each other: their range is read along the device's
    // index. Numbers spread wider than that are read one list at a time.
    let stored_texts = if high.saturating_sub(low) < 4 * seqs.len() as i64 {
        db.rows(
            "SELECT seq, record FROM device_scans WHERE device_id = $1 AND seq >= $2 AND seq <= $3",
            p![device.id.0, low, high],
        )?
    } else {
        rows_in(
            db,
            "SELECT seq, record FROM device_scans WHERE device_id = $1 AND seq",
            device.id.0,
            &seqs,
        )?
    }
    .iter()
    .map(|r| Ok((r.i64(0)? as u64, r.text(1)?)))
    .collect::<Result<Vec<_>>>()?;
    for (seq, text) in &stored_texts {
        known.insert(*seq, text);
    }
    let mut writes = Writes {
        op,
        device: device.id,
        skew,
        received_at: actor.at,
        fresh: BTreeMap::new(),
        marks: Marks::new(),
    };
    for s in &sync.records {
        match known.get(&s.record.seq) {
            Some(text) if *text != s.text => {
                return Err(StoreError::Conflict(format!(
                    "record seq {} differs from the record stored under that sequence number; \
                     a device never reuses a sequence number",
                    s.record.seq
                )));
            }
            Some(_) => receipt.already_had += 1,
            None => {
                known.insert(s.record.seq, &s.text);
                writes.fresh.insert(s.record.seq, (s, None));
                receipt.received += 1;
            }
        }
    }
    let sync_id = db
        .one(
            "INSERT INTO device_syncs (device_id, at, device_time, skew, records, received)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            p![
                device.id.0,
                actor.at.0,
                sync.device_time.0,
                skew,
                sync.records.len(),
                receipt.received
            ],
        )?
        .i64(0)?;
    let mut touched = Vec::new();
    if skew_is_incident(skew) {
        let open = db
            .row(
                "SELECT 1 FROM incidents WHERE operation_id = $1 AND kind = 'clock_skew'
                 AND resolved_at IS NULL AND key LIKE $2",
                p![op.0, format!("clock_skew/device/{}/%", device.id.0)],
            )?
            .is_some();
        if !open {
            let place = device.places.rvs.first().copied();
            let gate = device.places.gates.first().copied();
            touched.push(raise(
                db,
                op,
                IncidentKind::ClockSkew,
                &format!("clock_skew/device/{}/sync/{sync_id}", device.id.0),
                Facts {
                    rv: place,
                    gate,
                    ..Facts::default()
                },
                &format!(
                    "device {} was {} s {} the server's clock at a sync; its scans are kept \
                     at its time corrected by the skew",
                    device.id,
                    skew.unsigned_abs(),
                    if skew > 0 { "behind" } else { "ahead of" }
                ),
                &[],
                actor.at,
            )?);
        }
    }
    let applied = apply_in_order(db, vault, op, &device, &mut writes, &mut touched)?;
    // Records of other devices tried again here raise their incidents for coordinators, not
    // for this device's answer.
    retry_waiting(db, vault, op, &mut Vec::new())?;
    db.exec(
        "UPDATE devices SET applied_seq = $1, last_sync_at = $2, last_skew = $3 WHERE id = $4",
        p![applied, actor.at.0, skew, device.id.0],
    )?;
    receipt.applied_seq = applied;
    receipt.incidents = super::incidents::involving(db, op, device.id, &touched)?;
    if receipt.received > 0 {
        audit::change(
            db,
            actor,
            Some(op),
            "device_synced",
            format!("device/{} records/{}", device.id, receipt.received),
        )?;
        db.notify(&Change {
            operation: op,
            kind: "scans_received".into(),
            stage: None,
            rv: device.places.rvs.first().copied(),
            gate: device.places.gates.first().copied(),
            batch: None,
        })?;
    }
    Ok(receipt)
}

/// Refuses a sync any of whose admit, arrive or check-in records names a pass it has not read:
/// its digest must be that of the signed bytes of the pass with its index. A pass index no
/// household holds is refused in the same words, so that the answer tells nothing of which
/// indices were issued. One read of the passes named, however many records.
fn check_pass_digests(db: &mut dyn Db, op: OperationId, records: &[SyncedRecord]) -> Result<()> {
    let named: Vec<(usize, u64, i64, PassDigest)> = records
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let r = &s.record;
            Some((i, r.seq, r.act.pass_index()?, r.pass_digest?))
        })
        .collect();
    let mut indices: Vec<i64> = named.iter().map(|n| n.2).collect();
    indices.sort_unstable();
    indices.dedup();
    let mut digests = HashMap::with_capacity(indices.len());
    for r in rows_in(
        db,
        "SELECT pass_index, signed FROM passes WHERE operation_id = $1 AND pass_index",
        op.0,
        &indices,
    )? {
        digests.insert(r.i64(0)?, safeconduct_pass::digest(&r.bytes(1)?));
    }
    for (i, seq, index, digest) in named {
        if digests.get(&index) != Some(&digest) {
            return Err(DomainError::invalid(
                "records",
                format!(
                    "record {i} (seq {seq}): pass_digest: not the digest of pass {index}; \
                     a device records only passes it has read"
                ),
            )
            .into());
        }
    }
    Ok(())
}

type Columns = (
    Option<i64>,
    Option<u32>,
    Option<i64>,
    Option<u32>,
    Option<u32>,
    Option<String>,
);

/// A record's act as the columns of `device_scans`: pass, batch, to_gate, head_count, people,
/// code.
fn columns(act: &ScanAct) -> Columns {
    match act {
        ScanAct::Admit { pass_index, batch } => (Some(*pass_index), *batch, None, None, None, None),
        ScanAct::Refuse { pass_index, code } => {
            (*pass_index, None, None, None, None, Some(code.clone()))
        }
        ScanAct::OpenBatch { batch, gate } => (None, Some(*batch), Some(gate.0), None, None, None),
        ScanAct::Depart { batch, head_count } => {
            (None, Some(*batch), None, Some(*head_count), None, None)
        }
        ScanAct::Arrive { pass_index, people } => {
            (Some(*pass_index), None, None, None, Some(*people), None)
        }
        ScanAct::CheckIn { pass_index } => (Some(*pass_index), None, None, None, None, None),
    }
}

const RECORD_COLUMNS: &str = "device_id, seq, act, rv_id, gate_id, pass_index, batch_no, \
     to_gate, head_count, people, code, at, skew, received_at";
const RECORD_COLUMNS_OF_S: &str = "s.device_id, s.seq, s.act, s.rv_id, s.gate_id, \
     s.pass_index, s.batch_no, s.to_gate, s.head_count, s.people, s.code, s.at, s.skew, \
     s.received_at";

fn stored(op: OperationId, r: &Row) -> Result<Stored> {
    let damaged = |what: &str| StoreError::Internal(format!("a stored scan lacks its {what}"));
    let place = match (r.opt_i64(3)?, r.opt_i64(4)?) {
        (Some(rv), _) => ScanPlace::Rv(RvId(rv)),
        (None, Some(gate)) => ScanPlace::Gate(GateId(gate)),
        _ => return Err(damaged("place")),
    };
    let pass = r.opt_i64(5)?;
    let batch = r.opt_i64(6)?.map(|b| b as u32);
    let act = match r.text(2)?.as_str() {
        "admit" => ScanAct::Admit {
            pass_index: pass.ok_or_else(|| damaged("pass"))?,
            batch,
        },
        "refuse" => ScanAct::Refuse {
            pass_index: pass,
            code: r.opt_text(10)?.unwrap_or_default(),
        },
        "open_batch" => ScanAct::OpenBatch {
            batch: batch.ok_or_else(|| damaged("batch"))?,
            gate: GateId(r.opt_i64(7)?.ok_or_else(|| damaged("gate"))?),
        },
        "depart" => ScanAct::Depart {
            batch: batch.ok_or_else(|| damaged("batch"))?,
            head_count: r.opt_i64(8)?.ok_or_else(|| damaged("head count"))? as u32,
        },
        "arrive" => ScanAct::Arrive {
            pass_index: pass.ok_or_else(|| damaged("pass"))?,
            people: r.opt_i64(9)?.ok_or_else(|| damaged("people"))? as u32,
        },
        "check_in" => ScanAct::CheckIn {
            pass_index: pass.ok_or_else(|| damaged("pass"))?,
        },
        other => return Err(damaged(other)),
    };
    Ok(Stored {
        record: ScanRecord {
            operation: op,
            device: FieldDeviceId(r.i64(0)?),
            seq: r.i64(1)? as u64,
            at: Timestamp(r.i64(11)?),
            place,
            act,
            // Checked at upload; what a stored record does depends on its index alone.
            pass_digest: None,
        },
        skew: r.i64(12)?,
        received_at: Timestamp(r.i64(13)?),
    })
}

/// The most records of one device applied by one sync: the rest follow at the next.
const APPLY_AT_ONCE: i64 = 5000;

/// What did what, of this sync's records and of records stored earlier.
type Did = Option<(Effect, Option<HouseholdId>)>;

/// What a sync writes of records: its own records are stored with what they did (one insert
/// each, not an insert and then an update), records stored earlier get what they did. Written
/// before any effect that reads stored records (a departure reads its batch's admissions, a
/// double admission the earlier one), and at the end.
struct Writes<'a> {
    op: OperationId,
    device: FieldDeviceId,
    skew: i64,
    received_at: Timestamp,
    /// This sync's records not stored yet, by sequence number.
    fresh: BTreeMap<u64, (&'a SyncedRecord, Did)>,
    /// What records stored by earlier syncs did.
    marks: Marks,
}

impl Writes<'_> {
    fn did(&mut self, seq: u64, effect: Effect, household: Option<HouseholdId>) {
        match self.fresh.get_mut(&seq) {
            Some(slot) => slot.1 = Some((effect, household)),
            None => self.marks.push((seq, effect, household)),
        }
    }

    /// Stores this sync's records whose effect is decided (with `all`, every one left: those
    /// after a gap wait for their turn) and what earlier records did.
    fn write(&mut self, db: &mut dyn Db, all: bool) -> Result<()> {
        let ready: Vec<u64> = self
            .fresh
            .iter()
            .filter(|(_, (_, did))| all || did.is_some())
            .map(|(seq, _)| *seq)
            .collect();
        let mut rows = Vec::with_capacity(ready.len());
        for seq in ready {
            let Some((s, did)) = self.fresh.remove(&seq) else {
                continue;
            };
            let r = &s.record;
            let (pass, batch, to_gate, head_count, people, code) = columns(&r.act);
            let (effect, household) = match did {
                Some((effect, household)) => (Some(effect.as_str()), household.map(|h| h.0)),
                None => (None, None),
            };
            rows.push(
                p![
                    self.op.0,
                    self.device.0,
                    r.seq as i64,
                    r.act.as_str(),
                    r.rv().map(|v| v.0),
                    r.gate().map(|v| v.0),
                    pass,
                    batch,
                    to_gate,
                    head_count,
                    people,
                    code,
                    r.at.0,
                    self.skew,
                    self.received_at.0,
                    s.text.as_str(),
                    s.signature.as_slice(),
                    effect,
                    household,
                ]
                .to_vec(),
            );
        }
        insert_rows(
            db,
            "device_scans",
            "operation_id, device_id, seq, act, rv_id, gate_id, pass_index, batch_no, to_gate, \
             head_count, people, code, at, skew, received_at, record, signature, effect, \
             household_id",
            &rows,
            "",
        )?;
        write_marks(db, self.device, &std::mem::take(&mut self.marks))
    }
}

/// Applies the device's records from the one after its last applied, as long as they follow
/// each other without a gap (records stored earlier and this sync's alike); returns the new
/// last applied sequence number.
fn apply_in_order(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    device: &Device,
    writes: &mut Writes<'_>,
    touched: &mut Vec<IncidentId>,
) -> Result<i64> {
    let last = device.applied_seq.saturating_add(APPLY_AT_ONCE);
    let mut queue = BTreeMap::new();
    for row in &db.rows(
        &format!(
            "SELECT {RECORD_COLUMNS} FROM device_scans
             WHERE device_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq"
        ),
        p![device.id.0, device.applied_seq, last],
    )? {
        let s = stored(op, row)?;
        queue.insert(s.record.seq, s);
    }
    for (seq, (s, _)) in writes.fresh.range(..=last.max(0) as u64) {
        let record = s.record.clone();
        queue.insert(
            *seq,
            Stored {
                record,
                skew: writes.skew,
                received_at: writes.received_at,
            },
        );
    }
    let mut applied = device.applied_seq;
    // Admissions and refusals next to each other are decided as one run; any other act
    // waits until the run before it is written, as its effect may read the run's.
    let mut run: Vec<Stored> = Vec::new();
    for (seq, s) in queue {
        if seq as i64 != applied + 1 {
            break;
        }
        applied += 1;
        match s.record.act {
            ScanAct::Refuse { .. } => writes.did(seq, Effect::Noted, None),
            ScanAct::Admit { pass_index, .. } => {
                if run
                    .iter()
                    .any(|r| r.record.act.pass_index() == Some(pass_index))
                {
                    admit_all(db, op, device, &mut run, writes, touched)?;
                }
                run.push(s);
            }
            _ => {
                admit_all(db, op, device, &mut run, writes, touched)?;
                if matches!(s.record.act, ScanAct::Depart { .. }) {
                    writes.write(db, false)?;
                }
                let (effect, household) = effect_of(db, vault, op, device, &s, touched)?;
                writes.did(seq, effect, household);
            }
        }
    }
    admit_all(db, op, device, &mut run, writes, touched)?;
    writes.write(db, true)?;
    Ok(applied)
}

/// Decides and writes the admissions of `run` (emptied), each part after what came before
/// it is written.
fn admit_all(
    db: &mut dyn Db,
    op: OperationId,
    device: &Device,
    run: &mut Vec<Stored>,
    writes: &mut Writes<'_>,
    touched: &mut Vec<IncidentId>,
) -> Result<()> {
    let mut rest = &run[..];
    while !rest.is_empty() {
        writes.write(db, false)?;
        let (taken, did) = admit_run(db, op, device, rest, touched)?;
        for (seq, effect, household) in did {
            writes.did(seq, effect, household);
        }
        rest = &rest[taken..];
    }
    run.clear();
    Ok(())
}

/// How many times in a row the waiting acts are read again after a sync: an act taking effect
/// can free another (an arrival, the check-in after it), so a round that freed any is
/// followed by another, up to this many.
const RETRY_ROUNDS: usize = 4;

/// Gate acts that waited for their household: tried again after every sync once the act's own
/// rule no longer holds it ([`arrival_waits`], [`check_in_waits`]: the household left, arrived,
/// or will not: marked no-show, reassigned, withdrawn) or a newer pass replaced the one it read
/// (it belongs to an earlier journey: an incident), in the order they happened, the oldest
/// thousand at a time. Acts that still wait are not read at all, so a device recording passes
/// that never leave, or check-ins of people still on the way, cannot make every sync slower
/// without end nor keep newer acts from their turn.
fn retry_waiting(
    db: &mut dyn Db,
    vault: &Vault,
    op: OperationId,
    touched: &mut Vec<IncidentId>,
) -> Result<()> {
    let (arrivals, check_ins) = (
        waiting_stages(arrival_waits),
        waiting_stages(check_in_waits),
    );
    let sql = format!(
        "SELECT {RECORD_COLUMNS_OF_S} FROM device_scans s
         JOIN households h ON h.id = s.household_id
         JOIN devices d ON d.id = s.device_id
         JOIN passes p ON p.operation_id = s.operation_id AND p.pass_index = s.pass_index
         WHERE s.operation_id = $1 AND s.effect = 'waiting' AND d.suspended_at IS NULL
           AND (p.status = 'superseded'
                OR (s.act = 'arrive' AND h.stage NOT IN ({arrivals}))
                OR (s.act = 'check_in' AND h.stage NOT IN ({check_ins})))
         ORDER BY s.at, s.device_id, s.seq
         LIMIT 1000"
    );
    for _ in 0..RETRY_ROUNDS {
        let mut freed = 0;
        for row in &db.rows(&sql, p![op.0])? {
            let s = stored(op, row)?;
            let device = super::devices::device(db, op, s.record.device)?;
            let (effect, household) = effect_of(db, vault, op, &device, &s, touched)?;
            if effect != Effect::Waiting {
                write_marks(db, device.id, &[(s.record.seq, effect, household)])?;
                freed += 1;
            }
        }
        if freed == 0 {
            break;
        }
    }
    Ok(())
}
