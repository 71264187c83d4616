//! One call per step of a case's journey, per place it passes and per read the tests make: the
//! role that sends it, its path and body, and the status it must be answered with. What a test
//! proves with the answer stays in the test.

use super::{LOOKUP, Places, TestApp, case, member_ids};
use reqwest::{Method, StatusCode};
use safeconduct_domain::Role;
use serde_json::{Value, json};

impl TestApp {
    /// A GET as `role` answered 200.
    pub async fn get(&self, role: Role, path: &str) -> Value {
        self.ok(role, Method::GET, path, None, 200).await
    }

    /// A GET as `role`, whatever the answer.
    pub async fn try_get(&self, role: Role, path: &str) -> (StatusCode, Value) {
        self.call(role, Method::GET, path, None).await
    }

    /// A POST as `role` answered 200.
    pub async fn post(&self, role: Role, path: &str, body: Option<Value>) -> Value {
        self.ok(role, Method::POST, path, body, 200).await
    }

    /// The hotline's lookup as `role` (`body`: `{"phone": …}` or `{"reference": …}`), answered
    /// 200: what it found.
    pub async fn lookup(&self, role: Role, body: Value) -> Value {
        self.post(role, LOOKUP, Some(body)).await
    }

    /// Revokes the valid pass of `reference` as a coordinator, stating `reason`.
    pub async fn revoke_pass(&self, reference: &str, reason: &str) -> Value {
        let path = format!("{}/pass/revoke", case(reference));
        let body = json!({ "reason": reason });
        self.ok(Role::Coordinator, Method::POST, &path, Some(body), 200)
            .await
    }

    /// The open pass link's answer to the token of `link` (the part after `#`, or all of it),
    /// sent without credentials as the household's phone sends it.
    pub async fn open_pass_link(&self, link: &str) -> (StatusCode, Value) {
        let token = link.rsplit('#').next().unwrap();
        let body = json!({ "token": token });
        self.call_with(None, Method::POST, "/api/pass-link", Some(body))
            .await
    }

    /// A POST as `role` answered 201 Created.
    pub async fn create(&self, role: Role, path: &str, body: Value) -> Value {
        self.ok(role, Method::POST, path, Some(body), 201).await
    }

    /// The record `id` in the list a coordinator reads at `path` (places, windows, flights),
    /// or None when it is not listed.
    pub async fn listed(&self, path: &str, id: i64) -> Option<Value> {
        let list = self.get(Role::Coordinator, path).await;
        let found = list
            .as_array()
            .expect("a list")
            .iter()
            .find(|r| r["id"] == id);
        found.cloned()
    }

    /// The step `step` of the case `reference` as `role`, answered 200.
    pub async fn step(
        &self,
        role: Role,
        reference: &str,
        step: &str,
        body: Option<Value>,
    ) -> Value {
        self.post(role, &format!("{}/{step}", case(reference)), body)
            .await
    }

    /// The step `step` of the case `reference` as `role`, whatever the answer.
    pub async fn try_step(
        &self,
        role: Role,
        reference: &str,
        step: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let path = format!("{}/{step}", case(reference));
        self.call(role, Method::POST, &path, body).await
    }

    /// A coordinator proposes a rendezvous point called `name`; its id.
    pub async fn propose_rv(&self, name: &str) -> i64 {
        let rv = json!({
            "name": name, "location": { "lat": 60.16, "lon": 24.94 }, "landmark": "the old kiosk"
        });
        self.create(Role::Coordinator, "/api/operations/{op}/rvs", rv)
            .await["id"]
            .as_i64()
            .unwrap()
    }

    /// The step `step` (accept, activate, suspend) of the rendezvous point `rv` as `role`,
    /// answered 200.
    pub async fn rv_step(&self, role: Role, rv: i64, step: &str) -> Value {
        let path = format!("/api/operations/{{op}}/rvs/{rv}/{step}");
        self.post(role, &path, None).await
    }

    /// The step `step` of the rendezvous point `rv` as `role`, whatever the answer.
    pub async fn try_rv_step(&self, role: Role, rv: i64, step: &str) -> (StatusCode, Value) {
        let path = format!("/api/operations/{{op}}/rvs/{rv}/{step}");
        self.call(role, Method::POST, &path, None).await
    }

