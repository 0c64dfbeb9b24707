//! Who the client is, for sign-in throttling: the connection's peer address, unless the peer is
//! one of the trusted proxies (`trusted_proxies`), whose `X-Forwarded-For` (else `Forwarded`)
//! header is read from the right: the first address that is not itself a trusted proxy is the
//! client. A forwarded header from any other peer is ignored, since anyone can write one.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client's address as text (`unknown` without a connection, as in router tests).
pub fn client_address(
    connect: Option<&ConnectInfo<SocketAddr>>,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> String {
    let Some(ConnectInfo(peer)) = connect else {
        return "unknown".to_owned();
    };
    client_ip(peer.ip(), headers, trusted).to_string()
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    let ip = ip.to_canonical();
    trusted.iter().any(|net| net.contains(&ip))
}

fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    if !is_trusted(peer, trusted) {
        return peer.to_canonical();
    }
    let mut hops = forwarded_for(headers);
    if hops.is_empty() {
        hops = forwarded(headers);
    }
    // Rightmost first: the hop our trusted proxy saw, then what that one was told, …
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) => {
                client = *ip;
                if !is_trusted(*ip, trusted) {
                    break;
                }
            }
            // Garbage in the chain: believe nothing beyond it.
            None => break,
        }
    }
    client.to_canonical()
}

fn header_items<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
}

/// `X-Forwarded-For: client, proxy1, proxy2` (over every such header, in order).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    header_items(headers, "x-forwarded-for")
        .map(parse_node)
        .collect()
}

/// `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"` (RFC 7239).
fn forwarded(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    header_items(headers, "forwarded")
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// An address, `[v6]`, `[v6]:port` or `v4:port`; `None` for anything else.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    text.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let stranger: IpAddr = "198.51.100.9".parse().unwrap();
        let cases = [
            (
                proxy,
                vec![("x-forwarded-for", "203.0.113.5")],
                "203.0.113.5",
            ),
            (
                proxy,
                vec![("x-forwarded-for", "1.1.1.1, 203.0.113.5, 10.0.0.3")],
                "203.0.113.5",
            ),
            (
                proxy,
                vec![
                    ("x-forwarded-for", "1.1.1.1"),
                    ("x-forwarded-for", "203.0.113.6"),
                ],
                "203.0.113.6",
            ),
            (
                proxy,
                vec![("forwarded", "for=192.0.2.60;proto=https")],
                "192.0.2.60",
            ),
            (
                proxy,
                vec![("forwarded", "for=\"[2001:db8::1]:4711\"")],
                "2001:db8::1",
            ),
            (
                proxy,
                vec![("x-forwarded-for", "1.1.1.1, garbage")],
                "10.0.0.2",
            ),
            (proxy, vec![], "10.0.0.2"),
            (
                stranger,
                vec![("x-forwarded-for", "203.0.113.5")],
                "198.51.100.9",
            ),
            (
                stranger,
                vec![("forwarded", "for=203.0.113.5")],
                "198.51.100.9",
            ),
            (
                "::ffff:10.0.0.2".parse().unwrap(),
                vec![("x-forwarded-for", "203.0.113.7")],
                "203.0.113.7",
            ),
        ];
        for (peer, pairs, expected) in cases {
            let got = client_ip(peer, &headers(&pairs), &trusted);
            assert_eq!(got.to_string(), expected, "{peer} {pairs:?}");
        }
        assert_eq!(
            client_ip(proxy, &headers(&[("x-forwarded-for", "203.0.113.5")]), &[]).to_string(),
            "10.0.0.2",
            "no proxies trusted by default"
        );
    }
}
