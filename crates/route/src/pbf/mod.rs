//! Reads an OpenStreetMap PBF extract from bytes: the file's blob framing (BlobHeader, Blob,
//! raw or zlib), the header block's required features, and each primitive block's string
//! table, nodes (plain and dense) and ways. Relations are skipped: walking needs none.
//!
//! Knows the file format only: which ways are walkable is decided in `network`. Imports the
//! crate's error type and `protobuf`, nothing else.

mod protobuf;

use crate::error::PbfError;
use protobuf::{Reader, delta_sint64, push_varints, zigzag};
use std::collections::HashMap;

/// The limits the PBF specification sets, so that a hostile file cannot ask for gigabytes.
const MAX_HEADER_BYTES: usize = 64 * 1024;
const MAX_BLOB_BYTES: usize = 32 * 1024 * 1024;

/// Tags as (key, value) pairs, in file order.
pub type Tags = Vec<(String, String)>;

/// A node that carries tags (a shop, a mosque, a bus stop...).
#[derive(Debug, Clone)]
pub struct TaggedNode {
    pub id: i64,
    pub lat: f64,
    pub lon: f64,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub struct Way {
    pub id: i64,
    pub refs: Vec<i64>,
    pub tags: Tags,
}

/// What a walking network needs from an extract.
#[derive(Debug, Default)]
pub struct OsmData {
    /// Every node's position, by OSM id.
    pub positions: HashMap<i64, (f64, f64)>,
    pub tagged_nodes: Vec<TaggedNode>,
    /// Ways with at least one tag.
    pub ways: Vec<Way>,
}

/// Features of the OSMHeader this reader understands; any other required feature is refused.
const KNOWN_FEATURES: [&str; 2] = ["OsmSchema-V0.6", "DenseNodes"];

/// Decodes a whole extract.
pub fn read(bytes: &[u8]) -> Result<OsmData, PbfError> {
    let mut data = OsmData::default();
    let mut at = 0usize;
    let mut saw_data = false;
    while at < bytes.len() {
        let offset = at;
        let len_bytes = bytes.get(at..at + 4).ok_or(PbfError::Truncated {
            what: "blob header length",
        })?;
        let header_len = u32::from_be_bytes(len_bytes.try_into().expect("4 bytes")) as usize;
        if header_len > MAX_HEADER_BYTES {
            return Err(PbfError::BadBlobHeader {
                offset,
                reason: format!("header of {header_len} bytes exceeds {MAX_HEADER_BYTES}"),
            });
        }
        at += 4;
        let header = bytes
            .get(at..at + header_len)
            .ok_or(PbfError::Truncated { what: "BlobHeader" })?;
        at += header_len;
        let (kind, size) = blob_header(header, offset)?;
        let blob = bytes
            .get(at..at + size)
            .ok_or(PbfError::Truncated { what: "Blob" })?;
        at += size;
        let payload = inflate(blob, offset)?;
        match kind.as_str() {
            "OSMHeader" => check_header_block(&payload)?,
            "OSMData" => {
                saw_data = true;
                primitive_block(&payload, &mut data)?;
            }
            // Unknown blob types are to be skipped, says the specification.
            _ => {}
        }
    }
    if !saw_data {
        return Err(PbfError::NoData);
    }
    Ok(data)
}

fn blob_header(bytes: &[u8], offset: usize) -> Result<(String, usize), PbfError> {
    let bad = |reason: String| PbfError::BadBlobHeader { offset, reason };
    let mut kind = None;
    let mut size = None;
    let mut r = Reader::new(bytes, "BlobHeader");
    while let Some((field, value)) = r.next_field().map_err(|e| bad(e.to_string()))? {
        match field {
            1 => {
                let b = value.bytes("BlobHeader", 1)?;
                kind = Some(
                    std::str::from_utf8(b)
                        .map_err(|_| bad("type is not UTF-8".into()))?
                        .to_owned(),
                );
            }
            3 => size = Some(value.varint("BlobHeader", 3)?),
            _ => {}
        }
    }
    let kind = kind.ok_or_else(|| bad("no type".into()))?;
    let size = size.ok_or_else(|| bad("no datasize".into()))? as usize;
    if size > MAX_BLOB_BYTES {
        return Err(bad(format!(
            "datasize {size} exceeds {MAX_BLOB_BYTES} bytes"
        )));
    }
    Ok((kind, size))
}

fn inflate(blob: &[u8], offset: usize) -> Result<Vec<u8>, PbfError> {
    let mut raw_size = None;
    let mut r = Reader::new(blob, "Blob");
    while let Some((field, value)) = r.next_field()? {
        let compression = match field {
            1 => return Ok(value.bytes("Blob", 1)?.to_vec()),
            2 => {
                raw_size = Some(value.varint("Blob", 2)? as usize);
                continue;
            }
            3 => {
                let limit = raw_size.unwrap_or(MAX_BLOB_BYTES).min(MAX_BLOB_BYTES);
                let z = value.bytes("Blob", 3)?;
                return miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(z, limit).map_err(
                    |e| PbfError::BadCompression {
                        offset,
                        reason: format!("{:?}", e.status),
                    },
                );
            }
            4 => "lzma",
            5 => "bzip2",
            6 => "lz4",
            7 => "zstd",
            _ => continue,
        };
        return Err(PbfError::UnsupportedCompression {
            offset,
            compression,
        });
    }
    Err(PbfError::Malformed {
        message: "Blob",
        reason: format!("blob at byte {offset} holds no data"),
    })
}

fn check_header_block(bytes: &[u8]) -> Result<(), PbfError> {
    let mut r = Reader::new(bytes, "HeaderBlock");
    while let Some((field, value)) = r.next_field()? {
        if field == 4 {
            let feature = String::from_utf8_lossy(value.bytes("HeaderBlock", 4)?).into_owned();
            if !KNOWN_FEATURES.contains(&feature.as_str()) {
                return Err(PbfError::UnsupportedFeature(feature));
            }
        }
    }
    Ok(())
}

/// Positions in a block are offsets plus multiples of a granularity, in nanodegrees.
struct Scale {
    granularity: i64,
    lat_offset: i64,
    lon_offset: i64,
}

impl Scale {
    fn lat(&self, raw: i64) -> f64 {
        (self.lat_offset + self.granularity * raw) as f64 * 1e-9
    }
    fn lon(&self, raw: i64) -> f64 {
        (self.lon_offset + self.granularity * raw) as f64 * 1e-9
    }
}

fn primitive_block(bytes: &[u8], data: &mut OsmData) -> Result<(), PbfError> {
    let mut strings: Vec<String> = Vec::new();
    let mut groups = Vec::new();
    let mut scale = Scale {
        granularity: 100,
        lat_offset: 0,
        lon_offset: 0,
    };
    let mut r = Reader::new(bytes, "PrimitiveBlock");
    while let Some((field, value)) = r.next_field()? {
        match field {
            1 => strings = string_table(value.bytes("PrimitiveBlock", 1)?)?,
            2 => groups.push(value.bytes("PrimitiveBlock", 2)?),
            17 => scale.granularity = value.varint("PrimitiveBlock", 17)? as i64,
            19 => scale.lat_offset = value.varint("PrimitiveBlock", 19)? as i64,
            20 => scale.lon_offset = value.varint("PrimitiveBlock", 20)? as i64,
            _ => {}
        }
    }
    // Groups may come before the string table on the wire: decode them once it is known.
    let block = Block {
        strings: &strings,
        scale: &scale,
    };
    for group in groups {
        let mut r = Reader::new(group, "PrimitiveGroup");
        while let Some((field, value)) = r.next_field()? {
            match field {
                1 => block.node(value.bytes("PrimitiveGroup", 1)?, data)?,
                2 => block.dense_nodes(value.bytes("PrimitiveGroup", 2)?, data)?,
                3 => block.way(value.bytes("PrimitiveGroup", 3)?, data)?,
                _ => {}
            }
        }
    }
    Ok(())
}

fn string_table(bytes: &[u8]) -> Result<Vec<String>, PbfError> {
    let mut out = Vec::new();
    let mut r = Reader::new(bytes, "StringTable");
    while let Some((field, value)) = r.next_field()? {
        if field == 1 {
            out.push(String::from_utf8_lossy(value.bytes("StringTable", 1)?).into_owned());
        }
    }
    Ok(out)
}

struct Block<'a> {
    strings: &'a [String],
    scale: &'a Scale,
}

