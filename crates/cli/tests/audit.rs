//! `safeconduct audit`: a signed checkpoint, an intact chain that verifies, an intruder's
//! edit, deletion or forged checkpoint reported by `audit verify` with a failing exit status,
//! and `audit reads`, which names who read how much personal data.

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
        vec!["audit", "reads", "--help"],
    ] {
        explains_itself(&args);
    }
}

/// `audit reads`: per user, the reads of personal data, the distinct cases they named and the
/// busiest hour, most reads first; a user over the hourly mark is marked. Changes, reads in
/// another operation (with --operation) and reads before --since are left out.
#[test]
fn audit_reads_names_who_read_how_much() {
    use safeconduct_domain::values::Timestamp;
    use safeconduct_domain::{CaseReference, OperationId, Role};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    for name in ["Audit drill", "Another"] {
        assert!(run(&["operation", "create", name], data).status.success());
    }
    for (name, role) in [("omar", "hotline"), ("amina", "auditor")] {
        let out = add_user(data, name, &["--role", role]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let url = format!("sqlite:{}", data.join("safeconduct.sqlite3").display());
    let kek = safeconduct_store::testing::read_key_file(&data.join("key.hex"));
    let store = safeconduct_store::open(&url, kek).unwrap();
    let id = |name: &str| store.user_by_name(name).unwrap().unwrap().id;
    let (omar, amina) = (id("omar"), id("amina"));
    let now = safeconduct_keys::now().0;
    let hour = now - now.rem_euclid(3600) - 3600;
    let case = |i: u8| CaseReference::from_random([i, i / 31, 0, 0, 0, 0, 0, 0]);
    let write = |user, role, op: i64, at: i64, action: &str, record: String| {
        store
            .audit(&safeconduct_store::AuditEntry {
                at: Timestamp(at),
                operation: Some(OperationId(op)),
                user: Some(user),
                role: Some(role),
                device: None,
                action: action.into(),
                record: Some(record),
                reason: None,
            })
            .unwrap();
    };
    // Omar looks up 65 cases, five of them twice, within one hour: 70 reads.
    for i in 0..70u8 {
        let record = format!("/api/operations/1/lookup: {}", case(i % 65));
        write(
            omar,
            Role::Hotline,
            1,
            hour + i64::from(i) * 30,
            "h::lookup",
            record,
        );
    }
    // Not reads of operation 1 in the last day: a change, another operation's read, an old one.
    write(
        omar,
        Role::Hotline,
        1,
        hour,
        "call_logged",
        "household/1".into(),
    );
    let elsewhere = format!("/api/operations/2/lookup: {}", case(200));
    write(omar, Role::Hotline, 2, hour, "h::lookup", elsewhere);
    let old = format!("/api/operations/1/lookup: {}", case(201));
    write(omar, Role::Hotline, 1, now - 3 * 86_400, "h::lookup", old);
    // Amina reads one case's events three times, and a list naming a hundred cases: named, not
    // opened one by one.
    for i in 0..3 {
        let record = format!("/api/operations/1/households/{}/events", case(1));
        write(amina, Role::Auditor, 1, hour + i, "h::case_events", record);
    }
    let listed: Vec<String> = (100..200u8).map(|i| case(i).to_string()).collect();
    let record = format!("/api/operations/1/alarms: {}", listed.join(" "));
    write(amina, Role::Auditor, 1, hour + 5, "h::open_alarms", record);
    // A pass link opened twice, by nobody signed in.
    for i in 0..2 {
        store
            .audit(&safeconduct_store::AuditEntry {
                at: Timestamp(hour + i),
                operation: Some(OperationId(1)),
                user: None,
                role: None,
                device: Some("pass link".into()),
                action: "pass_link_opened".into(),
                record: Some("pass/2097153".into()),
                reason: None,
            })
            .unwrap();
    }
    drop(store);

    let out = run(&["audit", "reads", "--operation", "1"], data);
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    let lines: Vec<&str> = report.lines().collect();
    let row = |name: &str| {
        let i = lines.iter().position(|l| l.starts_with(name));
        (
            i,
            i.map(|i| lines[i].split_whitespace().collect::<Vec<_>>()),
        )
    };
    let (omar_at, omar_row) = row("omar");
    let (amina_at, amina_row) = row("amina");
    let (links_at, links_row) = row("(pass links)");
    assert!(
        omar_at < amina_at && amina_at < links_at,
        "the busiest first:\n{report}"
    );
    let omar_row = omar_row.expect("omar is listed");
    assert_eq!(&omar_row[1..4], ["hotline", "70", "65"], "{report}");
    assert!(
        lines[omar_at.unwrap()].contains("(65)  MORE THAN 60 IN AN HOUR"),
        "{report}"
    );
    let amina_row = amina_row.expect("amina is listed");
    assert_eq!(&amina_row[1..4], ["auditor", "4", "101"], "{report}");
    assert!(lines[amina_at.unwrap()].ends_with("(1)"), "{report}");
    let links_row = links_row.expect("the pass links are listed");
    let n = links_row.len();
    assert_eq!(&links_row[n - 5..n - 3], ["2", "1"], "{report}");
    assert!(
        report.contains("1 reader(s) opened more than 60 cases within an hour"),
        "{report}"
    );
    assert!(
        !report.contains(case(1).as_str()),
        "the report names no case:\n{report}"
    );

    // Every operation: the other operation's read counts too.
    let out = run(&["audit", "reads", "--over", "100"], data);
    let report = text(&out);
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("omar") && l.contains(" 71 ")),
        "{report}"
    );
    assert!(!report.contains("MORE THAN"), "{report}");
    // Nothing since a moment to come.
    let later = Timestamp(now + 3600).rfc3339();
    let out = run(&["audit", "reads", "--since", &later], data);
    assert!(
        text(&out).contains("no reads of personal data since"),
        "{}",
        text(&out)
    );
    let out = run(&["audit", "reads", "--since", "yesterday"], data);
    assert!(!out.status.success());
    assert!(text(&out).contains("--since"), "{}", text(&out));
}
