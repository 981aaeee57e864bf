//! One test binary for the crate, one module per area, all driving the public API with real MIME samples.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auto;
mod bodies;
mod charsets;
mod filenames;
mod helpers;
mod limits;
mod quoted;
mod sanitize;
mod tnef;
