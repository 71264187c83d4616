//! A field device as the tests drive it: enrolled by the coordinator, its own key made here
//! and registered with the one-time code, records signed and synced over HTTP as
//! docs/field-protocol.md says.

use super::TestApp;
use reqwest::{Method, StatusCode};
use safeconduct_domain::scan::{PassDigest, ScanAct, ScanPlace, ScanRecord};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{FieldDeviceId, GateId, Role, RvId};
use safeconduct_keys::devices::client::{DeviceKey, kit_request_text, record_text};
use safeconduct_keys::passes::FieldKit;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub struct Device {
    pub id: i64,
    pub key: DeviceKey,
    /// The role whose token the device's user signs in with (the test user of that role).
    pub role: Role,
    pub place: ScanPlace,
    next_seq: u64,
    passes_read: PassesRead,
}

/// The digests of the passes a test's devices have read, by pass index (`TestApp::pass_index`
/// reads a pass as a device scanning it would): a record that moves a pass holder names its
/// pass by this digest, or by a wrong one when none was read. One per test app.
pub type PassesRead = Arc<Mutex<BTreeMap<i64, PassDigest>>>;

/// The digest of the pass of text `text` (`SC2:`…), as a device computes it from what it read.
pub fn digest_of(text: &str) -> PassDigest {
    safeconduct_pass::digest(&safeconduct_pass::from_text(text).expect("a pass text"))
}

impl Device {
    /// The next record of this device at its place, made now (device clock = `at`); an act
    /// that moves a pass holder names the pass by the digest of the pass read with that index.
    pub fn record(&mut self, op: i64, act: ScanAct, at: i64) -> (String, String) {
        let digest = act
            .pass_index()
            .filter(|_| act.moves_a_pass_holder())
            .map(|index| {
                let read = self.passes_read.lock().unwrap();
                read.get(&index).copied().unwrap_or([0; 16])
            });
        self.record_with_digest(op, act, at, digest)
    }

    /// The next record: the pass with this index admitted at the device's RV, in no batch.
    pub fn admit(&mut self, op: i64, pass_index: i64, at: i64) -> (String, String) {
        let act = ScanAct::Admit {
            pass_index,
            batch: None,
        };
        self.record(op, act, at)
    }

    /// The next record: `people` of the household of the pass with this index arrived at the
    /// device's gate.
    pub fn arrive(&mut self, op: i64, pass_index: i64, people: u32, at: i64) -> (String, String) {
        self.record(op, ScanAct::Arrive { pass_index, people }, at)
    }

    /// The next record of this device naming its pass by `digest`, right or wrong.
    pub fn record_with_digest(
        &mut self,
        op: i64,
        act: ScanAct,
        at: i64,
        pass_digest: Option<PassDigest>,
    ) -> (String, String) {
        let record = ScanRecord {
            operation: safeconduct_domain::OperationId(op),
            device: FieldDeviceId(self.id),
            seq: self.next_seq,
            at: Timestamp(at),
            place: self.place,
            act,
            pass_digest,
        };
        self.next_seq += 1;
        let text = record_text(&record);
        let sig = self.key.sign(&text);
        (text, sig)
    }

    /// An escort's walk, as this device records it: batch 1 opened to `gate` and each pass of
    /// `passes` admitted into it at `at`, then its departure with `head_count` at `departs`.
    pub fn walk(
        &mut self,
        op: i64,
        gate: i64,
        passes: &[i64],
        head_count: u32,
        (at, departs): (i64, i64),
    ) -> Vec<(String, String)> {
        let gate = GateId(gate);
        let mut records = vec![self.record(op, ScanAct::OpenBatch { batch: 1, gate }, at)];
        for &pass_index in passes {
            let admit = ScanAct::Admit {
                pass_index,
                batch: Some(1),
            };
            records.push(self.record(op, admit, at));
        }
        let depart = ScanAct::Depart {
            batch: 1,
            head_count,
        };
        records.push(self.record(op, depart, departs));
        records
    }

    pub fn scans_path(&self) -> String {
        format!("/api/operations/{{op}}/devices/{}/scans", self.id)
    }
}

/// The body of a sync of these signed records, sent at the device's clock `device_time`.
pub fn sync_body(records: &[(String, String)], device_time: i64) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(r, s)| json!({"record": r, "signature": s}))
        .collect();
    json!({"device_time": device_time, "records": records})
}

impl TestApp {
    /// Enrols a device for the test user of `role` at `place` and registers a fresh key.
    pub async fn enrol(&self, role: Role, place: ScanPlace, seed: u8) -> Device {
        match place {
            ScanPlace::Rv(rv) => self.enrol_at(role, &[rv.0], &[], seed).await,
            ScanPlace::Gate(g) => self.enrol_at(role, &[], &[g.0], seed).await,
        }
    }

    /// An escort's device enrolled at the rendezvous point `rv`, its key made from `seed`.
    pub async fn escort_at(&self, rv: i64, seed: u8) -> Device {
        self.enrol(Role::Escort, ScanPlace::Rv(RvId(rv)), seed)
            .await
    }

