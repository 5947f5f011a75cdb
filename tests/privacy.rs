//! Privacy through the layer: secrets never reach a sink, pseudonyms, anonymized IPs, capped
//! values, and hostile text that never breaks a line.

mod common;

use std::fs;

use common::{Harness, layer_for};
use proptest::prelude::*;
use serde_json::{Value, json};
use tracing_activity::privacy::{BUILT_IN_SENSITIVE_FIELDS, INVALID_IP, Pseudonymizer, UNKNOWN_USER};
use tracing_activity::{ActionType, Builder, Config, MaskStyle, Secret, user_action};
use tracing_subscriber::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Whether `c` may never reach the console raw.
fn is_line_breaking(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Runs `f` under a fresh harness and returns its one console line and its one JSON line.
fn one_action(config: Config, f: impl FnOnce()) -> (String, Value) {
    let h = Harness::new(config);
    h.run(f);
    let console = h.console.lines();
    assert_eq!(console.len(), 1, "expected one console line, got {console:?}");
    (console[0].clone(), h.only_json())
}

/// Asserts that `secret` is in no sink's raw text.
fn assert_nowhere(h: &Harness, secret: &str) {
    let console = h.console.text();
    let file = h.file.text();
    assert!(!console.contains(secret), "secret {secret:?} reached the console: {console}");
    assert!(!file.contains(secret), "secret {secret:?} reached the JSON file: {file}");
}

/// A sensitive name as people write it: any built-in name, random case, `_` or `-`, or
/// camelCase, maybe with a prefix (`db_`, `x-`, or run together for long names: `dbPassword`).
fn sensitive_name() -> impl Strategy<Value = String> {
    (
        prop::sample::select(BUILT_IN_SENSITIVE_FIELDS),
        prop::collection::vec(any::<bool>(), 16),
        0..3u8,
        prop::sample::select(vec!["", "", "db_", "x-", "X-", "app_", "my", "user"]),
    )
        .prop_map(|(name, upper, style, prefix)| {
            // Short names count only after a separator; long ones also run together.
            let prefix = if name.len() < 5 && !prefix.is_empty() && !prefix.ends_with(['_', '-']) {
                "db_"
            } else {
                prefix
            };
            let body: String = match style {
                // camelCase: accessToken, MyPassword
                2 => {
                    let mut out = String::new();
                    let mut hump = !prefix.is_empty() && !prefix.ends_with(['_', '-']);
                    for c in name.chars() {
                        if c == '_' {
                            hump = true;
                        } else if hump {
                            out.push(c.to_ascii_uppercase());
                            hump = false;
                        } else {
                            out.push(c);
                        }
                    }
                    out
                }
                dashes => name
                    .chars()
                    .enumerate()
                    .map(|(i, c)| match c {
                        '_' if dashes == 1 => '-',
                        c if upper[i % upper.len()] => c.to_ascii_uppercase(),
                        c => c,
                    })
                    .collect(),
            };
            format!("{prefix}{body}")
        })
}

/// A secret long and random enough to be unique in the output.
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{12,24}"
}

/// Text with everything that could break a line: any character, plus a bias towards control
/// characters, separators, bidi overrides, quotes and backslashes.
fn hostile_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '\n', '\r', '\t', '\0', '\u{7}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{80}', '\u{85}',
        '\u{9b}', '\u{9f}', '\u{2028}', '\u{2029}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
        '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '"', '\\', '\'', '{', '}', '[', ']', ':',
        '=', 'é', '🦀',
    ]);
    prop::collection::vec(prop_oneof![3 => any::<char>(), 2 => special], 0..40)
        .prop_map(|chars| chars.into_iter().collect())
}

