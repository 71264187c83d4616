//! Why a pass does not admit its household: the refusals the verifier and the server share.
//! A leaf beside `ids`, so that `error` can carry a refusal without depending on admission.

use crate::ids::RvId;

/// Why a pass does not admit its household here and now. The codes are the pass verifier's
/// outcome codes, so a field device and the server say the same thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the household's pass was revoked; do not admit it, and refer it to a coordinator")]
    Revoked,
    #[error(
        "the pass shown was replaced by a newer one; do not admit it, and ask for the current pass"
    )]
    Superseded,
    #[error("the household's pass is for rendezvous point {pass_rv}, not {here}; direct it there")]
    WrongRv { pass_rv: RvId, here: RvId },
    #[error(
        "the household's window opens in {} min ({by} s); it waits until then",
        by.div_ceil(60)
    )]
    Early { by: u64 },
    #[error(
        "the household's window closed {} min ago ({by} s); a coordinator reassigns it",
        by / 60
    )]
    Late { by: u64 },
}

impl Refusal {
    /// The stable machine code: `revoked`, `superseded`, `wrong_rv` or `outside_window`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Revoked => "revoked",
            Refusal::Superseded => "superseded",
            Refusal::WrongRv { .. } => "wrong_rv",
            Refusal::Early { .. } | Refusal::Late { .. } => "outside_window",
        }
    }
}
