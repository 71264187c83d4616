//! The second factor of coordinators, hotline operators and manifest officers: time-based
//! one-time codes (RFC 6238 with HMAC-SHA-1, six digits, 30-second steps: what every
//! authenticator app reads from an `otpauth://` URI).
//!
//! A secret is 20 random bytes, shown once at enrolment (base32 and URI) and stored only
//! wrapped under the key file's key, bound to its user. A code is accepted for the step before,
//! at and after the server's clock, and each step only once per user on every server (the
//! store keeps the last step used), so a code seen over a shoulder cannot be replayed.
//!
//! Knows nothing of the store, users' records or HTTP: callers hand in the wrapped secret and
//! keep the last step used.

use hmac::{Hmac, Mac};
use safeconduct_domain::UserId;
use safeconduct_pass::Kek;
use zeroize::Zeroizing;

pub const STEP_SECONDS: i64 = 30;
const DIGITS: usize = 6;
const SECRET_BYTES: usize = 20;
const ISSUER: &str = "safeconduct";

/// What an administrator hands the coordinator once, and what the store keeps.
pub struct Enrolment {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://totp/…`, for a QR code an authenticator app scans.
    pub uri: String,
    /// The secret wrapped under the key file's key, for the store.
    pub wrapped: Vec<u8>,
}

fn context(user: UserId) -> Vec<u8> {
    format!("user {} totp secret", user.0).into_bytes()
}

/// Makes a new secret for `user`.
pub fn enrol(kek: &Kek, user: UserId, username: &str) -> Enrolment {
    let mut secret = Zeroizing::new([0u8; SECRET_BYTES]);
    getrandom::fill(&mut secret[..]).expect("the operating system's random source failed");
    enrol_with(kek, user, username, &secret[..])
}

/// Enrols `user` with a given secret (the demo's, which is printed with its logins).
pub fn enrol_with(kek: &Kek, user: UserId, username: &str, secret: &[u8]) -> Enrolment {
    let text = base32(secret);
    Enrolment {
        uri: format!(
            "otpauth://totp/{ISSUER}:{username}?secret={text}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"
        ),
        secret: text,
        wrapped: kek.wrap(secret, &context(user)),
    }
}

/// The code of `secret` for the step holding unix time `now`.
pub fn code_at(secret: &[u8], now: i64) -> String {
    code(secret, now.div_euclid(STEP_SECONDS))
}

/// The code of a base32 secret at `now`; None if the text is not base32.
pub fn code_for(secret_base32: &str, now: i64) -> Option<String> {
    Some(code_at(&from_base32(secret_base32)?, now))
}

fn code(secret: &[u8], step: i64) -> String {
    let mut mac =
        <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) % 10u32.pow(DIGITS as u32);
    format!("{value:0DIGITS$}")
}

/// The step `given` is the code of, within one step of `now`; None when it is no code of this
/// user's secret then, or the wrapped secret does not open.
pub fn matching_step(
    kek: &Kek,
    user: UserId,
    wrapped: &[u8],
    given: &str,
    now: i64,
) -> Option<i64> {
    let secret = kek.unwrap(wrapped, &context(user)).ok()?;
    let given = given.trim().as_bytes();
    let here = now.div_euclid(STEP_SECONDS);
    let mut found = None;
    // Every candidate is compared, in constant time, whatever matched before.
    for step in [here - 1, here, here + 1] {
        let expected = code(&secret, step);
        let same = expected.len() == given.len()
            && expected
                .bytes()
                .zip(given)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            found = Some(step);
        }
    }
    found
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A secret as people type it: RFC 4648 base32 without padding.
pub fn secret_text(secret: &[u8]) -> String {
    base32(secret)
}

/// RFC 4648 base32 without padding.
fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for &b in bytes {
        buffer = (buffer << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.trim().trim_end_matches('=').bytes() {
        if c == b' ' {
            continue;
        }
        let v = ALPHABET.iter().position(|&a| a == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (the last six digits of its eight-digit codes).
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(secret, time), expected, "at {time}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(from_base32("MZXW6YTBOI").unwrap(), b"foobar");
        assert_eq!(from_base32("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert!(from_base32("not base32!").is_none());
        let secret = [0xa5u8; SECRET_BYTES];
        assert_eq!(from_base32(&base32(&secret)).unwrap(), secret);
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_only_for_its_user() {
        let kek = Kek::from_bytes(&[3; 32]);
        let e = enrol(&kek, UserId(7), "amina");
        assert!(
            e.uri
                .starts_with("otpauth://totp/safeconduct:amina?secret=")
        );
        let now = 1_800_000_000;
        let step = now / STEP_SECONDS;
        let code = code_for(&e.secret, now).unwrap();
        assert_eq!(
            matching_step(&kek, UserId(7), &e.wrapped, &code, now),
            Some(step)
        );
        assert_eq!(
            matching_step(&kek, UserId(7), &e.wrapped, &code, now + STEP_SECONDS),
            Some(step)
        );
        assert_eq!(
            matching_step(&kek, UserId(7), &e.wrapped, &code, now + 2 * STEP_SECONDS),
            None
        );
        assert_eq!(matching_step(&kek, UserId(8), &e.wrapped, &code, now), None);
        assert_eq!(
            matching_step(&kek, UserId(7), &e.wrapped, "12345", now),
            None
        );
    }
}
