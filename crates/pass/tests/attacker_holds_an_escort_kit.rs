//! Someone holds an escort device's field kit — a seized phone, a partly trusted escort party
//! — or just reads passes in the street. What version 2 of the format denies them: the passes
//! of other rendezvous points, the holder's document by guessing, the window from the clear
//! tier, the shape of the household from ciphertext lengths, the operation's size from the
//! status list; and old passes are refused in words the escort understands.

mod sample;

use coset::TaggedCborSerializable;
use coset::cbor::value::Value;
use safeconduct_domain::values::Language;
use safeconduct_pass::*;
use sample::{AT_RV, EXPIRES, Journey, NOW};
use sha2::{Digest, Sha256};

struct Operation {
    issuer: IssuerKey,
    checkpoint: TierSecret,
    gate: TierSecret,
}

impl Operation {
    fn new() -> Self {
        Operation {
            issuer: IssuerKey::generate(),
            checkpoint: TierSecret::generate(Tier::Checkpoint),
            gate: TierSecret::generate(Tier::Gate),
        }
    }

    fn sign(&self, content: &Content) -> Vec<u8> {
        issue(&self.issuer, &self.checkpoint, &self.gate, content).unwrap()
    }

    /// An unbound pass of `index` for `people` at `rv`, inside its window at [`NOW`].
    fn pass_at(&self, rv: u64, index: u64, people: u64) -> Vec<u8> {
        let journey = Journey { rv, ..AT_RV };
        self.sign(&sample::content(
            self.issuer.kid(),
            index,
            people,
            &journey,
            None,
        ))
    }

    fn status(&self) -> StatusList {
        let list = StatusList::new(NOW - 60, 100).unwrap();
        StatusList::verify(&list.sign(&self.issuer), &[self.issuer.public()]).unwrap()
    }

    /// The kit of an escort device working at `rvs`.
    fn escort_kit(&self, rvs: &[u64]) -> Verifier {
        Verifier {
            keys: vec![self.issuer.public()],
            checkpoint: rvs
                .iter()
                .map(|&rv| self.checkpoint.key_for(rv, self.issuer.kid()))
                .collect(),
            status: Some(self.status()),
            ..Verifier::default()
        }
    }

    /// The kit of a gate device whose gates serve `rvs`.
    fn gate_kit(&self, rvs: &[u64]) -> Verifier {
        Verifier {
            keys: vec![self.issuer.public()],
            gate: rvs
                .iter()
                .map(|&rv| self.gate.key_for(rv, self.issuer.kid()))
                .collect(),
            status: Some(self.status()),
            ..Verifier::default()
        }
    }
}

fn at(rv: u64) -> Check<'static> {
    Check {
        now: NOW,
        rv: Some(rv),
        holder: None,
    }
}

/// The map of a pass's payload, read with an independent CBOR library.
fn payload(pass: &[u8]) -> Vec<(Value, Value)> {
    let sign1 = coset::CoseSign1::from_tagged_slice(pass).unwrap();
    let value: Value = coset::cbor::de::from_reader(&sign1.payload.unwrap()[..]).unwrap();
    value.into_map().unwrap()
}

fn field(map: &[(Value, Value)], key: i64) -> &Value {
    &map.iter()
        .find(|(k, _)| k.as_integer() == Some(key.into()))
        .unwrap()
        .1
}

fn number(map: &[(Value, Value)], key: i64) -> u64 {
    field(map, key).as_integer().unwrap().try_into().unwrap()
}

fn tier_lengths(pass: &[u8]) -> (usize, usize) {
    let map = payload(pass);
    (
        field(&map, 4).as_bytes().unwrap().len(),
        field(&map, 5).as_bytes().unwrap().len(),
    )
}

