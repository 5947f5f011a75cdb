//! One action of a log line inside the report's window, as every report reads it.

use super::line::{Line, Text};
use super::names::Id;
use super::time::Micros;

/// One action inside the window, with the texts every tally uses already numbered.
#[derive(Debug)]
pub(crate) struct Action<'l, 'a> {
    pub(crate) at: Micros,
    pub(crate) line: &'l Line<'a>,
    /// `None` for an anonymous user.
    pub(crate) user: Option<Id>,
    pub(crate) kind: Id,
    pub(crate) kind_is_error: bool,
    pub(crate) feature: Option<Id>,
}

impl<'a> Action<'_, 'a> {
    /// Where a request went: its URL's path without query or fragment, else its description.
    pub(crate) fn endpoint(&self) -> Text<'a> {
        let Some(url) = self.line.url.filter(|u| !u.is_empty()) else {
            return self.line.description.unwrap_or_default();
        };
        let mut raw = url.raw();
        if let Some(scheme_end) = memchr::memmem::find(raw, b"://") {
            let after = &raw[scheme_end + 3..];
            raw = after.iter().position(|&b| b == b'/').map_or(b"/", |slash| &after[slash..]);
        }
        let end = raw.iter().position(|&b| b == b'?' || b == b'#').unwrap_or(raw.len());
        Text::written(&raw[..end])
    }
}
