//! Offline verification: one outcome per pass, from a field kit's public keys, the tier keys
//! of the device's places and the status list. The order of checks is the one in docs/pass-format.md; the first that fails decides.

use ed25519_dalek::Signature;
use safeconduct_domain::admission::{WindowPosition, window_position};
use safeconduct_domain::field::CLOCK_SKEW_SECONDS;

use crate::holder::holder_binding;
use crate::keys::{KeyId, PublicKey, TierKey};
use crate::pass::{Checkpoint, Envelope, Gate, Unreadable, from_text, is_old_text};
use crate::status::{PassStatus, StatusList};

/// What to do when the status list is old: warn after `warn_after` seconds, refuse every
/// pass after `refuse_after` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StalePolicy {
    pub warn_after: u64,
    pub refuse_after: u64,
}

impl Default for StalePolicy {
    /// Warn after 6 hours, refuse after 48: a checkpoint syncs at least daily.
    fn default() -> Self {
        StalePolicy {
            warn_after: 6 * 3600,
            refuse_after: 48 * 3600,
        }
    }
}

/// The result of checking one pass. Only [`Outcome::Valid`] admits anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Valid,
    /// Authentic and current, but for another rendezvous point of this device.
    WrongRv {
        pass_rv: u64,
        here: u64,
    },
    /// Authentic, but sealed for a place whose keys this device does not hold: a pass for
    /// another RV (code `wrong_rv` too).
    ForAnotherPlace,
    /// Before the window opens, by `by` seconds.
    Early {
        by: u64,
    },
    /// Before the pass's own validity starts (its clear "not before"), by `by` seconds.
    NotYetValid {
        by: u64,
    },
    /// After the window closed, by `by` seconds; the pass has not yet expired.
    Late {
        by: u64,
    },
    Revoked,
    Superseded,
    Expired {
        by: u64,
    },
    UnknownKey,
    BadSignature,
    HolderMismatch,
    NotAPass,
    /// A pass of an older format (version 1): it must be re-issued.
    OldFormat,
    /// The status list is older than the policy allows, by its age in seconds.
    StatusStale {
        age: u64,
    },
    StatusMissing,
    /// The status list was signed later than this device's clock says it is now, by more
    /// than a device's clock may be off (`by` seconds): the clock is set back, so neither the
    /// list's age nor any expiry can be read from it.
    ClockBehind {
        by: u64,
    },
    /// Authentic, but this device holds no key for the tier it needs.
    TierUnreadable,
}

impl Outcome {
    /// A stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::WrongRv { .. } | Outcome::ForAnotherPlace => "wrong_rv",
            Outcome::Early { .. } | Outcome::Late { .. } => "outside_window",
            Outcome::NotYetValid { .. } => "not_yet_valid",
            Outcome::Revoked => "revoked",
            Outcome::Superseded => "superseded",
            Outcome::Expired { .. } => "expired",
            Outcome::UnknownKey => "unknown_key",
            Outcome::BadSignature => "bad_signature",
            Outcome::HolderMismatch => "holder_mismatch",
            Outcome::NotAPass => "not_a_pass",
            Outcome::OldFormat => "old_format",
            Outcome::StatusStale { .. } => "status_list_stale",
            Outcome::StatusMissing => "status_list_missing",
            Outcome::ClockBehind { .. } => "clock_behind",
            Outcome::TierUnreadable => "tier_unreadable",
        }
    }

    pub fn is_valid(self) -> bool {
        self == Outcome::Valid
    }
}

/// What a verifier knows about the place and moment of the check.
#[derive(Debug, Clone, Copy, Default)]
pub struct Check<'a> {
    /// Now, in seconds since the Unix epoch.
    pub now: u64,
    /// The rendezvous point of the checking device, when it stands at one.
    pub rv: Option<u64>,
    /// The document number and birth year on the document the holder shows, when checked.
    pub holder: Option<(&'a str, u16)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub outcome: Outcome,
    pub kid: Option<KeyId>,
    pub index: Option<u64>,
    pub checkpoint: Option<Checkpoint>,
    pub gate: Option<Gate>,
    /// Age of the status list used, in seconds.
    pub status_age: Option<u64>,
    /// Set when the status list is older than the policy's warning age but still accepted.
    pub stale_warning: bool,
    /// Set when a document was shown but the pass is bound to none (no document that can be
    /// bound was on file): the holder's identity must be checked another way.
    pub holder_unbound: bool,
}

