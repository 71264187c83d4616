//! Envelope encryption of personal data.
//!
//! Each operation has its own 256-bit data key, stored only wrapped under the key encryption
//! key ([`Kek`], from a key file outside the database). A record's personal fields are sealed
//! together with AES-256-GCM under the data key, with the record's identity (kind, operation,
//! row id) as associated data: a ciphertext copied onto another record does not open.
//! Exact-match lookups go through blind indexes: HMAC-SHA-256 under a key derived from the
//! data key, truncated to 128 bits. Destroying an operation's wrapped data key (shredding)
//! leaves ciphertext nobody can open and indexes nobody can test a guess against. The same
//! derived key scatters pass indices ([`DataKey::pass_index`]), in a domain of its own.
//!
//! This module is the only place that holds unwrapped data keys; nothing here is logged.

use crate::sql::{Db, p};
use crate::{Result, StoreError};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use safeconduct_domain::OperationId;
use safeconduct_domain::field::{MAX_PASSES_ISSUED, SCATTERED_PASS_INDICES_FROM};
use safeconduct_pass::Kek;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

/// Bytes of a nonce; a sealed field is nonce ‖ ciphertext ‖ tag.
const NONCE: usize = 12;
/// Bytes of a blind index.
pub(crate) const INDEX_BYTES: usize = 16;
/// Rounds of the Feistel network that scatters pass indices ([`DataKey::pass_index`]).
const PASS_INDEX_ROUNDS: u8 = 8;

/// The kinds of record whose personal fields are sealed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Record {
    Household,
    Person,
    Document,
    /// A free-text reason stated in an operation, bound to its time ([`crate::sql::reasons`]).
    Reason,
    /// A hotline call's notes ([`crate::sql::calls`]).
    Call,
    /// An outgoing message's recipient and text ([`crate::sql::outbox`]).
    Message,
}

impl Record {
    fn label(self) -> &'static str {
        match self {
            Record::Household => "household",
            Record::Person => "person",
            Record::Document => "document",
            Record::Reason => "reason",
            Record::Call => "call",
            Record::Message => "message",
        }
    }
}

/// What a blind index is over; each kind has its own domain, so equal strings of two kinds
/// do not share an index value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Index {
    /// A phone number in E.164 form, of a household contact or a member.
    Phone,
    /// A document number, normalised.
    Document,
    /// A Latin name key and birth year together: the duplicate check's second probe.
    NameYear,
    /// The fingerprint of a request sent with an idempotency key.
    Request,
}

impl Index {
    fn domain(self) -> &'static [u8] {
        match self {
            Index::Phone => b"phone\0",
            Index::Document => b"document\0",
            Index::NameYear => b"name-year\0",
            Index::Request => b"request\0",
        }
    }
}

/// An operation's unwrapped data key.
pub(crate) struct DataKey {
    op: OperationId,
    aead: Aes256Gcm,
    index: Hmac<Sha256>,
}