/// The free-text shapes a secret hides in.
fn free_texts(name: &str, secret: &str) -> [String; 3] {
    [
        format!("login failed: {name}={secret}"),
        format!("{name}: {secret}"),
        format!(r#"{{"{name}": "{secret}"}}"#),
    ]
}

fn pseudonym(secret: &str, id: &str) -> String {
    Pseudonymizer::new(secret).pseudonym(id)
}

// ---------------------------------------------------------------------------------------------
// Properties: secrets never reach a sink; hostile text never breaks a line
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(64) })]

    /// (a) event fields and (b) span fields with sensitive names, random secret values.
    #[test]
    fn secrets_in_sensitive_fields_never_reach_a_sink(
        s in prop::collection::vec(secret(), 12),
        full in any::<bool>(),
    ) {
        let style = if full { MaskStyle::Full } else { MaskStyle::Partial };
        let bearer_span = format!("Bearer {}", s[11]);
        let bearer_event = format!("Bearer {}", s[5]);
        let h = Harness::new(Config::default().mask_style(style));
        h.run(|| {
            let span = tracing::info_span!(
                "request",
                user_id = "u1",
                password = s[6].as_str(),
                api_key = s[7].as_str(),
                client_secret = s[8].as_str(),
                db_password = s[9].as_str(),
                session_token = s[10].as_str(),
                authorization = bearer_span.as_str(),
            );
            let _e = span.enter();
            user_action!(
                ActionType::Auth,
                "login",
                password = s[0].as_str(),
                api_key = s[1].as_str(),
                client_secret = %s[2],
                db_password = ?s[3],
                session_token = s[4].as_str(),
                authorization = bearer_event.as_str(),
            );
        });
        for secret in &s {
            assert_nowhere(&h, secret);
        }
        let line = h.only_json();
        prop_assert_eq!(h.console.lines().len(), 1);
        let data = &line["action"]["data"];
        let context = &line["context"];
        for (block, name) in [
            (data, "password"), (data, "api_key"), (data, "client_secret"), (data, "db_password"),
            (data, "session_token"), (data, "authorization"), (context, "password"), (context, "api_key"),
            (context, "client_secret"), (context, "db_password"), (context, "session_token"),
            (context, "authorization"),
        ] {
            let masked = block[name].as_str().unwrap_or_else(|| panic!("{name} missing in {line}"));
            if full {
                prop_assert_eq!(masked, "[REDACTED]");
            } else {
                prop_assert!(masked.contains("*******"), "{} = {:?}", name, masked);
            }
        }
    }

    /// (c) URL query strings as a span `url`, a description and a result; (d) free text as
    /// description, result, data (`%`, `?` and plain), and the event message.
    #[test]
    fn secrets_under_random_names_in_urls_and_free_text_never_reach_a_sink(
        name in sensitive_name(),
        secret in secret(),
    ) {
        let url = format!("https://h/p?x=1&{name}={secret}&y=2");
        let [kv, colon, jsonish] = free_texts(&name, &secret);
        let h = Harness::new(Config::default());
        h.run(|| {
            let span = tracing::info_span!("request", user_id = "u1", url = url.as_str());
            let _e = span.enter();
            user_action!(ActionType::ApiCall, url.as_str(), result = url.as_str());
            for text in [&kv, &colon, &jsonish] {
                user_action!(ActionType::Auth, text.as_str(), result = text.as_str(), note = text.as_str(),
                    shown = %text);
            }
            user_action!(ActionType::Auth, "x", debugged = ?kv, debugged_too = ?colon);
            tracing::info!(target: "user_activity", action_type = "auth", "{}", kv);
            tracing::info!(target: "user_activity", action_type = "auth", "{}", jsonish);
        });
        assert_nowhere(&h, &secret);
        let lines = h.file.json();
        prop_assert_eq!(lines.len(), 7);
        prop_assert_eq!(h.console.lines().len(), 7);
        // The name and the rest of the URL are kept: only the value is masked.
        let masked_url = lines[0]["context"]["url"].as_str().unwrap();
        prop_assert!(masked_url.starts_with(&format!("https://h/p?x=1&{name}=")), "{}", masked_url);
        prop_assert!(masked_url.ends_with("&y=2"), "{}", masked_url);
        prop_assert_eq!(&lines[0]["action"]["description"], masked_url);
        prop_assert_eq!(&lines[0]["action"]["result"], masked_url);
        let login = format!("login failed: {name}=");
        prop_assert!(lines[1]["action"]["description"].as_str().unwrap().starts_with(&login), "{}", lines[1]);
    }

    /// `?` on a string holding JSON (a request body, say): Debug escapes its quotes.
    #[test]
    fn secrets_in_debug_formatted_json_text_never_reach_a_sink(
        name in sensitive_name(),
        secret in secret(),
    ) {
        let [_, _, jsonish] = free_texts(&name, &secret);
        let h = Harness::new(Config::default());
        h.run(|| user_action!(ActionType::ApiCall, "POST /login", body = ?jsonish));
        assert_nowhere(&h, &secret);
    }

    /// Arbitrary text in every field: one console line per action with nothing that breaks it,
    /// one JSON line per action that parses back to the values given.
    #[test]
    fn hostile_text_never_breaks_a_line(
        description in hostile_text(),
        result in hostile_text(),
        data in hostile_text(),
        user_id in hostile_text(),
        url in hostile_text(),
        user_agent in hostile_text(),
        plain in any::<String>(),
    ) {
        for masking in [true, false] {
            let config = Config::default().mask_sensitive_data(masking).max_value_length(1 << 20);
            let h = Harness::new(config);
            h.run(|| {
                let span = tracing::info_span!(
                    "request",
                    user_id = user_id.as_str(),
                    url = url.as_str(),
                    user_agent = user_agent.as_str(),
                    ip_address = description.as_str(),
                );
                let _e = span.enter();
                user_action!(ActionType::Custom("x"), description.as_str(), result = result.as_str(),
                    note = data.as_str(), debugged = ?data);
                user_action!(ActionType::Search, plain.as_str(), result = plain.as_str(), note = plain.as_str());
            });
            let console = h.console.text();
            prop_assert_eq!(console.matches('\n').count(), 2, "{:?}", console);
            prop_assert!(console.ends_with('\n'));
            for line in console.lines() {
                prop_assert!(line.starts_with("[INFO] "), "{:?}", line);
            }
            for c in console.chars().filter(|&c| c != '\n') {
                prop_assert!(!is_line_breaking(c), "{:?} reached the console: {:?}", c, console);
            }
            let file = h.file.text();
            prop_assert_eq!(file.matches('\n').count(), 2, "{:?}", file);
            for c in file.chars().filter(|&c| c != '\n') {
                prop_assert!(!is_line_breaking(c), "{:?} reached the JSON file raw: {:?}", c, file);
            }
            let lines = h.file.json();
            prop_assert_eq!(lines.len(), 2);
            if !masking {
                let l = &lines[0];
                prop_assert_eq!(&l["action"]["description"], description.as_str());
                if !result.is_empty() {
                    prop_assert_eq!(&l["action"]["result"], result.as_str());
                }
                prop_assert_eq!(&l["action"]["data"]["note"], data.as_str());
                let debugged = format!("{data:?}");
                prop_assert_eq!(&l["action"]["data"]["debugged"], debugged.as_str());
                prop_assert_eq!(&l["session"]["user_id"], user_id.as_str());
                prop_assert_eq!(&l["session"]["user_agent"], user_agent.as_str());
                prop_assert_eq!(&l["session"]["ip_address"], description.as_str());
                prop_assert_eq!(&l["context"]["url"], url.as_str());
                prop_assert_eq!(&lines[1]["action"]["description"], plain.as_str());
                prop_assert_eq!(&lines[1]["action"]["data"]["note"], plain.as_str());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(12) })]

    /// The real log file on disk never holds a secret either.
    #[test]
    fn secrets_never_reach_the_log_file_on_disk(name in sensitive_name(), secret in secret()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("activity.log");
        let config = Config::default().enable_console_logging(false).user_activity_log_path(path.clone());
        let tracing_activity::Activity { layer, guard, .. } = Builder::new().config(config).build().expect("builds");
        let [kv, colon, jsonish] = free_texts(&name, &secret);
        let url = format!("https://h/p?x=1&{name}={secret}&y=2");
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            let span = tracing::info_span!("request", url = url.as_str(), password = secret.as_str());
            let _e = span.enter();
            user_action!(ActionType::Auth, kv.as_str(), result = colon.as_str(), note = jsonish.as_str(),
                api_key = secret.as_str());
        });
        prop_assert_eq!(guard.close().file_lines, 1);
        let text = fs::read_to_string(&path).unwrap();
        prop_assert_eq!(text.lines().count(), 1);
        common::parse_strict(text.trim_end());
        prop_assert!(!text.contains(&secret), "secret {:?} reached the file: {}", secret, text);
    }
}

// ---------------------------------------------------------------------------------------------
// Value patterns through the layer, with near misses
// ---------------------------------------------------------------------------------------------

const JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

