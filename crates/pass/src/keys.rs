//! The keys of an operation's passes: Ed25519 issuer keys that sign; tier secrets, from which
//! one AES-256-GCM key per tier and rendezvous point is derived, so each tier of a pass opens
//! only for the readers of its own RV; and the key encryption key that wraps issuer keys and
//! tier secrets for storage. Secrets are zeroised when dropped and have no `Debug` that shows
//! them.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use ed25519_dalek::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::Error;
use crate::cbor::{Reader, Writer};

/// Four bytes naming an issuer key in the pass header and in the published key set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 4]);

impl KeyId {
    pub fn random() -> Self {
        let mut kid = [0u8; 4];
        fill_random(&mut kid);
        KeyId(kid)
    }

    pub fn to_hex(self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes = hex_decode(s)?;
        Some(KeyId(bytes.try_into().ok()?))
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

pub(crate) fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source failed");
}

/// A private issuer key: signs passes and status lists.
pub struct IssuerKey {
    kid: KeyId,
    signing: SigningKey,
}

impl IssuerKey {
    pub fn generate() -> Self {
        let mut secret = Zeroizing::new([0u8; 32]);
        fill_random(secret.as_mut());
        Self::from_secret(KeyId::random(), &secret)
    }

    pub fn from_secret(kid: KeyId, secret: &[u8; 32]) -> Self {
        IssuerKey {
            kid,
            signing: SigningKey::from_bytes(secret),
        }
    }

    pub fn kid(&self) -> KeyId {
        self.kid
    }

    /// The 32 secret bytes, for wrapping under the key encryption key and nothing else.
    pub fn secret(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.signing.to_bytes())
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            kid: self.kid,
            key: self.signing.verifying_key(),
        }
    }

    pub(crate) fn signing(&self) -> &SigningKey {
        &self.signing
    }
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuerKey({}, secret withheld)", self.kid)
    }
}

/// A public issuer key, as published in the operation's COSE key set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub kid: KeyId,
    pub key: VerifyingKey,
}

// COSE_Key labels (RFC 9052 section 7, RFC 9053 section 7.2).
const KTY: i64 = 1;
const KID: i64 = 2;
const ALG: i64 = 3;
const CRV: i64 = -1;
const X: i64 = -2;
const KTY_OKP: i64 = 1;
pub(crate) const ALG_EDDSA: i64 = -8;
const CRV_ED25519: i64 = 6;

impl PublicKey {
    /// The key as a COSE_Key: `{1: 1, 2: kid, 3: -8, -1: 6, -2: x}` in deterministic order.
    pub fn to_cose_key(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.map(5);
        w.int(KTY).int(KTY_OKP);
        w.int(KID).bytes(&self.kid.0);
        w.int(ALG).int(ALG_EDDSA);
        w.int(CRV).int(CRV_ED25519);
        w.int(X).bytes(self.key.as_bytes());
        w.finish()
    }

    pub fn from_cose_key(bytes: &[u8]) -> Result<Self, Error> {
        let parse = || -> crate::cbor::Result<(KeyId, [u8; 32])> {
            let mut r = Reader::new(bytes);
            if r.map()? != 5 {
                return Err(crate::cbor::Malformed);
            }
            r.key(KTY)?;
            (r.int()? == KTY_OKP)
                .then_some(())
                .ok_or(crate::cbor::Malformed)?;
            r.key(KID)?;
            let kid = KeyId(r.bytes()?.try_into().map_err(|_| crate::cbor::Malformed)?);
            r.key(ALG)?;
            (r.int()? == ALG_EDDSA)
                .then_some(())
                .ok_or(crate::cbor::Malformed)?;
            r.key(CRV)?;
            (r.int()? == CRV_ED25519)
                .then_some(())
                .ok_or(crate::cbor::Malformed)?;
            r.key(X)?;
            let x = r.bytes()?.try_into().map_err(|_| crate::cbor::Malformed)?;
            r.end()?;
            Ok((kid, x))
        };
        let (kid, x) = parse().map_err(|_| Error::BadKey("not an Ed25519 COSE_Key"))?;
        let key = VerifyingKey::from_bytes(&x).map_err(|_| Error::BadKey("not a curve point"))?;
        Ok(PublicKey { kid, key })
    }
}

