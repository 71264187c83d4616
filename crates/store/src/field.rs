//! What the store keeps of field devices and what they sync: devices, the records of a sync,
//! incidents, the answer to a sync, the chain of custody and gate-location releases.
//! The rules of a record are the domain's (`safeconduct_domain::scan`).

use crate::scope::Places;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;

/// A field device as a coordinator enrolled it: for one user, one role (escort or gate) and
/// its places; `public_key` once the device registered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: FieldDeviceId,
    pub user: UserId,
    pub role: Role,
    /// RVs of an escort device, gates of a gate device.
    pub places: Places,
    pub label: String,
    pub code_expires_at: Timestamp,
    pub public_key: Option<Vec<u8>>,
    pub enrolled_at: Option<Timestamp>,
    pub suspended_at: Option<Timestamp>,
    /// The highest sequence number up to which every record of the device took effect.
    pub applied_seq: i64,
    pub last_sync_at: Option<Timestamp>,
    pub last_skew: Option<i64>,
    pub created_at: Timestamp,
    /// The user's name, as they sign in with it.
    pub username: String,
}

/// A device to enrol: the one-time code is kept as its SHA-256 only.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub user: UserId,
    pub role: Role,
    pub places: Places,
    pub label: String,
    pub code_hash: Vec<u8>,
    pub code_expires_at: Timestamp,
}

/// A record as synced: read, with the signed text and signature it came as.
#[derive(Debug, Clone)]
pub struct SyncedRecord {
    pub record: safeconduct_domain::scan::ScanRecord,
    pub text: String,
    pub signature: Vec<u8>,
}

/// One sync of a device: its clock when it sent the sync, and its records.
#[derive(Debug, Clone)]
pub struct DeviceSync {
    pub device: FieldDeviceId,
    pub device_time: Timestamp,
    pub records: Vec<SyncedRecord>,
}

/// Which incidents a coordinator lists: open, resolved or both; of one kind; at one RV or
/// gate; a page of at most `limit` of them, newest first, with ids below `before` (the last id
/// of the page before), so that no number of incidents a device raises hides the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFilter {
    pub open: bool,
    pub resolved: bool,
    pub kind: Option<safeconduct_domain::scan::IncidentKind>,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    pub before: Option<IncidentId>,
    pub limit: u32,
}

impl IncidentFilter {
    /// The most incidents one page holds.
    pub const MAX_LIMIT: u32 = 1000;

    /// Every incident, open or resolved, newest first (a page of the most).
    pub fn all() -> Self {
        IncidentFilter {
            open: true,
            resolved: true,
            kind: None,
            rv: None,
            gate: None,
            before: None,
            limit: Self::MAX_LIMIT,
        }
    }
}

/// An incident as a reader of the sync or a coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: IncidentId,
    pub kind: safeconduct_domain::scan::IncidentKind,
    pub pass_index: Option<i64>,
    pub rv: Option<RvId>,
    pub gate: Option<GateId>,
    /// What was found, in words a coordinator reads (no personal data).
    pub detail: String,
    /// Every record involved: (device, sequence number).
    pub records: Vec<(FieldDeviceId, u64)>,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

/// The answer to a sync: what was new, what had arrived before, the skew measured, and the
/// incidents the sync's records are part of (at the syncing device's places only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReceipt {
    pub received: u32,
    pub already_had: u32,
    pub skew: i64,
    /// The highest sequence number up to which the device's records took effect: a device
    /// whose records arrived with a gap sees it stop below the gap.
    pub applied_seq: i64,
    pub incidents: Vec<Incident>,
}

/// One holder of a person on the way to the gate: the batch, the escort device and user who
/// held them, from departure until arrival, unaccounted or still.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyLink {
    /// The person held (every member of a household has a chain of their own).
    pub person: PersonId,
    pub batch: BatchId,
    pub rv: RvId,
    pub gate: GateId,
    pub user: Option<UserId>,
    pub device: Option<String>,
    pub from: Timestamp,
    pub until: Option<Timestamp>,
    /// How the custody ended: `arrived`, `unaccounted`, a resolution's outcome, or `None`
    /// while it lasts.
    pub ended_by: Option<String>,
}

/// A gate's location released to an escort device for one window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRelease {
    pub id: i64,
    pub gate: GateId,
    pub device: FieldDeviceId,
    pub window: WindowId,
    pub released_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}
