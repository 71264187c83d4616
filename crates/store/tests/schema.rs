//! The schema the assembled migrations make, on each engine, against a reference kept beside
//! this file (`schema/sqlite.txt`, `schema/postgres.txt`): a change to a migration's shared
//! part, to an engine's own part or to `sqlite::schema_dialect` that changes what a store holds
//! shows here as a difference to read, not as a surprise in a release.
//!
//! A new migration changes the schema on purpose: write the new reference with
//! `SAFECONDUCT_BLESS_SCHEMA=1 cargo nextest run -p safeconduct-store --test schema`, and read
//! its difference in the commit. CI never writes it.

use safeconduct_store::testing::{Backend, TestStore, copied_tables, raw_text};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The SQLite schema: every table, index and trigger as the engine keeps its statement, with
/// comments removed and white space folded, one clause a line.
fn sqlite_schema(url: &str) -> Vec<String> {
    raw_text(
        url,
        "SELECT type || ' ' || name || ' on ' || tbl_name || char(10) || coalesce(sql, '')
         FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY tbl_name, type, name",
    )
    .iter()
    .flat_map(|entry| folded(entry))
    .collect()
}

/// The PostgreSQL schema from its catalogue: columns in order, constraints, indexes, triggers,
/// functions, sequences and views of the `public` schema, each as the server prints it, in an
/// order that no locale changes (names sort bytewise). NOT NULL is read from the columns, not
/// from the constraints, where newer servers list it as well.
fn postgres_schema(url: &str) -> Vec<String> {
    const QUERIES: [&str; 7] = [
        "SELECT format('column %s.%s %s%s%s%s', table_name, column_name, data_type,
                CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END,
                coalesce(' default ' || column_default, ''),
                CASE WHEN is_identity = 'YES' THEN ' identity ' || identity_generation ELSE '' END)
         FROM information_schema.columns WHERE table_schema = 'public'
         ORDER BY table_name, ordinal_position",
        "SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n'
         ORDER BY conrelid::regclass::text COLLATE \"C\", conname",
        "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
         ORDER BY tablename, indexname",
        "SELECT 'trigger ' || pg_get_triggerdef(t.oid)
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
         ORDER BY c.relname, t.tgname",
        "SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p
         WHERE p.pronamespace = 'public'::regnamespace ORDER BY p.proname",
        "SELECT 'sequence ' || sequencename || ' ' || data_type::text FROM pg_sequences
         WHERE schemaname = 'public' ORDER BY sequencename",
        "SELECT 'view ' || viewname || chr(10) || definition FROM pg_views
         WHERE schemaname = 'public' ORDER BY viewname",
    ];
    QUERIES
        .iter()
        .flat_map(|query| raw_text(url, query))
        .flat_map(|entry| folded(&entry))
        .collect()
}

/// An entry's lines without `--` comments and blank lines, each with its white space folded;
/// every line after the first indented, so that each entry reads as one block.
fn folded(entry: &str) -> Vec<String> {
    entry
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .enumerate()
        .map(|(i, line)| if i == 0 { line } else { format!("    {line}") })
        .collect()
}

fn reference_path(backend: Backend) -> PathBuf {
    let name = match backend {
        Backend::Sqlite => "sqlite.txt",
        Backend::Postgres => "postgres.txt",
    };
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schema")
        .join(name)
}

/// The lines of a shortest edit from `was` to `is`: `- ` a line only the reference has, `+ ` a
/// line only the store has, each after the line of both that precedes it.
fn difference(was: &[String], is: &[String]) -> Vec<String> {
    let (n, m) = (was.len(), is.len());
    // common[i][j]: the longest common run of lines of was[i..] and is[j..].
    let mut common = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = if was[i] == is[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out, mut last) = (0, 0, Vec::new(), "(the start)");
    while i < n || j < m {
        if i < n && j < m && was[i] == is[j] {
            last = &was[i];
            i += 1;
            j += 1;
        } else if j < m && (i == n || common[i][j + 1] >= common[i + 1][j]) {
            out.push(format!("after {last}\n+ {}", is[j]));
            j += 1;
        } else {
            out.push(format!("after {last}\n- {}", was[i]));
            i += 1;
        }
    }
    out
}

