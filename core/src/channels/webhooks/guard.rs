//! Where webhooks may go: public addresses, and the internal hosts the operator names in
//! `webhook_allowed_hosts` (host names, IP addresses, CIDRs). Checked when a webhook is added
//! (the host resolved then) and again at connect time: the delivery client resolves names through
//! [`Guarded`], which keeps only allowed addresses, so a name that answers otherwise later cannot
//! lead a delivery inside; an IP literal never reaches a resolver and is checked before sending.
//! The client uses no proxy from the environment and follows no redirect.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use url::{Host, Url};

use super::addresses::{canonical, classify};

/// Why a webhook may not go to an address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

const UNLESS: &str = "Blueprint does not deliver to internal addresses unless the operator \
                      allows the host in webhook_allowed_hosts";

/// An entry of `webhook_allowed_hosts` that is no host name, IP address or CIDR.
#[derive(Debug, thiserror::Error)]
#[error(
    "webhook_allowed_hosts: `{0}` is not a host name, an IP address or a CIDR such as 10.0.0.0/8"
)]
pub struct BadAllowedHost(pub String);

/// The internal hosts webhooks may reach anyway (`webhook_allowed_hosts`; empty: none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedHosts {
    /// Lower-case host names, without a trailing dot: allowed whatever they resolve to.
    names: Vec<String>,
    /// Addresses and networks allowed for any host.
    nets: Vec<IpNet>,
}

fn host_name(text: &str) -> Option<String> {
    let name = text.trim_end_matches('.').to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    valid.then_some(name)
}

impl AllowedHosts {
    /// A comma-separated list such as `hooks.internal, 10.1.0.0/16, ::1`.
    pub fn parse(list: &str) -> Result<Self, BadAllowedHost> {
        let mut allowed = Self::default();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bare = item.trim_start_matches('[').trim_end_matches(']');
            if let Ok(net) = bare.parse::<IpNet>() {
                allowed.nets.push(net);
            } else if let Ok(ip) = bare.parse::<IpAddr>() {
                allowed.nets.push(IpNet::from(canonical(ip)));
            } else if let Some(name) = host_name(item) {
                allowed.names.push(name);
            } else {
                return Err(BadAllowedHost(item.to_owned()));
            }
        }
        Ok(allowed)
    }

    fn allows_name(&self, host: &str) -> bool {
        host_name(host).is_some_and(|name| self.names.contains(&name))
    }

    fn allows_ip(&self, ip: IpAddr) -> bool {
        let plain = canonical(ip);
        self.nets
            .iter()
            .any(|net| net.contains(&ip) || net.contains(&plain))
    }

    /// Why `ip` may not be reached (`None`: public or allowed).
    fn refusal(&self, ip: IpAddr) -> Option<&'static str> {
        classify(ip)
            .filter(|_| !self.allows_ip(ip))
            .map(|internal| internal.describe())
    }

    /// An address given as the URL's host.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), Refused> {
        match self.refusal(ip) {
            None => Ok(()),
            Some(kind) => Err(Refused(format!("{ip} is {kind}; {UNLESS}"))),
        }
    }

    /// The addresses `host` resolved to that may be reached; refused when none may.
    pub fn keep(
        &self,
        host: &str,
        addresses: impl IntoIterator<Item = SocketAddr>,
    ) -> Result<Vec<SocketAddr>, Refused> {
        let all: Vec<SocketAddr> = addresses.into_iter().collect();
        if self.allows_name(host) && !all.is_empty() {
            return Ok(all);
        }
        let kept: Vec<SocketAddr> = all
            .iter()
            .copied()
            .filter(|a| self.refusal(a.ip()).is_none())
            .collect();
        if !kept.is_empty() {
            return Ok(kept);
        }
        match all.first() {
            None => Err(Refused(format!("{host} resolves to no address"))),
            Some(first) => {
                let kind = self.refusal(first.ip()).unwrap_or("internal");
                Err(Refused(format!(
                    "{host} resolves to {}, {kind}; {UNLESS}",
                    first.ip()
                )))
            }
        }
    }

    /// Checks a URL's host: an IP literal as it is, a name as it resolves now.
    pub async fn check_url(&self, url: &Url) -> Result<(), Refused> {
        match url.host() {
            None => Err(Refused(format!("`{}` has no host", url.scheme()))),
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            Some(Host::Domain(name)) => {
                let port = url.port_or_known_default().unwrap_or(443);
                let found = tokio::net::lookup_host((name, port))
                    .await
                    .map_err(|err| Refused(format!("cannot resolve {name}: {err}")))?;
                self.keep(name, found).map(|_| ())
            }
        }
    }

    /// Checks a URL's host if it is an IP literal (names are checked as they resolve).
    pub fn check_literal(&self, url: &Url) -> Result<(), Refused> {
        match url.host() {
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            _ => Ok(()),
        }
    }
}

/// The delivery client's resolver: the system's answer, kept to the addresses allowed.
struct Guarded(Arc<AllowedHosts>);

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allowed = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let kept = allowed.keep(&host, found)?;
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client webhooks are delivered with, and the hosts it may reach.
#[derive(Clone)]
pub struct Sender {
    pub(super) client: reqwest::Client,
    pub(super) allowed: Arc<AllowedHosts>,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("allowed", &self.allowed)
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// A client that resolves through the allow-list, uses no proxy, follows no redirect, and
    /// gives up after 5 s connecting or 10 s in all.
    pub fn new(allowed: AllowedHosts) -> Result<Self, reqwest::Error> {
        let allowed = Arc::new(allowed);
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(Guarded(allowed.clone())))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self { client, allowed })
    }
}

/// The refusal somewhere in an error's chain of causes.
pub(super) fn refusal_in<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if let Some(refused) = err.downcast_ref::<Refused>() {
            return Some(refused);
        }
        cause = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        SocketAddr::new(text.parse().unwrap(), 80)
    }

    #[test]
    fn the_allow_list_takes_names_addresses_and_networks() {
        let allowed =
            AllowedHosts::parse(" Hooks.Internal., 10.1.0.0/16 ,[::1], 127.0.0.1").unwrap();
        assert!(allowed.check_ip("10.1.2.3".parse().unwrap()).is_ok());
        assert!(allowed.check_ip("::ffff:10.1.2.3".parse().unwrap()).is_ok());
        assert!(allowed.check_ip("::1".parse().unwrap()).is_ok());
        assert!(
            allowed
                .check_ip("::ffff:127.0.0.1".parse().unwrap())
                .is_ok()
        );
        let refused = allowed.check_ip("10.2.0.1".parse().unwrap()).unwrap_err();
        assert!(
            refused.0.starts_with("10.2.0.1 is a private address; "),
            "{refused}"
        );
        assert!(refused.0.contains("webhook_allowed_hosts"));
        assert_eq!(
            allowed
                .keep("hooks.internal", [addr("192.168.1.1")])
                .unwrap(),
            [addr("192.168.1.1")]
        );
        // A name resolving to public and internal addresses keeps the public ones only.
        assert_eq!(
            allowed
                .keep("mixed.example", [addr("192.168.1.1"), addr("8.8.8.8")])
                .unwrap(),
            [addr("8.8.8.8")]
        );
        let refused = allowed
            .keep("evil.example", [addr("169.254.169.254")])
            .unwrap_err();
        assert!(
            refused
                .0
                .starts_with("evil.example resolves to 169.254.169.254, a link-local address; "),
            "{refused}"
        );
        for bad in ["http://x", "a b", "10.0.0.0/33"] {
            assert!(AllowedHosts::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(AllowedHosts::parse(" , ").unwrap(), AllowedHosts::default());
    }
}
