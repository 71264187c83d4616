//! Reading the real Helsinki extract, and refusing broken ones with an error that names what
//! is wrong.

use proptest::prelude::*;
use safeconduct_route::{PbfError, RouteError, network_from_pbf};

const EXTRACT: &[u8] = include_bytes!("../../../data/osm/helsinki-centre.osm.pbf");

/// A protobuf length-delimited field.
fn bytes_field(field: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![(field << 3) | 2];
    let mut len = payload.len();
    loop {
        let b = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(payload);
    out
}

/// A file of one blob: a header of `header` bytes, then `blob`.
fn framed(header: &[u8], blob: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(header);
    out.extend_from_slice(blob);
    out
}

fn header(kind: &str, size: usize) -> Vec<u8> {
    let mut h = bytes_field(1, kind.as_bytes());
    h.push(3 << 3);
    h.push(size as u8);
    h
}

#[test]
fn the_helsinki_extract_gives_a_connected_walking_network_with_names() {
    let network = network_from_pbf(EXTRACT).unwrap();
    assert!(
        network.node_count() > 5_000,
        "{} junctions",
        network.node_count()
    );
    assert!(network.edges().len() > 5_000);
    let main = (0..network.node_count() as u32)
        .filter(|&v| network.in_main_part(v))
        .count();
    assert!(main * 10 > network.node_count() * 9, "main part {main}");
    assert!(network.edges().iter().any(|e| {
        e.name
            .is_some_and(|n| network.name(n).name() == "Mannerheimintie")
    }));
    assert!(network.gazetteer().len() > 500);
}

#[test]
fn a_truncated_extract_is_refused_as_truncated() {
    let cut = &EXTRACT[..EXTRACT.len() / 2];
    let err = network_from_pbf(cut).unwrap_err();
    assert!(
        matches!(err, RouteError::Pbf(PbfError::Truncated { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("truncated"));
}

#[test]
fn a_file_cut_inside_the_length_prefix_is_truncated() {
    let err = network_from_pbf(&EXTRACT[..2]).unwrap_err();
    assert_eq!(
        err,
        RouteError::Pbf(PbfError::Truncated {
            what: "blob header length"
        })
    );
}

#[test]
fn a_blob_header_longer_than_the_format_allows_is_a_bad_blob_header() {
    let mut file = (1u32 << 20).to_be_bytes().to_vec();
    file.extend_from_slice(&[0; 16]);
    let err = network_from_pbf(&file).unwrap_err();
    assert!(
        matches!(
            err,
            RouteError::Pbf(PbfError::BadBlobHeader { offset: 0, .. })
        ),
        "{err}"
    );
}

#[test]
fn a_blob_header_without_a_type_is_a_bad_blob_header() {
    let file = framed(&[3 << 3, 0], &[]);
    let err = network_from_pbf(&file).unwrap_err();
    assert!(err.to_string().contains("no type"), "{err}");
}

#[test]
fn a_zstd_blob_is_refused_as_unsupported_compression() {
    let blob = bytes_field(7, &[1, 2, 3]);
    let file = framed(&header("OSMData", blob.len()), &blob);
    let err = network_from_pbf(&file).unwrap_err();
    assert_eq!(
        err,
        RouteError::Pbf(PbfError::UnsupportedCompression {
            offset: 0,
            compression: "zstd"
        })
    );
}

#[test]
fn a_varint_of_eleven_bytes_is_refused_as_a_bad_varint() {
    // A raw blob whose PrimitiveBlock starts with a field key that never ends.
    let block = [0xffu8; 11];
    let blob = bytes_field(1, &block);
    let file = framed(&header("OSMData", blob.len()), &blob);
    let err = network_from_pbf(&file).unwrap_err();
    assert_eq!(
        err,
        RouteError::Pbf(PbfError::BadVarint {
            what: "PrimitiveBlock"
        })
    );
}

#[test]
fn corrupt_zlib_data_is_refused_as_bad_compression() {
    let blob = bytes_field(3, &[0x78, 0x9c, 0xff, 0xff, 0xff]);
    let file = framed(&header("OSMData", blob.len()), &blob);
    let err = network_from_pbf(&file).unwrap_err();
    assert!(
        matches!(
            err,
            RouteError::Pbf(PbfError::BadCompression { offset: 0, .. })
        ),
        "{err}"
    );
}

#[test]
fn an_extract_without_data_blocks_is_refused() {
    let blob = bytes_field(1, &[]);
    let file = framed(&header("OSMHeader", blob.len()), &blob);
    assert_eq!(
        network_from_pbf(&file).unwrap_err(),
        RouteError::Pbf(PbfError::NoData)
    );
}

#[test]
fn a_required_feature_the_reader_lacks_is_named() {
    let block = bytes_field(4, b"HistoricalInformation");
    let blob = bytes_field(1, &block);
    let file = framed(&header("OSMHeader", blob.len()), &blob);
    assert_eq!(
        network_from_pbf(&file).unwrap_err(),
        RouteError::Pbf(PbfError::UnsupportedFeature("HistoricalInformation".into()))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_bytes_are_answered_with_a_network_or_an_error_never_a_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2_000)
    ) {
        let _ = network_from_pbf(&bytes);
    }

    #[test]
    fn any_bytes_after_a_valid_frame_header_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..600)
    ) {
        // A well-formed OSMData header followed by arbitrary blob bytes reaches the inner
        // decoders (Blob, PrimitiveBlock, DenseNodes, Way) rather than stopping at the frame.
        let blob = bytes_field(1, &body);
        let file = framed(&header("OSMData", blob.len().min(127)), &blob[..blob.len().min(127)]);
        let _ = network_from_pbf(&file);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn the_real_extract_with_a_byte_changed_never_panics(at in 0usize..EXTRACT.len(), byte in any::<u8>()) {
        let mut bytes = EXTRACT.to_vec();
        bytes[at] = byte;
        let _ = network_from_pbf(&bytes);
    }

    #[test]
    fn the_real_extract_cut_anywhere_never_panics(at in 0usize..EXTRACT.len()) {
        let _ = network_from_pbf(&EXTRACT[..at]);
    }
}
