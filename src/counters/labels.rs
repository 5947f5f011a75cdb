//! The names counted by name: features and action types, a bounded number of each.
//!
//! A feature comes from the request's route or path, so a client sending random paths could
//! make new names without end: each one a new Prometheus series and new store rows. The first
//! `USAGE_MAX_FEATURES` features (and as many custom action types, beside the ten built-in
//! ones) get a name; every later one is counted as [`OTHER`].

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::action::ActionType;

/// The name of what is past the limit.
pub(crate) const OTHER: &str = "other";

/// The number of a name within one [`Labels`] set. [`OTHER_LABEL`] is always there.
pub(crate) type Label = u16;

/// [`OTHER`]'s number.
pub(crate) const OTHER_LABEL: Label = 0;

/// The most names a set can hold, whatever the limit.
const MOST: usize = Label::MAX as usize;

/// One bounded set of names, shared by all threads. It is locked only when a thread meets a
/// name it has not seen before (each thread remembers the numbers it was given).
#[derive(Debug)]
pub(crate) struct Labels {
    /// Names beyond those given at the start.
    limit: usize,
    names: Mutex<Names>,
}

#[derive(Debug, Default)]
struct Names {
    ids: HashMap<String, Label>,
    list: Vec<String>,
}

impl Labels {
    /// A set holding [`OTHER`], then `first` (not counted against `limit`), then at most `limit`
    /// names more.
    pub(crate) fn new(first: &[&str], limit: usize) -> Self {
        let labels = Labels { limit: 0, names: Mutex::new(Names::default()) };
        for name in std::iter::once(&OTHER).chain(first) {
            labels.lock_and(|names| names.add(name));
        }
        Labels { limit: (limit + 1 + first.len()).min(MOST), ..labels }
    }

    /// The features' set.
    pub(crate) fn features(limit: usize) -> Self {
        Labels::new(&[], limit)
    }

    /// The action types' set: the ten built-in ones, then `limit` custom ones.
    pub(crate) fn action_types(limit: usize) -> Self {
        let built_in: Vec<&str> = ActionType::BUILT_IN.iter().map(|t| t.name()).collect();
        Labels::new(&built_in, limit)
    }

    /// The number of a built-in action type in [`action_types`](Self::action_types).
    pub(crate) fn built_in(action_type: ActionType<'_>) -> Option<Label> {
        let i = ActionType::BUILT_IN.iter().position(|t| *t == action_type)?;
        Label::try_from(i + 1).ok()
    }

    /// The number of `name`, given one while there is room, else [`OTHER_LABEL`].
    pub(crate) fn label(&self, name: &str) -> Label {
        let limit = self.limit;
        self.lock_and(|names| match names.ids.get(name) {
            Some(&label) => label,
            None if names.list.len() < limit => names.add(name),
            None => OTHER_LABEL,
        })
    }

    /// The names, in the order of their numbers.
    pub(crate) fn names(&self) -> Vec<String> {
        self.lock_and(|names| names.list.clone())
    }

    fn lock_and<T>(&self, f: impl FnOnce(&mut Names) -> T) -> T {
        f(&mut self.names.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Names {
    fn add(&mut self, name: &str) -> Label {
        let label = Label::try_from(self.list.len()).unwrap_or(OTHER_LABEL);
        self.list.push(name.to_owned());
        self.ids.insert(name.to_owned(), label);
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_past_the_limit_are_other() {
        let features = Labels::features(2);
        let a = features.label("users");
        let b = features.label("orders");
        assert_eq!(features.label("users"), a);
        assert_ne!(a, b);
        assert_eq!(features.label("random-path-1"), OTHER_LABEL);
        assert_eq!(features.label("random-path-2"), OTHER_LABEL);
        assert_eq!(features.names(), ["other", "users", "orders"]);
    }

    #[test]
    fn built_in_action_types_do_not_count_against_the_limit() {
        let types = Labels::action_types(1);
        assert_ne!(types.label("search"), OTHER_LABEL);
        assert_ne!(types.label("checkout"), OTHER_LABEL);
        assert_eq!(types.label("refund"), OTHER_LABEL);
        assert_eq!(types.names().len(), 1 + 10 + 1);
        for t in ActionType::BUILT_IN {
            assert_eq!(Labels::built_in(t), Some(types.label(t.name())), "{t:?}");
        }
        assert_eq!(Labels::built_in(ActionType::Custom("checkout")), None);
    }
}
