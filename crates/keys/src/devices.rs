//! Field devices' keys and what they sign. A device makes its own Ed25519 key pair and
//! registers the public half; every record it makes offline (docs/field-protocol.md, section
//! "Records") and every kit request is a JSON text signed with the private half, which never
//! leaves the device. This module checks those signatures (a whole sync at once, by batch
//! verification) and reads the records into the domain's [`ScanRecord`], refusing with the
//! index and field of the first record that is wrong.
//!
//! Knows nothing of which devices exist or are suspended (the store), nor of HTTP.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use safeconduct_domain::scan::{MAX_RECORDS_PER_SYNC, PassDigest, ScanAct, ScanPlace, ScanRecord};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{FieldDeviceId, GateId, OperationId, RvId};
use serde::Deserialize;

/// The `format` of a scan record: version 2, whose admit, arrive and check-in records name the
/// pass by its digest as well as its index.
pub const RECORD_FORMAT: &str = "safeconduct-scan/2";
/// The `format` of version 1 records, no longer accepted: they named the pass by index only,
/// so a device could act on passes of its RV it never read.
pub const OLD_RECORD_FORMAT: &str = "safeconduct-scan/1";
/// The `format` of a signed kit request.
pub const KIT_REQUEST_FORMAT: &str = "safeconduct-kit-request/1";
/// The longest record text accepted: a record is about 150 bytes.
pub const MAX_RECORD_BYTES: usize = 512;

/// The digest an enrolment code is kept as: SHA-256 of the code without its dashes and
/// blanks, in upper case, so that a code typed as `abcd efgh…` matches.
pub fn code_digest(code: &str) -> [u8; 32] {
    use sha2::Digest as _;
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sha2::Sha256::digest(normal.as_bytes()).into()
}

/// What the QR code of an enrolment holds: `SCE1:{operation}/{device}/{code}`. Every
/// character is one of QR's alphanumeric mode (digits, capitals, `:`, `/`, `-`), so the code
/// stays small. It is as secret as the code it carries, and for as long.
pub fn enrolment_qr_text(op: OperationId, device: FieldDeviceId, code: &str) -> String {
    format!("SCE1:{}/{}/{code}", op.0, device.0)
}

/// Reads what [`enrolment_qr_text`] wrote: the operation, the device and the code, or `None`
/// for any other text (a pass, a web address, a typo).
pub fn read_enrolment_qr(text: &str) -> Option<(OperationId, FieldDeviceId, String)> {
    let rest = text.trim().strip_prefix("SCE1:")?;
    let mut parts = rest.splitn(3, '/');
    let number = |s: &str, digits: usize| {
        let ok = !s.is_empty() && s.len() <= digits && !s.starts_with('0');
        ok.then(|| s.parse::<i64>().ok()).flatten()
    };
    let op = number(parts.next()?, 10)?;
    let device = number(parts.next()?, 16)?;
    let code = parts.next()?;
    let code_ok = (1..=40).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || c == '-');
    code_ok.then(|| (OperationId(op), FieldDeviceId(device), code.to_string()))
}

/// A device's registered public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevicePublicKey(VerifyingKey);

/// Why a sync or kit request was refused: the field (with the record's index) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct SignedError {
    pub field: String,
    pub reason: String,
}

fn refuse(field: impl Into<String>, reason: impl Into<String>) -> SignedError {
    SignedError {
        field: field.into(),
        reason: reason.into(),
    }
}

impl DevicePublicKey {
    /// A public key as the device sends it: 32 bytes, base64url without padding. Keys of small
    /// order (which would let any signature verify) are refused.
    pub fn parse(text: &str) -> Result<Self, SignedError> {
        let bytes: [u8; 32] = B64
            .decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                refuse(
                    "public_key",
                    "an Ed25519 public key: 32 bytes, base64url without padding",
                )
            })?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| refuse("public_key", "not a point of the Ed25519 curve"))?;
        if key.is_weak() {
            return Err(refuse(
                "public_key",
                "a key of small order cannot be a device's key",
            ));
        }
        Ok(DevicePublicKey(key))
    }

    pub fn from_stored(bytes: &[u8]) -> Option<Self> {
        let bytes: [u8; 32] = bytes.try_into().ok()?;
        VerifyingKey::from_bytes(&bytes).ok().map(DevicePublicKey)
    }

    pub fn to_bytes(self) -> [u8; 32] {
        self.0.to_bytes()
    }
}

/// A JSON text and the device's signature over its bytes, as carried in a sync or a kit
/// request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<'a> {
    pub text: &'a str,
    /// 64 bytes, base64url without padding.
    pub signature: &'a str,
}

