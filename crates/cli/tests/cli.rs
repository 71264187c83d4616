//! The binary as a user meets it: help on every command, operations and users, the demo, and
//! the import of a messy volunteer list (twice: the second run registers nobody again).

mod common;

use common::{add_user, bin, explains_itself, run, seed_demo, stderr, stdout};
use std::path::Path;
use std::process::Stdio;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../intake/tests/data/sample-volunteer-list.csv"
);

#[test]
fn every_command_explains_itself_with_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["import", "--help"],
        vec!["operation", "create", "--help"],
        vec!["operation", "list", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "unlock", "--help"],
        vec!["openapi", "--help"],
    ] {
        let text = explains_itself(&args);
        assert!(text.lines().count() > 4, "{args:?} says too little: {text}");
    }
}

#[test]
fn operations_and_users_are_created_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["operation", "create", "Kabul airlift"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "1");
    assert!(stderr(&out).contains("created the key encryption key"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("key.hex"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is its owner's alone");
    }
    let again = run(&["operation", "create", "Kabul airlift"], dir.path());
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already exists"));

    let out = add_user(
        dir.path(),
        "amina",
        &["--role", "coordinator", "--role", "hotline"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("password (shown once): "));
    let bad_role = add_user(dir.path(), "zed", &["--role", "king"]);
    assert!(!bad_role.status.success());
    assert!(stderr(&bad_role).contains("coordinator, hotline"));
    let no_op = run(
        &["user", "add", "zed", "--operation", "9", "--role", "gate"],
        dir.path(),
    );
    assert!(stderr(&no_op).contains("operation 9"));
}

/// `user revoke` takes the named roles (or every role) away in one operation and ends the
/// user's sessions; it is audited; a role not held, or an unknown name, is an error that
/// changes nothing.
#[test]
fn roles_are_taken_away_and_sessions_end() {
    use safeconduct_domain::values::Timestamp;
    use safeconduct_domain::{OperationId, Role};
    let dir = tempfile::tempdir().unwrap();
    run(&["operation", "create", "Revoke test"], dir.path());
    let out = add_user(
        dir.path(),
        "omar",
        &["--role", "hotline", "--role", "auditor"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let url = format!(
        "sqlite:{}",
        dir.path().join("safeconduct.sqlite3").display()
    );
    let kek = safeconduct_store::testing::read_key_file(&dir.path().join("key.hex"));
    let open = || safeconduct_store::open(&url, kek.clone()).unwrap();
    let (op, later) = (OperationId(1), Timestamp(safeconduct_keys::now().0 + 3600));
    let omar = open().user_by_name("omar").unwrap().unwrap().id;
    open().create_session(b"omar-phone", omar, later).unwrap();
    let revoke_hotline = || {
        let args = [
            "user",
            "revoke",
            "omar",
            "--operation",
            "1",
            "--role",
            "hotline",
        ];
        run(&args, dir.path())
    };

    let out = revoke_hotline();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("no longer holds hotline"),
        "{}",
        stdout(&out)
    );
    let store = open();
    assert_eq!(store.roles(omar, op).unwrap(), vec![Role::Auditor]);
    let now = safeconduct_keys::now();
    assert_eq!(store.session(b"omar-phone", now, None).unwrap(), None);
    let entries = store.audit_entries(0, 1000).unwrap();
    assert!(
        entries
            .iter()
            .any(|(_, e)| e.action == "role_revoked:hotline")
    );

    // Not held, unknown name, unknown operation: an error naming it, nothing changed.
    let again = revoke_hotline();
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("does not hold hotline in operation 1"),
        "{}",
        stderr(&again)
    );
    let nobody = run(&["user", "revoke", "zed", "--operation", "1"], dir.path());
    assert!(
        stderr(&nobody).contains("no user named \"zed\""),
        "{}",
        stderr(&nobody)
    );
    let no_op = run(&["user", "revoke", "omar", "--operation", "9"], dir.path());
    assert!(!no_op.status.success());
    assert!(stderr(&no_op).contains("operation 9"), "{}", stderr(&no_op));
    assert_eq!(open().roles(omar, op).unwrap(), vec![Role::Auditor]);

    // Without --role, every role held there.
    let out = run(&["user", "revoke", "omar", "--operation", "1"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(open().roles(omar, op).unwrap().is_empty());
}

/// A name locked by failed sign-ins (someone sending wrong passwords under it) signs in again
/// at once after `user unlock`, which is audited; an unknown name is an error naming it.
#[test]
fn a_locked_out_name_is_unlocked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    run(&["operation", "create", "Unlock test"], dir.path());
    let out = add_user(dir.path(), "gate-7", &["--role", "gate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let url = format!(
        "sqlite:{}",
        dir.path().join("safeconduct.sqlite3").display()
    );
    let kek = safeconduct_store::testing::read_key_file(&dir.path().join("key.hex"));
    let name = safeconduct_keys::password::sign_in_name_digest(" Gate-7");
    let lock = |failures: u32| if failures >= 5 { 900 } else { 0 };
    let attempt = |at: i64| {
        let store = safeconduct_store::open(&url, kek.clone()).unwrap();
        let at = safeconduct_domain::values::Timestamp(at);
        let forget_before = safeconduct_domain::values::Timestamp(at.0 - 3600);
        store
            .reserve_sign_in_attempt(&name, at, forget_before, &lock)
            .unwrap()
    };
    let now = safeconduct_keys::now().0;
    for i in 0..5 {
        assert!(attempt(now + i).is_ok(), "attempt {i} is counted");
    }
    assert!(attempt(now + 5).is_err(), "five failures lock the name");

    let out = run(&["user", "unlock", "gate-7"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("may sign in again"),
        "{}",
        stdout(&out)
    );
    assert_eq!(attempt(now + 6), Ok(1), "a new run starts");
    let store = safeconduct_store::open(&url, kek.clone()).unwrap();
    let entries = store.audit_entries(0, 1000).unwrap();
    assert!(
        entries.iter().any(|(_, e)| e.action == "sign_in_unlocked"),
        "the unlock is audited"
    );
    let unknown = run(&["user", "unlock", "nobody"], dir.path());
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no user named \"nobody\""),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn the_sample_list_imports_once_and_a_second_import_registers_nobody_again() {
    let dir = tempfile::tempdir().unwrap();
    run(&["operation", "create", "Import test"], dir.path());
    let report = dir.path().join("report.txt");
    let out = run(
        &[
            "import",
            SAMPLE,
            "--operation",
            "1",
            "--report",
            report.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("2161 rows read"), "{text}");
    assert!(text.contains("registered 2000 people"), "{text}");
    assert!(text.contains("161 duplicate rows merged"), "{text}");
    let full = std::fs::read_to_string(&report).unwrap();
    assert!(full.contains("merged   line"), "{full}");
    // The report names lines and cases, never people.
    for name in ["Safi", "Sadat", "+93", "P22986303"] {
        assert!(!full.contains(name), "the report leaks {name}");
    }

    let again = run(&["import", SAMPLE, "--operation", "1"], dir.path());
    assert!(again.status.success(), "{}", stderr(&again));
    let text = stdout(&again);
    assert!(text.contains("registered 0 people"), "{text}");
    assert!(text.contains("2000 already registered"), "{text}");
}

#[test]
fn a_database_without_its_key_file_is_refused_not_given_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(&["operation", "create", "Keyed"], dir.path())
            .status
            .success()
    );
    std::fs::rename(dir.path().join("key.hex"), dir.path().join("moved.hex")).unwrap();
    let out = run(&["operation", "list"], dir.path());
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("key file") && err.contains("does not"),
        "{err}"
    );
    assert!(!dir.path().join("key.hex").exists(), "no new key was made");
}

#[test]
fn a_closed_operation_is_shredded_after_its_statistics_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let ok = |args: &[&str]| {
        let out = run(args, dir.path());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let refused = |args: &[&str], why: &str| {
        let out = run(args, dir.path());
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = stderr(&out);
        assert!(err.contains(why), "{args:?}: {err}");
    };
    ok(&["operation", "create", "Shred test"]);
    ok(&["import", SAMPLE, "--operation", "1"]);
    let stats = dir.path().join("stats.json");
    let stats_arg = stats.to_str().unwrap();
    let shred = [
        "operation",
        "shred",
        "1",
        "--confirm",
        "Shred test",
        "--stats",
        stats_arg,
    ];
    refused(&shred, "still open");
    assert!(
        !stats.exists(),
        "nothing is written while the shred is refused"
    );
    ok(&["operation", "close", "1"]);
    refused(&["import", SAMPLE, "--operation", "1"], "closed");
    refused(
        &["operation", "shred", "1", "--confirm", "Shred"],
        "must be the operation's name",
    );
    let text = ok(&shred);
    assert!(text.contains("shredded"), "{text}");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(
        written["accountability"]["registered_people"], 2000,
        "{written}"
    );
    assert!(ok(&["operation", "list"]).contains("Shred test\tshredded"));
    refused(&shred, "already shredded");

    // The personal data is gone for good, the chain and the counts are not.
    let url = format!(
        "sqlite:{}",
        dir.path().join("safeconduct.sqlite3").display()
    );
    let kek = safeconduct_store::testing::read_key_file(&dir.path().join("key.hex"));
    let store = safeconduct_store::open(&url, kek).unwrap();
    let op = safeconduct_domain::OperationId(1);
    let reference =
        safeconduct_store::testing::raw_text(&url, "SELECT reference FROM households LIMIT 1");
    let reference = safeconduct_domain::CaseReference::parse(&reference[0]).unwrap();
    assert!(matches!(
        store.household(op, &reference),
        Err(safeconduct_store::StoreError::Shredded(_))
    ));
    assert!(
        store
            .accountability(op, safeconduct_domain::values::Timestamp(0))
            .unwrap()
            .ok()
    );
    assert_eq!(
        store
            .accountability(op, safeconduct_domain::values::Timestamp(0))
            .unwrap()
            .registered_people,
        2000
    );
    assert!(ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn an_unreadable_file_is_a_clear_error_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    run(&["operation", "create", "Import test"], dir.path());
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Phone,Notes\n0700111222,x\n").unwrap();
    let out = run(
        &["import", bad.to_str().unwrap(), "--operation", "1"],
        dir.path(),
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no column holds names"), "{err}");
    let missing = run(
        &["import", "/nonexistent.csv", "--operation", "1"],
        dir.path(),
    );
    assert!(stderr(&missing).contains("/nonexistent.csv"));
}

#[test]
fn the_demo_seeds_a_consistent_operation() {
    let dir = tempfile::tempdir().unwrap();
    let out = seed_demo(dir.path(), "300");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("300 households"), "{text}");
    for role in [
        "coordinator",
        "hotline",
        "escort",
        "gate",
        "manifest",
        "auditor",
    ] {
        assert!(text.contains(&format!("demo-{role}-pass")), "{text}");
    }
    // Seeding again reuses the demo instead of doubling it.
    let out = seed_demo(dir.path(), "300");
    assert!(stdout(&out).contains("already seeded"));
}

#[test]
fn a_live_store_moves_from_sqlite_to_postgres_and_is_verified() {
    use safeconduct_store::testing::{Backend, TestStore};
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed_demo(dir.path(), "200");
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let from = format!(
        "sqlite:{}",
        dir.path().join("safeconduct.sqlite3").display()
    );
    let (to, _guard) = TestStore::empty_url(Backend::Postgres);
    let key_file = dir.path().join("key.hex");
    let copy = || {
        bin()
            .args(["store", "copy", "--from", &from, "--to", &to, "--key-file"])
            .arg(&key_file)
            .output()
            .unwrap()
    };
    let out = copy();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("verified"), "{text}");

    let kek = safeconduct_store::testing::read_key_file(&key_file);
    let source = safeconduct_store::open(&from, kek.clone()).unwrap();
    let target = safeconduct_store::open(&to, kek).unwrap();
    // The personal data moved sealed and opens in the copy with the same key file.
    let op = safeconduct_domain::OperationId(1);
    let reference = safeconduct_store::testing::raw_text(
        &to,
        "SELECT reference FROM households ORDER BY id LIMIT 1",
    );
    let reference = safeconduct_domain::CaseReference::parse(&reference[0]).unwrap();
    let here = source.household(op, &reference).unwrap();
    let there = target.household(op, &reference).unwrap();
    assert_eq!(
        format!("{:?}", here.members),
        format!("{:?}", there.members)
    );
    let a = source
        .accountability(op, safeconduct_domain::values::Timestamp(0))
        .unwrap();
    let b = target
        .accountability(op, safeconduct_domain::values::Timestamp(0))
        .unwrap();
    assert_eq!(a, b);
    assert!(b.ok());
    assert!(b.registered_people > 200);
    // The copy goes on working: new rows get fresh ids after the copied ones, in every table
    // whose ids PostgreSQL gives (the demo fills most of them).
    assert_eq!(
        safeconduct_store::testing::identities_behind_their_rows(&to),
        Vec::<String>::new()
    );
    let op2 = target
        .create_operation("After the move", safeconduct_domain::values::Timestamp(0))
        .unwrap();
    assert_eq!(op2.id.0, 2);

    // A second copy into the now non-empty target is refused and changes nothing.
    let again = copy();
    assert!(!again.status.success());
    assert!(stderr(&again).contains("empty store"));
    assert_eq!(target.operations().unwrap().len(), 2);
}

#[test]
fn a_field_user_is_given_places_and_a_wrong_place_creates_nobody() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(&["operation", "create", "Places"], dir.path())
            .status
            .success()
    );
    let out = add_user(dir.path(), "esc1", &["--role", "escort", "--rv", "99"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("has no rendezvous point 99"));
    let out = add_user(dir.path(), "hot1", &["--role", "hotline", "--gate", "1"]);
    assert!(stderr(&out).contains("for escort and gate users"));
    // Nothing half-made: the name is still free.
    let out = add_user(dir.path(), "esc1", &["--role", "escort"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Runs `serve` with these arguments until it exits or says it listens (then stops it):
/// whether it listened, and what it wrote to standard error.
fn try_serve(args: &[String]) -> (bool, String) {
    use std::io::{BufRead, Read};
    let mut child = bin()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .env("SAFECONDUCT_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let listened = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.starts_with("listening on"));
    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (listened, err)
}

/// A server started with a key file that does not open the store's keys refuses to serve,
/// naming the key that does not open, instead of looking healthy and failing every read of
/// personal data; with the right key file it serves.
fn a_server_refuses_a_key_file_that_does_not_open_the_store(
    backend: safeconduct_store::testing::Backend,
) {
    use safeconduct_store::testing::TestStore;
    let dir = tempfile::tempdir().unwrap();
    let (good, wrong) = (dir.path().join("good.hex"), dir.path().join("wrong.hex"));
    safeconduct_store::testing::write_test_key_file(&wrong);
    let with = |url: &str, key: &Path| -> Vec<String> {
        let key = key.display().to_string();
        ["--database", url, "--key-file", &key]
            .map(String::from)
            .to_vec()
    };
    let run_with = |args: &[&str], url: &str, key: &Path| {
        bin().args(args).args(with(url, key)).output().unwrap()
    };

    // An operation's data key.
    let (url, _guard) = TestStore::empty_url(backend);
    let created = run_with(&["operation", "create", "Keyed"], &url, &good);
    assert!(created.status.success(), "{}", stderr(&created));
    let (listened, err) = try_serve(&with(&url, &wrong));
    assert!(!listened, "served with the wrong key file");
    assert!(
        err.contains("wrong.hex") && err.contains("does not fit"),
        "{err}"
    );
    assert!(
        err.contains("data key of operation 1 does not open"),
        "{err}"
    );
    let (listened, err) = try_serve(&with(&url, &good));
    assert!(listened, "{err}");

    // The audit key, in a store with no operation yet.
    let (url, _guard) = TestStore::empty_url(backend);
    let signed = run_with(&["audit", "checkpoint"], &url, &good);
    assert!(signed.status.success(), "{}", stderr(&signed));
    let (listened, err) = try_serve(&with(&url, &wrong));
    assert!(!listened, "served with the wrong key file");
    assert!(err.contains("audit key does not open"), "{err}");
}

safeconduct_store::on_both_backends!(a_server_refuses_a_key_file_that_does_not_open_the_store);
