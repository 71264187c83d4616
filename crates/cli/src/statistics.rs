//! The aggregate statistics an operation leaves when its personal data is shredded
//! (`operation shred --stats`): stage counts and the accountability check, never a person.
//! Written from the domain's counts; knows nothing of the server's wire types.

use safeconduct_domain::accountability::{AccountabilityReport, StageCounts};
use serde_json::{Value, json};

/// Households and people per stage (stages with none left out), with their totals.
pub fn counts(c: StageCounts) -> Value {
    let c = c.normalised();
    json!({
        "total_households": c.total_households(),
        "total_people": c.total_people(),
        "households": c.households,
        "people": c.people,
    })
}

/// Whether every person is in exactly one stage and every closed batch balances.
pub fn accountability(report: AccountabilityReport) -> Value {
    let alarms: Vec<Value> = report
        .alarms
        .iter()
        .map(|b| {
            json!({
                "batch_id": b.batch.0,
                "rv_id": b.rv.0,
                "gate_id": b.gate.0,
                "departed_people": b.departed_people,
                "arrived_people": b.arrived_people,
                "closed": b.closed,
            })
        })
        .collect();
    json!({
        "ok": report.ok(),
        "registered_people": report.registered_people,
        "counts": counts(report.recomputed),
        "alarms": alarms,
        "problems": report.problems,
    })
}
