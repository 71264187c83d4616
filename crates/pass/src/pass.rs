//! What a pass says, in three tiers, and how it becomes bytes and text.

use sha2::{Digest, Sha256};

use crate::cbor::{Malformed, Reader, Result, Writer};
use crate::cose::{self, Sign1};
use crate::keys::{IssuerKey, KeyId, Tier, TierKey};

/// Prefix of the text form; its characters are in the QR alphanumeric set.
pub const TEXT_PREFIX: &str = "SC1:";

/// Clear tier: what any verifier needs to pick the key and check validity. Times are seconds
/// since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clear {
    pub kid: KeyId,
    /// Position of the pass in the operation's status list; never reused.
    pub index: u64,
    pub not_before: u64,
    pub expires: u64,
}

/// Checkpoint tier, readable by the escort party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub rv: u64,
    pub window_start: u64,
    pub window_end: u64,
    pub people: u64,
    /// Digest binding the pass to the holder's document; see [`holder_binding`].
    pub holder: Option<[u8; 8]>,
}

/// Gate tier, readable by the gate staff: enough to find the household on the gate's list of
/// expected arrivals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The case reference without its dash, as on the expected-arrivals list.
    pub reference: String,
    pub people: u64,
    pub rv: u64,
    pub window_start: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub clear: Clear,
    pub checkpoint: Checkpoint,
    pub gate: Gate,
}

/// Document numbers are compared as uppercase ASCII letters and digits, everything else
/// dropped, so "p 123-456" in the hand matches "P123456" on file.
pub fn normalise_document(number: &str) -> String {
    number
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// First 8 bytes of SHA-256("safeconduct pass v1 holder" ‖ kid ‖ index as u64 BE ‖
/// normalised document number ‖ 0x00 ‖ birth year as u16 BE). Salted by key and index, so
/// the same document gives unrelated values on different passes.
pub fn holder_binding(kid: KeyId, index: u64, document: &str, birth_year: u16) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(b"safeconduct pass v1 holder");
    h.update(kid.0);
    h.update(index.to_be_bytes());
    h.update(normalise_document(document).as_bytes());
    h.update([0]);
    h.update(birth_year.to_be_bytes());
    h.finalize()[..8].try_into().unwrap()
}

/// Nonce of a tier: kid ‖ index as u64 BE, unique per key because indices are never reused.
pub(crate) fn nonce(kid: KeyId, index: u64) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..4].copy_from_slice(&kid.0);
    n[4..].copy_from_slice(&index.to_be_bytes());
    n
}

/// Associated data of a tier: kid ‖ index as u64 BE ‖ tier number.
pub(crate) fn aad(kid: KeyId, index: u64, tier: Tier) -> [u8; 13] {
    let mut a = [0u8; 13];
    a[..12].copy_from_slice(&nonce(kid, index));
    a[12] = tier as u8;
    a
}

impl Checkpoint {
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.array(5)
            .uint(self.rv)
            .uint(self.window_start)
            .uint(self.window_end)
            .uint(self.people);
        match &self.holder {
            Some(h) => w.bytes(h),
            None => w.null(),
        };
        w.finish()
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        if r.array()? != 5 {
            return Err(Malformed);
        }
        let (rv, window_start, window_end, people) = (r.uint()?, r.uint()?, r.uint()?, r.uint()?);
        let holder = if r.null()? {
            None
        } else {
            Some(r.bytes()?.try_into().map_err(|_| Malformed)?)
        };
        r.end()?;
        Ok(Checkpoint {
            rv,
            window_start,
            window_end,
            people,
            holder,
        })
    }
}

impl Gate {
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.array(4)
            .text(&self.reference)
            .uint(self.people)
            .uint(self.rv)
            .uint(self.window_start);
        w.finish()
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        if r.array()? != 4 {
            return Err(Malformed);
        }
        let gate = Gate {
            reference: r.text()?.to_owned(),
            people: r.uint()?,
            rv: r.uint()?,
            window_start: r.uint()?,
        };
        r.end()?;
        Ok(gate)
    }
}

/// Signs a pass. `key` must be the key `content.clear.kid` names.
pub fn issue(key: &IssuerKey, checkpoint: &TierKey, gate: &TierKey, content: &Content) -> Vec<u8> {
    let Clear {
        kid,
        index,
        not_before,
        expires,
    } = content.clear;
    assert_eq!(
        kid,
        key.kid(),
        "a pass is signed by the key its header names"
    );
    assert_eq!(checkpoint.tier(), Tier::Checkpoint);
    assert_eq!(gate.tier(), Tier::Gate);
    let n = nonce(kid, index);
    let mut w = Writer::new();
    w.map(5);
    w.int(1).uint(index);
    w.int(2).uint(not_before);
    w.int(3).uint(expires);
    w.int(4).bytes(&checkpoint.seal(
        &n,
        &aad(kid, index, Tier::Checkpoint),
        &content.checkpoint.encode(),
    ));
    w.int(5)
        .bytes(&gate.seal(&n, &aad(kid, index, Tier::Gate), &content.gate.encode()));
    cose::sign(key, &w.finish())
}

/// The text form of a pass: [`TEXT_PREFIX`] and the base45 of its bytes.
pub fn to_text(pass: &[u8]) -> String {
    format!("{TEXT_PREFIX}{}", crate::base45::encode(pass))
}

/// The bytes of a pass's text form, or `None` when the text is not one.
pub fn from_text(text: &str) -> Option<Vec<u8>> {
    crate::base45::decode(text.trim().strip_prefix(TEXT_PREFIX)?)
}

/// A pass read from its bytes, signature not yet checked, tiers still sealed.
#[derive(Debug, Clone)]
pub(crate) struct Envelope<'a> {
    pub sign1: Sign1<'a>,
    pub clear: Clear,
    pub checkpoint: &'a [u8],
    pub gate: &'a [u8],
}

impl<'a> Envelope<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let sign1 = Sign1::parse(bytes)?;
        let mut r = Reader::new(sign1.payload);
        if r.map()? != 5 {
            return Err(Malformed);
        }
        r.key(1)?;
        let index = r.uint()?;
        r.key(2)?;
        let not_before = r.uint()?;
        r.key(3)?;
        let expires = r.uint()?;
        r.key(4)?;
        let checkpoint = r.bytes()?;
        r.key(5)?;
        let gate = r.bytes()?;
        r.end()?;
        Ok(Envelope {
            clear: Clear {
                kid: sign1.kid,
                index,
                not_before,
                expires,
            },
            sign1,
            checkpoint,
            gate,
        })
    }

    pub fn open_checkpoint(&self, key: &TierKey) -> Option<Checkpoint> {
        let (kid, index) = (self.clear.kid, self.clear.index);
        let plain = key.open(
            &nonce(kid, index),
            &aad(kid, index, Tier::Checkpoint),
            self.checkpoint,
        )?;
        Checkpoint::decode(&plain).ok()
    }

    pub fn open_gate(&self, key: &TierKey) -> Option<Gate> {
        let (kid, index) = (self.clear.kid, self.clear.index);
        let plain = key.open(&nonce(kid, index), &aad(kid, index, Tier::Gate), self.gate)?;
        Gate::decode(&plain).ok()
    }
}
