//! At the command line: a shred is refused while people are still in escort, unless forced
//! with a stated reason; after it, the field kit cannot be written again from the database
//! and the key file, and the command says why.

mod common;

use common::{run, seed_demo, stderr, stdout, text};

#[test]
fn shred_waits_for_people_in_escort_and_leaves_no_field_kit() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed_demo(dir.path(), "200");
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let data = dir.path();
    let name = stdout(&run(&["operation", "list"], data))
        .lines()
        .next()
        .and_then(|l| l.split('\t').nth(1))
        .unwrap()
        .to_string();
    let kit = dir.path().join("kit.json");
    let kit_arg = kit.to_str().unwrap();
    let write_kit = || {
        run(
            &[
                "pass",
                "kit",
                "--operation",
                "1",
                "--tier",
                "checkpoint",
                "--rv",
                "1",
                "--out",
                kit_arg,
            ],
            data,
        )
    };
    assert!(write_kit().status.success(), "a kit is written before");
    std::fs::remove_file(&kit).unwrap();
    assert!(run(&["operation", "close", "1"], data).status.success());

    let shred = ["operation", "shred", "1", "--confirm", &name];
    let refused = run(&shred, data);
    assert!(!refused.status.success());
    let why = stderr(&refused);
    assert!(why.contains("people in escort"), "{why}");
    assert!(why.contains("--force-with-reason"), "{why}");
    assert!(
        stdout(&run(&["operation", "list"], data)).contains("\tclosed"),
        "nothing was shredded"
    );
    let forced_with = |reason: &str| {
        let args = [shred.as_slice(), &["--force-with-reason", reason]].concat();
        run(&args, data)
    };
    let blank = forced_with("  ");
    assert!(!blank.status.success(), "a blank reason is no reason");
    assert!(
        stderr(&blank).contains("--force-with-reason"),
        "{}",
        text(&blank)
    );

    let forced = forced_with("the airfield is being evacuated; records must not be captured");
    assert!(forced.status.success(), "{}", text(&forced));

    let after = write_kit();
    assert!(!after.status.success(), "a kit after the shred");
    assert!(stderr(&after).contains("was shredded"), "{}", text(&after));
    assert!(!kit.exists(), "no kit file was written");
    let verified = run(&["audit", "verify"], data);
    assert!(verified.status.success(), "{}", text(&verified));
}
