//! `safeconduct audit`: a signed checkpoint, an intact chain that verifies, and an intruder's
//! edit, deletion or forged checkpoint reported by `audit verify` with a failing exit status.

mod common;

use common::{add_user, explains_itself, run, text};
use std::path::Path;

/// The intruder: write access to the database file, not to the key file.
fn intrude(data: &Path, sql: &str) {
    let c = rusqlite::Connection::open(data.join("safeconduct.sqlite3")).unwrap();
    c.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    )
    .unwrap();
    c.execute_batch(sql).unwrap();
}

#[test]
fn audit_verify_reports_the_first_broken_link_and_forged_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert!(
        run(&["operation", "create", "Audit drill"], data)
            .status
            .success()
    );
    let out = add_user(
        data,
        "amina",
        &["--role", "coordinator", "--role", "auditor"],
    );
    assert!(out.status.success(), "{}", text(&out));

    let out = run(&["audit", "checkpoint"], data);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("entry 5 hash"), "{}", text(&out));
    let out = run(&["audit", "verify"], data);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("audit chain intact: 5 entries"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("1 of 1 checkpoint(s) signed"),
        "{}",
        text(&out)
    );

    // A checkpoint written straight into the database, without the key, is not believed.
    intrude(
        data,
        "INSERT INTO audit_checkpoints (seq, hash, at, kid, signature)
         SELECT 2, hash, 0, X'00000000', zeroblob(64) FROM audit_log WHERE seq = 2;",
    );
    let refused_by_verify = |what: &str| {
        let out = run(&["audit", "verify"], data);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains(what), "{}", text(&out));
    };
    refused_by_verify("checkpoint at entry 2: signature does NOT verify");
    intrude(data, "DELETE FROM audit_checkpoints WHERE seq = 2;");

    // An edited entry.
    intrude(
        data,
        "UPDATE audit_log SET action = 'role_granted:hotline' WHERE seq = 3;",
    );
    refused_by_verify("audit chain BROKEN: entry 3 was altered");
}

#[test]
fn audit_commands_explain_themselves() {
    for args in [
        vec!["audit", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["audit", "checkpoint", "--help"],
    ] {
        explains_itself(&args);
    }
}
