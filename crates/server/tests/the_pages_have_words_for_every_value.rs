//! The pages show the API's values (a stage, an incident's kind, a role, a hazard's kind…) in
//! words, each by a message named after the value (`dashboard-stage-in_escort`). A value
//! without its message shows as the message's name; a stage missing from the dashboard's
//! lists of stages leaves its households out of the funnel, which then no longer adds up to
//! the totals. The values come from the enums' own definitions, so a new variant is checked
//! without anyone adding it here.

use safeconduct_domain::field::CustodyOutcome;
use safeconduct_domain::hotline::{MessageKind, MessageStatus};
use safeconduct_domain::model::{GateStatus, HazardKind, PriorityFlag, RvStatus, Severity};
use safeconduct_domain::scan::IncidentKind;
use safeconduct_domain::schema::values;
use safeconduct_domain::values::Language;
use safeconduct_domain::{Role, Stage};
use safeconduct_plan::wire::PriorityClass;
use safeconduct_server::api::hotline::WorklistReasonOut;

fn missing(prefix: &str, values: &[String], dashes: bool) -> Vec<String> {
    values
        .iter()
        .map(|v| {
            let v = if dashes {
                v.replace('_', "-")
            } else {
                v.clone()
            };
            format!("{prefix}{v}")
        })
        .filter(|id| !safeconduct_i18n::has(Language::English, id))
        .collect()
}

fn texts(values: impl IntoIterator<Item = &'static str>) -> Vec<String> {
    values.into_iter().map(str::to_string).collect()
}

#[test]
fn every_value_a_page_shows_in_words_has_its_message() {
    let stages = texts(Stage::ALL.map(Stage::as_str));
    let rv_statuses = values::<RvStatus>();
    let gate_statuses = values::<GateStatus>();
    // (message prefix, the values the API sends, whether the page writes `_` as `-`)
    let checks: Vec<(&str, Vec<String>, bool)> = vec![
        ("dashboard-stage-", stages.clone(), false),
        ("hotline-stage-", stages, false),
        ("dashboard-incident-", values::<IncidentKind>(), false),
        ("dashboard-priority-", values::<PriorityFlag>(), false),
        ("dashboard-outcome-", values::<CustodyOutcome>(), false),
        ("common-role-", texts(Role::ALL.map(Role::as_str)), false),
        ("map-hazard-", values::<HazardKind>(), false),
        ("map-severity-", values::<Severity>(), false),
        ("map-status-", rv_statuses.clone(), false),
        ("map-status-", gate_statuses.clone(), false),
        ("map-gate-to-", gate_statuses, false),
        ("hotline-rv-", rv_statuses, false),
        ("hotline-kind-", values::<MessageKind>(), false),
        ("hotline-status-", values::<MessageStatus>(), false),
        ("hotline-why-", values::<WorklistReasonOut>(), false),
        (
            "plan-class-",
            texts(PriorityClass::ALL.map(PriorityClass::as_str)),
            true,
        ),
    ];
    let missing: Vec<String> = checks
        .iter()
        .flat_map(|(prefix, values, dashes)| missing(prefix, values, *dashes))
        .collect();
    assert!(missing.is_empty(), "no English message for {missing:?}");
}

/// The quoted strings of the array `const NAME = [ … ];` of a script.
fn array(script: &str, name: &str) -> Vec<String> {
    let start = script
        .find(&format!("const {name} = ["))
        .unwrap_or_else(|| panic!("no array {name}"));
    let body = &script[start..];
    let body = &body[body.find('[').unwrap() + 1..body.find("];").unwrap()];
    body.split(',')
        .map(|item| item.trim().trim_matches('"').to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

#[test]
fn the_pages_lists_of_values_hold_every_value_once() {
    let cases = include_str!("../assets/dashboard-cases.js");
    let mut shown = array(cases, "MAIN_STAGES");
    shown.extend(array(cases, "SIDE_STAGES"));
    let mut stages = texts(Stage::ALL.map(Stage::as_str));
    shown.sort();
    stages.sort();
    assert_eq!(shown, stages, "the dashboard's stages");

    let dashboard = include_str!("../assets/dashboard.js");
    let mut outcomes = array(dashboard, "OUTCOMES");
    let mut expected = values::<CustodyOutcome>();
    outcomes.sort();
    expected.sort();
    assert_eq!(outcomes, expected, "the dashboard's custody outcomes");

    let plan = include_str!("../assets/plan.js");
    assert_eq!(
        array(plan, "CLASSES"),
        texts(PriorityClass::ALL.map(PriorityClass::as_str)),
        "the plan page's classes, highest first"
    );
}
