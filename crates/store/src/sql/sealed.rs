//! The personal fields of households, people and documents as they are sealed (see
//! [`crate::vault`]), and their conversion from and to the domain's types. Every column of
//! personal data the store once held in clear is one of these fields; nothing else in the
//! schema carries a name, a phone number, a birth date or a document number.

use crate::types::{Document, NewDocument, NewHousehold, NewPerson, Person};
use crate::vault::{DataKey, Index, Record};
use crate::{Result, StoreError};
use safeconduct_domain::matching::latin_name_key;
use safeconduct_domain::model::DocumentType;
use safeconduct_domain::values::{
    BirthDate, Coordinate, CountryCode, DocumentNumber, Language, PersonName, PhoneNumber, Text,
};
use safeconduct_domain::whereabouts::TravelNeeds;
use safeconduct_domain::{DocumentId, PersonId};
use serde::{Deserialize, Serialize};

/// A household's personal fields. Where it is and what it needs of the way to its RV came
/// later: a record sealed before has none of them, and reads as unknown and no need.
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct HouseholdFields {
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Coordinate>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_vehicle_access: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cannot_walk_far: bool,
}

impl HouseholdFields {
    pub fn of(h: &NewHousehold) -> Self {
        HouseholdFields {
            contact_phone: h.contact_phone().map(|p| p.as_str().to_string()),
            notes: h.notes().map(|n| n.as_str().to_string()),
            location: h.location().map(|l| l.coordinate()),
            needs_vehicle_access: h.needs().needs_vehicle_access,
            cannot_walk_far: h.needs().cannot_walk_far,
        }
    }
    pub fn needs(&self) -> TravelNeeds {
        TravelNeeds {
            needs_vehicle_access: self.needs_vehicle_access,
            cannot_walk_far: self.cannot_walk_far,
        }
    }
    pub fn contact_phone(&self) -> Result<Option<PhoneNumber>> {
        Ok(self
            .contact_phone
            .as_deref()
            .map(PhoneNumber::parse)
            .transpose()?)
    }
    pub fn notes(&self) -> Result<Option<Text>> {
        Ok(self.notes.clone().map(Text::from_stored))
    }
}

/// A person's personal fields.
#[derive(Serialize, Deserialize)]
pub(crate) struct PersonFields {
    pub latin: String,
    pub native: Option<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub phone: Option<String>,
    pub language: Option<Language>,
}

impl PersonFields {
    pub fn of(m: &NewPerson) -> Self {
        PersonFields {
            latin: m.name().latin().to_string(),
            native: m.name().native().map(str::to_string),
            birth_date: m.birth_date().map(String::from),
            nationality: m.nationality().map(|c| c.as_str().to_string()),
            phone: m.phone().map(|p| p.as_str().to_string()),
            language: m.language(),
        }
    }

    /// The person without documents.
    pub fn person(self, id: PersonId) -> Result<Person> {
        Ok(Person {
            id,
            name: self.name()?,
            birth_date: self.birth_date()?,
            nationality: self.nationality()?,
            phone: self.phone()?,
            language: self.language,
            documents: Vec::new(),
        })
    }

    pub fn name(&self) -> Result<PersonName> {
        Ok(PersonName::from_stored(
            self.latin.clone(),
            self.native.clone(),
        ))
    }
    pub fn birth_date(&self) -> Result<Option<BirthDate>> {
        Ok(self
            .birth_date
            .as_deref()
            .map(BirthDate::parse)
            .transpose()?)
    }
    pub fn birth_year(&self) -> Result<Option<u16>> {
        Ok(self.birth_date()?.map(|b| b.year()))
    }
    pub fn nationality(&self) -> Result<Option<CountryCode>> {
        Ok(self
            .nationality
            .as_deref()
            .map(CountryCode::parse)
            .transpose()?)
    }
    pub fn phone(&self) -> Result<Option<PhoneNumber>> {
        Ok(self.phone.as_deref().map(PhoneNumber::parse).transpose()?)
    }
    pub fn name_key(&self) -> String {
        latin_name_key(&self.latin)
    }

    /// The blind indexes a person row carries: phone, and name key with birth year.
    pub fn indexes(&self, key: &DataKey) -> Result<(Option<Vec<u8>>, Vec<u8>)> {
        Ok((
            self.phone.as_deref().map(|p| key.index(Index::Phone, p)),
            key.name_year_index(&self.name_key(), self.birth_year()?),
        ))
    }
}

/// A document's personal fields. Its type stays in clear: it is counted, not personal.
#[derive(Serialize, Deserialize)]
pub(crate) struct DocumentFields {
    pub number: String,
    pub issuing_country: Option<String>,
    pub expiry: Option<String>,
}

impl DocumentFields {
    pub fn of(d: &NewDocument) -> Self {
        DocumentFields {
            number: d.number().as_str().to_string(),
            issuing_country: d.issuing_country().map(|c| c.as_str().to_string()),
            expiry: d.expiry().map(str::to_string),
        }
    }

    pub fn number(&self) -> Result<DocumentNumber> {
        Ok(DocumentNumber::parse(&self.number)?)
    }

    pub fn document(self, id: DocumentId, doc_type: &str) -> Result<Document> {
        Ok(Document {
            id,
            doc_type: DocumentType::parse(doc_type).ok_or_else(|| {
                StoreError::Internal(format!("unexpected document type {doc_type:?}"))
            })?,
            number: self.number()?,
            issuing_country: self
                .issuing_country
                .as_deref()
                .map(CountryCode::parse)
                .transpose()?,
            expiry: self.expiry,
        })
    }
}

/// Opens a record's sealed column, read as bytes from `row` at `i`.
pub(crate) fn open<T: serde::de::DeserializeOwned>(
    key: &DataKey,
    record: Record,
    id: i64,
    row: &super::Row,
    i: usize,
) -> Result<T> {
    match row.opt_bytes(i)? {
        Some(sealed) => key.open(record, id, &sealed),
        None => Err(StoreError::Internal(format!(
            "the personal data of a {record:?} row ({id}) is missing"
        ))),
    }
}
