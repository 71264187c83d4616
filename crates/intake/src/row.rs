//! One spreadsheet row, parsed into domain values, or refused with the reason.

use crate::IntakeError;
use crate::columns::Columns;
use safeconduct_domain::household::Notes;
use safeconduct_domain::matching::latin_name_key;
use safeconduct_domain::model::{EligibilityCategory, PriorityFlag};
use safeconduct_domain::values::{BirthDate, DocumentNumber, Language, PersonName, PhoneNumber};
use safeconduct_domain::whereabouts::{ApproximateLocation, TravelNeeds};
use std::io::Read;

/// A row that parsed. `line` is the line in the file (the header is line 1).
#[derive(Debug, Clone)]
pub struct IntakeRow {
    pub line: u64,
    pub name: PersonName,
    pub name_key: String,
    pub phone: Option<PhoneNumber>,
    pub document: Option<DocumentNumber>,
    pub household: Option<String>,
    pub category: Option<EligibilityCategory>,
    pub birth: Option<BirthDate>,
    pub location: Option<String>,
    /// Where the household is, when the row gives coordinates (latitude and longitude columns,
    /// or `LAT,LON` in the location column): rounded like every stored location.
    pub coordinates: Option<ApproximateLocation>,
    /// Read from a needs column and the notes.
    pub needs: TravelNeeds,
    pub language: Option<Language>,
    pub priorities: Vec<PriorityFlag>,
    pub notes: Option<String>,
}

/// A row that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: u64,
    pub reason: String,
}

fn field(record: &csv::StringRecord, col: Option<usize>) -> Option<&str> {
    col.and_then(|c| record.get(c))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Reads every row. A row with a bad value is refused with a reason naming the column, and so
/// is a row with more or fewer fields than the header (an unquoted comma inside a value splits
/// it and moves every value after it into the wrong column); the others are returned parsed.
/// Only an unreadable file is an error.
pub fn read_rows(input: impl Read) -> Result<(Vec<IntakeRow>, Vec<Refusal>), IntakeError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(input);
    let header = reader
        .headers()
        .map_err(|e| IntakeError::Csv {
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    if header.is_empty() {
        return Err(IntakeError::NoHeader);
    }
    let columns = Columns::from_header(&header)?;
    let mut rows = Vec::new();
    let mut refusals = Vec::new();
    // Lines are counted here rather than taken from the reader, so that they match what a
    // spreadsheet shows: the header is line 1, and a quoted field spanning lines counts them.
    let mut next_line: u64 = 2;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = next_line;
                next_line += 1;
                if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    refusals.push(Refusal {
                        line,
                        reason: "the row is not valid UTF-8 text".into(),
                    });
                    continue;
                }
                return Err(IntakeError::Csv {
                    line,
                    message: e.to_string(),
                });
            }
        };
        let line = next_line;
        next_line += 1 + record
            .iter()
            .map(|f| f.matches('\n').count() as u64)
            .sum::<u64>();
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            refusals.push(Refusal {
                line,
                reason: format!(
                    "line {line} has {} fields, the header has {}: a value holding a comma \
                     must be written in double quotes",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        match parse_row(&columns, &record, line) {
            Ok(row) => rows.push(row),
            Err(reason) => refusals.push(Refusal { line, reason }),
        }
    }
    Ok((rows, refusals))
}

fn parse_row(c: &Columns, r: &csv::StringRecord, line: u64) -> Result<IntakeRow, String> {
    let latin = field(r, Some(c.name)).ok_or("the name is empty")?;
    let native = field(r, c.native_name);
    let name = PersonName::new(latin, native).map_err(|e| e.to_string())?;
    let phone = field(r, c.phone)
        .map(PhoneNumber::parse)
        .transpose()
        .map_err(|e| format!("{e} (got {:?})", field(r, c.phone).unwrap_or_default()))?;
    let document = field(r, c.document)
        .map(DocumentNumber::parse)
        .transpose()
        .map_err(|e| e.to_string())?;
    let birth = field(r, c.birth_year)
        .map(BirthDate::parse)
        .transpose()
        .map_err(|e| e.to_string())?;
    // Notes longer than a household may carry are cut, not refused: a volunteer's list is
    // registered as far as it can be. What is kept follows the rule of all shown text.
    let notes = field(r, c.notes)
        .map(|n| Notes::parse(&n.chars().take(Notes::MAX_CHARS).collect::<String>()))
        .transpose()
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|n| n.as_str().to_string());
    let priorities = notes.as_deref().map(priorities_in).unwrap_or_default();
    let location = field(r, c.location);
    let coordinates = match (field(r, c.latitude), field(r, c.longitude)) {
        (Some(lat), Some(lon)) => Some(ApproximateLocation::parse_text(&format!("{lat},{lon}"))),
        (Some(_), None) | (None, Some(_)) => {
            return Err("location: give both a latitude and a longitude, or neither".into());
        }
        // A location column holds a district's name as often as coordinates: only what reads
        // as coordinates is taken.
        (None, None) => location
            .filter(|l| l.contains(',') && l.chars().any(|c| c.is_ascii_digit()))
            .filter(|l| !l.chars().any(char::is_alphabetic))
            .map(ApproximateLocation::parse_text),
    }
    .transpose()
    .map_err(|e| e.to_string())?;
    let stated = TravelNeeds::in_text(field(r, c.needs).unwrap_or_default());
    let noted = TravelNeeds::in_text(notes.as_deref().unwrap_or_default());
    let needs = TravelNeeds {
        needs_vehicle_access: stated.needs_vehicle_access || noted.needs_vehicle_access,
        cannot_walk_far: stated.cannot_walk_far || noted.cannot_walk_far,
    };
    let language = field(r, c.language).map(language_of).transpose()?;
    Ok(IntakeRow {
        line,
        name_key: latin_name_key(name.latin()),
        name,
        phone,
        document,
        household: field(r, c.household).map(|h| h.to_uppercase()),
        category: field(r, c.category).map(category_of),
        birth,
        location: location.map(str::to_string),
        coordinates,
        needs,
        language,
        priorities,
        notes,
    })
}

