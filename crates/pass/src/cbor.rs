//! The small subset of CBOR (RFC 8949) a pass uses, in deterministic encoding (section 4.2.1):
//! integers and lengths in their shortest form, definite lengths only, map keys in ascending
//! order. The reader accepts only that encoding, so every pass has exactly one byte form and
//! the signature covers it; anything else is refused, never guessed at.

/// Longest byte or text string a reader accepts; passes and status lists stay far below it.
const MAX_LEN: u64 = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

pub(crate) type Result<T> = std::result::Result<T, Malformed>;

const UINT: u8 = 0;
const NINT: u8 = 1;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;
const TAG: u8 = 6;
const NULL: u8 = 0xf6;

#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn head(&mut self, major: u8, n: u64) {
        let m = major << 5;
        match n {
            0..=23 => self.out.push(m | n as u8),
            24..=0xff => self.out.extend_from_slice(&[m | 24, n as u8]),
            0x100..=0xffff => {
                self.out.push(m | 25);
                self.out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                self.out.push(m | 26);
                self.out.extend_from_slice(&(n as u32).to_be_bytes());
            }
            _ => {
                self.out.push(m | 27);
                self.out.extend_from_slice(&n.to_be_bytes());
            }
        }
    }

    pub(crate) fn uint(&mut self, n: u64) -> &mut Self {
        self.head(UINT, n);
        self
    }

    /// A signed integer: major type 0 when non-negative, 1 when negative.
    pub(crate) fn int(&mut self, n: i64) -> &mut Self {
        if n >= 0 {
            self.head(UINT, n as u64);
        } else {
            self.head(NINT, (-1 - n) as u64);
        }
        self
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.head(BYTES, b.len() as u64);
        self.out.extend_from_slice(b);
        self
    }

    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        self.head(TEXT, s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
        self
    }

    pub(crate) fn array(&mut self, len: usize) -> &mut Self {
        self.head(ARRAY, len as u64);
        self
    }

    /// A map header; the caller writes `len` key/value pairs with keys in ascending order.
    pub(crate) fn map(&mut self, len: usize) -> &mut Self {
        self.head(MAP, len as u64);
        self
    }

    pub(crate) fn tag(&mut self, tag: u64) -> &mut Self {
        self.head(TAG, tag);
        self
    }

    pub(crate) fn null(&mut self) -> &mut Self {
        self.out.push(NULL);
        self
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.out
    }
}

pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or(Malformed)?;
        let s = self.data.get(self.pos..end).ok_or(Malformed)?;
        self.pos = end;
        Ok(s)
    }

    fn peek(&self) -> Result<u8> {
        self.data.get(self.pos).copied().ok_or(Malformed)
    }

    /// Reads a head of the given major type, refusing any longer-than-shortest form.
    fn head(&mut self, major: u8) -> Result<u64> {
        let first = self.take(1)?[0];
        if first >> 5 != major {
            return Err(Malformed);
        }
        let info = first & 0x1f;
        let (n, min) = match info {
            0..=23 => return Ok(info as u64),
            24 => (self.take(1)?[0] as u64, 24),
            25 => (
                u16::from_be_bytes(self.take(2)?.try_into().unwrap()) as u64,
                0x100,
            ),
            26 => (
                u32::from_be_bytes(self.take(4)?.try_into().unwrap()) as u64,
                0x1_0000,
            ),
            27 => (
                u64::from_be_bytes(self.take(8)?.try_into().unwrap()),
                0x1_0000_0000,
            ),
            _ => return Err(Malformed),
        };
        if n < min {
            return Err(Malformed);
        }
        Ok(n)
    }

    pub(crate) fn uint(&mut self) -> Result<u64> {
        self.head(UINT)
    }

    pub(crate) fn int(&mut self) -> Result<i64> {
        let major = self.peek()? >> 5;
        let n = self.head(major)?;
        let n = i64::try_from(n).map_err(|_| Malformed)?;
        match major {
            UINT => Ok(n),
            NINT => Ok(-1 - n),
            _ => Err(Malformed),
        }
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.head(BYTES)?;
        if n > MAX_LEN {
            return Err(Malformed);
        }
        self.take(n as usize)
    }

    pub(crate) fn text(&mut self) -> Result<&'a str> {
        let n = self.head(TEXT)?;
        if n > MAX_LEN {
            return Err(Malformed);
        }
        std::str::from_utf8(self.take(n as usize)?).map_err(|_| Malformed)
    }

    pub(crate) fn array(&mut self) -> Result<u64> {
        self.head(ARRAY)
    }

    pub(crate) fn map(&mut self) -> Result<u64> {
        self.head(MAP)
    }

    pub(crate) fn tag(&mut self) -> Result<u64> {
        self.head(TAG)
    }

    /// True, and consumed, when the next item is `null`.
    pub(crate) fn null(&mut self) -> Result<bool> {
        if self.peek()? == NULL {
            self.pos += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Reads the map key `expected`: maps are read in the one key order the writer uses.
    pub(crate) fn key(&mut self, expected: i64) -> Result<()> {
        if self.int()? == expected {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    pub(crate) fn is_tag(&self) -> bool {
        self.peek().is_ok_and(|b| b >> 5 == TAG)
    }

    /// Fails unless every byte left is a zero byte of padding.
    pub(crate) fn end_padded(&self) -> Result<()> {
        if self.data[self.pos..].iter().all(|&b| b == 0) {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// Fails unless every byte has been read.
    pub(crate) fn end(&self) -> Result<()> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(Malformed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_take_their_shortest_form() {
        for (n, len) in [
            (0u64, 1),
            (23, 1),
            (24, 2),
            (255, 2),
            (256, 3),
            (65_536, 5),
            (1 << 32, 9),
        ] {
            let mut w = Writer::new();
            w.uint(n);
            let bytes = w.finish();
            assert_eq!(bytes.len(), len, "{n}");
            let mut r = Reader::new(&bytes);
            assert_eq!(r.uint().unwrap(), n);
            r.end().unwrap();
        }
        let mut w = Writer::new();
        w.int(-8);
        assert_eq!(w.finish(), [0x27]);
    }

    #[test]
    fn longer_than_shortest_forms_are_refused() {
        // 5 written in two bytes instead of one.
        assert_eq!(Reader::new(&[0x18, 5]).uint(), Err(Malformed));
        // Indefinite-length byte string.
        assert_eq!(Reader::new(&[0x5f, 0x41, 1, 0xff]).bytes(), Err(Malformed));
    }

    #[test]
    fn truncated_input_is_refused() {
        assert_eq!(Reader::new(&[0x1a, 0, 0]).uint(), Err(Malformed));
        assert_eq!(Reader::new(&[0x45, 1, 2]).bytes(), Err(Malformed));
        assert_eq!(
            Reader::new(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).bytes(),
            Err(Malformed)
        );
    }
}
