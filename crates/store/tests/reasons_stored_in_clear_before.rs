//! A database written while stated reasons were kept in clear (in an event's detail and in
//! the audit chain, which hashed them) is upgraded when it is opened: every reason is sealed
//! under its operation's data key, the chain is linked again over the sealed text and still
//! verifies, the checkpoints that no longer match are withdrawn and the chain says so, and the
//! events and the log are append-only again.

use safeconduct_domain::OperationId;
use safeconduct_store::testing::{
    Backend, TestStore, open_with_test_key, raw_exec, raw_text, schema_through,
};
use sha2::{Digest, Sha256};

const REVOKED: &str = "Farida Wardak reported the pass stolen";
const READ: &str = "caller Habiba Sultani asked for her window";

fn field(h: &mut Sha256, value: Option<&str>) {
    match value {
        None => h.update([0]),
        Some(v) => {
            h.update([1]);
            h.update((v.len() as u32).to_be_bytes());
            h.update(v.as_bytes());
        }
    }
}

/// An entry's hash as the store computed it then (sql/audit.rs documents the formula).
fn old_hash(
    prev: &[u8; 32],
    seq: i64,
    at: i64,
    op: Option<i64>,
    action: &str,
    record: &str,
    reason: Option<&str>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"safeconduct audit v1\0");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(at.to_be_bytes());
    field(&mut h, op.map(|o| o.to_string()).as_deref());
    field(&mut h, None);
    field(&mut h, None);
    field(&mut h, None);
    field(&mut h, Some(action));
    field(&mut h, Some(record));
    field(&mut h, reason);
    h.finalize().into()
}

