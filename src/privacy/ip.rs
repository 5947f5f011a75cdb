//! IP anonymization: IPv4 keeps its /24, IPv6 its /48.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// What an address that does not parse is logged as: it is never passed through.
pub const INVALID_IP: &str = "invalid";

/// Anonymizes an IP address as text.
///
/// - IPv4 loses its last octet: `203.0.113.77` → `203.0.113.0`.
/// - IPv6 loses its last 80 bits: `2001:db8:85a3:8d3:1319:8a2e:370:7348` → `2001:db8:85a3::`.
/// - An IPv4-mapped IPv6 address is treated as IPv4: `::ffff:203.0.113.77` → `203.0.113.0`.
/// - A zone id (`fe80::1%eth0`), brackets and a port (`[::1]:8080`, `10.0.0.7:443`) are dropped.
/// - Anything else becomes [`INVALID_IP`].
///
/// ```
/// use tracing_activity::privacy::anonymize_ip;
///
/// assert_eq!(anonymize_ip("192.168.1.100"), "192.168.1.0");
/// assert_eq!(anonymize_ip("2001:db8:85a3:8d3:1319:8a2e:370:7348"), "2001:db8:85a3::");
/// assert_eq!(anonymize_ip("not an address"), "invalid");
/// ```
pub fn anonymize_ip(value: &str) -> String {
    let mut out = String::new();
    push_anonymized_ip(value, &mut out);
    out
}

/// Appends the anonymized form of `value` to `out` (see [`anonymize_ip`]).
pub(crate) fn push_anonymized_ip(value: &str, out: &mut String) {
    use std::fmt::Write;
    match parse(value.trim()) {
        Some(ip) => {
            let _ = write!(out, "{}", anonymize(ip));
        }
        None => out.push_str(INVALID_IP),
    }
}

/// The address in `value`, without zone id, brackets or port.
pub(crate) fn parse(value: &str) -> Option<IpAddr> {
    if let Ok(ip) = value.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = value.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    // A zone id: `fe80::1%eth0`, `[fe80::1%eth0]:8080`.
    let unbracketed = value.strip_prefix('[').map_or(value, |v| v.split(']').next().unwrap_or(v));
    let (address, _zone) = unbracketed.split_once('%')?;
    address.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
}

fn anonymize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4_prefix(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4_prefix(v4)),
            None => {
                let bits = u128::from(v6) & !((1u128 << 80) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
    }
}

fn v4_prefix(v4: Ipv4Addr) -> Ipv4Addr {
    let [a, b, c, _] = v4.octets();
    Ipv4Addr::new(a, b, c, 0)
}

#[cfg(test)]
mod tests {
    use super::anonymize_ip;

    #[test]
    fn addresses_keep_only_their_network() {
        for (input, expected) in [
            ("192.168.1.100", "192.168.1.0"),
            ("10.0.0.7:443", "10.0.0.0"),
            (" 8.8.8.8 ", "8.8.8.0"),
            ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
            ("2001:db8:85a3:ffff::1", "2001:db8:85a3::"),
            ("[2001:db8:85a3:8d3::1]:8080", "2001:db8:85a3::"),
            ("::ffff:203.0.113.77", "203.0.113.0"),
            ("::1", "::"),
            ("fe80::1ff:fe23:4567:890a%eth0", "fe80::"),
            ("[fe80::1%3]:80", "fe80::"),
            ("", "invalid"),
            ("localhost", "invalid"),
            ("999.1.1.1", "invalid"),
            ("1.2.3.4\n[ERROR] forged", "invalid"),
            ("%eth0", "invalid"),
        ] {
            assert_eq!(anonymize_ip(input), expected, "{input:?}");
        }
    }
}
