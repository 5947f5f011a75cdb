//! Filters for the other layers of a subscriber that has an [`ActivityLayer`](crate::ActivityLayer).
//!
//! An action's fields reach every layer of the subscriber as the application logged them:
//! `log_search!("rust", password = "hunter2")` is masked in the activity lines, but a
//! `fmt::layer()` beside them would print `password="hunter2"`. [`not_actions`] keeps actions
//! out of such a layer, which still sees every other event and every span (the HTTP
//! middleware's span values are cleaned before they are recorded, so they read there as in the
//! activity lines).
//!
//! ```
//! use tracing_activity::{Activity, Builder, Config};
//! use tracing_subscriber::prelude::*;
//!
//! # fn main() -> Result<(), tracing_activity::InitError> {
//! let activity = Builder::new().config(Config::default().enable_file_logging(false)).build()?;
//! let subscriber = tracing_subscriber::registry()
//!     .with(activity.layer)
//!     .with(tracing_subscriber::fmt::layer().with_filter(tracing_activity::filter::not_actions()));
//! # let _ = subscriber;
//! # Ok(())
//! # }
//! ```

use tracing_core::{Interest, Metadata};
use tracing_subscriber::layer::{Context, Filter};

use crate::fields::TARGET;

/// A per-layer [`Filter`] that lets everything through but actions (events whose target is
/// `user_activity`); see the [module](self).
pub fn not_actions() -> NotActions {
    NotActions
}

/// The filter [`not_actions`] makes.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotActions;

fn is_action(metadata: &Metadata<'_>) -> bool {
    metadata.is_event() && metadata.target() == TARGET
}

impl<S> Filter<S> for NotActions {
    fn enabled(&self, metadata: &Metadata<'_>, _: &Context<'_, S>) -> bool {
        !is_action(metadata)
    }

    fn callsite_enabled(&self, metadata: &'static Metadata<'static>) -> Interest {
        if is_action(metadata) { Interest::never() } else { Interest::always() }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_core::span::{Attributes, Id};
    use tracing_core::{Event, Subscriber};
    use tracing_subscriber::layer::{Context, Layer};
    use tracing_subscriber::prelude::*;

    use super::not_actions;

    /// Notes the name of every span and the target of every event it sees.
    struct Names(Arc<Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Names {
        fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
            self.0.lock().unwrap().push(format!("span {}", attrs.metadata().name()));
        }
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            self.0.lock().unwrap().push(format!("event {}", event.metadata().target()));
        }
    }

    #[test]
    fn other_events_and_spans_pass_and_actions_do_not() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let layer = Names(Arc::clone(&seen)).with_filter(not_actions());
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            let _span = tracing::info_span!("request").entered();
            tracing::info!(user = "u1", "an ordinary event");
            crate::log_search!("rust", password = "hunter2");
            tracing::info!(target: "user_activity_other", "a target that only starts like it");
        });
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            ["span request", "event tracing_activity::filter::tests", "event user_activity_other"]
        );
    }
}
