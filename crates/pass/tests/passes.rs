//! Passes round-trip, every outcome is reachable, any change to the bytes is rejected, and no
//! input panics the decoder.

mod sample;

use proptest::prelude::*;
use safeconduct_pass::*;
use sample::{AT_RV, EXPIRES, NOW};

struct Operation {
    issuer: IssuerKey,
    checkpoint: TierSecret,
    gate: TierSecret,
    status: StatusList,
}

impl Operation {
    fn new() -> Self {
        Operation {
            issuer: IssuerKey::generate(),
            checkpoint: TierSecret::generate(Tier::Checkpoint),
            gate: TierSecret::generate(Tier::Gate),
            status: StatusList::new(NOW - 60, 1000).unwrap(),
        }
    }

    /// A pass bound to the passport "P 1234567" of a holder born in 1984.
    fn content(&self, index: u64, people: u64) -> Content {
        let kid = self.issuer.kid();
        sample::content(kid, index, people, &AT_RV, Some((index, "P 1234567")))
    }

    fn issue(&self, index: u64, people: u64) -> Vec<u8> {
        self.sign(&self.content(index, people))
    }

    /// A pass without a holder binding (cheap to make: no key stretching).
    fn issue_unbound(&self, index: u64, people: u64) -> Vec<u8> {
        let kid = self.issuer.kid();
        self.sign(&sample::content(kid, index, people, &AT_RV, None))
    }

    fn sign(&self, content: &Content) -> Vec<u8> {
        issue(&self.issuer, &self.checkpoint, &self.gate, content).unwrap()
    }

    /// The escort device of the sample RV: its checkpoint key only.
    fn checkpoint_reader(&self) -> Verifier {
        Verifier {
            keys: vec![self.issuer.public()],
            checkpoint: vec![self.checkpoint.key_for(AT_RV.rv, self.issuer.kid())],
            status: Some(
                StatusList::verify(&self.status.sign(&self.issuer), &[self.issuer.public()])
                    .unwrap(),
            ),
            ..Verifier::default()
        }
    }
}

fn at_rv(now: u64) -> Check<'static> {
    Check {
        now,
        rv: Some(4_000_017),
        holder: Some(("p1234567", 1984)),
    }
}

/// At the RV, no document checked.
fn at_rv_unchecked(now: u64) -> Check<'static> {
    Check {
        holder: None,
        ..at_rv(now)
    }
}

