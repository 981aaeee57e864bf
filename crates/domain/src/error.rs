//! Validation errors that name the field at fault, so the web edge can report them field by field.

use serde::Serialize;

/// One rejected value: which field, and why, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Dotted path of the field in the request, e.g. `requester.email`.
    pub field: String,
    pub message: String,
}

/// A value or a request that breaks a domain rule; holds every field error found, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", summary(.0))]
pub struct Invalid(pub Vec<FieldError>);

fn summary(errors: &[FieldError]) -> String {
    lines(errors).join("; ")
}

fn lines(errors: &[FieldError]) -> Vec<String> {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect()
}

impl Invalid {
    /// Each error as `field: message`, for a form that shows them above itself.
    pub fn lines(&self) -> Vec<String> {
        lines(&self.0)
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError { field: field.into(), message: message.into() }])
    }

    /// Report every error under one field name (for values that arrived under another name).
    pub fn at(mut self, field: &str) -> Self {
        for e in &mut self.0 {
            e.field = field.to_string();
        }
        self
    }

    /// Prefix every field path, e.g. `email` becomes `requester.email`.
    pub fn within(mut self, parent: &str) -> Self {
        for e in &mut self.0 {
            e.field = if e.field.is_empty() { parent.to_string() } else { format!("{parent}.{}", e.field) };
        }
        self
    }
}

/// Collects field errors while a request is checked, so the caller gets all of them at once.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keep the value if it parsed, remember the error if not.
    pub fn check<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(Invalid(errs)) => {
                self.errors.extend(errs);
                None
            }
        }
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), message: message.into() });
    }

    pub fn finish(self) -> Result<(), Invalid> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Invalid(self.errors))
        }
    }
}
