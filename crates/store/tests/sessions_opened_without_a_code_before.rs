//! Hotline operators and manifest officers sign in with a one-time code since migration 35
//! (`Role::signs_in_with_a_code`). The sessions such a user opened before with a password
//! alone end when the store is upgraded; the sessions of users enrolled for codes, and of the
//! roles that need none, go on. An authenticator enrolled anew (after a lost phone) ends the
//! user's sessions too.

use safeconduct_store::testing::{
    Backend, TestStore, open_with_test_key, raw_exec, raw_text, schema_through,
};

fn sessions_opened_with_a_password_alone_end_at_the_upgrade(backend: Backend) {
    let (url, _guard) = TestStore::empty_url(backend);
    schema_through(backend, &url, 34);
    let bytes = |hex: &str| match backend {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("decode('{hex}', 'hex')"),
    };
    // Users 1 to 5: a hotline operator and a manifest officer with no authenticator, a hotline
    // operator enrolled, an escort, a coordinator enrolled; each with a session.
    let users = [
        (1, "hotline", "NULL".to_string()),
        (2, "manifest", "NULL".to_string()),
        (3, "hotline", bytes("0102")),
        (4, "escort", "NULL".to_string()),
        (5, "coordinator", bytes("0304")),
    ];
    let mut sql =
        "INSERT INTO operations (id, name, created_at) VALUES (1, 'Drill', 0);".to_string();
    for (id, role, totp) in &users {
        sql += &format!(
            "INSERT INTO users (id, username, password_hash, created_at, totp_wrapped)
               VALUES ({id}, 'user{id}', 'x', 0, {totp});
             INSERT INTO user_roles (user_id, operation_id, role) VALUES ({id}, 1, '{role}');
             INSERT INTO sessions (token_hash, user_id, expires_at)
               VALUES ({}, {id}, 4102444800);",
            bytes(&format!("{id:02x}"))
        );
    }
    raw_exec(&url, &sql).unwrap();
    open_with_test_key(&url).unwrap();
    let left = raw_text(
        &url,
        "SELECT CAST(user_id AS TEXT) FROM sessions ORDER BY user_id",
    );
    assert_eq!(left, ["3", "4", "5"]);
}

fn a_new_authenticator_ends_the_users_sessions(backend: Backend) {
    use safeconduct_domain::values::Timestamp;
    let t = TestStore::fresh(backend);
    let s = &t.store;
    let now = Timestamp(1_700_000_000);
    let user = |name: &str| {
        let new = safeconduct_store::NewUser {
            username: name.into(),
            password_hash: "x".into(),
            organisation: None,
        };
        s.create_user(&new, now).unwrap()
    };
    let (lost, other) = (user("lost-phone"), user("colleague"));
    let later = Timestamp(now.0 + 3600);
    s.create_session(b"lost-1", lost, later).unwrap();
    s.create_session(b"other-1", other, later).unwrap();
    s.set_totp(lost, b"wrapped", &safeconduct_store::Actor::system(now))
        .unwrap();
    assert_eq!(s.session(b"lost-1", now, None).unwrap(), None);
    assert!(s.session(b"other-1", now, None).unwrap().is_some());
}

safeconduct_store::on_both_backends!(
    sessions_opened_with_a_password_alone_end_at_the_upgrade,
    a_new_authenticator_ends_the_users_sessions,
);
