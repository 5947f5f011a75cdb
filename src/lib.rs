// The README is the crate's front page. For doctests it is included on `ReadmeDoctests` below
// instead, which exists only with the `http` and `metrics` features that its examples use.
#![cfg_attr(not(doctest), doc = include_str!("../README.md"))]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub, rust_2018_idioms)]

pub mod action;
mod builder;
pub mod config;
#[cfg(feature = "metrics")]
mod counters;
mod escape;
pub mod fields;
pub mod filter;
mod guard;
mod handoff;
#[cfg(feature = "report")]
mod histogram;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
mod layer;
mod macros;
mod otel;
pub mod privacy;
mod record;
mod render;
#[cfg(feature = "report")]
#[cfg_attr(docsrs, doc(cfg(feature = "report")))]
pub mod report;
mod sink;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod usage;
mod value;

pub use action::{ActionType, AsActionName};
pub use builder::{Activity, Builder, InitError};
pub use config::{Config, ConfigError, IpCidr, MaskStyle, OverflowPolicy, Secret, UsageInterval};
pub use fields::TARGET;
pub use guard::{ActivityGuard, Stats};
pub use layer::ActivityLayer;

/// Installs the activity layer as the global subscriber, configured from the environment.
///
/// This is `registry()`, a filter and the [`ActivityLayer`]: an `EnvFilter` of `RUST_LOG` when set,
/// otherwise a static filter passing every action plus spans and events at the sinks' levels
/// (see [`Builder::try_init`]).
/// Keep the returned guard alive until the application exits: dropping it writes out the queued
/// lines (waiting at most `LOG_FLUSH_TIMEOUT`) and closes the log file.
///
/// # Errors
/// A configuration variable that does not parse, a log file that cannot be opened, an invalid
/// `RUST_LOG`, or a global subscriber that is already installed.
pub fn try_init() -> Result<ActivityGuard, InitError> {
    Builder::from_env()?.try_init()
}

/// Like [`try_init`], but panics with a message that names the cause if it fails.
///
/// # Panics
/// When [`try_init`] returns an error.
pub fn init() -> ActivityGuard {
    builder::expect_started(try_init())
}

/// The README's examples, as doctests: run with the features they use
/// (`cargo test --doc --all-features`).
#[cfg(all(doctest, feature = "http", feature = "metrics"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[doc(hidden)]
pub mod __private {
    use std::fmt;

    pub use tracing;
    pub use tracing::Level;

    /// The result of a search with a count: "1 result", "0 results", "150 results".
    #[derive(Debug)]
    pub struct SearchResults<'a, T: ?Sized>(pub &'a T);

    impl<T: fmt::Display + ?Sized> fmt::Display for SearchResults<'_, T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            /// Whether what is written is exactly "1", without keeping it.
            struct IsOne(Option<bool>);
            impl fmt::Write for IsOne {
                fn write_str(&mut self, s: &str) -> fmt::Result {
                    self.0 = match (self.0, s) {
                        (_, "") => self.0,
                        (None, "1") => Some(true),
                        _ => Some(false),
                    };
                    Ok(())
                }
            }
            let mut one = IsOne(None);
            // Writing into `IsOne` cannot fail.
            let _ = fmt::write(&mut one, format_args!("{}", self.0));
            let noun = if one.0 == Some(true) { "result" } else { "results" };
            write!(f, "{} {noun}", self.0)
        }
    }
}
