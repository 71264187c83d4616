//! A copy between engines, from the store's side: what a store copied into PostgreSQL does next.
//! (The command's whole journey, with the demo's data, is in the CLI's tests.)

use safeconduct_domain::OperationId;
use safeconduct_domain::values::Timestamp;
use safeconduct_store::testing::{
    Backend, TestStore, identities_behind_their_rows, open_with_test_key, test_kek,
};
use safeconduct_store::{Actor, NewPlan, PlanKind};

fn actor() -> Actor {
    Actor::system(Timestamp(1_800_000_000))
}

/// A new operation in `store` with `plans` plans saved.
fn an_operation_with_plans(store: &TestStore, plans: usize) -> OperationId {
    let op = store
        .store
        .create_operation("Moving", Timestamp(0))
        .unwrap()
        .id;
    for _ in 0..plans {
        store.store.save_plan(op, &a_plan(), &actor()).unwrap();
    }
    op
}

/// Copies the store at `from` into the empty one at `to`, with the test key.
fn copy(from: &str, to: &str) {
    safeconduct_store::copy(from, to, &test_kek(), &mut |_, _| {}).unwrap();
}

fn a_plan() -> NewPlan {
    NewPlan {
        kind: PlanKind::Plan,
        fingerprint: [7; 32],
        moves: Vec::new(),
        answer: serde_json::json!({}),
    }
}

/// Every table whose ids PostgreSQL gives goes on after the ids copied into it; a table the
/// copy forgot would refuse its next row as a duplicate key. (Which tables have such ids is
/// held to the schema in `schema.rs`.)
#[test]
fn a_store_copied_into_postgres_gives_new_rows_ids_after_the_copied_ones() {
    let source = TestStore::fresh(Backend::Sqlite);
    let op = an_operation_with_plans(&source, 2);
    let (target, _guard) = TestStore::empty_url(Backend::Postgres);
    copy(&source.url, &target);

    let copied = open_with_test_key(&target).unwrap();
    let third = copied.save_plan(op, &a_plan(), &actor()).unwrap();
    assert_eq!(third.id.0, 3);
    let second_operation = copied
        .create_operation("After the move", Timestamp(0))
        .unwrap();
    assert_eq!(second_operation.id.0, 2);

    // The same of every column PostgreSQL numbers, as its catalogue lists them.
    assert_eq!(identities_behind_their_rows(&target), Vec::<String>::new());
}

/// A store moves back as well as forth: from PostgreSQL into SQLite, then into PostgreSQL again,
/// its audit chain verifying at every stop with the same head, and every copy going on.
#[test]
fn a_store_moves_from_postgres_to_sqlite_and_back_with_its_audit_chain_whole() {
    let source = TestStore::fresh(Backend::Postgres);
    let op = an_operation_with_plans(&source, 1);
    let before = source.store.verify_audit().unwrap();
    assert!(before.first_break.is_none());
    assert!(before.entries > 0, "the plan and the operation are audited");

    let (on_sqlite, _sqlite) = TestStore::empty_url(Backend::Sqlite);
    copy(&source.url, &on_sqlite);
    let (back, _postgres) = TestStore::empty_url(Backend::Postgres);
    copy(&on_sqlite, &back);

    for url in [&on_sqlite, &back] {
        let copied = open_with_test_key(url).unwrap();
        let after = copied.verify_audit().unwrap();
        assert!(after.first_break.is_none(), "{url}");
        assert_eq!(
            (after.entries, after.head),
            (before.entries, before.head),
            "{url}"
        );
        assert_eq!(copied.save_plan(op, &a_plan(), &actor()).unwrap().id.0, 2);
        assert!(copied.verify_audit().unwrap().first_break.is_none());
    }
}
