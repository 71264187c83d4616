//! Encryption at rest on both backends: a copy of the database alone holds no personal data;
//! a sealed record moved onto another does not open; lookups still find people through blind
//! indexes; shredding leaves nothing readable while counts and the audit chain verify; and a
//! database written before encryption existed is sealed when it is opened.

use safeconduct_domain::matching::latin_name_key;
use safeconduct_domain::model::*;
use safeconduct_domain::values::*;
use safeconduct_domain::*;
use safeconduct_store::testing::{Backend, TestStore, open_with_test_key, raw_text};
use safeconduct_store::*;

fn at() -> Actor {
    Actor::system(Timestamp(1_800_000_000))
}

/// Personal data that must never be found in clear, each unique to this test.
struct Secrets {
    latin: &'static str,
    native: &'static str,
    phone: &'static str,
    contact: &'static str,
    document: &'static str,
    notes: &'static str,
    birth: &'static str,
    /// Where the household is: latitude and longitude, as they would be written.
    at: (&'static str, &'static str),
}

const SECRETS: [Secrets; 2] = [
    Secrets {
        latin: "Zarghuna Wardakzai",
        native: "زرغونه وردکزی",
        phone: "+93799123456",
        contact: "+93788654321",
        document: "P77331144",
        notes: "hiding near the old bakery",
        birth: "1987-03-14",
        at: ("34.531", "69.147"),
    },
    Secrets {
        latin: "Habibullah Qaderyar",
        native: "حبیب‌الله قادریار",
        phone: "+93766001122",
        contact: "+93755443322",
        document: "T99001234",
        notes: "brother detained at checkpoint nine",
        birth: "1979-11-02",
        at: ("34.557", "69.208"),
    },
];

/// Every form in which a secret could appear in a file.
fn needles() -> Vec<String> {
    let mut out = Vec::new();
    for s in &SECRETS {
        out.extend([
            s.latin.to_string(),
            s.latin.to_uppercase(),
            latin_name_key(s.latin),
            s.latin.split(' ').next().unwrap().to_string(),
            s.native.to_string(),
            s.phone.to_string(),
            s.phone[3..].to_string(),
            s.contact.to_string(),
            s.document.to_string(),
            s.notes.to_string(),
            s.birth.to_string(),
            s.at.0.to_string(),
            s.at.1.to_string(),
        ]);
    }
    out
}

fn household(s: &Secrets) -> NewHousehold {
    NewHousehold::new(
        Some(PhoneNumber::parse(s.contact).unwrap()),
        Language::Pashto,
        None,
        vec![],
        Notes::parse(s.notes).unwrap(),
        vec![NewPerson::new(
            PersonName::new(s.latin, Some(s.native)).unwrap(),
            Some(BirthDate::parse(s.birth).unwrap()),
            CountryCode::parse("AF").ok(),
            Some(PhoneNumber::parse(s.phone).unwrap()),
            Some(Language::Dari),
            vec![NewDocument::new(
                DocumentType::Passport,
                DocumentNumber::parse(s.document).unwrap(),
                CountryCode::parse("AF").ok(),
                Some("2031-01-01".into()),
            )],
        )],
        Timestamp(1_800_000_000),
    )
    .unwrap()
    .located(
        Some(ApproximateLocation::parse(s.at.0.parse().unwrap(), s.at.1.parse().unwrap()).unwrap()),
        TravelNeeds {
            needs_vehicle_access: true,
            cannot_walk_far: false,
        },
    )
}

fn counter() -> impl FnMut() -> CaseReference {
    let mut n = 0u64;
    move || {
        n += 1;
        CaseReference::from_random(n.to_be_bytes())
    }
}

fn register_secrets(store: &dyn Store) -> (OperationId, Vec<Registered>) {
    let op = store.create_operation("Sealed", Timestamp(0)).unwrap().id;
    // A point in Kabul: households' locations must lie within the operation's area.
    store
        .propose_rv(
            op,
            &NewRv {
                name: Text::parse("name", "RV Kart-e Char", 120).unwrap(),
                location: Coordinate::new(34.5281, 69.1723).unwrap(),
                landmark: Text::parse("landmark", "the mosque's side gate", 500).unwrap(),
            },
            Side::CoordinatingAuthority,
            &at(),
        )
        .unwrap();
    let households: Vec<_> = SECRETS.iter().map(household).collect();
    let done = store
        .register_households(op, &households, &mut counter(), &at())
        .unwrap();
    (op, done)
}

