//! Request rate limits, per server: token buckets per client address (every request, signed in
//! or not), per session token, a tighter one per user for reads of one case (hotline
//! lookups, a case, its events, its pass), which answer with personal data one case at a
//! time (the hotline console's reads of parts of a case just read are free for a minute:
//! `endpoints::CASE_PARTS`), and a strict one per client address for the open pass link's
//! misses, so that guessing tokens is slow without slowing anyone else, and one per client
//! address for sign-in attempts, each a key-stretched password check, and one per pass link
//! for the opens of that link, whatever the address. A refused request
//! gets 429 with `Retry-After`. Zero turns a limit off. Each kind of bucket is kept apart
//! ([`RateLimiter`]), so senders without a session cannot push out anyone's spent bucket.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests per second per session token, with bursts of four seconds' worth.
    pub requests_per_second: u32,
    /// Reads of one case (a lookup by phone or reference, a case, its events or its pass, a
    /// call logged on it, or a step refused with the stage the case is at, as
    /// `auth::refusal_is_a_counted_read` says) per minute per user, whichever token the user
    /// signed in with, with bursts of ten.
    pub lookups_per_minute: u32,
    /// Requests per second per client address, with bursts of four seconds' worth. A hotline
    /// room behind one address shares it: set it for the busiest such room.
    pub requests_per_ip_per_second: u32,
    /// Pass links that open nothing (unknown, expired, replaced) per minute per client address,
    /// with bursts of [`PASS_LINK_BURST`]; once spent, every pass link from that address is
    /// refused until the bucket refills. A link that opens a pass costs nothing, so households
    /// sharing a carrier's address are not held back by each other's visits.
    pub pass_link_misses_per_minute: u32,
    /// Sign-in attempts per minute per client address, with bursts of as many; a successful
    /// sign-in gives its attempt back, so a room of staff behind one address signing in at
    /// the start of a shift spends nothing. Beyond it, 429: each attempt costs a key-stretched
    /// password check and a write, and the back-off per name bounds guessing one account.
    pub sign_ins_per_minute: u32,
    /// Take the client address from the last `X-Forwarded-For` entry (the one the load balancer
    /// in front added) instead of the connection's peer. Only behind a proxy that sets it.
    pub behind_proxy: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            requests_per_second: 50,
            lookups_per_minute: 30,
            requests_per_ip_per_second: 200,
            pass_link_misses_per_minute: 10,
            sign_ins_per_minute: 30,
            behind_proxy: false,
        }
    }
}

/// The most pass-link misses one address may send at once before it waits for the refill.
pub const PASS_LINK_BURST: f64 = 10.0;

/// How many times a minute one pass link opens its pass, after a first [`PASS_LINK_OPEN_BURST`]:
/// a household looks at its page a few times; a link opened faster (scripted, from a seized
/// phone, from any number of addresses) waits, so that one link cannot load the servers or bury
/// the audit log under its opens.
pub const PASS_LINK_OPENS_PER_MINUTE: f64 = 6.0;

/// The opens of one pass link allowed at once before [`PASS_LINK_OPENS_PER_MINUTE`] applies.
pub const PASS_LINK_OPEN_BURST: f64 = 30.0;

/// Takes one open of the pass link whose token is `token` (kept by its SHA-256 only), or
/// refuses it with the wait.
pub fn pass_link_open(app: &crate::App, token: &[u8]) -> Result<(), crate::ApiError> {
    use sha2::{Digest, Sha256};
    let key = Sha256::digest(token);
    let per_second = PASS_LINK_OPENS_PER_MINUTE / 60.0;
    app.limiter
        .take(Kind::PassLinkOpen, &key, per_second, PASS_LINK_OPEN_BURST)
        .map_err(|wait| {
            crate::ApiError::too_many(
                "rate_limited",
                format!("this pass was opened many times in a short while; try again in {wait} s"),
                wait,
            )
        })
}

/// The address a request comes from: the connection's peer, or behind a proxy the address it
/// appended to `X-Forwarded-For` (and the peer's when it appended none that reads as an
/// address: such requests share one bucket instead of escaping every limit). None when
/// neither is known (a router called in-process).
pub fn client_address(
    request: &axum::extract::Request,
    behind_proxy: bool,
) -> Option<std::net::IpAddr> {
    address_of(request.headers(), request.extensions(), behind_proxy)
}

