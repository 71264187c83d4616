//! A first-time user imports a volunteer list typed by hand: one row has an unquoted comma in
//! its notes (one field too many), one lost a field, one name hides a right-to-left override.
//! Each such row is refused in the report with its line and what is wrong (the field counts,
//! the field), and only the sound rows are registered.

mod common;

use common::{run, stderr, stdout};

const LIST: &str = "\
Full name,Phone,Passport no.,Household ref,Category,Year of birth,Location,Notes
Karim Jalali,0759080662,P22986303,HH-1,At risk,1989,PD13,insulin
Sadia Rahimi,0712567520,P22986304,HH-2,US citizen,2011,PD4,wheelchair, needs help at the gate
Omid Noori,0712567521,P22986305,HH-3,SIV,1975,PD6
Laila \u{202E}imaR,0712567522,P22986306,HH-4,SIV,1980,PD7,
Farid Safi,0712567523,P22986307,HH-5,SIV,1982,PD8,\"medical, elderly\"
";

/// Imports `file` into operation 1 of the data in `dir`: what it printed, and its full report.
fn import(dir: &std::path::Path, file: &std::path::Path) -> (String, String) {
    let report = dir.join("report.txt");
    let out = run(
        &[
            "import",
            file.to_str().unwrap(),
            "--operation",
            "1",
            "--report",
            report.to_str().unwrap(),
        ],
        dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    (stdout(&out), std::fs::read_to_string(&report).unwrap())
}

/// Imports `list` into a new operation: what it printed, and its full report.
fn import_into_a_new_operation(list: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(&["operation", "create", "Import test"], dir.path())
            .status
            .success()
    );
    let file = dir.path().join("list.csv");
    std::fs::write(&file, list).unwrap();
    import(dir.path(), &file)
}

#[test]
fn rows_with_the_wrong_number_of_fields_are_refused_with_their_counts() {
    let (text, full) = import_into_a_new_operation(LIST);
    assert!(
        text.contains("registered 2 people in 2 households"),
        "{text}"
    );
    assert!(text.contains("3 refused"), "{text}");
    assert!(
        full.contains("refused  line 3: line 3 has 9 fields, the header has 8"),
        "{full}"
    );
    assert!(
        full.contains("refused  line 4: line 4 has 7 fields, the header has 8"),
        "{full}"
    );
    assert!(
        full.contains("refused  line 5: name: must not contain a right-to-left override"),
        "{full}"
    );
    // The quoted comma is a value, not a separator: line 6 is registered.
    assert!(full.contains("lines 6"), "{full}");
    assert!(!full.contains("Rahimi"), "the report names no one: {full}");
}

/// A year of birth still to come (a typing slip: 2035 for 2003) refuses its household whole,
/// with the reason and its lines; the other households of the list are registered.
#[test]
fn a_household_with_a_member_born_in_the_future_is_refused_and_the_rest_registered() {
    let (text, full) = import_into_a_new_operation(
        "\
Full name,Phone,Passport no.,Household ref,Year of birth
Karim Jalali,0759080662,P22986303,HH-1,1989
Sadia Jalali,0759080663,P22986304,HH-1,2035
Omid Noori,0712567521,P22986305,HH-2,1975
",
    );
    assert!(
        text.contains("registered 1 people in 1 households"),
        "{text}"
    );
    assert!(
        full.contains(
            "refused  line 2: the household of lines 2, 3: line 3: birth_date: must not be in the future"
        ),
        "{full}"
    );
    assert!(full.contains("lines 4"), "{full}");
}

/// A list with coordinates, needs and languages, imported into the demo's operation (its
/// places are in central Helsinki): rows near them are registered with their location and
/// needs (sealed, read back through the store); a household placed in Kabul, outside the
/// operation's area, is refused whole with the reason; a malformed coordinate refuses its row.
#[test]
fn locations_needs_and_languages_are_imported_and_a_place_outside_the_area_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = common::seed_demo(dir.path(), "10");
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let file = dir.path().join("list.csv");
    std::fs::write(
        &file,
        "\
Full name,Phone,Passport no.,Household ref,Latitude,Longitude,Needs,Language,Notes
Karim Jalali,0759080662,P22986303,HH-1,60.16841,24.94122,,Pashto,
Sadia Jalali,0759080663,P22986304,HH-1,,,wheelchair,,
Omid Noori,0712567521,P22986305,HH-2,34.5281,69.1723,,,
Farid Safi,0712567523,P22986307,HH-3,60.17,north,,,
Laila Amiri,0712567524,P22986308,HH-4,,,,Dari,cannot walk far
",
    )
    .unwrap();
    let (text, full) = import(dir.path(), &file);
    assert!(
        text.contains("registered 3 people in 2 households"),
        "{text}"
    );
    assert!(
        full.contains(
            "refused  line 4: the household of lines 4: location: is outside the operation's area"
        ),
        "{full}"
    );
    assert!(
        full.contains("refused  line 5: location: expected a latitude and a longitude"),
        "{full}"
    );
    assert!(
        !full.contains("69.17"),
        "the report repeats no location: {full}"
    );

    // What was stored, read through the store with the key file.
    let references: Vec<String> = full
        .lines()
        .filter_map(|l| l.strip_prefix("case     "))
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(references.len(), 2, "{full}");
    let kek = safeconduct_keys::keyfile::load_or_create(&dir.path().join("key.hex")).unwrap();
    let url = format!(
        "sqlite:{}",
        dir.path().join("safeconduct.sqlite3").display()
    );
    let store = safeconduct_store::open(&url, kek).unwrap();
    let op = safeconduct_domain::OperationId(1);
    let mut found = Vec::new();
    for r in &references {
        let reference = safeconduct_domain::CaseReference::parse(r).unwrap();
        found.push(store.household(op, &reference).unwrap());
    }
    found.sort_by_key(|h| h.members.len());
    let (laila, jalali) = (&found[0], &found[1]);
    let at = jalali.location.expect("the Jalalis' location");
    assert_eq!((at.lat(), at.lon()), (60.168, 24.941));
    assert!(jalali.needs.needs_vehicle_access && jalali.needs.cannot_walk_far);
    assert_eq!(
        jalali.language,
        safeconduct_domain::values::Language::Pashto
    );
    assert_eq!(laila.location, None);
    assert!(laila.needs.cannot_walk_far && !laila.needs.needs_vehicle_access);
    assert_eq!(laila.language, safeconduct_domain::values::Language::Dari);
}