#[test]
fn value_patterns_are_masked_in_descriptions_results_and_data() {
    let cases: Vec<(String, &str)> = vec![
        ("password=hunter2".into(), "password=****"),
        ("login failed: password=hunter2 for ann".into(), "login failed: password=**** for ann"),
        ("login with Password: hunter22222".into(), "login with Password: hu*******22"),
        (r#"{"password": "correct horse"}"#.into(), r#"{"password": "co*******se"}"#),
        ("x-api-key: abcdef0123456789".into(), "x-api-key: ab*******89"),
        (
            "GET /api?user=ann&api_key=0123456789abcdef&token=xyz#top".into(),
            "GET /api?user=ann&api_key=01*******ef&token=****#top",
        ),
        (
            "https://h/p?x=1&access_token=abcdefghijkl&y=2".into(),
            "https://h/p?x=1&access_token=ab*******kl&y=2",
        ),
        ("Authorization: Bearer abcdefghijklmnop".into(), "Authorization: Be*******op"),
        ("sent Bearer abcdefghijklmnop upstream".into(), "sent Bearer ab*******op upstream"),
        ("https://user:pass@host/x".into(), "https://user:****@host/x"),
        ("postgres://app:s3cr3tpassw0rd@db:5432/app".into(), "postgres://app:s3*******rd@db:5432/app"),
        (format!("jwt {JWT} ok"), "jwt ey*******8U ok"),
        ("key sk-abcdefghijklmnopqrstuvwx".into(), "key sk*******wx"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789".into(), "token gh*******89"),
        ("aws AKIAIOSFODNN7EXAMPLE".into(), "aws AK*******LE"),
        ("card 4111 1111 1111 1111 paid".into(), "card 41*******11 paid"),
        ("card 4111-1111-1111-1111".into(), "card 41*******11"),
        ("5500005555555559".into(), "55*******59"),
    ];
    for (input, expected) in &cases {
        let (console, line) = one_action(Config::default(), || {
            user_action!(
                ActionType::Custom("x"),
                input.as_str(),
                result = input.as_str(),
                note = input.as_str()
            )
        });
        assert_eq!(line["action"]["description"], *expected, "description of {input:?}");
        assert_eq!(line["action"]["result"], *expected, "result of {input:?}");
        assert_eq!(line["action"]["data"]["note"], *expected, "data of {input:?}");
        assert!(console.contains(&format!("'{expected}'")), "{input:?}: {console}");
        assert!(console.contains(&format!("Result: {expected}")), "{input:?}: {console}");
        assert_eq!(line["narrative"], console.strip_prefix("[INFO] ").unwrap());
    }
}

#[test]
fn near_misses_are_kept_as_they_are() {
    for near_miss in [
        "author=alice",
        "passwordless=true",
        "token_count=12",
        "the bearer of bad news",
        "4111111111111112",            // 16 digits failing Luhn
        "4111 1111 1111 1112",         // the same with spaces
        "order 1234567890123",         // 13 digits failing Luhn
        "2024-01-15T14:30:25.123456Z", // a timestamp
        "192.168.1.100",               // an IP address
        "https://example.com/path?q=1&page=2",
        "see https://user@host/x", // a user but no password
        "sk-short",
        "AKIA123",
        "eyJ not a jwt",
    ] {
        let (console, line) = one_action(Config::default(), || {
            user_action!(ActionType::Custom("x"), near_miss, result = near_miss, note = near_miss)
        });
        assert_eq!(line["action"]["description"], near_miss);
        assert_eq!(line["action"]["result"], near_miss);
        assert_eq!(line["action"]["data"]["note"], near_miss);
        assert!(console.contains(&format!("'{near_miss}'")), "{console}");
    }
}

#[test]
fn span_urls_and_user_agents_are_masked_too() {
    let (_, line) = one_action(Config::default(), || {
        let span = tracing::info_span!(
            "request",
            url = "https://h/p?x=1&token=abcdefghijkl&y=2",
            user_agent = "curl Bearer abcdefghijklmnop",
            referrer = "https://u:hunter22@h/",
        );
        let _e = span.enter();
        user_action!(ActionType::Click, "x");
    });
    assert_eq!(line["context"]["url"], "https://h/p?x=1&token=ab*******kl&y=2");
    assert_eq!(line["session"]["user_agent"], "curl Bearer ab*******op");
    assert_eq!(line["session"]["referrer"], "https://u:****@h/");
}

#[test]
fn sensitive_field_names_mask_the_whole_value() {
    let (console, line) = one_action(Config::default(), || {
        let span = tracing::info_span!("request", user_id = "u1", db_password = "s3cr3t-passw0rd");
        let _e = span.enter();
        user_action!(
            ActionType::Auth,
            "login",
            password = "mypassword123",
            token = "abc",
            cvv = 123,
            otp = 123456u64,
            api_key = true,
            secret = 1.5,
            pwd = ?"mypassword123",
            passphrase = %"correct horse battery",
            author = "alice",
            passwordless = true,
            token_count = 12,
        );
    });
    assert_eq!(
        line["action"]["data"],
        json!({
            "password": "my*******23",
            "token": "****",
            "cvv": "****",
            "otp": "****",
            "api_key": "****",
            "secret": "****",
            "pwd": "\"m*******3\"",
            "passphrase": "co*******ry",
            "author": "alice",
            "passwordless": true,
            "token_count": 12,
        })
    );
    assert_eq!(line["context"]["db_password"], "s3*******rd");
    assert!(!console.contains("hunter") && !console.contains("mypassword"), "{console}");
}

#[test]
fn full_style_redacts_everything_it_masks() {
    let (console, line) = one_action(Config::default().mask_style(MaskStyle::Full), || {
        user_action!(
            ActionType::Auth,
            "password=hunter2 card 4111 1111 1111 1111",
            result = "Authorization: Bearer abcdefghijklmnop",
            password = "mypassword123",
            cvv = 123,
        );
    });
    assert_eq!(line["action"]["description"], "password=[REDACTED] card [REDACTED]");
    assert_eq!(line["action"]["result"], "Authorization: [REDACTED]");
    assert_eq!(line["action"]["data"], json!({"password": "[REDACTED]", "cvv": "[REDACTED]"}));
    assert!(console.contains("'password=[REDACTED] card [REDACTED]'"), "{console}");
}

#[test]
fn configured_sensitive_fields_are_masked_by_name_suffix_and_in_text() {
    let config = Config::default().sensitive_fields(["pin_code"]);
    let (_, line) = one_action(config, || {
        user_action!(
            ActionType::Auth,
            "pin_code=123456",
            pin_code = "123456",
            user_pin_code = "123456",
            PIN = "123456",
        )
    });
    assert_eq!(line["action"]["description"], "pin_code=****");
    assert_eq!(line["action"]["data"], json!({"pin_code": "****", "user_pin_code": "****", "PIN": "123456"}));
    // Without the setting the name is not sensitive.
    let (_, line) = one_action(Config::default(), || {
        user_action!(ActionType::Auth, "pin_code=123456", pin_code = "123456")
    });
    assert_eq!(line["action"]["description"], "pin_code=123456");
    assert_eq!(line["action"]["data"]["pin_code"], "123456");
}

#[test]
fn masking_off_keeps_every_value() {
    let (console, line) = one_action(Config::default().mask_sensitive_data(false), || {
        user_action!(
            ActionType::Auth,
            "password=hunter2",
            result = "card 4111 1111 1111 1111",
            password = "mypassword123",
            cvv = 123,
            order = 4111111111111111u64,
        )
    });
    assert_eq!(line["action"]["description"], "password=hunter2");
    assert_eq!(line["action"]["result"], "card 4111 1111 1111 1111");
    assert_eq!(
        line["action"]["data"],
        json!({"password": "mypassword123", "cvv": 123, "order": 4111111111111111u64})
    );
    assert!(console.contains("'password=hunter2'"), "{console}");
}

#[test]
fn card_numbers_logged_as_numbers_are_masked() {
    let (_, line) = one_action(Config::default(), || {
        user_action!(
            ActionType::Custom("checkout"),
            "pay",
            order = 4111111111111111u64,
            signed = 5500005555555559i64,
            wide = 4111111111111111u128,
            not_a_card = 4111111111111112u64,
            small = 1234,
        )
    });
    assert_eq!(
        line["action"]["data"],
        json!({
            "order": "41*******11",
            "signed": "55*******59",
            "wide": "41*******11",
            "not_a_card": 4111111111111112u64,
            "small": 1234,
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Pseudonymized user ids (HMAC-SHA256)
// ---------------------------------------------------------------------------------------------

#[test]
fn hmac_sha256_matches_rfc_4231() {
    let long_key = vec![0xaa; 131];
    let cases: [(u8, Vec<u8>, Vec<u8>, &str); 6] = [
        (
            1,
            vec![0x0b; 20],
            b"Hi There".to_vec(),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            2,
            b"Jefe".to_vec(),
            b"what do ya want for nothing?".to_vec(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            3,
            vec![0xaa; 20],
            vec![0xdd; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        ),
        (
            4,
            (0x01..=0x19).collect(),
            vec![0xcd; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        ),
        (
            6,
            long_key.clone(),
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            7,
            long_key,
            b"This is a test using a larger than block-size key and a larger than block-size data. \
              The key needs to be hashed before being used by the HMAC algorithm."
                .to_vec(),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    ];
    for (n, key, data, expected) in cases {
        assert_eq!(Pseudonymizer::new(&key).pseudonym(&data), expected, "RFC 4231 test case {n}");
    }
    // Case 2's key as text, as USER_ID_HMAC_SECRET would give it.
    assert_eq!(
        Pseudonymizer::new("Jefe").pseudonym("what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

const HMAC_SECRET: &str = "hmac-K3y-from-the-vault-9f8e7d";

fn hmac_config() -> Config {
    Config::default().user_id_hmac_secret(Secret::new(HMAC_SECRET))
}

#[test]
fn span_and_event_user_ids_become_their_pseudonyms() {
    let p123 = pseudonym(HMAC_SECRET, "user123");
    let p9 = pseudonym(HMAC_SECRET, "user9");
    let h = Harness::new(hmac_config());
    h.run(|| {
        let span = tracing::info_span!("request", user_id = "user123");
        let _e = span.enter();
        user_action!(ActionType::Click, "from the span");
        user_action!(ActionType::Click, "from the event", user_id = "user9");
        let later = tracing::info_span!("later", user_id = tracing::field::Empty);
        later.record("user_id", "user9");
        let _l = later.enter();
        user_action!(ActionType::Click, "recorded later");
    });
    let lines = h.file.json();
    assert_eq!(lines[0]["session"]["user_id"], p123.as_str());
    assert_eq!(lines[1]["session"]["user_id"], p9.as_str());
    assert_eq!(lines[2]["session"]["user_id"], p9.as_str());
    let console = h.console.lines();
    assert!(console[0].contains(&format!("👆 User {p123} clicked 'from the span'")), "{console:?}");
    assert!(console[1].contains(&format!("👆 User {p9} clicked 'from the event'")), "{console:?}");
    for id in ["user123", "user9"] {
        assert_nowhere(&h, id);
    }
    assert_nowhere(&h, HMAC_SECRET);
}

#[test]
fn numeric_user_ids_are_pseudonymized_too() {
    let h = Harness::new(hmac_config());
    h.run(|| {
        let span = tracing::info_span!("request", user_id = 4242u64);
        let _e = span.enter();
        user_action!(ActionType::Click, "from the span");
        user_action!(ActionType::Click, "from the event", user_id = 777i64);
    });
    let lines = h.file.json();
    assert_eq!(lines[0]["session"]["user_id"], pseudonym(HMAC_SECRET, "4242").as_str());
    assert_eq!(lines[1]["session"]["user_id"], pseudonym(HMAC_SECRET, "777").as_str());
    let console = h.console.text();
    assert!(!console.contains("User 4242 ") && !console.contains("User 777 "), "{console}");
}

#[test]
fn the_same_id_gets_the_same_pseudonym_across_layers_and_threads() {
    let expected = pseudonym(HMAC_SECRET, "user123");
    let ids_from = |file: &common::Capture| -> Vec<String> {
        file.json().iter().map(|l| l["session"]["user_id"].as_str().unwrap().to_owned()).collect()
    };
    let mut seen = Vec::new();
    for _ in 0..2 {
        let (layer, guard, _console, file) = layer_for(hmac_config());
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
        std::thread::scope(|scope| {
            for t in 0..4 {
                let dispatch = dispatch.clone();
                scope.spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        let span = tracing::info_span!("request", user_id = "user123");
                        let _e = span.enter();
                        user_action!(ActionType::Click, "x", thread = t);
                        user_action!(ActionType::Click, "y", user_id = "user123");
                    })
                });
            }
        });
        drop(guard);
        seen.extend(ids_from(&file));
    }
    assert_eq!(seen.len(), 16);
    assert!(seen.iter().all(|p| *p == expected), "{seen:?}");
    // Another secret gives another pseudonym.
    assert_ne!(pseudonym("another secret", "user123"), expected);
}

#[test]
fn a_missing_user_id_is_the_pseudonym_of_unknown_in_json_and_anonymous_on_the_console() {
    let unknown = pseudonym(HMAC_SECRET, UNKNOWN_USER);
    let h = Harness::new(hmac_config());
    h.run(|| {
        user_action!(ActionType::Search, "rust");
        user_action!(ActionType::Search, "empty id", user_id = "");
    });
    let lines = h.file.json();
    assert_eq!(lines[0]["session"]["user_id"], unknown.as_str());
    assert_eq!(lines[1]["session"]["user_id"], unknown.as_str());
    assert_eq!(
        h.console.lines()[0],
        "[INFO] 🔍 Anonymous user searched for 'rust' at 14:30:25 → ✅ Result: Success"
    );
    assert!(h.console.lines()[1].contains("🔍 Anonymous user searched for 'empty id'"));
    // Without a secret a missing id stays null.
    let (_, line) = one_action(Config::default(), || user_action!(ActionType::Search, "rust"));
    assert_eq!(line["session"]["user_id"], Value::Null);
}

#[test]
fn the_hmac_secret_is_never_shown() {
    let config = hmac_config();
    assert!(!format!("{config:?}").contains(HMAC_SECRET), "{config:?}");
    let builder = Builder::new().config(config.clone());
    assert!(!format!("{builder:?}").contains(HMAC_SECRET), "{builder:?}");
    let (layer, _guard, _c, _f) = layer_for(config.clone());
    assert!(!format!("{layer:?}").contains(HMAC_SECRET), "{layer:?}");

    // Nor in any sink, even when logged as a value.
    let h = Harness::new(config.clone());
    h.run(|| {
        let span = tracing::info_span!("request", user_id = HMAC_SECRET);
        let _e = span.enter();
        user_action!(ActionType::Click, "x");
        user_action!(ActionType::Click, "y", user_id = HMAC_SECRET);
    });
    let lines = h.file.json();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["session"]["user_id"], pseudonym(HMAC_SECRET, HMAC_SECRET).as_str());
    assert_nowhere(&h, HMAC_SECRET);

    // Nor in the log file on disk.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("activity.log");
    let tracing_activity::Activity { layer, guard, .. } = Builder::new()
        .config(config.user_activity_log_path(path.clone()).enable_console_logging(false))
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let span = tracing::info_span!("request", user_id = "user123");
        let _e = span.enter();
        user_action!(ActionType::Auth, "login", password = "mypassword123");
        user_action!(ActionType::Click, "anonymous", user_id = "");
    });
    assert_eq!(guard.close().file_lines, 2);
    let text = fs::read_to_string(&path).unwrap();
    assert!(!text.contains(HMAC_SECRET), "{text}");
    assert!(!text.contains("user123") && !text.contains("mypassword123"), "{text}");
    assert!(text.contains(&pseudonym(HMAC_SECRET, "user123")), "{text}");
    assert!(text.contains(&pseudonym(HMAC_SECRET, UNKNOWN_USER)), "{text}");
}

#[test]
fn without_tracking_anonymous_users_actions_without_an_id_are_dropped_even_with_hmac() {
    let h = Harness::new(hmac_config().track_anonymous_users(false));
    h.run(|| {
        user_action!(ActionType::Click, "no id");
        user_action!(ActionType::Click, "empty id", user_id = "");
        user_action!(ActionType::Click, "known", user_id = "u1");
        let span = tracing::info_span!("request", ip_address = "10.0.0.1");
        let _e = span.enter();
        user_action!(ActionType::Click, "ip only");
    });
    let line = h.only_json();
    assert_eq!(line["action"]["description"], "known");
    assert_eq!(line["session"]["user_id"], pseudonym(HMAC_SECRET, "u1").as_str());
    assert_eq!(h.console.lines().len(), 1, "{}", h.console.text());
    assert!(!h.file.text().contains(&pseudonym(HMAC_SECRET, UNKNOWN_USER)));
}

// ---------------------------------------------------------------------------------------------
// Anonymized IP addresses
// ---------------------------------------------------------------------------------------------

#[test]
fn ip_addresses_are_anonymized_through_the_layer() {
    for (input, expected) in [
        ("192.168.1.100", "192.168.1.0"),
        ("10.0.0.7:443", "10.0.0.0"),
        ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
        ("[2001:db8:85a3:8d3::1]:8080", "2001:db8:85a3::"),
        ("::ffff:203.0.113.77", "203.0.113.0"),
        ("fe80::1ff:fe23:4567:890a%eth0", "fe80::"),
        ("[fe80::1%3]:80", "fe80::"),
        ("not an address", INVALID_IP),
        ("999.1.1.1", INVALID_IP),
        ("1.2.3.4\n[ERROR] forged", INVALID_IP),
        ("password=hunter2", INVALID_IP),
    ] {
        let h = Harness::new(Config::default().anonymize_ip(true));
        h.run(|| {
            let span = tracing::info_span!("request", ip_address = input);
            let _e = span.enter();
            user_action!(ActionType::Click, "span");
            user_action!(ActionType::Click, "event", ip_address = input);
        });
        let lines = h.file.json();
        assert_eq!(lines.len(), 2);
        for line in &lines {
            assert_eq!(line["session"]["ip_address"], expected, "{input:?}");
        }
        for line in h.console.lines() {
            assert!(line.contains(&format!("Anonymous user from {expected} clicked")), "{input:?}: {line}");
        }
        if expected == INVALID_IP {
            assert!(!h.file.text().contains("forged") && !h.console.text().contains("forged"));
            assert!(!h.file.text().contains("hunter2") && !h.console.text().contains("hunter2"));
        }
    }
}

#[test]
fn without_anonymization_the_ip_is_kept() {
    let (console, line) = one_action(Config::default(), || {
        let span = tracing::info_span!("request", ip_address = "192.168.1.100");
        let _e = span.enter();
        user_action!(ActionType::Click, "x");
    });
    assert_eq!(line["session"]["ip_address"], "192.168.1.100");
    assert!(console.contains("Anonymous user from 192.168.1.100 clicked"), "{console}");
    let (_, line) = one_action(Config::default(), || {
        user_action!(ActionType::Click, "x", ip_address = "2001:db8:85a3:8d3:1319:8a2e:370:7348")
    });
    assert_eq!(line["session"]["ip_address"], "2001:db8:85a3:8d3:1319:8a2e:370:7348");
}

// ---------------------------------------------------------------------------------------------
// Value cap
// ---------------------------------------------------------------------------------------------

#[test]
fn long_values_are_cut_with_a_marker_saying_how_much() {
    let config = Config::default().max_value_length(64);
    let ascii = "a".repeat(10_000);
    let (console, line) = one_action(config.clone(), || {
        user_action!(ActionType::Custom("x"), ascii.as_str(), result = ascii.as_str(), note = ascii.as_str())
    });
    let expected = format!("{}…[truncated 9936 bytes]", "a".repeat(64));
    assert_eq!(line["action"]["description"], expected.as_str());
    assert_eq!(line["action"]["result"], expected.as_str());
    assert_eq!(line["action"]["data"]["note"], expected.as_str());
    assert!(console.contains(&format!("'{expected}'")), "{console}");

    // 10,000 characters, 19,999 bytes: byte 64 falls inside an `é`, so the cut is at 63.
    let multibyte = format!("x{}", "é".repeat(9_999));
    assert_eq!(multibyte.chars().count(), 10_000);
    let (console, line) = one_action(config.clone(), || {
        let span = tracing::info_span!("request", user_agent = multibyte.as_str());
        let _e = span.enter();
        user_action!(ActionType::Custom("x"), multibyte.as_str())
    });
    let expected = format!("x{}…[truncated 19936 bytes]", "é".repeat(31));
    assert_eq!(line["action"]["description"], expected.as_str());
    assert_eq!(line["session"]["user_agent"], expected.as_str());
    assert!(console.contains(&format!("'{expected}'")), "{console}");

    // Exactly the cap is not cut.
    let exact = "b".repeat(64);
    let (_, line) = one_action(config.clone(), || user_action!(ActionType::Custom("x"), exact.as_str()));
    assert_eq!(line["action"]["description"], exact.as_str());
    // Masking happens before the cap: a long secret is masked, not cut and half shown.
    let long_secret = format!("password={}", "s".repeat(100));
    let (_, line) = one_action(config, || user_action!(ActionType::Custom("x"), long_secret.as_str()));
    assert_eq!(line["action"]["description"], "password=ss*******ss");
}

#[test]
fn camel_case_secret_fields_are_masked() {
    let h = Harness::new(Config::default());
    h.run(|| {
        user_action!(
            ActionType::Auth,
            "login",
            accessToken = "abcdefghijklmnop",
            clientSecret = "qrstuvwxyzabcdef",
            dbPassword = "ghijklmnopqrstuv"
        )
    });
    for secret in ["abcdefghijklmnop", "qrstuvwxyzabcdef", "ghijklmnopqrstuv"] {
        assert_nowhere(&h, secret);
    }
    assert_eq!(h.only_json()["action"]["data"]["accessToken"], "ab*******op");
}

// ---------------------------------------------------------------------------------------------
// Structured text: Masker::mask_json and Masker::mask_form
// ---------------------------------------------------------------------------------------------

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use tracing_activity::privacy::Masker;

/// Keys that [`structured_masker`] must treat as sensitive (`pin` is configured), as apps write
/// them.
const SENSITIVE_KEYS: &[&str] = &[
    "password",
    "api_key",
    "token",
    "userPassword",
    "pin",
    "user_pin",
    "X-Api-Key",
    "db.password",
    "accessToken",
    "Authorization",
    "otp",
    "PASSWORD",
    "client_secret",
];

/// Keys that are not sensitive, near misses included.
const ORDINARY_KEYS: &[&str] = &[
    "user",
    "name",
    "email",
    "id",
    "tags",
    "author",
    "passwordless",
    "token_count",
    "oauth",
    "spin",
    "pinned",
    "count",
    "",
    "note",
    "clé",
    "🦀",
];

fn structured_masker(full: bool) -> Masker {
    Masker::new(["pin"], if full { MaskStyle::Full } else { MaskStyle::Partial })
}

/// A JSON document as generated: numbers as written, object keys unique and marked sensitive
/// or not by the pool they were drawn from (never by asking the masker).
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, bool, Json)>),
}

impl Json {
    /// The text a masked scalar is masked from; `None` for a container.
    fn scalar_text(&self) -> Option<&str> {
        match self {
            Json::Null => Some("null"),
            Json::Bool(true) => Some("true"),
            Json::Bool(false) => Some("false"),
            Json::Num(n) => Some(n),
            Json::Str(s) => Some(s),
            Json::Arr(_) | Json::Obj(_) => None,
        }
    }
}

/// What parsing the document gives: with `masker`, what parsing `mask_json`'s output must give
/// (every scalar at any depth below a sensitive key is the mask of its text, as a string).
fn expected_json(j: &Json, masked: bool, masker: Option<&Masker>) -> Value {
    match (j, masker) {
        (Json::Arr(items), _) => {
            Value::Array(items.iter().map(|i| expected_json(i, masked, masker)).collect())
        }
        (Json::Obj(members), _) => Value::Object(
            members.iter().map(|(k, s, v)| (k.clone(), expected_json(v, masked || *s, masker))).collect(),
        ),
        (scalar, Some(m)) if masked => Value::String(m.mask_value(scalar.scalar_text().unwrap())),
        // Other values have what the value patterns find masked: a card-like number becomes a
        // string holding its mask.
        (Json::Str(s), Some(m)) => Value::String(m.mask_text(s).into_owned()),
        (Json::Num(n), Some(m)) if m.mask_text(n) != n.as_str() => Value::String(m.mask_text(n).into_owned()),
        (Json::Null, _) => Value::Null,
        (Json::Bool(b), _) => Value::Bool(*b),
        (Json::Num(n), _) => serde_json::from_str(n).unwrap(),
        (Json::Str(s), _) => Value::String(s.clone()),
    }
}

/// Writes valid JSON with random spellings: whitespace (the four JSON kinds) between tokens, and
/// characters of keys (and of string values, with `escape_values`) written as `\uXXXX` (either
/// case, surrogate pairs beyond the BMP), `\/` or short escapes. Records where each scalar under
/// a sensitive key was written.
struct JsonWriter {
    out: String,
    rng: u64,
    escape_values: bool,
    masked: Vec<Range<usize>>,
}

impl JsonWriter {
    fn write(doc: &Json, seed: u64, escape_values: bool) -> (String, Vec<Range<usize>>) {
        let mut w = JsonWriter { out: String::new(), rng: seed | 1, escape_values, masked: Vec::new() };
        w.value(doc, false);
        (w.out, w.masked)
    }

    fn next(&mut self) -> u64 {
        // xorshift64
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }

    fn space(&mut self) {
        while self.one_in(3) {
            let c = [' ', '\t', '\n', '\r'][(self.next() % 4) as usize];
            self.out.push(c);
        }
    }

    fn unicode_escape(&mut self, c: char) {
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            if self.one_in(2) {
                self.out.push_str(&format!("\\u{unit:04x}"));
            } else {
                self.out.push_str(&format!("\\u{unit:04X}"));
            }
        }
    }

    fn string(&mut self, s: &str, escape: bool) {
        self.out.push('"');
        for c in s.chars() {
            let short = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\n' => Some("\\n"),
                '\t' => Some("\\t"),
                '\r' => Some("\\r"),
                '\u{8}' => Some("\\b"),
                '\u{c}' => Some("\\f"),
                '/' if escape => Some("\\/"),
                _ => None,
            };
            match short {
                Some(short) if !escape || self.one_in(2) => self.out.push_str(short),
                _ if u32::from(c) < 0x20 || matches!(c, '"' | '\\') => self.unicode_escape(c),
                _ if escape && self.one_in(4) => self.unicode_escape(c),
                _ => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn value(&mut self, j: &Json, masked: bool) {
        self.space();
        let start = self.out.len();
        match j {
            Json::Arr(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.value(item, masked);
                }
                self.space();
                self.out.push(']');
            }
            Json::Obj(members) => {
                self.out.push('{');
                for (i, (key, sensitive, value)) in members.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.space();
                    self.string(key, true);
                    self.space();
                    self.out.push(':');
                    self.value(value, masked || *sensitive);
                }
                self.space();
                self.out.push('}');
            }
            Json::Str(s) => self.string(s, self.escape_values),
            scalar => self.out.push_str(scalar.scalar_text().unwrap()),
        }
        if masked && j.scalar_text().is_some() {
            self.masked.push(start..self.out.len());
        }
        self.space();
    }
}

fn json_key() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        prop::sample::select(SENSITIVE_KEYS).prop_map(|k| (k.to_owned(), true)),
        prop::sample::select(ORDINARY_KEYS).prop_map(|k| (k.to_owned(), false)),
    ]
}