#[test]
fn a_pass_round_trips_through_its_text_form() {
    let op = Operation::new();
    let pass = op.issue(42, 5);
    let text = to_text(&pass);
    assert!(text.starts_with("SC2:"));
    assert!(
        text.chars()
            .all(|c| "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(c))
    );
    let v = op.checkpoint_reader().verify_text(&text, &at_rv(NOW));
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");
    assert_eq!(v.index, Some(42));
    assert_eq!(v.checkpoint, Some(op.content(42, 5).checkpoint));
    assert_eq!(v.gate, None, "an escort device cannot read the gate tier");
}

#[test]
fn the_gate_reads_only_its_tier() {
    let op = Operation::new();
    let gate_reader = Verifier {
        keys: vec![op.issuer.public()],
        gate: vec![op.gate.key_for(AT_RV.rv, op.issuer.kid())],
        status: Some(op.status.clone()),
        ..Verifier::default()
    };
    let v = gate_reader.verify(
        &op.issue_unbound(1, 3),
        &Check {
            now: NOW,
            ..Check::default()
        },
    );
    assert_eq!(v.outcome, Outcome::Valid);
    assert_eq!(v.gate.unwrap().reference, "7KQ2MX9D");
    assert_eq!(v.checkpoint, None);
}

#[test]
fn the_payload_stays_within_200_bytes_for_any_household() {
    let op = Operation::new();
    let base = op.content((1 << 28) - 1, 1);
    assert!(base.checkpoint.holder.is_some());
    for people in [1, 5, 23, 24, 255, 1000, 65_535, MAX_VALUE] {
        // The largest index a status list may hold, the largest ids and the last times a pass
        // carries: the worst case.
        let mut content = base.clone();
        content.checkpoint.people = people;
        content.gate.people = people;
        content.clear.not_before = MAX_VALUE / DAY * DAY;
        content.clear.expires = MAX_VALUE / DAY * DAY;
        content.checkpoint.rv = MAX_VALUE;
        content.checkpoint.window_start = MAX_VALUE;
        content.checkpoint.window_end = MAX_VALUE;
        content.gate.rv = MAX_VALUE;
        content.gate.window_start = MAX_VALUE;
        let len = op.sign(&content).len();
        assert!(len <= 200, "{people} people: {len} bytes");
    }
    // Beyond what the format carries, the issuer refuses rather than write a longer pass.
    let mut content = base;
    content.checkpoint.people = MAX_VALUE + 1;
    assert!(matches!(
        issue(&op.issuer, &op.checkpoint, &op.gate, &content),
        Err(Error::BadContent(_))
    ));
}

#[test]
fn every_outcome_is_reported() {
    let mut op = Operation::new();
    let pass = op.issue(7, 4);
    let reader = op.checkpoint_reader();
    let outcome = |r: &Verifier, c: Check<'_>| r.verify(&pass, &c).outcome;

    assert_eq!(
        outcome(
            &reader,
            Check {
                rv: Some(99),
                ..at_rv(NOW)
            }
        ),
        Outcome::WrongRv {
            pass_rv: 4_000_017,
            here: 99
        }
    );
    assert_eq!(
        outcome(&reader, at_rv(NOW - 900)),
        Outcome::Early { by: 300 }
    );
    let day_of_issue = AT_RV.not_before / DAY * DAY;
    assert_eq!(
        outcome(&reader, at_rv(day_of_issue - 60)),
        Outcome::NotYetValid { by: 60 }
    );
    assert_eq!(
        outcome(&reader, at_rv(NOW + 1500)),
        Outcome::Late { by: 300 }
    );
    assert_eq!(
        outcome(&reader, at_rv(NOW + 49 * 3600)),
        Outcome::StatusStale {
            age: 49 * 3600 + 60
        }
    );
    // The list was signed at NOW - 60: a clock a day behind it still reads it; one further
    // behind is set back, and reads nothing by its own time.
    let day = 86_400;
    assert_eq!(
        outcome(&reader, at_rv(NOW - 60 - day)),
        Outcome::NotYetValid {
            by: day_of_issue - (NOW - 60 - day)
        }
    );
    assert_eq!(
        outcome(&reader, at_rv(NOW - 60 - day - 1)),
        Outcome::ClockBehind { by: day + 1 }
    );
    let lenient = Verifier {
        policy: StalePolicy {
            warn_after: 60,
            refuse_after: u64::MAX,
        },
        ..op.checkpoint_reader()
    };
    assert_eq!(
        outcome(&lenient, at_rv(EXPIRES + 5)),
        Outcome::Expired { by: 5 }
    );
    let v = lenient.verify(&pass, &at_rv(NOW));
    assert_eq!((v.outcome, v.stale_warning), (Outcome::Valid, false));
    let v = lenient.verify(&pass, &at_rv(NOW + 600));
    assert!(v.outcome.is_valid() && v.stale_warning);
    assert!(
        v.warning(safeconduct_domain::values::Language::French)
            .unwrap()
            .contains("révocation")
    );
    assert_eq!(
        outcome(
            &reader,
            Check {
                holder: Some(("P1234568", 1984)),
                ..at_rv(NOW)
            }
        ),
        Outcome::HolderMismatch
    );
    assert_eq!(
        outcome(
            &reader,
            Check {
                holder: Some(("P1234567", 1985)),
                ..at_rv(NOW)
            }
        ),
        Outcome::HolderMismatch
    );
    assert_eq!(
        outcome(
            &Verifier {
                status: None,
                ..op.checkpoint_reader()
            },
            at_rv(NOW)
        ),
        Outcome::StatusMissing
    );
    assert_eq!(
        outcome(
            &Verifier {
                checkpoint: vec![],
                ..op.checkpoint_reader()
            },
            at_rv(NOW)
        ),
        Outcome::TierUnreadable
    );
    assert_eq!(
        outcome(
            &Verifier {
                checkpoint: vec![op.checkpoint.key_for(AT_RV.rv + 1, op.issuer.kid())],
                ..op.checkpoint_reader()
            },
            at_rv(NOW)
        ),
        Outcome::ForAnotherPlace
    );
    let stranger = Operation::new();
    assert_eq!(
        outcome(&stranger.checkpoint_reader(), at_rv(NOW)),
        Outcome::UnknownKey
    );
    assert_eq!(
        reader.verify_text("HC1:NCFOXN%TS3DH", &at_rv(NOW)).outcome,
        Outcome::NotAPass
    );

    op.status.revoke(7).unwrap();
    assert_eq!(
        outcome(&op.checkpoint_reader(), at_rv(NOW)),
        Outcome::Revoked
    );
    op.status.supersede(7).unwrap();
    assert_eq!(
        outcome(&op.checkpoint_reader(), at_rv(NOW)),
        Outcome::Superseded
    );
    let mut op = Operation::new();
    let pass = op.issue(8, 1);
    op.status.compromised.push(op.issuer.kid());
    // The list naming the key compromised is signed by the operation's next key.
    let next = IssuerKey::generate();
    let status =
        StatusList::verify(&op.status.sign(&next), &[op.issuer.public(), next.public()]).unwrap();
    let reader = Verifier {
        keys: vec![op.issuer.public(), next.public()],
        checkpoint: vec![op.checkpoint.key_for(AT_RV.rv, op.issuer.kid())],
        status: Some(status),
        ..Verifier::default()
    };
    assert_eq!(reader.verify(&pass, &at_rv(NOW)).outcome, Outcome::Revoked);
}

/// A status list leaves off the passes that expired more than two days before it was signed
/// (readers refuse them by their expiry). A reader whose clock is set back far enough to see
/// such a pass as unexpired must not take it for good: its clock is refused instead.
#[test]
fn a_clock_set_back_cannot_take_a_pass_left_off_the_list_for_good() {
    let mut op = Operation::new();
    let pass = op.issue(7, 4);
    op.status.revoke(7).unwrap();
    assert_eq!(
        op.checkpoint_reader().verify(&pass, &at_rv(NOW)).outcome,
        Outcome::Revoked
    );
    // Three days after the pass expired, the list no longer marks it.
    op.status = StatusList::new(EXPIRES + 3 * 86_400, 1000).unwrap();
    let reader = op.checkpoint_reader();
    assert_eq!(
        reader.verify(&pass, &at_rv(EXPIRES + 3 * 86_400)).outcome,
        Outcome::Expired { by: 3 * 86_400 }
    );
    let set_back = reader.verify(&pass, &at_rv(NOW));
    assert_eq!(set_back.outcome.code(), "clock_behind");
    assert!(!set_back.outcome.is_valid());
    assert!(
        set_back
            .outcome
            .message(safeconduct_domain::values::Language::English)
            .contains("clock")
    );
}

#[test]
fn every_outcome_has_a_message_in_every_language() {
    use safeconduct_domain::values::Language::*;
    let outcomes = [
        Outcome::Valid,
        Outcome::WrongRv {
            pass_rv: 3,
            here: 4,
        },
        Outcome::ForAnotherPlace,
        Outcome::Early { by: 61 },
        Outcome::NotYetValid { by: 61 },
        Outcome::Late { by: 1 },
        Outcome::Revoked,
        Outcome::Superseded,
        Outcome::Expired { by: 120 },
        Outcome::UnknownKey,
        Outcome::BadSignature,
        Outcome::HolderMismatch,
        Outcome::NotAPass,
        Outcome::OldFormat,
        Outcome::StatusStale { age: 7200 },
        Outcome::StatusMissing,
        Outcome::ClockBehind { by: 90_000 },
        Outcome::TierUnreadable,
    ];
    for lang in [English, French, Dari, Pashto, Arabic, Ukrainian] {
        for o in outcomes {
            let m = o.message(lang);
            assert!(!m.contains('{'), "{lang:?} {o:?}: {m}");
        }
    }
    assert_eq!(
        Outcome::Early { by: 61 }.message(English),
        "Too early: the window opens in 2 min."
    );
    assert_eq!(
        Outcome::Late { by: 61 }.message(English),
        "Too late: the window closed 2 min ago."
    );
    // The pass's own validity is not the window, and says so.
    assert_eq!(
        Outcome::NotYetValid { by: 61 }.message(English),
        "Not yet valid: this pass becomes valid in 2 min."
    );
    assert_eq!(Outcome::NotYetValid { by: 1 }.code(), "not_yet_valid");
    assert_eq!(Outcome::ForAnotherPlace.code(), "wrong_rv");
    let mut texts: Vec<String> = outcomes.iter().map(|o| o.message(English)).collect();
    texts.sort();
    texts.dedup();
    assert_eq!(
        texts.len(),
        outcomes.len(),
        "each outcome has its own words"
    );
    assert_eq!(
        Outcome::WrongRv {
            pass_rv: 3,
            here: 4
        }
        .code(),
        "wrong_rv"
    );
}

#[test]
fn batch_verification_agrees_with_single_verification() {
    let op = Operation::new();
    let reader = op.checkpoint_reader();
    let mut passes: Vec<Vec<u8>> = (0..40).map(|i| op.issue_unbound(i, 2)).collect();
    let last = passes[39].len() - 1;
    passes[39][last] ^= 1; // a broken signature inside the batch
    passes[3] = b"garbage".to_vec();
    let refs: Vec<&[u8]> = passes.iter().map(Vec::as_slice).collect();
    let check = Check {
        now: NOW,
        rv: Some(4_000_017),
        holder: None,
    };
    let batch = reader.verify_batch(&refs, &check);
    for (p, v) in refs.iter().zip(&batch) {
        assert_eq!(*v, reader.verify(p, &check));
    }
    assert_eq!(batch[39].outcome, Outcome::BadSignature);
    assert_eq!(batch[3].outcome, Outcome::NotAPass);
    assert_eq!(batch.iter().filter(|v| v.outcome.is_valid()).count(), 38);
}

/// The envelope is a standard COSE_Sign1: an independent COSE library (coset) parses it and
/// its signature checks with the published key.
#[test]
fn a_standard_cose_library_verifies_the_signature() {
    use coset::{CborSerializable, CoseSign1, TaggedCborSerializable};
    let op = Operation::new();
    let pass = op.issue_unbound(9, 2);
    let sign1 = CoseSign1::from_tagged_slice(&pass).unwrap();
    assert_eq!(
        sign1.protected.header.alg,
        Some(coset::Algorithm::Assigned(coset::iana::Algorithm::EdDSA))
    );
    assert_eq!(sign1.protected.header.key_id, op.issuer.kid().0.to_vec());
    let cose_key = coset::CoseKey::from_slice(&op.issuer.public().to_cose_key()).unwrap();
    let x = cose_key
        .params
        .iter()
        .find(|(label, _)| *label == coset::Label::Int(-2))
        .and_then(|(_, v)| v.as_bytes())
        .unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(x.as_slice().try_into().unwrap()).unwrap();
    sign1
        .verify_signature(b"", |sig, data| {
            key.verify_strict(data, &ed25519_dalek::Signature::from_slice(sig).unwrap())
        })
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Flipping any single bit of a pass makes it anything but valid.
    #[test]
    fn any_flipped_bit_is_rejected(index in 0u64..1000, people in 1u64..40, bit in 0usize..1600) {
        let op = Operation::new();
        let mut pass = op.issue_unbound(index, people);
        let bit = bit % (pass.len() * 8);
        pass[bit / 8] ^= 1 << (bit % 8);
        let v = op.checkpoint_reader().verify(&pass, &at_rv_unchecked(NOW));
        prop_assert!(!v.outcome.is_valid(), "bit {} flipped, still {:?}", bit, v.outcome);
    }

    /// Round trip for any content.
    #[test]
    fn any_content_round_trips(index in 0u64..1000, people in 1u64..100_000, rv in any::<u32>(), start in 0u64..u32::MAX as u64 - 3600, binding in any::<Option<[u8; 8]>>()) {
        let mut op = Operation::new();
        // The reader's list is signed when it reads (a list from a day ahead of its clock is
        // refused, whatever the pass).
        op.status = StatusList::new(start, 1000).unwrap();
        let kid = op.issuer.kid();
        let mut content = sample::content(kid, index, people, &AT_RV, None);
        content.checkpoint.rv = rv as u64;
        content.checkpoint.window_start = start;
        content.checkpoint.window_end = start + 3600;
        content.checkpoint.holder = binding;
        content.gate.rv = rv as u64;
        content.clear.not_before = 0;
        content.clear.expires = MAX_VALUE / DAY * DAY;
        let pass = op.sign(&content);
        let reader = Verifier {
            checkpoint: vec![op.checkpoint.key_for(rv as u64, op.issuer.kid())],
            policy: StalePolicy { warn_after: 0, refuse_after: u64::MAX },
            ..op.checkpoint_reader()
        };
        let v = reader.verify_text(&to_text(&pass), &Check { now: start, rv: Some(rv as u64), holder: None });
        prop_assert_eq!(v.outcome, Outcome::Valid);
        prop_assert_eq!(v.checkpoint, Some(content.checkpoint));
    }

    /// No bytes and no text panic the decoder.
    #[test]
    fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300), text in ".{0,300}") {
        let op = Operation::new();
        let reader = op.checkpoint_reader();
        prop_assert!(!reader.verify(&bytes, &at_rv(NOW)).outcome.is_valid());
        prop_assert!(!reader.verify_text(&text, &at_rv(NOW)).outcome.is_valid());
        for prefix in [TEXT_PREFIX, OLD_TEXT_PREFIX] {
            let prefixed = format!("{prefix}{text}");
            prop_assert!(!reader.verify_text(&prefixed, &at_rv(NOW)).outcome.is_valid());
        }
        let _ = StatusList::verify(&bytes, &[op.issuer.public()]);
        let _ = PublicKey::from_cose_key(&bytes);
    }

    /// Truncations and extensions of a real pass are rejected without panic.
    #[test]
    fn truncated_or_extended_passes_are_rejected(cut in 0usize..200, extra in proptest::collection::vec(any::<u8>(), 1..8)) {
        let op = Operation::new();
        let pass = op.issue_unbound(5, 3);
        let reader = op.checkpoint_reader();
        let cut = cut % pass.len();
        prop_assert!(!reader.verify(&pass[..cut], &at_rv(NOW)).outcome.is_valid());
        let mut longer = pass.clone();
        longer.extend_from_slice(&extra);
        prop_assert_eq!(reader.verify(&longer, &at_rv(NOW)).outcome, Outcome::NotAPass);
    }
}
