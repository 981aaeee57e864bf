//! The receiver driven from outside over real sockets on 127.0.0.1, with a fake sink.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod commands;
mod concurrency;
mod delivery;
mod limits;
mod lmtp;
mod python;
mod shutdown;
mod tls;