#[test]
fn the_kit_of_rv_1_cannot_open_a_pass_of_rv_2() {
    let op = Operation::new();
    let pass_of_rv_2 = op.pass_at(2, 10, 4);

    let v = op.escort_kit(&[1]).verify(&pass_of_rv_2, &at(1));
    assert_eq!(v.outcome, Outcome::ForAnotherPlace);
    assert_eq!(v.outcome.code(), "wrong_rv");
    assert_eq!(v.checkpoint, None, "nothing of the pass is revealed");
    assert!(
        v.outcome
            .message(Language::English)
            .contains("another rendezvous point")
    );
    // Nor does a gate device whose gates serve RV 1 only.
    let v = op.gate_kit(&[1]).verify(&pass_of_rv_2, &at(1));
    assert_eq!((v.outcome, v.gate), (Outcome::ForAnotherPlace, None));
    // Nor a checkpoint key made for RV 1 under another tier or a neighbouring id.
    let kit = Verifier {
        checkpoint: vec![
            op.gate.key_for(2, op.issuer.kid()),
            op.checkpoint.key_for(3, op.issuer.kid()),
        ],
        ..op.escort_kit(&[])
    };
    assert_eq!(
        kit.verify(&pass_of_rv_2, &at(2)).outcome,
        Outcome::ForAnotherPlace
    );

    // The escort of RV 2 reads it; one working at both RVs too, and is told where it belongs
    // when standing at the other.
    let v = op.escort_kit(&[2]).verify(&pass_of_rv_2, &at(2));
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");
    assert_eq!(v.checkpoint.unwrap().rv, 2);
    let both = op.escort_kit(&[1, 2]);
    assert_eq!(both.verify(&pass_of_rv_2, &at(2)).outcome, Outcome::Valid);
    assert_eq!(
        both.verify(&pass_of_rv_2, &at(1)).outcome,
        Outcome::WrongRv {
            pass_rv: 2,
            here: 1
        }
    );
    assert_eq!(
        op.gate_kit(&[1, 2])
            .verify(&pass_of_rv_2, &Check::default())
            .gate
            .unwrap()
            .rv,
        2
    );
}

/// The version 1 binding: one SHA-256, about 0.3 µs a guess.
fn sha256_binding(label: &[u8], kid: KeyId, index: u64, document: &str, year: u16) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(label);
    h.update(kid.0);
    h.update(index.to_be_bytes());
    h.update(normalise_document(document).as_bytes());
    h.update([0]);
    h.update(year.to_be_bytes());
    h.finalize()[..8].try_into().unwrap()
}

#[test]
fn guessing_the_holders_document_costs_the_full_iteration_work_per_guess() {
    let op = Operation::new();
    let kid = op.issuer.kid();
    let content = sample::content(kid, 77, 3, &AT_RV, Some((77, "P 1234567")));
    let pass = op.sign(&content);
    // The attacker opens the checkpoint tier with the kit and holds the binding.
    let v = op.escort_kit(&[AT_RV.rv]).verify(&pass, &at(AT_RV.rv));
    let bound = v.checkpoint.unwrap().holder.expect("the pass is bound");

    // The single-hash construction of version 1 no longer matches, under either label.
    for label in [
        &b"safeconduct pass v1 holder"[..],
        &b"safeconduct pass v2 holder"[..],
    ] {
        assert_ne!(sha256_binding(label, kid, 77, "P1234567", 1984), bound);
    }
    // Only the full PBKDF2 work gives the binding: no shortcut with fewer iterations.
    let password = [&b"P1234567"[..], &[0], &1984u16.to_be_bytes()].concat();
    let salt = [
        &b"safeconduct pass v2 holder"[..],
        &kid.0,
        &77u64.to_be_bytes(),
    ]
    .concat();
    let stretched = |iterations: u32| {
        let mut out = [0u8; 8];
        pbkdf2::pbkdf2_hmac::<Sha256>(&password, &salt, iterations, &mut out);
        out
    };
    assert_eq!(stretched(HOLDER_ITERATIONS), bound);
    for fewer in [1, 1000, HOLDER_ITERATIONS / 2, HOLDER_ITERATIONS - 1] {
        assert_ne!(stretched(fewer), bound, "{fewer} iterations");
    }
    // The count the format fixes: at least 39 ms of CPU a guess on the reference machine
    // (docs/benchmarks.md: about 104 ns an iteration), so that 10^8 numbers times 81 birth
    // years cost more than 10 CPU-core-years.
    const { assert!(HOLDER_ITERATIONS >= 375_000) };
    // The salt is the pass: the same document on the next pass gives an unrelated binding,
    // so one guessing run serves one pass only.
    assert_ne!(holder_binding(kid, 78, "P1234567", Some(1984)), Some(bound));

    // Documents too short to resist guessing, and unknown birth years, are not bound; the
    // escort who types a document is told to check identity another way.
    assert_eq!(MIN_DOCUMENT_CHARS, 8);
    assert_eq!(holder_binding(kid, 77, "P-123456", Some(1984)), None);
    assert_eq!(holder_binding(kid, 77, "P1234567", None), None);
    let unbound = op.sign(&sample::content(kid, 79, 3, &AT_RV, None));
    let check = Check {
        holder: Some(("P-123456", 1984)),
        ..at(AT_RV.rv)
    };
    let v = op.escort_kit(&[AT_RV.rv]).verify(&unbound, &check);
    assert_eq!(v.outcome, Outcome::Valid);
    assert!(v.holder_unbound);
    assert!(
        v.holder_notice(Language::English)
            .unwrap()
            .contains("not bound to a document")
    );
}

