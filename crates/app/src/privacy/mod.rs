//! What Parley promises about privacy, as features: the subprocessor register and the
//! features whose providers an owner consents to.

pub mod dpa;
pub mod erasure;
pub mod export;
pub mod features;
pub mod incidents;
pub mod notices;
pub mod retention;
pub mod subprocessors;
