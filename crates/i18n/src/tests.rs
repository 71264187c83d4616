//! The message files are complete and consistent: a missing message, an extra one, a
//! translation that drops or invents a variable, or a file that does not parse fails here.

use super::*;

fn in_english(area: &str) -> BTreeSet<String> {
    ids(Language::English, area).into_iter().collect()
}

#[test]
fn every_complete_language_has_exactly_the_english_messages() {
    let mut problems = Vec::new();
    for area in areas() {
        let english = in_english(area);
        for language in COMPLETE {
            let theirs: BTreeSet<String> = ids(language, area).into_iter().collect();
            for id in english.difference(&theirs) {
                problems.push(format!("locales/{}/{area}.ftl lacks {id}", tag(language)));
            }
            for id in theirs.difference(&english) {
                problems.push(format!(
                    "locales/{}/{area}.ftl has {id}, which English has not",
                    tag(language)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_message_file_exists_only_where_english_has_one() {
    for (lang, area, _) in generated::FILES {
        assert!(
            areas().contains(area),
            "locales/{lang}/{area}.ftl has no English file"
        );
    }
}

#[test]
fn ukrainian_translates_only_what_english_has() {
    for area in areas() {
        let english = in_english(area);
        for id in ids(Language::Ukrainian, area) {
            assert!(
                english.contains(&id),
                "locales/uk/{area}.ftl has {id}, which English has not"
            );
        }
    }
}

#[test]
fn translations_use_the_variables_of_english() {
    let mut problems = Vec::new();
    for area in areas() {
        for id in ids(Language::English, area) {
            let english = variables(Language::English, &id);
            for language in ALL {
                if has(language, &id) && variables(language, &id) != english {
                    problems.push(format!(
                        "{id} in {}: {:?}, English: {english:?}",
                        tag(language),
                        variables(language, &id)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_message_formats_in_every_language_without_errors() {
    for area in areas() {
        for id in ids(Language::English, area) {
            for language in ALL {
                let Some(bundle) = CATALOGUE.bundle(language) else {
                    panic!("no bundle for {}", tag(language));
                };
                let Some(message) = bundle.get_message(&id) else {
                    continue;
                };
                let mut args = FluentArgs::new();
                for name in variables(language, &id) {
                    args.set(name, FluentValue::from(3));
                }
                let mut errors = Vec::new();
                let pattern = message.value().expect("every message has a value");
                let out = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{id} in {}: {errors:?}", tag(language));
                assert!(!out.trim().is_empty(), "{id} in {} is empty", tag(language));
            }
        }
    }
}

#[test]
fn numbers_are_written_with_the_digits_of_the_language() {
    assert_eq!(localise_digits(Language::Arabic, "RV 12"), "RV ١٢");
    assert_eq!(localise_digits(Language::Dari, "09:30"), "۰۹:۳۰");
    assert_eq!(localise_digits(Language::French, "12"), "12");
    let n = text(
        Language::Dari,
        "common-people",
        &[("count", Arg::Number(12.0))],
    );
    assert!(n.contains("۱۲"), "{n}");
    let n = text(
        Language::English,
        "common-people",
        &[("count", Arg::Number(1.0))],
    );
    assert_eq!(n, "1 person");
}

#[test]
fn a_missing_language_falls_back_to_english_and_a_missing_message_to_its_id() {
    assert_eq!(
        text(Language::Ukrainian, "common-sign-out", &[]),
        text(Language::English, "common-sign-out", &[])
    );
    assert_eq!(
        text(Language::French, "no-such-message", &[]),
        "no-such-message"
    );
}

#[test]
fn tags_and_headers_name_languages() {
    assert_eq!(from_tag("fa-AF"), Some(Language::Dari));
    assert_eq!(from_tag("prs"), Some(Language::Dari));
    assert_eq!(from_tag("fr-FR"), Some(Language::French));
    assert_eq!(from_tag("de"), None);
    assert_eq!(
        from_accept_language("de-DE,ps;q=0.8,en;q=0.5"),
        Language::Pashto
    );
    assert_eq!(from_accept_language(""), Language::English);
    for language in ALL {
        assert_eq!(from_tag(tag(language)), Some(language));
    }
}

#[test]
fn page_messages_give_the_script_every_plural_form() {
    let en = page_messages(Language::English, &["common"]);
    assert_eq!(en["common-people[]"], "count");
    assert_eq!(en["common-people[one]"], "{count} person");
    assert_eq!(en["common-people[other]"], "{count} people");
    assert_eq!(en["common-people"], "{count} people");
    let ar = page_messages(Language::Arabic, &["common"]);
    assert!(
        ar.keys()
            .filter(|k| k.starts_with("common-people["))
            .count()
            > 3,
        "{ar:?}"
    );
}

#[test]
fn arabic_counts_minutes_in_the_form_the_number_takes() {
    let minutes = |n: f64| {
        text(
            Language::Arabic,
            "plan-minutes",
            &[("value", Arg::Number(n))],
        )
    };
    assert_eq!(minutes(1.0), "دقيقة واحدة");
    assert_eq!(minutes(2.0), "دقيقتين");
    assert!(minutes(7.0).ends_with("دقائق"), "{}", minutes(7.0));
    assert!(minutes(15.0).ends_with("دقيقة"), "{}", minutes(15.0));
    let page = page_messages(Language::Arabic, &["plan"]);
    assert_eq!(page["plan-minutes[]"], "value");
    assert_eq!(page["plan-minutes[few]"], "{value} دقائق");
}

#[test]
fn page_messages_leave_variables_for_the_script() {
    let m = page_messages(Language::English, &["common"]);
    assert!(m["common-signed-in-as"].contains("{name}"), "{m:?}");
}

#[test]
fn the_guidance_and_the_messages_are_in_the_one_message_set() {
    let areas = areas();
    assert!(
        areas.contains(&"guidance") && areas.contains(&"messages"),
        "{areas:?}"
    );
    assert_eq!(
        text(
            Language::Dari,
            "guidance-metres",
            &[("count", Arg::Text("80"))]
        ),
        "80 متر"
    );
}

/// The fullest form that fits is sent; a shorter one when it does not; then the shortenable
/// argument is cut (ended with "..."), never another; nothing when even that cannot fit.
#[test]
fn a_text_message_takes_the_fullest_form_that_fits_three_sms() {
    let forms = [
        "message-new-window",
        "message-new-window-short",
        "message-new-window-shortest",
    ];
    let args = |rv: &'static str| {
        [
            ("reference", Arg::Text("K7M-4QX")),
            ("rv", Arg::Text(rv)),
            ("landmark", Arg::Text("the old library")),
            ("day", Arg::Text("2026-11-18")),
            ("from", Arg::Text("11:06")),
            ("until", Arg::Text("12:06")),
        ]
    };
    let full = sms_text(Language::English, &forms, &args("RV North"), Some("rv")).unwrap();
    assert_eq!(full, text(Language::English, forms[0], &args("RV North")));
    // A name that makes the full form too long but not the short one.
    let middle: &'static str = "Market ".repeat(45).leak();
    let short = sms_text(Language::English, &forms, &args(middle), Some("rv")).unwrap();
    assert!(sms::parts(&text(Language::English, forms[0], &args(middle))) > sms::MAX_PARTS);
    assert_eq!(short, text(Language::English, forms[1], &args(middle)));
    let huge: &'static str = "Gate ".repeat(200).leak();
    let cut = sms_text(Language::English, &forms, &args(huge), Some("rv")).unwrap();
    assert!(sms::parts(&cut) <= sms::MAX_PARTS, "{cut}");
    assert!(
        cut.contains("Gate...") && cut.contains("K7M-4QX") && cut.contains("12:06 UTC"),
        "{cut}"
    );
    assert_eq!(sms_text(Language::English, &forms, &args(huge), None), None);
}

/// A count is written in the form it takes: in English and in French no message puts a
/// number straight before a plural noun where the script cannot choose the singular ("1
/// households"). The form a page shows for one (`id[one]`) is checked, or the message itself
/// when it has no forms: the count it chooses on reads in the singular there, and any other
/// count before a plural noun is one nothing chooses for.
#[test]
fn a_count_takes_the_form_of_its_number() {
    let plural_nouns = [
        (
            Language::English,
            "people|persons|households|members|seats|places|hours|minutes|records|hazards|points|gates|calls|messages",
        ),
        (
            Language::French,
            "personnes|foyers|ménages|membres|places|heures|minutes|enregistrements|dangers|points|portes|appels|messages",
        ),
    ];
    let mut problems = Vec::new();
    for (language, nouns) in plural_nouns {
        let messages = page_messages(language, &areas());
        for (id, text) in &messages {
            // The form for one, or a message without forms; nothing else is checked.
            let has_forms = messages.contains_key(&format!("{id}[]"));
            if !(id.ends_with("[one]") || !id.contains('[') && !has_forms) {
                continue;
            }
            let shown = text;
            for word in shown.split("} ").skip(1) {
                let noun = word
                    .split([' ', '.', ',', ';', ':', '?', ')'])
                    .next()
                    .unwrap_or("");
                if nouns.split('|').any(|n| n == noun) {
                    problems.push(format!("{} {id}: \"{shown}\"", tag(language)));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
