//! Macros that log user actions.
//!
//! Every macro expands to one plain `tracing` event with target `user_activity` and the field
//! names of [`crate::fields`], so it costs what a `tracing::info!` costs, is filtered like any
//! event (keep the spans that carry the session enabled: `RUST_LOG=info,user_activity=trace`)
//! and is seen by every other layer too. Extra
//! `name = value` fields (with tracing's `%` and `?` sigils) go to the action's `data`, and
//! session fields (`user_id = ...`, `current_page = ...`) override the spans' for this action.

/// Logs a user action: type, description, then any fields.
///
/// ```
/// use tracing_activity::{user_action, ActionType};
/// use tracing::Level;
///
/// user_action!(ActionType::Navigation, "/user-queries");
/// user_action!(
///     ActionType::FormSubmission,
///     "Create User Query",
///     result = "Query created successfully",
///     success = true,
///     duration_ms = 12.5,
///     query_length = 42,
/// );
/// user_action!(level: Level::WARN, ActionType::Performance, "report", duration_ms = 1800);
/// user_action!("checkout", "cart 42", amount_cents = 1999);
/// ```
///
/// - type: an [`ActionType`](crate::ActionType), or any name (`&str`, `String`) for a custom type;
/// - description: anything `tracing` can record (`&str`, `String`, `format_args!(...)`);
/// - `result` (words), `success` (bool), `duration_ms` (number): optional, see [`crate::fields`];
/// - `level: Level::WARN` first: the level (default INFO). Slow actions are raised to WARN.
#[macro_export]
macro_rules! user_action {
    (level: $lvl:expr, $ty:expr, $desc:expr $(, $($fields:tt)*)?) => {
        $crate::__private::tracing::event!(
            target: "user_activity",
            $lvl,
            action_type = $crate::AsActionName::action_name(&$ty),
            description = $desc
            $(, $($fields)*)?
        )
    };
    ($ty:expr, $desc:expr $(, $($fields:tt)*)?) => {
        $crate::user_action!(level: $crate::__private::Level::INFO, $ty, $desc $(, $($fields)*)?)
    };
}

/// Logs an action at INFO when `ok` is true, at WARN when it is false, with `success = ok`.
#[doc(hidden)]
#[macro_export]
macro_rules! __action_by_success {
    ($ok:expr, $ty:expr, $desc:expr $(, $($fields:tt)*)?) => {
        match $ok {
            ok => {
                if ok {
                    $crate::user_action!(level: $crate::__private::Level::INFO, $ty, $desc, success = ok $(, $($fields)*)?)
                } else {
                    $crate::user_action!(level: $crate::__private::Level::WARN, $ty, $desc, success = ok $(, $($fields)*)?)
                }
            }
        }
    };
}

/// Logs a click on an element: `log_click!("submit-button", current_page = "/create-item")`.
///
/// ```
/// tracing_activity::log_click!("submit-button", current_page = "/create-item");
/// ```
#[macro_export]
macro_rules! log_click {
    ($element:expr $(, $($fields:tt)*)?) => {
        $crate::user_action!($crate::ActionType::Click, $element $(, $($fields)*)?)
    };
}

/// Logs a page visit: `log_navigation!("/dashboard")`.
///
/// The result defaults to "Page loaded successfully".
///
/// ```
/// tracing_activity::log_navigation!("/dashboard", referrer = "/home");
/// ```
#[macro_export]
macro_rules! log_navigation {
    ($page:expr $(, $($fields:tt)*)?) => {
        $crate::user_action!($crate::ActionType::Navigation, $page $(, $($fields)*)?)
    };
}

/// Logs a search: `log_search!("python tutorials", results_count = 150)`.
///
/// With `results_count` (an integer) first among the fields, the result reads "150 results"
/// ("1 result", "0 results").
///
/// ```
/// tracing_activity::log_search!("python tutorials", results_count = 150);
/// tracing_activity::log_search!("rust", filters = "recent");
/// ```
#[macro_export]
macro_rules! log_search {
    ($query:expr, results_count = $count:expr $(, $($fields:tt)*)?) => {
        match $count {
            count => $crate::user_action!(
                $crate::ActionType::Search,
                $query,
                result = %$crate::__private::SearchResults(&count),
                results_count = count
                $(, $($fields)*)?
            ),
        }
    };
    ($query:expr $(, $($fields:tt)*)?) => {
        $crate::user_action!($crate::ActionType::Search, $query $(, $($fields)*)?)
    };
}

