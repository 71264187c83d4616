//! The field client's offline acts: verify a pass with the saved kit (refused once the kit
//! expired), and record what was done (admit or refuse at the RV, open and depart a batch,
//! arrivals and check-ins at the gate) as signed records kept in the journal.
//!
//! Must not import the network side (`http`, `online`): every act works with no network.

use super::state::{DeviceFile, Journal, OpenBatch, StateDir};
use crate::pass::{print_verification, read_qr};
use anyhow::{Result, bail};
use clap::Args;
use safeconduct_domain::scan::{PassDigest, ScanAct, ScanPlace};
use safeconduct_domain::values::Language;
use safeconduct_domain::{GateId, RvId};
use safeconduct_pass::{Check, Verification};
use std::path::PathBuf;

/// A pass, as text or as a PNG image of its QR code.
#[derive(Args)]
pub struct PassInput {
    /// The pass's text form (SC2:…).
    #[arg(long, conflicts_with = "png", required_unless_present = "png")]
    text: Option<String>,
    /// A PNG image of the pass's QR code.
    #[arg(long)]
    png: Option<PathBuf>,
}

impl PassInput {
    pub fn read(&self) -> Result<String> {
        match (&self.text, &self.png) {
            (Some(t), None) => Ok(t.trim().to_string()),
            (None, Some(path)) => read_qr(path),
            _ => bail!("give the pass with --text or --png, one of them"),
        }
    }
}

/// Verifies a pass offline with the saved kit, refused when the kit has expired.
fn verify(state: &StateDir, text: &str, check: &Check<'_>) -> Result<Verification> {
    let saved = state.kit()?;
    let expires = saved.expires()?;
    if safeconduct_keys::now().0 >= expires.0 {
        bail!(
            "the field kit expired at {}: refresh it with `safeconduct field kit` before \
             verifying; nothing was recorded",
            saved.expires_at
        );
    }
    let verifier = saved
        .kit
        .verifier()
        .map_err(|e| anyhow::anyhow!("the saved field kit: {e}"))?;
    Ok(verifier.verify_text(text, check))
}

/// The one place of the device where an act happens: the one given, or the only one.
fn place_of(ids: &[i64], given: Option<i64>, what: &str, flag: &str) -> Result<i64> {
    match (given, ids) {
        (Some(p), _) if ids.contains(&p) => Ok(p),
        (Some(p), _) => bail!("{flag} {p}: not one of this device's {what}s {ids:?}"),
        (None, [only]) => Ok(*only),
        (None, []) => bail!("this device has no {what}: it is enrolled for the other role"),
        (None, _) => bail!("this device works at several {what}s {ids:?}: give {flag}"),
    }
}

fn escort(d: &DeviceFile) -> Result<()> {
    if d.is_gate() {
        bail!(
            "device {} is a gate device: scans and batches are an escort device's",
            d.device
        );
    }
    Ok(())
}

/// Signs and keeps one record; prints its number and how many wait to be synced.
fn keep(
    state: &StateDir,
    d: &DeviceFile,
    journal: &mut Journal,
    place: ScanPlace,
    act: ScanAct,
    pass_digest: Option<PassDigest>,
) -> Result<u64> {
    let key = state.key()?;
    let name = act.as_str();
    let seq = journal.record(&key, d, safeconduct_keys::now(), place, act, pass_digest);
    state.save_journal(journal)?;
    println!(
        "recorded {name} (seq {seq}); {} record(s) wait to be synced",
        journal.pending.len()
    );
    Ok(seq)
}

pub fn scan(
    state: &StateDir,
    pass: &PassInput,
    batch: Option<u32>,
    rv: Option<i64>,
    holder: Option<(&str, u16)>,
    language: Language,
) -> Result<bool> {
    let d = state.device()?;
    escort(&d)?;
    let rv = place_of(&d.rv_ids, rv, "rendezvous point", "--rv")?;
    let mut journal = state.journal()?;
    if let Some(b) = batch {
        match journal.open_batch(b) {
            Some(open) if open.rv == rv => {}
            Some(open) => bail!(
                "batch {b} leaves from rendezvous point {}, not {rv}",
                open.rv
            ),
            None => bail!(
                "batch {b} is not open on this device: open one with `safeconduct field batch open`"
            ),
        }
    }
    let text = pass.read()?;
    let check = Check {
        now: safeconduct_keys::now().0.max(0) as u64,
        rv: Some(rv as u64),
        holder,
    };
    let v = verify(state, &text, &check)?;
    print_verification(&v, language, holder.is_some());
    let place = ScanPlace::Rv(RvId(rv));
    let index = v.index.map(|i| i as i64);
    match (v.outcome.is_valid(), index) {
        (true, Some(pass_index)) => {
            // The batch's count moves in the same write as the record that admits into it.
            let counted =
                match (batch, &v.checkpoint) {
                    (Some(b), Some(c)) => journal
                        .open_batches
                        .iter_mut()
                        .find(|o| o.batch == b)
                        .map(|open| {
                            open.people_admitted += c.people;
                            open.households += 1;
                            (b, open.households, open.people_admitted)
                        }),
                    _ => None,
                };
            keep(
                state,
                &d,
                &mut journal,
                place,
                ScanAct::Admit { pass_index, batch },
                digest_of(&text),
            )?;
            if let Some((b, households, people)) = counted {
                println!("batch {b}: {households} household(s), {people} people admitted");
            }
            Ok(true)
        }
        _ => {
            let code = v.outcome.code().to_string();
            keep(
                state,
                &d,
                &mut journal,
                place,
                ScanAct::Refuse {
                    pass_index: index,
                    code,
                },
                None,
            )?;
            Ok(false)
        }
    }
}

