//! Finding the same person listed twice, grouping people into households, and matching them
//! against people already registered.
//!
//! Two rows are the same person when they carry the same document number (and agree on the
//! name or the birth year), or when they share the name key and birth year and are linked by
//! the same phone or household reference without contradicting document numbers. A shared
//! phone alone never merges: household members often share one phone. Near misses that
//! contradict each other are flagged for a person to review, never merged silently.

use crate::row::{IntakeRow, Refusal};
use safeconduct_domain::model::{EligibilityCategory, PriorityFlag};
use safeconduct_domain::values::{BirthDate, DocumentNumber, Language, PersonName, PhoneNumber};
use safeconduct_domain::whereabouts::{ApproximateLocation, TravelNeeds};
use std::collections::{BTreeMap, HashMap};

/// Why two rows were taken for the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRule {
    SameDocument,
    SameNameBirthYearAndPhone,
    SameNameBirthYearAndHousehold,
}

impl MergeRule {
    pub fn describe(self) -> &'static str {
        match self {
            MergeRule::SameDocument => "same document number",
            MergeRule::SameNameBirthYearAndPhone => "same name, birth year and phone",
            MergeRule::SameNameBirthYearAndHousehold => "same name, birth year and household",
        }
    }
}

/// A person already registered, as far as matching needs to know.
#[derive(Debug, Clone)]
pub struct Known {
    pub reference: String,
    pub name_key: String,
    pub birth_year: Option<u16>,
    pub phone: Option<PhoneNumber>,
    pub documents: Vec<DocumentNumber>,
}

/// What the intake asks about people already registered.
#[derive(Debug, Clone)]
pub struct Probe {
    pub document: Option<DocumentNumber>,
    pub name_key: String,
    pub birth_year: Option<u16>,
}

/// One person to register, merged from one or more rows.
#[derive(Debug, Clone)]
pub struct PlannedPerson {
    pub lines: Vec<u64>,
    pub name: PersonName,
    pub name_key: String,
    pub phone: Option<PhoneNumber>,
    pub document: Option<DocumentNumber>,
    pub birth: Option<BirthDate>,
    pub household: Option<String>,
    pub category: Option<EligibilityCategory>,
    pub priorities: Vec<PriorityFlag>,
    pub notes: Vec<String>,
    pub coordinates: Option<ApproximateLocation>,
    pub needs: TravelNeeds,
    pub language: Option<Language>,
}

#[derive(Debug, Clone)]
pub struct PlannedHousehold {
    /// The spreadsheet's household reference, or how the household was formed.
    pub key: String,
    pub members: Vec<PlannedPerson>,
    pub contact_phone: Option<PhoneNumber>,
    pub language: Language,
    pub category: Option<EligibilityCategory>,
    pub priorities: Vec<PriorityFlag>,
    pub notes: Option<String>,
    /// The first location its rows give, in line order.
    pub location: Option<ApproximateLocation>,
    /// Every need any member's rows state.
    pub needs: TravelNeeds,
}

/// Rows that may be the same person but contradict each other: imported as they are, and
/// listed for a person to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub lines: Vec<u64>,
    /// The registered case involved, when the near miss is with an existing record.
    pub existing: Option<String>,
    pub reason: String,
}

/// What happens to each row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// `merged` is the same person as `kept`; one person is registered from both.
    Merged {
        kept: u64,
        merged: u64,
        rule: MergeRule,
    },
    /// The rows are a person already registered in case `reference`; nothing new is registered.
    AlreadyRegistered {
        lines: Vec<u64>,
        reference: String,
        rule: MergeRule,
    },
}

#[derive(Debug, Clone, Default)]
pub struct IntakePlan {
    pub households: Vec<PlannedHousehold>,
    pub decisions: Vec<Decision>,
    pub reviews: Vec<Review>,
    pub refusals: Vec<Refusal>,
    pub rows_read: usize,
}

impl IntakePlan {
    /// Pairs of lines judged to be the same person within the file.
    pub fn merged_pairs(&self) -> Vec<(u64, u64)> {
        let mut clusters: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for d in &self.decisions {
            if let Decision::Merged { kept, merged, .. } = d {
                clusters
                    .entry(*kept)
                    .or_insert_with(|| vec![*kept])
                    .push(*merged);
            }
        }
        let mut pairs = Vec::new();
        for lines in clusters.values() {
            for i in 0..lines.len() {
                for j in i + 1..lines.len() {
                    pairs.push((lines[i].min(lines[j]), lines[i].max(lines[j])));
                }
            }
        }
        pairs
    }

