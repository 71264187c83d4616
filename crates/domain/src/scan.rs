//! What a field device records, offline, one scan at a time: the act (admit, refuse, open a
//! batch, depart, a person's arrival, check-in), where (its RV or gate), when (its own clock),
//! and its place in the device's sequence. And the conflicts the server finds when the records
//! meet (incidents), with the limit past which a device's clock is an incident of its own.
//!
//! Knows nothing of signatures, byte formats or storage: the record arrives parsed, its
//! signature checked by `keys`; the store decides what each record does through the lifecycle.

use crate::error::DomainError;
use crate::field::ScanBounds;
use crate::household::NewHousehold;
use crate::ids::{FieldDeviceId, GateId, OperationId, RvId};
use crate::string_value::display_as_str;
use crate::values::Timestamp;
use serde::{Deserialize, Serialize};

/// How far a device's clock may be from the server's at a sync before the sync is an incident
/// (`clock_skew`): five minutes. A window check made with a clock off by more cannot be
/// trusted; the scans are still stored and applied at the device's time corrected by the skew.
pub const CLOCK_SKEW_INCIDENT_SECONDS: i64 = 5 * 60;

/// The most records one sync carries.
pub const MAX_RECORDS_PER_SYNC: usize = 1000;

/// The largest number of a batch a device opens (it counts its batches from 1).
pub const MAX_DEVICE_BATCH: u32 = 1_000_000;

/// Where a scan was made. An escort device's acts are at its RV, a gate device's at its gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanPlace {
    Rv(RvId),
    Gate(GateId),
}

/// What the device did. Batches are numbered by the device that opens them (from 1), so that
/// a batch can be opened, filled and departed with no network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanAct {
    /// The escort admitted the household whose pass has this index, into an open batch of the
    /// device or into none yet.
    Admit { pass_index: i64, batch: Option<u32> },
    /// The escort refused a pass, with the verifier's code (`wrong_rv`, `revoked`…); the index
    /// when the pass could be read that far.
    Refuse {
        pass_index: Option<i64>,
        code: String,
    },
    /// The escort opened batch `batch` of the device, bound for `gate`.
    OpenBatch { batch: u32, gate: GateId },
    /// The batch left the RV with `head_count` people counted at the door.
    Depart { batch: u32, head_count: u32 },
    /// At the gate: `people` members of the household whose pass has this index arrived.
    Arrive { pass_index: i64, people: u32 },
    /// At the gate: the household was checked in (handed to processing).
    CheckIn { pass_index: i64 },
}

impl ScanAct {
    pub fn as_str(&self) -> &'static str {
        match self {
            ScanAct::Admit { .. } => "admit",
            ScanAct::Refuse { .. } => "refuse",
            ScanAct::OpenBatch { .. } => "open_batch",
            ScanAct::Depart { .. } => "depart",
            ScanAct::Arrive { .. } => "arrive",
            ScanAct::CheckIn { .. } => "check_in",
        }
    }

    /// The pass the act is about, if any.
    pub fn pass_index(&self) -> Option<i64> {
        match self {
            ScanAct::Admit { pass_index, .. }
            | ScanAct::Arrive { pass_index, .. }
            | ScanAct::CheckIn { pass_index } => Some(*pass_index),
            ScanAct::Refuse { pass_index, .. } => *pass_index,
            ScanAct::OpenBatch { .. } | ScanAct::Depart { .. } => None,
        }
    }

    /// Whether the act moves the household whose pass it read, and so names that pass by its
    /// digest as well as its index (admit, arrive, check-in).
    pub fn moves_a_pass_holder(&self) -> bool {
        matches!(
            self,
            ScanAct::Admit { .. } | ScanAct::Arrive { .. } | ScanAct::CheckIn { .. }
        )
    }

    /// Whether the act is made at an RV (escort) rather than at a gate.
    fn at_rv(&self) -> bool {
        matches!(
            self,
            ScanAct::Admit { .. }
                | ScanAct::Refuse { .. }
                | ScanAct::OpenBatch { .. }
                | ScanAct::Depart { .. }
        )
    }
}

