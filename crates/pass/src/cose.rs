//! COSE_Sign1 (RFC 9052 section 4.2) with EdDSA over Ed25519: the envelope of passes and of
//! status lists, so any standard COSE library verifies them with the published key.

use ed25519_dalek::{Signature, Signer};

use crate::cbor::{Malformed, Reader, Result, Writer};
use crate::keys::{ALG_EDDSA, IssuerKey, KeyId};

/// CBOR tag of COSE_Sign1.
const TAG_SIGN1: u64 = 18;
const HEADER_ALG: i64 = 1;
const HEADER_KID: i64 = 4;

/// A COSE_Sign1 structure read from bytes, signature not yet checked.
#[derive(Debug, Clone)]
pub(crate) struct Sign1<'a> {
    pub kid: KeyId,
    protected: &'a [u8],
    pub payload: &'a [u8],
    pub signature: Signature,
}

fn protected_header(kid: KeyId) -> Vec<u8> {
    let mut w = Writer::new();
    w.map(2);
    w.int(HEADER_ALG).int(ALG_EDDSA);
    w.int(HEADER_KID).bytes(&kid.0);
    w.finish()
}

/// `Sig_structure = ["Signature1", protected, external_aad = h'', payload]`.
fn to_be_signed(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.array(4)
        .text("Signature1")
        .bytes(protected)
        .bytes(&[])
        .bytes(payload);
    w.finish()
}

/// Signs `payload` into a tagged COSE_Sign1 with an empty unprotected header.
pub(crate) fn sign(key: &IssuerKey, payload: &[u8]) -> Vec<u8> {
    let protected = protected_header(key.kid());
    let signature = key.signing().sign(&to_be_signed(&protected, payload));
    let mut w = Writer::new();
    w.tag(TAG_SIGN1).array(4);
    w.bytes(&protected)
        .map(0)
        .bytes(payload)
        .bytes(&signature.to_bytes());
    w.finish()
}

impl<'a> Sign1<'a> {
    /// Reads a COSE_Sign1, tagged or not. The protected header must be exactly
    /// `{1: -8, 4: kid}`: no other algorithm is ever accepted.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        if r.is_tag() && r.tag()? != TAG_SIGN1 {
            return Err(Malformed);
        }
        if r.array()? != 4 {
            return Err(Malformed);
        }
        let protected = r.bytes()?;
        if r.map()? != 0 {
            return Err(Malformed);
        }
        let payload = r.bytes()?;
        let signature: [u8; 64] = r.bytes()?.try_into().map_err(|_| Malformed)?;
        r.end()?;

        let mut h = Reader::new(protected);
        if h.map()? != 2 {
            return Err(Malformed);
        }
        h.key(HEADER_ALG)?;
        if h.int()? != ALG_EDDSA {
            return Err(Malformed);
        }
        h.key(HEADER_KID)?;
        let kid = KeyId(h.bytes()?.try_into().map_err(|_| Malformed)?);
        h.end()?;
        Ok(Sign1 {
            kid,
            protected,
            payload,
            signature: Signature::from_bytes(&signature),
        })
    }

    pub fn to_be_signed(&self) -> Vec<u8> {
        to_be_signed(self.protected, self.payload)
    }
}
