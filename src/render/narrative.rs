//! The narrative line: `📍 User user123 navigated to '/home' at 14:30:25 → ✅ Result: Page loaded successfully`.
//!
//! Parts, in order (each escaped with [`push_text`]):
//!
//! 1. the type's emoji (when `ENABLE_EMOJIS`);
//! 2. the actor: `User <id>`, or `Anonymous user from <ip>` / `Anonymous user` without an id;
//!    just `User` when `ENABLE_USER_INFO` is off;
//! 3. the type's verb phrase, and for a custom type its name;
//! 4. the description in single quotes, when there is one;
//! 5. ` at HH:MM:SS` in local time (when `ENABLE_TIMESTAMPS`);
//! 6. ` → ✅ Result: <result>` (`❌` when the action failed; without emojis `Result:` and
//!    `Result (failed):`);
//! 7. ` (took 45.32ms)` when the action has a duration;
//! 8. ` ⚠️ SLOW` or ` 🚨 VERY SLOW` (`[SLOW]`, `[VERY SLOW]` without emojis) at the thresholds.

use super::escape::push_text;
use super::number::push_f64_2;
use super::{Action, EventKind, Renderer, Slowness};
use crate::action::ActionType;
use crate::fields::{IP_ADDRESS_SLOT, USER_ID_SLOT};

impl Renderer {
    /// Writes the narrative of `action` (no level, no newline) into `out`.
    pub(crate) fn narrative(&self, action: &Action<'_>, out: &mut String) {
        if self.emojis {
            out.push_str(match action.kind {
                EventKind::Action => action.action_type.emoji(),
                EventKind::Log => "💬",
            });
            out.push(' ');
        }
        self.actor(action, out);
        out.push(' ');
        match (action.kind, action.action_type) {
            (EventKind::Log, _) => out.push_str("logged"),
            (EventKind::Action, ActionType::Custom(name)) => {
                out.push_str(action.action_type.phrase());
                out.push(' ');
                push_text(out, name);
            }
            (EventKind::Action, ty) => out.push_str(ty.phrase()),
        }
        if !action.description.is_empty() {
            out.push_str(" '");
            push_text(out, action.description);
            out.push('\'');
        }
        if self.timestamps {
            out.push_str(" at ");
            out.push_str(action.time.local_hms());
        }
        if action.kind == EventKind::Log {
            return;
        }
        out.push_str(" → ");
        out.push_str(match (self.emojis, action.success) {
            (true, true) => "✅ Result: ",
            (true, false) => "❌ Result: ",
            (false, true) => "Result: ",
            (false, false) => "Result (failed): ",
        });
        push_text(out, action.result);
        if let Some(ms) = action.record.duration_ms {
            out.push_str(" (took ");
            push_f64_2(out, ms);
            out.push_str("ms)");
        }
        out.push_str(match (self.emojis, action.slowness) {
            (_, Slowness::Normal) => "",
            (true, Slowness::Slow) => " ⚠️ SLOW",
            (true, Slowness::VerySlow) => " 🚨 VERY SLOW",
            (false, Slowness::Slow) => " [SLOW]",
            (false, Slowness::VerySlow) => " [VERY SLOW]",
        });
    }

    fn actor(&self, action: &Action<'_>, out: &mut String) {
        if !self.user_info {
            out.push_str("User");
            return;
        }
        let session = &action.record.session;
        let user = session.get(USER_ID_SLOT).filter(|u| !u.is_empty());
        match (user, session.get(IP_ADDRESS_SLOT).filter(|ip| !ip.is_empty())) {
            (Some(user), _) => {
                out.push_str("User ");
                push_text(out, user);
            }
            (None, Some(ip)) => {
                out.push_str("Anonymous user from ");
                push_text(out, ip);
            }
            (None, None) => out.push_str("Anonymous user"),
        }
    }
}
