//! The narrative line: `📍 User user123 navigated to '/home' at 14:30:25 → ✅ Result: Page loaded successfully`.
//!
//! Parts, in order (each escaped with [`push_text`]):
//!
//! 1. the type's emoji (when `ENABLE_EMOJIS`);
//! 2. the actor: `User <id>`, or `Anonymous user from <ip>` / `Anonymous user` without an id;
//!    just `User` when `ENABLE_USER_INFO` is off;
//! 3. the type's verb phrase, and for a custom type its name (not for `usage`: "used");
//! 4. the description in single quotes, when there is one;
//! 5. ` at HH:MM:SS` in local time (when `ENABLE_TIMESTAMPS`);
//! 6. ` → ✅ Result: <result>` (`❌` when the action failed; without emojis `Result:` and
//!    `Result (failed):`);
//! 7. ` (took 45.32ms)` when the action has a duration;
//! 8. ` ⚠️ SLOW` or ` 🚨 VERY SLOW` (`[SLOW]`, `[VERY SLOW]` without emojis) at the thresholds.

use super::{Action, Renderer, Slowness};
use crate::action::{ActionType, USAGE_ACTION};
use crate::escape::number::push_f64_2;
use crate::fields::{IP_ADDRESS_SLOT, USER_ID_SLOT};
use crate::record::EventKind;

impl Renderer {
    /// Writes the narrative of `action` (no level, no newline) into `out`; whether every value
    /// written into it was known to be [plain](crate::escape::Text) (then the narrative holds no
    /// `"`, `\\` or control character).
    pub(crate) fn narrative(&self, action: &Action<'_>, out: &mut String) -> bool {
        if self.emojis {
            out.push_str(match action.kind {
                EventKind::Action => action.action_type.emoji(),
                EventKind::Log => "💬",
            });
            out.push(' ');
        }
        let mut plain = self.actor(action, out);
        out.push(' ');
        match (action.kind, action.action_type) {
            (EventKind::Log, _) => out.push_str("logged"),
            (EventKind::Action, ActionType::Custom(USAGE_ACTION)) => {
                out.push_str(action.action_type.phrase())
            }
            (EventKind::Action, ActionType::Custom(_)) => {
                out.push_str(action.action_type.phrase());
                out.push(' ');
                action.type_name.push_to_text(out);
                plain &= action.type_name.plain;
            }
            (EventKind::Action, ty) => out.push_str(ty.phrase()),
        }
        if !action.description.str.is_empty() {
            out.push_str(" '");
            action.description.push_to_text(out);
            plain &= action.description.plain;
            out.push('\'');
        }
        if self.timestamps {
            out.push_str(" at ");
            out.push_str(action.time.local_hms());
        }
        if action.kind == EventKind::Log {
            return plain;
        }
        out.push_str(" → ");
        out.push_str(match (self.emojis, action.success) {
            (true, true) => "✅ Result: ",
            (true, false) => "❌ Result: ",
            (false, true) => "Result: ",
            (false, false) => "Result (failed): ",
        });
        action.result.push_to_text(out);
        plain &= action.result.plain;
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
        plain
    }

    /// Writes who acted; whether the value written was known to be plain.
    fn actor(&self, action: &Action<'_>, out: &mut String) -> bool {
        if !self.user_info {
            out.push_str("User");
            return true;
        }
        let session = &action.record.session;
        let user = session.get(USER_ID_SLOT).filter(|u| !u.str.is_empty());
        let value = match (user, session.get(IP_ADDRESS_SLOT).filter(|ip| !ip.str.is_empty())) {
            (Some(user), _) => {
                out.push_str("User ");
                user
            }
            (None, Some(ip)) => {
                out.push_str("Anonymous user from ");
                ip
            }
            (None, None) => {
                out.push_str("Anonymous user");
                return true;
            }
        };
        value.push_to_text(out);
        value.plain
    }
}
