//! Masking of sensitive values: the rules are on [`Masker`].

use std::borrow::Cow;

use regex::{Captures, Regex};

use super::prefilter::Prefilter;
use super::structured::Edit;
use super::{Masked, VARIANT_SUFFIXES};
use crate::config::MaskStyle;

/// Field names masked without being configured (see [`Masker`] for how names match).
pub const BUILT_IN_SENSITIVE_FIELDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "api_key",
    "apikey",
    "authorization",
    "auth",
    "cookie",
    "set_cookie",
    "session_token",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "private_key",
    "secret_key",
    "access_key",
    "credit_card",
    "card_number",
    "cvv",
    "cvc",
    "ssn",
    "otp",
];

/// The partial style's fixed middle.
const STARS: &str = "*******";
/// The partial style's mask of a short value.
const SHORT: &str = "****";
/// The full style's mask.
const REDACTED: &str = "[REDACTED]";

/// Masks sensitive values: by field name, and by what a value looks like.
///
/// **By name.** A field whose name is sensitive has its whole value masked, whatever its type.
/// A name is sensitive when, compared case-insensitively with `-`, `_` and `.` alike, it is one
/// of [`BUILT_IN_SENSITIVE_FIELDS`] or of `SENSITIVE_FIELDS`, or ends with one after a
/// separator: `db_password`, `X-Api-Key` and `http.authorization` are sensitive; `author`,
/// `passwordless` and `token_count` are not. A name of 5 characters or more also counts at the
/// end of a word, run together or humped (`dbpassword`, `privatekey`, `passWord`), and any name
/// followed by digits or by `confirm`, `confirmation`, `repeat` or `again` (`password2`,
/// `password_confirmation`) is sensitive too.
///
/// **By value.** In every other text value (descriptions, results, URLs, user agents, data
/// fields, `Debug` output), these are masked where they appear:
///
/// - `name=value`, `name: value` and `"name": "value"` with a sensitive name, which also covers
///   URL query parameters (`?api_key=…&token=…`) and free text (`"password=hunter2"`);
/// - credentials in URLs: the password of `https://user:pass@host`;
/// - bearer and basic credentials: `Bearer <token>`;
/// - JSON Web Tokens (`eyJ….eyJ….…`);
/// - common key shapes: `sk-…`, `sk_live_…`, `ghp_…` (and the other GitHub token prefixes),
///   `github_pat_…`, `AKIA…` (AWS), `xoxb-…` (Slack), `AIza…` (Google);
/// - card numbers of 13 to 19 digits (spaces or dashes allowed) that pass the Luhn check.
///
/// **Styles** ([`MaskStyle`]): `partial`, the default, keeps the first 2 and last 2 characters of
/// a value longer than 8 around a fixed `*******` (`mypassword123` → `my*******23`) and writes
/// `****` for shorter ones; `full` writes `[REDACTED]`. Either way the mask's width does not
/// tell the value's length.
///
/// **Structured text**: [`mask_json`](Self::mask_json) and [`mask_form`](Self::mask_form)
/// walk a JSON document or a form (a body, a query string) and mask every value under a
/// sensitive name, whatever its type.
///
/// ```
/// use tracing_activity::config::MaskStyle;
/// use tracing_activity::privacy::Masker;
///
/// let masker = Masker::new(["pin_code"], MaskStyle::Partial);
/// assert!(masker.is_sensitive_name("X-Api-Key"));
/// assert!(masker.is_sensitive_name("user_pin_code"));
/// assert_eq!(masker.mask_value("mypassword123"), "my*******23");
/// assert_eq!(masker.mask_text("GET /login?user=ann&password=hunter22"), "GET /login?user=ann&password=****");
/// assert_eq!(masker.mask_text("nothing to hide"), "nothing to hide");
/// ```
#[derive(Debug, Clone)]
pub struct Masker {
    /// Sensitive names, normalized: lowercase, `_` for every separator.
    names: Vec<String>,
    style: MaskStyle,
    patterns: Regex,
    /// The quick look that keeps most values from the regex.
    pub(super) prefilter: Prefilter,
}

