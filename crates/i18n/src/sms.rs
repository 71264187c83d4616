//! How many SMS a text takes: GSM-7 when every character is in the GSM 03.38 alphabet (153
//! septets per part of a long message, the extension characters counting two), UCS-2
//! otherwise (67 UTF-16 units per part). Guidance and every message to a household must fit
//! in three parts.
//!
//! Imports nothing of the crate.

/// At most this many SMS for one route or one message.
pub const MAX_PARTS: usize = 3;

/// The GSM 03.38 basic alphabet, one septet each.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: an escape and the character, two septets each.
const GSM_EXTENSION: &str = "^{}\\[~]|€\u{0c}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// Units one SMS carries alone, and per part of a long message.
    fn capacity(self) -> (usize, usize) {
        match self {
            Encoding::Gsm7 => (160, 153),
            Encoding::Ucs2 => (70, 67),
        }
    }

    /// The most a text may take to fit in `MAX_PARTS` parts.
    pub fn limit(self) -> usize {
        self.capacity().1 * MAX_PARTS
    }
}

/// The encoding a phone would choose for `text`, and its length in that encoding's units.
pub fn measure(text: &str) -> (Encoding, usize) {
    let mut septets = 0;
    for c in text.chars() {
        if GSM_BASIC.contains(c) {
            septets += 1;
        } else if GSM_EXTENSION.contains(c) {
            septets += 2;
        } else {
            return (Encoding::Ucs2, text.encode_utf16().count());
        }
    }
    (Encoding::Gsm7, septets)
}

/// How many SMS `text` takes.
pub fn parts(text: &str) -> usize {
    let (encoding, units) = measure(text);
    let (single, per_part) = encoding.capacity();
    if units <= single {
        1
    } else {
        units.div_ceil(per_part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finnish_and_french_letters_stay_in_gsm_7() {
        assert_eq!(
            measure("Mannerheimintie, Töölö, Vous voici à destination é").0,
            Encoding::Gsm7
        );
    }

    #[test]
    fn a_circumflex_or_arabic_script_needs_ucs_2() {
        assert_eq!(measure("Vous êtes arrivé").0, Encoding::Ucs2);
        assert_eq!(measure("انعطف يمينا").0, Encoding::Ucs2);
    }

    #[test]
    fn long_messages_split_at_153_septets_or_67_units() {
        assert_eq!(parts(&"a".repeat(160)), 1);
        assert_eq!(parts(&"a".repeat(161)), 2);
        assert_eq!(parts(&"a".repeat(459)), 3);
        assert_eq!(parts(&"a".repeat(460)), 4);
        assert_eq!(parts(&"ب".repeat(70)), 1);
        assert_eq!(parts(&"ب".repeat(201)), 3);
        assert_eq!(parts(&"ب".repeat(202)), 4);
    }

    #[test]
    fn extension_characters_count_two_septets() {
        assert_eq!(measure("€"), (Encoding::Gsm7, 2));
    }
}
