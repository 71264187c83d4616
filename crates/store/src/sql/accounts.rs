//! Accounts: organisations, users, TOTP secrets and steps, roles, sessions, sign-in locks and
//! the places an escort or gate user is assigned to.
//!
//! Imports `step` and the place guards (`rvs`, `gates`); knows nothing of cases.

use super::gates::require_gate;
use super::rvs::require_rv;
use super::step::{duplicate, require_operation};
use super::{Db, p};
use super::{audit, devices};
use crate::types::*;
use crate::{Result, StoreError};
use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;
use std::collections::HashMap;

pub(crate) fn create_organisation(
    db: &mut dyn Db,
    op: OperationId,
    org: &NewOrganisation,
    actor: &Actor,
) -> Result<OrganisationId> {
    require_operation(db, op)?;
    let id = db
        .one(
            "INSERT INTO organisations (operation_id, name, kind) VALUES ($1, $2, $3) RETURNING id",
            p![op.0, org.name.as_str(), org.kind.as_str()],
        )
        .map_err(duplicate(format!("an organisation named {:?}", org.name)))?
        .i64(0)?;
    audit::change(
        db,
        actor,
        Some(op),
        "organisation_created",
        format!("organisation/{id}"),
    )?;
    Ok(OrganisationId(id))
}

pub(crate) fn create_user(db: &mut dyn Db, user: &NewUser, at: Timestamp) -> Result<UserId> {
    let id = db
        .one(
            "INSERT INTO users (username, password_hash, organisation_id, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
            p![
                user.username.as_str(),
                user.password_hash.as_str(),
                user.organisation.map(|o| o.0),
                at.0
            ],
        )
        .map_err(duplicate(format!("a user named {:?}", user.username)))?
        .i64(0)?;
    audit::change(
        db,
        &Actor::system(at),
        None,
        "user_created",
        format!("user/{id}"),
    )?;
    Ok(UserId(id))
}

pub(crate) fn user_by_name(db: &mut dyn Db, username: &str) -> Result<Option<UserAccount>> {
    let with_a_code: Vec<String> = Role::ALL
        .into_iter()
        .filter(|r| r.signs_in_with_a_code())
        .map(|r| format!("'{}'", r.as_str()))
        .collect();
    db.row(
        &format!(
            "SELECT id, username, password_hash, totp_wrapped,
                    EXISTS (SELECT 1 FROM user_roles r
                            WHERE r.user_id = users.id AND r.role IN ({}))
             FROM users WHERE username = $1",
            with_a_code.join(", ")
        ),
        p![username],
    )?
    .map(|r| {
        Ok(UserAccount {
            id: UserId(r.i64(0)?),
            username: r.text(1)?,
            password_hash: r.text(2)?,
            totp: r.opt_bytes(3)?,
            code_required: r.bool(4)?,
        })
    })
    .transpose()
}

/// The name of user `id`, when there is one.
pub(crate) fn username(db: &mut dyn Db, id: UserId) -> Result<Option<String>> {
    db.row("SELECT username FROM users WHERE id = $1", p![id.0])?
        .map(|r| r.text(0))
        .transpose()
}

/// Stores a user's (new) wrapped TOTP secret; codes of any earlier secret stop working.
pub(crate) fn set_totp(db: &mut dyn Db, user: UserId, wrapped: &[u8], actor: &Actor) -> Result<()> {
    let changed = db.exec(
        "UPDATE users SET totp_wrapped = $2, totp_last_step = NULL WHERE id = $1",
        p![user.0, wrapped],
    )?;
    if changed == 0 {
        return Err(StoreError::not_found(format!("user {}", user.0)));
    }
    // A new authenticator (after a lost phone) leaves nothing signed in that the old one
    // opened: the user signs in again, with the new one.
    db.exec("DELETE FROM sessions WHERE user_id = $1", p![user.0])?;
    audit::change(db, actor, None, "totp_enrolled", format!("user/{}", user.0))?;
    Ok(())
}

/// Takes a TOTP time step as used; false when it, or a later one, was used already.
pub(crate) fn claim_totp_step(db: &mut dyn Db, user: UserId, step: i64) -> Result<bool> {
    Ok(db.exec(
        "UPDATE users SET totp_last_step = $2
         WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        p![user.0, step],
    )? == 1)
}