impl Masker {
    /// A masker for the built-in names plus `extra_names`, masking in `style`.
    pub fn new<I>(extra_names: I, style: MaskStyle) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut names: Vec<String> = BUILT_IN_SENSITIVE_FIELDS.iter().map(|n| normalize(n)).collect();
        for name in extra_names {
            let name = normalize(name.as_ref());
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
        let patterns = Regex::new(&patterns(&names)).unwrap_or_else(|e| {
            // Names are escaped before they enter the pattern, so it always compiles.
            unreachable!("the masking pattern is valid: {e}")
        });
        let prefilter = Prefilter::new(&names);
        Masker { names, style, patterns, prefilter }
    }

    /// Whether a field of this name has its whole value masked.
    pub fn is_sensitive_name(&self, name: &str) -> bool {
        // The prefilter's quick look first: most names have no sensitive name at their end.
        if !self.prefilter.name_may_end_at(name.trim().as_bytes()) {
            return false;
        }
        let name = normalize(name);
        let plain = strip_variant(&name);
        [name.as_str(), plain].into_iter().any(|name| {
            let compact = name.replace('_', "");
            self.names.iter().any(|sensitive| {
                let long = sensitive.len() >= LONG_NAME;
                name.strip_suffix(sensitive.as_str()).is_some_and(|rest| rest.is_empty() || rest.ends_with('_') || long)
                    // Run together or humped inside: `privatekey`, `passWord` (`pass_word`).
                    || (long && compact.ends_with(&sensitive.replace('_', "")))
            })
        })
    }
    /// The mask of a whole value, in this masker's style.
    pub fn mask_value(&self, value: &str) -> String {
        let mut out = String::new();
        self.push_mask(value, &mut out);
        out
    }

    /// Appends the mask of `value` to `out`.
    pub(crate) fn push_mask(&self, value: &str, out: &mut String) {
        match self.style {
            MaskStyle::Full => out.push_str(REDACTED),
            _ => {
                let mut chars = value.chars();
                if value.chars().count() <= 8 {
                    out.push_str(SHORT);
                    return;
                }
                out.extend(chars.by_ref().take(2));
                out.push_str(STARS);
                let tail: Vec<char> = chars.rev().take(2).collect();
                out.extend(tail.into_iter().rev());
            }
        }
    }

    /// `text` with every sensitive value it contains masked (see [`Masker`]); borrowed
    /// when there is nothing to mask.
    pub fn mask_text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.mask_text_plain(text).text
    }

    /// [`mask_text`](Self::mask_text), and whether the text it returns is known to be
    /// [plain](crate::escape::is_plain) (so it is written without an escaping scan): found so by
    /// the same pass that looks for secrets, when there were none.
    pub(crate) fn mask_text_plain<'t>(&self, text: &'t str) -> Masked<'t> {
        let scan = self.prefilter.scan(text.as_bytes());
        if !scan.may_hold_secret {
            return Masked { text: Cow::Borrowed(text), plain: scan.plain };
        }
        if !self.patterns.is_match(text) {
            return Masked { text: Cow::Borrowed(text), plain: false };
        }
        let mut edit = Edit::new(text);
        for caps in self.patterns.captures_iter(text) {
            let Some(secret) = secret_of(&caps) else { continue };
            edit.replace(secret.clone(), |out| self.push_mask(&text[secret], out));
        }
        Masked { text: edit.finish(), plain: false }
    }
}

/// The byte range of a match to mask: the value, password, token, key or card (a card only
/// where Luhn-valid digits are found, see [`card_within`]).
fn secret_of(caps: &Captures<'_>) -> Option<std::ops::Range<usize>> {
    for group in ["kv", "kvdq", "kvedq", "kvsq", "cookie", "urlpass", "bearer", "jwt", "key"] {
        if let Some(m) = caps.name(group) {
            return Some(m.range());
        }
    }
    let card = caps.name("card")?;
    card_within(card.as_str()).map(|r| card.start() + r.start..card.start() + r.end)
}

/// Whether the digits of `number` (spaces and dashes ignored) pass the Luhn check.
pub(crate) fn luhn(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    sum % 10 == 0
}

/// A sensitive name this long also counts at the end of a longer word (`dbpassword`,
/// `csrftoken`); shorter ones (`pwd`, `auth`, `otp`) only after a separator, so that `oauth` or
/// `cwd` stay readable.
const LONG_NAME: usize = 5;