/// The digest of the pass an act read: the first 16 bytes of the SHA-256 of the pass's signed
/// bytes (computed by `safeconduct_pass::digest`).
pub type PassDigest = [u8; 16];

/// One record of a field device, as signed by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRecord {
    pub operation: OperationId,
    pub device: FieldDeviceId,
    pub seq: u64,
    /// When the act happened, by the device's clock.
    pub at: Timestamp,
    pub place: ScanPlace,
    pub act: ScanAct,
    /// The digest of the pass an admission, arrival or check-in read: the server refuses a
    /// record whose digest is not that of the pass with its index, so that a device acts only
    /// on passes it has held. `None` for the other acts (and for records stored before the
    /// protocol carried it).
    pub pass_digest: Option<PassDigest>,
}

impl ScanRecord {
    /// Refuses a record whose values are out of range or whose act does not belong at its
    /// place, naming the field. `bounds` come from the operation and the sync's moment.
    pub fn check(&self, bounds: &ScanBounds) -> Result<(), DomainError> {
        bounds.check(self.seq, self.act.pass_index().unwrap_or(0), self.at)?;
        let at_rv = matches!(self.place, ScanPlace::Rv(_));
        if at_rv != self.act.at_rv() {
            return Err(DomainError::invalid(
                "act",
                format!(
                    "{} is recorded at {}",
                    self.act.as_str(),
                    if self.act.at_rv() {
                        "a rendezvous point (rv)"
                    } else {
                        "a gate (gate)"
                    }
                ),
            ));
        }
        match &self.act {
            ScanAct::Admit { batch: Some(b), .. }
            | ScanAct::OpenBatch { batch: b, .. }
            | ScanAct::Depart { batch: b, .. }
                if *b == 0 || *b > MAX_DEVICE_BATCH =>
            {
                Err(DomainError::invalid(
                    "batch",
                    format!("a device numbers its batches from 1 to {MAX_DEVICE_BATCH}"),
                ))
            }
            ScanAct::Depart { head_count, .. } if *head_count == 0 => Err(DomainError::invalid(
                "head_count",
                "a batch leaves with at least one person",
            )),
            ScanAct::Depart { head_count, .. } if *head_count > 500 * 60 => Err(
                DomainError::invalid("head_count", "must be at most 30000 (500 households)"),
            ),
            ScanAct::Arrive { people, .. }
                if *people == 0 || *people as usize > NewHousehold::MAX_MEMBERS =>
            {
                Err(DomainError::invalid(
                    "people",
                    format!(
                        "the members of one household who arrived: 1 to {}",
                        NewHousehold::MAX_MEMBERS
                    ),
                ))
            }
            ScanAct::Refuse { code, .. }
                if code.is_empty()
                    || code.len() > 32
                    || !code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
            {
                Err(DomainError::invalid(
                    "code",
                    "the verifier's refusal code: 1 to 32 lower-case letters and _",
                ))
            }
            _ => Ok(()),
        }
    }

    pub fn rv(&self) -> Option<RvId> {
        match self.place {
            ScanPlace::Rv(rv) => Some(rv),
            ScanPlace::Gate(_) => None,
        }
    }

    pub fn gate(&self) -> Option<GateId> {
        match self.place {
            ScanPlace::Gate(gate) => Some(gate),
            ScanPlace::Rv(_) => None,
        }
    }
}

