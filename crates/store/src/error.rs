use safeconduct_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with what is stored (a duplicate, a concurrent change).
    #[error("{0}")]
    Conflict(String),
    /// The domain refused the change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The operation's personal data was shredded, its pass keys with it: it cannot be read or
    /// added to, ever, and none of its passes is given out or verifies.
    #[error(
        "operation {0} was shredded: its personal data, its passes and its pass keys are gone for good"
    )]
    Shredded(safeconduct_domain::OperationId),
    /// The field device is suspended (by a coordinator, or retired by its own user): what it
    /// sends and asks for is refused for good.
    #[error("device {0} is suspended: its records and kit requests are refused; ask a coordinator")]
    DeviceSuspended(safeconduct_domain::FieldDeviceId),
    /// The store cannot be reached right now; the request may be retried.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a damaged store. The detail is for the operator's log only.
    #[error("store failure: {0}")]
    Internal(String),
}

/// What a write refused by a case's version guard says.
const CHANGED_MEANWHILE: &str = "the case changed while this step was decided; read it again";

impl StoreError {
    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound(what.into())
    }

    /// A write refused because a case it was decided on changed before it was written (the
    /// case's version guard): nothing was written, and deciding again on the case as it is now
    /// may succeed.
    pub fn changed_meanwhile() -> Self {
        StoreError::Conflict(CHANGED_MEANWHILE.into())
    }

    pub fn is_changed_meanwhile(&self) -> bool {
        matches!(self, StoreError::Conflict(m) if m == CHANGED_MEANWHILE)
    }
}

/// Runs `attempt` up to `attempts` times while it is refused because a case changed meanwhile
/// ([`StoreError::changed_meanwhile`]); any other answer, or the last refusal, is returned.
/// For work that the caller would only send again unchanged (a device's sync).
pub(crate) fn again_while_changed<T>(
    attempts: u32,
    mut attempt: impl FnMut() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut tried = 1;
    loop {
        match attempt() {
            Err(e) if e.is_changed_meanwhile() && tried < attempts => tried += 1,
            answer => return answer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_refused_because_a_case_changed_is_run_again_a_bounded_number_of_times() {
        let mut runs = 0;
        let answer = again_while_changed(3, || {
            runs += 1;
            if runs < 3 {
                Err(StoreError::changed_meanwhile())
            } else {
                Ok(runs)
            }
        });
        assert_eq!(answer.unwrap(), 3);

        let mut runs = 0;
        let answer: Result<(), _> = again_while_changed(3, || {
            runs += 1;
            Err(StoreError::changed_meanwhile())
        });
        assert!(answer.unwrap_err().is_changed_meanwhile());
        assert_eq!(runs, 3, "bounded");

        // Any other refusal is final at once: a reused sequence number stays a conflict.
        let mut runs = 0;
        let answer: Result<(), _> = again_while_changed(3, || {
            runs += 1;
            Err(StoreError::Conflict("record seq 4 differs".into()))
        });
        assert!(!answer.unwrap_err().is_changed_meanwhile());
        assert_eq!(runs, 1);
    }
}
