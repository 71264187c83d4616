//! `safeconduct plan`: a generated instance solved into a plan file whose figures add up and
//! whose every hard constraint holds when recomputed here from the two JSON files alone;
//! a re-plan after an RV is suspended sends nobody there; bad input is refused by name.

mod common;

use common::{bin, explains_itself, stderr, stdout};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

fn plan(args: &[&str], dir: &Path) -> std::process::Output {
    bin()
        .current_dir(dir)
        .arg("plan")
        .args(args)
        .output()
        .unwrap()
}

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

/// Recomputes the hard constraints of `plan` over `instance` from the files: each household
/// once, windows and batches within capacity, nobody at a suspended RV, vehicle needs met.
fn assert_hard_constraints_hold(instance: &Value, plan: &Value) {
    let households: HashMap<i64, &Value> = instance["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (int(&h["id"]), h))
        .collect();
    let windows: HashMap<i64, &Value> = instance["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (int(&w["id"]), w))
        .collect();
    let rvs: HashMap<i64, &Value> = instance["rvs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (int(&r["id"]), r))
        .collect();
    let batch_size = int(&instance["settings"]["batch_size"]);
    let mut seen: HashMap<i64, u32> = HashMap::new();
    let mut window_people: HashMap<i64, i64> = HashMap::new();
    let mut batch_people: HashMap<(i64, i64), i64> = HashMap::new();
    for a in plan["assignments"].as_array().unwrap() {
        let h = households[&int(&a["household"])];
        let w = windows[&int(&a["window"])];
        let rv = rvs[&int(&w["rv"])];
        assert_eq!(rv["status"], "active", "{a}");
        if h["needs_vehicle_access"] == true {
            assert_eq!(rv["vehicle_access"], true, "{a}");
        }
        *seen.entry(int(&h["id"])).or_default() += 1;
        *window_people.entry(int(&w["id"])).or_default() += int(&h["size"]);
        *batch_people
            .entry((int(&w["id"]), int(&a["batch"])))
            .or_default() += int(&h["size"]);
    }
    for u in plan["unplaced"].as_array().unwrap() {
        assert!(u["reason"].is_string(), "{u}");
        *seen.entry(int(&u["household"])).or_default() += 1;
    }
    assert_eq!(
        seen.len(),
        households.len(),
        "every household is in the plan"
    );
    assert!(seen.values().all(|&n| n == 1), "no household twice");
    for (w, people) in &window_people {
        assert!(
            *people <= int(&windows[w]["capacity"]),
            "window {w} over capacity"
        );
    }
    for ((w, b), people) in &batch_people {
        assert!(
            *people <= batch_size,
            "window {w} batch {b} over {batch_size}"
        );
    }
}

#[test]
fn a_generated_instance_is_planned_within_every_hard_constraint_and_replanned_around_a_suspended_rv()
 {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = plan(
        &[
            "generate",
            "--people",
            "2000",
            "--windows",
            "48",
            "--seed",
            "7",
            "--output",
            "instance.json",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = plan(
        &["solve", "--input", "instance.json", "--output", "plan.json"],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("households placed"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("planning"),
        "progress on stderr: {}",
        stderr(&out)
    );

    let instance = read(&d.join("instance.json"));
    let p = read(&d.join("plan.json"));
    assert_hard_constraints_hold(&instance, &p);
    let objective = &p["objective"];
    let (value, bound, gap) = (
        objective["value"].as_f64().unwrap(),
        objective["bound"].as_f64().unwrap(),
        objective["gap"].as_f64().unwrap(),
    );
    assert!(value > 0.0 && bound >= value, "{objective}");
    assert!(((bound - value) / bound - gap).abs() < 1e-9, "{objective}");
    assert!(gap <= 0.005, "gap {gap} over 0.5%");
    let placed: u64 = p["figures"]["people_placed"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    let unplaced: u64 = p["figures"]["people_unplaced"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(placed + unplaced, 2000);

    let out = plan(
        &[
            "replan",
            "--input",
            "instance.json",
            "--previous",
            "plan.json",
            "--suspend-rv",
            "1",
            "--output",
            "replan.json",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let r = read(&d.join("replan.json"));
    let mut changed = instance.clone();
    changed["rvs"][0]["status"] = "suspended".into();
    assert_hard_constraints_hold(&changed, &r);
    assert!(int(&r["moved"]) > 0, "households of RV 1 moved");
}

/// A change that makes an instance invalid.
type Spoil = fn(&mut Value);

#[test]
fn bad_instances_are_refused_naming_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = plan(
        &[
            "generate",
            "--people",
            "100",
            "--windows",
            "4",
            "--output",
            "i.json",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let good = read(&d.join("i.json"));
    let cases: [(&str, Spoil); 3] = [
        ("window 2: capacity -5", |v| {
            v["windows"][1]["capacity"] = (-5).into()
        }),
        ("window 1: unknown rv 99", |v| {
            v["windows"][0]["rv"] = 99.into()
        }),
        ("household 3: size 13", |v| {
            v["households"][2]["size"] = 13.into()
        }),
    ];
    for (expected, spoil) in cases {
        let mut bad = good.clone();
        spoil(&mut bad);
        std::fs::write(d.join("bad.json"), bad.to_string()).unwrap();
        let out = plan(&["solve", "--input", "bad.json", "--output", "p.json"], d);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains(expected),
            "{expected}: {}",
            stderr(&out)
        );
    }
    let out = plan(
        &["solve", "--input", "missing.json", "--output", "p.json"],
        d,
    );
    assert!(
        stderr(&out).contains("opening missing.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn plan_commands_explain_themselves() {
    assert!(explains_itself(&["plan", "--help"]).contains("generate"));
    assert!(explains_itself(&["plan", "solve", "--help"]).contains("--input"));
    assert!(explains_itself(&["plan", "generate", "--help"]).contains("--seed"));
}

/// The demo's operation exported as an instance: the file plans within every hard
/// constraint, names households by id only (no reference or name), and the export is in the
/// audit chain.
#[test]
fn an_operation_is_exported_as_an_instance_that_plans_and_the_export_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = common::seed_demo(dir.path(), "300");
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let data = dir.path().to_str().unwrap();
    let out = plan(
        &[
            "export",
            "--operation",
            "1",
            "--output",
            "instance.json",
            "--data",
            data,
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("exported"), "{}", stdout(&out));
    let text = std::fs::read_to_string(dir.path().join("instance.json")).unwrap();
    let instance: Value = serde_json::from_str(&text).unwrap();
    assert!(
        !instance["households"].as_array().unwrap().is_empty(),
        "{text}"
    );
    assert!(!instance["rvs"].as_array().unwrap().is_empty());
    assert!(
        !text.contains("reference") && !text.contains("name"),
        "ids only"
    );
    let out = plan(
        &["solve", "--input", "instance.json", "--output", "plan.json"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_hard_constraints_hold(&instance, &read(&dir.path().join("plan.json")));

    // The export's entry is in the chain, which still verifies.
    let kek = safeconduct_keys::keyfile::load_or_create(&dir.path().join("key.hex")).unwrap();
    let url = format!(
        "sqlite:{}",
        dir.path().join("safeconduct.sqlite3").display()
    );
    let store = safeconduct_store::open(&url, kek).unwrap();
    let entries = store.audit_entries(0, 100_000).unwrap();
    assert!(
        entries
            .iter()
            .any(|(_, e)| e.action == "plan_instance_exported"
                && e.operation == Some(safeconduct_domain::OperationId(1))),
        "no audit entry for the export"
    );
    assert!(
        store.verify_audit().unwrap().first_break.is_none(),
        "the chain verifies"
    );
}