fn the_assembled_schema_is_the_reference_schema(backend: Backend) {
    let store = TestStore::fresh(backend);
    let schema = match backend {
        Backend::Sqlite => sqlite_schema(&store.url),
        Backend::Postgres => postgres_schema(&store.url),
    };
    assert!(schema.len() > 100, "{schema:#?}");
    let path = reference_path(backend);
    let text = schema.join("\n") + "\n";
    if std::env::var_os("SAFECONDUCT_BLESS_SCHEMA").is_some() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI does not write the schema reference: write it on a workstation and commit it"
        );
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let reference = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading the schema reference {}: {e}", path.display()));
    let reference: Vec<String> = reference.lines().map(str::to_string).collect();
    let changes = difference(&reference, &schema);
    assert!(
        changes.is_empty(),
        "the schema the migrations make differs from {}; {} line(s) added (+) or removed (-):\n{}\n\n\
         If the change is meant (a new migration), write the new reference with \
         SAFECONDUCT_BLESS_SCHEMA=1 and read its difference before committing it.",
        path.display(),
        changes.len(),
        changes.join("\n"),
    );
}

safeconduct_store::on_both_backends!(the_assembled_schema_is_the_reference_schema);

/// Every table and its columns, by name, as the engine lists them.
fn tables(backend: Backend, url: &str) -> BTreeMap<String, Vec<String>> {
    let rows = match backend {
        Backend::Sqlite => raw_text(
            url,
            "SELECT m.name || ' ' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
        ),
        Backend::Postgres => raw_text(
            url,
            "SELECT table_name || ' ' || column_name FROM information_schema.columns
             WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
        ),
    };
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        let (table, column) = row.split_once(' ').expect("table and column");
        tables
            .entry(table.to_string())
            .or_default()
            .push(column.to_string());
    }
    tables
}

/// The engines' own parts may differ in how a table is made (a trigger, a rebuilt key), never
/// in what it holds. The order of columns may differ where one engine rebuilt a table and the
/// other altered it (`scans.user_id`): nothing reads columns by position, and a copy names them.
#[test]
fn both_engines_make_the_same_tables_with_the_same_columns() {
    let sqlite = TestStore::fresh(Backend::Sqlite);
    let postgres = TestStore::fresh(Backend::Postgres);
    let on_sqlite = tables(Backend::Sqlite, &sqlite.url);
    let on_postgres = tables(Backend::Postgres, &postgres.url);
    assert!(on_sqlite.len() > 20, "{on_sqlite:#?}");
    let names = |t: &BTreeMap<String, Vec<String>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&on_sqlite), names(&on_postgres), "the tables");
    for (table, columns) in &on_sqlite {
        assert_eq!(
            sorted(columns),
            sorted(&on_postgres[table]),
            "the columns of {table}"
        );
    }
}

fn sorted(columns: &[String]) -> Vec<&str> {
    let mut names: Vec<&str> = columns.iter().map(String::as_str).collect();
    names.sort_unstable();
    names
}

/// A copy between engines moves what its list of tables names: a table or a column a migration
/// adds and the list leaves out would be lost in the copy, silently.
#[test]
fn a_copy_between_engines_moves_every_table_and_every_column() {
    let store = TestStore::fresh(Backend::Sqlite);
    let mut schema = tables(Backend::Sqlite, &store.url);
    // Not an operation's data: the versions applied, and the chain's head, which a copy sets.
    for own in ["schema_migrations", "audit_head"] {
        assert!(schema.remove(own).is_some(), "{own}");
    }
    let copied: BTreeMap<String, Vec<String>> = copied_tables()
        .iter()
        .map(|(table, columns)| {
            let columns = columns.iter().map(|c| c.to_string()).collect();
            (table.to_string(), columns)
        })
        .collect();
    assert_eq!(copied.len(), copied_tables().len(), "a table listed twice");
    let names = |t: &BTreeMap<String, Vec<String>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&copied), names(&schema), "the tables a copy moves");
    for (table, columns) in &schema {
        assert_eq!(
            sorted(&copied[table]),
            sorted(columns),
            "the columns a copy moves of {table}"
        );
    }
}

#[test]
fn the_difference_names_each_line_added_and_removed_after_the_line_both_have() {
    let lines = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
    assert!(difference(&lines("a b c"), &lines("a b c")).is_empty());
    assert_eq!(
        difference(&lines("a b c d"), &lines("a x c d y")),
        ["after a\n+ x", "after a\n- b", "after d\n+ y"]
    );
    assert_eq!(difference(&[], &lines("a")), ["after (the start)\n+ a"]);
}
