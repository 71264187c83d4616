//! Any bytes as an OpenStreetMap PBF extract, and as a hazard file: the readers answer with a
//! network or an error naming what is wrong; they never panic or run away with memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = safeconduct_route::network_from_pbf(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = safeconduct_route::hazards_from_geojson(text);
    }
});