    /// A window at `rv` from `start` to `end` opened by a coordinator; its id.
    pub async fn add_window(&self, rv: i64, start: &str, end: &str, capacity: u32) -> i64 {
        let window = json!({ "rv_id": rv, "start": start, "end": end, "capacity": capacity });
        let path = "/api/operations/{op}/windows";
        self.create(Role::Coordinator, path, window).await["id"]
            .as_i64()
            .unwrap()
    }

    /// A coordinator assigns the case `reference` to the window `window` by hand.
    pub async fn assign_window(&self, reference: &str, window: i64) -> Value {
        let body = json!({"window_id": window});
        self.step(Role::Coordinator, reference, "assign", Some(body))
            .await
    }

    /// A coordinator moves the case `reference` to the window `window`.
    pub async fn reassign(&self, reference: &str, window: i64) -> Value {
        let body = json!({"window_id": window});
        self.step(Role::Coordinator, reference, "reassign", Some(body))
            .await
    }

    /// The escort admits the case `reference` at the rendezvous point `rv`.
    pub async fn admit_at_rv(&self, reference: &str, rv: i64) -> Value {
        let body = json!({"rv_id": rv});
        self.step(Role::Escort, reference, "rv-arrival", Some(body))
            .await
    }

    /// The escort leads these households from `rv` to `gate` in a new batch; the batch.
    pub async fn depart(&self, rv: i64, gate: i64, households: &[&str]) -> Value {
        let batch = json!({ "rv_id": rv, "gate_id": gate, "households": households });
        self.create(Role::Escort, "/api/operations/{op}/batches", batch)
            .await
    }

    /// Households of these sizes, registered with passes (phones `0700 000 <series><i>`),
    /// admitted at the RV and led towards the gate in one batch: their references and the
    /// batch's id.
    pub async fn batch_on_its_way(
        &self,
        p: &Places,
        sizes: &[usize],
        series: u32,
    ) -> (Vec<String>, i64) {
        let mut refs = Vec::new();
        for (i, size) in sizes.iter().enumerate() {
            let phone = format!("0700 000 {series}{i:02}");
            let r = self.register_with_pass(*size, &phone, p.window).await;
            self.admit_at_rv(&r, p.rv).await;
            refs.push(r);
        }
        let names: Vec<&str> = refs.iter().map(String::as_str).collect();
        let id = self.depart(p.rv, p.gate, &names).await["id"]
            .as_i64()
            .unwrap();
        (refs, id)
    }

    /// Gate staff count the case `reference` in as it arrives with the batch `batch`.
    pub async fn arrive_at_gate(&self, batch: i64, reference: &str) -> Value {
        let path = format!("/api/operations/{{op}}/batches/{batch}/arrivals");
        self.post(Role::Gate, &path, Some(json!({"reference": reference})))
            .await
    }

    /// Gate staff count `people` of the case `reference` in as they arrive with the batch
    /// `batch` (the others of the household stay on the way).
    pub async fn arrive_people(&self, batch: i64, reference: &str, people: u32) -> Value {
        let path = format!("/api/operations/{{op}}/batches/{batch}/arrivals");
        let body = json!({"reference": reference, "people": people});
        self.post(Role::Gate, &path, Some(body)).await
    }

    /// Gate staff close the batch `batch`; the balance.
    pub async fn close_batch(&self, batch: i64) -> Value {
        let path = format!("/api/operations/{{op}}/batches/{batch}/close");
        self.post(Role::Gate, &path, None).await
    }

    /// Gate staff process the case `reference` at `gate`.
    pub async fn process(&self, reference: &str, gate: i64) -> Value {
        let body = json!({"gate_id": gate});
        self.step(Role::Gate, reference, "processed", Some(body))
            .await
    }

    /// Takes the registered case `reference` through the places `p` until it is processed at
    /// the gate: its pass, admission at the RV, the batch's departure and arrival, check-in.
    pub async fn to_processed(&self, p: &Places, reference: &str) {
        self.to_pass_issued(reference, p.window).await;
        self.admit_at_rv(reference, p.rv).await;
        let batch = self.depart(p.rv, p.gate, &[reference]).await;
        self.arrive_at_gate(batch["id"].as_i64().unwrap(), reference)
            .await;
        self.process(reference, p.gate).await;
    }

