//! The auditor's review of access: who read personal data in the operation, and how much
//! (each reader's audited requests, the distinct cases they named, their busiest hour of
//! cases opened one by one), marking those who opened more than a threshold within an hour.
//! The same report as `safeconduct audit reads`, built by the store's `access::readers`.
//!
//! Within the auditor's scope: it names readers (usernames and roles) and counts, never a case
//! or a person, and never opens a stated reason. Coordinators are among those it reviews, so
//! it is the auditor's alone.
//!
//! Must not depend on: other resource modules.

use crate::ApiError;
use crate::endpoints::{AUDITOR, Access::Roles, Endpoint, endpoint, json};
use crate::extract::{ApiQuery, Call};
use crate::wire::{Answer, parse_time, time_text};
use axum::Json;
use safeconduct_domain::Role;
use safeconduct_domain::values::Timestamp;
use safeconduct_store::access;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(GET "/api/operations/{op}/audit/reads", Roles(AUDITOR), h::access_review, "Who read personal data in the operation since a time (default: the last 24 hours), and how much: each reader's audited requests, distinct cases named and busiest hour of cases opened one by one, the busiest first; readers over `over` cases within an hour (default 60) are marked. Names no case and no person", query: ["since", "over"] => json::<AccessReviewOut>(200)),
    ]
}

/// How far back the review looks when no `since` is given.
const DEFAULT_SPAN_S: i64 = 24 * 3600;
/// The mark when no `over` is given: a hotline operator guiding callers opens a few dozen
/// cases an hour.
const DEFAULT_OVER: usize = 60;

#[derive(Deserialize, JsonSchema)]
pub struct AccessReviewQuery {
    /// RFC 3339 time from which reads count; the last 24 hours if left out.
    pub since: Option<String>,
    /// Mark readers who opened more than this many cases within an hour (1 to 100000; 60 if
    /// left out).
    pub over: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct AccessReviewOut {
    pub since: String,
    pub over: usize,
    /// The busiest first: most cases opened within an hour, then most requests.
    pub readers: Vec<ReaderOut>,
}

/// One reader: a signed-in user, or whoever opened pass links.
#[derive(Serialize, JsonSchema)]
pub struct ReaderOut {
    /// The username; null for pass links, opened by nobody signed in.
    pub user: Option<String>,
    pub roles: Vec<Role>,
    /// Audited requests: every read, a list's page, a call logged on a case.
    pub requests: u64,
    /// Distinct cases named, by a single read or in a list.
    pub cases: usize,
    /// The most distinct cases opened on their own within any 60 minutes, and when that hour
    /// began (null when none was opened on its own: the reader only listed).
    pub busiest_hour_cases: usize,
    pub busiest_hour_from: Option<String>,
    /// Opened more than `over` cases within an hour: to be asked why.
    pub marked: bool,
}

pub async fn access_review(
    call: Call,
    ApiQuery(q): ApiQuery<AccessReviewQuery>,
) -> Answer<AccessReviewOut> {
    let since = match q.since.as_deref() {
        Some(t) => parse_time("since", t)?,
        None => Timestamp(crate::now().0 - DEFAULT_SPAN_S),
    };
    let over = match q.over.as_deref() {
        None => DEFAULT_OVER,
        Some(o) => o
            .parse::<usize>()
            .ok()
            .filter(|o| (1..=100_000).contains(o))
            .ok_or_else(|| ApiError::invalid("over", "a whole number from 1 to 100000"))?,
    };
    let readers = call
        .read(move |s, op| {
            access::readers(s, &[op], since)?
                .into_iter()
                .map(|r| {
                    let user = match r.user {
                        Some(u) => Some(s.username(u)?.unwrap_or_else(|| format!("user {}", u.0))),
                        None => None,
                    };
                    Ok(ReaderOut {
                        user,
                        roles: r.roles,
                        requests: r.requests,
                        cases: r.cases,
                        busiest_hour_cases: r.busiest_hour_cases,
                        busiest_hour_from: r.busiest_hour_from.map(time_text),
                        marked: r.busiest_hour_cases > over,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(AccessReviewOut {
        since: time_text(since),
        over,
        readers,
    }))
}
