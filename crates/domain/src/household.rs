//! A household as it is registered: its members, their documents, its needs and notes.
//! Built one way, by [`NewHousehold::new`], whoever registers it (the API, a spreadsheet
//! import, a generator): a `NewHousehold` that exists keeps every rule of registration.
//!
//! Knows nothing of storage, sealing or wire formats; the store reads a household through
//! its accessors.

use crate::error::DomainError;
use crate::expected::Expected;
use crate::model::{DocumentType, EligibilityCategory, PriorityFlag};
use crate::values::{
    BirthDate, CountryCode, DocumentNumber, Language, PersonName, PhoneNumber, Text, Timestamp,
};
use crate::whereabouts::{ApproximateLocation, TravelNeeds};

/// Free-text notes about a household: trimmed, at most [`Notes::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notes(Text);

impl Notes {
    pub const MAX_CHARS: usize = 2000;

    /// Notes that are blank are no notes: `None`.
    pub fn parse(input: &str) -> Result<Option<Self>, DomainError> {
        if input.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(Notes(Text::parse_lines(
            "notes",
            input,
            Self::MAX_CHARS,
        )?)))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// An identity document of a person being registered.
#[derive(Debug, Clone)]
pub struct NewDocument {
    doc_type: DocumentType,
    number: DocumentNumber,
    issuing_country: Option<CountryCode>,
    expiry: Option<String>,
}

impl NewDocument {
    /// `expiry` is a date, `YYYY-MM-DD`.
    pub fn new(
        doc_type: DocumentType,
        number: DocumentNumber,
        issuing_country: Option<CountryCode>,
        expiry: Option<String>,
    ) -> Self {
        NewDocument {
            doc_type,
            number,
            issuing_country,
            expiry,
        }
    }

    pub fn doc_type(&self) -> DocumentType {
        self.doc_type
    }
    pub fn number(&self) -> &DocumentNumber {
        &self.number
    }
    pub fn issuing_country(&self) -> Option<&CountryCode> {
        self.issuing_country.as_ref()
    }
    /// `YYYY-MM-DD`.
    pub fn expiry(&self) -> Option<&str> {
        self.expiry.as_deref()
    }
}

/// A member of a household being registered.
#[derive(Debug, Clone)]
pub struct NewPerson {
    name: PersonName,
    birth_date: Option<BirthDate>,
    nationality: Option<CountryCode>,
    phone: Option<PhoneNumber>,
    language: Option<Language>,
    documents: Vec<NewDocument>,
}

impl NewPerson {
    pub fn new(
        name: PersonName,
        birth_date: Option<BirthDate>,
        nationality: Option<CountryCode>,
        phone: Option<PhoneNumber>,
        language: Option<Language>,
        documents: Vec<NewDocument>,
    ) -> Self {
        NewPerson {
            name,
            birth_date,
            nationality,
            phone,
            language,
            documents,
        }
    }

    pub fn name(&self) -> &PersonName {
        &self.name
    }
    pub fn birth_date(&self) -> Option<BirthDate> {
        self.birth_date
    }
    pub fn nationality(&self) -> Option<&CountryCode> {
        self.nationality.as_ref()
    }
    pub fn phone(&self) -> Option<&PhoneNumber> {
        self.phone.as_ref()
    }
    pub fn language(&self) -> Option<Language> {
        self.language
    }
    pub fn documents(&self) -> &[NewDocument] {
        &self.documents
    }

    /// Whether the member may be a minor (younger than [`MINOR_BELOW_AGE`]) at `at`, as far as
    /// the date of birth tells; unknown dates count as adults. A minor without a document of
    /// their own is covered by a documented adult of the household (a child listed on a
    /// parent's passport): see [`crate::lifecycle::CaseState::all_members_documented`].
    pub fn may_be_minor_at(&self, at: Timestamp) -> bool {
        self.birth_date
            .is_some_and(|b| b.may_be_younger_than(MINOR_BELOW_AGE, at))
    }
}

/// People younger than this are minors, whom a guardian's document may cover.
pub const MINOR_BELOW_AGE: u16 = 18;

/// A household being registered: 1 to [`NewHousehold::MAX_MEMBERS`] members, its priority
/// needs each named once, in order.
#[derive(Debug, Clone)]
pub struct NewHousehold {
    contact_phone: Option<PhoneNumber>,
    language: Language,
    category: Option<EligibilityCategory>,
    priorities: Vec<PriorityFlag>,
    notes: Option<Notes>,
    members: Vec<NewPerson>,
    location: Option<ApproximateLocation>,
    needs: TravelNeeds,
}

impl NewHousehold {
    /// The most people registered as one household.
    pub const MAX_MEMBERS: usize = 60;

