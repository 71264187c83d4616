//! What a pass says, in three tiers, and how it becomes bytes and text (format version 2).

use crate::Error;
use crate::cbor::{Malformed, Reader, Result, Writer};
use crate::cose::{self, Sign1};
use crate::holder::HOLDER_BYTES;
use crate::keys::{IssuerKey, KeyId, Tier, TierKey, TierSecret};

/// Prefix of the text form; its characters are in the QR alphanumeric set.
pub const TEXT_PREFIX: &str = "SC2:";

/// Prefix of the text form of version 1 passes, which are refused as of an older format.
pub const OLD_TEXT_PREFIX: &str = "SC1:";

/// The version a pass's payload names under key 0.
pub const FORMAT_VERSION: u64 = 2;

/// The clear validity of a pass falls on UTC midnights.
pub const DAY: u64 = 86_400;

/// Largest RV id, number of people and time (seconds since the Unix epoch: until 2106) a
/// pass carries; tiers are padded to the size these take.
pub const MAX_VALUE: u64 = u32::MAX as u64;

/// Length of a case reference in the gate tier (without its dash).
pub const MAX_REFERENCE: usize = 8;

/// Every checkpoint tier plaintext is padded with zero bytes to this length: an array header,
/// four numbers of at most 5 bytes, and a binding (9 bytes) or null.
pub const CHECKPOINT_PLAINTEXT: usize = 1 + 4 * 5 + 1 + HOLDER_BYTES;

/// Every gate tier plaintext is padded with zero bytes to this length: an array header, the
/// reference (text of at most 8 bytes) and three numbers of at most 5 bytes.
pub const GATE_PLAINTEXT: usize = 1 + 1 + MAX_REFERENCE + 3 * 5;

/// Clear tier: what any verifier needs to pick the key and check validity. Times are seconds
/// since the Unix epoch, on UTC midnights ([`Clear::coarse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clear {
    pub kid: KeyId,
    /// The pass's bit in the operation's status list; never reused, and scattered rather than
    /// counted (docs/pass-format.md, section 5).
    pub index: u64,
    pub not_before: u64,
    pub expires: u64,
}

impl Clear {
    /// The clear validity of a pass issued at `issued_at` for a window that ends at
    /// `window_end` and that stays valid `grace` seconds after it: from the UTC midnight
    /// that starts the day of issue until the first UTC midnight at or after
    /// `window_end + grace`. A reader of the clear tier learns the window's end only to
    /// within a day; the precise window is in the checkpoint tier.
    pub fn coarse(kid: KeyId, index: u64, issued_at: u64, window_end: u64, grace: u64) -> Self {
        Clear {
            kid,
            index,
            not_before: issued_at - issued_at % DAY,
            expires: window_end.saturating_add(grace).div_ceil(DAY) * DAY,
        }
    }
}

/// Checkpoint tier, readable by the escort party of the pass's RV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub rv: u64,
    pub window_start: u64,
    pub window_end: u64,
    pub people: u64,
    /// Binds the pass to the holder's document; see [`crate::holder_binding`]. `None` when no
    /// document that can be bound was on file.
    pub holder: Option<[u8; HOLDER_BYTES]>,
}

/// Gate tier, readable by the gate staff of the gates serving the pass's RV: enough to find
/// the household on the gate's list of expected arrivals.
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

/// `bytes` followed by zero bytes up to `len`.
fn padded(mut bytes: Vec<u8>, len: usize) -> Vec<u8> {
    debug_assert!(bytes.len() <= len, "content checked against the limits");
    bytes.resize(len, 0);
    bytes
}

