//! `safeconduct pass …` as a coordinator and a checkpoint use it: issue a pass with its QR
//! image, write a field kit, verify offline from the text and from the image, rotate a
//! compromised key and see the old pass refused.

use safeconduct_domain::model::*;
use safeconduct_domain::values::*;
use safeconduct_domain::*;
use safeconduct_store::*;
mod common;

use common::{explains_itself, run, text};
use std::path::Path;

/// An operation with one household assigned to a window that is open now; returns its
/// reference and RV.
fn assigned_household(data: &Path) -> (CaseReference, RvId) {
    std::fs::create_dir_all(data).unwrap();
    testing::write_test_key_file(&data.join("key.hex"));
    let store = open(
        &format!("sqlite:{}", data.join("safeconduct.sqlite3").display()),
        testing::test_kek(),
    )
    .unwrap();
    let now = Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    let actor = Actor::system(now);
    let op = store.create_operation("Pass test", now).unwrap().id;
    let rv = store
        .propose_rv(
            op,
            &NewRv {
                name: Text::parse("name", "RV Alpha", 100).unwrap(),
                location: Coordinate::new(60.165, 24.939).unwrap(),
                landmark: Text::parse("landmark", "blue doors", 100).unwrap(),
            },
            Side::CoordinatingAuthority,
            &actor,
        )
        .unwrap()
        .id;
    store
        .change_rv(op, rv, RvChange::Accept(Side::EscortParty), &actor)
        .unwrap();
    store.change_rv(op, rv, RvChange::Activate, &actor).unwrap();
    let window = store
        .create_window(
            op,
            rv,
            WindowSpec::new(Timestamp(now.0 - 600), Timestamp(now.0 + 3600), 10).unwrap(),
            &actor,
        )
        .unwrap()
        .id;
    let household = NewHousehold::new(
        None,
        Language::Ukrainian,
        None,
        vec![],
        None,
        vec![NewPerson::new(
            PersonName::new("Olena Kovalenko", None).unwrap(),
            Some(BirthDate::from_year(1981).unwrap()),
            None,
            None,
            None,
            vec![NewDocument::new(
                DocumentType::Passport,
                DocumentNumber::parse("FA123456").unwrap(),
                None,
                None,
            )],
        )],
        now,
    )
    .unwrap();
    let reference = store
        .register_households(
            op,
            &[household],
            &mut safeconduct_store::testing::numbered_references(),
            &actor,
        )
        .unwrap()[0]
        .reference
        .clone();
    safeconduct_store::testing::assign_eligible(&*store, op, &reference, window, &actor);
    (reference, rv)
}

