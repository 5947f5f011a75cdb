//! Numbers written without `core::fmt`, which costs several times more than the digits.

/// Appends `n` in decimal.
pub(crate) fn push_u64(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Appends `n` in decimal.
pub(crate) fn push_i64(out: &mut String, n: i64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Appends a finite `v` as the shortest JSON number that reads back as `v` (`45.32`, `1.0`,
/// `1e21`), or `null` for NaN and the infinities, which JSON cannot hold.
pub(crate) fn push_json_f64(out: &mut String, v: f64) {
    if v.is_finite() {
        out.push_str(ryu::Buffer::new().format_finite(v));
    } else {
        out.push_str("null");
    }
}

/// The largest value [`push_f64_2`] writes by its own digits: beyond it, hundredths no longer fit
/// the integer arithmetic exactly.
const FIXED_MAX: f64 = 1e12;

/// Appends `v` with two decimals (`45.32`, `0.05`), as `{v:.2}` would, rounding halves away from
/// zero.
pub(crate) fn push_f64_2(out: &mut String, v: f64) {
    if v.is_nan() || v.abs() >= FIXED_MAX {
        use std::fmt::Write;
        let _ = write!(out, "{v:.2}");
        return;
    }
    // Below FIXED_MAX, `v * 100` stays under 2^53 and is off by far less than a hundredth.
    let hundredths = (v.abs() * 100.0).round() as u64;
    if v < 0.0 && hundredths != 0 {
        out.push('-');
    }
    push_u64(out, hundredths / 100);
    out.push('.');
    let cents = (hundredths % 100) as u8;
    out.push(char::from(b'0' + cents / 10));
    out.push(char::from(b'0' + cents % 10));
}

/// Writes the last `width` decimal digits of `n`, zero-padded.
pub(crate) fn push_digits(out: &mut String, mut n: u32, width: usize) {
    let mut buf = [b'0'; 10];
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend(buf[..width].iter().map(|&b| char::from(b)));
}

/// Writes `bytes` as lowercase hex digits into `out`, two per byte (`out` is twice as long).
pub(crate) fn write_hex(bytes: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    debug_assert_eq!(out.len(), bytes.len() * 2);
    for (byte, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0f)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut String)) -> String {
        let mut out = String::new();
        f(&mut out);
        out
    }

    #[test]
    fn integers_read_as_std_writes_them() {
        for n in (0..=1001).chain([9_999, 10_000, 12_345, u64::from(u32::MAX), u64::MAX]) {
            assert_eq!(text(|o| push_u64(o, n)), n.to_string());
        }
        for n in [0, -1, 7, -10, i64::MIN, i64::MAX] {
            assert_eq!(text(|o| push_i64(o, n)), n.to_string());
        }
    }

    #[test]
    fn json_floats_read_back_as_the_same_number() {
        for v in [0.0, 1.0, 45.32, 0.1 + 0.2, 1e21, 1e-7, -3.5, f64::MAX, f64::MIN_POSITIVE] {
            let written = text(|o| push_json_f64(o, v));
            assert_eq!(written.parse::<f64>().unwrap(), v, "{written}");
            let parsed: f64 = serde_json::from_str(&written).unwrap();
            assert_eq!(parsed, v);
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(text(|o| push_json_f64(o, v)), "null");
        }
    }

    #[test]
    fn thousandths_are_written_as_ryu_writes_them() {
        let ryu = |v: f64| ryu::Buffer::new().format_finite(v).to_owned();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let fixed = [1, 5, 10, 100, 999, 1000, 1001, 1010, 1100, 12_500, 45_320, 999_999_999_999_999];
        let random =
            (0..200_000).map(|i| next() % [1_000, 1_000_000, 1_000_000_000, 999_999_999_999_999][i % 4]);
        for n in fixed.into_iter().chain(random).filter(|&n| n > 0) {
            let v = n as f64 / 1000.0;
            assert_eq!(text(|o| push_json_f64(o, v)), ryu(v), "{n}");
        }
        // Not thousandths, near the edges, or out of range: ryu's own digits.
        for v in [0.0, -0.0, 0.0005, 0.1 + 0.2, 1.0 / 3.0, 1e12, 1e12 - 0.5, 12.3456, -45.32, 1e21] {
            assert_eq!(text(|o| push_json_f64(o, v)), ryu(v), "{v}");
        }
    }

    #[test]
    fn two_decimals_match_std_away_from_ties() {
        for v in [
            0.0,
            0.004,
            0.006,
            1.0,
            45.32,
            45.321,
            99.999,
            123_456.78,
            2500.0,
            -1.25,
            1e11 + 0.25,
            1e13 + 0.5,
            1e300,
        ] {
            assert_eq!(text(|o| push_f64_2(o, v)), format!("{v:.2}"), "{v}");
        }
        assert_eq!(text(|o| push_f64_2(o, f64::NAN)), "NaN");
        assert_eq!(text(|o| push_f64_2(o, -0.001)), "0.00");
    }
}
