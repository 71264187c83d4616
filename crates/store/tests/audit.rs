//! The audit chain on both backends: every change appends an entry; the chain verifies; an
//! entry deleted, edited or moved, or a log truncated behind a checkpoint, is detected at the
//! first broken link; concurrent writers make one chain.

use safeconduct_domain::values::Timestamp;
use safeconduct_domain::*;
use safeconduct_store::testing::{Backend, TestStore};
use safeconduct_store::*;
use std::sync::Arc;

fn entry(i: i64) -> AuditEntry {
    AuditEntry {
        at: Timestamp(1_800_000_000 + i),
        operation: Some(OperationId(1)),
        user: Some(UserId(7)),
        role: Some(Role::Hotline),
        device: None,
        action: "household".into(),
        record: Some(format!("/api/operations/1/households/REF{i}")),
        reason: None,
    }
}

/// A store holding an operation (one entry) and `n` read entries.
fn with_entries(backend: Backend, n: i64) -> TestStore {
    let t = TestStore::fresh(backend);
    t.store.create_operation("Audit", Timestamp(0)).unwrap();
    for i in 0..n {
        t.store.audit(&entry(i)).unwrap();
    }
    t
}

/// Lets the test play an intruder with write access to the database.
fn disable_append_only(t: &TestStore, backend: Backend) {
    let sql = match backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    };
    t.raw_exec(sql).unwrap();
}

fn checkpoint(t: &TestStore) {
    let (seq, hash) = t.store.audit_head().unwrap();
    t.store
        .add_audit_checkpoint(&AuditCheckpoint {
            seq,
            hash,
            at: Timestamp(1_900_000_000),
            kid: vec![1, 2, 3, 4],
            signature: vec![0; 64],
        })
        .unwrap();
}

fn break_of(t: &TestStore) -> Option<AuditBreak> {
    t.store.verify_audit().unwrap().first_break
}

fn an_intact_chain_verifies_and_changes_are_in_it(backend: Backend) {
    let t = with_entries(backend, 10);
    let report = t.store.verify_audit().unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.entries, 11);
    assert_eq!((report.entries, report.head), t.store.audit_head().unwrap());
    let first = t.store.audit_entries(0, 1).unwrap();
    assert_eq!(first[0].1.action, "operation_created");
    assert_eq!(first[0].1.record.as_deref(), Some("operation/1"));
}

fn the_log_refuses_updates_and_deletes(backend: Backend) {
    let t = with_entries(backend, 2);
    assert!(
        t.raw_exec("UPDATE audit_log SET action = 'x' WHERE seq = 2")
            .is_err()
    );
    assert!(t.raw_exec("DELETE FROM audit_log WHERE seq = 2").is_err());
    assert_eq!(break_of(&t), None);
}

fn a_deleted_entry_is_detected(backend: Backend) {
    let t = with_entries(backend, 10);
    disable_append_only(&t, backend);
    t.raw_exec("DELETE FROM audit_log WHERE seq = 5").unwrap();
    assert_eq!(break_of(&t), Some(AuditBreak::Missing { seq: 5 }));
}

fn an_edited_entry_is_detected(backend: Backend) {
    let t = with_entries(backend, 10);
    disable_append_only(&t, backend);
    t.raw_exec("UPDATE audit_log SET record = '/api/operations/1/households/OTHER' WHERE seq = 7")
        .unwrap();
    assert_eq!(break_of(&t), Some(AuditBreak::Altered { seq: 7 }));
}

fn reordered_entries_are_detected(backend: Backend) {
    let t = with_entries(backend, 10);
    disable_append_only(&t, backend);
    t.raw_exec(
        "UPDATE audit_log SET seq = 1000 WHERE seq = 3;
         UPDATE audit_log SET seq = 3 WHERE seq = 4;
         UPDATE audit_log SET seq = 4 WHERE seq = 1000;",
    )
    .unwrap();
    assert_eq!(break_of(&t), Some(AuditBreak::Relinked { seq: 3 }));
}

fn a_truncated_log_is_detected_even_with_its_head_rewritten(backend: Backend) {
    let t = with_entries(backend, 10);
    checkpoint(&t);
    disable_append_only(&t, backend);
    // The intruder removes the last entries and rewrites the head to match.
    t.raw_exec(
        "DELETE FROM audit_log WHERE seq > 8;
         UPDATE audit_head SET seq = 8, hash = (SELECT hash FROM audit_log WHERE seq = 8);",
    )
    .unwrap();
    assert_eq!(
        break_of(&t),
        Some(AuditBreak::Truncated {
            entries: 8,
            checkpoint: 11
        })
    );
    // Without the head rewritten, the head alone tells.
    let t = with_entries(backend, 4);
    disable_append_only(&t, backend);
    t.raw_exec("DELETE FROM audit_log WHERE seq = 5").unwrap();
    assert_eq!(
        break_of(&t),
        Some(AuditBreak::Truncated {
            entries: 4,
            checkpoint: 5
        })
    );
}