/// A number read from a tier, refused above [`MAX_VALUE`] (no issuer writes one).
fn small(r: &mut Reader<'_>) -> Result<u64> {
    let n = r.uint()?;
    (n <= MAX_VALUE).then_some(n).ok_or(Malformed)
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
        padded(w.finish(), CHECKPOINT_PLAINTEXT)
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != CHECKPOINT_PLAINTEXT {
            return Err(Malformed);
        }
        let mut r = Reader::new(bytes);
        if r.array()? != 5 {
            return Err(Malformed);
        }
        let (rv, window_start, window_end, people) = (
            small(&mut r)?,
            small(&mut r)?,
            small(&mut r)?,
            small(&mut r)?,
        );
        let holder = if r.null()? {
            None
        } else {
            Some(r.bytes()?.try_into().map_err(|_| Malformed)?)
        };
        r.end_padded()?;
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
        padded(w.finish(), GATE_PLAINTEXT)
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != GATE_PLAINTEXT {
            return Err(Malformed);
        }
        let mut r = Reader::new(bytes);
        if r.array()? != 4 {
            return Err(Malformed);
        }
        let reference = r.text()?;
        if reference.len() > MAX_REFERENCE {
            return Err(Malformed);
        }
        let gate = Gate {
            reference: reference.to_owned(),
            people: small(&mut r)?,
            rv: small(&mut r)?,
            window_start: small(&mut r)?,
        };
        r.end_padded()?;
        Ok(gate)
    }
}

impl Content {
    /// Refuses content the format cannot carry at its fixed sizes, or that would tell a
    /// reader of the clear tier more than the day.
    fn check(&self) -> std::result::Result<(), Error> {
        let (c, g, clear) = (&self.checkpoint, &self.gate, &self.clear);
        if clear.index >= crate::status::MAX_PASSES {
            return Err(Error::BadContent(
                "the pass index is beyond any status list",
            ));
        }
        if !clear.not_before.is_multiple_of(DAY) || !clear.expires.is_multiple_of(DAY) {
            return Err(Error::BadContent(
                "the clear validity must fall on UTC midnights (Clear::coarse)",
            ));
        }
        let numbers = [
            clear.not_before,
            clear.expires,
            c.rv,
            c.window_start,
            c.window_end,
            c.people,
            g.people,
            g.rv,
            g.window_start,
        ];
        if numbers.iter().any(|&n| n > MAX_VALUE) {
            return Err(Error::BadContent(
                "an id, count or time is above 2^32 - 1 (times after 2106)",
            ));
        }
        if g.reference.len() > MAX_REFERENCE {
            return Err(Error::BadContent(
                "the case reference is longer than 8 bytes",
            ));
        }
        if g.rv != c.rv {
            return Err(Error::BadContent(
                "the checkpoint and gate tiers name different rendezvous points",
            ));
        }
        Ok(())
    }
}

/// Signs a pass. `key` must be the key `content.clear.kid` names; each tier is sealed under
/// the key of the pass's own RV derived from the tier's secret.
pub fn issue(
    key: &IssuerKey,
    checkpoint: &TierSecret,
    gate: &TierSecret,
    content: &Content,
) -> std::result::Result<Vec<u8>, Error> {
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
    content.check()?;
    let rv = content.checkpoint.rv;
    let n = nonce(kid, index);
    let mut w = Writer::new();
    w.map(6);
    w.int(0).uint(FORMAT_VERSION);
    w.int(1).uint(index);
    w.int(2).uint(not_before);
    w.int(3).uint(expires);
    w.int(4).bytes(&checkpoint.key_for(rv, kid).seal(
        &n,
        &aad(kid, index, Tier::Checkpoint),
        &content.checkpoint.encode(),
    ));
    w.int(5).bytes(&gate.key_for(rv, kid).seal(
        &n,
        &aad(kid, index, Tier::Gate),
        &content.gate.encode(),
    ));
    Ok(cose::sign(key, &w.finish()))
}

/// The length of a pass digest, in bytes.
pub const DIGEST_BYTES: usize = 16;

/// The digest of a pass: SHA-256 of its signed bytes (the COSE_Sign1 the text form carries),
/// truncated to its first 16 bytes. A field record names the pass it read by index and by
/// this digest, so that a device can act only on a pass it has held (docs/field-protocol.md).
pub fn digest(pass: &[u8]) -> [u8; DIGEST_BYTES] {
    use sha2::Digest as _;
    let full = sha2::Sha256::digest(pass);
    let mut out = [0u8; DIGEST_BYTES];
    out.copy_from_slice(&full[..DIGEST_BYTES]);
    out
}

