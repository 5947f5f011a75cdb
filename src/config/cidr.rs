//! `IpCidr`: an IP network, as listed in `TRUSTED_PROXIES`.

use std::error::Error;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IP network in CIDR notation, such as `10.0.0.0/8` or `2001:db8::/32`.
///
/// The address is masked to the prefix (`10.1.2.3/8` is `10.0.0.0/8`). Parsing
/// accepts a bare address as a single host (`/32` or `/128`); `Display`
/// always shows the prefix.
///
/// ```
/// use std::net::IpAddr;
/// use tracing_activity::IpCidr;
///
/// let network: IpCidr = "10.0.0.0/8".parse().unwrap();
/// assert!(network.contains("10.20.30.40".parse::<IpAddr>().unwrap()));
/// assert!(network.contains("::ffff:10.20.30.40".parse::<IpAddr>().unwrap()));
/// assert!(!network.contains("192.168.1.1".parse::<IpAddr>().unwrap()));
/// assert_eq!(network.to_string(), "10.0.0.0/8");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpCidr {
    addr: IpAddr,
    prefix: u8,
}

impl IpCidr {
    /// The network of `addr` with a `prefix`-bit mask; host bits of `addr`
    /// are cleared.
    ///
    /// # Errors
    ///
    /// Returns [`InvalidCidr`] if `prefix` is over 32 for an IPv4 address or
    /// over 128 for an IPv6 address.
    pub fn new(addr: IpAddr, prefix: u8) -> Result<Self, InvalidCidr> {
        let max = max_prefix(addr);
        if prefix > max {
            return Err(InvalidCidr::Prefix { max });
        }
        let addr = match addr {
            IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & mask_u32(prefix)).into()),
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & mask_u128(prefix)).into()),
        };
        Ok(Self { addr, prefix })
    }

    /// The network address (host bits cleared).
    #[must_use]
    pub const fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    #[must_use]
    pub const fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in this network. An IPv4-mapped IPv6 address
    /// (`::ffff:a.b.c.d`, as reported by dual-stack sockets) is in an IPv4
    /// network when `a.b.c.d` is; a plain IPv4 address is never in an IPv6
    /// network.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                u32::from(ip) & mask_u32(self.prefix) == u32::from(network)
            }
            (IpAddr::V4(_), IpAddr::V6(ip)) => {
                ip.to_ipv4_mapped().is_some_and(|ip| self.contains(IpAddr::V4(ip)))
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                u128::from(ip) & mask_u128(self.prefix) == u128::from(network)
            }
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

fn max_prefix(addr: IpAddr) -> u8 {
    if addr.is_ipv4() { 32 } else { 128 }
}

fn mask_u32(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask_u128(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl FromStr for IpCidr {
    type Err = InvalidCidr;

    /// Parses `address/prefix` or a bare address (a single host).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| InvalidCidr::Address)?;
        let prefix = match prefix {
            None => max_prefix(addr),
            Some(prefix) if !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit()) => {
                prefix.parse().map_err(|_| InvalidCidr::Prefix { max: max_prefix(addr) })?
            }
            Some(_) => {
                return Err(InvalidCidr::Prefix { max: max_prefix(addr) });
            }
        };
        Self::new(addr, prefix)
    }
}

impl fmt::Display for IpCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Why an [`IpCidr`] could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidCidr {
    /// The address part is not an IPv4 or IPv6 address.
    Address,
    /// The prefix is not a number from 0 to `max`.
    Prefix {
        /// 32 for IPv4, 128 for IPv6.
        max: u8,
    },
}

impl fmt::Display for InvalidCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Address => f.write_str("invalid IP network: the address is not an IP address"),
            Self::Prefix { max } => {
                write!(f, "invalid IP network: the prefix length must be a number from 0 to {max}")
            }
        }
    }
}

impl Error for InvalidCidr {}