impl Block<'_> {
    fn string(&self, index: u64, message: &'static str) -> Result<String, PbfError> {
        self.strings
            .get(index as usize)
            .cloned()
            .ok_or_else(|| PbfError::Malformed {
                message,
                reason: format!(
                    "string index {index} beyond a table of {}",
                    self.strings.len()
                ),
            })
    }

    fn tags(&self, keys: &[u64], vals: &[u64], message: &'static str) -> Result<Tags, PbfError> {
        if keys.len() != vals.len() {
            return Err(PbfError::Malformed {
                message,
                reason: format!("{} keys but {} values", keys.len(), vals.len()),
            });
        }
        keys.iter()
            .zip(vals)
            .map(|(&k, &v)| Ok((self.string(k, message)?, self.string(v, message)?)))
            .collect()
    }

    fn add_node(&self, data: &mut OsmData, id: i64, lat: i64, lon: i64, tags: Tags) {
        let (lat, lon) = (self.scale.lat(lat), self.scale.lon(lon));
        data.positions.insert(id, (lat, lon));
        if !tags.is_empty() {
            data.tagged_nodes.push(TaggedNode { id, lat, lon, tags });
        }
    }

    fn node(&self, bytes: &[u8], data: &mut OsmData) -> Result<(), PbfError> {
        let (mut id, mut lat, mut lon) = (None, None, None);
        let (mut keys, mut vals) = (Vec::new(), Vec::new());
        let mut r = Reader::new(bytes, "Node");
        while let Some((field, value)) = r.next_field()? {
            match field {
                1 => id = Some(zigzag(value.varint("Node", 1)?)),
                2 => push_varints(value, "Node", &mut keys)?,
                3 => push_varints(value, "Node", &mut vals)?,
                8 => lat = Some(zigzag(value.varint("Node", 8)?)),
                9 => lon = Some(zigzag(value.varint("Node", 9)?)),
                _ => {}
            }
        }
        let missing = |what: &str| PbfError::Malformed {
            message: "Node",
            reason: format!("no {what}"),
        };
        let tags = self.tags(&keys, &vals, "Node")?;
        self.add_node(
            data,
            id.ok_or_else(|| missing("id"))?,
            lat.ok_or_else(|| missing("lat"))?,
            lon.ok_or_else(|| missing("lon"))?,
            tags,
        );
        Ok(())
    }

    fn dense_nodes(&self, bytes: &[u8], data: &mut OsmData) -> Result<(), PbfError> {
        let (mut ids, mut lats, mut lons) = (Vec::new(), Vec::new(), Vec::new());
        let mut keys_vals = Vec::new();
        let mut r = Reader::new(bytes, "DenseNodes");
        while let Some((field, value)) = r.next_field()? {
            match field {
                1 => ids = delta_sint64(value, "DenseNodes")?,
                8 => lats = delta_sint64(value, "DenseNodes")?,
                9 => lons = delta_sint64(value, "DenseNodes")?,
                10 => push_varints(value, "DenseNodes", &mut keys_vals)?,
                _ => {}
            }
        }
        if ids.len() != lats.len() || ids.len() != lons.len() {
            return Err(PbfError::Malformed {
                message: "DenseNodes",
                reason: format!(
                    "{} ids, {} latitudes, {} longitudes",
                    ids.len(),
                    lats.len(),
                    lons.len()
                ),
            });
        }
        // keys_vals holds, per node, key/value string indexes ending with a 0; empty when no
        // node of the block has tags.
        let mut kv = keys_vals.into_iter();
        for i in 0..ids.len() {
            let mut tags = Vec::new();
            while let Some(k) = kv.next() {
                if k == 0 {
                    break;
                }
                let v = kv.next().ok_or(PbfError::Truncated {
                    what: "DenseNodes keys_vals",
                })?;
                tags.push((self.string(k, "DenseNodes")?, self.string(v, "DenseNodes")?));
            }
            self.add_node(data, ids[i], lats[i], lons[i], tags);
        }
        Ok(())
    }

    fn way(&self, bytes: &[u8], data: &mut OsmData) -> Result<(), PbfError> {
        let mut id = None;
        let (mut keys, mut vals) = (Vec::new(), Vec::new());
        let mut refs = Vec::new();
        let mut r = Reader::new(bytes, "Way");
        while let Some((field, value)) = r.next_field()? {
            match field {
                1 => id = Some(value.varint("Way", 1)? as i64),
                2 => push_varints(value, "Way", &mut keys)?,
                3 => push_varints(value, "Way", &mut vals)?,
                8 => refs = delta_sint64(value, "Way")?,
                _ => {}
            }
        }
        let id = id.ok_or(PbfError::Malformed {
            message: "Way",
            reason: "no id".into(),
        })?;
        let tags = self.tags(&keys, &vals, "Way")?;
        if !tags.is_empty() {
            data.ways.push(Way { id, refs, tags });
        }
        Ok(())
    }
}

/// The value of a tag, if present.
pub fn tag<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}
