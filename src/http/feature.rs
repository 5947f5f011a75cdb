//! The feature a request belongs to, named from its path (seed 001).

/// The feature name of a request path: its segments joined with `_`, lowercased, with numeric
/// and UUID-like segments (ids) left out and an optional prefix such as `/api` stripped first.
/// The root path is `root`.
///
/// ```
/// use tracing_activity::http::feature_name;
///
/// assert_eq!(feature_name("/api/users/42/orders", Some("/api")), "users_orders");
/// assert_eq!(feature_name("/user-queries", None), "user-queries");
/// assert_eq!(feature_name("/docs/0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90/Edit", None), "docs_edit");
/// assert_eq!(feature_name("/", None), "root");
/// ```
pub fn feature_name(path: &str, strip_prefix: Option<&str>) -> String {
    let mut name = String::with_capacity(path.len());
    push_feature_name(path, strip_prefix, &mut name);
    name
}

/// [`feature_name`], appended to `name` (which is empty).
pub(crate) fn push_feature_name(path: &str, strip_prefix: Option<&str>, name: &mut String) {
    let path = &path[..path.bytes().position(|b| b == b'?' || b == b'#').unwrap_or(path.len())];
    let path = match strip_prefix.map(|p| p.trim_end_matches('/')).filter(|p| !p.is_empty()) {
        Some(prefix) => match path.strip_prefix(prefix) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
            _ => path,
        },
        None => path,
    };
    let mut rest = path;
    while !rest.is_empty() {
        let (segment, after) = match rest.bytes().position(|b| b == b'/') {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, ""),
        };
        rest = after;
        if segment.is_empty() || is_id(segment) {
            continue;
        }
        if !name.is_empty() {
            name.push('_');
        }
        name.push_str(segment);
    }
    if name.is_empty() {
        name.push_str("root");
    }
    name.make_ascii_lowercase();
}

/// Numbers, UUIDs, and long hex strings (object ids, hashes).
fn is_id(segment: &str) -> bool {
    let (mut digits, mut hex_letters, mut dashes) = (0, 0, 0);
    for b in segment.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'a'..=b'f' | b'A'..=b'F' => hex_letters += 1,
            b'-' => dashes += 1,
            _ => return false,
        }
    }
    let hex_digits = digits + hex_letters;
    digits == segment.len()
        || (segment.len() == 36 && hex_digits == 32 && dashes == 4)
        || (segment.len() >= 16 && hex_digits == segment.len())
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
            ("/Users/ÉQUIPE/Profile", None, "users_Équipe_profile"),
            ("/ORDERS/ABCDEF0123456789", None, "orders"),
            ("/a-b/12-34/--/x", None, "a-b_12-34_--_x"),
            ("/search#frag/ment", None, "search"),
            ("///", None, "root"),
            ("", None, "root"),
        ] {
            assert_eq!(feature_name(path, prefix), expected, "{path} {prefix:?}");
        }
    }
}
