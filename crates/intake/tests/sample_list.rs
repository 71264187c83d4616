//! Duplicate detection scored against the ground truth of a messy sample list (2,161 rows,
//! 2,000 people, 161 duplicate pairs; see tests/data/README.md).

use safeconduct_intake::{plan, read_rows};
use std::collections::HashSet;

fn truth() -> (usize, usize, HashSet<(u64, u64)>) {
    let text = include_str!("data/sample-volunteer-list.truth.json");
    let v: serde_json::Value = serde_json::from_str(text).expect("truth file is JSON");
    let pairs = v["duplicate_pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| {
            let a = p[0].as_u64().unwrap();
            let b = p[1].as_u64().unwrap();
            (a.min(b), a.max(b))
        })
        .collect();
    (
        v["people"].as_u64().unwrap() as usize,
        v["households"].as_u64().unwrap() as usize,
        pairs,
    )
}

#[test]
fn duplicate_detection_reaches_precision_and_recall_targets_on_the_sample_list() {
    let file = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sample-volunteer-list.csv"
    ))
    .unwrap();
    let (rows, refusals) = read_rows(file).unwrap();
    assert!(refusals.is_empty(), "refused: {refusals:?}");
    assert_eq!(rows.len(), 2161);
    let plan = plan(rows, refusals, &mut |_| Vec::new());
    let (people, households, truth) = truth();
    let found: HashSet<(u64, u64)> = plan.merged_pairs().into_iter().collect();
    let true_positives = found.intersection(&truth).count();
    let precision = true_positives as f64 / found.len() as f64;
    let recall = true_positives as f64 / truth.len() as f64;
    println!(
        "pairs found {}, true {}, precision {precision:.4}, recall {recall:.4}, people {}, households {}",
        found.len(),
        truth.len(),
        plan.people(),
        plan.households.len()
    );
    assert!(precision >= 0.98, "precision {precision}");
    assert!(recall >= 0.95, "recall {recall}");
    // Every person is kept once: no one lost, no one doubled beyond the missed pairs.
    let missed = truth.len() - true_positives;
    assert_eq!(plan.people(), people + missed);
    // Households: every reference in the file is one household; rows without a reference
    // join by a shared phone, and those left alone are listed for review, never guessed.
    assert!(
        plan.households.len() >= households - 5,
        "households {}",
        plan.households.len()
    );
    let loners = plan
        .households
        .iter()
        .filter(|h| !h.key.starts_with("household "))
        .count();
    let flagged = plan
        .reviews
        .iter()
        .filter(|r| r.reason.starts_with("no household reference"))
        .count();
    assert_eq!(loners, flagged);
}

#[test]
fn phone_numbers_in_every_typed_form_normalise_to_e164() {
    let csv = "Full name,Phone\nA One,0759080662\nB Two,+93-712-567520\nC Three,0093 768 376 396\nD Four,۰۷۶۲۹۶۵۸۷۱\n";
    let (rows, refusals) = read_rows(csv.as_bytes()).unwrap();
    assert!(refusals.is_empty());
    let phones: Vec<&str> = rows
        .iter()
        .map(|r| r.phone.as_ref().unwrap().as_str())
        .collect();
    assert_eq!(
        phones,
        [
            "+93759080662",
            "+93712567520",
            "+93768376396",
            "+93762965871"
        ]
    );
}

#[test]
fn bad_rows_are_refused_with_the_line_and_the_reason() {
    let csv = "Full name,Phone,Year of birth\n,0700000000,1990\nGood Person,07000000001234567,1990\nOk Person,0700111222,19x0\nFine Person,0700111333,1990\n";
    let (rows, refusals) = read_rows(csv.as_bytes()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(refusals.len(), 3);
    assert_eq!(refusals[0].line, 2);
    assert!(refusals[0].reason.contains("name"), "{:?}", refusals[0]);
    assert!(refusals[1].reason.contains("phone"), "{:?}", refusals[1]);
    assert!(
        refusals[2].reason.contains("birth_date"),
        "{:?}",
        refusals[2]
    );
}

#[test]
fn a_file_without_a_name_column_is_an_error_naming_the_columns_found() {
    let err = read_rows("Phone,Notes\n0700111222,x\n".as_bytes()).unwrap_err();
    assert!(err.to_string().contains("Phone, Notes"), "{err}");
}

#[test]
fn a_shared_phone_alone_does_not_merge_household_members() {
    let csv = "Full name,Phone,Passport or Tazkira no.,Household ref,Year of birth\n\
               Najib Safi,0701815908,1401-5662-60566,HH-1,1985\n\
               Karim Safi,0701815908,531262237,,1995\n";
    let (rows, refusals) = read_rows(csv.as_bytes()).unwrap();
    let plan = plan(rows, refusals, &mut |_| Vec::new());
    assert!(plan.merged_pairs().is_empty());
    assert_eq!(
        plan.households.len(),
        1,
        "Karim joins Najib's household by the shared phone"
    );
    assert_eq!(plan.people(), 2);
}

#[test]
fn a_person_already_registered_is_not_registered_again() {
    let csv = "Full name,Phone,Passport or Tazkira no.,Year of birth\nMuhammad Safi,0797 114 710,1398-6140-54580,1979\n";
    let (rows, refusals) = read_rows(csv.as_bytes()).unwrap();
    let plan = plan(rows, refusals, &mut |probe| {
        assert_eq!(probe.document.as_ref().unwrap().as_str(), "1398614054580");
        vec![safeconduct_intake::Known {
            reference: "ABCD-EFGH".into(),
            name_key: safeconduct_domain::matching::latin_name_key("Mohammad Safi"),
            birth_year: Some(1979),
            phone: None,
            documents: vec![
                safeconduct_domain::values::DocumentNumber::parse("1398-6140-54580").unwrap(),
            ],
        }]
    });
    assert_eq!(plan.people(), 0);
    assert!(matches!(
        &plan.decisions[0],
        safeconduct_intake::Decision::AlreadyRegistered { reference, .. } if reference == "ABCD-EFGH"
    ));
}
