//! The accountability invariant: every person is in exactly one stage, counts per stage add
//! up, and a batch that left a rendezvous point with N people arrives at the gate with N or
//! raises an alarm.

use crate::ids::{BatchId, GateId, RvId};
use crate::stage::Stage;
use serde::Serialize;
use std::collections::BTreeMap;

/// Households and people per stage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StageCounts {
    pub households: BTreeMap<Stage, u64>,
    pub people: BTreeMap<Stage, u64>,
}

impl StageCounts {
    pub fn add(&mut self, stage: Stage, households: i64, people: i64) {
        let h = self.households.entry(stage).or_default();
        *h = (*h as i64 + households) as u64;
        let p = self.people.entry(stage).or_default();
        *p = (*p as i64 + people) as u64;
    }

    pub fn total_people(&self) -> u64 {
        self.people.values().sum()
    }

    pub fn total_households(&self) -> u64 {
        self.households.values().sum()
    }

    /// Drops stages with nothing in them, so that two counts compare equal when they agree.
    pub fn normalised(mut self) -> Self {
        self.households.retain(|_, v| *v != 0);
        self.people.retain(|_, v| *v != 0);
        self
    }
}

/// An escort batch's balance: how many left and how many arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchBalance {
    pub batch: BatchId,
    pub rv: RvId,
    pub gate: GateId,
    pub departed_people: u64,
    pub arrived_people: u64,
    pub closed: bool,
}

impl BatchBalance {
    /// A closed batch whose arrivals do not match its departures is an alarm.
    pub fn is_alarm(&self) -> bool {
        self.closed && self.arrived_people != self.departed_people
    }
}

/// The result of an accountability check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountabilityReport {
    /// People registered in the operation, counted from the people themselves.
    pub registered_people: u64,
    /// Counts kept up to date with every step.
    pub maintained: StageCounts,
    /// Counts recomputed from the cases.
    pub recomputed: StageCounts,
    pub alarms: Vec<BatchBalance>,
    pub problems: Vec<String>,
    /// People of unaccounted households whose alarm a coordinator resolved (any outcome), and
    /// people unaccounted whose alarm is still open.
    pub custody: CustodyCounts,
}

/// The missing-person alarms of an operation, in people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CustodyCounts {
    pub resolved_people: u64,
    pub unresolved_people: u64,
    /// People still in escort in a batch past its custody deadline or closed: each should be
    /// unaccounted already (the custody sweep marks them); any here is a problem.
    pub overdue_in_escort_people: u64,
}

impl AccountabilityReport {
    pub fn new(
        registered_people: u64,
        maintained: StageCounts,
        recomputed: StageCounts,
        batches: Vec<BatchBalance>,
        custody: CustodyCounts,
    ) -> Self {
        let maintained = maintained.normalised();
        let recomputed = recomputed.normalised();
        let mut problems = Vec::new();
        if recomputed.total_people() != registered_people {
            problems.push(format!(
                "{} people registered but {} counted across stages",
                registered_people,
                recomputed.total_people()
            ));
        }
        if maintained != recomputed {
            problems.push("maintained stage counts differ from the cases".to_string());
        }
        let alarms: Vec<BatchBalance> =
            batches.into_iter().filter(BatchBalance::is_alarm).collect();
        for a in &alarms {
            problems.push(format!(
                "batch {} left rendezvous point {} with {} people and {} arrived at gate {}",
                a.batch, a.rv, a.departed_people, a.arrived_people, a.gate
            ));
        }
        // Every departed person is arrived, in escort within the deadline, unaccounted or
        // resolved: one in escort past it was missed by the sweep.
        if custody.overdue_in_escort_people > 0 {
            problems.push(format!(
                "{} people in escort past their batch's custody deadline and not marked unaccounted",
                custody.overdue_in_escort_people
            ));
        }
        AccountabilityReport {
            registered_people,
            maintained,
            recomputed,
            alarms,
            problems,
            custody,
        }
    }

    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(people: i64) -> StageCounts {
        let mut c = StageCounts::default();
        c.add(Stage::InEscort, 1, people);
        c
    }

    #[test]
    fn people_in_escort_within_the_deadline_are_accounted_for() {
        let report =
            AccountabilityReport::new(4, counts(4), counts(4), vec![], CustodyCounts::default());
        assert!(report.ok(), "{:?}", report.problems);
    }

    #[test]
    fn people_in_escort_past_the_deadline_unmarked_are_a_problem() {
        let custody = CustodyCounts {
            overdue_in_escort_people: 3,
            ..CustodyCounts::default()
        };
        let report = AccountabilityReport::new(4, counts(4), counts(4), vec![], custody);
        assert!(!report.ok());
        assert!(report.problems[0].contains("3 people in escort past"));
    }
}