impl Verification {
    fn only(outcome: Outcome) -> Self {
        Verification {
            outcome,
            kid: None,
            index: None,
            checkpoint: None,
            gate: None,
            status_age: None,
            stale_warning: false,
            holder_unbound: false,
        }
    }
}

/// Everything a device needs to check passes offline.
#[derive(Debug, Default)]
pub struct Verifier {
    pub keys: Vec<PublicKey>,
    /// Checkpoint keys of the rendezvous points the device works at.
    pub checkpoint: Vec<TierKey>,
    /// Gate keys of the rendezvous points the device's gates serve.
    pub gate: Vec<TierKey>,
    pub status: Option<StatusList>,
    pub policy: StalePolicy,
}

/// A pass parsed and matched to its key, its signature not yet checked.
struct Prepared<'a> {
    envelope: Envelope<'a>,
    key: &'a PublicKey,
    signed: Vec<u8>,
}

impl Verifier {
    /// Parses a pass and finds its key; on failure, the outcome and the key id if read.
    fn prepare<'a>(&'a self, bytes: &'a [u8]) -> Result<Prepared<'a>, (Outcome, Option<KeyId>)> {
        let envelope = Envelope::parse(bytes).map_err(|e| match e {
            Unreadable::NotAPass => (Outcome::NotAPass, None),
            Unreadable::OldFormat => (Outcome::OldFormat, None),
        })?;
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == envelope.clear.kid)
            .ok_or((Outcome::UnknownKey, Some(envelope.clear.kid)))?;
        let signed = envelope.sign1.to_be_signed();
        Ok(Prepared {
            envelope,
            key,
            signed,
        })
    }

    /// Checks one pass, given as its text form.
    pub fn verify_text(&self, text: &str, check: &Check<'_>) -> Verification {
        match from_text(text) {
            Some(bytes) => self.verify(&bytes, check),
            None if is_old_text(text) => Verification::only(Outcome::OldFormat),
            None => Verification::only(Outcome::NotAPass),
        }
    }

    /// Checks one pass, given as its bytes.
    pub fn verify(&self, bytes: &[u8], check: &Check<'_>) -> Verification {
        match self.prepare(bytes) {
            Err((outcome, kid)) => Verification {
                kid,
                ..Verification::only(outcome)
            },
            Ok(p) => {
                let good = p
                    .key
                    .key
                    .verify_strict(&p.signed, &p.envelope.sign1.signature)
                    .is_ok();
                self.finish(&p.envelope, good, check)
            }
        }
    }

    /// Checks many passes with one Ed25519 batch verification; when the batch fails, each
    /// signature is checked on its own to find the bad ones. Same outcomes as [`Self::verify`].
    pub fn verify_batch(&self, passes: &[&[u8]], check: &Check<'_>) -> Vec<Verification> {
        let prepared: Vec<Result<Prepared<'_>, _>> =
            passes.iter().map(|b| self.prepare(b)).collect();
        let ready: Vec<&Prepared<'_>> = prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
        let messages: Vec<&[u8]> = ready.iter().map(|p| p.signed.as_slice()).collect();
        let signatures: Vec<Signature> = ready.iter().map(|p| p.envelope.sign1.signature).collect();
        let keys: Vec<_> = ready.iter().map(|p| p.key.key).collect();
        let all_good = ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok();
        prepared
            .into_iter()
            .map(|p| match p {
                Err((outcome, kid)) => Verification {
                    kid,
                    ..Verification::only(outcome)
                },
                Ok(p) => {
                    let good = all_good
                        || p.key
                            .key
                            .verify_strict(&p.signed, &p.envelope.sign1.signature)
                            .is_ok();
                    self.finish(&p.envelope, good, check)
                }
            })
            .collect()
    }

    fn finish(
        &self,
        envelope: &Envelope<'_>,
        signature_good: bool,
        check: &Check<'_>,
    ) -> Verification {
        let clear = envelope.clear;
        let mut v = Verification {
            kid: Some(clear.kid),
            index: Some(clear.index),
            ..Verification::only(Outcome::Valid)
        };
        let outcome = |v: Verification, outcome| Verification { outcome, ..v };
        if !signature_good {
            return outcome(v, Outcome::BadSignature);
        }
        // A compromised signing key's passes are all refused, whatever they say; a kit made
        // after the compromise holds no tier key of that signing key to read them with.
        if let Some(status) = &self.status
            && status.compromised.contains(&clear.kid)
        {
            v.status_age = Some(check.now.saturating_sub(status.issued_at));
            return outcome(v, Outcome::Revoked);
        }
        // Authentic: open the tiers this device holds keys for, so that every later outcome
        // can show what the pass says. A device holds the keys of a few places: it tries each.
        if self.gate.is_empty() && self.checkpoint.is_empty() {
            return outcome(v, Outcome::TierUnreadable);
        }
        if !self.gate.is_empty() {
            v.gate = self.gate.iter().find_map(|k| envelope.open_gate(k));
            if v.gate.is_none() {
                return outcome(v, Outcome::ForAnotherPlace);
            }
        }
        if !self.checkpoint.is_empty() {
            v.checkpoint = self
                .checkpoint
                .iter()
                .find_map(|k| envelope.open_checkpoint(k));
            if v.checkpoint.is_none() {
                return outcome(v, Outcome::ForAnotherPlace);
            }
        }
        let Some(status) = &self.status else {
            return outcome(v, Outcome::StatusMissing);
        };
        let age = check.now.saturating_sub(status.issued_at);
        v.status_age = Some(age);
        if status.compromised.contains(&clear.kid) {
            return outcome(v, Outcome::Revoked);
        }
        match status.status(clear.index) {
            PassStatus::Revoked => return outcome(v, Outcome::Revoked),
            PassStatus::Superseded => return outcome(v, Outcome::Superseded),
            PassStatus::Good => {}
        }
        // A list is signed on the server's clock; a device's may be off by up to a day. A
        // clock further behind would take a pass long expired, and left off the list, for good.
        let ahead = status.issued_at.saturating_sub(check.now);
        if ahead > CLOCK_SKEW_SECONDS.unsigned_abs() {
            return outcome(v, Outcome::ClockBehind { by: ahead });
        }
        if age > self.policy.refuse_after {
            return outcome(v, Outcome::StatusStale { age });
        }
        v.stale_warning = age > self.policy.warn_after;
        if check.now >= clear.expires {
            let by = check.now - clear.expires;
            return outcome(v, Outcome::Expired { by });
        }
        if check.now < clear.not_before {
            let by = clear.not_before - check.now;
            return outcome(v, Outcome::NotYetValid { by });
        }
        // A gate reader makes no window or holder check of its own: the gate's list decides.
        let Some(c) = v.checkpoint else {
            return v;
        };
        match check.rv {
            Some(here) if here != c.rv => {
                return outcome(
                    v,
                    Outcome::WrongRv {
                        pass_rv: c.rv,
                        here,
                    },
                );
            }
            _ => {}
        }
        // The window rule online admission applies too (domain::admission).
        let secs = |t: u64| i64::try_from(t).unwrap_or(i64::MAX);
        let (now, start, end) = (secs(check.now), secs(c.window_start), secs(c.window_end));
        match window_position(now, start, end) {
            WindowPosition::Early { by } => return outcome(v, Outcome::Early { by }),
            WindowPosition::Late { by } => return outcome(v, Outcome::Late { by }),
            WindowPosition::Within => {}
        }
        if let Some((document, year)) = check.holder {
            let Some(bound) = c.holder else {
                // Nothing to compare with: admitted on the other checks, with a notice.
                v.holder_unbound = true;
                return v;
            };
            if holder_binding(clear.kid, clear.index, document, Some(year)) != Some(bound) {
                return outcome(v, Outcome::HolderMismatch);
            }
        }
        v
    }
}