/// The text form of a pass: [`TEXT_PREFIX`] and the base45 of its bytes.
pub fn to_text(pass: &[u8]) -> String {
    format!("{TEXT_PREFIX}{}", crate::base45::encode(pass))
}

/// The bytes of a pass's text form, or `None` when the text is not one of this version.
pub fn from_text(text: &str) -> Option<Vec<u8>> {
    crate::base45::decode(text.trim().strip_prefix(TEXT_PREFIX)?)
}

/// Why bytes are not a pass that can be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    NotAPass,
    /// A pass of format version 1: it must be re-issued.
    OldFormat,
}

/// Whether a text is the text form of a version 1 pass.
pub(crate) fn is_old_text(text: &str) -> bool {
    text.trim()
        .strip_prefix(OLD_TEXT_PREFIX)
        .and_then(crate::base45::decode)
        .is_some_and(|bytes| matches!(Envelope::parse(&bytes), Err(Unreadable::OldFormat)))
}

/// Whether a payload has the shape of version 1: `{1: index, 2: not before, 3: expires,
/// 4: bstr, 5: bstr}`.
fn is_old_payload(payload: &[u8]) -> bool {
    let v1 = || -> Result<()> {
        let mut r = Reader::new(payload);
        if r.map()? != 5 {
            return Err(Malformed);
        }
        for key in 1..=3 {
            r.key(key)?;
            r.uint()?;
        }
        for key in 4..=5 {
            r.key(key)?;
            r.bytes()?;
        }
        r.end()
    };
    v1().is_ok()
}

/// The clear tier of a pass (its key id, index and coarse validity), signature not checked:
/// for the issuer that has just signed it, or to show a holder until when it is valid.
pub fn clear_of(bytes: &[u8]) -> Option<Clear> {
    Envelope::parse(bytes).ok().map(|e| e.clear)
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
    pub fn parse(bytes: &'a [u8]) -> std::result::Result<Self, Unreadable> {
        let sign1 = Sign1::parse(bytes).map_err(|_| Unreadable::NotAPass)?;
        if is_old_payload(sign1.payload) {
            return Err(Unreadable::OldFormat);
        }
        let read = || -> Result<(Clear, &'a [u8], &'a [u8])> {
            let mut r = Reader::new(sign1.payload);
            if r.map()? != 6 {
                return Err(Malformed);
            }
            r.key(0)?;
            if r.uint()? != FORMAT_VERSION {
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
            let clear = Clear {
                kid: sign1.kid,
                index,
                not_before,
                expires,
            };
            Ok((clear, checkpoint, gate))
        };
        let (clear, checkpoint, gate) = read().map_err(|_| Unreadable::NotAPass)?;
        Ok(Envelope {
            clear,
            sign1,
            checkpoint,
            gate,
        })
    }

    /// The checkpoint tier, when `key` is the checkpoint key of the RV it names.
    pub fn open_checkpoint(&self, key: &TierKey) -> Option<Checkpoint> {
        let (kid, index) = (self.clear.kid, self.clear.index);
        let plain = key.open(
            &nonce(kid, index),
            &aad(kid, index, Tier::Checkpoint),
            self.checkpoint,
        )?;
        Checkpoint::decode(&plain).ok().filter(|c| c.rv == key.rv())
    }

    /// The gate tier, when `key` is the gate key of the RV it names.
    pub fn open_gate(&self, key: &TierKey) -> Option<Gate> {
        let (kid, index) = (self.clear.kid, self.clear.index);
        let plain = key.open(&nonce(kid, index), &aad(kid, index, Tier::Gate), self.gate)?;
        Gate::decode(&plain).ok().filter(|g| g.rv == key.rv())
    }
}