/// Reads audited from eight threads (committed in groups) while changes are written from two
/// more: one chain, and each reader got back the sequence number of its own entry.
fn concurrent_writers_make_one_chain(backend: Backend) {
    let t = with_entries(backend, 0);
    let store: Arc<dyn Store> = t.store.clone();
    let readers: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..25)
                    .map(|i| {
                        let e = entry(w * 100 + i);
                        (store.audit(&e).unwrap(), e)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let changers: Vec<_> = (0..2)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..10 {
                    store
                        .create_operation(&format!("Op {w}/{i}"), Timestamp(i))
                        .unwrap();
                }
            })
        })
        .collect();
    let mut returned: Vec<(i64, AuditEntry)> = Vec::new();
    for r in readers {
        returned.extend(r.join().unwrap());
    }
    for c in changers {
        c.join().unwrap();
    }
    let report = t.store.verify_audit().unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.entries, 1 + 8 * 25 + 2 * 10);
    let stored: std::collections::HashMap<i64, AuditEntry> = t
        .store
        .audit_entries(0, 1000)
        .unwrap()
        .into_iter()
        .collect();
    let mut seqs: Vec<i64> = returned.iter().map(|(seq, _)| *seq).collect();
    seqs.sort();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        8 * 25,
        "every reader got a sequence number of its own"
    );
    for (seq, e) in &returned {
        assert_eq!(
            stored.get(seq),
            Some(e),
            "entry {seq} is the one its reader wrote"
        );
    }
}

/// A change's entries are committed with it and chained just after: a server that stopped in
/// between leaves them pending, and the next store opened over the database chains them.
fn entries_left_pending_are_chained_when_the_store_is_next_opened(backend: Backend) {
    let t = with_entries(backend, 2);
    t.raw_exec(
        "INSERT INTO audit_pending (at, operation_id, user_id, role, device, action, record, reason)
         VALUES (1800000100, 1, 7, 'escort', NULL, 'admitted_at_rv', 'household/9', NULL)",
    )
    .unwrap();
    assert_eq!(t.store.audit_head().unwrap().0, 3, "not chained yet");
    let again = TestStore::over(t.url.clone());
    let (seq, _) = again.store.audit_head().unwrap();
    assert_eq!(seq, 4);
    let last = again.store.audit_entries(3, 10).unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].1.action, "admitted_at_rv");
    assert_eq!(last[0].1.record.as_deref(), Some("household/9"));
    let report = again.store.verify_audit().unwrap();
    assert_eq!((report.entries, report.first_break), (4, None));
    assert_eq!(
        safeconduct_store::testing::raw_text(
            &t.url,
            "SELECT CAST(COUNT(*) AS TEXT) FROM audit_pending"
        ),
        vec!["0".to_string()]
    );
}

/// Two stores over one database, as two servers: changes and reads from both make one chain,
/// and every change is in it as soon as the call that made it returns.
fn two_servers_make_one_chain(backend: Backend) {
    let t = with_entries(backend, 0);
    let other = TestStore::over(t.url.clone());
    let servers: Vec<Arc<dyn Store>> = vec![t.store.clone(), other.store.clone()];
    let threads: Vec<_> = (0..4)
        .map(|w| {
            let store = servers[w % 2].clone();
            std::thread::spawn(move || {
                for i in 0..15 {
                    let name = format!("Op {w}/{i}");
                    let made = store.create_operation(&name, Timestamp(i)).unwrap();
                    let chained = store.audit_entries(0, 10_000).unwrap();
                    assert!(
                        chained.iter().any(|(_, e)| e.action == "operation_created"
                            && e.operation == Some(made.id)),
                        "the creation of {name} is in the chain once acknowledged"
                    );
                    store.audit(&entry(w as i64 * 100 + i)).unwrap();
                }
            })
        })
        .collect();
    for w in threads {
        w.join().unwrap();
    }
    let report = t.store.verify_audit().unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.entries, 1 + 4 * 15 * 2);
}

safeconduct_store::on_both_backends!(
    entries_left_pending_are_chained_when_the_store_is_next_opened,
    two_servers_make_one_chain,
    an_intact_chain_verifies_and_changes_are_in_it,
    the_log_refuses_updates_and_deletes,
    a_deleted_entry_is_detected,
    an_edited_entry_is_detected,
    reordered_entries_are_detected,
    a_truncated_log_is_detected_even_with_its_head_rewritten,
    concurrent_writers_make_one_chain,
);