/// An entry as written then: time, operation, action, record, reason.
type OldEntry = (
    i64,
    Option<i64>,
    &'static str,
    &'static str,
    Option<&'static str>,
);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An upgrade that fails half-way (here: an event whose detail names a reason but is no JSON,
/// met only when the reasons are sealed, after the append-only triggers were lifted) leaves
/// the database as it was: no migration applied, events and the log still append-only.
fn an_upgrade_that_fails_leaves_the_database_as_it_was(backend: Backend) {
    let (url, _guard) = TestStore::empty_url(backend);
    schema_through(backend, &url, 6);
    raw_exec(
        &url,
        "INSERT INTO operations (id, name, created_at) VALUES (1, 'Broken', 0);
         INSERT INTO events (id, operation_id, kind, detail, at)
         VALUES (1, 1, 'pass_revoked', '{\"reason\": broken', 100);",
    )
    .unwrap();
    let opened = open_with_test_key(&url).err();
    let err = opened.expect("the upgrade fails").to_string();
    assert!(err.contains("not JSON"), "{err}");
    assert_eq!(
        raw_text(
            &url,
            "SELECT CAST(MAX(version) AS TEXT) FROM schema_migrations"
        ),
        vec!["6".to_string()]
    );
    assert!(raw_exec(&url, "UPDATE events SET kind = 'edited'").is_err());
}

fn a_database_with_reasons_in_clear_is_sealed_when_opened(backend: Backend) {
    let (url, _guard) = TestStore::empty_url(backend);
    schema_through(backend, &url, 6);
    let bytes = |b: &[u8]| match backend {
        Backend::Sqlite => format!("X'{}'", hex(b)),
        Backend::Postgres => format!("decode('{}', 'hex')", hex(b)),
    };
    // The chain as the store wrote it then: a revocation and a read with reasons in clear,
    // a sign-in without one, and a signed checkpoint of its head.
    let entries: [OldEntry; 3] = [
        (100, Some(1), "pass_revoked", "household/1", Some(REVOKED)),
        (
            101,
            Some(1),
            "h::household",
            "/api/operations/1/households/K7M4-Q2XP",
            Some(READ),
        ),
        (102, None, "signed_in", "user/1", None),
    ];
    let mut sql = "INSERT INTO operations (id, name, created_at) VALUES (1, 'Before sealing', 0);"
        .to_string();
    sql += &format!(
        "INSERT INTO events (id, operation_id, kind, detail, at)
         VALUES (1, 1, 'pass_revoked', '{{\"pass_index\":1,\"reason\":\"{REVOKED}\"}}', 100);"
    );
    let mut prev = [0u8; 32];
    for (i, (at, op, action, record, reason)) in entries.iter().enumerate() {
        let seq = i as i64 + 1;
        let hash = old_hash(&prev, seq, *at, *op, action, record, *reason);
        sql += &format!(
            "INSERT INTO audit_log (seq, at, operation_id, action, record, reason, prev_hash, hash)
             VALUES ({seq}, {at}, {op}, '{action}', '{record}', {reason}, {prev}, {hash});",
            op = op.map(|o| o.to_string()).unwrap_or("NULL".into()),
            reason = reason.map(|r| format!("'{r}'")).unwrap_or("NULL".into()),
            prev = bytes(&prev),
            hash = bytes(&hash),
        );
        prev = hash;
    }
    sql += &format!(
        "UPDATE audit_head SET seq = 3, hash = {head} WHERE id = 1;
         INSERT INTO audit_checkpoints (seq, hash, at, kid, signature)
         VALUES (3, {head}, 103, {kid}, {kid});",
        head = bytes(&prev),
        kid = bytes(b"kid1"),
    );
    if backend == Backend::Postgres {
        sql += "SELECT setval(pg_get_serial_sequence('operations', 'id'), 1);
                SELECT setval(pg_get_serial_sequence('events', 'id'), 1);";
    }
    raw_exec(&url, &sql).unwrap();

    let opened = open_with_test_key(&url).unwrap();
    let report = opened.verify_audit().unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(
        report.entries, 4,
        "the three entries and the one that says what was done"
    );
    assert!(
        report.checkpoints.is_empty(),
        "the checkpoint that no longer matches is withdrawn"
    );
    let entries = opened.audit_entries(0, 10).unwrap();
    assert_eq!(
        entries[0].1.reason.as_deref(),
        Some(REVOKED),
        "readers still see it"
    );
    assert_eq!(entries[1].1.reason.as_deref(), Some(READ));
    assert_eq!(entries[2].1.reason, None);
    assert_eq!(entries[3].1.action, "audit_reasons_sealed");
    let said = entries[3].1.record.clone().unwrap();
    assert!(said.contains(&hex(&prev)), "the old head is named: {said}");

    let stored = [
        raw_text(&url, "SELECT COALESCE(reason, '') FROM audit_log"),
        raw_text(&url, "SELECT detail FROM events"),
    ]
    .concat()
    .join("\n");
    for needle in ["Wardak", "Sultani"] {
        assert!(
            !stored.contains(needle),
            "{needle} is still in clear: {stored}"
        );
    }
    // Append-only again.
    assert!(raw_exec(&url, "UPDATE events SET kind = 'edited'").is_err());
    assert!(raw_exec(&url, "UPDATE audit_log SET action = 'edited'").is_err());

    // Once the operation is shredded the reasons are gone, and the chain still verifies.
    let admin = safeconduct_store::Actor::system(safeconduct_domain::values::Timestamp(200));
    opened.close_operation(OperationId(1), &admin).unwrap();
    opened
        .shred_operation(OperationId(1), &admin, false)
        .unwrap();
    let entries = opened.audit_entries(0, 2).unwrap();
    assert!(
        entries.iter().all(|(_, e)| e.reason.is_none()),
        "{entries:?}"
    );
    assert_eq!(opened.verify_audit().unwrap().first_break, None);
}

safeconduct_store::on_both_backends!(
    a_database_with_reasons_in_clear_is_sealed_when_opened,
    an_upgrade_that_fails_leaves_the_database_as_it_was,
);