/// The bytes of the database's files as they lie on disk. For PostgreSQL, the files of the
/// test database in the server's data directory after a checkpoint (this test runs where the
/// server does), plus a dump of every row of every table.
fn raw_bytes(t: &TestStore) -> Vec<u8> {
    if let Some(path) = t.url.strip_prefix("sqlite:") {
        let mut bytes = Vec::new();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            if let Ok(b) = std::fs::read(format!("{path}{suffix}")) {
                bytes.extend(b);
            }
        }
        assert!(bytes.len() > 4096, "the database file was read");
        return bytes;
    }
    t.raw_exec("CHECKPOINT").unwrap();
    let dir = raw_text(&t.url, "SELECT current_setting('data_directory')");
    let oid = raw_text(
        &t.url,
        "SELECT oid::text FROM pg_database WHERE datname = current_database()",
    );
    let base = std::path::Path::new(&dir[0]).join("base").join(&oid[0]);
    let mut bytes = Vec::new();
    let entries = std::fs::read_dir(&base).unwrap_or_else(|e| {
        panic!(
            "this test reads PostgreSQL's files at {} and must run where the server does: {e}",
            base.display()
        )
    });
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(bytes.len() > 100_000, "the database's files were read");
    for table in raw_text(
        &t.url,
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
    ) {
        for row in raw_text(&t.url, &format!("SELECT t::text FROM {table} t")) {
            bytes.extend(row.into_bytes());
        }
    }
    bytes
}

fn assert_no_secret_in(bytes: &[u8]) {
    for needle in needles() {
        let n = needle.as_bytes();
        assert!(
            !bytes.windows(n.len()).any(|w| w == n),
            "{needle:?} is in the database files in clear"
        );
    }
}

fn a_copy_of_the_database_reveals_no_personal_data(backend: Backend) {
    let t = TestStore::fresh(backend);
    let (op, done) = register_secrets(t.store.as_ref());
    // The store reads everything back, and the hotline and the duplicate check find people.
    let case = t.store.household(op, &done[0].reference).unwrap();
    assert_eq!(case.members[0].name.latin(), SECRETS[0].latin);
    assert_eq!(case.members[0].name.native(), Some(SECRETS[0].native));
    assert_eq!(case.notes.as_ref().unwrap().as_str(), SECRETS[0].notes);
    assert_eq!(
        case.members[0].documents[0].number.as_str(),
        SECRETS[0].document
    );
    let candidates = |probe: MatchProbe| t.store.match_candidates(op, &probe).unwrap();
    for (s, registered) in SECRETS.iter().zip(&done) {
        for phone in [s.phone, s.contact] {
            let found = t
                .store
                .households_by_phone(op, &PhoneNumber::parse(phone).unwrap())
                .unwrap();
            assert_eq!(found.len(), 1, "{phone}");
            assert_eq!(found[0].reference, registered.reference);
        }
        let by_document = candidates(MatchProbe {
            document: Some(DocumentNumber::parse(s.document).unwrap()),
            name_key: "NOBODY".into(),
            birth_year: None,
        });
        assert_eq!(by_document.len(), 1);
        assert_eq!(by_document[0].household, registered.reference);
        let by_name = candidates(MatchProbe {
            document: None,
            name_key: latin_name_key(s.latin),
            birth_year: Some(s.birth[..4].parse().unwrap()),
        });
        assert_eq!(by_name.len(), 1);
        assert_eq!(by_name[0].documents[0].as_str(), s.document);
    }
    let unknown = t
        .store
        .households_by_phone(op, &PhoneNumber::parse("+93700000000").unwrap())
        .unwrap();
    assert!(unknown.is_empty());
    let bytes = raw_bytes(&t);
    // The scan sees the rows: what is stored in clear (a case reference) is found.
    let reference = done[0].reference.as_str().as_bytes();
    assert!(bytes.windows(reference.len()).any(|w| w == reference));
    assert_no_secret_in(&bytes);
}