/// Which readers a tier of a pass is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// The escort party at the rendezvous point.
    Checkpoint = 1,
    /// The gate staff.
    Gate = 2,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Checkpoint => "checkpoint",
            Tier::Gate => "gate",
        }
    }

    /// The HKDF info of this tier's key for rendezvous point `rv` under issuer key `kid`: the
    /// tier's label, the RV id as an unsigned 64-bit big-endian number, and the 4-byte kid.
    fn info(self, rv: u64, kid: KeyId) -> Vec<u8> {
        let label: &[u8] = match self {
            Tier::Checkpoint => b"safeconduct pass v2 checkpoint tier rv ",
            Tier::Gate => b"safeconduct pass v2 gate tier rv ",
        };
        [label, &rv.to_be_bytes(), &kid.0].concat()
    }
}

/// The secret of one tier of one operation. It never leaves the issuer: every rendezvous
/// point gets its own key derived from it ([`TierSecret::key_for`]), and field devices
/// receive only the derived keys of their own places.
pub struct TierSecret {
    tier: Tier,
    secret: Zeroizing<[u8; 32]>,
}

impl TierSecret {
    pub fn generate(tier: Tier) -> Self {
        let mut secret = Zeroizing::new([0u8; 32]);
        fill_random(secret.as_mut());
        Self::from_bytes(tier, &secret)
    }

    pub fn from_bytes(tier: Tier, secret: &[u8; 32]) -> Self {
        TierSecret {
            tier,
            secret: Zeroizing::new(*secret),
        }
    }

    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// The 32 secret bytes, for wrapping under the key encryption key and nothing else.
    pub fn secret(&self) -> Zeroizing<[u8; 32]> {
        self.secret.clone()
    }

    /// The key of this tier at rendezvous point `rv` for the passes issuer key `kid` signs:
    /// HKDF-SHA-256 (no salt) of the secret with the tier's label, the RV id and the kid as
    /// info, so a key handed out for one RV and tier opens no other, and a new signing key
    /// (a rotation, above all after a compromise) brings new tier keys that no kit already in
    /// the field holds.
    pub fn key_for(&self, rv: u64, kid: KeyId) -> TierKey {
        let mut key = Zeroizing::new([0u8; 32]);
        hkdf::Hkdf::<sha2::Sha256>::new(None, self.secret.as_ref())
            .expand(&self.tier.info(rv, kid), key.as_mut())
            .expect("32 bytes is a valid HKDF-SHA-256 output length");
        TierKey::from_bytes(self.tier, rv, &key)
    }
}

impl std::fmt::Debug for TierSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TierSecret({}, secret withheld)", self.tier.as_str())
    }
}

/// The AES-256-GCM key of one tier at one rendezvous point: what a field device holds.
pub struct TierKey {
    tier: Tier,
    rv: u64,
    key: Zeroizing<[u8; 32]>,
    aead: Aes256Gcm,
}

impl TierKey {
    /// A key as a field kit carries it.
    pub fn from_bytes(tier: Tier, rv: u64, key: &[u8; 32]) -> Self {
        TierKey {
            tier,
            rv,
            key: Zeroizing::new(*key),
            aead: Aes256Gcm::new(key.into()),
        }
    }

    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// The rendezvous point whose passes this key opens.
    pub fn rv(&self) -> u64 {
        self.rv
    }

    /// The 32 key bytes, for a field kit.
    pub fn bytes(&self) -> Zeroizing<[u8; 32]> {
        self.key.clone()
    }

    pub(crate) fn seal(&self, nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        self.aead
            .encrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("AES-GCM encrypts any message shorter than 64 GiB")
    }

    pub(crate) fn open(&self, nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        self.aead
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
            .ok()
    }
}

impl Clone for TierKey {
    fn clone(&self) -> Self {
        TierKey::from_bytes(self.tier, self.rv, &self.key)
    }
}

impl std::fmt::Debug for TierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TierKey({}, rv {}, secret withheld)",
            self.tier.as_str(),
            self.rv
        )
    }
}

