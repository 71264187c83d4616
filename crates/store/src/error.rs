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
    /// The store cannot be reached right now; the request may be retried.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a damaged store. The detail is for the operator's log only.
    #[error("store failure: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound(what.into())
    }
}