#[test]
fn every_pass_has_the_same_tier_lengths_bound_or_not_whatever_its_household_and_rv() {
    let op = Operation::new();
    let kid = op.issuer.kid();
    let binding = holder_binding(kid, 500, "P1234567", Some(1984));
    let mut lengths = Vec::new();
    for rv in [1, 23, 24, 4_000_017, MAX_VALUE] {
        for people in [1, 23, 24, 255, 256, 65_536, MAX_VALUE] {
            for holder in [None, binding] {
                let mut content = sample::content(kid, 500, people, &Journey { rv, ..AT_RV }, None);
                content.checkpoint.holder = holder;
                let pass = op.sign(&content);
                lengths.push((pass.len(), tier_lengths(&pass)));
            }
        }
    }
    let first = lengths[0];
    assert!(lengths.iter().all(|l| *l == first), "{lengths:?}");
    assert_eq!(
        first.1,
        (CHECKPOINT_PLAINTEXT + 16, GATE_PLAINTEXT + 16),
        "tiers padded to fixed sizes, plus the GCM tag"
    );
    // Only the clear pass index changes the length.
    let small = op.pass_at(1, 5, 1).len();
    let large = op.pass_at(1, (1 << 28) - 1, 1).len();
    assert_eq!(large - small, 4);
}

#[test]
fn the_clear_tier_tells_the_day_not_the_window() {
    let op = Operation::new();
    let kid = op.issuer.kid();
    let day = NOW / DAY * DAY;
    // Windows ending anywhere in the same 24 hours give the same clear validity: the
    // window's end is hidden to within a day.
    let mut clears = Vec::new();
    for end in [
        day + 12 * 3600 + 1,
        day + 15 * 3600,
        day + 23 * 3600,
        day + DAY + 12 * 3600,
    ] {
        let clear = Clear::coarse(kid, 9, NOW - 5000, end, 12 * 3600);
        assert_eq!(clear.not_before, day, "the day of issue, not the moment");
        assert_eq!(clear.expires, day + 2 * DAY);
        assert!(
            clear.expires >= end + 12 * 3600,
            "valid at least 12 h after the window"
        );
        let journey = Journey {
            window_start: end - 3600,
            window_end: end,
            ..AT_RV
        };
        let mut content = sample::content(kid, 9, 2, &journey, None);
        content.clear = clear;
        let map = payload(&op.sign(&content));
        assert_eq!(number(&map, 0), 2, "format version");
        clears.push((number(&map, 2), number(&map, 3)));
        // The escort still checks the precise window.
        let v = op.escort_kit(&[AT_RV.rv]).verify(
            &op.sign(&content),
            &Check {
                now: end + 1,
                ..at(AT_RV.rv)
            },
        );
        assert_eq!(v.outcome, Outcome::Late { by: 1 });
    }
    assert!(clears.iter().all(|c| *c == clears[0]));
    // An issuer cannot write a precise time into the clear tier.
    let mut content = sample::content(kid, 9, 2, &AT_RV, None);
    content.clear.expires = AT_RV.window_end + 12 * 3600;
    assert!(matches!(
        issue(&op.issuer, &op.checkpoint, &op.gate, &content),
        Err(Error::BadContent(_))
    ));
}

/// A version 1 pass as the version 1 issuer made it: payload `{1: index, 2: not before,
/// 3: expires, 4: checkpoint tier, 5: gate tier}`, signed by the operation's key.
fn version_1_pass(op: &Operation) -> Vec<u8> {
    let payload = Value::Map(vec![
        (Value::from(1), Value::from(7)),
        (Value::from(2), Value::from(NOW - 3600)),
        (Value::from(3), Value::from(NOW + 3600)),
        (Value::from(4), Value::Bytes(vec![0x55; 32])),
        (Value::from(5), Value::Bytes(vec![0x66; 40])),
    ]);
    let mut bytes = Vec::new();
    coset::cbor::ser::into_writer(&payload, &mut bytes).unwrap();
    sign1(&op.issuer, bytes)
}

