//! The revocation status list: one bit per pass index for revoked passes, one for passes
//! superseded by a re-issue, and the ids of compromised keys, compressed and signed so a
//! field device can carry it offline and know how old it is. The size a list covers is
//! bucketed (a power of two, at least [`MIN_SIZE`]) so that it does not tell every role how
//! many passes the operation has issued.

use crate::Error;
use crate::cbor::{Malformed, Reader, Writer};
use crate::cose::{self, Sign1};
use crate::keys::{IssuerKey, KeyId, PublicKey};

/// Largest number of pass indices a list may cover (32 MiB of bits per list, decompressed).
pub const MAX_PASSES: u64 = 1 << 28;

/// Smallest size a list covers.
pub const MIN_SIZE: u64 = safeconduct_domain::field::STATUS_LIST_MIN_SIZE;

/// The size a list covering `passes` indices covers: `passes` rounded up to a power of two,
/// at least [`MIN_SIZE`] (the domain's rule, which the scan bounds keep to as well).
pub fn bucket(passes: u64) -> u64 {
    safeconduct_domain::field::status_list_size(passes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassStatus {
    Good,
    Revoked,
    /// Revoked because a newer pass was issued for the same household.
    Superseded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    /// When the list was signed, in seconds since the Unix epoch.
    pub issued_at: u64,
    /// Pass indices below this are covered; a pass at or above it is newer than the list.
    /// Always a [`bucket`], never the number of passes issued.
    pub size: u64,
    revoked: Vec<u8>,
    superseded: Vec<u8>,
    /// Keys that must no longer be trusted: every pass they signed is revoked.
    pub compromised: Vec<KeyId>,
}

fn bit(bits: &[u8], index: u64) -> bool {
    bits.get((index / 8) as usize)
        .is_some_and(|b| b >> (index % 8) & 1 == 1)
}

fn set(bits: &mut [u8], index: u64) {
    bits[(index / 8) as usize] |= 1 << (index % 8);
}

impl StatusList {
    /// An empty list covering at least the indices `0..passes` (`0..bucket(passes)`).
    pub fn new(issued_at: u64, passes: u64) -> Result<Self, Error> {
        if passes > MAX_PASSES {
            return Err(Error::TooManyPasses(passes));
        }
        let size = bucket(passes);
        let bytes = size.div_ceil(8) as usize;
        Ok(StatusList {
            issued_at,
            size,
            revoked: vec![0; bytes],
            superseded: vec![0; bytes],
            compromised: Vec::new(),
        })
    }

    fn check(&self, index: u64) -> Result<(), Error> {
        if index < self.size {
            Ok(())
        } else {
            Err(Error::IndexOutOfRange(index))
        }
    }

    pub fn revoke(&mut self, index: u64) -> Result<(), Error> {
        self.check(index)?;
        set(&mut self.revoked, index);
        Ok(())
    }

    /// Marks a pass superseded by a re-issue; a superseded pass is revoked too.
    pub fn supersede(&mut self, index: u64) -> Result<(), Error> {
        self.revoke(index)?;
        set(&mut self.superseded, index);
        Ok(())
    }

    pub fn status(&self, index: u64) -> PassStatus {
        if bit(&self.superseded, index) {
            PassStatus::Superseded
        } else if bit(&self.revoked, index) {
            PassStatus::Revoked
        } else {
            PassStatus::Good
        }
    }

    /// `{1: issued_at, 2: size, 3: zlib(revoked bits), 4: zlib(superseded bits), 5: [kid]}`
    /// signed as a COSE_Sign1.
    pub fn sign(&self, key: &IssuerKey) -> Vec<u8> {
        let mut w = Writer::new();
        w.map(5);
        w.int(1).uint(self.issued_at);
        w.int(2).uint(self.size);
        w.int(3).bytes(&miniz_oxide::deflate::compress_to_vec_zlib(
            &self.revoked,
            9,
        ));
        w.int(4).bytes(&miniz_oxide::deflate::compress_to_vec_zlib(
            &self.superseded,
            9,
        ));
        w.int(5).array(self.compromised.len());
        for kid in &self.compromised {
            w.bytes(&kid.0);
        }
        cose::sign(key, &w.finish())
    }

    /// Reads a signed list and checks its signature against `keys`; a list signed by a key
    /// it (or the caller) names compromised is refused.
    pub fn verify(bytes: &[u8], keys: &[PublicKey]) -> Result<Self, Error> {
        let sign1 = Sign1::parse(bytes).map_err(|_| Error::BadStatusList("not a status list"))?;
        let key = keys
            .iter()
            .find(|k| k.kid == sign1.kid)
            .ok_or(Error::BadStatusList("signed by an unknown key"))?;
        key.key
            .verify_strict(&sign1.to_be_signed(), &sign1.signature)
            .map_err(|_| Error::BadStatusList("bad signature"))?;
        let list = Self::decode(sign1.payload).map_err(|_| Error::BadStatusList("malformed"))?;
        if list.compromised.contains(&sign1.kid) {
            return Err(Error::BadStatusList("signed by a compromised key"));
        }
        Ok(list)
    }

    fn decode(payload: &[u8]) -> Result<Self, Malformed> {
        let mut r = Reader::new(payload);
        if r.map()? != 5 {
            return Err(Malformed);
        }
        r.key(1)?;
        let issued_at = r.uint()?;
        r.key(2)?;
        let size = r.uint()?;
        if size > MAX_PASSES || size != bucket(size) {
            return Err(Malformed);
        }
        let bytes = size.div_ceil(8) as usize;
        let inflate = |z: &[u8]| -> Result<Vec<u8>, Malformed> {
            let bits = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(z, bytes)
                .map_err(|_| Malformed)?;
            if bits.len() == bytes {
                Ok(bits)
            } else {
                Err(Malformed)
            }
        };
        r.key(3)?;
        let revoked = inflate(r.bytes()?)?;
        r.key(4)?;
        let superseded = inflate(r.bytes()?)?;
        r.key(5)?;
        let n = r.array()?;
        if n > 1024 {
            return Err(Malformed);
        }
        let compromised = (0..n)
            .map(|_| Ok(KeyId(r.bytes()?.try_into().map_err(|_| Malformed)?)))
            .collect::<Result<Vec<_>, Malformed>>()?;
        r.end()?;
        Ok(StatusList {
            issued_at,
            size,
            revoked,
            superseded,
            compromised,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_list_round_trips_and_stays_small() {
        let key = IssuerKey::generate();
        let mut list = StatusList::new(1_700_000_000, 100_000).unwrap();
        assert_eq!(list.size, 131_072);
        list.revoke(5).unwrap();
        list.supersede(99_999).unwrap();
        list.compromised.push(KeyId([1, 2, 3, 4]));
        let signed = list.sign(&key);
        assert!(signed.len() < 200, "{} bytes", signed.len());
        let read = StatusList::verify(&signed, &[key.public()]).unwrap();
        assert_eq!(read, list);
        assert_eq!(read.status(5), PassStatus::Revoked);
        assert_eq!(read.status(99_999), PassStatus::Superseded);
        assert_eq!(read.status(6), PassStatus::Good);
        assert!(list.revoke(131_072).is_err());
    }

    #[test]
    fn a_list_from_another_key_is_refused() {
        let list = StatusList::new(1, 8).unwrap();
        let signed = list.sign(&IssuerKey::generate());
        assert!(StatusList::verify(&signed, &[IssuerKey::generate().public()]).is_err());
    }
}