fn address_of(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    behind_proxy: bool,
) -> Option<std::net::IpAddr> {
    if behind_proxy {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|a| {
                let a = a.trim();
                (a.parse().ok()).or_else(|| a.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
            });
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The key of an address's buckets: an IPv4 address whole, an IPv6 address by its /64, the
/// network one subscriber is given (anyone holding one has all its addresses).
fn address_key(ip: std::net::IpAddr) -> Vec<u8> {
    match ip {
        std::net::IpAddr::V4(a) => a.octets().to_vec(),
        std::net::IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => a.octets()[..8].to_vec(),
        },
    }
}

/// The client address of a request, as a handler's argument (see [`client_address`]).
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl axum::extract::FromRequestParts<crate::App> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &crate::App,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(address_of(
            &parts.headers,
            &parts.extensions,
            app.limits.behind_proxy,
        )))
    }
}

/// One try from a client address at something its own bucket per address limits, counted
/// before the work is done (so that tries sent at once are counted too) and refused when the
/// bucket is empty; [`AddressTry::give_back`] returns the token when the try turned out not to
/// count. Two kinds: a pass link ([`AddressTry::pass_link`], a link that opened a pass gives
/// its token back, so only misses count) and a sign-in ([`AddressTry::sign_in`], a success
/// gives it back).
pub struct AddressTry {
    kind: Kind,
    key: Option<Vec<u8>>,
    burst: f64,
}

impl AddressTry {
    /// See [`Limits::pass_link_misses_per_minute`].
    pub fn pass_link(app: &crate::App, address: &ClientAddress) -> Result<Self, crate::ApiError> {
        let per_minute = app.limits.pass_link_misses_per_minute;
        Self::begin(
            app,
            address,
            Kind::PassLink,
            per_minute,
            PASS_LINK_BURST,
            "pass links tried",
        )
    }

    /// See [`Limits::sign_ins_per_minute`].
    pub fn sign_in(app: &crate::App, address: &ClientAddress) -> Result<Self, crate::ApiError> {
        let per_minute = app.limits.sign_ins_per_minute;
        Self::begin(
            app,
            address,
            Kind::SignIn,
            per_minute,
            f64::from(per_minute),
            "sign-ins",
        )
    }

    fn begin(
        app: &crate::App,
        address: &ClientAddress,
        kind: Kind,
        per_minute: u32,
        burst: f64,
        what: &str,
    ) -> Result<Self, crate::ApiError> {
        let per_second = f64::from(per_minute) / 60.0;
        let key = address.0.map(address_key).filter(|_| per_second > 0.0);
        if let Some(key) = &key {
            app.limiter
                .take(kind, key, per_second, burst)
                .map_err(|wait| {
                    crate::ApiError::too_many(
                        "rate_limited",
                        format!("too many {what} from this address; try again in {wait} s"),
                        wait,
                    )
                })?;
        }
        Ok(AddressTry { kind, key, burst })
    }

    /// The try does not count: a pass link that opened a pass, a sign-in that succeeded.
    pub fn give_back(self, app: &crate::App) {
        if let Some(key) = self.key {
            app.limiter.give_back(self.kind, &key, self.burst);
        }
    }
}

