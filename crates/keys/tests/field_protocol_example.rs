//! The worked example of docs/field-protocol.md (docs/field-protocol-example.json) is what the
//! code makes and accepts: the example keys sign the example texts into the example
//! signatures, the server's checks read them back, and the document quotes them byte for
//! byte. An independent client tested against the example is tested against the server.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::{FieldDeviceId, OperationId};
use safeconduct_keys::devices::client::{DeviceKey, kit_request_text, record_text};
use safeconduct_keys::devices::{
    DevicePublicKey, Signed, open_records, pass_digest_text, read_kit_request, verify_one,
};
use serde_json::Value;

fn docs(name: &str) -> String {
    let path = format!("{}/../../docs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn example() -> Value {
    serde_json::from_str(&docs("field-protocol-example.json")).unwrap()
}

fn str_of<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {v}"))
}

/// The example device's key, from its seed, checked against its public key.
fn device_key(example: &Value, device: i64) -> DeviceKey {
    let d = example["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == device)
        .unwrap_or_else(|| panic!("no example device {device}"));
    let seed: [u8; 32] = B64.decode(str_of(d, "seed")).unwrap().try_into().unwrap();
    let key = DeviceKey::from_seed(seed);
    assert_eq!(
        key.public_text(),
        str_of(d, "public_key"),
        "device {device}"
    );
    key
}

#[test]
fn every_example_record_is_signed_by_its_device_and_accepted_as_written() {
    let example = example();
    let op = OperationId(example["operation"].as_i64().unwrap());
    let records = example["records"].as_array().unwrap();
    assert_eq!(records.len(), 6, "one record per act");
    let mut acts = Vec::new();
    for r in records {
        let device = r["device"].as_i64().unwrap();
        let key = device_key(&example, device);
        let (text, signature) = (str_of(r, "record"), str_of(r, "signature"));
        // Ed25519 signatures are deterministic: a client with the example seed must produce
        // exactly this signature over exactly these bytes.
        assert_eq!(key.sign(text), signature, "{text}");
        let public = DevicePublicKey::parse(&key.public_text()).unwrap();
        let read = open_records(
            &public,
            op,
            FieldDeviceId(device),
            &[Signed { text, signature }],
        )
        .unwrap_or_else(|e| panic!("{text}: {e}"));
        // The reference client writes the record as the example shows it.
        assert_eq!(record_text(&read[0]), text);
        acts.push(read[0].act.as_str());
    }
    assert_eq!(
        acts,
        [
            "open_batch",
            "admit",
            "refuse",
            "depart",
            "arrive",
            "check_in"
        ]
    );
}

#[test]
fn the_example_records_name_pass_17_by_the_digest_of_its_signed_bytes() {
    let example = example();
    let pass = &example["pass"];
    let bytes = safeconduct_pass::from_text(str_of(pass, "text")).expect("a pass text");
    let clear = safeconduct_pass::clear_of(&bytes).expect("a version 2 pass");
    assert_eq!(clear.index, pass["index"].as_u64().unwrap());
    let digest = safeconduct_pass::digest(&bytes);
    assert_eq!(pass_digest_text(&digest), str_of(pass, "pass_digest"));
    let mut named = 0;
    for r in example["records"].as_array().unwrap() {
        let key = device_key(&example, r["device"].as_i64().unwrap());
        let public = DevicePublicKey::parse(&key.public_text()).unwrap();
        let (text, signature) = (str_of(r, "record"), str_of(r, "signature"));
        let read = open_records(
            &public,
            OperationId(1),
            FieldDeviceId(r["device"].as_i64().unwrap()),
            &[Signed { text, signature }],
        )
        .unwrap();
        if read[0].act.moves_a_pass_holder() {
            assert_eq!(read[0].act.pass_index(), Some(17));
            assert_eq!(read[0].pass_digest, Some(digest), "{text}");
            named += 1;
        }
    }
    assert_eq!(
        named, 3,
        "admit, arrive and check_in name the pass by its digest"
    );
}

#[test]
fn an_example_record_changed_by_one_byte_no_longer_verifies() {
    let example = example();
    let r = &example["records"][1];
    let key = device_key(&example, 3);
    let public = DevicePublicKey::parse(&key.public_text()).unwrap();
    let changed = str_of(r, "record").replace("\"pass\":17", "\"pass\":71");
    let refused = open_records(
        &public,
        OperationId(1),
        FieldDeviceId(3),
        &[Signed {
            text: &changed,
            signature: str_of(r, "signature"),
        }],
    )
    .unwrap_err();
    assert_eq!(refused.field, "records[0].signature");
}

#[test]
fn the_example_kit_request_verifies_and_reads_back_its_time() {
    let example = example();
    let k = &example["kit_request"];
    let key = device_key(&example, 3);
    let public = DevicePublicKey::parse(&key.public_text()).unwrap();
    let (text, signature) = (str_of(k, "request"), str_of(k, "signature"));
    verify_one(&public, &Signed { text, signature }).unwrap();
    let at = read_kit_request(text, OperationId(1), FieldDeviceId(3)).unwrap();
    assert_eq!(kit_request_text(OperationId(1), FieldDeviceId(3), at), text);
    assert_eq!(at, Timestamp(1_787_551_140));
}

#[test]
fn the_protocol_document_quotes_the_example_byte_for_byte() {
    let (doc, example) = (docs("field-protocol.md"), example());
    let mut quoted: Vec<&str> = Vec::new();
    for d in example["devices"].as_array().unwrap() {
        quoted.extend([str_of(d, "seed"), str_of(d, "public_key")]);
    }
    for r in example["records"].as_array().unwrap() {
        quoted.extend([str_of(r, "record"), str_of(r, "signature")]);
    }
    quoted.extend([
        str_of(&example["pass"], "text"),
        str_of(&example["pass"], "pass_digest"),
    ]);
    let k = &example["kit_request"];
    quoted.extend([str_of(k, "request"), str_of(k, "signature")]);
    for q in quoted {
        assert!(doc.contains(q), "docs/field-protocol.md does not quote {q}");
    }
}
