//! A minimal Protocol Buffers reader: varints, zig-zag, length-delimited fields and packed
//! repeated fields, enough for the OSM PBF messages and nothing more.
//!
//! Imports nothing of the crate but its error type: it knows wire types, not OSM.

use crate::error::PbfError;

/// The payload of one field as it sits on the wire.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Varint(u64),
    /// A fixed-width field; no field the reader uses is one, so its bytes are skipped.
    Fixed,
    Bytes(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The field as a varint, or an error naming the message and field that held something else.
    pub(crate) fn varint(self, message: &'static str, field: u32) -> Result<u64, PbfError> {
        match self {
            Value::Varint(v) => Ok(v),
            _ => Err(PbfError::WireType { message, field }),
        }
    }

    pub(crate) fn bytes(self, message: &'static str, field: u32) -> Result<&'a [u8], PbfError> {
        match self {
            Value::Bytes(b) => Ok(b),
            _ => Err(PbfError::WireType { message, field }),
        }
    }
}

/// Reads the fields of one message, in order.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    message: &'static str,
}

impl<'a> Reader<'a> {
    /// `message` names the message in errors ("BlobHeader", "DenseNodes"...).
    pub(crate) fn new(bytes: &'a [u8], message: &'static str) -> Self {
        Reader {
            bytes,
            at: 0,
            message,
        }
    }

    fn varint(&mut self) -> Result<u64, PbfError> {
        let (value, used) = read_varint(&self.bytes[self.at..], self.message)?;
        self.at += used;
        Ok(value)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PbfError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(PbfError::Truncated { what: self.message })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    /// The next field number and its value, or `None` at the end of the message.
    pub(crate) fn next_field(&mut self) -> Result<Option<(u32, Value<'a>)>, PbfError> {
        if self.at >= self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field =
            u32::try_from(key >> 3).map_err(|_| PbfError::BadVarint { what: self.message })?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Value::Fixed
            }
            2 => {
                let len = usize::try_from(self.varint()?)
                    .map_err(|_| PbfError::Truncated { what: self.message })?;
                Value::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Value::Fixed
            }
            other => {
                return Err(PbfError::UnknownWireType {
                    message: self.message,
                    wire_type: other as u8,
                });
            }
        };
        Ok(Some((field, value)))
    }
}

/// One varint from the start of `bytes`: its value and how many bytes it used.
pub(crate) fn read_varint(bytes: &[u8], what: &'static str) -> Result<(u64, usize), PbfError> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        // A u64 takes at most ten bytes, and the tenth may only carry the top bit.
        if i == 9 && b > 1 {
            return Err(PbfError::BadVarint { what });
        }
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    if bytes.len() >= 10 {
        Err(PbfError::BadVarint { what })
    } else {
        Err(PbfError::Truncated { what })
    }
}

pub(crate) fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Appends the values of a repeated varint field, packed or (as encoders may also write) not.
pub(crate) fn push_varints(
    value: Value<'_>,
    what: &'static str,
    out: &mut Vec<u64>,
) -> Result<(), PbfError> {
    match value {
        Value::Varint(v) => out.push(v),
        Value::Bytes(mut b) => {
            while !b.is_empty() {
                let (v, used) = read_varint(b, what)?;
                out.push(v);
                b = &b[used..];
            }
        }
        _ => {
            return Err(PbfError::WireType {
                message: what,
                field: 0,
            });
        }
    }
    Ok(())
}

/// A packed sint64 field whose values are deltas of the previous one (ids, lats, lons, refs).
pub(crate) fn delta_sint64(value: Value<'_>, what: &'static str) -> Result<Vec<i64>, PbfError> {
    let mut raw = Vec::new();
    push_varints(value, what, &mut raw)?;
    let mut acc = 0i64;
    Ok(raw
        .into_iter()
        .map(|v| {
            acc = acc.wrapping_add(zigzag(v));
            acc
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_varint_of_several_bytes_is_read_little_endian() {
        assert_eq!(read_varint(&[0xac, 0x02], "t").unwrap(), (300, 2));
        assert_eq!(read_varint(&[0x01], "t").unwrap(), (1, 1));
    }

    #[test]
    fn a_varint_longer_than_ten_bytes_is_refused() {
        let bytes = [0xffu8; 11];
        assert!(matches!(
            read_varint(&bytes, "t"),
            Err(PbfError::BadVarint { what: "t" })
        ));
    }

    #[test]
    fn a_varint_cut_off_is_reported_as_truncated() {
        assert!(matches!(
            read_varint(&[0x80, 0x80], "t"),
            Err(PbfError::Truncated { what: "t" })
        ));
    }

    #[test]
    fn zigzag_maps_small_magnitudes_to_small_codes() {
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(1), -1);
        assert_eq!(zigzag(2), 1);
        assert_eq!(zigzag(3), -2);
    }

    #[test]
    fn a_field_whose_length_runs_past_the_message_is_truncated() {
        // Field 1, wire type 2, length 5, but only two bytes follow.
        let mut r = Reader::new(&[0x0a, 0x05, 1, 2], "Blob");
        assert!(matches!(
            r.next_field(),
            Err(PbfError::Truncated { what: "Blob" })
        ));
    }

    #[test]
    fn an_unknown_wire_type_is_named() {
        let mut r = Reader::new(&[0x0b], "Way");
        assert!(matches!(
            r.next_field(),
            Err(PbfError::UnknownWireType {
                message: "Way",
                wire_type: 3
            })
        ));
    }
}