/// String values with everything JSON has to escape, and more.
fn rich_text() -> BoxedStrategy<String> {
    let special = prop::sample::select(vec![
        '"', '\\', '/', '\n', '\t', '\r', '\u{8}', '\u{c}', '\0', '\u{1f}', '\u{7f}', 'é', '🦀', '\u{2028}',
        '\u{feff}', '*',
    ]);
    prop::collection::vec(
        prop_oneof![4 => prop::char::range('a', 'z'), 2 => any::<char>(), 2 => special],
        0..16,
    )
    .prop_map(|chars| chars.into_iter().collect())
    .boxed()
}

/// String values that need no escape, so that a leak shows as the value's own text.
fn plain_text() -> BoxedStrategy<String> {
    "[A-Za-z0-9 éß🦀]{0,20}".boxed()
}

fn json_number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (any::<i32>(), 0u32..100_000, prop::option::of(-30i32..30)).prop_map(|(int, frac, exp)| format!(
            "{int}.{frac}{}",
            exp.map_or(String::new(), |e| format!("e{e}"))
        )),
    ]
}

fn unique_members(members: Vec<((String, bool), Json)>) -> Json {
    let mut seen = HashSet::new();
    Json::Obj(
        members
            .into_iter()
            .filter(|((k, _), _)| seen.insert(k.clone()))
            .map(|((k, s), v)| (k, s, v))
            .collect(),
    )
}

