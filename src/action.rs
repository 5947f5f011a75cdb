//! What a user did: the [`ActionType`] of an action and how it reads in a narrative line.
//!
//! An action's type travels as the string field [`action_type`](crate::fields::ACTION_TYPE) of a
//! `tracing` event, so the macros and a plain `tracing::info!(target: "user_activity", action_type =
//! "search", ...)` mean the same thing. The ten built-in types have a fixed snake_case name,
//! emoji and verb phrase; any other name is a [custom](ActionType::Custom) action.
//!
//! | type | `action_type` | emoji | narrative |
//! |---|---|---|---|
//! | [`Navigation`](ActionType::Navigation) | `navigation` | 📍 | User u1 navigated to '/home' |
//! | [`Click`](ActionType::Click) | `click` | 👆 | User u1 clicked 'submit-button' |
//! | [`FormSubmission`](ActionType::FormSubmission) | `form_submission` | 📝 | User u1 submitted form 'Contact' |
//! | [`ApiCall`](ActionType::ApiCall) | `api_call` | 🔌 | User u1 made API call to 'GET /users' |
//! | [`Search`](ActionType::Search) | `search` | 🔍 | User u1 searched for 'python' |
//! | [`Download`](ActionType::Download) | `download` | 📥 | User u1 downloaded 'report.pdf' |
//! | [`Upload`](ActionType::Upload) | `upload` | 📤 | User u1 uploaded 'avatar.png' |
//! | [`Auth`](ActionType::Auth) | `auth` | 🔐 | User u1 performed auth action 'login' |
//! | [`Error`](ActionType::Error) | `error` | ❌ | User u1 encountered error: 'ValidationError: …' |
//! | [`Performance`](ActionType::Performance) | `performance` | ⚡ | User u1 measured performance of 'report' |
//! | [`Custom`](ActionType::Custom) | the name itself | 🎯 | User u1 performed checkout 'cart 42' |
//! | `Custom("usage")`, from [`log_event!`](crate::log_event) | `usage` | 🎯 | User u1 used 'billing.create_invoice' |

use std::fmt;

/// The custom type of [`log_event!`](crate::log_event): "User u1 used 'module.func'".
pub(crate) const USAGE_ACTION: &str = "usage";

/// The kind of a user action.
///
/// `ActionType` is what the macros take as their first argument; anything that implements
/// [`AsActionName`] (a `&str` or `String` too) is accepted there.
///
/// ```
/// use tracing_activity::ActionType;
///
/// assert_eq!(ActionType::FormSubmission.name(), "form_submission");
/// assert_eq!(ActionType::from_name("api_call"), ActionType::ApiCall);
/// assert_eq!(ActionType::from_name("checkout"), ActionType::Custom("checkout"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionType<'a> {
    /// Page visits and route changes.
    Navigation,
    /// Button and link clicks.
    Click,
    /// Form submissions.
    FormSubmission,
    /// API requests and their responses.
    ApiCall,
    /// Search queries.
    Search,
    /// File downloads.
    Download,
    /// File uploads.
    Upload,
    /// Sign-in, sign-out and other authentication steps.
    Auth,
    /// Errors the user ran into.
    Error,
    /// Performance measurements.
    Performance,
    /// Any other action, named by the application (written as given, e.g. `checkout`).
    Custom(&'a str),
}

impl<'a> ActionType<'a> {
    /// The ten built-in types, in the order of the [`action`](crate::action) module's table.
    pub const BUILT_IN: [ActionType<'static>; 10] = [
        ActionType::Navigation,
        ActionType::Click,
        ActionType::FormSubmission,
        ActionType::ApiCall,
        ActionType::Search,
        ActionType::Download,
        ActionType::Upload,
        ActionType::Auth,
        ActionType::Error,
        ActionType::Performance,
    ];