/// A name without what marks a second field of the same kind: trailing digits (`password2`)
/// or a confirmation suffix (`password_confirmation`, `pin_repeat`).
fn strip_variant(name: &str) -> &str {
    let name = name.trim_end_matches(|c: char| c.is_ascii_digit());
    VARIANT_SUFFIXES
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix).map(|rest| rest.trim_end_matches('_')))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

/// Lowercase snake case: `-` and `.` become `_`, and so does a camelCase hump
/// (`accessToken` → `access_token`).
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.trim().chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c == '-' || c == '.' { '_' } else { c.to_ascii_lowercase() });
    }
    out
}

/// The combined value pattern. ASCII word boundaries keep it on the fast DFA engines.
fn patterns(names: &[String]) -> String {
    let alternation = |long: bool| {
        names
            .iter()
            .filter(|n| (n.len() >= LONG_NAME) == long)
            .map(|n| regex::escape(n).replace('_', "[_.-]?"))
            .collect::<Vec<_>>()
            .join("|")
    };
    let (long, short) = (alternation(true), alternation(false));
    // A name: any word ending in a long sensitive name (`dbPassword`), or a short one after a
    // separator (`x_auth`), then a word boundary.
    // `user[password]` and its URL-encoded `user%5Bpassword%5D` count as the inner name.
    let inner = format!(
        r"(?:[a-z0-9_.-]*?(?:{long})|(?:[a-z0-9]+[_.-])*(?:{short}))(?:[_.-]?(?:{variants}))?[0-9]*",
        variants = VARIANT_SUFFIXES.join("|")
    );
    // ASCII case folding only (no Kelvin sign for `k`), as the prefilter compares names.
    let name = format!(r"(?-u:[a-z0-9_.-]*(?:\[|%5b){inner}(?:\]|%5d)|{inner}\b)");
    [
        // https://user:password@host
        r"(?i:(?-u:\b)[a-z][a-z0-9+.-]*://[^\s/:@]+:(?P<urlpass>[^\s/@]+)@)".to_owned(),
        // Cookie and Set-Cookie headers: every cookie, to the end of the line.
        r"(?i:(?-u:\b(?:set[_-]?)?cookie)[\t ]*:[\t ]*(?P<cookie>[^\r\n]+))".to_owned(),
        // name=value, name: value, "name": "value", and the same with Debug's escaped quotes
        format!(
            concat!(
                r#"(?i:(?-u:\b){name}\\?["']?[\t ]*[:=][\t ]*(?:"#,
                r#"\\"(?P<kvedq>(?:[^"\\\n]|\\[^"\n])+)"#,
                r#"|"(?P<kvdq>(?:[^"\\\n]|\\.)+)"#,
                r#"|'(?P<kvsq>(?:[^'\\\n]|\\.)+)"#,
                r#"|(?P<kv>(?:(?:bearer|basic|token)[\t ]+)?[^\s"'&;#\\]+)))"#
            ),
            name = name
        ),
        r"(?i:(?-u:\b(?:bearer|basic))[\t ]+(?P<bearer>[A-Za-z0-9\-._~+/]{8,}=*))".to_owned(),
        r"(?-u:\b)(?P<jwt>eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)".to_owned(),
        concat!(
            r"(?-u:\b)(?P<key>sk-[A-Za-z0-9_-]{16,}|sk_(?:live|test)_[A-Za-z0-9]{16,}",
            r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|AKIA[0-9A-Z]{16}",
            r"|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})(?-u:\b)"
        )
        .to_owned(),
        // Digits in groups separated by single spaces or dashes; which of them form a card is
        // decided by `card_within`.
        r"(?-u:\b)(?P<card>[0-9](?:[ -]?[0-9]){12,})(?-u:\b)".to_owned(),
    ]
    .join("|")
}