    pub fn people(&self) -> usize {
        self.households.iter().map(|h| h.members.len()).sum()
    }
}

enum Verdict {
    Same(MergeRule),
    Doubt(String),
    Different,
}

struct Facts<'a> {
    name_key: &'a str,
    year: Option<u16>,
    phone: Option<&'a PhoneNumber>,
    household: Option<&'a str>,
    documents: Vec<&'a DocumentNumber>,
}

fn compare(a: &Facts<'_>, b: &Facts<'_>) -> Verdict {
    let same_name = a.name_key == b.name_key;
    let years_agree = match (a.year, b.year) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    let shared_doc = a.documents.iter().any(|d| b.documents.contains(d));
    if shared_doc {
        if same_name || (years_agree && a.year.is_some() && b.year.is_some()) {
            return Verdict::Same(MergeRule::SameDocument);
        }
        return Verdict::Doubt("same document number but a different name and birth year".into());
    }
    if !(same_name && years_agree) {
        return Verdict::Different;
    }
    let same_phone = matches!((a.phone, b.phone), (Some(x), Some(y)) if x == y);
    let same_household = matches!((a.household, b.household), (Some(x), Some(y)) if x == y);
    if !(same_phone || same_household) {
        return Verdict::Different;
    }
    let docs_conflict = !a.documents.is_empty() && !b.documents.is_empty();
    if docs_conflict {
        return Verdict::Doubt(
            "same name, birth year and phone or household, but different document numbers".into(),
        );
    }
    Verdict::Same(if same_phone {
        MergeRule::SameNameBirthYearAndPhone
    } else {
        MergeRule::SameNameBirthYearAndHousehold
    })
}

fn facts(r: &IntakeRow) -> Facts<'_> {
    Facts {
        name_key: &r.name_key,
        year: r.birth.map(|b| b.year()),
        phone: r.phone.as_ref(),
        household: r.household.as_deref(),
        documents: r.document.iter().collect(),
    }
}

struct UnionFind(Vec<usize>);
impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    /// Joins the sets; the smaller root (earlier row) stays the root.
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (keep, drop) = (ra.min(rb), ra.max(rb));
        self.0[drop] = keep;
        true
    }
}

