//! The web scanner checks passes and speaks the field protocol offline, in JavaScript
//! (`assets/scanner/pass.js`, `protocol.js`), so the numbers it shares with the Rust side are
//! written there a second time. Each must be the Rust value: a holder binding computed with
//! other iterations or another salt refuses the genuine holder, a tier of another size reads
//! as malformed, a sync larger than the server takes is refused every time.

use safeconduct_domain::{admission, field, scan};
use safeconduct_pass as pass;

const PASS_JS: &str = include_str!("../assets/scanner/pass.js");
const PROTOCOL_JS: &str = include_str!("../assets/scanner/protocol.js");

/// The value of the top-level `const NAME = …;` (or `export const`) of a script, as written.
fn written(script: &str, name: &str) -> String {
    let starts = [
        format!("const {name} = "),
        format!("export const {name} = "),
    ];
    let values: Vec<&str> = script
        .lines()
        .filter_map(|line| starts.iter().find_map(|s| line.strip_prefix(s.as_str())))
        .collect();
    assert_eq!(
        values.len(),
        1,
        "`const {name}` once in the script: {values:?}"
    );
    values[0]
        .strip_suffix(';')
        .unwrap_or_else(|| panic!("{name} ends with ;"))
        .to_string()
}

/// A number as the scripts write it: decimal, hexadecimal or a power of two.
fn number(script: &str, name: &str) -> i128 {
    let text = written(script, name);
    let parsed = if let Some(hex) = text.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()
    } else if let Some((base, power)) = text.split_once(" ** ") {
        base.parse::<i128>()
            .ok()
            .zip(power.parse::<u32>().ok())
            .map(|(b, p)| b.pow(p))
    } else {
        text.parse().ok()
    };
    parsed.unwrap_or_else(|| panic!("{name} = {text} is not a number this test reads"))
}

fn text(script: &str, name: &str) -> String {
    let written = written(script, name);
    serde_json::from_str(&written).unwrap_or_else(|_| panic!("{name} = {written} is not text"))
}

#[test]
fn the_scanners_numbers_are_the_pass_formats_and_the_protocols() {
    let numbers: [(&str, &str, i128); 15] = [
        (PASS_JS, "FORMAT_VERSION", pass::FORMAT_VERSION.into()),
        (PASS_JS, "MAX_VALUE", pass::MAX_VALUE.into()),
        (PASS_JS, "MAX_PASSES", pass::status::MAX_PASSES.into()),
        (PASS_JS, "MIN_STATUS_SIZE", pass::status::MIN_SIZE.into()),
        (
            PASS_JS,
            "CHECKPOINT_PLAINTEXT",
            pass::CHECKPOINT_PLAINTEXT as i128,
        ),
        (PASS_JS, "GATE_PLAINTEXT", pass::GATE_PLAINTEXT as i128),
        (PASS_JS, "MAX_REFERENCE", pass::MAX_REFERENCE as i128),
        (PASS_JS, "HOLDER_ITERATIONS", pass::HOLDER_ITERATIONS.into()),
        (
            PASS_JS,
            "MIN_DOCUMENT_CHARS",
            pass::MIN_DOCUMENT_CHARS as i128,
        ),
        (
            PASS_JS,
            "WINDOW_TOLERANCE_SECONDS",
            admission::WINDOW_TOLERANCE_SECONDS.into(),
        ),
        (
            PASS_JS,
            "CLOCK_SKEW_SECONDS",
            field::CLOCK_SKEW_SECONDS.into(),
        ),
        (PASS_JS, "TIER_CHECKPOINT", pass::Tier::Checkpoint as i128),
        (PASS_JS, "TIER_GATE", pass::Tier::Gate as i128),
        (PASS_JS, "ALG_EDDSA", -8),
        (
            PROTOCOL_JS,
            "MAX_RECORDS_PER_SYNC",
            scan::MAX_RECORDS_PER_SYNC as i128,
        ),
    ];
    for (script, name, rust) in numbers {
        assert_eq!(number(script, name), rust, "{name}");
    }
    assert_eq!(text(PASS_JS, "TEXT_PREFIX"), pass::TEXT_PREFIX);
    assert_eq!(text(PASS_JS, "OLD_TEXT_PREFIX"), pass::OLD_TEXT_PREFIX);

    // The holder binding's salt: the label, then the key id (4 bytes), then the pass index
    // (8 bytes, big-endian).
    let label = std::str::from_utf8(pass::HOLDER_SALT_LABEL).unwrap();
    let salt = format!(
        "const salt = new Uint8Array({} + 4 + 8);\n  salt.set(enc.encode({label:?}), 0);",
        label.len()
    );
    assert!(
        PASS_JS.contains(&salt),
        "pass.js builds the salt as\n{salt}"
    );
}

const SCANNER_JS: &str = include_str!("../assets/scanner/scanner.js");

/// Each refusal the verifier gives (pass.js gives the same codes) has the scanner's words for
/// it in every language the scanner speaks: its own sentence in `REASONS`, or the message
/// `scanner-reason-<code>`. A code without them would show the escort a message id.
#[test]
fn every_refusal_has_the_scanners_words() {
    use pass::Outcome::*;
    let refusals = [
        WrongRv {
            pass_rv: 1,
            here: 2,
        },
        Early { by: 1 },
        NotYetValid { by: 1 },
        Revoked,
        Superseded,
        Expired { by: 1 },
        UnknownKey,
        BadSignature,
        HolderMismatch,
        NotAPass,
        OldFormat,
        StatusStale { age: 1 },
        StatusMissing,
        ClockBehind { by: 1 },
        TierUnreadable,
    ];
    let languages: Vec<_> = safeconduct_i18n::ALL
        .into_iter()
        .filter(|&l| !safeconduct_i18n::ids(l, "scanner").is_empty())
        .collect();
    assert!(languages.len() >= 5, "{languages:?}");
    for code in refusals.map(|o| o.code()) {
        assert!(
            PASS_JS.contains(&format!("\"{code}\"")),
            "pass.js gives {code}"
        );
        if SCANNER_JS.contains(&format!("\n  {code}: (v) =>")) {
            continue;
        }
        let id = format!("scanner-reason-{}", code.replace('_', "-"));
        for &language in &languages {
            assert!(safeconduct_i18n::has(language, &id), "{language:?} {id}");
        }
    }
}