pub(crate) fn grant_role(
    db: &mut dyn Db,
    user: UserId,
    op: OperationId,
    role: Role,
    actor: &Actor,
) -> Result<()> {
    require_operation(db, op)?;
    let granted = db.exec(
        "INSERT INTO user_roles (user_id, operation_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        p![user.0, op.0, role.as_str()],
    )?;
    if granted > 0 {
        audit::change(
            db,
            actor,
            Some(op),
            &format!("role_granted:{}", role.as_str()),
            format!("user/{}", user.0),
        )?;
    }
    Ok(())
}

/// Takes `roles` (every role the user holds in `op` when empty) away from `user` in `op`, each
/// audited, and ends the user's sessions when any was taken. A field role takes with it the
/// places the user acts at in that role and suspends the user's devices of that role there
/// (their kits and releases end with them). The roles taken, in order.
pub(crate) fn revoke_roles(
    db: &mut dyn Db,
    user: UserId,
    op: OperationId,
    roles: &[Role],
    actor: &Actor,
) -> Result<Vec<Role>> {
    require_operation(db, op)?;
    let held = self::roles(db, user, op)?;
    let taken: Vec<Role> = held
        .into_iter()
        .filter(|r| roles.is_empty() || roles.contains(r))
        .collect();
    for role in &taken {
        db.exec(
            "DELETE FROM user_roles WHERE user_id = $1 AND operation_id = $2 AND role = $3",
            p![user.0, op.0, role.as_str()],
        )?;
        audit::change(
            db,
            actor,
            Some(op),
            &format!("role_revoked:{}", role.as_str()),
            format!("user/{}", user.0),
        )?;
        let place_kind = match role {
            Role::Escort => "rv",
            Role::Gate => "gate",
            Role::Coordinator | Role::Hotline | Role::Manifest | Role::Auditor => continue,
        };
        db.exec(
            "DELETE FROM place_assignments WHERE user_id = $1 AND operation_id = $2 AND kind = $3",
            p![user.0, op.0, place_kind],
        )?;
        let held_devices = db.rows(
            "SELECT id FROM devices
             WHERE user_id = $1 AND operation_id = $2 AND role = $3 AND suspended_at IS NULL",
            p![user.0, op.0, role.as_str()],
        )?;
        for row in held_devices {
            devices::suspend_device(db, op, FieldDeviceId(row.i64(0)?), actor)?;
        }
    }
    if !taken.is_empty() {
        // What the user opened while holding the roles goes with them: they sign in again,
        // with what they still hold.
        db.exec("DELETE FROM sessions WHERE user_id = $1", p![user.0])?;
    }
    Ok(taken)
}

pub(crate) fn roles(db: &mut dyn Db, user: UserId, op: OperationId) -> Result<Vec<Role>> {
    db.rows(
        "SELECT role FROM user_roles WHERE user_id = $1 AND operation_id = $2 ORDER BY role",
        p![user.0, op.0],
    )?
    .iter()
    .map(|r| Ok(r.text(0)?.parse()?))
    .collect()
}

pub(crate) fn operation_user(
    db: &mut dyn Db,
    op: OperationId,
    username: &str,
) -> Result<Option<(UserId, Vec<Role>)>> {
    let rows = db.rows(
        "SELECT u.id, r.role FROM users u
         JOIN user_roles r ON r.user_id = u.id AND r.operation_id = $2
         WHERE u.username = $1 ORDER BY r.role",
        p![username, op.0],
    )?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let roles = rows
        .iter()
        .map(|r| Ok(r.text(1)?.parse()?))
        .collect::<Result<_>>()?;
    Ok(Some((UserId(first.i64(0)?), roles)))
}

pub(crate) fn create_session(
    db: &mut dyn Db,
    digest: &[u8],
    user: UserId,
    expires: Timestamp,
) -> Result<()> {
    db.exec(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        p![digest, user.0, expires.0],
    )?;
    Ok(())
}