#[test]
fn a_version_1_pass_is_refused_as_of_an_older_format() {
    let op = Operation::new();
    let old = version_1_pass(&op);
    let kit = op.escort_kit(&[AT_RV.rv]);
    let v = kit.verify(&old, &at(AT_RV.rv));
    assert_eq!(v.outcome, Outcome::OldFormat);
    assert_eq!(v.outcome.code(), "old_format");
    let text = to_text(&old);
    let old_text = text.replacen(TEXT_PREFIX, OLD_TEXT_PREFIX, 1);
    assert!(old_text.starts_with("SC1:"));
    for text in [&old_text, &text] {
        assert_eq!(
            kit.verify_text(text, &at(AT_RV.rv)).outcome,
            Outcome::OldFormat
        );
    }
    assert_eq!(
        Outcome::OldFormat.message(Language::English),
        "This pass is of an older format and must be re-issued."
    );
    use Language::*;
    for lang in [English, French, Dari, Pashto, Arabic, Ukrainian] {
        let m = Outcome::OldFormat.message(lang);
        assert!(
            !m.is_empty() && m != Outcome::NotAPass.message(lang),
            "{lang:?}"
        );
    }
    // Garbage behind the old prefix is still not a pass.
    assert_eq!(
        kit.verify_text("SC1:NOT A PASS", &at(1)).outcome,
        Outcome::NotAPass
    );
}

#[test]
fn the_status_list_does_not_tell_how_many_passes_were_issued() {
    let key = IssuerKey::generate();
    let signed = |passes: u64| {
        let list = StatusList::new(NOW, passes).unwrap();
        let bytes = list.sign(&key);
        (
            StatusList::verify(&bytes, &[key.public()]).unwrap().size,
            bytes.len(),
        )
    };
    let (three, thousand) = (signed(3), signed(1000));
    assert_eq!(three, thousand, "3 passes and 1000 look alike");
    assert_eq!(three.0, 1024);
    assert_eq!(signed(1025).0, 2048);
    assert_eq!(signed(100_000).0, 131_072);

    // A list signed with the exact count is refused by readers; the bucketed one is read.
    let list_of = |size: u64| {
        let bits = vec![0; size.div_ceil(8) as usize];
        let payload = Value::Map(vec![
            (Value::from(1), Value::from(NOW)),
            (Value::from(2), Value::from(size)),
            (Value::from(3), Value::Bytes(zlib(&bits))),
            (Value::from(4), Value::Bytes(zlib(&bits))),
            (Value::from(5), Value::Array(vec![])),
        ]);
        let mut bytes = Vec::new();
        coset::cbor::ser::into_writer(&payload, &mut bytes).unwrap();
        sign1(&key, bytes)
    };
    assert!(StatusList::verify(&list_of(1000), &[key.public()]).is_err());
    assert_eq!(
        StatusList::verify(&list_of(1024), &[key.public()])
            .unwrap()
            .size,
        1024
    );
}

/// A COSE_Sign1 made with the independent library, signed by `key`.
fn sign1(key: &IssuerKey, payload: Vec<u8>) -> Vec<u8> {
    let signer = ed25519_dalek::SigningKey::from_bytes(&key.secret());
    coset::CoseSign1Builder::new()
        .protected(
            coset::HeaderBuilder::new()
                .algorithm(coset::iana::Algorithm::EdDSA)
                .key_id(key.kid().0.to_vec())
                .build(),
        )
        .payload(payload)
        .create_signature(b"", |data| {
            use ed25519_dalek::Signer;
            signer.sign(data).to_bytes().to_vec()
        })
        .build()
        .to_tagged_vec()
        .unwrap()
}

/// Stored deflate blocks in a zlib wrapper: enough for a test, no compressor needed.
fn zlib(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01, 0x01];
    let len = data.len() as u16;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + byte as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

#[test]
fn a_pass_not_yet_valid_is_not_called_too_early_for_its_window() {
    let op = Operation::new();
    // Issued for a window that opened yesterday evening and is open now; read before the
    // day of issue began (a device clock behind).
    let pass = op.pass_at(AT_RV.rv, 3, 2);
    let before = NOW / DAY * DAY - 120;
    let v = op.escort_kit(&[AT_RV.rv]).verify(
        &pass,
        &Check {
            now: before,
            ..at(AT_RV.rv)
        },
    );
    assert_eq!(v.outcome, Outcome::NotYetValid { by: 120 });
    assert_eq!(v.outcome.code(), "not_yet_valid");
    let message = v.outcome.message(Language::English);
    assert!(message.starts_with("Not yet valid"), "{message}");
    assert!(!message.contains("window"), "{message}");
    // The window's own checks speak of the window.
    for outcome in [Outcome::Early { by: 60 }, Outcome::Late { by: 60 }] {
        assert!(outcome.message(Language::English).contains("window"));
    }
    assert_eq!(EXPIRES % DAY, 0);
}