    /// Gate staff's device enrolled at the gate `gate`, its key made from `seed`.
    pub async fn gate_device_at(&self, gate: i64, seed: u8) -> Device {
        self.enrol(Role::Gate, ScanPlace::Gate(GateId(gate)), seed)
            .await
    }

    /// Enrols a device for the test user of `role` at these places (theirs now) and
    /// registers a fresh key; its records are made at the first place.
    pub async fn enrol_at(&self, role: Role, rvs: &[i64], gates: &[i64], seed: u8) -> Device {
        let place = match (rvs.first(), gates.first()) {
            (Some(rv), _) => ScanPlace::Rv(RvId(*rv)),
            (None, Some(g)) => ScanPlace::Gate(GateId(*g)),
            (None, None) => panic!("a device works somewhere"),
        };
        let enrolled = self
            .ok(
                Role::Coordinator,
                Method::POST,
                "/api/operations/{op}/devices",
                Some(json!({
                    "username": role.as_str(), "role": role, "rv_ids": rvs,
                    "gate_ids": gates, "label": format!("{role} phone {seed}")
                })),
                201,
            )
            .await;
        let id = enrolled["device"]["id"].as_i64().unwrap();
        let key = DeviceKey::from_seed([seed; 32]);
        let registered = self
            .ok(
                role,
                Method::POST,
                &format!("/api/operations/{{op}}/devices/{id}/key"),
                Some(json!({
                    "code": enrolled["enrolment_code"], "public_key": key.public_text()
                })),
                200,
            )
            .await;
        assert_eq!(registered["state"], "active");
        Device {
            id,
            key,
            role,
            place,
            next_seq: 0,
            passes_read: self.passes_read.clone(),
        }
    }

    /// The device asks for its kit with a request signed now by its key, as its user: the
    /// status and answer.
    pub async fn device_kit_answer(&self, device: &Device) -> (StatusCode, Value) {
        let request = kit_request_text(self.op, FieldDeviceId(device.id), safeconduct_keys::now());
        let body = json!({"request": request, "signature": device.key.sign(&request)});
        let path = format!("/api/operations/{{op}}/devices/{}/kit", device.id);
        self.call(device.role, Method::POST, &path, Some(body))
            .await
    }

    /// The whole answer to a device's kit request, which must succeed: the kit, the windows
    /// and the gate locations released to it.
    pub async fn device_kit_ok(&self, device: &Device) -> Value {
        let (status, answer) = self.device_kit_answer(device).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    /// The field kit of an enrolled device, fetched as the device does.
    pub async fn device_kit(&self, device: &Device) -> FieldKit {
        serde_json::from_value(self.device_kit_ok(device).await["kit"].clone()).unwrap()
    }

    /// Syncs signed records as the device's user; the status and answer.
    pub async fn sync(&self, device: &Device, records: &[(String, String)]) -> (StatusCode, Value) {
        let now = safeconduct_keys::now().0;
        self.call(
            device.role,
            Method::POST,
            &device.scans_path(),
            Some(sync_body(records, now)),
        )
        .await
    }

    /// Syncs and insists on 200.
    pub async fn sync_ok(&self, device: &Device, records: &[(String, String)]) -> Value {
        let (status, body) = self.sync(device, records).await;
        assert_eq!(status, StatusCode::OK, "sync: {body}");
        body
    }

    /// The index of a household's pass, read as a device scanning it would (its digest kept
    /// for the records that name it).
    pub async fn pass_index(&self, reference: &str) -> i64 {
        let pass = self
            .get(
                Role::Coordinator,
                &format!("/api/operations/{{op}}/households/{reference}/pass"),
            )
            .await;
        let index = pass["pass_index"].as_i64().unwrap();
        let digest = digest_of(pass["text"].as_str().unwrap());
        self.passes_read.lock().unwrap().insert(index, digest);
        index
    }

    /// Registers a household of `size` and takes it to pass issued in `window`: its reference
    /// and the index of its pass (read as [`TestApp::pass_index`] reads it).
    pub async fn pass_holder(&self, size: usize, phone: &str, window: i64) -> (String, i64) {
        let reference = self.register_with_pass(size, phone, window).await;
        let index = self.pass_index(&reference).await;
        (reference, index)
    }

    /// The device `id` as the coordinator's list of devices shows it.
    pub async fn listed_device(&self, id: i64) -> Value {
        let devices = self
            .get(Role::Coordinator, "/api/operations/{op}/devices")
            .await;
        devices
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("device {id} listed: {devices}"))
    }

    /// A household's stage, as the coordinator reads it.
    pub async fn stage(&self, reference: &str) -> String {
        self.get(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/households/{reference}"),
        )
        .await["stage"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn open_incidents(&self) -> Vec<Value> {
        self.get(Role::Coordinator, "/api/operations/{op}/incidents")
            .await
            .as_array()
            .unwrap()
            .clone()
    }
}
