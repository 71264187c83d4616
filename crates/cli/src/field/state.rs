//! The reference field client's state directory: the device's identity (server, operation,
//! device, user, role, places), its private key, its session, its field kit, and its journal
//! (next sequence number, next batch number, open batches, records not yet acknowledged).
//!
//! Every file is written whole to a temporary file, flushed to disk and renamed over the old
//! one, owner-only: a crash leaves the old state or the new, never half of one. The journal
//! keeps the counters and the records they number in one file, so that a crash can neither
//! reuse a sequence number (the server would keep the first record with it) nor skip one (every
//! later record would wait at the gap).
//!
//! Must not import the HTTP side (`http`) or the commands (`field`).

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use safeconduct_domain::scan::{MAX_DEVICE_BATCH, PassDigest, ScanAct, ScanPlace, ScanRecord};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{FieldDeviceId, OperationId};
use safeconduct_keys::devices::client::{DeviceKey, record_text};
use safeconduct_keys::passes::FieldKit;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

const DEVICE: &str = "device.json";
const KEY: &str = "key";
const SESSION: &str = "session";
const KIT: &str = "kit.json";
const JOURNAL: &str = "journal.json";

/// The directory a device keeps its state in.
pub struct StateDir {
    path: PathBuf,
}

/// Who the device is, as the server answered at enrolment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceFile {
    pub server: String,
    /// The certificate authority (PEM) the device trusts for the server, when the operation
    /// runs its own; none: the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_ca: Option<String>,
    pub operation: i64,
    pub device: i64,
    pub username: String,
    /// `escort` or `gate`.
    pub role: String,
    pub rv_ids: Vec<i64>,
    pub gate_ids: Vec<i64>,
}

impl DeviceFile {
    pub fn is_gate(&self) -> bool {
        self.role == "gate"
    }
}

/// A batch the device opened and has not yet seen depart.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OpenBatch {
    pub batch: u32,
    pub rv: i64,
    pub gate: i64,
    /// People of the households admitted into it, by their passes' checkpoint tier.
    pub people_admitted: u64,
    pub households: u32,
}

/// A record as signed, kept until a sync carrying it is acknowledged.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingRecord {
    pub seq: u64,
    pub record: String,
    pub signature: String,
}

/// The counters, the open batches and the records not yet acknowledged.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Journal {
    pub next_seq: u64,
    pub next_batch: u32,
    pub open_batches: Vec<OpenBatch>,
    pub pending: Vec<PendingRecord>,
}

impl Default for Journal {
    fn default() -> Self {
        Journal {
            next_seq: 0,
            // A device numbers its batches from 1.
            next_batch: 1,
            open_batches: Vec::new(),
            pending: Vec::new(),
        }
    }
}

impl Journal {
    /// Signs the next record of the device and keeps it pending; its sequence number.
    pub fn record(
        &mut self,
        key: &DeviceKey,
        device: &DeviceFile,
        at: Timestamp,
        place: ScanPlace,
        act: ScanAct,
        pass_digest: Option<PassDigest>,
    ) -> u64 {
        let seq = self.next_seq;
        let record = ScanRecord {
            operation: OperationId(device.operation),
            device: FieldDeviceId(device.device),
            seq,
            at,
            place,
            act,
            pass_digest,
        };
        let text = record_text(&record);
        self.pending.push(PendingRecord {
            seq,
            signature: key.sign(&text),
            record: text,
        });
        self.next_seq += 1;
        seq
    }

    /// The next batch number, taken.
    pub fn take_batch(&mut self) -> Result<u32> {
        let batch = self.next_batch;
        if batch == 0 || batch > MAX_DEVICE_BATCH {
            bail!("this device has used all its {MAX_DEVICE_BATCH} batch numbers");
        }
        self.next_batch += 1;
        Ok(batch)
    }

    pub fn open_batch(&self, batch: u32) -> Option<&OpenBatch> {
        self.open_batches.iter().find(|b| b.batch == batch)
    }

    /// Forgets the pending records with these sequence numbers: a sync carrying them was
    /// acknowledged.
    pub fn acknowledge(&mut self, seqs: &[u64]) {
        self.pending.retain(|p| !seqs.contains(&p.seq));
    }
}

/// What the server answered to a kit request, as kept on the device.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedKit {
    pub server_time: String,
    pub expires_at: String,
    pub skew_seconds: i64,
    pub kit: FieldKit,
    #[serde(default)]
    pub windows: serde_json::Value,
    #[serde(default)]
    pub gate_locations: serde_json::Value,
}

impl SavedKit {
    pub fn expires(&self) -> Result<Timestamp> {
        Ok(Timestamp::parse_rfc3339("expires_at", &self.expires_at)?)
    }
}

