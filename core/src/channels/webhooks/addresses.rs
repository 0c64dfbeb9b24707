//! Which IP addresses are internal: the classifier behind every webhook check. An address is
//! internal when it is not a public unicast address — loopback, private, link-local, unique-local,
//! shared (carrier-grade NAT, where some clouds put their metadata service), multicast,
//! unspecified, broadcast or reserved. IPv6 addresses that carry an IPv4 address (mapped
//! `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`)
//! are judged by the IPv4 address they carry. Documentation ranges (192.0.2.0/24, 2001:db8::/32…)
//! reach nothing inside a network and are not refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is internal, as a user reads it ("127.0.0.1 is a loopback address").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Internal {
    Loopback,
    Private,
    LinkLocal,
    UniqueLocal,
    SiteLocal,
    Shared,
    Multicast,
    Unspecified,
    Broadcast,
    Reserved,
}

impl Internal {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Loopback => "a loopback address",
            Self::Private => "a private address",
            Self::LinkLocal => "a link-local address",
            Self::UniqueLocal => "a unique-local address",
            Self::SiteLocal => "a site-local address",
            Self::Shared => "a shared (carrier-grade NAT) address",
            Self::Multicast => "a multicast address",
            Self::Unspecified => "an unspecified address",
            Self::Broadcast => "the broadcast address",
            Self::Reserved => "a reserved address",
        }
    }
}