fn signature(field: &str, text: &str) -> Result<Signature, SignedError> {
    let bytes: [u8; 64] = B64
        .decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            refuse(
                field,
                "an Ed25519 signature: 64 bytes, base64url without padding",
            )
        })?;
    Ok(Signature::from_bytes(&bytes))
}

/// Checks every signature of a sync against the device's key, all at once (batch
/// verification); when the batch fails, the first record whose signature does not verify is
/// named. Then reads the records, which must name `operation` and `device`.
pub fn open_records(
    key: &DevicePublicKey,
    operation: OperationId,
    device: FieldDeviceId,
    records: &[Signed<'_>],
) -> Result<Vec<ScanRecord>, SignedError> {
    if records.is_empty() || records.len() > MAX_RECORDS_PER_SYNC {
        return Err(refuse(
            "records",
            format!("a sync carries 1 to {MAX_RECORDS_PER_SYNC} records"),
        ));
    }
    let mut signatures = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        if r.text.len() > MAX_RECORD_BYTES {
            return Err(refuse(
                format!("records[{i}].record"),
                format!("a record is at most {MAX_RECORD_BYTES} bytes"),
            ));
        }
        signatures.push(signature(&format!("records[{i}].signature"), r.signature)?);
    }
    let messages: Vec<&[u8]> = records.iter().map(|r| r.text.as_bytes()).collect();
    let keys = vec![key.0; records.len()];
    if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_err() {
        let bad = (0..records.len())
            .find(|&i| key.0.verify(messages[i], &signatures[i]).is_err())
            .unwrap_or(0);
        return Err(refuse(
            format!("records[{bad}].signature"),
            "does not verify under the device's registered key",
        ));
    }
    records
        .iter()
        .enumerate()
        .map(|(i, r)| read_record(r.text, operation, device).map_err(|e| at_index(i, e)))
        .collect()
}

fn at_index(i: usize, e: SignedError) -> SignedError {
    refuse(format!("records[{i}].{}", e.field), e.reason)
}

/// Checks one signed text under the device's key (a kit request).
pub fn verify_one(key: &DevicePublicKey, signed: &Signed<'_>) -> Result<(), SignedError> {
    if signed.text.len() > MAX_RECORD_BYTES {
        return Err(refuse(
            "request",
            format!("at most {MAX_RECORD_BYTES} bytes"),
        ));
    }
    let sig = signature("signature", signed.signature)?;
    key.0
        .verify_strict(signed.text.as_bytes(), &sig)
        .map_err(|_| {
            refuse(
                "signature",
                "does not verify under the device's registered key",
            )
        })
}

/// A record as written by the device (docs/field-protocol.md): every field named, nothing
/// unknown.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordText {
    format: String,
    op: i64,
    device: i64,
    seq: u64,
    at: i64,
    rv: Option<i64>,
    gate: Option<i64>,
    act: String,
    pass: Option<i64>,
    batch: Option<u32>,
    to_gate: Option<i64>,
    head_count: Option<u32>,
    people: Option<u32>,
    code: Option<String>,
    pass_digest: Option<String>,
}

/// A pass digest as a record carries it: 16 bytes, base64url without padding.
pub fn pass_digest_text(digest: &PassDigest) -> String {
    B64.encode(digest)
}

fn read_pass_digest(text: &str) -> Result<PassDigest, SignedError> {
    B64.decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            refuse(
                "pass_digest",
                "the pass's digest: the first 16 bytes of the SHA-256 of its signed bytes, \
                 base64url without padding (22 characters)",
            )
        })
}

