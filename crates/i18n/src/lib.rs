//! Every word safeconduct shows or sends to people — pages, printed passes, route guidance,
//! messages — in Fluent message files: `locales/{tag}/{area}.ftl`, one file per area of the
//! product and language, embedded at build time (adding a file needs no code). English,
//! French, Dari, Pashto and Arabic are complete (a test fails when a message is missing or
//! extra in any of them); Ukrainian carries what it translates and falls back to English.
//!
//! Numbers inside messages are written with the digits of the language (Arabic-Indic in
//! Arabic, Extended Arabic-Indic in Dari and Pashto); pages format their own numbers and dates
//! with the browser's `Intl` and [`locale`].
//!
//! Architecture invariant: pure. It depends on the domain's `Language` only; it knows no page,
//! no HTTP, no store, no transport. A message contains nothing but its words and the values it
//! is handed.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use safeconduct_domain::values::Language;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

pub mod sms;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/files.rs"));
}

/// The languages every message exists in.
pub const COMPLETE: [Language; 5] = [
    Language::English,
    Language::French,
    Language::Dari,
    Language::Pashto,
    Language::Arabic,
];

/// Every language with messages, complete or not.
pub const ALL: [Language; 6] = [
    Language::English,
    Language::French,
    Language::Dari,
    Language::Pashto,
    Language::Arabic,
    Language::Ukrainian,
];

/// The language's tag in file names, URLs and `lang` attributes.
pub fn tag(language: Language) -> &'static str {
    match language {
        Language::English => "en",
        Language::French => "fr",
        Language::Dari => "prs",
        Language::Pashto => "ps",
        Language::Arabic => "ar",
        Language::Ukrainian => "uk",
    }
}

/// The language a tag names: ours (`prs`), or what browsers and phones send (`fa-AF`,
/// `fr-FR`, `ar-EG`); `None` for anything else.
pub fn from_tag(text: &str) -> Option<Language> {
    let primary = text.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "en" => Some(Language::English),
        "fr" => Some(Language::French),
        "prs" | "fa" => Some(Language::Dari),
        "ps" => Some(Language::Pashto),
        "ar" => Some(Language::Arabic),
        "uk" => Some(Language::Ukrainian),
        _ => None,
    }
}

/// The first language of an `Accept-Language` header that has messages, by the header's order
/// (its weights are ignored: browsers list languages best first); English when none has.
pub fn from_accept_language(header: &str) -> Language {
    header
        .split(',')
        .filter_map(|part| from_tag(part.split(';').next().unwrap_or("")))
        .next()
        .unwrap_or(Language::English)
}

/// The locale the browser's `Intl` formats numbers and dates of the language with.
pub fn locale(language: Language) -> &'static str {
    match language {
        Language::English => "en",
        Language::French => "fr",
        Language::Dari => "fa-AF",
        Language::Pashto => "ps-AF",
        Language::Arabic => "ar",
        Language::Ukrainian => "uk",
    }
}

/// The language's name in its own script, for language pickers.
pub fn native_name(language: Language) -> &'static str {
    match language {
        Language::English => "English",
        Language::French => "Français",
        Language::Dari => "دری",
        Language::Pashto => "پښتو",
        Language::Arabic => "العربية",
        Language::Ukrainian => "Українська",
    }
}

/// `rtl` or `ltr`, for the `dir` attribute.
pub fn direction(language: Language) -> &'static str {
    if language.is_right_to_left() {
        "rtl"
    } else {
        "ltr"
    }
}

