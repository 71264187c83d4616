//! Test support: a fresh, empty store on either backend, removed afterwards.
//!
//! PostgreSQL tests use the server at `SAFECONDUCT_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test creates its own database and
//! drops it. A test that cannot reach PostgreSQL fails: it never skips.

use crate::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Fields drop in order: the store's connections close before the guard drops the database.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    /// The database URL of this store.
    pub url: String,
    _guard: Guard,
}

enum Guard {
    None,
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Database { admin: String, name: String },
}

fn admin_url() -> String {
    std::env::var("SAFECONDUCT_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A URL for a fresh database of `backend`, with the guard that removes it.
fn fresh_url(backend: Backend) -> (String, Guard) {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite:{}", dir.path().join("test.sqlite3").display());
            (url, Guard::Dir(dir))
        }
        Backend::Postgres => {
            let admin = admin_url();
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let name = format!(
                "safeconduct_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                nanos
            );
            let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL is needed for this test and is not reachable at {}: {e}. \
                     Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
                    crate::redact(&admin)
                )
            });
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("creating a test database");
            let url = match admin.rfind('/') {
                Some(i) => format!("{}/{name}", &admin[..i]),
                None => panic!("SAFECONDUCT_TEST_POSTGRES must name a database"),
            };
            (url, Guard::Database { admin, name })
        }
    }
}

const TEST_KEY: [u8; 32] = [0x5c; 32];

/// The key encryption key of every test store.
pub fn test_kek() -> crate::Kek {
    crate::Kek::from_bytes(&TEST_KEY)
}

/// Writes [`test_kek`] as a key file (owner-only) at `path`, for the command line and servers
/// a test starts on a test store.
pub fn write_test_key_file(path: &std::path::Path) {
    write_key_file(path, &TEST_KEY);
}

fn write_key_file(path: &std::path::Path, key: &[u8; 32]) {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).expect("creating a test key file");
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    writeln!(file, "{hex}").expect("writing a test key file");
}

/// The first column, as text, of a query run on the database at `url` through a connection
/// of its own, bypassing the store.
pub fn raw_text(url: &str, sql: &str) -> Vec<String> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let c = rusqlite::Connection::open(path).expect("opening the database file");
        let mut stmt = c.prepare(sql).expect("a valid query");
        stmt.query_map([], |r| r.get::<_, String>(0))
            .expect("the query runs")
            .collect::<Result<_, _>>()
            .expect("text values")
    } else {
        let url = url.to_string();
        let sql = sql.to_string();
        std::thread::spawn(move || {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connecting");
            c.query(&sql, &[])
                .expect("the query runs")
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect()
        })
        .join()
        .expect("the query thread")
    }
}

/// Reads a key file the command line wrote.
pub fn read_key_file(path: &std::path::Path) -> crate::Kek {
    crate::Kek::from_hex(&std::fs::read_to_string(path).expect("reading a key file"))
        .expect("a key file holds 64 hexadecimal digits")
}

impl TestStore {
    /// A fresh store. Callable from async tests too: the work runs on a thread of its own.
    pub fn fresh(backend: Backend) -> Self {
        std::thread::spawn(move || Self::fresh_here(backend))
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    }

    fn fresh_here(backend: Backend) -> Self {
        let (url, guard) = fresh_url(backend);
        let store = crate::open(&url, test_kek()).unwrap_or_else(|e| panic!("opening {url}: {e}"));
        TestStore {
            store,
            url,
            _guard: guard,
        }
    }

    /// A store over a database another part of the test made: the caller keeps what removes it.
    pub fn over(url: String) -> Self {
        let opened = url.clone();
        let store = std::thread::spawn(move || crate::open(&opened, test_kek()))
            .join()
            .expect("the opening thread")
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
        TestStore {
            store,
            url,
            _guard: Guard::None,
        }
    }

    /// An empty database of `backend` that no store has opened yet.
    pub fn empty_url(backend: Backend) -> (String, impl Drop) {
        fresh_url(backend)
    }

    /// Runs raw SQL on this store's database through a separate connection, bypassing the
    /// store: for tests that tamper with stored data.
    pub fn raw_exec(&self, sql: &str) -> Result<(), String> {
        raw_exec(&self.url, sql)
    }
}