    /// Priorities may come in any order and more than once; they are kept sorted, each once.
    /// `registered_at` is when the household registers: no member was born after its day.
    pub fn new(
        contact_phone: Option<PhoneNumber>,
        language: Language,
        category: Option<EligibilityCategory>,
        mut priorities: Vec<PriorityFlag>,
        notes: Option<Notes>,
        members: Vec<NewPerson>,
        registered_at: Timestamp,
    ) -> Result<Self, DomainError> {
        if members.is_empty() || members.len() > Self::MAX_MEMBERS {
            return Err(DomainError::invalid(
                "members",
                format!("a household has 1 to {} members", Self::MAX_MEMBERS),
            ));
        }
        if let Some(i) = members
            .iter()
            .position(|m| m.birth_date.is_some_and(|b| b.is_after(registered_at)))
        {
            return Err(DomainError::expected("birth_date", Expected::NotFuture).of_member(i));
        }
        priorities.sort();
        priorities.dedup();
        Ok(NewHousehold {
            contact_phone,
            language,
            category,
            priorities,
            notes,
            members,
            location: None,
            needs: TravelNeeds::default(),
        })
    }

    /// The household with where it is and what it needs of the way to its RV. Whether the
    /// location lies in the operation's area is checked where the operation's places are
    /// known: at registration, in the store ([`crate::whereabouts::OperationArea`]).
    pub fn located(mut self, location: Option<ApproximateLocation>, needs: TravelNeeds) -> Self {
        self.location = location;
        self.needs = needs;
        self
    }

    pub fn contact_phone(&self) -> Option<&PhoneNumber> {
        self.contact_phone.as_ref()
    }
    pub fn language(&self) -> Language {
        self.language
    }
    pub fn category(&self) -> Option<EligibilityCategory> {
        self.category
    }
    /// Sorted, each flag once.
    pub fn priorities(&self) -> &[PriorityFlag] {
        &self.priorities
    }
    pub fn notes(&self) -> Option<&Notes> {
        self.notes.as_ref()
    }
    /// At least one, at most [`NewHousehold::MAX_MEMBERS`].
    pub fn members(&self) -> &[NewPerson] {
        &self.members
    }
    pub fn location(&self) -> Option<ApproximateLocation> {
        self.location
    }
    pub fn needs(&self) -> TravelNeeds {
        self.needs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> NewPerson {
        NewPerson::new(
            PersonName::new(name, None).unwrap(),
            None,
            None,
            None,
            None,
            vec![],
        )
    }

    fn household(
        members: usize,
        priorities: Vec<PriorityFlag>,
    ) -> Result<NewHousehold, DomainError> {
        NewHousehold::new(
            None,
            Language::Dari,
            None,
            priorities,
            None,
            (0..members)
                .map(|i| person(&format!("Member {i}")))
                .collect(),
            TODAY,
        )
    }

    /// 2026-11-27, noon UTC.
    const TODAY: Timestamp = Timestamp(1_795_780_800);

    #[test]
    fn a_member_born_after_the_day_of_registration_is_refused_by_their_place() {
        let born = |date: &str| {
            NewPerson::new(
                PersonName::new("Member", None).unwrap(),
                Some(BirthDate::parse(date).unwrap()),
                None,
                None,
                None,
                vec![],
            )
        };
        let register = |second: &str| {
            NewHousehold::new(
                None,
                Language::Dari,
                None,
                vec![],
                None,
                vec![born("1980"), born(second)],
                TODAY,
            )
        };
        assert!(
            register("2026-11-28").is_ok(),
            "the day already begun east of UTC"
        );
        assert!(register("2026").is_ok());
        assert_eq!(
            register("2035-01-01").unwrap_err().to_string(),
            "members[1].birth_date: must not be in the future"
        );
        assert_eq!(
            register("2026-12").unwrap_err().to_string(),
            "members[1].birth_date: must not be in the future"
        );
    }

    #[test]
    fn household_without_members_is_refused() {
        assert_eq!(
            household(0, vec![]).unwrap_err().to_string(),
            "members: a household has 1 to 60 members"
        );
    }

    #[test]
    fn household_over_sixty_members_is_refused() {
        assert!(household(60, vec![]).is_ok());
        assert_eq!(
            household(61, vec![]).unwrap_err().to_string(),
            "members: a household has 1 to 60 members"
        );
    }

    #[test]
    fn priorities_are_sorted_and_named_once() {
        use PriorityFlag::*;
        let h = household(1, vec![Pregnancy, Medical, Pregnancy, Elderly, Medical]).unwrap();
        assert_eq!(h.priorities(), &[Medical, Elderly, Pregnancy]);
    }

    #[test]
    fn blank_notes_are_no_notes() {
        assert_eq!(Notes::parse("").unwrap(), None);
        assert_eq!(Notes::parse(" \n\t ").unwrap(), None);
    }

    #[test]
    fn notes_are_trimmed() {
        let n = Notes::parse("  needs a wheelchair \n").unwrap().unwrap();
        assert_eq!(n.as_str(), "needs a wheelchair");
    }

    #[test]
    fn notes_over_2000_characters_are_refused() {
        assert!(Notes::parse(&"é".repeat(2000)).unwrap().is_some());
        assert_eq!(
            Notes::parse(&"é".repeat(2001)).unwrap_err().to_string(),
            "notes: must be at most 2000 characters"
        );
    }

    #[test]
    fn notes_with_control_characters_are_refused() {
        assert_eq!(
            Notes::parse("call\u{7}first").unwrap_err().to_string(),
            "notes: must not contain a control character (U+0007)"
        );
        assert!(Notes::parse("line one\nline two").unwrap().is_some());
    }
}