impl DataKey {
    fn new(op: OperationId, secret: &[u8; 32]) -> Self {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"safeconduct data key"), secret);
        let mut seal = Zeroizing::new([0u8; 32]);
        let mut index = Zeroizing::new([0u8; 32]);
        hk.expand(b"seal", &mut seal[..])
            .expect("32 bytes is a valid HKDF length");
        hk.expand(b"blind index", &mut index[..])
            .expect("32 bytes is a valid HKDF length");
        DataKey {
            op,
            aead: Aes256Gcm::new((&*seal).into()),
            index: <Hmac<Sha256> as Mac>::new_from_slice(&index[..])
                .expect("HMAC takes a key of any length"),
        }
    }

    fn aad(&self, record: Record, id: i64) -> Vec<u8> {
        format!("safeconduct {} {} {id}", record.label(), self.op.0).into_bytes()
    }

    /// Seals `fields` as the personal data of one record.
    pub fn seal<T: Serialize>(&self, record: Record, id: i64, fields: &T) -> Vec<u8> {
        let plain =
            Zeroizing::new(serde_json::to_vec(fields).expect("sealed fields serialise to JSON"));
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).expect("the operating system's random source failed");
        let aad = self.aad(record, id);
        let sealed = self
            .aead
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .expect("AES-GCM encrypts any message shorter than 64 GiB");
        [&nonce[..], &sealed].concat()
    }

    /// Opens the personal data of one record. Fails when the ciphertext was altered or
    /// belongs to another record.
    pub fn open<T: DeserializeOwned>(&self, record: Record, id: i64, sealed: &[u8]) -> Result<T> {
        let damaged = || {
            StoreError::Internal(format!(
                "the sealed personal data of {} {id} does not open: it was altered or moved \
                 from another record",
                record.label()
            ))
        };
        if sealed.len() < NONCE + 16 {
            return Err(damaged());
        }
        let (nonce, body) = sealed.split_at(NONCE);
        let aad = self.aad(record, id);
        let plain = Zeroizing::new(
            self.aead
                .decrypt(
                    Nonce::from_slice(nonce),
                    Payload {
                        msg: body,
                        aad: &aad,
                    },
                )
                .map_err(|_| damaged())?,
        );
        serde_json::from_slice(&plain).map_err(|_| damaged())
    }

    /// The blind index of `value` as `kind`.
    pub fn index(&self, kind: Index, value: &str) -> Vec<u8> {
        let mut mac = self.index.clone();
        mac.update(kind.domain());
        mac.update(value.as_bytes());
        mac.finalize().into_bytes()[..INDEX_BYTES].to_vec()
    }

    /// The pass index of the operation's `seq`-th pass (counting from 0, re-issues included):
    /// [`SCATTERED_PASS_INDICES_FROM`] plus a permutation of `seq` below [`MAX_PASSES_ISSUED`]
    /// keyed by this data key, so that no two passes share an index and nobody without the key
    /// can tell from an index how many passes came before. `None` once `seq` reaches
    /// [`MAX_PASSES_ISSUED`].
    pub fn pass_index(&self, seq: u64) -> Option<u64> {
        const HALF_BITS: u32 = MAX_PASSES_ISSUED.trailing_zeros().div_ceil(2);
        self.permute_below(seq, MAX_PASSES_ISSUED, HALF_BITS)
            .map(|i| SCATTERED_PASS_INDICES_FROM + i)
    }

    /// A permutation of `0..below` keyed by this data key: a Feistel network of
    /// [`PASS_INDEX_ROUNDS`] rounds over `2 * half_bits` bits (HMAC-SHA-256 of the round and the
    /// right half, in its own domain, as the round function), walked again while its result is
    /// at or above `below` (`below` must be at most `1 << (2 * half_bits)`).
    fn permute_below(&self, seq: u64, below: u64, half_bits: u32) -> Option<u64> {
        if seq >= below {
            return None;
        }
        let mask = (1u64 << half_bits) - 1;
        let mut x = seq;
        loop {
            let (mut left, mut right) = (x >> half_bits, x & mask);
            for round in 0..PASS_INDEX_ROUNDS {
                let mut mac = self.index.clone();
                mac.update(b"pass-index\0");
                mac.update(&[round]);
                mac.update(&right.to_be_bytes());
                let out = mac.finalize().into_bytes();
                let f = u64::from_be_bytes(out[..8].try_into().expect("8 of 32 bytes")) & mask;
                (left, right) = (right, left ^ f);
            }
            x = (left << half_bits) | right;
            // A cycle of the permutation that holds `seq` comes back below `below`.
            if x < below {
                return Some(x);
            }
        }
    }

    /// The duplicate check's name-and-birth-year index.
    pub fn name_year_index(&self, name_key: &str, birth_year: Option<u16>) -> Vec<u8> {
        let year = birth_year.map(|y| y.to_string()).unwrap_or_default();
        self.index(Index::NameYear, &format!("{name_key}\0{year}"))
    }
}

/// Unwrapped data keys by operation and the wrapped bytes they came from.
type KeyCache = HashMap<(OperationId, Vec<u8>), Arc<DataKey>>;

/// The key encryption key and the data keys unwrapped so far.
pub struct Vault {
    kek: Kek,
    /// Unwrapped keys by operation and wrapped bytes: a key replaced or destroyed in the
    /// database is never found here again, whichever server changed it.
    cache: Mutex<KeyCache>,
}

fn context(op: OperationId) -> Vec<u8> {
    format!("operation {} data key", op.0).into_bytes()
}