    /// The snake_case name written to JSON as `action.action_type`.
    pub const fn name(&self) -> &'a str {
        match self {
            ActionType::Navigation => "navigation",
            ActionType::Click => "click",
            ActionType::FormSubmission => "form_submission",
            ActionType::ApiCall => "api_call",
            ActionType::Search => "search",
            ActionType::Download => "download",
            ActionType::Upload => "upload",
            ActionType::Auth => "auth",
            ActionType::Error => "error",
            ActionType::Performance => "performance",
            ActionType::Custom(name) => name,
        }
    }

    /// The type with this name: a built-in type for its snake_case name, otherwise a custom one.
    pub fn from_name(name: &'a str) -> Self {
        match name {
            "navigation" => ActionType::Navigation,
            "click" => ActionType::Click,
            "form_submission" => ActionType::FormSubmission,
            "api_call" => ActionType::ApiCall,
            "search" => ActionType::Search,
            "download" => ActionType::Download,
            "upload" => ActionType::Upload,
            "auth" => ActionType::Auth,
            "error" => ActionType::Error,
            "performance" => ActionType::Performance,
            other => ActionType::Custom(other),
        }
    }

    /// The emoji that starts this type's narrative line.
    pub const fn emoji(&self) -> &'static str {
        match self {
            ActionType::Navigation => "📍",
            ActionType::Click => "👆",
            ActionType::FormSubmission => "📝",
            ActionType::ApiCall => "🔌",
            ActionType::Search => "🔍",
            ActionType::Download => "📥",
            ActionType::Upload => "📤",
            ActionType::Auth => "🔐",
            ActionType::Error => "❌",
            ActionType::Performance => "⚡",
            ActionType::Custom(_) => "🎯",
        }
    }

    /// The verb phrase that follows the actor ("User u1 *navigated to* '/home'").
    ///
    /// A custom type reads "performed" followed by its name, except `usage` (the type of
    /// [`log_event!`](crate::log_event)), which reads "used" and is not named.
    pub const fn phrase(&self) -> &'static str {
        match self {
            ActionType::Navigation => "navigated to",
            ActionType::Click => "clicked",
            ActionType::FormSubmission => "submitted form",
            ActionType::ApiCall => "made API call to",
            ActionType::Search => "searched for",
            ActionType::Download => "downloaded",
            ActionType::Upload => "uploaded",
            ActionType::Auth => "performed auth action",
            ActionType::Error => "encountered error:",
            ActionType::Performance => "measured performance of",
            ActionType::Custom(name) => match name.as_bytes() {
                b"usage" => "used",
                _ => "performed",
            },
        }
    }

    /// Whether an action of this type succeeded when it does not say: errors did not.
    pub const fn default_success(&self) -> bool {
        !matches!(self, ActionType::Error)
    }

    /// The result text used when an action gives none.
    pub const fn default_result(&self, success: bool) -> &'static str {
        match (self, success) {
            (ActionType::Error, _) => "Error occurred",
            (ActionType::Navigation, true) => "Page loaded successfully",
            (_, true) => "Success",
            (_, false) => "Failed",
        }
    }
}

impl fmt::Display for ActionType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Anything the action macros accept as an action type: an [`ActionType`] or a name.
///
/// ```
/// use tracing_activity::{user_action, ActionType};
///
/// user_action!(ActionType::Click, "submit-button");
/// user_action!("checkout", "cart 42", amount_cents = 1999);
/// ```
pub trait AsActionName {
    /// The name written as the `action_type` field.
    fn action_name(&self) -> &str;
}

impl AsActionName for ActionType<'_> {
    fn action_name(&self) -> &str {
        self.name()
    }
}

impl AsActionName for str {
    fn action_name(&self) -> &str {
        self
    }
}

impl AsActionName for String {
    fn action_name(&self) -> &str {
        self
    }
}

impl<T: AsActionName + ?Sized> AsActionName for &T {
    fn action_name(&self) -> &str {
        (**self).action_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for ty in ActionType::BUILT_IN {
            assert_eq!(ActionType::from_name(ty.name()), ty);
            assert!(seen.insert(ty.emoji()), "emoji of {ty} is shared");
            assert!(ty.name().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{ty} is not snake_case");
        }
        assert_eq!(ActionType::from_name("Navigation"), ActionType::Custom("Navigation"));
    }

    #[test]
    fn errors_fail_by_default() {
        assert!(!ActionType::Error.default_success());
        assert!(ActionType::Click.default_success());
        assert_eq!(ActionType::Error.default_result(false), "Error occurred");
        assert_eq!(ActionType::Navigation.default_result(true), "Page loaded successfully");
    }
}