/// Runs raw SQL on the database at `url` through a connection of its own, bypassing the
/// store.
pub fn raw_exec(url: &str, sql: &str) -> Result<(), String> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let c = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
        c.execute_batch(sql).map_err(|e| e.to_string())
    } else {
        let (url, sql) = (url.to_string(), sql.to_string());
        std::thread::spawn(move || {
            let mut c =
                postgres::Client::connect(&url, postgres::NoTls).map_err(|e| e.to_string())?;
            c.batch_execute(&sql).map_err(|e| match e.as_db_error() {
                Some(db) => db.message().to_string(),
                None => e.to_string(),
            })
        })
        .join()
        .expect("the raw SQL thread")
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Database { admin, name } = self {
            let (admin, name) = (admin.clone(), name.clone());
            // On a thread of its own: the synchronous client may not run inside an async task.
            let _ = std::thread::spawn(move || {
                if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                    let _ =
                        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            })
            .join();
        }
    }
}

/// Generates, for each named `fn name(backend: Backend)`, a module with one test per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name($crate::testing::Backend::Sqlite)
            }
            #[test]
            fn postgres() {
                super::$name($crate::testing::Backend::Postgres)
            }
        }
    )*};
}

/// As [`on_both_backends`], for `async fn name(backend: Backend)` run on tokio.
#[macro_export]
macro_rules! on_both_backends_async {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::testing::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::testing::Backend::Postgres).await
            }
        }
    )*};
}

/// Every migration as `backend` runs it, in order: its version, and its shared part in the
/// engine's dialect followed by the engine's own part.
pub fn migrations(backend: Backend) -> Vec<(i64, String)> {
    match backend {
        Backend::Sqlite => crate::sql::migrations(|m| m.sqlite, crate::sqlite::schema_dialect),
        Backend::Postgres => {
            crate::sql::migrations(|m| m.postgres, crate::postgres::schema_dialect)
        }
    }
}

/// Migration `version` as `backend` runs it.
pub fn migration(backend: Backend, version: i64) -> String {
    migrations(backend)
        .into_iter()
        .find(|(v, _)| *v == version)
        .map(|(_, sql)| sql)
        .unwrap_or_else(|| panic!("no migration {version}"))
}