/// An object (as bodies mostly are) of random depth, scalars strings from `text`.
fn json_doc(text: BoxedStrategy<String>) -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        json_number().prop_map(Json::Num),
        text.prop_map(Json::Str),
    ];
    let tree = leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Arr),
            prop::collection::vec((json_key(), inner), 0..5).prop_map(unique_members),
        ]
    });
    prop::collection::vec((json_key(), tree), 0..6).prop_map(unique_members)
}

/// A form field name as generated: decoded, and whether it is sensitive.
fn form_name() -> impl Strategy<Value = (String, bool)> {
    let sensitive = prop::sample::select(vec![
        "password",
        "api_key",
        "token",
        "pin",
        "user[password]",
        "user[token]",
        "items[0][api_key]",
        "card[cvv]",
        "X-Api-Key",
        "db.password",
        "accessToken",
        "session_token",
        "otp",
        "PASSWORD",
    ]);
    let ordinary = prop::sample::select(vec![
        "user",
        "q",
        "page",
        "author",
        "passwordless",
        "token_count",
        "oauth",
        "spin",
        "user[name]",
        "api key",
        "c++",
        "a&b=c",
        "50%",
        "clé",
        "",
    ]);
    prop_oneof![sensitive.prop_map(|n| (n.to_owned(), true)), ordinary.prop_map(|n| (n.to_owned(), false)),]
}

