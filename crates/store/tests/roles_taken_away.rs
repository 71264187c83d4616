//! Taking a user's roles away in an operation (`Store::revoke_roles`, `safeconduct user
//! revoke`): the roles named go, audited, with the user's sessions; a field role takes with it
//! the places the user acted at in that role and suspends the user's devices of that role, so
//! nothing the user held keeps a kit coming; the roles and devices of another role stay.

use safeconduct_domain::values::{Coordinate, Timestamp};
use safeconduct_domain::{Role, UserId};
use safeconduct_store::testing::{Backend, TestStore, agreed_rv, raw_text};
use safeconduct_store::{Actor, NewDevice, NewUser, PlaceAssignment, Places};

fn an_escort_role_taken_away_takes_its_places_devices_and_sessions(backend: Backend) {
    let t = TestStore::fresh(backend);
    let s = t.store.as_ref();
    let now = Timestamp(1_700_000_000);
    let admin = Actor::system(now);
    let op = s.create_operation("Revoke drill", now).unwrap().id;
    let rv = agreed_rv(s, op, "North", Coordinate::new(60.17, 24.94).unwrap());
    let new = NewUser {
        username: "farid".into(),
        password_hash: "x".into(),
        organisation: None,
    };
    let farid: UserId = s.create_user(&new, now).unwrap();
    for role in [Role::Escort, Role::Auditor] {
        s.grant_role(farid, op, role, &admin).unwrap();
    }
    let places = PlaceAssignment {
        rvs: vec![rv],
        gates: vec![],
        valid_from: None,
        valid_until: None,
    };
    s.assign_places(farid, op, &places, &admin).unwrap();
    let device = NewDevice {
        user: farid,
        role: Role::Escort,
        places: Places {
            rvs: vec![rv],
            gates: vec![],
        },
        label: "phone 1".into(),
        code_hash: vec![7; 32],
        code_expires_at: Timestamp(now.0 + 3600),
    };
    let device = s.create_device(op, &device, &admin).unwrap().id;
    let later = Timestamp(now.0 + 3600);
    s.create_session(b"farid-phone", farid, later).unwrap();

    let taken = s.revoke_roles(farid, op, &[Role::Escort], &admin).unwrap();
    assert_eq!(taken, vec![Role::Escort]);
    assert_eq!(s.roles(farid, op).unwrap(), vec![Role::Auditor]);
    assert_eq!(s.session(b"farid-phone", now, None).unwrap(), None);
    assert!(s.device(op, device).unwrap().suspended_at.is_some());
    let places_left = raw_text(
        &t.url,
        "SELECT CAST(COUNT(*) AS TEXT) FROM place_assignments",
    );
    assert_eq!(places_left, ["0"]);
    let actions: Vec<String> = s
        .audit_entries(0, 10_000)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e.action)
        .collect();
    assert!(
        actions.iter().any(|a| a == "role_revoked:escort"),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "device_suspended"),
        "{actions:?}"
    );

    // A role not held takes nothing; no role named takes what is left.
    assert!(
        s.revoke_roles(farid, op, &[Role::Gate], &admin)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.revoke_roles(farid, op, &[], &admin).unwrap(),
        vec![Role::Auditor]
    );
    assert!(s.roles(farid, op).unwrap().is_empty());
}

safeconduct_store::on_both_backends!(
    an_escort_role_taken_away_takes_its_places_devices_and_sessions
);