impl Vault {
    pub fn new(kek: Kek) -> Self {
        Vault {
            kek,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Makes and stores a new operation's data key.
    pub(crate) fn create_key(&self, db: &mut dyn Db, op: OperationId, at: i64) -> Result<()> {
        let mut secret = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut secret[..]).expect("the operating system's random source failed");
        let wrapped = self.kek.wrap(&secret[..], &context(op));
        db.exec(
            "INSERT INTO operation_keys (operation_id, wrapped, created_at) VALUES ($1, $2, $3)",
            p![op.0, wrapped.as_slice(), at],
        )?;
        Ok(())
    }

    /// The operation's data key, read in the caller's transaction. Fails when the operation's
    /// personal data was shredded, or the key file is not the one the key was wrapped under.
    pub(crate) fn key(&self, db: &mut dyn Db, op: OperationId) -> Result<Arc<DataKey>> {
        let row = db
            .row(
                "SELECT wrapped, shredded_at FROM operation_keys WHERE operation_id = $1",
                p![op.0],
            )?
            .ok_or_else(|| StoreError::not_found(format!("operation {}", op.0)))?;
        if row.opt_i64(1)?.is_some() {
            return Err(StoreError::Shredded(op));
        }
        let wrapped = row.bytes(0)?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(key) = cache.get(&(op, wrapped.clone())) {
            return Ok(key.clone());
        }
        let secret = self.kek.unwrap32(&wrapped, &context(op)).map_err(|_| {
            StoreError::Unavailable(format!(
                "the data key of operation {} does not open with this key file: \
                 start with the key file the operation was created with",
                op.0
            ))
        })?;
        let key = Arc::new(DataKey::new(op, &secret));
        cache.retain(|(o, _), _| *o != op);
        cache.insert((op, wrapped), key.clone());
        Ok(key)
    }

    /// Destroys an operation's data key for good. Returns false when it was already gone.
    pub(crate) fn shred(&self, db: &mut dyn Db, op: OperationId, at: i64) -> Result<bool> {
        let n = db.exec(
            "UPDATE operation_keys SET wrapped = NULL, shredded_at = $2
             WHERE operation_id = $1 AND shredded_at IS NULL",
            p![op.0, at],
        )?;
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(o, _), _| *o != op);
        Ok(n > 0)
    }
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(keys withheld)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(op: i64, secret: u8) -> DataKey {
        DataKey::new(OperationId(op), &[secret; 32])
    }

    #[test]
    fn a_sealed_record_opens_only_as_itself() {
        let k = key(1, 7);
        let sealed = k.seal(Record::Person, 42, &("Amina", "+93700000001"));
        let back: (String, String) = k.open(Record::Person, 42, &sealed).unwrap();
        assert_eq!(back, ("Amina".to_string(), "+93700000001".to_string()));
        assert!(
            k.open::<(String, String)>(Record::Person, 43, &sealed)
                .is_err()
        );
        assert!(
            k.open::<(String, String)>(Record::Household, 42, &sealed)
                .is_err()
        );
        assert!(
            key(2, 7)
                .open::<(String, String)>(Record::Person, 42, &sealed)
                .is_err()
        );
        assert!(
            key(1, 8)
                .open::<(String, String)>(Record::Person, 42, &sealed)
                .is_err()
        );
        let mut flipped = sealed.clone();
        flipped[20] ^= 1;
        assert!(
            k.open::<(String, String)>(Record::Person, 42, &flipped)
                .is_err()
        );
        assert!(
            !String::from_utf8_lossy(&sealed).contains("Amina"),
            "the name is not in the sealed bytes"
        );
    }

    #[test]
    fn pass_indices_are_a_keyed_permutation_in_the_scattered_half() {
        // On a small space the whole permutation is checked: every value once, none outside.
        let k = key(1, 7);
        let mut seen: Vec<u64> = (0..300)
            .map(|n| k.permute_below(n, 300, 5).unwrap())
            .collect();
        assert!(seen.iter().all(|&i| i < 300));
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 300);
        assert_eq!(k.permute_below(300, 300, 5), None);

        // The real space: in the scattered half, distinct, not in order, keyed.
        let first: Vec<u64> = (0..2000).map(|n| k.pass_index(n).unwrap()).collect();
        let space = SCATTERED_PASS_INDICES_FROM..SCATTERED_PASS_INDICES_FROM + MAX_PASSES_ISSUED;
        assert!(first.iter().all(|i| space.contains(i)));
        let mut distinct = first.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), first.len());
        let rising = first.windows(2).filter(|w| w[0] < w[1]).count();
        assert!((800..1200).contains(&rising), "{rising} of 1999 steps up");
        assert_ne!(key(1, 8).pass_index(0), k.pass_index(0));
        assert_eq!(
            k.pass_index(MAX_PASSES_ISSUED - 1)
                .map(|i| space.contains(&i)),
            Some(true)
        );
        assert_eq!(k.pass_index(MAX_PASSES_ISSUED), None);
    }

    #[test]
    fn blind_indexes_are_keyed_and_separated_by_kind() {
        let k = key(1, 7);
        assert_eq!(
            k.index(Index::Phone, "+93700000001"),
            k.index(Index::Phone, "+93700000001")
        );
        assert_eq!(k.index(Index::Phone, "+93700000001").len(), INDEX_BYTES);
        assert_ne!(
            k.index(Index::Phone, "+93700000001"),
            k.index(Index::Document, "+93700000001")
        );
        assert_ne!(
            k.index(Index::Phone, "+93700000001"),
            key(1, 8).index(Index::Phone, "+93700000001")
        );
        assert_ne!(
            k.name_year_index("AMINA", Some(1990)),
            k.name_year_index("AMINA", None)
        );
    }
}
