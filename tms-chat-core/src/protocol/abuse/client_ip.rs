//! The client address of a request: the socket's peer, unless that peer is a trusted proxy;
//! then the nearest address in `Forwarded` (RFC 7239 `for=`) or, without it,
//! `X-Forwarded-For` that is not itself a trusted proxy. The chain is read right to left
//! (each proxy appends the address it received from), so a client cannot pick its address by
//! writing one on the left; an entry that is not an address (`unknown`, an obfuscated
//! identifier, garbage) stops the walk at the last trusted hop.

use super::super::ApiRequest;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The request's client address, or `None` when the adapter gave no peer.
pub(crate) fn client_ip(request: &ApiRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = canonical(request.peer_addr?.ip());
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(&ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let chain = forwarded_chain(request);
    let mut nearest = peer;
    for hop in chain.iter().rev() {
        match hop {
            Some(ip) if is_trusted(*ip) => nearest = *ip,
            Some(ip) => return Some(*ip),
            None => return Some(nearest),
        }
    }
    Some(nearest)
}

/// The forwarded addresses, leftmost (farthest) first; `None` for an entry that is not an
/// address. `Forwarded` wins over `X-Forwarded-For` when both are present.
fn forwarded_chain(request: &ApiRequest) -> Vec<Option<IpAddr>> {
    let values = |name: &'static str| {
        request
            .headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
    };
    let forwarded: Vec<Option<IpAddr>> = values("forwarded")
        .filter_map(forwarded_for)
        .map(parse_node)
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    values("x-forwarded-for").map(parse_node).collect()
}

/// The `for=` parameter of one `Forwarded` element.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then_some(value)
    })
}

/// One node: `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`, `[2001:db8::1]:8080`, quoted or
/// not.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        let inside = rest.split(']').next()?;
        return inside.parse().ok().map(canonical);
    }
    node.parse::<IpAddr>()
        .or_else(|_| node.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(canonical)
}

/// IPv4-mapped IPv6 as IPv4 (dual-stack listeners report IPv4 peers that way).
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, headers: &[(&str, &str)]) -> ApiRequest {
        let mut request = ApiRequest::new("GET", "/");
        request.peer_addr = Some(peer.parse().unwrap());
        for (name, value) in headers {
            request = request.with_header(name, value);
        }
        request
    }

    fn proxies() -> Vec<IpNet> {
        vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let r = request("203.0.113.9:5000", &[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(client_ip(&r, &proxies()), ip("203.0.113.9"));
        let r = request("203.0.113.9:5000", &[("forwarded", "for=198.51.100.1")]);
        assert_eq!(client_ip(&r, &proxies()), ip("203.0.113.9"));
        assert_eq!(client_ip(&r, &[]), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_names_the_nearest_untrusted_hop() {
        let cases: &[(&str, &str, &str)] = &[
            ("x-forwarded-for", "198.51.100.1", "198.51.100.1"),
            // The client wrote the left one; the proxy appended what it saw.
            ("x-forwarded-for", "1.1.1.1, 198.51.100.1", "198.51.100.1"),
            ("x-forwarded-for", "198.51.100.1, 10.1.2.3", "198.51.100.1"),
            ("x-forwarded-for", "unknown, 10.1.2.3", "10.1.2.3"),
            ("x-forwarded-for", "10.9.9.9", "10.9.9.9"),
            ("forwarded", "for=198.51.100.1;proto=https", "198.51.100.1"),
            ("forwarded", "for=\"[2001:db8::17]:4711\"", "2001:db8::17"),
            ("forwarded", "for=192.0.2.60:80, for=10.0.0.2", "192.0.2.60"),
            ("forwarded", "for=_hidden, for=10.0.0.2", "10.0.0.2"),
            ("forwarded", "proto=https", "10.0.0.1"),
        ];
        for (name, value, want) in cases {
            let r = request("10.0.0.1:443", &[(name, value)]);
            assert_eq!(client_ip(&r, &proxies()), ip(want), "{name}: {value}");
        }
    }

    #[test]
    fn forwarded_wins_over_x_forwarded_for_and_several_headers_join() {
        let r = request(
            "[::1]:443",
            &[
                ("x-forwarded-for", "198.51.100.1"),
                ("forwarded", "for=198.51.100.2"),
            ],
        );
        assert_eq!(client_ip(&r, &proxies()), ip("198.51.100.2"));
        let r = request(
            "10.0.0.1:443",
            &[
                ("x-forwarded-for", "198.51.100.1"),
                ("x-forwarded-for", "10.0.0.5"),
            ],
        );
        assert_eq!(client_ip(&r, &proxies()), ip("198.51.100.1"));
    }

    #[test]
    fn no_peer_is_no_address_and_mapped_peers_are_ipv4() {
        assert_eq!(client_ip(&ApiRequest::new("GET", "/"), &proxies()), None);
        let r = request("[::ffff:10.0.0.1]:443", &[("x-forwarded-for", "192.0.2.1")]);
        assert_eq!(client_ip(&r, &proxies()), ip("192.0.2.1"));
    }
}
