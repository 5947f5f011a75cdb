//! What one scanning thread keeps: the texts it met, numbered, and a tally for each report
//! asked for. Every action is read once and handed to each tally.

use super::action::Action;
use super::counts::CountsTally;
use super::line::{Line, Text};
use super::names::Names;
use super::scan::Tally;
use super::summary::SummaryTally;
use super::time::Micros;
use super::usage::UsageTally;

/// The action type written when an action has none.
const DEFAULT_ACTION_TYPE: &[u8] = b"action";

/// The tallies of one scanning thread.
#[derive(Debug)]
pub(crate) struct Tallies<'s> {
    pub(crate) names: Names,
    /// User ids that mean "no user" (the pseudonym of an anonymous user).
    anonymous: &'s [String],
    pub(crate) summary: Option<SummaryTally>,
    pub(crate) usage: Option<UsageTally>,
    pub(crate) counts: Option<CountsTally>,
}

impl<'s> Tallies<'s> {
    pub(crate) fn new(
        anonymous: &'s [String],
        summary: Option<SummaryTally>,
        usage: Option<UsageTally>,
        counts: Option<CountsTally>,
    ) -> Self {
        Tallies { names: Names::default(), anonymous, summary, usage, counts }
    }

    fn is_anonymous(&self, user: Text<'_>) -> bool {
        user.is_empty()
            || (!self.anonymous.is_empty()
                && self.anonymous.iter().any(|a| a.as_bytes() == user.raw() || *a == user.get()))
    }
}

impl Tally for Tallies<'_> {
    fn add(&mut self, at: Micros, line: &Line<'_>) {
        let user = line.user_id.filter(|u| !self.is_anonymous(*u)).map(|u| self.names.id(u));
        let kind_text = line.action_type.map_or(DEFAULT_ACTION_TYPE, |t| t.raw());
        let kind = self.names.id(Text::written(kind_text));
        let feature = match (&self.summary, &self.counts) {
            (None, None) => None,
            _ => line.feature.or(line.data_feature).filter(|f| !f.is_empty()).map(|f| self.names.id(f)),
        };
        let action = Action { at, line, user, kind, kind_is_error: kind_text == b"error", feature };
        if let Some(summary) = &mut self.summary {
            summary.add(&mut self.names, &action);
        }
        if let Some(usage) = &mut self.usage {
            usage.add(&action);
        }
        if let Some(counts) = &mut self.counts {
            counts.add(&mut self.names, &action);
        }
    }

    fn merge(&mut self, other: Self) {
        let map = self.names.absorb(&other.names);
        if let (Some(mine), Some(theirs)) = (&mut self.summary, other.summary) {
            mine.merge(theirs, &map);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.usage, other.usage) {
            mine.merge(theirs, &map);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.counts, other.counts) {
            mine.merge(theirs, &map);
        }
    }
}