/// Logs a form submission: `log_form_submission!("Contact Form", success = true)`.
///
/// A failed submission (`success = false`) is logged at WARN; add what went wrong as fields.
/// `success = ...` must come right after the form name for that; elsewhere among the fields it
/// is recorded but the level stays INFO.
///
/// ```
/// tracing_activity::log_form_submission!("Contact Form", success = true);
/// tracing_activity::log_form_submission!(
///     "Contact Form",
///     success = false,
///     validation_errors = ?["email is required"],
/// );
/// ```
#[macro_export]
macro_rules! log_form_submission {
    ($form:expr, success = $ok:expr $(, $($fields:tt)*)?) => {
        $crate::__action_by_success!($ok, $crate::ActionType::FormSubmission, $form $(, $($fields)*)?)
    };
    ($form:expr $(, $($fields:tt)*)?) => {
        $crate::user_action!($crate::ActionType::FormSubmission, $form $(, $($fields)*)?)
    };
}

/// Logs a file upload: `log_upload!("avatar.png", size_bytes = 48_213)`.
///
/// ```
/// tracing_activity::log_upload!("avatar.png", size_bytes = 48_213, content_type = "image/png");
/// ```
#[macro_export]
macro_rules! log_upload {
    ($file:expr $(, $($fields:tt)*)?) => {
        $crate::user_action!($crate::ActionType::Upload, $file $(, $($fields)*)?)
    };
}

/// Logs a file download: `log_download!("report.pdf", size_bytes = 1_048_576)`.
///
/// ```
/// tracing_activity::log_download!("report.pdf", size_bytes = 1_048_576);
/// ```
#[macro_export]
macro_rules! log_download {
    ($file:expr $(, $($fields:tt)*)?) => {
        $crate::user_action!($crate::ActionType::Download, $file $(, $($fields)*)?)
    };
}

/// Logs an authentication step: `log_auth!("login", success = true, method = "password")`.
///
/// A failed step (`success = false`) is logged at WARN (`success = ...` must come right after
/// the step's name for that).
///
/// ```
/// tracing_activity::log_auth!("login", success = false, method = "password", reason = "bad password");
/// tracing_activity::log_auth!("logout");
/// ```
#[macro_export]
macro_rules! log_auth {
    ($action:expr, success = $ok:expr $(, $($fields:tt)*)?) => {
        $crate::__action_by_success!($ok, $crate::ActionType::Auth, $action $(, $($fields)*)?)
    };
    ($action:expr $(, $($fields:tt)*)?) => {
        $crate::user_action!($crate::ActionType::Auth, $action $(, $($fields)*)?)
    };
}

/// Logs an error the user ran into, at ERROR: type, message, then context fields.
///
/// The description reads `"<type>: <message>"`, the action fails, and `error_type` and
/// `error_message` are also written to `data` for querying.
///
/// ```
/// tracing_activity::log_error!("ValidationError", "Query cannot be empty", field = "query");
/// ```
#[macro_export]
macro_rules! log_error {
    ($error_type:expr, $message:expr $(, $($fields:tt)*)?) => {
        match (&$error_type, &$message) {
            (error_type, message) => $crate::user_action!(
                level: $crate::__private::Level::ERROR,
                $crate::ActionType::Error,
                format_args!("{}: {}", error_type, message),
                success = false,
                error_type = %error_type,
                error_message = %message
                $(, $($fields)*)?
            ),
        }
    };
}

/// Logs that a user used a function of a module: `log_event!(module, func, user_id, fields…)`.
///
/// The action type is `usage`, the description `module.func`, `module` and `func` go to `data`
/// with the other fields, and `user_id` (a `&str`, a `String`, or an `Option` of one; `None`
/// means anonymous) is the session's user for this action. The example below reads
/// `🎯 User user123 used 'document_processor.extract_text' at 14:30:25 → ✅ Result: Success`.
///
/// ```
/// let user: Option<&str> = Some("user123");
/// tracing_activity::log_event!(
///     "document_processor", "extract_text", user,
///     document_type = "pdf", page_count = 10, processing_time_ms = 250.5, success = true,
/// );
/// ```
#[macro_export]
macro_rules! log_event {
    ($module:expr, $func:expr, $user_id:expr $(, $($fields:tt)*)?) => {
        match (&$module, &$func) {
            (module, func) => $crate::user_action!(
                $crate::ActionType::Custom("usage"),
                format_args!("{}.{}", module, func),
                module = %module,
                func = %func,
                user_id = $user_id
                $(, $($fields)*)?
            ),
        }
    };
}