/// Writes the schema as an older release left it, migrations 1 to `version` with nothing
/// after, into the empty database at `url`; opening it as a store runs the rest.
pub fn schema_through(backend: Backend, url: &str, version: i64) {
    raw_exec(
        url,
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .unwrap();
    for (v, sql) in migrations(backend)
        .into_iter()
        .take_while(|(v, _)| *v <= version)
    {
        raw_exec(url, &sql).unwrap();
        raw_exec(
            url,
            &format!("INSERT INTO schema_migrations VALUES ({v}, 0)"),
        )
        .unwrap();
    }
}

/// Opens the store at `url` with the test key, on a thread of its own: the PostgreSQL client
/// runs a runtime of its own, which must not start on a thread that already runs one.
pub fn open_with_test_key(url: &str) -> crate::Result<Arc<dyn Store>> {
    let url = url.to_string();
    std::thread::spawn(move || crate::open(&url, test_kek()))
        .join()
        .expect("the store's opening panicked")
}

/// Gives operation `op` an issuer key that no one can sign with: enough for tests and benchmarks
/// that record scans of pass indexes without issuing passes.
pub fn stand_in_pass_keys(store: &dyn Store, op: safeconduct_domain::OperationId) {
    let key = crate::StoredIssuerKey {
        kid: [1; 4],
        public_key: [1; 32],
        wrapped_secret: vec![1; 60],
        state: crate::KeyState::Active,
        created_at: safeconduct_domain::values::Timestamp(0),
    };
    store.init_pass_keys(op, &key, &[]).unwrap();
}

/// A rendezvous point of operation `op` at `location`, proposed by the authority and accepted
/// by the escort party: agreed, ready for windows.
pub fn agreed_rv(
    store: &dyn Store,
    op: safeconduct_domain::OperationId,
    name: &str,
    location: safeconduct_domain::values::Coordinate,
) -> safeconduct_domain::RvId {
    use safeconduct_domain::model::{RvChange, Side};
    use safeconduct_domain::values::{Text, Timestamp};
    let text = |s: &str| Text::parse("name", s, 40).unwrap();
    let system = crate::Actor::system(Timestamp(0));
    let rv = store
        .propose_rv(
            op,
            &crate::NewRv {
                name: text(name),
                location,
                landmark: text("corner"),
            },
            Side::CoordinatingAuthority,
            &system,
        )
        .unwrap();
    store
        .change_rv(op, rv.id, RvChange::Accept(Side::EscortParty), &system)
        .unwrap();
    rv.id
}

/// Case references that differ and repeat from run to run: the `n`th is made from `n` (mixed,
/// so that neighbours share no prefix).
pub fn numbered_references() -> impl FnMut() -> safeconduct_domain::CaseReference {
    let mut n = 0u64;
    move || {
        n += 1;
        safeconduct_domain::CaseReference::from_random(
            n.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_be_bytes(),
        )
    }
}

/// Takes a registered household to its window: documents verified, eligible as citizens, and
/// assigned `window`.
pub fn assign_eligible(
    store: &dyn Store,
    op: safeconduct_domain::OperationId,
    reference: &safeconduct_domain::CaseReference,
    window: safeconduct_domain::WindowId,
    actor: &crate::Actor,
) {
    use crate::CaseRequest;
    use safeconduct_domain::model::EligibilityCategory;
    for step in [
        CaseRequest::VerifyDocuments,
        CaseRequest::DecideEligible {
            category: EligibilityCategory::Citizen,
        },
        CaseRequest::Assign { window },
    ] {
        store.apply(op, reference, &step, actor).unwrap();
    }
}

/// Person `i` of a generated household: a name, a birth year and a passport number all made
/// from `i`, so that every person differs and a run can be repeated.
pub fn numbered_person(i: usize) -> safeconduct_domain::household::NewPerson {
    use safeconduct_domain::household::{NewDocument, NewPerson};
    use safeconduct_domain::model::*;
    use safeconduct_domain::values::*;
    NewPerson::new(
        PersonName::new(&format!("Person {i} Rahimi"), None).unwrap(),
        Some(BirthDate::from_year(1960 + (i % 50) as u16).unwrap()),
        None,
        None,
        Some(Language::Dari),
        vec![NewDocument::new(
            DocumentType::Passport,
            DocumentNumber::parse(&format!("C{i:08}")).unwrap(),
            None,
            None,
        )],
    )
}

/// A Dari-speaking household of numbered persons `people` ([`numbered_person`]), with no
/// contact, needs or notes, registered in 2027 (after every birth year they have).
pub fn numbered_household(
    people: std::ops::Range<usize>,
) -> safeconduct_domain::household::NewHousehold {
    use safeconduct_domain::household::NewHousehold;
    use safeconduct_domain::values::{Language, Timestamp};
    let members = people.map(numbered_person).collect();
    NewHousehold::new(
        None,
        Language::Dari,
        None,
        vec![],
        None,
        members,
        Timestamp(1_800_000_000),
    )
    .unwrap()
}

/// The tables a copy between engines moves, each with the columns it copies
/// (`copy_tables::TABLES`): for the test that holds it to the schema.
pub fn copied_tables() -> &'static [(&'static str, &'static [&'static str])] {
    crate::copy_tables::TABLES
}

/// The identity columns (`table.column`) of the PostgreSQL database at `url` whose next value
/// would not come after the largest one stored: after a copy, each of them would refuse its
/// next row as a duplicate key. Reads the sequences without taking a value from them.
pub fn identities_behind_their_rows(url: &str) -> Vec<String> {
    let numbered = raw_text(
        url,
        "SELECT table_name || '.' || column_name || ' ' ||
                pg_get_serial_sequence(table_name, column_name)
         FROM information_schema.columns
         WHERE table_schema = 'public' AND is_identity = 'YES' ORDER BY 1",
    );
    assert!(numbered.len() > 20, "identity columns: {numbered:?}");
    numbered
        .into_iter()
        .filter_map(|row| {
            let (numbered, sequence) = row.split_once(' ').expect("a column and its sequence");
            let (table, column) = numbered.split_once('.').expect("table.column");
            let next_is_after = raw_text(
                url,
                &format!(
                    "SELECT ((SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END
                              FROM {sequence})
                             > COALESCE((SELECT MAX({column}) FROM {table}), 0))::text"
                ),
            );
            (next_is_after != ["true"]).then(|| numbered.to_string())
        })
        .collect()
}