fn a_sealed_record_moved_to_another_does_not_open(backend: Backend) {
    let t = TestStore::fresh(backend);
    let (op, done) = register_secrets(t.store.as_ref());
    let (a, b) = (done[0].people[0].0, done[1].people[0].0);
    // Someone with write access to the database swaps two people's sealed data.
    t.raw_exec(&format!(
        "UPDATE people SET sealed = (SELECT sealed FROM people WHERE id = {b}) WHERE id = {a}"
    ))
    .unwrap();
    match t.store.household(op, &done[0].reference) {
        Err(StoreError::Internal(m)) => assert!(m.contains("altered or moved"), "{m}"),
        other => panic!("a moved record opened: {other:?}"),
    }
    // The other record is untouched and still opens.
    assert!(t.store.household(op, &done[1].reference).is_ok());
}

fn a_store_opened_with_another_key_file_reads_nothing(backend: Backend) {
    let t = TestStore::fresh(backend);
    let (op, done) = register_secrets(t.store.as_ref());
    let url = t.url.clone();
    let other = std::thread::spawn(move || {
        safeconduct_store::open(&url, Kek::from_bytes(&[0x17; 32])).unwrap()
    })
    .join()
    .unwrap();
    match other.household(op, &done[0].reference) {
        Err(StoreError::Unavailable(m)) => assert!(m.contains("key file"), "{m}"),
        other => panic!("opened with the wrong key: {other:?}"),
    }
    // Counts need no key.
    assert!(
        other
            .accountability(op, safeconduct_domain::values::Timestamp(0))
            .unwrap()
            .ok()
    );
}

fn shredding_leaves_counts_and_the_chain_but_no_personal_data(backend: Backend) {
    let t = TestStore::fresh(backend);
    let (op, done) = register_secrets(t.store.as_ref());
    let store = t.store.as_ref();
    match store.shred_operation(op, &at(), false) {
        Err(StoreError::Conflict(m)) => assert!(m.contains("close it"), "{m}"),
        other => panic!("an open operation was shredded: {other:?}"),
    }
    assert!(store.household(op, &done[0].reference).is_ok());
    let closed = store.close_operation(op, &at()).unwrap();
    assert!(closed.closed_at.is_some());
    match store.register_households(op, &[household(&SECRETS[0])], &mut counter(), &at()) {
        Err(StoreError::Conflict(m)) => assert!(m.contains("closed"), "{m}"),
        other => panic!("a closed operation took a household: {other:?}"),
    }
    let before = store
        .accountability(op, safeconduct_domain::values::Timestamp(0))
        .unwrap();
    let shredded = store.shred_operation(op, &at(), false).unwrap();
    assert!(shredded.shredded_at.is_some());

    // Nothing personal can be read, by lookup, by reference, or as a manifest; even with the
    // key file, since the data key it wrapped is gone.
    assert!(matches!(
        store.household(op, &done[0].reference),
        Err(StoreError::Shredded(o)) if o == op
    ));
    assert!(matches!(
        store.households_by_phone(op, &PhoneNumber::parse(SECRETS[0].phone).unwrap()),
        Err(StoreError::Shredded(_))
    ));
    assert!(matches!(
        store.match_candidates(
            op,
            &MatchProbe {
                document: None,
                name_key: latin_name_key(SECRETS[0].latin),
                birth_year: None
            }
        ),
        Err(StoreError::Shredded(_))
    ));
    assert_eq!(
        raw_text(
            &t.url,
            "SELECT CAST(COUNT(*) AS TEXT) FROM operation_keys WHERE wrapped IS NOT NULL"
        ),
        vec!["0".to_string()]
    );
    let reopened = open_with_test_key(&t.url).unwrap();
    assert!(matches!(
        reopened.household(op, &done[0].reference),
        Err(StoreError::Shredded(_))
    ));
    assert!(matches!(
        store.shred_operation(op, &at(), false),
        Err(StoreError::Shredded(_))
    ));

    // Counts, events and the audit chain remain and verify.
    let after = store
        .accountability(op, safeconduct_domain::values::Timestamp(0))
        .unwrap();
    assert_eq!(before, after);
    assert!(after.ok());
    assert_eq!(after.registered_people, 2);
    assert_eq!(store.case_events(op, &done[0].reference).unwrap().len(), 1);
    let chain = store.verify_audit().unwrap();
    assert!(chain.first_break.is_none(), "{:?}", chain.first_break);
    let actions: Vec<String> = store
        .audit_entries(0, 1000)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e.action)
        .collect();
    assert!(actions.contains(&"operation_closed".to_string()));
    assert!(actions.contains(&"operation_shredded".to_string()));
    assert_no_secret_in(&raw_bytes(&t));
}