pub(crate) fn session(
    db: &mut dyn Db,
    digest: &[u8],
    now: Timestamp,
    op: Option<OperationId>,
) -> Result<Option<(UserId, Vec<Role>)>> {
    let rows = db.rows(
        "SELECT s.user_id, r.role FROM sessions s
         LEFT JOIN user_roles r ON r.user_id = s.user_id AND r.operation_id = $3
         WHERE s.token_hash = $1 AND s.expires_at > $2
         ORDER BY r.role",
        p![digest, now.0, op.map(|o| o.0)],
    )?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let user = UserId(first.i64(0)?);
    let roles = rows
        .iter()
        .filter_map(|r| r.opt_text(1).transpose())
        .map(|role| Ok(role?.parse()?))
        .collect::<Result<_>>()?;
    Ok(Some((user, roles)))
}

pub(crate) fn delete_session(db: &mut dyn Db, digest: &[u8]) -> Result<()> {
    db.exec("DELETE FROM sessions WHERE token_hash = $1", p![digest])?;
    Ok(())
}

pub(crate) fn assign_places(
    db: &mut dyn Db,
    user: UserId,
    op: OperationId,
    a: &PlaceAssignment,
    actor: &Actor,
) -> Result<()> {
    require_operation(db, op)?;
    for rv in &a.rvs {
        require_rv(db, op, *rv)?;
    }
    for gate in &a.gates {
        require_gate(db, op, *gate)?;
    }
    db.exec(
        "DELETE FROM place_assignments WHERE user_id = $1 AND operation_id = $2",
        p![user.0, op.0],
    )?;
    let places = a
        .rvs
        .iter()
        .map(|r| ("rv", r.0))
        .chain(a.gates.iter().map(|g| ("gate", g.0)));
    for (kind, id) in places {
        db.exec(
            "INSERT INTO place_assignments (user_id, operation_id, kind, place_id, valid_from, valid_until)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            p![user.0, op.0, kind, id, a.valid_from.map(|t| t.0), a.valid_until.map(|t| t.0)],
        )?;
    }
    audit::change(
        db,
        actor,
        Some(op),
        "places_assigned",
        format!("user/{}", user.0),
    )?;
    // Coordinators' pages show who acts where: told of it whoever changed it (no user is
    // named, and field users hear only changes at their own places).
    db.notify(&crate::Change {
        operation: op,
        kind: "places_assigned".into(),
        stage: None,
        rv: None,
        gate: None,
        batch: None,
    })
}

/// The condition on `place_assignments` of the assignments of operation `op` in force at
/// `now` (each a statement's parameter, such as `$2`).
fn in_force(op: &str, now: &str) -> String {
    format!(
        "operation_id = {op}
           AND (valid_from IS NULL OR valid_from <= {now})
           AND (valid_until IS NULL OR valid_until > {now})"
    )
}

/// A place assignment's place, of `kind` (`rv`, `gate`), put into `rvs` or `gates`.
fn place_into(rvs: &mut Vec<RvId>, gates: &mut Vec<GateId>, kind: &str, id: i64) {
    match kind {
        "rv" => rvs.push(RvId(id)),
        _ => gates.push(GateId(id)),
    }
}

pub(crate) fn assigned_places(
    db: &mut dyn Db,
    user: UserId,
    op: OperationId,
    now: Timestamp,
) -> Result<(Vec<RvId>, Vec<GateId>)> {
    let (mut rvs, mut gates) = (Vec::new(), Vec::new());
    let sql = format!(
        "SELECT kind, place_id FROM place_assignments
         WHERE user_id = $1 AND {}
         ORDER BY kind, place_id",
        in_force("$2", "$3")
    );
    for r in db.rows(&sql, p![user.0, op.0, now.0])? {
        place_into(&mut rvs, &mut gates, &r.text(0)?, r.i64(1)?);
    }
    Ok((rvs, gates))
}

