//! A field device as the tests drive it: enrolled by the coordinator, its own key made here
//! and registered with the one-time code, records signed and synced over HTTP as
//! docs/field-protocol.md says.

use super::TestApp;
use reqwest::{Method, StatusCode};
use safeconduct_domain::scan::{ScanAct, ScanPlace, ScanRecord};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{FieldDeviceId, Role};
use safeconduct_keys::devices::client::{DeviceKey, record_text};
use serde_json::{Value, json};

pub struct Device {
    pub id: i64,
    pub key: DeviceKey,
    /// The role whose token the device's user signs in with (the test user of that role).
    pub role: Role,
    pub place: ScanPlace,
    next_seq: u64,
}

impl Device {
    /// The next record of this device at its place, made now (device clock = `at`).
    pub fn record(&mut self, op: i64, act: ScanAct, at: i64) -> (String, String) {
        let record = ScanRecord {
            operation: safeconduct_domain::OperationId(op),
            device: FieldDeviceId(self.id),
            seq: self.next_seq,
            at: Timestamp(at),
            place: self.place,
            act,
        };
        self.next_seq += 1;
        let text = record_text(&record);
        let sig = self.key.sign(&text);
        (text, sig)
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
        let (rv_ids, gate_ids) = match place {
            ScanPlace::Rv(rv) => (vec![rv.0], vec![]),
            ScanPlace::Gate(g) => (vec![], vec![g.0]),
        };
        let enrolled = self
            .ok(
                Role::Coordinator,
                Method::POST,
                "/api/operations/{op}/devices",
                Some(json!({
                    "username": role.as_str(), "role": role, "rv_ids": rv_ids,
                    "gate_ids": gate_ids, "label": format!("{role} phone {seed}")
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
        }
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

    /// The pass index of a household's latest pass.
    pub async fn pass_index(&self, reference: &str) -> i64 {
        self.get(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/households/{reference}/pass"),
        )
        .await["pass_index"]
            .as_i64()
            .unwrap()
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