/// Refuses a request beyond its client address's rate, before anything else is done with it.
pub async fn per_address(
    axum::extract::State(app): axum::extract::State<crate::App>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limits = app.limits;
    if let Some(ip) = client_address(&request, limits.behind_proxy) {
        let per_second = f64::from(limits.requests_per_ip_per_second);
        let key = address_key(ip);
        if let Err(wait) = app
            .limiter
            .take(Kind::Address, &key, per_second, per_second * 4.0)
        {
            return crate::ApiError::too_many(
                "rate_limited",
                format!("too many requests from this address; try again in {wait} s"),
                wait,
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// What a bucket counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Request,
    Lookup,
    Address,
    /// Pass links that opened nothing, per client address.
    PassLink,
    /// Sign-in attempts that signed nobody in, per client address.
    SignIn,
    /// Opens of one pass link, per link.
    PassLinkOpen,
}

struct Bucket {
    tokens: f64,
    at: Instant,
    /// The refill and size it was last taken from with.
    per_second: f64,
    burst: f64,
}

impl Bucket {
    /// Whether it has refilled to its size: then it is no different from a new one, and can be
    /// forgotten without giving anyone a token they would not have.
    fn full_at(&self, now: Instant) -> bool {
        self.tokens + now.duration_since(self.at).as_secs_f64() * self.per_second >= self.burst
    }
}

/// The buckets of each kind apart, so that senders without a session (a flood of addresses)
/// can never push out a user's or a session's bucket.
#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<Kind, HashMap<Vec<u8>, Bucket>>>,
    /// When each user last read each case by a counted read (user id ‖ reference).
    reads: Mutex<HashMap<Vec<u8>, Instant>>,
}

impl RateLimiter {
    /// The most buckets of one kind. Full buckets are forgotten first; only when fewer than a
    /// tenth of them are full (a flood of senders, each still limited) are all of that kind
    /// forgotten, the flood's own among them.
    const MAX_BUCKETS: usize = 100_000;

    /// Takes one token from the bucket of `key`, refilled at `per_second` up to `burst`;
    /// when it is empty, the seconds until one is back.
    pub fn take(&self, kind: Kind, key: &[u8], per_second: f64, burst: f64) -> Result<(), u64> {
        if per_second <= 0.0 {
            return Ok(());
        }
        let mut all = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let buckets = all.entry(kind).or_default();
        let now = Instant::now();
        if buckets.len() >= Self::MAX_BUCKETS && !buckets.contains_key(key) {
            buckets.retain(|_, b| !b.full_at(now));
            if buckets.len() > Self::MAX_BUCKETS - Self::MAX_BUCKETS / 10 {
                buckets.clear();
            }
        }
        let b = buckets.entry(key.to_vec()).or_insert(Bucket {
            tokens: burst,
            at: now,
            per_second,
            burst,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * per_second).min(burst);
        b.at = now;
        b.per_second = per_second;
        b.burst = burst;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / per_second).ceil() as u64)
        }
    }

    /// Notes a counted read of a case (`key`: user ‖ reference), now.
    pub fn note_read(&self, key: &[u8]) {
        let mut reads = self.reads.lock().unwrap_or_else(|p| p.into_inner());
        if reads.len() >= Self::MAX_BUCKETS {
            reads.clear();
        }
        reads.insert(key.to_vec(), Instant::now());
    }

    /// Whether a counted read of the case `key` was noted within `window`.
    pub fn read_within(&self, key: &[u8], window: std::time::Duration) -> bool {
        let reads = self.reads.lock().unwrap_or_else(|p| p.into_inner());
        reads.get(key).is_some_and(|at| at.elapsed() < window)
    }

    /// Returns a token taken from the bucket of `key` (the request it was taken for turned
    /// out not to count), never above `burst`.
    pub fn give_back(&self, kind: Kind, key: &[u8], burst: f64) {
        let mut all = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = all.get_mut(&kind).and_then(|b| b.get_mut(key)) {
            b.tokens = (b.tokens + 1.0).min(burst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_ipv6_subscriber_is_one_sender_by_its_64() {
        let key = |text| address_key(ip(text));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:198.51.100.7"), key("198.51.100.7"));
        assert_ne!(key("198.51.100.7"), key("198.51.100.8"));
    }

    #[test]
    fn behind_a_proxy_a_request_it_gave_no_address_is_the_peers() {
        let mut extensions = axum::http::Extensions::new();
        let peer = std::net::SocketAddr::from(([10, 0, 0, 2], 5000));
        extensions.insert(axum::extract::ConnectInfo(peer));
        let mut headers = axum::http::HeaderMap::new();
        let of = |headers: &axum::http::HeaderMap, behind_proxy| {
            address_of(headers, &extensions, behind_proxy)
        };
        assert_eq!(of(&headers, true), Some(ip("10.0.0.2")));
        headers.insert("x-forwarded-for", "unknown".parse().unwrap());
        assert_eq!(of(&headers, true), Some(ip("10.0.0.2")), "unreadable");
        headers.insert("x-forwarded-for", "198.51.100.7:4711".parse().unwrap());
        assert_eq!(of(&headers, true), Some(ip("198.51.100.7")), "with a port");
        headers.insert(
            "x-forwarded-for",
            "203.0.113.1, 198.51.100.7".parse().unwrap(),
        );
        assert_eq!(of(&headers, true), Some(ip("198.51.100.7")));
        assert_eq!(
            of(&headers, false),
            Some(ip("10.0.0.2")),
            "not behind a proxy"
        );
    }

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_with_the_wait() {
        let r = RateLimiter::default();
        for _ in 0..3 {
            assert!(r.take(Kind::Lookup, b"t", 0.5, 3.0).is_ok());
        }
        assert_eq!(r.take(Kind::Lookup, b"t", 0.5, 3.0), Err(2));
        assert!(r.take(Kind::Lookup, b"other", 0.5, 3.0).is_ok());
        assert!(r.take(Kind::Request, b"t", 0.5, 3.0).is_ok());
        assert!(
            r.take(Kind::Lookup, b"t", 0.0, 0.0).is_ok(),
            "zero is no limit"
        );
    }

    #[test]
    fn a_flood_of_senders_never_refills_a_users_or_anothers_bucket() {
        let r = RateLimiter::default();
        // A user's case reads spent, and one address's pass-link guesses.
        assert!(r.take(Kind::Lookup, b"user", 0.001, 1.0).is_ok());
        assert!(r.take(Kind::Lookup, b"user", 0.001, 1.0).is_err());
        assert!(r.take(Kind::PassLink, b"guesser", 0.001, 1.0).is_ok());
        assert!(r.take(Kind::PassLink, b"guesser", 0.001, 1.0).is_err());
        // More addresses than the limiter keeps, each back to full at once (an address that
        // sent one request): forgotten, and the spent buckets stay spent.
        for i in 0..RateLimiter::MAX_BUCKETS as u32 + 10 {
            assert!(r.take(Kind::PassLink, &i.to_be_bytes(), 1e9, 1.0).is_ok());
        }
        assert!(r.take(Kind::PassLink, b"guesser", 0.001, 1.0).is_err());
        // A flood whose every bucket is still spent clears its own kind only.
        for i in 0..RateLimiter::MAX_BUCKETS as u32 + 10 {
            let _ = r.take(Kind::Address, &i.to_be_bytes(), 0.001, 1.0);
        }
        assert!(r.take(Kind::Lookup, b"user", 0.001, 1.0).is_err());
        assert!(r.take(Kind::PassLink, b"guesser", 0.001, 1.0).is_err());
    }

    #[test]
    fn a_case_read_is_remembered_for_its_user_and_its_window_only() {
        let r = RateLimiter::default();
        assert!(!r.read_within(b"u1:A", std::time::Duration::from_secs(60)));
        r.note_read(b"u1:A");
        assert!(r.read_within(b"u1:A", std::time::Duration::from_secs(60)));
        assert!(!r.read_within(b"u2:A", std::time::Duration::from_secs(60)));
        assert!(!r.read_within(b"u1:A", std::time::Duration::ZERO));
    }

    #[test]
    fn a_token_given_back_is_taken_again_but_never_beyond_the_burst() {
        let r = RateLimiter::default();
        assert!(r.take(Kind::PassLink, b"a", 0.01, 1.0).is_ok());
        assert!(r.take(Kind::PassLink, b"a", 0.01, 1.0).is_err());
        r.give_back(Kind::PassLink, b"a", 1.0);
        assert!(r.take(Kind::PassLink, b"a", 0.01, 1.0).is_ok());
        r.give_back(Kind::PassLink, b"a", 1.0);
        r.give_back(Kind::PassLink, b"a", 1.0);
        assert!(r.take(Kind::PassLink, b"a", 0.01, 1.0).is_ok());
        assert!(r.take(Kind::PassLink, b"a", 0.01, 1.0).is_err());
    }
}
