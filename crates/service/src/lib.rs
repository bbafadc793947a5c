//! zhichan's use cases. The service layer owns transactions, and (as accounts land) the
//! authorisation and audit of every read and write; the HTTP and CLI layers call only this.

pub mod demo;
pub mod reference;

use zhichan_domain::Violation;
use zhichan_store::{Db, StoreError};

/// Everything the application can do, over one database.
#[derive(Clone, Debug)]
pub struct Services {
    db: Db,
}

impl Services {
    pub fn new(db: Db) -> Self {
        Services { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Whether the database answers.
    pub async fn healthy(&self) -> bool {
        self.db.ping().await.is_ok()
    }

    pub fn reference(&self) -> reference::Reference<'_> {
        reference::Reference { db: &self.db }
    }
}

/// A refused field: the name the client used and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub violation: Violation,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, violation: Violation) -> Self {
        FieldViolation {
            field: field.into(),
            violation,
        }
    }
}

/// How a use case can fail, in terms the HTTP layer maps to a status.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Not there, or outside the caller's scope: the two are deliberately indistinguishable.
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldViolation>),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    pub fn invalid(field: impl Into<String>, violation: Violation) -> Self {
        ServiceError::Invalid(vec![FieldViolation::new(field, violation)])
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