/// The kinds of conflict found when scans meet. Each is stored with every record involved and
/// shown to coordinators; none is dropped or overwritten.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// The same pass admitted by two devices (or twice by one).
    DoubleAdmission,
    /// A pass admitted at an RV that is not its own.
    WrongRv,
    /// A pass admitted outside its window.
    OutsideWindow,
    /// A revoked pass admitted (the device's status list was older than the revocation).
    RevokedPass,
    /// A superseded pass admitted.
    SupersededPass,
    /// An admitted pass index no household of the operation holds.
    UnknownPass,
    /// A device whose clock was off by more than [`CLOCK_SKEW_INCIDENT_SECONDS`] at a sync.
    ClockSkew,
    /// A batch departed with a head count other than the people admitted into it.
    HeadCount,
    /// At the gate, fewer members of a household arrived than left the RV.
    PartialArrival,
    /// A record the lifecycle could not apply (a household in a stage that does not allow the
    /// act, a batch never opened, an arrival at a gate the batch was not bound for).
    Refused,
    /// A household (or members of it) admitted at its RV and not reported leaving
    /// [`crate::field::NOT_DEPARTED_AFTER_SECONDS`] after its window closed or its admission,
    /// whichever is later: the departure may be lost with the escort's phone, or the group
    /// never left. Raised by the custody sweep, for coordinators (it involves no record, so no
    /// device is shown it).
    NotDeparted,
}

impl IncidentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::DoubleAdmission => "double_admission",
            IncidentKind::WrongRv => "wrong_rv",
            IncidentKind::OutsideWindow => "outside_window",
            IncidentKind::RevokedPass => "revoked_pass",
            IncidentKind::SupersededPass => "superseded_pass",
            IncidentKind::UnknownPass => "unknown_pass",
            IncidentKind::ClockSkew => "clock_skew",
            IncidentKind::HeadCount => "head_count",
            IncidentKind::PartialArrival => "partial_arrival",
            IncidentKind::Refused => "refused",
            IncidentKind::NotDeparted => "not_departed",
        }
    }

    /// The incident an admission refused by the admission rule becomes.
    pub fn of_refusal(refusal: crate::admission::Refusal) -> Self {
        use crate::admission::Refusal;
        match refusal {
            Refusal::Revoked => IncidentKind::RevokedPass,
            Refusal::Superseded => IncidentKind::SupersededPass,
            Refusal::WrongRv { .. } => IncidentKind::WrongRv,
            Refusal::Early { .. } | Refusal::Late { .. } => IncidentKind::OutsideWindow,
        }
    }
}

display_as_str!(IncidentKind);

impl std::str::FromStr for IncidentKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        use IncidentKind as K;
        [
            K::DoubleAdmission,
            K::WrongRv,
            K::OutsideWindow,
            K::RevokedPass,
            K::SupersededPass,
            K::UnknownPass,
            K::ClockSkew,
            K::HeadCount,
            K::PartialArrival,
            K::Refused,
            K::NotDeparted,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| DomainError::invalid("kind", format!("no incident kind {s:?}")))
    }
}

/// Whether a device clock `skew` seconds from the server's is an incident.
pub fn skew_is_incident(skew: i64) -> bool {
    skew.unsigned_abs() > CLOCK_SKEW_INCIDENT_SECONDS as u64
}