#[test]
fn a_pass_is_issued_verified_offline_from_text_and_image_and_refused_after_a_compromise() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (reference, rv) = assigned_household(data);
    let png = data.join("pass.png");
    let kit = data.join("escort-kit.json");
    let (rv, png_arg, kit_arg) = (
        rv.0.to_string(),
        png.to_str().unwrap(),
        kit.to_str().unwrap(),
    );

    let issue = |extra: &[&str]| {
        let mut args = vec![
            "pass",
            "issue",
            "--operation",
            "1",
            "--case",
            reference.as_str(),
        ];
        args.extend_from_slice(extra);
        run(&args, data)
    };
    let out = issue(&["--png", png_arg]);
    assert!(out.status.success(), "{}", text(&out));
    let pass = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(pass.starts_with("SC2:"), "{pass}");

    // An escort device's field kit for its RV, written (again) from the store. A kit names the
    // places of the device it is for.
    let kit_for = |places: &[&str]| {
        let mut args = vec!["pass", "kit", "--operation", "1", "--out", kit_arg];
        args.extend_from_slice(places);
        run(&args, data)
    };
    let write_kit = || {
        let out = kit_for(&["--tier", "checkpoint", "--rv", rv.as_str()]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(
            text(&out).contains(&format!("rendezvous point(s) {rv}")),
            "{}",
            text(&out)
        );
    };
    for wrong in [
        &["--tier", "checkpoint"][..],
        &["--tier", "checkpoint", "--rv", rv.as_str(), "--gate", "1"],
        &["--tier", "gate", "--rv", rv.as_str()],
    ] {
        let out = kit_for(wrong);
        assert!(!out.status.success(), "{wrong:?}");
        assert!(text(&out).contains("kit is for"), "{}", text(&out));
    }
    let out = kit_for(&["--tier", "checkpoint", "--rv", "987654"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("rendezvous point 987654 not found"),
        "{}",
        text(&out)
    );
    write_kit();

    // The checkpoint, offline: the text, then the QR image, with the holder's document.
    let holder = ["--document", "fa 123456", "--birth-year", "1981"];
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "pass",
            "verify",
            "--kit",
            kit_arg,
            "--rv",
            rv.as_str(),
            "--lang",
            "uk",
        ];
        args.extend_from_slice(extra);
        run(&args, data)
    };
    let out = verify(&[&[pass.as_str()], &holder[..]].concat());
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).starts_with("valid: Дійсна перепустка."),
        "{}",
        text(&out)
    );
    let out = verify(&[&["--image", png_arg], &holder[..]].concat());
    assert!(out.status.success(), "{}", text(&out));
    let out = verify(&[
        pass.as_str(),
        "--document",
        "FA123457",
        "--birth-year",
        "1981",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).starts_with("holder_mismatch"), "{}", text(&out));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // A checkpoint that has not synced for a day, under a policy refusing after 12 hours.
    let tomorrow = Timestamp::rfc3339(Timestamp(now + 86_400));
    let out = verify(&[
        pass.as_str(),
        "--at",
        tomorrow.as_str(),
        "--refuse-after-hours",
        "12",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).starts_with("status_list_stale"),
        "{}",
        text(&out)
    );
    // A clock two days behind the list it holds reads no expiry right: it checks nothing.
    let set_back = Timestamp::rfc3339(Timestamp(now - 2 * 86_400));
    let out = verify(&[pass.as_str(), "--at", set_back.as_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).starts_with("clock_behind"), "{}", text(&out));
    let out = verify(&["SC2:NOT A PASS"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).starts_with("not_a_pass"), "{}", text(&out));
    // A kit of the previous format is refused with what to do.
    let kit_text = std::fs::read_to_string(&kit).unwrap();
    let old_kit = data.join("old-kit.json");
    std::fs::write(
        &old_kit,
        kit_text.replace("safeconduct-field-kit/2", "safeconduct-field-kit/1"),
    )
    .unwrap();
    let out = run(
        &["pass", "verify", "--kit", old_kit.to_str().unwrap(), &pass],
        data,
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("fetch a new field kit"),
        "{}",
        text(&out)
    );

    // The key is compromised: rotate, re-issue in the same command, and a fresh kit refuses
    // the old pass and admits the new one.
    let out = run(
        &[
            "pass",
            "keys",
            "rotate",
            "--operation",
            "1",
            "--compromised",
        ],
        data,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("1 pass(es) re-issued"),
        "{}",
        text(&out)
    );
    write_kit();
    let out = verify(&[pass.as_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).starts_with("revoked"), "{}", text(&out));

    // A wrong key file is refused clearly, without touching the store.
    std::fs::write(data.join("key.hex"), "00".repeat(32)).unwrap();
    let out = issue(&[]);
    assert!(!out.status.success());
    assert!(text(&out).contains("did not open"), "{}", text(&out));
}

#[test]
fn pass_commands_explain_themselves() {
    for args in [
        vec!["pass", "--help"],
        vec!["pass", "issue", "--help"],
        vec!["pass", "verify", "--help"],
        vec!["pass", "kit", "--help"],
        vec!["pass", "revoke", "--help"],
        vec!["pass", "keys", "rotate", "--help"],
    ] {
        explains_itself(&args);
    }
}