/// `name` form-encoded, each character as itself or `%XX` (either case) at random; a space as
/// `+` or `%20`; `%`, `&`, `=`, `+` always encoded.
fn form_encode(name: &str, choices: &[u8]) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        let choice = choices[i % choices.len()];
        let must = matches!(c, '%' | '&' | '=' | '+');
        if c == ' ' && choice % 2 == 0 {
            out.push('+');
        } else if must || c == ' ' || choice % 3 != 0 {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&if choice % 2 == 0 { format!("%{b:02X}") } else { format!("%{b:02x}") });
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One `&`-separated segment of a form.
#[derive(Debug, Clone)]
enum Segment {
    Pair {
        name: String,
        sensitive: bool,
        value: String,
    },
    /// A name without `=`.
    Bare(String),
    Empty,
}

fn form_segment() -> impl Strategy<Value = Segment> {
    let secret = "[A-Z]{4}[0-9]{4}[A-Z0-9]{4,12}";
    let ordinary_value = "[a-z0-9%+=~.*!é-]{0,16}";
    prop_oneof![
        8 => (form_name(), prop::collection::vec(any::<u8>(), 1..8), secret, ordinary_value, 0..8u8).prop_map(
            |((name, sensitive), choices, secret, ordinary, empty)| Segment::Pair {
                name: form_encode(&name, &choices),
                sensitive,
                value: if empty == 0 { String::new() } else if sensitive { secret } else { ordinary },
            }
        ),
        1 => "[a-z%+]{1,8}".prop_map(Segment::Bare),
        1 => Just(Segment::Empty),
    ]
}

/// Arbitrary text biased towards what the JSON and form walkers look at.
fn structured_noise() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "\\",
        "\"",
        "\\u",
        "\\ud800",
        "\\udc00",
        "\\ud83d\\ude00",
        "\\ud83d",
        "\\u00",
        "\\u+041",
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"password\":",
        "\"pin\":",
        "\"pass\\u0077ord\"",
        "%",
        "%2",
        "%e2%82",
        "%5B",
        "%5d",
        "&",
        "=",
        "+",
        "password=",
        "pass%77ord=",
        "é",
        "🦀",
        " ",
        "\n",
        "null",
        "-1e5",
        "\u{feff}",
    ]);
    prop::collection::vec(
        prop_oneof![3 => any::<char>().prop_map(String::from), 3 => pieces.prop_map(str::to_owned)],
        0..64,
    )
    .prop_map(|pieces| pieces.concat())
}