/// Plans an import: merges duplicates within the rows, matches against registered people
/// through `existing`, and groups people into households.
pub fn plan(
    rows: Vec<IntakeRow>,
    refusals: Vec<Refusal>,
    existing: &mut dyn FnMut(&Probe) -> Vec<Known>,
) -> IntakePlan {
    let rows_read = rows.len() + refusals.len();
    let mut uf = UnionFind((0..rows.len()).collect());
    let mut decisions = Vec::new();
    let mut reviews = Vec::new();

    // Candidate pairs come only from rows sharing a document number or a name key and year.
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(d) = &r.document {
            blocks
                .entry(format!("d:{}", d.as_str()))
                .or_default()
                .push(i);
        }
        let year = r.birth.map(|b| b.year().to_string()).unwrap_or_default();
        blocks
            .entry(format!("n:{}:{}", r.name_key, year))
            .or_default()
            .push(i);
    }
    let mut keys: Vec<&String> = blocks.keys().collect();
    keys.sort();
    let mut doubted: std::collections::HashSet<(usize, usize)> = Default::default();
    for key in keys {
        let members = &blocks[key];
        for (x, &i) in members.iter().enumerate() {
            // A block this large is a very common name and year, or a document number typed
            // as a placeholder: compare neighbours only, so that the work stays linear.
            let limit = if members.len() > 50 {
                (x + 5).min(members.len())
            } else {
                members.len()
            };
            for &j in &members[x + 1..limit] {
                match compare(&facts(&rows[i]), &facts(&rows[j])) {
                    Verdict::Same(rule) => {
                        let (ri, rj) = (uf.find(i), uf.find(j));
                        if uf.union(i, j) {
                            let kept = rows[ri.min(rj)].line;
                            let merged = rows[ri.max(rj)].line;
                            decisions.push(Decision::Merged { kept, merged, rule });
                        }
                    }
                    Verdict::Doubt(reason) => {
                        if doubted.insert((i, j)) {
                            reviews.push(Review {
                                lines: vec![rows[i].line, rows[j].line],
                                existing: None,
                                reason,
                            });
                        }
                    }
                    Verdict::Different => {}
                }
            }
        }
    }
    // Decisions name the cluster's first line as `kept`.
    let root_line: Vec<u64> = (0..rows.len()).map(|i| rows[uf.find(i)].line).collect();
    for d in &mut decisions {
        if let Decision::Merged { kept, merged, .. } = d {
            let idx = rows.iter().position(|r| r.line == *merged).unwrap_or(0);
            *kept = root_line[idx];
        }
    }

    // Merge each cluster into one person.
    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..rows.len() {
        clusters.entry(uf.find(i)).or_default().push(i);
    }
    let mut people: Vec<PlannedPerson> = clusters
        .values()
        .map(|idx| merge_rows(idx.iter().map(|&i| &rows[i]).collect()))
        .collect();

    // Match against people already registered.
    let mut fresh = Vec::with_capacity(people.len());
    for p in people.drain(..) {
        let facts_p = Facts {
            name_key: &p.name_key,
            year: p.birth.map(|b| b.year()),
            phone: p.phone.as_ref(),
            household: None,
            documents: p.document.iter().collect(),
        };
        let probe = Probe {
            document: p.document.clone(),
            name_key: p.name_key.clone(),
            birth_year: p.birth.map(|b| b.year()),
        };
        let mut outcome = None;
        for k in existing(&probe) {
            let facts_k = Facts {
                name_key: &k.name_key,
                year: k.birth_year,
                phone: k.phone.as_ref(),
                household: None,
                documents: k.documents.iter().collect(),
            };
            match compare(&facts_p, &facts_k) {
                Verdict::Same(rule) => {
                    outcome = Some(Decision::AlreadyRegistered {
                        lines: p.lines.clone(),
                        reference: k.reference.clone(),
                        rule,
                    });
                    break;
                }
                Verdict::Doubt(reason) => reviews.push(Review {
                    lines: p.lines.clone(),
                    existing: Some(k.reference.clone()),
                    reason,
                }),
                Verdict::Different => {}
            }
        }
        match outcome {
            Some(d) => decisions.push(d),
            None => fresh.push(p),
        }
    }

    let (households, loose) = group_households(fresh);
    reviews.extend(loose);
    IntakePlan {
        households,
        decisions,
        reviews,
        refusals,
        rows_read,
    }
}

