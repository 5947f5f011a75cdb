//! The feature a request belongs to, named from its path.

/// The feature name of a request path or route template: its segments joined with `_`,
/// lowercased, with numeric, UUID-like and token-like segments (ids, keys) and route parameters
/// (`{id}`, `:id`, `*rest`) left out and an optional prefix such as `/api` stripped first. The
/// root path is `root`.
///
/// ```
/// use tracing_activity::http::feature_name;
///
/// assert_eq!(feature_name("/api/users/42/orders", Some("/api")), "users_orders");
/// assert_eq!(feature_name("/user-queries", None), "user-queries");
/// assert_eq!(feature_name("/docs/0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90/Edit", None), "docs_edit");
/// assert_eq!(feature_name("/users/{id}/orders", None), "users_orders");
/// assert_eq!(feature_name("/", None), "root");
/// ```
pub fn feature_name(path: &str, strip_prefix: Option<&str>) -> String {
    let mut name = String::with_capacity(path.len());
    push_feature_name(path, strip_prefix, &mut name);
    name
}

/// [`feature_name`], appended to `name` (which is empty).
///
/// One pass over the path: each segment is classified while it is scanned, and copied only
/// when it is not an id.
pub(crate) fn push_feature_name(path: &str, strip_prefix: Option<&str>, name: &mut String) {
    let path = match strip_prefix.map(|p| p.trim_end_matches('/')).filter(|p| !p.is_empty()) {
        Some(prefix) => match path.strip_prefix(prefix) {
            Some(rest) if rest.is_empty() || rest.starts_with(['/', '?', '#']) => rest,
            _ => path,
        },
        None => path,
    };
    let bytes = path.as_bytes();
    let mut start = 0;
    let mut kinds = Kinds::default();
    for (i, &b) in bytes.iter().enumerate() {
        let class = CLASSES[usize::from(b)];
        if class == END {
            push_segment(&path[start..i], kinds, name);
            if b != b'/' {
                start = bytes.len();
                break;
            }
            start = i + 1;
            kinds = Kinds::default();
        } else {
            kinds.0[usize::from(class & 3)] += 1;
        }
    }
    push_segment(&path[start.min(bytes.len())..], kinds, name);
    if name.is_empty() {
        name.push_str("root");
    }
    name.make_ascii_lowercase();
}

/// The class of each byte in a path: [`END`] for a byte that ends a segment, else what it adds
/// to [`Kinds`].
const CLASSES: [u8; 256] = {
    let mut classes = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        classes[b] = match b as u8 {
            b'/' | b'?' | b'#' => END,
            b'0'..=b'9' => DIGIT,
            b'a'..=b'f' | b'A'..=b'F' => HEX_LETTER,
            b'-' => DASH,
            _ => OTHER,
        };
        b += 1;
    }
    classes
};
const DIGIT: u8 = 0;
const HEX_LETTER: u8 = 1;
const DASH: u8 = 2;
const OTHER: u8 = 3;
const END: u8 = 4;

/// What a path segment is made of, counted while it is scanned: digits, hex letters, dashes and
/// other bytes, indexed by their [`CLASSES`] entry.
#[derive(Clone, Copy, Default)]
struct Kinds([usize; 4]);

impl Kinds {
    /// Numbers, UUIDs, long hex strings (object ids, hashes), and tokens: 20 bytes or more with
    /// a digit (a JWT, an API key, a random slug), or anything over 64 bytes. A token in a path is
    /// masked in the logged path, but a feature name is lowercased, which no secret pattern
    /// would know again.
    fn is_id(self, len: usize) -> bool {
        let [digits, hex_letters, dashes, other] = self.0;
        let hex_digits = digits + hex_letters;
        let token = len > 64 || (len >= 20 && digits > 0);
        token
            || other == 0
                && (digits == len
                    || (len == 36 && hex_digits == 32 && dashes == 4)
                    || (len >= 16 && hex_digits == len))
    }
}

/// Appends a segment that is neither empty, nor an id, nor a route parameter (`{id}`, `:id`,
/// `{*rest}`, `*rest`), after a `_` if the name has a segment.
fn push_segment(segment: &str, kinds: Kinds, name: &mut String) {
    if segment.is_empty() || kinds.is_id(segment.len()) || segment.starts_with(['{', ':', '*']) {
        return;
    }
    if !name.is_empty() {
        name.push('_');
    }
    name.push_str(segment);
}

#[cfg(test)]
mod tests {
    use super::feature_name;

    #[test]
    fn ids_prefixes_and_queries_are_left_out() {
        for (path, prefix, expected) in [
            ("/api/users/42/orders", Some("/api"), "users_orders"),
            ("/api/users/42/orders", Some("/api/"), "users_orders"),
            ("/apiary/hives", Some("/api"), "apiary_hives"),
            ("/users/42", None, "users"),
            ("/search?q=rust", None, "search"),
            ("/files/5f3a9c0e1b2d4f6a8e1c9012/download", None, "files_download"),
            ("/v2/Items//7/", None, "v2_items"),
            ("/api", Some("/api"), "root"),
            ("/api?page=2", Some("/api"), "root"),
            ("/api#top", Some("/api"), "root"),
            ("/api/users?page=2", Some("/api"), "users"),
            ("/apiary?x", Some("/api"), "apiary"),
            ("/Users/ÉQUIPE/Profile", None, "users_Équipe_profile"),
            ("/ORDERS/ABCDEF0123456789", None, "orders"),
            ("/a-b/12-34/--/x", None, "a-b_12-34_--_x"),
            ("/search#frag/ment", None, "search"),
            (
                "/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jV/done",
                None,
                "reset_done",
            ),
            ("/keys/sk_live_4eC39HqLyjWDarjtT1zdp7dc", None, "keys"),
            ("/invite/V1StGXR8_Z5jdHi6B-myT", None, "invite"),
            ("/docs/getting-started-with-tracing", None, "docs_getting-started-with-tracing"),
            ("/docs/rust-2024-edition", None, "docs_rust-2024-edition"),
            ("///", None, "root"),
            ("/users/{id}/orders", None, "users_orders"),
            ("/api/users/:id", Some("/api"), "users"),
            ("/files/{*path}", None, "files"),
            ("/static/*rest", None, "static"),
            ("", None, "root"),
        ] {
            assert_eq!(feature_name(path, prefix), expected, "{path} {prefix:?}");
        }
    }
}