pub(crate) fn field_users(
    db: &mut dyn Db,
    op: OperationId,
    now: Timestamp,
) -> Result<Vec<FieldUser>> {
    let mut users: Vec<FieldUser> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    for r in db.rows(
        "SELECT u.id, u.username, r.role FROM users u
         JOIN user_roles r ON r.user_id = u.id AND r.operation_id = $1
         ORDER BY u.username, r.role",
        p![op.0],
    )? {
        let role: Role = r.text(2)?.parse()?;
        if !role.works_at_places() {
            continue;
        }
        let at = *index.entry(r.i64(0)?).or_insert(users.len());
        if at == users.len() {
            users.push(FieldUser {
                username: r.text(1)?,
                roles: Vec::new(),
                rvs: Vec::new(),
                gates: Vec::new(),
            });
        }
        users[at].roles.push(role);
    }
    let sql = format!(
        "SELECT user_id, kind, place_id FROM place_assignments WHERE {}
         ORDER BY user_id, kind, place_id",
        in_force("$1", "$2")
    );
    for r in db.rows(&sql, p![op.0, now.0])? {
        if let Some(&at) = index.get(&r.i64(0)?) {
            let user = &mut users[at];
            place_into(&mut user.rvs, &mut user.gates, &r.text(1)?, r.i64(2)?);
        }
    }
    Ok(users)
}

/// Failed sign-ins under a name's digest, and when the last one was.
pub(crate) fn sign_in_failures(
    db: &mut dyn Db,
    name_digest: &[u8],
) -> Result<Option<(u32, Timestamp)>> {
    db.row(
        "SELECT failures, last_failed_at FROM sign_in_failures WHERE name_digest = $1",
        p![name_digest],
    )?
    .map(|r| Ok((r.u32(0)?, Timestamp(r.i64(1)?))))
    .transpose()
}

/// Reserves a sign-in attempt under a name's digest before its password is checked: the
/// attempt counts as a failure until a successful sign-in clears the run. The count read and
/// the count written are compared in the update, so attempts sent at the same moment (on any
/// server) are counted one after the other, and each is judged against the failures before
/// it. A run whose last failure is older than `forget_before` starts again.
pub(crate) fn reserve_sign_in_attempt(
    db: &mut dyn Db,
    name_digest: &[u8],
    at: Timestamp,
    forget_before: Timestamp,
    lock_seconds: &dyn Fn(u32) -> i64,
) -> Result<std::result::Result<u32, i64>> {
    // Each lost race means another attempt was counted; a few hundred at once is an attack
    // that the lock stops long before this bound.
    for _ in 0..1000 {
        let current = sign_in_failures(db, name_digest)?;
        let before = match current {
            Some((failures, last)) if last.0 >= forget_before.0 => failures,
            _ => 0,
        };
        if let Some((_, last)) = current.filter(|_| before > 0) {
            let until = last.0 + lock_seconds(before);
            if until > at.0 {
                return Ok(Err(until - at.0));
            }
        }
        let counted = match current {
            None => {
                forget_old_failures(db, forget_before)?;
                db.exec(
                    "INSERT INTO sign_in_failures (name_digest, failures, last_failed_at)
                     VALUES ($1, 1, $2) ON CONFLICT (name_digest) DO NOTHING",
                    p![name_digest, at.0],
                )?
            }
            Some((failures, last)) => db.exec(
                "UPDATE sign_in_failures SET failures = $2, last_failed_at = $3
                 WHERE name_digest = $1 AND failures = $4 AND last_failed_at = $5",
                p![name_digest, before + 1, at.0, failures, last.0],
            )?,
        };
        if counted == 1 {
            return Ok(Ok(before + 1));
        }
    }
    Err(StoreError::Conflict(
        "too many sign-ins for this name at once; try again".into(),
    ))
}

/// Forgets runs of failures older than `forget_before` (they count for nothing any more), a
/// few at a time, as each new name is counted: sign-ins under names made up by the thousand
/// leave no table that only grows. Each new row deletes more old ones than it adds, found by
/// the index on their last failure (migration 28).
fn forget_old_failures(db: &mut dyn Db, forget_before: Timestamp) -> Result<()> {
    db.exec(
        "DELETE FROM sign_in_failures WHERE name_digest IN (
           SELECT name_digest FROM sign_in_failures WHERE last_failed_at < $1 LIMIT 100)",
        p![forget_before.0],
    )
    .map(|_| ())
}

pub(crate) fn clear_sign_in_failures(db: &mut dyn Db, name_digest: &[u8]) -> Result<()> {
    db.exec(
        "DELETE FROM sign_in_failures WHERE name_digest = $1",
        p![name_digest],
    )
    .map(|_| ())
}