/// Reads a language from its name or tag, as volunteers write it.
pub fn language_of(text: &str) -> Result<Language, String> {
    let t = text.trim().to_lowercase();
    let is = |names: &[&str]| {
        names
            .iter()
            .any(|n| t == *n || t.starts_with(&format!("{n} ")))
    };
    if is(&["dari", "prs", "fa", "fa-af", "farsi", "persian"]) {
        Ok(Language::Dari)
    } else if is(&["pashto", "ps", "pushto"]) {
        Ok(Language::Pashto)
    } else if is(&["arabic", "ar"]) {
        Ok(Language::Arabic)
    } else if is(&["english", "en"]) {
        Ok(Language::English)
    } else if is(&["french", "fr"]) {
        Ok(Language::French)
    } else {
        Err(format!(
            "language: {text:?} is not one of Dari, Pashto, Arabic, English, French"
        ))
    }
}

/// Reads an eligibility category from the words volunteers wrote.
pub fn category_of(text: &str) -> EligibilityCategory {
    let t = text.to_lowercase();
    if t.contains("siv") || t.contains("special immigrant") {
        EligibilityCategory::SpecialImmigrantVisa
    } else if t.contains("lpr") || t.contains("green card") || t.contains("resident") {
        EligibilityCategory::PermanentResident
    } else if t.contains("partner") {
        EligibilityCategory::PartnerNationCitizen
    } else if t.contains("citizen") {
        EligibilityCategory::Citizen
    } else if t.contains("p1")
        || t.contains("p2")
        || t.contains("referral")
        || t.contains("refugee")
    {
        EligibilityCategory::RefugeeReferral
    } else if t.contains("risk") {
        EligibilityCategory::AtRisk
    } else if t.contains("visa") {
        EligibilityCategory::VisaHolder
    } else {
        EligibilityCategory::Other
    }
}

/// Reads priority needs from free-text notes.
pub fn priorities_in(notes: &str) -> Vec<PriorityFlag> {
    let t = notes.to_lowercase();
    let mut out = Vec::new();
    let mut add = |f| {
        if !out.contains(&f) {
            out.push(f)
        }
    };
    if t.contains("pregnan") {
        add(PriorityFlag::Pregnancy);
    }
    if t.contains("wheelchair")
        || t.contains("disab")
        || t.contains("cannot walk")
        || t.contains("blind")
    {
        add(PriorityFlag::Disability);
    }
    if t.contains("unaccompanied") {
        add(PriorityFlag::UnaccompaniedMinor);
    }
    if t.contains("elderly") || t.contains("old age") {
        add(PriorityFlag::Elderly);
    }
    if [
        "insulin", "asthma", "medical", "injur", "diabet", "dialysis", "wound",
    ]
    .iter()
    .any(|w| t.contains(w))
    {
        add(PriorityFlag::Medical);
    }
    out.sort();
    out
}