/// The `&`-separated segments of a form and their names (the text before the first `=`).
fn form_names(form: &str) -> Vec<&str> {
    form.split('&').map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(64) })]

    /// Neither walker panics on any text: arbitrary Unicode, lone backslashes and surrogates,
    /// unterminated strings and escapes, stray brackets. Neither masks a thing where nothing can
    /// sit under a name (no `:` and no `=`); and a form keeps its segments and names, each value
    /// kept, replaced by its mask, or masked where the value patterns find a secret.
    #[test]
    fn mask_json_and_mask_form_take_any_text(text in structured_noise(), full in any::<bool>()) {
        let m = structured_masker(full);
        let json = m.mask_json(&text);
        let form = m.mask_form(&text);
        if !text.contains([':', '=']) {
            prop_assert_eq!(&json, &text);
            prop_assert_eq!(&form, &text);
        }
        if text.contains(':') {
            // `name: value` and `Cookie:` patterns may mask across names; the rest is for forms.
            return Ok(());
        }
        prop_assert_eq!(form_names(&form), form_names(&text));
        if text.contains(['"', '\'']) {
            // A quoted value (`password="a&b"`) is found by the value patterns in the whole
            // form, across `&`: pair by pair is not how it is masked.
            return Ok(());
        }
        for (out, pair) in form.split('&').zip(text.split('&')) {
            if let Some((name, value)) = pair.split_once('=') {
                let masked = format!("{name}={}", m.mask_value(value));
                let patterns = m.mask_text(pair);
                prop_assert!(
                    out == pair || out == masked || out == patterns || out == m.mask_text(&masked),
                    "{:?} became {:?}", pair, out
                );
            }
        }
    }

    /// Valid JSON, however spelled (escaped keys, any whitespace), comes out valid with the same
    /// structure, keys and ordinary values, and every scalar at any depth below a sensitive key a
    /// string holding its mask. Masking the output again changes nothing.
    #[test]
    fn mask_json_masks_every_value_under_a_sensitive_key_and_nothing_else(
        doc in json_doc(rich_text()),
        seed in any::<u64>(),
        full in any::<bool>(),
    ) {
        let m = structured_masker(full);
        let (text, masked) = JsonWriter::write(&doc, seed, true);
        let input: Value = serde_json::from_str(&text).expect("the writer writes valid JSON");
        prop_assert_eq!(&input, &expected_json(&doc, false, None), "{}", text);

        let out = m.mask_json(&text);
        let parsed: Value = match serde_json::from_str(&out) {
            Ok(parsed) => parsed,
            Err(e) => return Err(TestCaseError::fail(format!("invalid JSON out ({e}): {out}\nfrom {text}"))),
        };
        let expected = expected_json(&doc, false, Some(&m));
        prop_assert_eq!(&parsed, &expected, "{} became {}", text, out);
        if masked.is_empty() && expected == input {
            prop_assert!(matches!(out, Cow::Borrowed(_)), "nothing to mask, yet {} became {}", text, out);
        }
        prop_assert_eq!(m.mask_json(&out), out.clone());
    }

    /// The same documents cut anywhere (a capped body): no run of 5 characters of a value under
    /// a sensitive key (one the document holds nowhere else) survives the cut and the mask.
    #[test]
    fn mask_json_of_a_document_cut_short_never_shows_a_masked_value(
        doc in json_doc(plain_text()),
        seed in any::<u64>(),
        full in any::<bool>(),
    ) {
        let m = structured_masker(full);
        let (text, masked) = JsonWriter::write(&doc, seed, false);
        let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        // Every cut in and just around a masked value, and 32 more spread over the document.
        let mut cuts: Vec<usize> = boundaries.iter().step_by(boundaries.len().div_ceil(32)).copied().collect();
        for r in &masked {
            cuts.extend(boundaries.iter().filter(|&&b| b + 4 >= r.start && b <= r.end + 4));
        }
        // (start of a 5-character run, its end) that the document holds once, in a masked value.
        let runs: Vec<Range<usize>> = masked
            .iter()
            .flat_map(|r| {
                let starts: Vec<usize> = text[r.clone()].char_indices().map(|(i, _)| r.start + i).collect();
                starts.windows(5).map(|w| w[0]).collect::<Vec<_>>().into_iter().filter_map(|start| {
                    let end = text[start..].char_indices().nth(5).map_or(text.len(), |(i, _)| start + i);
                    (end <= r.end && text.matches(&text[start..end]).count() == 1).then_some(start..end)
                }).collect::<Vec<_>>()
            })
            .collect();
        for cut in cuts {
            let out = m.mask_json(&text[..cut]);
            for run in runs.iter().filter(|run| run.end <= cut) {
                prop_assert!(
                    !out.contains(&text[run.clone()]),
                    "{:?} of a masked value shows in {:?}, from {:?}", &text[run.clone()], out, &text[..cut]
                );
            }
        }
    }

    /// Forms from random pairs, names percent-encoded at random: values under sensitive names
    /// are masked (never shown), every other segment is unchanged.
    #[test]
    fn mask_form_masks_sensitive_values_and_keeps_the_rest(
        segments in prop::collection::vec(form_segment(), 0..10),
        full in any::<bool>(),
    ) {
        let m = structured_masker(full);
        let render = |mask: bool| {
            segments
                .iter()
                .map(|s| match s {
                    Segment::Pair { name, sensitive, value } if mask && *sensitive && !value.is_empty() => {
                        format!("{name}={}", m.mask_value(value))
                    }
                    Segment::Pair { name, value, .. } => format!("{name}={value}"),
                    Segment::Bare(bare) => bare.clone(),
                    Segment::Empty => String::new(),
                })
                .collect::<Vec<_>>()
                .join("&")
        };
        let form = render(false);
        let out = m.mask_form(&form);
        prop_assert_eq!(&out, &render(true), "from {}", form);
        for s in &segments {
            if let Segment::Pair { sensitive: true, value, .. } = s {
                prop_assert!(value.is_empty() || !out.contains(value.as_str()), "{} shows in {}", value, out);
            }
        }
    }
}