/// ASCII digits in `text` written as the language writes them.
pub fn localise_digits(language: Language, text: &str) -> String {
    let zero = match language {
        Language::Arabic => '\u{0660}',
        Language::Dari | Language::Pashto => '\u{06F0}',
        _ => return text.to_string(),
    };
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(zero as u32 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// A value handed to a message.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    /// A count or a measure: selects plural forms, written with the language's digits.
    Number(f64),
}

/// The message `id` in `language` with `args`; English when the language lacks it, the id
/// itself when no language has it (a test keeps that from happening).
pub fn text(language: Language, id: &str, args: &[(&str, Arg<'_>)]) -> String {
    let catalogue = &*CATALOGUE;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match *value {
            Arg::Text(t) => fluent_args.set(*name, FluentValue::from(t)),
            Arg::Number(n) => fluent_args.set(*name, FluentValue::from(n)),
        }
    }
    for lang in [language, Language::English] {
        if let Some(out) = catalogue.format(lang, id, Some(&fluent_args)) {
            return out;
        }
    }
    id.to_string()
}

/// A text message in `language`: the first of `forms` (message ids, the fullest first) that
/// fits in [`sms::MAX_PARTS`] SMS with `args`. When none does, the last form with the text
/// argument `shortenable` (a place name, say) cut short, between words where it can, and
/// ended with "..." (GSM-7, unlike an ellipsis), so that what must stay whole (a time, a
/// reference, a link) stays whole; `None` when even that cannot fit (a link too long for any
/// message: it is never cut).
pub fn sms_text(
    language: Language,
    forms: &[&str],
    args: &[(&str, Arg<'_>)],
    shortenable: Option<&str>,
) -> Option<String> {
    let fits = |t: &String| sms::parts(t) <= sms::MAX_PARTS;
    if let Some(out) = forms.iter().map(|id| text(language, id, args)).find(fits) {
        return Some(out);
    }
    let (last, name) = (forms.last()?, shortenable?);
    let full: Vec<char> = args.iter().find_map(|(n, a)| match a {
        Arg::Text(t) if *n == name => Some(t.chars().collect()),
        _ => None,
    })?;
    // Cut between words where that fits; inside a word only when no word boundary does.
    let at_word = (1..full.len()).rev().filter(|&k| full[k].is_whitespace());
    at_word.chain((0..full.len()).rev()).find_map(|keep| {
        let cut = format!("{}...", full[..keep].iter().collect::<String>().trim_end());
        let args: Vec<(&str, Arg<'_>)> = args
            .iter()
            .map(|&(n, a)| {
                if n == name {
                    (n, Arg::Text(&cut))
                } else {
                    (n, a)
                }
            })
            .collect();
        Some(text(language, last, &args)).filter(fits)
    })
}

/// Whether `language` has the message itself (without falling back to English).
pub fn has(language: Language, id: &str) -> bool {
    CATALOGUE
        .bundle(language)
        .is_some_and(|b| b.has_message(id))
}

/// The areas (message files) there are, by their English file names.
pub fn areas() -> Vec<&'static str> {
    let mut areas: Vec<&str> = generated::FILES
        .iter()
        .filter(|(lang, _, _)| *lang == "en")
        .map(|(_, area, _)| *area)
        .collect();
    areas.sort();
    areas
}

/// The ids of the messages of `area` in `language`, in file order.
pub fn ids(language: Language, area: &str) -> Vec<String> {
    CATALOGUE
        .ids
        .get(&(tag(language), area.to_string()))
        .cloned()
        .unwrap_or_default()
}

/// The variables a message of `language` uses (`$name` → `name`).
pub fn variables(language: Language, id: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(message) = CATALOGUE.bundle(language).and_then(|b| b.get_message(id)) {
        if let Some(pattern) = message.value() {
            pattern_variables(pattern, &mut out);
        }
        for attribute in message.attributes() {
            pattern_variables(attribute.value(), &mut out);
        }
    }
    out
}

/// The messages of `areas` in `language` (English where it lacks one) for a page's script:
/// id → text, each variable left as `{name}` for the script to fill. A message that selects on
/// a number (`{ $count -> [one] … *[other] … }`) is its default variant under its id, each
/// variant under `id[key]` and the number's name under `id[]`, for the script to choose as
/// Fluent does: an exact number's variant, else the plural category's, else the default.
pub fn page_messages(language: Language, areas: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for area in areas {
        for id in ids(Language::English, area) {
            if let Some((selector, variants)) = plural_variants(language, &id) {
                for (key, text) in variants {
                    out.insert(format!("{id}[{key}]"), text);
                }
                out.insert(format!("{id}[]"), selector);
            }
            let names: Vec<String> = variables(Language::English, &id).into_iter().collect();
            let placeholders: Vec<String> = names.iter().map(|n| format!("{{{n}}}")).collect();
            let args: Vec<(&str, Arg<'_>)> = names
                .iter()
                .zip(&placeholders)
                .map(|(n, p)| (n.as_str(), Arg::Text(p.as_str())))
                .collect();
            out.insert(id.clone(), text(language, &id, &args));
        }
    }
    out
}

/// The number a message's value selects on and its variants, each with its variables as
/// `{name}`: for a value of text around one select on a variable whose variants are text and
/// variables. None for any other message (which is then one plain pattern).
fn plural_variants(language: Language, id: &str) -> Option<(String, Vec<(String, String)>)> {
    let catalogue = &*CATALOGUE;
    let pattern = [language, Language::English]
        .into_iter()
        .find_map(|l| catalogue.bundle(l)?.get_message(id)?.value())?;
    let mut selected = None;
    let (mut before, mut after) = (String::new(), String::new());
    for element in &pattern.elements {
        let text = if selected.is_none() {
            &mut before
        } else {
            &mut after
        };
        match element {
            ast::PatternElement::Placeable {
                expression: ast::Expression::Select { selector, variants },
            } if selected.is_none() => {
                let ast::InlineExpression::VariableReference { id } = selector else {
                    return None;
                };
                selected = Some((id.name.to_string(), variants));
            }
            other => text.push_str(&plain_element(other)?),
        }
    }
    let (selector, variants) = selected?;
    let mut out = Vec::new();
    for v in variants.iter() {
        let key = match &v.key {
            ast::VariantKey::Identifier { name } => name.to_string(),
            ast::VariantKey::NumberLiteral { value } => value.to_string(),
        };
        let middle: Option<String> = v.value.elements.iter().map(plain_element).collect();
        out.push((key, format!("{before}{}{after}", middle?.trim_end())));
    }
    Some((selector, out))
}

/// An element of a pattern as a page's script fills it: text as it is, a variable as
/// `{name}`; None for anything else.
fn plain_element(element: &ast::PatternElement<&str>) -> Option<String> {
    match element {
        ast::PatternElement::TextElement { value } => Some(value.to_string()),
        ast::PatternElement::Placeable {
            expression: ast::Expression::Inline(ast::InlineExpression::VariableReference { id }),
        } => Some(format!("{{{}}}", id.name)),
        _ => None,
    }
}

fn pattern_variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for v in variants {
                pattern_variables(&v.value, out);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, out),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_variables(a, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

struct Catalogue {
    bundles: Vec<(Language, FluentBundle<FluentResource>)>,
    /// (language tag, area) → message ids in file order.
    ids: BTreeMap<(&'static str, String), Vec<String>>,
}

impl Catalogue {
    fn bundle(&self, language: Language) -> Option<&FluentBundle<FluentResource>> {
        self.bundles
            .iter()
            .find(|(l, _)| *l == language)
            .map(|(_, b)| b)
    }

    fn format(
        &self,
        language: Language,
        id: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Option<String> {
        let bundle = self.bundle(language)?;
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        Some(
            bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned(),
        )
    }
}

/// Numbers in Arabic-Indic digits.
fn arabic_numbers(
    value: &FluentValue<'_>,
    _: &intl_memoizer::concurrent::IntlLangMemoizer,
) -> Option<String> {
    number_text(value).map(|t| localise_digits(Language::Arabic, &t))
}

/// Numbers in Extended Arabic-Indic digits (Dari, Pashto).
fn persian_numbers(
    value: &FluentValue<'_>,
    _: &intl_memoizer::concurrent::IntlLangMemoizer,
) -> Option<String> {
    number_text(value).map(|t| localise_digits(Language::Dari, &t))
}

fn number_text(value: &FluentValue<'_>) -> Option<String> {
    match value {
        FluentValue::Number(n) => Some(n.as_string().into_owned()),
        _ => None,
    }
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut bundles = Vec::new();
    let mut ids = BTreeMap::new();
    for language in ALL {
        let langid: unic_langid::LanguageIdentifier = locale(language)
            .parse()
            .expect("every locale is a language identifier");
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        // Values are placed as they are: the pages isolate them themselves, and the marks would
        // cost SMS characters.
        bundle.set_use_isolating(false);
        match language {
            Language::Arabic => bundle.set_formatter(Some(arabic_numbers)),
            Language::Dari | Language::Pashto => bundle.set_formatter(Some(persian_numbers)),
            _ => {}
        }
        for (file_tag, area, source) in generated::FILES {
            if *file_tag != tag(language) {
                continue;
            }
            let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, e)| {
                panic!("locales/{file_tag}/{area}.ftl does not parse: {e:?}")
            });
            let area_ids: Vec<String> = resource
                .entries()
                .filter_map(|e| match e {
                    ast::Entry::Message(m) => Some(m.id.name.to_string()),
                    _ => None,
                })
                .collect();
            ids.insert((tag(language), area.to_string()), area_ids);
            if let Err(errors) = bundle.add_resource(resource) {
                panic!(
                    "locales/{file_tag}/{area}.ftl repeats a message of another file: {errors:?}"
                );
            }
        }
        bundles.push((language, bundle));
    }
    Catalogue { bundles, ids }
});

#[cfg(test)]
mod tests;
