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

#[test]
fn rows_with_the_wrong_number_of_fields_are_refused_with_their_counts() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(&["operation", "create", "Import test"], dir.path())
            .status
            .success()
    );
    let file = dir.path().join("list.csv");
    std::fs::write(&file, LIST).unwrap();
    let report = dir.path().join("report.txt");
    let out = run(
        &[
            "import",
            file.to_str().unwrap(),
            "--operation",
            "1",
            "--report",
            report.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("registered 2 people in 2 households"),
        "{text}"
    );
    assert!(text.contains("3 refused"), "{text}");
    let full = std::fs::read_to_string(&report).unwrap();
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
