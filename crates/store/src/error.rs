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
    /// The operation's personal data was shredded: it cannot be read or added to, ever.
    #[error("the personal data of operation {0} was shredded")]
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