/// The byte range of a card number within `digits` (digit groups separated by single spaces or
/// dashes): the whole run if it passes the Luhn check with 13 to 19 digits, else the longest run
/// of whole groups that does (a card followed by its CVV or expiry, or after a reference).
fn card_within(digits: &str) -> Option<std::ops::Range<usize>> {
    if luhn(digits) {
        return Some(0..digits.len());
    }
    let groups: Vec<std::ops::Range<usize>> = {
        let mut groups = Vec::new();
        let mut start = 0;
        for (i, c) in digits.char_indices() {
            if c == ' ' || c == '-' {
                groups.push(start..i);
                start = i + 1;
            }
        }
        groups.push(start..digits.len());
        groups
    };
    let mut best: Option<std::ops::Range<usize>> = None;
    for first in 0..groups.len() {
        for last in (first..groups.len()).rev() {
            let range = groups[first].start..groups[last].end;
            if best.as_ref().is_some_and(|b| b.len() >= range.len()) {
                break;
            }
            if luhn(&digits[range.clone()]) {
                best = Some(range);
                break;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partial() -> Masker {
        Masker::new(["pin_code"], MaskStyle::Partial)
    }

    #[test]
    fn partial_keeps_two_and_two_around_a_fixed_mask_and_full_redacts() {
        let m = partial();
        assert_eq!(m.mask_value("mypassword123"), "my*******23");
        assert_eq!(m.mask_value("sk-1234567890"), "sk*******90");
        assert_eq!(m.mask_value("abcd"), "****");
        assert_eq!(m.mask_value("12345678"), "****");
        assert_eq!(m.mask_value("123456789"), "12*******89");
        assert_eq!(Masker::new([""; 0], MaskStyle::Full).mask_value("mypassword123"), "[REDACTED]");
    }

    #[test]
    fn names_match_case_and_separators_and_suffixes() {
        let m = partial();
        for name in [
            "password",
            "PASSWORD",
            "db_password",
            "X-Api-Key",
            "api-key",
            "apiKey",
            "http.authorization",
            "Set-Cookie",
            "refresh_token",
            "user_pin_code",
            "PIN-CODE",
            "client.secret",
        ] {
            assert!(m.is_sensitive_name(name), "{name}");
        }
        for name in [
            "author",
            "passwordless",
            "token_count",
            "tokens",
            "session_id",
            "user_id",
            "description",
            "oauth",
            "pin",
            "cookies_enabled",
        ] {
            assert!(!m.is_sensitive_name(name), "{name}");
        }
    }

    #[test]
    fn value_patterns_and_their_near_misses() {
        let m = partial();
        for (input, expected) in [
            ("password=hunter2", "password=****"),
            ("login with Password: hunter22222", "login with Password: hu*******22"),
            (r#"{"password": "correct horse"}"#, r#"{"password": "co*******se"}"#),
            ("token: abc", "token: ****"),
            (
                "GET /api?user=ann&api_key=0123456789abcdef&token=xyz#top",
                "GET /api?user=ann&api_key=01*******ef&token=****#top",
            ),
            ("db_password=s3cr3t!!x", "db_password=s3*******!x"),
            ("Authorization: Bearer abcdefghijklmnop", "Authorization: Be*******op"),
            ("sent Bearer abcdefghijklmnop upstream", "sent Bearer ab*******op upstream"),
            ("postgres://app:s3cr3tpassw0rd@db:5432/app", "postgres://app:s3*******rd@db:5432/app"),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok",
                "jwt ey*******8U ok",
            ),
            ("key sk-abcdefghijklmnopqrstuvwx", "key sk*******wx"),
            ("AKIAIOSFODNN7EXAMPLE", "AK*******LE"),
            ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "gh*******89"),
            ("card 4111 1111 1111 1111 paid", "card 41*******11 paid"),
            ("card 4111-1111-1111-1111", "card 41*******11"),
            ("5500005555555559", "55*******59"),
            // Debug output of a string holding JSON: the quotes come escaped.
            (r#"{\"password\": \"s3cr3tvalue\"}"#, r#"{\"password\": \"s3*******ue\"}"#),
            (r#"token=\"abcdefghijk\""#, r#"token=\"ab*******jk\""#),
        ] {
            assert_eq!(m.mask_text(input), expected, "{input:?}");
        }
        for near_miss in [
            "4111111111111112",             // fails Luhn
            "order 1234567890123",          // fails Luhn
            "12 digits 411111111111",       // too short for a card
            "author=alice",                 // not a sensitive name
            "passwordless=true",            // neither
            "bearer of bad news",           // no token
            "eyJ not a jwt",                // not the shape
            "sk-short",                     // too short for a key
            "AKIA123",                      // too short
            "https://example.com/path?q=1", // no credentials
            "see https://user@host/x",      // a user but no password
            "2024-01-15T14:30:25.123456Z",  // a timestamp
            "192.168.1.100",                // an address
        ] {
            assert_eq!(m.mask_text(near_miss), near_miss, "{near_miss:?} must stay");
        }
    }

    #[test]
    fn the_prefilter_never_hides_a_pattern() {
        for text in [
            "password=1",
            "api_key: b",
            "X-Api-Key:b",
            "user[token]=x",
            "user%5Bpassword%5D=1",
            r#"{"secret" : "x"}"#,
            r#"password\"=\"x\""#,
            "dbPassword='x'",
            "Set-Cookie: a=b",
            "https://ann:pw@host",
            "Bearer abcdefghijk",
            "BASIC abcdefghijk",
            "basic abcdefghij",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx.c",
            "sk-abcdefghijklmnopqrstu",
            "ghp_abc",
            "AKIAIOSFODNN7EXAMPLE",
            "AIzaSy",
            "xoxb-1",
            "4111111111111111",
            "4111 1111-1111 1111",
        ] {
            assert!(partial().prefilter.scan(text.as_bytes()).may_hold_secret, "{text}");
        }
        for text in [
            "GET /user-queries",
            "/api/users/42/orders?page=2&sort=asc",
            "x=1",
            "a: b",
            "https://example.com/a:b",
            "HTTP 200 SUCCESS",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            "0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90",
            "12 34 56 78 90 1 -- 23",
        ] {
            assert!(!partial().prefilter.scan(text.as_bytes()).may_hold_secret, "{text}");
        }
    }

    /// One piece of text built like what the patterns look for: a name, what may stand between
    /// a name and its separator, a separator, a value; or something else.
    fn clause() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        use proptest::sample::select;
        let name = select(vec![
            "password",
            "Pass",
            "word",
            "api_key",
            "apiKey",
            "x-auth",
            "oauth",
            "token",
            "pin_code",
            "cookie",
            "Set-Cookie",
            "password2",
            "pin_code_confirmation",
            "passwordRepeat1",
            "Pin2",
            "user[password",
            "user%5Bpassword",
            "a[b",
            "page",
            "é",
            "\u{212a}ey",
        ]);
        let closer = select(vec!["", "", "]", "%5D", "%5d"]);
        let gap = select(vec!["", "", "\\", "\"", "'", "\\\"", " ", "\t ", "\" "]);
        let sep = select(vec!["=", ":", ": ", "://", "", ".", "1=", "_again="]);
        let value = select(vec![
            "",
            "x",
            "hunter22",
            "\"v\"",
            "ann:pw@h",
            "Bearer abcdefghij",
            "4111 1111 1111 1111",
        ]);
        let other = select(vec![
            " ",
            "&",
            "?",
            "/",
            "@",
            "eyJhbGciOiJ9.eyJzdWIiOjF9.x",
            "sk-abcdefghijklmnopq",
            "ghp_",
        ]);
        prop_oneof![
            3 => (name, closer, gap, sep, value).prop_map(|(n, c, g, s, v)| format!("{n}{c}{g}{s}{v}")),
            1 => other.prop_map(str::to_owned),
        ]
    }

    /// The masker the properties run against (built once: compiling its regex is slow).
    static PROPERTY_MASKER: std::sync::LazyLock<Masker> =
        std::sync::LazyLock::new(|| Masker::new(["pin_code"], MaskStyle::Partial));

    /// Mostly plain ASCII, with now and then a byte that is not plain, anywhere.
    fn nearly_plain() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let odd =
            prop::sample::select(vec!['"', '\\', '\n', '\0', '\u{7f}', '\u{85}', 'é', '\u{2028}', '🦀']);
        prop::collection::vec(prop_oneof![40 => proptest::char::range(' ', '~'), 1 => odd], 0..40)
            .prop_map(|chars| chars.into_iter().collect())
    }

    #[test]
    fn the_prefilter_tells_plain_text() {
        let masker = Masker::new(Vec::<String>::new(), MaskStyle::Partial);
        for (text, plain) in [
            ("", true),
            ("GET /api/users/42/orders?page=2", true),
            ("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", true),
            ("a\"b", false),
            ("0123456789abcdef\\", false),
            ("tab\there", false),
            ("caf\u{e9}", false),
            ("\u{7f}", false),
        ] {
            let Masked { text: masked, plain: found } = masker.mask_text_plain(text);
            assert_eq!(masked, text);
            assert_eq!(found, plain, "{text:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Text the prefilter calls plain is plain; plain text it lets through whole is called so.
        #[test]
        fn the_prefilter_finds_plain_text_exactly(text in nearly_plain()) {
            let scan = PROPERTY_MASKER.prefilter.scan(text.as_bytes());
            if scan.plain {
                proptest::prop_assert!(crate::escape::is_plain(&text), "{:?}", text);
            }
            if !scan.may_hold_secret {
                proptest::prop_assert_eq!(scan.plain, crate::escape::is_plain(&text), "{:?}", text);
            }
        }

        /// Whenever the regex finds something, the prefilter let it through.
        #[test]
        fn the_prefilter_lets_every_match_through(clauses in proptest::collection::vec(clause(), 1..5)) {
            let (text, masker) = (clauses.concat(), &*PROPERTY_MASKER);
            if masker.patterns.is_match(&text) {
                proptest::prop_assert!(masker.prefilter.scan(text.as_bytes()).may_hold_secret, "{:?}", text);
            }
        }
    }

    #[test]
    fn cards_next_to_other_digits_are_found() {
        let m = Masker::new([""; 0], MaskStyle::Full);
        for (text, expected) in [
            ("card 4111 1111 1111 1111 123", "card [REDACTED] 123"),
            ("paid with 4111 1111 1111 1111 12/27", "paid with [REDACTED] 12/27"),
            ("ref 7 4111111111111111", "ref 7 [REDACTED]"),
            ("4111-1111-1111-1111", "[REDACTED]"),
            ("order 1234 5678 9012 3456 7", "order 1234 5678 9012 3456 7"),
        ] {
            assert_eq!(m.mask_text(text), expected, "{text:?}");
        }
    }

    #[test]
    fn names_in_text_follow_the_field_name_rules() {
        let m = Masker::new([""; 0], MaskStyle::Full);
        for (text, expected) in [
            ("accessToken=abcdefghijkl", "accessToken=[REDACTED]"),
            ("dbPassword: hunter22", "dbPassword: [REDACTED]"),
            ("csrftoken=abc", "csrftoken=[REDACTED]"),
            ("oauth=enabled", "oauth=enabled"),
            ("token_count=5", "token_count=5"),
            ("Cookie: theme=dark; sid=SECRETSESSIONID", "Cookie: [REDACTED]"),
            ("set-cookie: sid=SECRET; Path=/", "set-cookie: [REDACTED]"),
            (r#"{"password":"ab\"SECRETTAIL"}"#, r#"{"password":"[REDACTED]"}"#),
            (
                r#"{\"password\": \"s3cr3t\", \"user\": \"ann\"}"#,
                r#"{\"password\": \"[REDACTED]\", \"user\": \"ann\"}"#,
            ),
            (
                "pushed with github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV",
                "pushed with [REDACTED]",
            ),
        ] {
            assert_eq!(m.mask_text(text), expected, "{text:?}");
        }
        for name in [
            "accessToken",
            "clientSecret",
            "refreshToken",
            "sessionToken",
            "sessiontoken",
            "privateKey",
            "setCookie",
            "cardNumber",
            "creditCard",
            "dbPassword",
            "userPassword",
            "authToken",
            "XApiKey",
        ] {
            assert!(m.is_sensitive_name(name), "{name}");
        }
    }

    #[test]
    fn luhn_check() {
        assert!(luhn("4111111111111111"));
        assert!(luhn("4012 8888 8888 1881"));
        assert!(!luhn("4111111111111112"));
        assert!(!luhn("411111111111")); // 12 digits
    }
}
