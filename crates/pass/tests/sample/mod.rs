//! The content of a sample pass, shared by the pass crate's tests and its verification
//! benchmark, so that both sign passes of the same shape. Knows nothing of any server or store.

#![allow(dead_code)]

use safeconduct_pass::{Checkpoint, Clear, Content, Gate, KeyId, holder_binding};

/// The clock every sample pass is issued and read against.
pub const NOW: u64 = 1_790_000_000;

/// The first UTC midnight at or after a day past [`NOW`]: when every sample pass expires.
pub const EXPIRES: u64 = (NOW + 86_400).div_ceil(86_400) * 86_400;

/// Where and when a sample pass may be used: its RV, the moment it was issued, and the window
/// at the RV.
pub struct Journey {
    pub rv: u64,
    pub not_before: u64,
    pub window_start: u64,
    pub window_end: u64,
}

/// A pass read at its RV inside its window at [`NOW`], issued an hour before.
pub const AT_RV: Journey = Journey {
    rv: 4_000_017,
    not_before: NOW - 3600,
    window_start: NOW - 600,
    window_end: NOW + 1200,
};

/// A pass for `people`, valid until [`EXPIRES`], bound (when `holder` names a binding index
/// and a passport number) to that passport of a holder born in 1984.
pub fn content(
    kid: KeyId,
    index: u64,
    people: u64,
    journey: &Journey,
    holder: Option<(u64, &str)>,
) -> Content {
    Content {
        clear: Clear::coarse(kid, index, journey.not_before, NOW + 86_400, 0),
        checkpoint: Checkpoint {
            rv: journey.rv,
            window_start: journey.window_start,
            window_end: journey.window_end,
            people,
            holder: holder.and_then(|(binding_index, document)| {
                holder_binding(kid, binding_index, document, Some(1984))
            }),
        },
        gate: Gate {
            reference: "7KQ2MX9D".into(),
            people,
            rv: journey.rv,
            window_start: journey.window_start,
        },
    }
}