#[test]
fn mask_json_walks_deep_nesting_without_recursion() {
    let m = structured_masker(false);
    let depth = 100_000;
    let deep = format!("{}{{\"password\":\"hunter2hunter2\"}}{}", "[".repeat(depth), "]".repeat(depth));
    let out = m.mask_json(&deep);
    assert!(out.contains(r#"{"password":"hu*******r2"}"#));
    assert!(!out.contains("hunter2"));
    let under = format!("{{\"token\":{}\"abc\"{}}}", "{\"a\":[".repeat(depth), "]}".repeat(depth));
    let out = m.mask_json(&under);
    assert!(out.contains(r#"["****"]"#));
    assert!(!out.contains("abc"));
    // Unclosed brackets, and closers with nothing open.
    for text in ["[".repeat(depth), "]".repeat(depth), "{\"pin\":".repeat(depth), "}{".repeat(depth)] {
        let _ = m.mask_json(&text);
        let _ = m.mask_form(&text);
    }
}

// Found in review; ignored until fixed.

#[test]

fn numbered_and_confirmation_passwords_are_masked() {
    let m = structured_masker(false);
    let form = m.mask_form("password1=hunter22&password2=hunter22&user[password_confirmation]=hunter22");
    assert!(!form.contains("hunter22"), "{form}");
    let json = m.mask_json(r#"{"password_confirmation":"hunter22","newPassword2":"hunter22"}"#);
    assert!(!json.contains("hunter22"), "{json}");
}

#[test]

fn humped_and_run_together_sensitive_names_are_masked() {
    let m = structured_masker(false);
    let form = m.mask_form("pass%57ord=hunter22");
    assert!(!form.contains("hunter22"), "{form}");
    let json = m.mask_json(
        r#"{"passWord":["hunter2hunter2"],"PassPhrase":{"a":"hunter3hunter3"},"privatekey":"hunter4hunter4","creditcard":4111111111111111}"#,
    );
    for secret in ["hunter2hunter2", "hunter3hunter3", "hunter4hunter4", "4111111111111111"] {
        assert!(!json.contains(secret), "{json}");
    }
}

/// Bodies captured by the HTTP middleware, through the activity layer.
#[cfg(feature = "http")]
mod captured_bodies {
    use std::future::Future;
    use std::pin::{Pin, pin};
    use std::task::{Context, Poll, Waker};

    use bytes::Bytes;
    use http::{Request, Response};
    use http_body::{Body, Frame};
    use http_body_util::Full;
    use tower_layer::Layer;
    use tower_service::Service;
    use tracing_activity::http::{HttpActivityLayer, RequestBody};

    use super::*;

    type Polled<B> = Poll<Option<Result<Frame<<B as Body>::Data>, <B as Body>::Error>>>;

    fn poll_once<B: Body>(body: Pin<&mut B>) -> Polled<B> {
        body.poll_frame(&mut Context::from_waker(Waker::noop()))
    }

    fn drain<B: Body<Data = Bytes>>(body: B) -> Vec<u8> {
        let mut body = pin!(body);
        let mut out = Vec::new();
        while let Poll::Ready(Some(Ok(frame))) = poll_once(body.as_mut()) {
            if let Ok(data) = frame.into_data() {
                out.extend_from_slice(&data);
            }
        }
        out
    }

    /// Reads the request body, answers `respond(content type, body)`.
    #[derive(Clone)]
    struct App<R>(fn(Option<http::HeaderValue>, Vec<u8>) -> R);

    impl<R> Service<Request<RequestBody<Full<Bytes>>>> for App<R> {
        type Response = Response<R>;
        type Error = String;
        type Future = std::future::Ready<Result<Response<R>, String>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), String>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request<RequestBody<Full<Bytes>>>) -> Self::Future {
            let content_type = request.headers().get("content-type").cloned();
            let body = drain(request.into_body());
            let mut response = Response::new((self.0)(content_type.clone(), body));
            if let Some(content_type) = content_type {
                response.headers_mut().insert("content-type", content_type);
            }
            std::future::ready(Ok(response))
        }
    }

    fn echo(_: Option<http::HeaderValue>, body: Vec<u8>) -> Full<Bytes> {
        Full::new(Bytes::from(body))
    }

    /// Posts `body` through the middleware to `app`, reads the response for `polls` frames,
    /// drops it; returns the actions' data.
    fn post<R: Body>(
        layer: HttpActivityLayer,
        app: App<R>,
        content_type: &str,
        body: &[u8],
        polls: usize,
    ) -> Vec<Value> {
        let h = Harness::new(Config::default());
        h.run(|| {
            let mut service = layer.layer(app);
            let request = Request::post("/x")
                .header("content-type", content_type)
                .body(Full::new(Bytes::copy_from_slice(body)))
                .unwrap();
            let future = pin!(service.call(request));
            let Poll::Ready(Ok(response)) = future.poll(&mut Context::from_waker(Waker::noop())) else {
                panic!("the app answers at once")
            };
            let mut body = pin!(response.into_body());
            for _ in 0..polls {
                let _ = poll_once(body.as_mut());
            }
        });
        h.file.json().iter().map(|line| line["action"]["data"].clone()).collect()
    }

    fn capturing() -> HttpActivityLayer {
        HttpActivityLayer::new(&Config::default()).log_request_body(true).log_response_body(true)
    }

    /// A JSON body that ends in an error after its first frame.
    struct Broken(u8);

    impl Body for Broken {
        type Data = Bytes;
        type Error = String;

        fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Polled<Self> {
            self.0 += 1;
            Poll::Ready(Some(match self.0 {
                1 => Ok(Frame::data(Bytes::from_static(br#"{"token":"abcdefghijkl"#))),
                _ => Err("broken".to_owned()),
            }))
        }
    }

    #[test]
    fn a_response_body_records_its_action_once_however_it_ends() {
        for polls in 0..4 {
            let data =
                post(capturing(), App(|_, _| Broken(0)), "application/json", br#"{"password":"x"}"#, polls);
            assert_eq!(data.len(), 1, "{polls} polls: {data:?}");
            let expected =
                if polls == 0 { Value::Null } else { json!(r#"{"token":"ab*******kl"…[incomplete]"#) };
            assert_eq!(
                data[0].get("response_body").cloned().unwrap_or(Value::Null),
                expected,
                "{polls} polls"
            );
            assert_eq!(data[0]["request_body"], json!({"password": "****"}));
        }
        let data = post(capturing(), App(echo), "application/json", br#"{"pin":1}"#, 5);
        assert_eq!(data.len(), 1);
        assert_eq!(data[0]["response_body"], json!({"pin": 1}));
    }

    #[test]

    fn captured_json_stays_json() {
        let data = post(
            capturing(),
            App(echo),
            "application/json",
            br#"{"secret":["abc",{"x":1}],"after":"kept"}"#,
            5,
        );
        // In the line as the JSON value it is.
        assert_eq!(data[0]["request_body"], json!({"secret": ["****", {"x": "****"}], "after": "kept"}));
    }

    #[test]

    fn the_truncation_marker_survives_a_cut_after_a_sensitive_name() {
        let layer = capturing().max_request_body_size(12).max_response_body_size(9);
        let data = post(layer, App(echo), "application/json", br#"{"password":"hunter2hunter2"}"#, 5);
        assert_eq!(data[0]["request_body"], r#"{"password":…[truncated 17 bytes]"#);
        let layer = capturing().max_request_body_size(9);
        let data = post(layer, App(echo), "application/x-www-form-urlencoded", b"password=hunter22", 5);
        assert_eq!(data[0]["request_body"], "password=…[truncated 8 bytes]");
    }

    #[test]

    fn json_in_another_charset_never_shows_its_secrets() {
        let utf16: Vec<u8> =
            r#"{"password":"hunter2hunter2"}"#.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let data = post(capturing(), App(echo), "application/json; charset=utf-16le", &utf16, 5);
        for field in ["request_body", "response_body"] {
            let text = data[0][field].as_str().unwrap_or_default().replace('\0', "");
            assert!(!text.contains("hunter2"), "{field}: {text}");
        }
    }
}

#[test]
fn a_page_that_is_the_path_of_its_url_is_masked_as_it_would_be_alone() {
    // The page is a slice of the url's own text, as the HTTP middleware logs them: the layer
    // then searches it only when the url held something, or when it is not cut at the `?`.
    let page_of = |url: &'static str, len: usize| {
        let (_, line) = one_action(Config::default(), || {
            let span = tracing::info_span!("request", url = url, current_page = &url[..len]);
            span.in_scope(|| user_action!(ActionType::ApiCall, "GET"));
        });
        (line["context"]["url"].clone(), line["session"]["current_page"].clone())
    };
    let (url, page) = page_of("/docs/intro?q=rust", 11);
    assert_eq!((url.as_str(), page.as_str()), (Some("/docs/intro?q=rust"), Some("/docs/intro")));

    let (url, page) = page_of("/cards/4111111111111111?x=1", 23);
    assert!(!url.as_str().unwrap().contains("4111111111111111"), "{url}");
    assert!(!page.as_str().unwrap().contains("4111111111111111"), "{page}");

    // A card that a letter hides in the url is still a card in the page cut before the letter.
    let url_text = "/cards/4111111111111111x";
    let (url, page) = page_of(url_text, 23);
    assert_eq!(url.as_str(), Some(url_text), "a letter right after the digits: no card");
    assert!(!page.as_str().unwrap().contains("4111111111111111"), "{page}");
}

/// Span values found to need no masking are remembered per thread, so that a client's user agent
/// is not searched again on every request: per layer, because another layer's rules may find a
/// secret in the same text, and never for a text that needed masking.
#[test]
fn remembered_span_values_are_judged_by_each_layers_own_rules() {
    let agent = "agent pin_code=123456 build 7";
    let logged_agent = |config: Config| {
        let (console, line) = one_action(config, || {
            let span = tracing::info_span!("request", user_agent = agent);
            let _e = span.enter();
            user_action!(ActionType::Click, "x");
        });
        assert!(!console.is_empty());
        line["session"]["user_agent"].as_str().unwrap().to_owned()
    };
    let strict = || Config::default().sensitive_fields(["pin_code"]);
    for _ in 0..2 {
        assert_eq!(logged_agent(Config::default()), agent);
    }
    for _ in 0..2 {
        assert_eq!(logged_agent(strict()), "agent pin_code=**** build 7");
    }
    assert_eq!(logged_agent(Config::default()), agent);
}