/// The key encryption key: wraps issuer and tier secrets and operations' data keys for
/// storage. It lives outside the database (a key file) so that a copy of the database alone
/// opens nothing. Cloning it copies it in memory only: the server's parts that wrap keys each
/// hold one.
#[derive(Clone)]
pub struct Kek {
    aead: Aes256Gcm,
}

impl Kek {
    pub fn from_bytes(key: &[u8; 32]) -> Self {
        Kek {
            aead: Aes256Gcm::new(key.into()),
        }
    }

    /// Reads a key as a key file holds it: 64 hexadecimal digits, surrounding whitespace
    /// ignored.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes: [u8; 32] = hex_decode(text.trim())?.try_into().ok()?;
        Some(Kek::from_bytes(&bytes))
    }

    /// Encrypts `secret` with a fresh random nonce; `context` (what the secret is and whose)
    /// is bound as associated data, so a wrapped secret moved to another record fails to open.
    pub fn wrap(&self, secret: &[u8], context: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        fill_random(&mut nonce);
        let sealed = self
            .aead
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: context,
                },
            )
            .expect("AES-GCM encrypts any message shorter than 64 GiB");
        [&nonce[..], &sealed].concat()
    }

    pub fn unwrap(&self, wrapped: &[u8], context: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        if wrapped.len() < 12 + 16 {
            return Err(Error::Unwrap);
        }
        let (nonce, sealed) = wrapped.split_at(12);
        self.aead
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| Error::Unwrap)
    }

    /// Unwraps a 32-byte secret.
    pub fn unwrap32(&self, wrapped: &[u8], context: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
        let secret = self.unwrap(wrapped, context)?;
        let bytes: [u8; 32] = secret.as_slice().try_into().map_err(|_| Error::Unwrap)?;
        Ok(Zeroizing::new(bytes))
    }
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(secret withheld)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cose_key_round_trips() {
        let key = IssuerKey::generate();
        let cose = key.public().to_cose_key();
        assert_eq!(PublicKey::from_cose_key(&cose).unwrap(), key.public());
        assert!(PublicKey::from_cose_key(&cose[..cose.len() - 1]).is_err());
    }

    #[test]
    fn wrapped_secrets_open_only_in_their_context() {
        let kek = Kek::from_bytes(&[7; 32]);
        let wrapped = kek.wrap(b"secret", b"operation 1 issuer key 01020304");
        assert_eq!(
            &kek.unwrap(&wrapped, b"operation 1 issuer key 01020304")
                .unwrap()[..],
            b"secret"
        );
        assert!(
            kek.unwrap(&wrapped, b"operation 2 issuer key 01020304")
                .is_err()
        );
        assert!(
            Kek::from_bytes(&[8; 32])
                .unwrap(&wrapped, b"operation 1 issuer key 01020304")
                .is_err()
        );
    }

    #[test]
    fn a_tier_secret_gives_each_rv_tier_and_signing_key_its_own_key() {
        let secret = [9u8; 32];
        let (kid, next) = (KeyId([1, 2, 3, 4]), KeyId([1, 2, 3, 5]));
        let checkpoint = TierSecret::from_bytes(Tier::Checkpoint, &secret);
        let gate = TierSecret::from_bytes(Tier::Gate, &secret);
        let sealed = checkpoint.key_for(1, kid).seal(&[0; 12], b"", b"hello");
        assert_eq!(
            checkpoint
                .key_for(1, kid)
                .open(&[0; 12], b"", &sealed)
                .unwrap(),
            b"hello"
        );
        assert!(
            checkpoint
                .key_for(2, kid)
                .open(&[0; 12], b"", &sealed)
                .is_none()
        );
        assert!(gate.key_for(1, kid).open(&[0; 12], b"", &sealed).is_none());
        assert!(
            checkpoint
                .key_for(1, next)
                .open(&[0; 12], b"", &sealed)
                .is_none()
        );
        let kit_key = TierKey::from_bytes(Tier::Checkpoint, 1, &checkpoint.key_for(1, kid).bytes());
        assert_eq!(kit_key.open(&[0; 12], b"", &sealed).unwrap(), b"hello");
    }
}
