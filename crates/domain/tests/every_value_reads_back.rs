//! Every value of an enum the store keeps as text reads back as itself. The values come from
//! the enum's own definition (its JSON schema, which the compiler derives), not from a list kept
//! by hand: a variant added to an enum and forgotten in its `parse` or its `ALL` fails here,
//! instead of making the rows that hold it unreadable. (Enums the store reads through serde
//! read every variant by derivation and need no test.)

use safeconduct_domain::model::{
    DocumentType, EligibilityCategory, GateKind, GateStatus, PriorityFlag, RvStatus,
};
use safeconduct_domain::scan::IncidentKind;
use safeconduct_domain::{Role, Stage, Step};
use std::fmt::Debug;
use std::str::FromStr;

fn type_name<T>() -> &'static str {
    std::any::type_name::<T>()
}

/// Each value parses to a variant whose text is that value, and `all`, where the enum keeps a
/// list of every variant, holds each once.
fn reads_back<T: schemars::JsonSchema + Copy + PartialEq + Debug>(
    parse: impl Fn(&str) -> Option<T>,
    text: impl Fn(T) -> &'static str,
    all: Option<&[T]>,
) {
    let name = type_name::<T>();
    let values = safeconduct_domain::schema::values::<T>();
    assert!(values.len() >= 2, "{name}: {values:?}");
    for value in &values {
        let parsed = parse(value).unwrap_or_else(|| panic!("{name} does not read {value:?}"));
        assert_eq!(text(parsed), value, "{name}");
        if let Some(all) = all {
            assert!(
                all.contains(&parsed),
                "{name}: {parsed:?} is not in its list of every value"
            );
        }
    }
    if let Some(all) = all {
        assert_eq!(all.len(), values.len(), "{name}: {all:?}");
    }
    assert!(parse("no such value").is_none(), "{name}");
}

#[test]
fn every_value_of_every_enum_kept_as_text_reads_back_as_itself() {
    reads_back(|s| Role::from_str(s).ok(), Role::as_str, Some(&Role::ALL));
    reads_back(Stage::parse, Stage::as_str, Some(&Stage::ALL));
    reads_back(
        |s| Step::ALL.into_iter().find(|step| step.as_str() == s),
        Step::as_str,
        Some(&Step::ALL),
    );
    reads_back(
        EligibilityCategory::parse,
        EligibilityCategory::as_str,
        Some(&EligibilityCategory::ALL),
    );
    reads_back(
        PriorityFlag::parse,
        PriorityFlag::as_str,
        Some(&PriorityFlag::ALL),
    );
    reads_back(
        |s| IncidentKind::from_str(s).ok(),
        IncidentKind::as_str,
        None,
    );
    reads_back(RvStatus::parse, RvStatus::as_str, None);
    reads_back(GateStatus::parse, GateStatus::as_str, None);
    reads_back(GateKind::parse, GateKind::as_str, None);
    reads_back(DocumentType::parse, DocumentType::as_str, None);
}