fn a_database_written_in_clear_is_sealed_when_opened(backend: Backend) {
    use safeconduct_store::testing::raw_exec;
    let (url, _guard) = TestStore::empty_url(backend);
    // The schema before personal data was sealed (migration 7).
    safeconduct_store::testing::schema_through(backend, &url, 6);
    // Rows as the store wrote them before personal data was sealed.
    let reference = CaseReference::from_random(*b"clearone");
    let mut sql = format!(
        "INSERT INTO operations (id, name, created_at) VALUES (1, 'Before sealing', 0);
         INSERT INTO households (id, operation_id, reference, stage, size, contact_phone, language,
                                 notes, registered_at, updated_at)
         VALUES (1, 1, '{reference}', 'registered', {size}, '{contact}', 'ps', '{notes}', 0, 0);",
        reference = reference.as_str(),
        size = SECRETS.len(),
        contact = SECRETS[0].contact,
        notes = SECRETS[0].notes,
    );
    for (i, s) in SECRETS.iter().enumerate() {
        let id = i + 1;
        sql += &format!(
            "INSERT INTO people (id, household_id, operation_id, name_latin, name_native, name_key,
                                 birth_date, birth_year, nationality, phone, language)
             VALUES ({id}, 1, 1, '{latin}', '{native}', '{key}', '{birth}', {year}, 'AF', '{phone}', 'prs');
             INSERT INTO documents (id, person_id, operation_id, doc_type, number, issuing_country, expiry)
             VALUES ({id}, {id}, 1, 'passport', '{document}', 'AF', NULL);",
            latin = s.latin,
            native = s.native,
            key = latin_name_key(s.latin),
            birth = s.birth,
            year = &s.birth[..4],
            phone = s.phone,
            document = s.document,
        );
    }
    if backend == Backend::Postgres {
        // Rows inserted with explicit ids, as the old store's identity columns would have
        // numbered them.
        for table in ["operations", "households", "people", "documents"] {
            sql += &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}));"
            );
        }
    }
    raw_exec(&url, &sql).unwrap();

    let opened = open_with_test_key(&url).unwrap();
    let op = OperationId(1);
    let case = opened.household(op, &reference).unwrap();
    assert_eq!(case.members.len(), 2);
    assert_eq!(case.members[1].name.latin(), SECRETS[1].latin);
    assert_eq!(
        case.members[1].documents[0].number.as_str(),
        SECRETS[1].document
    );
    assert_eq!(case.notes.as_ref().unwrap().as_str(), SECRETS[0].notes);
    for phone in [SECRETS[0].contact, SECRETS[1].phone] {
        let found = opened
            .households_by_phone(op, &PhoneNumber::parse(phone).unwrap())
            .unwrap();
        assert_eq!(found.len(), 1, "{phone}");
    }
    // New households go on after the old ones (this operation has no place: no location).
    let unlocated = household(&SECRETS[1]).located(None, TravelNeeds::default());
    let more = opened
        .register_households(op, &[unlocated], &mut counter(), &at())
        .unwrap();
    assert_eq!(more[0].people[0].0, 3);
    drop(opened);
    let t = TestStore::over(url.clone());
    assert_no_secret_in(&raw_bytes(&t));
}

on_both_backends!(
    a_database_written_in_clear_is_sealed_when_opened,
    a_copy_of_the_database_reveals_no_personal_data,
    a_sealed_record_moved_to_another_does_not_open,
    a_store_opened_with_another_key_file_reads_nothing,
    shredding_leaves_counts_and_the_chain_but_no_personal_data,
);
