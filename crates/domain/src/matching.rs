//! Keys that let two records of the same person be found even when volunteers spelled the
//! name differently (Mohammad/Muhammad, Noori/Nouri, Haidari/Hydari/Haideri), wrote it as
//! "SURNAME, Given", or used Dari/Pashto script.

/// A key of a Latin-script name: each word reduced to its first letter and its consonant
/// skeleton (vowels and the glides y/w dropped after the first letter, doubled letters
/// collapsed, a final h after a vowel dropped), the words sorted. "SAFI, Abdul Rahim" and
/// "Abdul Rahim Safi" share a key; so do "Mohammad" and "Muhammad".
pub fn latin_name_key(name: &str) -> String {
    let reordered = match name.split_once(',') {
        Some((surname, given)) => format!("{given} {surname}"),
        None => name.to_string(),
    };
    let mut words: Vec<String> = reordered
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(word_skeleton)
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words.join(" ")
}

fn fold_latin(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ā' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'ē' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ī' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'ō' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'ū' => 'u',
        _ => c,
    }
}

fn word_skeleton(word: &str) -> String {
    let lower: Vec<char> = word
        .chars()
        .flat_map(char::to_lowercase)
        .map(fold_latin)
        .filter(|c| c.is_ascii_alphabetic())
        .collect();
    let Some(&first) = lower.first() else {
        return String::new();
    };
    let is_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w');
    let mut end = lower.len();
    if end > 2 && lower[end - 1] == 'h' && is_vowel(lower[end - 2]) {
        end -= 1;
    }
    let mut out = String::new();
    out.push(first);
    let mut last = first;
    for &c in &lower[1..end] {
        if is_vowel(c) || c == last {
            continue;
        }
        out.push(c);
        last = c;
    }
    out
}

/// A key of a name in Arabic script (Dari, Pashto, Arabic): letter variants folded (Arabic
/// and Persian yeh and kaf, alef forms, teh marbuta), diacritics, spaces and zero-width
/// joiners removed.
pub fn native_name_key(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'ي' | 'ى' | 'ئ' => Some('ی'),
            'ك' => Some('ک'),
            'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
            'ة' => Some('ه'),
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{200C}' | '\u{200D}' => None,
            c if c.is_whitespace() => None,
            c if c.is_alphabetic() => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_share_a_key() {
        assert_eq!(
            latin_name_key("Mohammad Safi"),
            latin_name_key("Muhammad Safi")
        );
        assert_eq!(
            latin_name_key("Sadia Haidari"),
            latin_name_key("Sadia Hydari")
        );
        assert_eq!(
            latin_name_key("HAIDERI, Abdul Rahim"),
            latin_name_key("Abdul Rahim Haidari")
        );
        assert_eq!(
            latin_name_key("Mariam Karimi"),
            latin_name_key("Maryam Karimi")
        );
        assert_eq!(
            latin_name_key("Fatima Noori"),
            latin_name_key("Fatimah Nouri")
        );
    }

    #[test]
    fn different_names_differ() {
        assert_ne!(latin_name_key("Karim Safi"), latin_name_key("Najib Safi"));
        assert_ne!(latin_name_key("Omid Amiri"), latin_name_key("Omid Karimi"));
    }

    #[test]
    fn native_keys_fold_letter_variants() {
        assert_eq!(native_name_key("علي كريمي"), native_name_key("علی کریمی"));
    }
}
