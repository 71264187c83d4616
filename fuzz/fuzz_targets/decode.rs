//! Any bytes, as a pass, as a pass's text form, as a status list and as a COSE_Key: the
//! decoders answer, they never panic, and nothing random is ever a valid pass.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safeconduct_pass::*;
use std::sync::OnceLock;

struct Fixture {
    verifier: Verifier,
    keys: Vec<PublicKey>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let issuer = IssuerKey::from_secret(KeyId([1, 2, 3, 4]), &[7; 32]);
        let status = StatusList::new(0, 64).unwrap();
        Fixture {
            keys: vec![issuer.public()],
            verifier: Verifier {
                keys: vec![issuer.public()],
                checkpoint: vec![TierSecret::from_bytes(Tier::Checkpoint, &[8; 32]).key_for(1, issuer.kid())],
                gate: vec![TierSecret::from_bytes(Tier::Gate, &[9; 32]).key_for(1, issuer.kid())],
                status: Some(StatusList::verify(&status.sign(&issuer), &[issuer.public()]).unwrap()),
                policy: StalePolicy::default(),
            },
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let check = Check { now: 1_790_000_000, rv: Some(1), holder: Some(("P1", 1990)) };
    assert!(!f.verifier.verify(data, &check).outcome.is_valid());
    assert!(f.verifier.verify_batch(&[data, data], &check).iter().all(|v| !v.outcome.is_valid()));
    if let Ok(text) = std::str::from_utf8(data) {
        assert!(!f.verifier.verify_text(text, &check).outcome.is_valid());
        for prefix in [TEXT_PREFIX, OLD_TEXT_PREFIX] {
            let prefixed = format!("{prefix}{text}");
            assert!(!f.verifier.verify_text(&prefixed, &check).outcome.is_valid());
        }
    }
    let _ = StatusList::verify(data, &f.keys);
    let _ = PublicKey::from_cose_key(data);
});