fn read_record(
    text: &str,
    operation: OperationId,
    device: FieldDeviceId,
) -> Result<ScanRecord, SignedError> {
    let r: RecordText = serde_json::from_str(text)
        .map_err(|e| refuse("record", format!("not a scan record: {e}")))?;
    if r.format == OLD_RECORD_FORMAT {
        return Err(refuse(
            "format",
            format!(
                "records of {OLD_RECORD_FORMAT:?} name a pass by its index only and are no \
                 longer accepted: the client must make {RECORD_FORMAT:?} records"
            ),
        ));
    }
    if r.format != RECORD_FORMAT {
        return Err(refuse("format", format!("must be {RECORD_FORMAT:?}")));
    }
    if r.op != operation.0 {
        return Err(refuse("op", "the record belongs to another operation"));
    }
    if r.device != device.0 {
        return Err(refuse(
            "device",
            "the record names another device than the one syncing it",
        ));
    }
    let place = match (r.rv, r.gate) {
        (Some(rv), None) => ScanPlace::Rv(RvId(rv)),
        (None, Some(gate)) => ScanPlace::Gate(GateId(gate)),
        _ => {
            return Err(refuse("rv", "a record names exactly one place: rv or gate"));
        }
    };
    let need = |v: Option<i64>, field: &'static str| {
        v.ok_or_else(|| refuse(field, format!("{} needs {field}", r.act)))
    };
    let need32 = |v: Option<u32>, field: &'static str| {
        v.ok_or_else(|| refuse(field, format!("{} needs {field}", r.act)))
    };
    let act = match r.act.as_str() {
        "admit" => ScanAct::Admit {
            pass_index: need(r.pass, "pass")?,
            batch: r.batch,
        },
        "refuse" => ScanAct::Refuse {
            pass_index: r.pass,
            code: r
                .code
                .clone()
                .ok_or_else(|| refuse("code", "refuse needs code"))?,
        },
        "open_batch" => ScanAct::OpenBatch {
            batch: need32(r.batch, "batch")?,
            gate: GateId(need(r.to_gate, "to_gate")?),
        },
        "depart" => ScanAct::Depart {
            batch: need32(r.batch, "batch")?,
            head_count: need32(r.head_count, "head_count")?,
        },
        "arrive" => ScanAct::Arrive {
            pass_index: need(r.pass, "pass")?,
            people: need32(r.people, "people")?,
        },
        "check_in" => ScanAct::CheckIn {
            pass_index: need(r.pass, "pass")?,
        },
        other => {
            return Err(refuse(
                "act",
                format!(
                    "{other:?} is not an act: admit, refuse, open_batch, depart, arrive, check_in"
                ),
            ));
        }
    };
    let pass_digest = match (act.moves_a_pass_holder(), &r.pass_digest) {
        (true, Some(text)) => Some(read_pass_digest(text)?),
        (true, None) => {
            return Err(refuse(
                "pass_digest",
                format!("{} needs pass_digest", r.act),
            ));
        }
        (false, None) => None,
        (false, Some(_)) => {
            return Err(refuse(
                "pass_digest",
                "only admit, arrive and check_in records carry pass_digest",
            ));
        }
    };
    Ok(ScanRecord {
        operation,
        device,
        seq: r.seq,
        at: Timestamp(r.at),
        place,
        act,
        pass_digest,
    })
}

/// A kit request as the device signs it: proves that the device holding the key asks, now.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KitRequestText {
    format: String,
    op: i64,
    device: i64,
    at: i64,
}

/// Reads a signed kit request (already verified with [`verify_one`]): the device's clock at
/// the request, which must name this operation and device.
pub fn read_kit_request(
    text: &str,
    operation: OperationId,
    device: FieldDeviceId,
) -> Result<Timestamp, SignedError> {
    let r: KitRequestText = serde_json::from_str(text)
        .map_err(|e| refuse("request", format!("not a kit request: {e}")))?;
    if r.format != KIT_REQUEST_FORMAT {
        return Err(refuse("format", format!("must be {KIT_REQUEST_FORMAT:?}")));
    }
    if r.op != operation.0 || r.device != device.0 {
        return Err(refuse(
            "request",
            "the request names another operation or device",
        ));
    }
    Ok(Timestamp(r.at))
}

/// The device side: a signing key and the texts the protocol has it sign. Used by the
/// reference client (`safeconduct field`), the tests and the benchmarks; a device's key never
/// leaves it.
pub mod client {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    pub struct DeviceKey(SigningKey);

    impl DeviceKey {
        pub fn from_seed(seed: [u8; 32]) -> Self {
            DeviceKey(SigningKey::from_bytes(&seed))
        }

        pub fn generate() -> Self {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).expect("the operating system's random source");
            Self::from_seed(seed)
        }

        pub fn seed(&self) -> [u8; 32] {
            self.0.to_bytes()
        }

        /// The public key as registered: base64url without padding.
        pub fn public_text(&self) -> String {
            B64.encode(self.0.verifying_key().to_bytes())
        }