/// The moment a record's act happened by the server's clock: the device's time corrected by
/// the skew measured at the sync that brought it, and never later than `received`, when that
/// sync reached the server. A clock set back between the act and the sync would otherwise
/// date the act, and a departure's deadline with it, in the future: a batch overdue would not
/// be missed until long after.
pub fn corrected(at: Timestamp, skew: i64, received: Timestamp) -> Timestamp {
    Timestamp(at.0.saturating_add(skew).min(received.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp(1_787_551_200);

    #[test]
    fn a_corrected_time_is_never_after_the_sync_that_brought_it() {
        // A clock right: the record's time, corrected by no skew.
        assert_eq!(corrected(Timestamp(100), 0, Timestamp(150)), Timestamp(100));
        // A clock an hour behind at the sync, behind all along: an hour added.
        assert_eq!(
            corrected(Timestamp(100), 3600, Timestamp(4000)),
            Timestamp(3700)
        );
        // A departure recorded on a right clock, the clock then set back 20 hours before the
        // sync: the correction would date it 20 hours ahead; it is dated at the sync at most.
        let departed = NOW;
        let received = Timestamp(NOW.0 + 600);
        assert_eq!(corrected(departed, 20 * 3600, received), received);
    }

    fn bounds() -> ScanBounds {
        ScanBounds::new(Timestamp(1_700_000_000), NOW)
    }

    fn record(place: ScanPlace, act: ScanAct) -> ScanRecord {
        ScanRecord {
            operation: OperationId(1),
            device: FieldDeviceId(1),
            seq: 0,
            at: NOW,
            place,
            act,
            pass_digest: None,
        }
    }

    fn refused_field(r: &ScanRecord) -> String {
        match r.check(&bounds()) {
            Err(DomainError::Invalid { field, .. }) => field.into_owned(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn an_admission_at_an_rv_is_accepted() {
        let r = record(
            ScanPlace::Rv(RvId(1)),
            ScanAct::Admit {
                pass_index: 3,
                batch: Some(1),
            },
        );
        assert_eq!(r.check(&bounds()), Ok(()));
    }

    #[test]
    fn an_admission_at_a_gate_is_refused() {
        let r = record(
            ScanPlace::Gate(GateId(1)),
            ScanAct::Admit {
                pass_index: 3,
                batch: None,
            },
        );
        assert_eq!(refused_field(&r), "act");
    }

    #[test]
    fn an_arrival_at_an_rv_is_refused() {
        let r = record(
            ScanPlace::Rv(RvId(1)),
            ScanAct::Arrive {
                pass_index: 3,
                people: 2,
            },
        );
        assert_eq!(refused_field(&r), "act");
    }

    #[test]
    fn batch_zero_is_refused() {
        let r = record(
            ScanPlace::Rv(RvId(1)),
            ScanAct::OpenBatch {
                batch: 0,
                gate: GateId(1),
            },
        );
        assert_eq!(refused_field(&r), "batch");
    }

    #[test]
    fn a_departure_of_nobody_is_refused() {
        let r = record(
            ScanPlace::Rv(RvId(1)),
            ScanAct::Depart {
                batch: 1,
                head_count: 0,
            },
        );
        assert_eq!(refused_field(&r), "head_count");
    }

    #[test]
    fn an_arrival_of_more_than_a_household_is_refused() {
        for people in [0, NewHousehold::MAX_MEMBERS as u32 + 1] {
            let r = record(
                ScanPlace::Gate(GateId(1)),
                ScanAct::Arrive {
                    pass_index: 1,
                    people,
                },
            );
            assert_eq!(refused_field(&r), "people");
        }
    }

    #[test]
    fn a_refusal_code_with_other_characters_is_refused() {
        for code in ["", "Wrong RV", "x\u{202e}", &"a".repeat(33)] {
            let r = record(
                ScanPlace::Rv(RvId(1)),
                ScanAct::Refuse {
                    pass_index: None,
                    code: code.into(),
                },
            );
            assert_eq!(refused_field(&r), "code");
        }
    }

    #[test]
    fn a_sequence_number_beyond_2_to_the_53_is_refused() {
        let mut r = record(
            ScanPlace::Gate(GateId(1)),
            ScanAct::CheckIn { pass_index: 1 },
        );
        r.seq = crate::field::MAX_SCAN_SEQ + 1;
        assert_eq!(refused_field(&r), "seq");
    }

    #[test]
    fn a_clock_five_minutes_off_is_tolerated_and_beyond_is_an_incident() {
        assert!(!skew_is_incident(CLOCK_SKEW_INCIDENT_SECONDS));
        assert!(!skew_is_incident(-CLOCK_SKEW_INCIDENT_SECONDS));
        assert!(skew_is_incident(CLOCK_SKEW_INCIDENT_SECONDS + 1));
        assert!(skew_is_incident(i64::MIN));
    }

    #[test]
    fn every_incident_kind_reads_back_from_its_name() {
        for k in [
            IncidentKind::DoubleAdmission,
            IncidentKind::ClockSkew,
            IncidentKind::Refused,
            IncidentKind::PartialArrival,
        ] {
            assert_eq!(k.as_str().parse::<IncidentKind>(), Ok(k));
        }
        assert!("nothing".parse::<IncidentKind>().is_err());
    }
}
