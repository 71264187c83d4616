//! Base45 (RFC 9285): bytes as characters of the QR code alphanumeric set, so a pass fits the
//! QR mode that packs 5.5 bits per character.

const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(2) * 3);
    let mut push = |n: usize| out.push(ALPHABET[n] as char);
    for pair in data.chunks(2) {
        if let [a, b] = pair {
            let n = (*a as usize) * 256 + *b as usize;
            push(n % 45);
            push(n / 45 % 45);
            push(n / 2025);
        } else {
            let n = pair[0] as usize;
            push(n % 45);
            push(n / 45);
        }
    }
    out
}

/// Value of each byte in the alphabet, 0xff for bytes outside it.
const VALUES: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

fn value(c: u8) -> Option<u32> {
    match VALUES[c as usize] {
        0xff => None,
        v => Some(v as u32),
    }
}

/// Decodes base45; `None` for a character outside the alphabet, a dangling single character,
/// or a group whose value does not fit its bytes.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 3 * 2 + 1);
    for group in bytes.chunks(3) {
        match *group {
            [c, d, e] => {
                let (c, d, e) = (value(c)?, value(d)?, value(e)?);
                let n = c + d * 45 + e * 2025;
                if n > 0xffff {
                    return None;
                }
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            [c, d] => {
                let n = value(c)? + value(d)? * 45;
                if n > 0xff {
                    return None;
                }
                out.push(n as u8);
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_9285_examples() {
        assert_eq!(encode(b"AB"), "BB8");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(decode("QED8WEX0").unwrap(), b"ietf!");
    }

    #[test]
    fn invalid_text_is_refused() {
        assert_eq!(decode("GGW"), None); // 65535 + 1
        assert_eq!(decode("A"), None);
        assert_eq!(decode("ab"), None);
        assert_eq!(decode("::"), None);
    }
}