        /// The signature over a text, base64url without padding.
        pub fn sign(&self, text: &str) -> String {
            B64.encode(self.0.sign(text.as_bytes()).to_bytes())
        }
    }

    /// The record text of `record` (its keys in alphabetical order; the server reads any order
    /// and verifies the bytes exactly as sent).
    pub fn record_text(record: &ScanRecord) -> String {
        let mut o = serde_json::Map::new();
        o.insert("format".into(), RECORD_FORMAT.into());
        o.insert("op".into(), record.operation.0.into());
        o.insert("device".into(), record.device.0.into());
        o.insert("seq".into(), record.seq.into());
        o.insert("at".into(), record.at.0.into());
        match record.place {
            ScanPlace::Rv(rv) => o.insert("rv".into(), rv.0.into()),
            ScanPlace::Gate(g) => o.insert("gate".into(), g.0.into()),
        };
        o.insert("act".into(), record.act.as_str().into());
        match &record.act {
            ScanAct::Admit { pass_index, batch } => {
                o.insert("pass".into(), (*pass_index).into());
                if let Some(b) = batch {
                    o.insert("batch".into(), (*b).into());
                }
            }
            ScanAct::Refuse { pass_index, code } => {
                if let Some(p) = pass_index {
                    o.insert("pass".into(), (*p).into());
                }
                o.insert("code".into(), code.clone().into());
            }
            ScanAct::OpenBatch { batch, gate } => {
                o.insert("batch".into(), (*batch).into());
                o.insert("to_gate".into(), gate.0.into());
            }
            ScanAct::Depart { batch, head_count } => {
                o.insert("batch".into(), (*batch).into());
                o.insert("head_count".into(), (*head_count).into());
            }
            ScanAct::Arrive { pass_index, people } => {
                o.insert("pass".into(), (*pass_index).into());
                o.insert("people".into(), (*people).into());
            }
            ScanAct::CheckIn { pass_index } => {
                o.insert("pass".into(), (*pass_index).into());
            }
        }
        if let Some(digest) = &record.pass_digest {
            o.insert("pass_digest".into(), super::pass_digest_text(digest).into());
        }
        serde_json::Value::Object(o).to_string()
    }

    /// The text of a kit request made at `at` by the device's clock.
    pub fn kit_request_text(
        operation: OperationId,
        device: FieldDeviceId,
        at: Timestamp,
    ) -> String {
        serde_json::json!({
            "format": KIT_REQUEST_FORMAT, "op": operation.0, "device": device.0, "at": at.0
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::client::*;
    use super::*;

    const OP: OperationId = OperationId(7);
    const DEV: FieldDeviceId = FieldDeviceId(3);

    #[test]
    fn an_enrolment_qr_text_reads_back_and_nothing_else_does() {
        let text = enrolment_qr_text(OP, DEV, "K7QM-2XD9-FH3T-8WPA");
        assert_eq!(
            read_enrolment_qr(&format!(" {text}\n")),
            Some((OP, DEV, "K7QM-2XD9-FH3T-8WPA".to_string()))
        );
        for other in [
            "SC2:ABC",
            "SCE1:7/3",
            "SCE1:0/3/K7QM",
            "SCE1:7/03/K7QM",
            "SCE1:x/3/K7QM",
            "SCE1:7/3/k7qm",
            "SCE1:7/3/",
            "SCE1:7/3/K7QM/extra",
            "https://example.org/SCE1:7/3/K7QM",
        ] {
            assert_eq!(read_enrolment_qr(other), None, "{other}");
        }
    }

    fn admit(seq: u64) -> ScanRecord {
        ScanRecord {
            operation: OP,
            device: DEV,
            seq,
            at: Timestamp(1_787_551_200),
            place: ScanPlace::Rv(RvId(2)),
            act: ScanAct::Admit {
                pass_index: seq as i64,
                batch: Some(1),
            },
            pass_digest: Some([seq as u8; 16]),
        }
    }

    fn signed(key: &DeviceKey, texts: &[String]) -> Vec<(String, String)> {
        texts.iter().map(|t| (t.clone(), key.sign(t))).collect()
    }

    fn open(key: &DeviceKey, pairs: &[(String, String)]) -> Result<Vec<ScanRecord>, SignedError> {
        let public = DevicePublicKey::parse(&key.public_text()).unwrap();
        let records: Vec<Signed<'_>> = pairs
            .iter()
            .map(|(t, s)| Signed {
                text: t,
                signature: s,
            })
            .collect();
        open_records(&public, OP, DEV, &records)
    }

    #[test]
    fn records_signed_by_the_device_read_back_as_made() {
        let key = DeviceKey::from_seed([1; 32]);
        let made: Vec<ScanRecord> = (0..5).map(admit).collect();
        let texts: Vec<String> = made.iter().map(record_text).collect();
        assert_eq!(open(&key, &signed(&key, &texts)).unwrap(), made);
    }

    #[test]
    fn a_record_signed_by_another_key_is_named() {
        let (key, other) = (DeviceKey::from_seed([1; 32]), DeviceKey::from_seed([2; 32]));
        let texts: Vec<String> = (0..4).map(|s| record_text(&admit(s))).collect();
        let mut pairs = signed(&key, &texts);
        pairs[2].1 = other.sign(&texts[2]);
        assert_eq!(
            open(&key, &pairs).unwrap_err().field,
            "records[2].signature"
        );
    }

    #[test]
    fn a_record_changed_after_signing_is_refused() {
        let key = DeviceKey::from_seed([1; 32]);
        let texts = vec![record_text(&admit(0))];
        let mut pairs = signed(&key, &texts);
        pairs[0].0 = pairs[0].0.replace("\"pass\":0", "\"pass\":9");
        assert_eq!(
            open(&key, &pairs).unwrap_err().field,
            "records[0].signature"
        );
    }

    #[test]
    fn a_record_naming_another_device_is_refused_even_when_signed() {
        let key = DeviceKey::from_seed([1; 32]);
        let mut r = admit(0);
        r.device = FieldDeviceId(4);
        let pairs = signed(&key, &[record_text(&r)]);
        assert_eq!(open(&key, &pairs).unwrap_err().field, "records[0].device");
    }

    #[test]
    fn an_unknown_field_or_act_is_refused() {
        let key = DeviceKey::from_seed([1; 32]);
        let text = record_text(&admit(0));
        let extra = text.replacen('{', "{\"name\":\"x\",", 1);
        assert_eq!(
            open(&key, &signed(&key, &[extra])).unwrap_err().field,
            "records[0].record"
        );
        let act = text.replace("\"admit\"", "\"teleport\"");
        assert_eq!(
            open(&key, &signed(&key, &[act])).unwrap_err().field,
            "records[0].act"
        );
    }

    #[test]
    fn an_oversized_record_or_sync_is_refused() {
        let key = DeviceKey::from_seed([1; 32]);
        let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(MAX_RECORD_BYTES));
        assert_eq!(
            open(&key, &signed(&key, &[big])).unwrap_err().field,
            "records[0].record"
        );
        let many: Vec<String> = (0..=MAX_RECORDS_PER_SYNC as u64)
            .map(|s| record_text(&admit(s)))
            .collect();
        assert_eq!(
            open(&key, &signed(&key, &many)).unwrap_err().field,
            "records"
        );
        assert_eq!(open(&key, &[]).unwrap_err().field, "records");
    }

    #[test]
    fn a_version_1_record_or_one_without_its_pass_digest_is_refused() {
        let key = DeviceKey::from_seed([1; 32]);
        let text = record_text(&admit(0));
        let v1 = text.replace(RECORD_FORMAT, OLD_RECORD_FORMAT);
        let refused = open(&key, &signed(&key, &[v1])).unwrap_err();
        assert_eq!(refused.field, "records[0].format");
        assert!(refused.reason.contains("no longer accepted"), "{refused}");
        let mut bare = admit(0);
        bare.pass_digest = None;
        let refused = open(&key, &signed(&key, &[record_text(&bare)])).unwrap_err();
        assert_eq!(refused.field, "records[0].pass_digest");
        let short = text.replace(&pass_digest_text(&[0; 16]), "AAAA");
        let refused = open(&key, &signed(&key, &[short])).unwrap_err();
        assert_eq!(refused.field, "records[0].pass_digest");
        // A refusal changes nothing and carries none.
        let mut refusal = admit(0);
        refusal.act = ScanAct::Refuse {
            pass_index: Some(0),
            code: "revoked".into(),
        };
        let refused = open(&key, &signed(&key, &[record_text(&refusal)])).unwrap_err();
        assert_eq!(refused.field, "records[0].pass_digest");
    }

    #[test]
    fn a_weak_public_key_is_refused() {
        // The identity point: every signature would verify under it.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(DevicePublicKey::parse(&B64.encode(identity)).is_err());
        assert!(DevicePublicKey::parse("not base64!").is_err());
    }

    #[test]
    fn a_kit_request_reads_back_its_time_and_refuses_another_device() {
        let key = DeviceKey::from_seed([1; 32]);
        let public = DevicePublicKey::parse(&key.public_text()).unwrap();
        let text = kit_request_text(OP, DEV, Timestamp(99));
        let sig = key.sign(&text);
        verify_one(
            &public,
            &Signed {
                text: &text,
                signature: &sig,
            },
        )
        .unwrap();
        assert_eq!(read_kit_request(&text, OP, DEV), Ok(Timestamp(99)));
        assert!(read_kit_request(&text, OP, FieldDeviceId(9)).is_err());
    }
}