/// The IPv4 address an IPv6 address carries, if any, else the address itself.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => carried_v4(v6).map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Why `ip` is internal; `None` for a public address.
pub fn classify(ip: IpAddr) -> Option<Internal> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match carried_v4(v6) {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Internal> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() => Internal::Unspecified,
        _ if ip.is_broadcast() => Internal::Broadcast,
        (0, ..) => Internal::Reserved,
        (127, ..) => Internal::Loopback,
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => Internal::Private,
        (100, 64..=127, _) => Internal::Shared,
        (169, 254, _) => Internal::LinkLocal,
        // IETF protocol assignments, and the benchmarking networks.
        (192, 0, 0) | (198, 18..=19, _) => Internal::Reserved,
        (224..=239, ..) => Internal::Multicast,
        (240..=255, ..) => Internal::Reserved,
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<Internal> {
    let s = ip.segments();
    Some(match s[0] {
        _ if ip.is_unspecified() => Internal::Unspecified,
        _ if ip.is_loopback() => Internal::Loopback,
        0xff00..=0xffff => Internal::Multicast,
        0xfe80..=0xfebf => Internal::LinkLocal,
        0xfec0..=0xfeff => Internal::SiteLocal,
        0xfc00..=0xfdff => Internal::UniqueLocal,
        // Local-use NAT64 (64:ff9b:1::/48) and the discard prefix (100::/64).
        0x64 if s[1] == 0xff9b && s[2] == 1 => Internal::Private,
        0x100 if s[1..4] == [0, 0, 0] => Internal::Reserved,
        // IETF protocol assignments (2001::/23, Teredo among them).
        0x2001 if s[1] < 0x200 => Internal::Reserved,
        // The rest of ::/8 that carries no IPv4 address.
        0 => Internal::Reserved,
        _ => return None,
    })
}

/// The IPv4 address inside a mapped, compatible, NAT64 or 6to4 IPv6 address.
fn carried_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        // Compatible (deprecated), but not :: and ::1 themselves.
        [0, 0, 0, 0, 0, 0, _, _] if !ip.is_unspecified() && !ip.is_loopback() => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_range_is_classified_to_its_edges() {
        use Internal::*;
        let table: &[(&str, Option<Internal>)] = &[
            ("0.0.0.0", Some(Unspecified)),
            ("0.255.255.255", Some(Reserved)),
            ("1.0.0.0", None),
            ("9.255.255.255", None),
            ("10.0.0.0", Some(Private)),
            ("10.255.255.255", Some(Private)),
            ("11.0.0.0", None),
            ("100.63.255.255", None),
            ("100.64.0.0", Some(Shared)),
            ("100.100.100.200", Some(Shared)),
            ("100.127.255.255", Some(Shared)),
            ("100.128.0.0", None),
            ("126.255.255.255", None),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.255", Some(Loopback)),
            ("128.0.0.0", None),
            ("169.253.255.255", None),
            ("169.254.0.0", Some(LinkLocal)),
            ("169.254.169.254", Some(LinkLocal)),
            ("169.254.255.255", Some(LinkLocal)),
            ("169.255.0.0", None),
            ("172.15.255.255", None),
            ("172.16.0.0", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.0", None),
            ("192.0.0.0", Some(Reserved)),
            ("192.0.0.255", Some(Reserved)),
            ("192.0.2.1", None),
            ("192.167.255.255", None),
            ("192.168.0.0", Some(Private)),
            ("192.168.255.255", Some(Private)),
            ("192.169.0.0", None),
            ("198.17.255.255", None),
            ("198.18.0.0", Some(Reserved)),
            ("198.19.255.255", Some(Reserved)),
            ("198.20.0.0", None),
            ("223.255.255.255", None),
            ("224.0.0.0", Some(Multicast)),
            ("239.255.255.255", Some(Multicast)),
            ("240.0.0.0", Some(Reserved)),
            ("255.255.255.254", Some(Reserved)),
            ("255.255.255.255", Some(Broadcast)),
            ("8.8.8.8", None),
            ("::", Some(Unspecified)),
            ("::1", Some(Loopback)),
            ("::2", Some(Reserved)),
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:7f00:1", Some(Loopback)),
            ("::ffff:169.254.169.254", Some(LinkLocal)),
            ("::ffff:10.1.2.3", Some(Private)),
            ("::ffff:0.0.0.0", Some(Unspecified)),
            ("::ffff:8.8.8.8", None),
            ("::127.0.0.1", Some(Loopback)),
            ("::8.8.8.8", None),
            ("64:ff9b::127.0.0.1", Some(Loopback)),
            ("64:ff9b::8.8.8.8", None),
            ("64:ff9b:1::1", Some(Private)),
            ("2002:7f00:1::", Some(Loopback)),
            ("2002:a9fe:a9fe::1", Some(LinkLocal)),
            ("2002:808:808::1", None),
            ("100::", Some(Reserved)),
            ("100::ffff:ffff:ffff:ffff", Some(Reserved)),
            ("100:0:0:1::", None),
            ("2001::1", Some(Reserved)),
            ("2001:1ff:ffff::", Some(Reserved)),
            ("2001:200::", None),
            ("2001:db8::1", None),
            ("2606:4700::1111", None),
            ("fbff:ffff::", None),
            ("fc00::", Some(UniqueLocal)),
            ("fd12:3456::1", Some(UniqueLocal)),
            ("fdff:ffff::", Some(UniqueLocal)),
            ("fe00::", None),
            ("fe7f:ffff::", None),
            ("fe80::", Some(LinkLocal)),
            ("febf:ffff::", Some(LinkLocal)),
            ("fec0::", Some(SiteLocal)),
            ("feff:ffff::", Some(SiteLocal)),
            ("ff00::", Some(Multicast)),
            ("ff02::1", Some(Multicast)),
            ("ffff:ffff::", Some(Multicast)),
        ];
        for (text, expected) in table {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(classify(ip), *expected, "{text}");
        }
    }

    #[test]
    fn an_ipv6_address_carrying_ipv4_is_that_ipv4_address() {
        for (v6, v4) in [
            ("::ffff:127.0.0.1", "127.0.0.1"),
            ("64:ff9b::a00:1", "10.0.0.1"),
            ("2002:c0a8:101::", "192.168.1.1"),
            ("::1", "::1"),
            ("2606:4700::1111", "2606:4700::1111"),
        ] {
            let ip: IpAddr = v6.parse().unwrap();
            assert_eq!(canonical(ip), v4.parse::<IpAddr>().unwrap(), "{v6}");
        }
    }
}
