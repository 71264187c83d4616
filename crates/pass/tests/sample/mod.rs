//! The content of a sample pass, shared by the pass crate's tests and its verification
//! benchmark, so that both sign passes of the same shape. Knows nothing of any server or store.

use safeconduct_pass::{Checkpoint, Clear, Content, Gate, KeyId, holder_binding};

/// The clock every sample pass is issued and read against.
pub const NOW: u64 = 1_790_000_000;

/// Where and when a sample pass may be used: its RV, the start of its validity, and the window
/// at the RV.
pub struct Journey {
    pub rv: u64,
    pub not_before: u64,
    pub window_start: u64,
    pub window_end: u64,
}

/// A pass read at its RV inside its window at [`NOW`], valid since an hour before.
pub const AT_RV: Journey = Journey {
    rv: 4_000_017,
    not_before: NOW - 3600,
    window_start: NOW - 600,
    window_end: NOW + 1200,
};

/// A pass for `people`, valid until a day after [`NOW`], for the holder of the passport
/// `document` born in 1984 (bound under `kid` and `binding_index`).
pub fn content(
    kid: KeyId,
    index: u64,
    people: u64,
    journey: &Journey,
    (binding_index, document): (u64, &str),
) -> Content {
    Content {
        clear: Clear {
            kid,
            index,
            not_before: journey.not_before,
            expires: NOW + 86_400,
        },
        checkpoint: Checkpoint {
            rv: journey.rv,
            window_start: journey.window_start,
            window_end: journey.window_end,
            people,
            holder: Some(holder_binding(kid, binding_index, document, 1984)),
        },
        gate: Gate {
            reference: "7KQ2MX9D".into(),
            people,
            rv: journey.rv,
            window_start: journey.window_start,
        },
    }
}