    /// The manifest officer puts the case `reference` on the flight `flight`.
    pub async fn manifest(&self, flight: i64, reference: &str) -> Value {
        let path = format!("/api/operations/{{op}}/flights/{flight}/manifest");
        self.post(Role::Manifest, &path, Some(json!({"reference": reference})))
            .await
    }

    /// The manifest officer boards the case `reference` on the flight `flight`.
    pub async fn board(&self, reference: &str, flight: i64) -> Value {
        let body = json!({"flight_id": flight});
        self.step(Role::Manifest, reference, "boarded", Some(body))
            .await
    }

    /// The accountability report, read by an auditor.
    pub async fn accountability(&self) -> Value {
        self.get(Role::Auditor, "/api/operations/{op}/accountability")
            .await
    }

    /// The operation's counts, read by a coordinator.
    pub async fn counts(&self) -> Value {
        self.get(Role::Coordinator, "/api/operations/{op}/counts")
            .await
    }

    /// The operation's windows, read by a coordinator.
    pub async fn windows(&self) -> Value {
        self.get(Role::Coordinator, "/api/operations/{op}/windows")
            .await
    }

    /// Two households with passes walk from the RV to the gate in one batch and only the
    /// first arrives: the gate closes the batch and the second is unaccounted. The batch and
    /// the two references (arrived, missing).
    pub async fn a_batch_arriving_short(
        &self,
        p: &super::Places,
        phone: &str,
    ) -> (i64, String, String) {
        let arrived = self
            .register_with_pass(2, &format!("{phone}1"), p.window)
            .await;
        let missing = self
            .register_with_pass(3, &format!("{phone}2"), p.window)
            .await;
        self.admit_at_rv(&arrived, p.rv).await;
        self.admit_at_rv(&missing, p.rv).await;
        let batch = self.depart(p.rv, p.gate, &[&arrived, &missing]).await["id"]
            .as_i64()
            .unwrap();
        self.arrive_at_gate(batch, &arrived).await;
        self.close_batch(batch).await;
        (batch, arrived, missing)
    }

    /// A GET of `path` as `role`, stating `reason` (X-Reason) when there is one; the response
    /// as it came.
    pub async fn read_for(
        &self,
        role: Role,
        path: &str,
        reason: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .get(self.url(path))
            .bearer_auth(self.token(role));
        if let Some(reason) = reason {
            req = req.header("x-reason", reason);
        }
        req.send().await.unwrap()
    }

    /// A household of `size` whose batch arrived with `arriving` of them, the others swept
    /// unaccounted past the deadline and the arrived checked in: the case, its members' ids and
    /// the ids of those left unaccounted.
    pub async fn members_unaccounted(
        &self,
        p: &Places,
        size: usize,
        arriving: usize,
        phone: &str,
    ) -> (String, Vec<i64>, Vec<i64>) {
        let a = self.register_with_pass(size, phone, p.window).await;
        self.admit_at_rv(&a, p.rv).await;
        let departed = self.depart(p.rv, p.gate, &[&a]).await;
        let (id, deadline) = (departed["id"].as_i64().unwrap(), &departed["deadline"]);
        let deadline = safeconduct_domain::values::Timestamp::parse_rfc3339(
            "deadline",
            deadline.as_str().unwrap(),
        )
        .unwrap();
        self.arrive_people(id, &a, arriving as u32).await;
        self.process(&a, p.gate).await;
        let op = self.op;
        let sweep = safeconduct_store::Actor::custody_sweep(safeconduct_domain::values::Timestamp(
            deadline.0 + 1,
        ));
        self.on_store(move |s| s.sweep_custody(Some(op), &sweep).unwrap())
            .await;
        let household = self.get(Role::Coordinator, &case(&a)).await;
        let members = member_ids(&household);
        let left = members[arriving..].to_vec();
        let apart: Vec<Value> = left
            .iter()
            .map(|id| json!({"person_id": id, "stage": "unaccounted"}))
            .collect();
        assert_eq!(household["members_apart"], json!(apart));
        (a, members, left)
    }
}
