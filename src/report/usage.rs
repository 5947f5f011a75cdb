//! The usage report: how many actions of each type each user did.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::action::Action;
use super::names::{Id, Map, Names};

/// The key actions without a user count under.
pub const ANONYMOUS: &str = "anonymous";

/// Actions per type and user: `{"summary": {"search": {"user123": 4, "anonymous": 1}}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Usage {
    /// Action type → user id (or [`ANONYMOUS`]) → actions.
    pub summary: BTreeMap<String, BTreeMap<String, u64>>,
    /// When the report was made.
    pub generated_at: DateTime<Utc>,
    /// The window's start.
    pub period_start: DateTime<Utc>,
    /// The window's end.
    pub period_end: DateTime<Utc>,
    /// Lines that are not activity JSON.
    pub skipped_lines: u64,
}

#[derive(Debug, Default)]
pub(crate) struct UsageTally {
    counts: Map<(Id, Option<Id>), u64>,
}

impl UsageTally {
    pub(crate) fn add(&mut self, action: &Action<'_, '_>) {
        *self.counts.entry((action.kind, action.user)).or_default() += 1;
    }

    pub(crate) fn merge(&mut self, other: UsageTally, map: &[Id]) {
        for ((kind, user), count) in other.counts {
            *self.counts.entry((map[kind as usize], user.map(|u| map[u as usize]))).or_default() += count;
        }
    }

    pub(crate) fn finish(self, names: &Names, period: (DateTime<Utc>, DateTime<Utc>), skipped: u64) -> Usage {
        let mut summary: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::default();
        for ((kind, user), count) in self.counts {
            let user = user.map_or_else(|| ANONYMOUS.to_owned(), |u| names.text(u));
            *summary.entry(names.text(kind)).or_default().entry(user).or_default() += count;
        }
        Usage {
            summary,
            generated_at: Utc::now(),
            period_start: period.0,
            period_end: period.1,
            skipped_lines: skipped,
        }
    }
}
