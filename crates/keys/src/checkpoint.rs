//! Signed checkpoints of the audit chain. The signing key is made on first use and stored
//! wrapped under the key encryption key; verifying a checkpoint unwraps it, so a checkpoint
//! that verifies was signed by whoever holds the key file, not by someone who could only
//! write to the database.
//!
//! Depends on the pass keyring for the key encryption key only; knows nothing of HTTP.

use ed25519_dalek::{Signer, SigningKey, Verifier};
use safeconduct_domain::values::Timestamp;
use safeconduct_pass::KeyId;
use safeconduct_store::{AuditCheckpoint, AuditKey, Store, StoreError};

use crate::passes::PassKeyring;

const CONTEXT: &[u8] = b"safeconduct audit checkpoint key";

fn message(seq: i64, hash: &[u8; 32], at: Timestamp) -> Vec<u8> {
    let mut m = b"safeconduct audit checkpoint v1\0".to_vec();
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash);
    m.extend_from_slice(&at.0.to_be_bytes());
    m
}

fn signing_key(
    keyring: &PassKeyring,
    store: &dyn Store,
    now: Timestamp,
) -> Result<(KeyId, SigningKey), StoreError> {
    let stored = match store.audit_key()? {
        Some(k) => k,
        None => {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret)
                .map_err(|e| StoreError::Internal(format!("random source: {e}")))?;
            let key = SigningKey::from_bytes(&secret);
            let kid = KeyId::random();
            store.init_audit_key(&AuditKey {
                kid: kid.0,
                public_key: key.verifying_key().to_bytes(),
                wrapped_secret: keyring.kek().wrap(&secret, &[CONTEXT, &kid.0].concat()),
                created_at: now,
            })?
        }
    };
    Ok((KeyId(stored.kid), open_key(keyring, &stored)?))
}

/// The stored audit key, unwrapped with the key file and checked against its public half.
fn open_key(keyring: &PassKeyring, stored: &AuditKey) -> Result<SigningKey, StoreError> {
    let secret = keyring
        .kek()
        .unwrap32(&stored.wrapped_secret, &[CONTEXT, &stored.kid].concat())
        .map_err(|_| {
            StoreError::Unavailable(
                "the audit key does not open with this key file: start with the key file it \
                 was made with"
                    .into(),
            )
        })?;
    let key = SigningKey::from_bytes(&secret);
    if key.verifying_key().to_bytes() != stored.public_key {
        return Err(StoreError::Internal(
            "the stored audit key was altered".into(),
        ));
    }
    Ok(key)
}

/// Fails unless the server's key file opens the store's keys: every operation's data key
/// and the audit key. Run before serving; returns how many operations there are.
pub fn check_key_file(keyring: &PassKeyring, store: &dyn Store) -> Result<usize, StoreError> {
    let operations = store.check_key()?;
    if let Some(stored) = store.audit_key()? {
        open_key(keyring, &stored)?;
    }
    Ok(operations)
}

/// Signs the current head of the chain and stores the checkpoint.
pub fn checkpoint(
    keyring: &PassKeyring,
    store: &dyn Store,
    now: Timestamp,
) -> Result<AuditCheckpoint, StoreError> {
    let (kid, key) = signing_key(keyring, store, now)?;
    let (seq, hash) = store.audit_head()?;
    let checkpoint = AuditCheckpoint {
        seq,
        hash,
        at: now,
        kid: kid.0.to_vec(),
        signature: key.sign(&message(seq, &hash, now)).to_bytes().to_vec(),
    };
    store.add_audit_checkpoint(&checkpoint)?;
    Ok(checkpoint)
}

/// The checkpoints whose signature does not verify with the operation's audit key.
pub fn forged_checkpoints(
    keyring: &PassKeyring,
    store: &dyn Store,
    checkpoints: &[AuditCheckpoint],
    now: Timestamp,
) -> Result<Vec<i64>, StoreError> {
    if checkpoints.is_empty() {
        return Ok(Vec::new());
    }
    let (kid, key) = signing_key(keyring, store, now)?;
    let public = key.verifying_key();
    Ok(checkpoints
        .iter()
        .filter(|c| {
            let good = c.kid == kid.0
                && ed25519_dalek::Signature::from_slice(&c.signature)
                    .is_ok_and(|s| public.verify(&message(c.seq, &c.hash, c.at), &s).is_ok());
            !good
        })
        .map(|c| c.seq)
        .collect())
}
