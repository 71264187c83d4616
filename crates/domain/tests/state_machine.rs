//! Property tests of the lifecycle state machine.

use proptest::prelude::*;
use safeconduct_domain::accountability::StageCounts;
use safeconduct_domain::admission::{PassStanding, PresentedPass};
use safeconduct_domain::lifecycle::{CaseState, Command, decide};
use safeconduct_domain::model::{FlightLoad, GateStatus, RvStatus, WindowLoad};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{BatchId, FlightId, GateId, RvId, Stage, Step, WindowId};

fn command() -> impl Strategy<Value = Command> {
    let window =
        (1i64..4, 0u32..20, 1u32..30, any::<bool>()).prop_map(|(w, assigned, capacity, active)| {
            WindowLoad {
                window: WindowId(w),
                rv: RvId(w % 2),
                rv_status: if active {
                    RvStatus::Active
                } else {
                    RvStatus::Suspended
                },
                capacity,
                assigned_people: assigned,
            }
        });
    prop_oneof![
        Just(Command::VerifyDocuments),
        Just(Command::DecideEligible),
        Just(Command::Reject),
        window.clone().prop_map(Command::Assign),
        window.prop_map(Command::Reassign),
        Just(Command::IssuePass),
        (0i64..2, 0i64..2).prop_map(|(r, here)| Command::AdmitAtRv {
            rv: RvId(here),
            pass: Some(PresentedPass {
                standing: PassStanding::Valid,
                rv: RvId(r),
                window_start: Timestamp(0),
                window_end: Timestamp(7200),
            }),
            at: Timestamp(3600),
        }),
        (0i64..2, 0i64..2, any::<bool>(), any::<bool>()).prop_map(|(r, g, open, linked)| {
            Command::DepartInEscort {
                batch: BatchId(1),
                rv: RvId(r),
                gate: GateId(g),
                gate_status: if open {
                    GateStatus::Open
                } else {
                    GateStatus::Suspended
                },
                gate_serves_rv: linked,
            }
        }),
        (0i64..2).prop_map(|g| Command::ArriveAtGate {
            batch: BatchId(1),
            gate: GateId(g)
        }),
        (0i64..2).prop_map(|g| Command::Process { gate: GateId(g) }),
        (0u32..10, 1u32..12).prop_map(|(m, c)| Command::Manifest(FlightLoad {
            flight: FlightId(1),
            capacity: c,
            manifested_people: m
        })),
        Just(Command::Board {
            flight: Some(FlightId(1))
        }),
        Just(Command::Board { flight: None }),
        Just(Command::Withdraw),
        (0i64..7200, any::<bool>()).prop_map(|(at, by_escort)| Command::MarkNoShow {
            window_end: Some(Timestamp(3600)),
            at: Timestamp(at),
            by_escort,
        }),
        Just(Command::MarkUnaccounted { batch: BatchId(1) }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever commands arrive, a case is always in one valid stage, each accepted step is in
    /// the transition table, a refused step changes nothing, and the counts over a population
    /// of cases always add up to the people registered.
    #[test]
    fn no_sequence_of_commands_reaches_an_invalid_state(
        sizes in prop::collection::vec(1u32..9, 1..6),
        script in prop::collection::vec((0usize..6, command()), 0..80),
    ) {
        let mut cases: Vec<CaseState> = sizes.iter().map(|s| CaseState::registered(*s, true)).collect();
        let total: u64 = sizes.iter().map(|s| *s as u64).sum();
        let mut counts = StageCounts::default();
        for c in &cases {
            counts.add(c.stage, 1, c.size as i64);
        }
        for (which, cmd) in script {
            let i = which % cases.len();
            let before = cases[i].clone();
            match decide(&before, &cmd) {
                Ok(after) => {
                    prop_assert_eq!(before.stage.after(cmd.step()), Some(after.stage));
                    prop_assert_eq!(after.size, before.size);
                    counts.add(before.stage, -1, -(before.size as i64));
                    counts.add(after.stage, 1, after.size as i64);
                    if matches!(after.stage, Stage::Assigned | Stage::Reassigned) {
                        prop_assert!(after.window.is_some() && after.rv.is_some());
                    }
                    if after.stage == Stage::InEscort {
                        prop_assert!(after.batch.is_some() && after.gate.is_some());
                    }
                    if matches!(after.stage, Stage::Manifested | Stage::Boarded) {
                        prop_assert!(after.flight.is_some());
                    }
                    cases[i] = after;
                }
                Err(e) => {
                    if before.stage.after(cmd.step()).is_none() {
                        prop_assert_eq!(e.code(), "illegal_transition");
                    }
                }
            }
            prop_assert_eq!(counts.total_people(), total);
            let mut recomputed = StageCounts::default();
            for c in &cases {
                recomputed.add(c.stage, 1, c.size as i64);
            }
            prop_assert_eq!(counts.clone().normalised(), recomputed.normalised());
        }
    }

    #[test]
    fn final_stages_allow_nothing_and_registered_is_never_re_entered(step in prop::sample::select(Step::ALL.to_vec())) {
        for stage in Stage::ALL {
            if let Some(next) = stage.after(step) {
                prop_assert_ne!(next, Stage::Registered);
                prop_assert!(!stage.is_final());
            }
        }
        for stage in [Stage::Boarded, Stage::Rejected, Stage::Withdrawn] {
            prop_assert!(stage.after(step).is_none());
        }
    }
}

#[test]
fn every_stage_but_registered_is_reachable() {
    let mut seen = vec![Stage::Registered];
    let mut frontier = vec![Stage::Registered];
    while let Some(s) = frontier.pop() {
        for step in Step::ALL {
            if let Some(n) = s.after(step)
                && !seen.contains(&n)
            {
                seen.push(n);
                frontier.push(n);
            }
        }
    }
    assert_eq!(seen.len(), Stage::ALL.len());
}