impl StateDir {
    /// The directory, created owner-only when it does not exist.
    pub fn open(path: &Path) -> Result<Self> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(path)
            .with_context(|| format!("creating the state directory {}", path.display()))?;
        Ok(StateDir {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes a file whole, owner-only, flushed to disk before it replaces the old one.
    fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let target = self.file(name);
        let temporary = self.file(&format!("{name}.new"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&temporary).and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        });
        written.with_context(|| format!("writing {}", temporary.display()))?;
        std::fs::rename(&temporary, &target)
            .with_context(|| format!("replacing {}", target.display()))?;
        // The rename itself reaches the disk only with the directory.
        if let Ok(dir) = std::fs::File::open(&self.path) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    fn read(&self, name: &str, missing: &str) -> Result<String> {
        let path = self.file(name);
        match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                bail!("{} has no {name}: {missing}", self.path.display())
            }
            other => other.with_context(|| format!("reading {}", path.display())),
        }
    }

    fn write_json<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        self.write(name, &serde_json::to_vec_pretty(value)?)
    }

    fn read_json<T: for<'de> Deserialize<'de>>(&self, name: &str, missing: &str) -> Result<T> {
        let text = self.read(name, missing)?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is damaged", self.file(name).display()))
    }

    pub fn is_enrolled(&self) -> bool {
        self.file(KEY).exists()
    }

    pub fn device(&self) -> Result<DeviceFile> {
        self.read_json(
            DEVICE,
            "this device is not enrolled; run `safeconduct field enrol`",
        )
    }

    pub fn save_device(&self, d: &DeviceFile) -> Result<()> {
        self.write_json(DEVICE, d)
    }

    pub fn key(&self) -> Result<DeviceKey> {
        let text = self.read(
            KEY,
            "this device is not enrolled; run `safeconduct field enrol`",
        )?;
        let seed: [u8; 32] = B64
            .decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .with_context(|| format!("{} is damaged", self.file(KEY).display()))?;
        Ok(DeviceKey::from_seed(seed))
    }

    pub fn save_key(&self, key: &DeviceKey) -> Result<()> {
        self.write(KEY, B64.encode(key.seed()).as_bytes())
    }

    /// Removes the key of an enrolment the server refused, so that the next try starts clean.
    pub fn forget_key(&self) {
        let _ = std::fs::remove_file(self.file(KEY));
    }

    pub fn session(&self) -> Result<String> {
        Ok(self
            .read(SESSION, "not signed in; run `safeconduct field sign-in`")?
            .trim()
            .to_string())
    }

    pub fn save_session(&self, token: &str) -> Result<()> {
        self.write(SESSION, token.as_bytes())
    }

    pub fn kit(&self) -> Result<SavedKit> {
        self.read_json(KIT, "no field kit yet; run `safeconduct field kit`")
    }

    pub fn save_kit(&self, kit: &serde_json::Value) -> Result<()> {
        self.write_json(KIT, kit)
    }

    pub fn journal(&self) -> Result<Journal> {
        if !self.file(JOURNAL).exists() {
            return Ok(Journal::default());
        }
        self.read_json(JOURNAL, "")
    }

    pub fn save_journal(&self, j: &Journal) -> Result<()> {
        self.write_json(JOURNAL, j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use safeconduct_domain::RvId;

    fn device() -> DeviceFile {
        DeviceFile {
            server: "http://127.0.0.1:1".into(),
            server_ca: None,
            operation: 1,
            device: 3,
            username: "escort".into(),
            role: "escort".into(),
            rv_ids: vec![2],
            gate_ids: vec![],
        }
    }

    fn refuse(j: &mut Journal, key: &DeviceKey) -> u64 {
        j.record(
            key,
            &device(),
            Timestamp(1_787_551_200),
            ScanPlace::Rv(RvId(2)),
            ScanAct::Refuse {
                pass_index: None,
                code: "not_a_pass".into(),
            },
            None,
        )
    }

    #[test]
    fn records_are_numbered_from_zero_without_gap_or_reuse_across_acknowledgements() {
        let key = DeviceKey::from_seed([7; 32]);
        let mut j = Journal::default();
        assert_eq!((refuse(&mut j, &key), refuse(&mut j, &key)), (0, 1));
        j.acknowledge(&[0, 1]);
        assert!(j.pending.is_empty());
        assert_eq!(
            refuse(&mut j, &key),
            2,
            "an acknowledged number is not reused"
        );
    }

    #[test]
    fn the_journal_survives_a_reopening_of_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let key = DeviceKey::from_seed([7; 32]);
        let state = StateDir::open(dir.path()).unwrap();
        let mut j = state.journal().unwrap();
        refuse(&mut j, &key);
        j.take_batch().unwrap();
        state.save_journal(&j).unwrap();
        let again = StateDir::open(dir.path()).unwrap().journal().unwrap();
        assert_eq!(again, j);
        assert_eq!((again.next_seq, again.next_batch), (1, 2));
        assert!(!dir.path().join("journal.json.new").exists());
    }

    #[cfg(unix)]
    #[test]
    fn the_key_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::open(&dir.path().join("field")).unwrap();
        let key = DeviceKey::from_seed([9; 32]);
        state.save_key(&key).unwrap();
        let mode = std::fs::metadata(state.path().join(KEY))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(state.key().unwrap().public_text(), key.public_text());
    }

    #[test]
    fn a_missing_kit_says_how_to_get_one() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::open(dir.path()).unwrap();
        let e = state.kit().unwrap_err().to_string();
        assert!(e.contains("safeconduct field kit"), "{e}");
    }
}
