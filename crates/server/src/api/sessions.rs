//! Signing in and out: a bearer token for a name, a password and (for the roles that need one,
//! `Role::signs_in_with_a_code`) a one-time code, with the sign-in back-off per name kept in
//! the store, a bucket of attempts per client address (`limits::AddressTry::sign_in`) and a bound on the password checks running at once.
//!
//! Must not depend on: other resource modules. Password and code checks are called, not
//! written, here (`auth`; one-time codes are `safeconduct_keys::totp`).

use crate::auth::{self, Caller};
use crate::endpoints::{Access::Open, Access::SignedIn, Endpoint, Reply, endpoint, json};
use crate::extract::ApiJson;
use crate::limits::{AddressTry, ClientAddress};
use crate::wire::{Answer, time_text};
use crate::{ApiError, App};
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use safeconduct_domain::values::Timestamp;
use safeconduct_keys::totp;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/sessions", Open, h::sign_in, "Sign in; returns a bearer token", body: SignIn => json::<SessionOut>(200)),
        endpoint!(DELETE "/api/sessions", SignedIn, h::sign_out, "Sign out; the token stops working" => Reply::NoContent),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    #[schemars(length(min = 1, max = 100))]
    pub username: String,
    #[schemars(length(min = 1, max = 200))]
    pub password: String,
    /// The current one-time code of the user's authenticator app: required of coordinators,
    /// hotline operators and manifest officers, and of anyone enrolled.
    #[serde(default)]
    #[schemars(length(min = 6, max = 6), regex(pattern = r"^[0-9]{6}$"))]
    pub totp: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct SessionOut {
    /// Bearer token for the `Authorization` header.
    pub token: String,
    pub expires_at: String,
}

pub async fn sign_in(
    State(app): State<App>,
    address: ClientAddress,
    ApiJson(body): ApiJson<SignIn>,
) -> Answer<SessionOut> {
    let from_address = AddressTry::sign_in(&app, &address)?;
    let digest = safeconduct_keys::password::sign_in_name_digest(&body.username);
    let now = crate::now();
    // The attempt is counted before the password is checked, and released only by a
    // success: attempts sent in parallel are judged one after the other, so no more than the
    // free ones are ever checked, whichever server they reach.
    let key = digest.clone();
    let forget_before = Timestamp(now.0 - auth::FAILURE_MEMORY_SECONDS);
    let reserved = app
        .run(move |s| {
            s.reserve_sign_in_attempt(&key, now, forget_before, &auth::sign_in_lock_seconds)
        })
        .await?;
    let username = body.username.clone();
    let account = app.run(move |s| s.user_by_name(&username)).await?;
    let code = body.totp.as_deref();
    let account = match reserved {
        Ok(_) => {
            let account = with_password(&app, account, body.password).await?;
            // Coordinators, hotline operators, manifest officers (and anyone enrolled) need
            // the current one-time code too.
            match account {
                Some(a) if !needs_code(&a) || code_matches(&app, &a, code, now).await? => a,
                _ => {
                    return Err(ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid_credentials",
                        "unknown user, wrong password, or a missing, wrong or already used \
                         one-time code (a coordinator, hotline operator or manifest officer \
                         signs in only once an administrator has enrolled an authenticator: \
                         `safeconduct user totp NAME`)",
                    ));
                }
            }
        }
        // A name locked by failures a stranger sent does not keep out its owner when the
        // owner holds an authenticator: the right one-time code, then the right password,
        // sign in all the same. The code is checked first: a caller without it costs no
        // password check and is told nothing but the wait, whatever the password.
        Err(wait) => {
            let unlocked = match account {
                Some(a) if a.totp.is_some() && code_matches(&app, &a, code, now).await? => {
                    with_password(&app, Some(a), body.password).await?
                }
                _ => None,
            };
            let Some(a) = unlocked else {
                let wait = wait as u64;
                return Err(ApiError::too_many(
                    "too_many_attempts",
                    format!("too many failed sign-ins for this name; try again in {wait} s"),
                    wait,
                ));
            };
            a
        }
    };
    app.run(move |s| s.clear_sign_in_failures(&digest)).await?;
    from_address.give_back(&app);
    let (token, digest) = auth::new_token()?;
    let expires = Timestamp(crate::now().0 + app.session_seconds);
    let user = account.id;
    app.run(move |s| {
        s.create_session(&digest, user, expires)?;
        s.audit(&store::AuditEntry {
            user: Some(user),
            ..store::AuditEntry::by(&store::Actor::system(now), None, "signed_in", None)
        })
    })
    .await?;
    Ok(Json(SessionOut {
        token,
        expires_at: time_text(expires),
    }))
}

/// The account, when `password` is its password (checked against a dummy hash when there is
/// no account, in the same time). The check holds a permit of the bounded pool; a request
/// dropped while it runs frees the permit only when the check is done.
async fn with_password(
    app: &App,
    account: Option<store::UserAccount>,
    password: String,
) -> Result<Option<store::UserAccount>, ApiError> {
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let permit = app
        .password_checks
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ApiError::internal())?;
    let ok = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        safeconduct_keys::password::verify_password(stored.as_deref(), &password)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    Ok(account.filter(|_| ok))
}

/// Whether the account signs in only with a one-time code: a holder of a role that needs one
/// (`Role::signs_in_with_a_code`), and anyone enrolled.
fn needs_code(a: &store::UserAccount) -> bool {
    a.code_required || a.totp.is_some()
}

/// Whether `code` is the account's current one-time code, not used before (it is used up
/// now). An account that needs a code and has no authenticator is refused as a wrong code is: a distinct answer
/// would confirm the password to whoever guessed it. The server's log tells the administrator.
async fn code_matches(
    app: &App,
    a: &store::UserAccount,
    code: Option<&str>,
    now: Timestamp,
) -> Result<bool, ApiError> {
    match (&a.totp, code) {
        (None, _) => {
            tracing::warn!(
                user = a.id.0,
                "sign-in refused: a role that needs a one-time code, and no authenticator \
                 enrolled (`safeconduct user totp NAME`)"
            );
            Ok(false)
        }
        (Some(wrapped), Some(code)) => {
            match totp::matching_step(app.kek(), a.id, wrapped, code, now.0) {
                Some(step) => {
                    let user = a.id;
                    app.run(move |s| s.claim_totp_step(user, step)).await
                }
                None => Ok(false),
            }
        }
        (Some(_), None) => Ok(false),
    }
}

pub async fn sign_out(State(app): State<App>, Extension(caller): Extension<Caller>) -> StatusCode {
    let digest = caller.token_digest.clone();
    app.sessions.forget(&digest);
    let entry = store::AuditEntry::by(&caller.actor(crate::now()), None, "signed_out", None);
    match app
        .run(move |s| {
            s.delete_session(&digest)?;
            s.audit(&entry).map(|_| ())
        })
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(e) => e.status,
    }
}