fn merge_rows(mut rows: Vec<&IntakeRow>) -> PlannedPerson {
    rows.sort_by_key(|r| r.line);
    let first = rows[0];
    let pick = |f: &dyn Fn(&IntakeRow) -> bool| rows.iter().find(|r| f(r)).copied();
    // Prefer a "Given Surname" spelling that also carries the name in the person's script.
    let name_row = pick(&|r| r.name.native().is_some() && !r.name.latin().contains(','))
        .or_else(|| pick(&|r| !r.name.latin().contains(',')))
        .unwrap_or(first);
    let native = pick(&|r| r.name.native().is_some()).and_then(|r| r.name.native());
    let name =
        PersonName::new(name_row.name.latin(), native).unwrap_or_else(|_| first.name.clone());
    let mut priorities: Vec<PriorityFlag> =
        rows.iter().flat_map(|r| r.priorities.clone()).collect();
    priorities.sort();
    priorities.dedup();
    let mut notes: Vec<String> = Vec::new();
    for n in rows.iter().filter_map(|r| r.notes.clone()) {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    PlannedPerson {
        lines: rows.iter().map(|r| r.line).collect(),
        name_key: first.name_key.clone(),
        name,
        phone: pick(&|r| r.phone.is_some()).and_then(|r| r.phone.clone()),
        document: pick(&|r| r.document.is_some()).and_then(|r| r.document.clone()),
        birth: pick(&|r| r.birth.is_some()).and_then(|r| r.birth),
        household: pick(&|r| r.household.is_some()).and_then(|r| r.household.clone()),
        category: pick(&|r| r.category.is_some()).and_then(|r| r.category),
        priorities,
        notes,
        coordinates: pick(&|r| r.coordinates.is_some()).and_then(|r| r.coordinates),
        needs: TravelNeeds {
            needs_vehicle_access: rows.iter().any(|r| r.needs.needs_vehicle_access),
            cannot_walk_far: rows.iter().any(|r| r.needs.cannot_walk_far),
        },
        language: pick(&|r| r.language.is_some()).and_then(|r| r.language),
    }
}

/// Groups people by household reference; a person without one joins the household whose
/// members share their phone, if exactly one does, and otherwise the others without a
/// reference who share their phone. A person left on their own without a reference is listed
/// for review, with the household they may belong to when one shares their surname.
fn group_households(people: Vec<PlannedPerson>) -> (Vec<PlannedHousehold>, Vec<Review>) {
    let surname = |p: &PlannedPerson| {
        p.name_key
            .split(' ')
            .next_back()
            .unwrap_or_default()
            .to_string()
    };
    let mut refs_by_surname: HashMap<String, Vec<String>> = HashMap::new();
    for p in &people {
        if let Some(h) = &p.household {
            let v = refs_by_surname.entry(surname(p)).or_default();
            if !v.contains(h) {
                v.push(h.clone());
            }
        }
    }
    let mut refs_by_phone: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in &people {
        if let (Some(phone), Some(h)) = (&p.phone, &p.household) {
            let v = refs_by_phone.entry(phone.as_str()).or_default();
            if !v.contains(&h.as_str()) {
                v.push(h.as_str());
            }
        }
    }
    let keys: Vec<String> = people
        .iter()
        .map(|p| match (&p.household, &p.phone) {
            (Some(h), _) => format!("household {h}"),
            (None, Some(phone)) => match refs_by_phone.get(phone.as_str()) {
                Some(refs) if refs.len() == 1 => format!("household {}", refs[0]),
                _ => format!("shared phone {}", phone.as_str()),
            },
            (None, None) => format!("line {}", p.lines[0]),
        })
        .collect();
    let mut reviews = Vec::new();
    let mut groups: BTreeMap<String, Vec<PlannedPerson>> = BTreeMap::new();
    for (key, p) in keys.into_iter().zip(people) {
        groups.entry(key).or_default().push(p);
    }
    for (key, members) in &groups {
        if key.starts_with("household ") {
            continue;
        }
        let hint = match refs_by_surname.get(&surname(&members[0])) {
            Some(refs) if refs.len() == 1 => {
                format!("; household {} has the same surname", refs[0])
            }
            _ => String::new(),
        };
        reviews.push(Review {
            lines: members.iter().flat_map(|m| m.lines.clone()).collect(),
            existing: None,
            reason: format!("no household reference and no phone shared with a household: registered as a household of its own{hint}"),
        });
    }
    let households = groups
        .into_iter()
        .map(|(key, mut members)| {
            members.sort_by_key(|m| m.lines[0]);
            let mut phones: BTreeMap<&str, usize> = BTreeMap::new();
            for m in &members {
                if let Some(p) = &m.phone {
                    *phones.entry(p.as_str()).or_default() += 1;
                }
            }
            let contact = phones
                .iter()
                .max_by_key(|(_, n)| **n)
                .and_then(|(p, _)| PhoneNumber::parse(p).ok());
            let mut priorities: Vec<PriorityFlag> =
                members.iter().flat_map(|m| m.priorities.clone()).collect();
            priorities.sort();
            priorities.dedup();
            let notes: Vec<String> = members.iter().flat_map(|m| m.notes.clone()).collect();
            let stated = members.iter().find_map(|m| m.language);
            let language = if let Some(stated) = stated {
                stated
            } else if notes.iter().any(|n| n.to_lowercase().contains("pashto")) {
                Language::Pashto
            } else {
                Language::Dari
            };
            PlannedHousehold {
                key,
                contact_phone: contact,
                language,
                category: members.iter().find_map(|m| m.category),
                priorities,
                notes: (!notes.is_empty()).then(|| notes.join("; ")),
                location: members.iter().find_map(|m| m.coordinates),
                needs: TravelNeeds {
                    needs_vehicle_access: members.iter().any(|m| m.needs.needs_vehicle_access),
                    cannot_walk_far: members.iter().any(|m| m.needs.cannot_walk_far),
                },
                members,
            }
        })
        .collect();
    (households, reviews)
}
