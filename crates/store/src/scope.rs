//! Where a user or a field device may act: the rendezvous points and gates of an escort's or
//! gate staff's assignment. Used by the records of users (`types`) and of devices (`field`);
//! imports neither.

use safeconduct_domain::{GateId, Role, RvId};

/// The rendezvous points and gates an escort or gate user may act at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    pub rvs: Vec<RvId>,
    pub gates: Vec<GateId>,
}

impl Places {
    /// Whether something at rendezvous point `rv` and gate `gate` is within these places, for
    /// a caller acting in `role`: an escort's by its RV, gate staff's by its gate, anyone
    /// else's by either.
    pub fn include(&self, role: Option<Role>, rv: Option<RvId>, gate: Option<GateId>) -> bool {
        let at_rv = rv.is_some_and(|r| self.rvs.contains(&r));
        let at_gate = gate.is_some_and(|g| self.gates.contains(&g));
        match role {
            Some(Role::Escort) => at_rv,
            Some(Role::Gate) => at_gate,
            _ => at_rv || at_gate,
        }
    }
}