pub fn open_batch(state: &StateDir, gate: i64, rv: Option<i64>) -> Result<()> {
    let d = state.device()?;
    escort(&d)?;
    let rv = place_of(&d.rv_ids, rv, "rendezvous point", "--rv")?;
    let mut journal = state.journal()?;
    let batch = journal.take_batch()?;
    journal.open_batches.push(OpenBatch {
        batch,
        rv,
        gate,
        people_admitted: 0,
        households: 0,
    });
    let act = ScanAct::OpenBatch {
        batch,
        gate: GateId(gate),
    };
    keep(state, &d, &mut journal, ScanPlace::Rv(RvId(rv)), act, None)?;
    println!("batch {batch} opened at rendezvous point {rv}, bound for gate {gate}");
    Ok(())
}

pub fn depart(state: &StateDir, batch: u32, head_count: u32) -> Result<()> {
    let d = state.device()?;
    escort(&d)?;
    if head_count == 0 {
        bail!("--head-count: a batch leaves with at least one person");
    }
    let mut journal = state.journal()?;
    let Some(open) = journal.open_batch(batch).cloned() else {
        bail!("batch {batch} is not open on this device (never opened, or already departed)");
    };
    journal.open_batches.retain(|b| b.batch != batch);
    let act = ScanAct::Depart { batch, head_count };
    keep(
        state,
        &d,
        &mut journal,
        ScanPlace::Rv(RvId(open.rv)),
        act,
        None,
    )?;
    println!(
        "batch {batch} departed for gate {} with {head_count} people counted at the door",
        open.gate
    );
    if u64::from(head_count) != open.people_admitted {
        println!(
            "the passes admitted into it on this device count {} people: the server will raise \
             a head_count incident unless the difference is explained",
            open.people_admitted
        );
    }
    Ok(())
}

/// Records an arrival (`people` given) or a check-in at the gate, after reading the pass with
/// the gate kit; nothing is recorded when the gate tier cannot be read.
pub fn at_gate(
    state: &StateDir,
    pass: &PassInput,
    gate: Option<i64>,
    people: Option<u32>,
    language: Language,
) -> Result<()> {
    let d = state.device()?;
    if !d.is_gate() {
        bail!(
            "device {} is an escort device: arrivals and check-ins are a gate device's",
            d.device
        );
    }
    let gate = place_of(&d.gate_ids, gate, "gate", "--gate")?;
    let text = pass.read()?;
    let check = Check {
        now: safeconduct_keys::now().0.max(0) as u64,
        rv: None,
        holder: None,
    };
    let v = verify(state, &text, &check)?;
    print_verification(&v, language, false);
    let (Some(g), Some(index)) = (&v.gate, v.index) else {
        bail!(
            "the pass cannot be read with this gate's kit ({}): nothing recorded",
            v.outcome.code()
        );
    };
    if !v.outcome.is_valid() {
        // The people are at the gate whatever their pass says now: their arrival is recorded,
        // and the server finds the conflict.
        println!("recording it anyway: the people are here; the server checks the household");
    }
    let pass_index = index as i64;
    let act = match people {
        Some(p) if p == 0 || u64::from(p) > g.people => bail!(
            "--people {p}: the household of this pass has {} member(s)",
            g.people
        ),
        Some(people) => ScanAct::Arrive { pass_index, people },
        None => ScanAct::CheckIn { pass_index },
    };
    let mut journal = state.journal()?;
    let place = ScanPlace::Gate(GateId(gate));
    keep(state, &d, &mut journal, place, act, digest_of(&text))?;
    Ok(())
}

/// The digest of the pass read, which an admission, arrival or check-in names it by besides
/// its index (docs/field-protocol.md, records).
fn digest_of(text: &str) -> Option<PassDigest> {
    safeconduct_pass::from_text(text).map(|bytes| safeconduct_pass::digest(&bytes))
}
