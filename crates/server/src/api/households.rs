//! Households: registration (once per `Idempotency-Key`), one case with its members and
//! documents, its events, the hotline lookup, and attaching a document to a member.
//!
//! Must not depend on: other resource modules. Lifecycle steps of a case are in `lifecycle`.

use crate::auth::OperationCaller;
use crate::endpoints::{Access::Roles, CASEWORK, COORDINATOR, Endpoint, OVERSIGHT, endpoint, json};
use crate::extract::{ApiJson, ApiQuery, Call, KeyedJson};
use crate::wire::{Answer, CasePath, CoordinateSchema, time_text};
use crate::{ApiError, App};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use safeconduct_domain::model::{DocumentType, EligibilityCategory, PriorityFlag};
use safeconduct_domain::values::{
    BirthDate, Coordinate, CountryCode, DocumentNumber, Language, PersonName, PhoneNumber,
    Timestamp,
};
use safeconduct_domain::*;
use safeconduct_store as store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(POST "/api/operations/{op}/households", Roles(COORDINATOR), h::register, "Register a household with its members", body: RegisterHousehold => json::<RegisteredOut>(201)),
        endpoint!(GET "/api/operations/{op}/households", Roles(COORDINATOR), h::cases_in_stage, "The cases in one stage, a page at a time in reference order (keyset: `after` is the last reference of the page before; `limit` 1 to 200, 50 if left out): reference, size, places and priority flags, no names", query: ["stage", "after", "limit"] => json::<CasesOut>(200)),
        endpoint!(GET "/api/operations/{op}/households/{reference}", Roles(COORDINATOR), h::household, "One case, with its members and documents" => json::<HouseholdOut>(200)),
        endpoint!(GET "/api/operations/{op}/households/{reference}/events", Roles(OVERSIGHT), h::case_events, "The movement events of one case" => json::<Vec<EventOut>>(200)),
        endpoint!(POST "/api/operations/{op}/lookup", Roles(CASEWORK), h::lookup, "Find a case by phone number or reference (hotline): its reference, stage and size, nothing of its people or places; both travel in the body, never in the address", body: LookupIn => json::<LookupOut>(200)),
        endpoint!(POST "/api/operations/{op}/households/{reference}/members/{person}/documents", Roles(COORDINATOR), h::attach_document, "Attach an identity document to a member", body: DocumentIn => json::<CreatedOut>(201)),
    ]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentIn {
    #[serde(rename = "type")]
    pub doc_type: DocumentType,
    /// Letters and digits; spaces and dashes are ignored.
    #[schemars(with = "String")]
    pub number: DocumentNumber,
    /// ISO 3166 country code.
    #[schemars(with = "Option<String>")]
    pub issuing_country: Option<CountryCode>,
    /// `YYYY-MM-DD`.
    #[schemars(with = "Option<String>")]
    pub expiry: Option<BirthDateLike>,
}

/// A full calendar date, `YYYY-MM-DD`.
#[derive(Deserialize)]
#[serde(try_from = "String")]
pub struct BirthDateLike(pub String);

impl TryFrom<String> for BirthDateLike {
    type Error = String;
    /// Read as a date of birth is (any digits), kept in ASCII digits; only a whole date.
    fn try_from(s: String) -> Result<Self, String> {
        BirthDate::parse(&s)
            .ok()
            .map(String::from)
            .filter(|date| date.len() == "YYYY-MM-DD".len())
            .map(BirthDateLike)
            .ok_or_else(|| "expiry: expected a date YYYY-MM-DD".into())
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    /// Name in Latin script.
    #[schemars(length(min = 1, max = 120))]
    pub name: String,
    /// Name in the person's own script (Dari, Pashto, Arabic…).
    pub name_native: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[schemars(with = "Option<String>")]
    pub birth_date: Option<BirthDate>,
    #[schemars(with = "Option<String>")]
    pub nationality: Option<CountryCode>,
    /// Any common form: +93…, 0093…, 07…; Persian digits accepted.
    #[schemars(with = "Option<String>")]
    pub phone: Option<PhoneNumber>,
    pub language: Option<Language>,
    #[serde(default)]
    pub documents: Vec<DocumentIn>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterHousehold {
    #[schemars(with = "Option<String>")]
    pub contact_phone: Option<PhoneNumber>,
    pub language: Language,
    pub category: Option<EligibilityCategory>,
    #[serde(default)]
    pub priorities: Vec<PriorityFlag>,
    #[schemars(length(max = safeconduct_domain::household::Notes::MAX_CHARS))]
    pub notes: Option<String>,
    #[schemars(length(min = 1, max = safeconduct_domain::household::NewHousehold::MAX_MEMBERS))]
    pub members: Vec<MemberIn>,
    /// Where the household is, approximately: kept rounded to 0.001° (about 100 m) and sealed
    /// like its other personal data. Must lie within 30 km of one of the operation's
    /// rendezvous points or gates. The planner measures travel from it.
    #[schemars(with = "Option<CoordinateSchema>")]
    pub location: Option<LocationIn>,
    /// Someone must be driven: only a rendezvous point with vehicle access.
    #[serde(default)]
    pub needs_vehicle_access: bool,
    /// Someone cannot walk far: only a rendezvous point within a short walk.
    #[serde(default)]
    pub cannot_walk_far: bool,
}

/// A position as stated; checked (and rounded) by the domain, which names what is wrong.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationIn {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Serialize, JsonSchema)]
pub struct RegisteredOut {
    pub reference: String,
    pub people: Vec<i64>,
}

#[derive(Serialize, JsonSchema)]
pub struct DocumentOut {
    pub id: i64,
    #[serde(rename = "type")]
    pub doc_type: DocumentType,
    pub number: String,
    pub issuing_country: Option<String>,
    pub expiry: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct PersonOut {
    pub id: i64,
    pub name: String,
    pub name_native: Option<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub phone: Option<String>,
    pub language: Option<Language>,
    pub documents: Vec<DocumentOut>,
}

#[derive(Serialize, JsonSchema)]
pub struct HouseholdOut {
    pub reference: String,
    pub stage: Stage,
    /// Steps the case may take next.
    pub allowed_steps: Vec<Step>,
    pub size: u32,
    pub contact_phone: Option<String>,
    pub language: Language,
    pub category: Option<EligibilityCategory>,
    pub priorities: Vec<PriorityFlag>,
    pub notes: Option<String>,
    /// Where the household is, rounded to about 100 m, if registration stated it.
    #[schemars(with = "Option<CoordinateSchema>")]
    pub location: Option<Coordinate>,
    pub needs_vehicle_access: bool,
    pub cannot_walk_far: bool,
    pub window_id: Option<i64>,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub flight_id: Option<i64>,
    pub pass_index: Option<i64>,
    pub members: Vec<PersonOut>,
    /// Members apart from the household's stage, each in their own (left in escort when the
    /// others arrived, unaccounted, resolved on their own); the others are in `stage`.
    pub members_apart: Vec<MemberApartOut>,
    pub registered_at: String,
    pub updated_at: String,
}

#[derive(Serialize, JsonSchema)]
pub struct MemberApartOut {
    pub person_id: i64,
    pub stage: Stage,
    /// The flight they are manifested on apart from the household (checked in after it was
    /// manifested); absent before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flight_id: Option<i64>,
}

impl From<store::Household> for HouseholdOut {
    fn from(h: store::Household) -> Self {
        HouseholdOut {
            reference: h.reference.to_string(),
            stage: h.stage,
            allowed_steps: h.stage.allowed_steps(),
            size: h.members.len() as u32,
            contact_phone: h.contact_phone.map(String::from),
            language: h.language,
            category: h.category,
            priorities: h.priorities,
            notes: h.notes.map(|n| n.as_str().to_string()),
            location: h.location,
            needs_vehicle_access: h.needs.needs_vehicle_access,
            cannot_walk_far: h.needs.cannot_walk_far,
            window_id: h.window.map(|x| x.0),
            rv_id: h.rv.map(|x| x.0),
            gate_id: h.gate.map(|x| x.0),
            batch_id: h.batch.map(|x| x.0),
            flight_id: h.flight.map(|x| x.0),
            pass_index: h.pass_index,
            members_apart: h
                .apart
                .iter()
                .map(|m| MemberApartOut {
                    person_id: m.person.0,
                    stage: m.stage,
                    flight_id: m.flight.map(|f| f.0),
                })
                .collect(),
            members: h
                .members
                .into_iter()
                .map(|p| PersonOut {
                    id: p.id.0,
                    name: p.name.latin().to_string(),
                    name_native: p.name.native().map(str::to_string),
                    birth_date: p.birth_date.map(String::from),
                    nationality: p.nationality.map(String::from),
                    phone: p.phone.map(String::from),
                    language: p.language,
                    documents: p
                        .documents
                        .into_iter()
                        .map(|d| DocumentOut {
                            id: d.id.0,
                            doc_type: d.doc_type,
                            number: String::from(d.number),
                            issuing_country: d.issuing_country.map(String::from),
                            expiry: d.expiry,
                        })
                        .collect(),
                })
                .collect(),
            registered_at: time_text(h.registered_at),
            updated_at: time_text(h.updated_at),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct LookupOut {
    pub cases: Vec<FoundCaseOut>,
}

/// A case a lookup found: enough to open it on the hotline (`POST …/hotline/cases/{reference}`),
/// nothing of its people, its home or its places. The whole case is the coordinator's
/// (`GET …/households/{reference}`).
#[derive(Serialize, JsonSchema)]
pub struct FoundCaseOut {
    pub reference: String,
    pub stage: Stage,
    pub size: u32,
}

impl From<store::Household> for FoundCaseOut {
    fn from(h: store::Household) -> Self {
        FoundCaseOut {
            reference: h.reference.to_string(),
            stage: h.stage,
            size: h.members.len() as u32,
        }
    }
}

/// What a caller gave to be found by: exactly one of the two.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupIn {
    /// Phone number in any common form.
    pub phone: Option<String>,
    /// Case reference, with or without the dash.
    pub reference: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct CreatedOut {
    pub id: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct EventOut {
    pub id: i64,
    pub kind: String,
    pub from: Option<Stage>,
    pub to: Option<Stage>,
    pub user_id: Option<i64>,
    pub role: Option<Role>,
    pub device: Option<String>,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub at: String,
}

impl From<store::Event> for EventOut {
    fn from(e: store::Event) -> Self {
        EventOut {
            id: e.id,
            kind: e.kind,
            from: e.from,
            to: e.to,
            user_id: e.user.map(|u| u.0),
            role: e.role,
            device: e.device,
            rv_id: e.rv.map(|x| x.0),
            gate_id: e.gate.map(|x| x.0),
            at: time_text(e.at),
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CasesQuery {
    /// The stage listed (`processed`, `unaccounted`…).
    pub stage: Option<String>,
    /// The last reference of the page before; left out for the first page.
    pub after: Option<String>,
    /// Cases per page, 1 to 200 (50 if left out).
    pub limit: Option<String>,
}

/// One case of a list: nothing that names or reaches a person.
#[derive(Serialize, JsonSchema)]
pub struct CaseRowOut {
    pub reference: String,
    pub stage: Stage,
    pub size: u32,
    pub priorities: Vec<PriorityFlag>,
    pub window_id: Option<i64>,
    pub rv_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub flight_id: Option<i64>,
    /// Unaccounted households only: the alarm was already resolved (recorded missing).
    pub resolved: bool,
    pub updated_at: String,
}

#[derive(Serialize, JsonSchema)]
pub struct CasesOut {
    pub cases: Vec<CaseRowOut>,
    /// The `after` of the next page; null on the last page.
    pub next: Option<String>,
}

/// The most cases one page of a list holds, and how many when the caller does not say.
pub const CASES_PAGE_MOST: usize = 200;
const CASES_PAGE_DEFAULT: usize = 50;

/// The path of a member of a case.
#[derive(Deserialize)]
pub struct PersonPath {
    reference: String,
    person: i64,
}

/// The household `body` registers at `at`.
pub(crate) fn new_household(
    body: RegisterHousehold,
    at: Timestamp,
) -> Result<store::NewHousehold, ApiError> {
    let members = body
        .members
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            // A refused name is named by its member's place in the list, as the body's
            // parser names the member's other fields (`members[1].name_native`).
            let name =
                PersonName::new(&m.name, m.name_native.as_deref()).map_err(|e| e.of_member(i))?;
            Ok(store::NewPerson::new(
                name,
                m.birth_date,
                m.nationality,
                m.phone,
                m.language,
                m.documents
                    .into_iter()
                    .map(|d| {
                        store::NewDocument::new(
                            d.doc_type,
                            d.number,
                            d.issuing_country,
                            d.expiry.map(|e| e.0),
                        )
                    })
                    .collect(),
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let notes = match body.notes.as_deref() {
        Some(n) => store::Notes::parse(n)?,
        None => None,
    };
    let location = body
        .location
        .map(|l| store::ApproximateLocation::parse(l.lat, l.lon))
        .transpose()?;
    let needs = store::TravelNeeds {
        needs_vehicle_access: body.needs_vehicle_access,
        cannot_walk_far: body.cannot_walk_far,
    };
    Ok(store::NewHousehold::new(
        body.contact_phone,
        body.language,
        body.category,
        body.priorities,
        notes,
        members,
        at,
    )?
    .located(location, needs))
}

/// Registers a household. Sent with an `Idempotency-Key`, the same request sent again (its
/// answer was lost) gets the first answer, marked `Idempotent-Replayed: true`, and registers
/// nobody twice.
pub async fn register(
    State(app): State<App>,
    caller: OperationCaller,
    KeyedJson { body, key }: KeyedJson<RegisterHousehold>,
) -> Result<(StatusCode, axum::http::HeaderMap, Json<RegisteredOut>), ApiError> {
    let id = caller.operation;
    let actor = caller.actor(crate::now());
    let household = new_household(body, actor.at)?;
    let (r, replayed) = match key {
        Some(key) => {
            app.run(move |s| {
                s.register_household_once(
                    id,
                    &household,
                    &key,
                    &mut safeconduct_keys::random_reference,
                    &actor,
                )
            })
            .await?
        }
        None => {
            let mut registered = app
                .run(move |s| {
                    s.register_households(
                        id,
                        &[household],
                        &mut safeconduct_keys::random_reference,
                        &actor,
                    )
                })
                .await?;
            (registered.pop().ok_or_else(ApiError::internal)?, false)
        }
    };
    let mut headers = axum::http::HeaderMap::new();
    if replayed {
        headers.insert(
            crate::extract::IDEMPOTENT_REPLAYED,
            axum::http::HeaderValue::from_static("true"),
        );
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(RegisteredOut {
            reference: r.reference.to_string(),
            people: r.people.iter().map(|p| p.0).collect(),
        }),
    ))
}

/// A page of the cases in one stage. Not a read of personal data: a reference, a size,
/// places, times and priority flags are the case attributes kept in clear (ARCHITECTURE.md,
/// "No personal data is stored in clear"), the same the hotline's worklist lists. Still, who
/// looked at which cases is audited ([`crate::endpoints::AUDITED_LISTS`]): each page's entry
/// names the stage, how many and the references returned, written before the page is shown.
pub async fn cases_in_stage(
    audit: crate::read_audit::PendingReadAudit,
    call: Call,
    ApiQuery(q): ApiQuery<CasesQuery>,
) -> Answer<CasesOut> {
    let stage = q
        .stage
        .as_deref()
        .ok_or_else(|| ApiError::invalid("stage", "required: the stage to list"))?;
    let stage =
        Stage::parse(stage).ok_or_else(|| ApiError::invalid("stage", "not a lifecycle stage"))?;
    let after = match q.after.as_deref() {
        Some(a) => Some(
            CaseReference::parse(a)
                .map_err(|_| ApiError::invalid("after", "not a case reference"))?,
        ),
        None => None,
    };
    let limit = match q.limit.as_deref() {
        None => CASES_PAGE_DEFAULT,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=CASES_PAGE_MOST).contains(l))
            .ok_or_else(|| ApiError::invalid("limit", "a whole number from 1 to 200"))?,
    };
    if matches!(stage, Stage::InEscort | Stage::Unaccounted) {
        call.swept().await?;
    }
    let page = store::CasePage {
        stage,
        after,
        limit,
    };
    let cases = call.read(move |s, id| s.cases_in_stage(id, &page)).await?;
    let asked = format!("stage {}, {} returned", stage.as_str(), cases.len());
    audit
        .write_asked(
            &call.app,
            Some(asked),
            cases.iter().map(|c| c.reference.clone()),
        )
        .await?;
    let next = (cases.len() == limit)
        .then(|| cases.last().map(|c| c.reference.to_string()))
        .flatten();
    Ok(Json(CasesOut {
        cases: cases
            .into_iter()
            .map(|c| CaseRowOut {
                reference: c.reference.to_string(),
                stage: c.stage,
                size: c.size,
                priorities: c.priorities,
                window_id: c.window.map(|x| x.0),
                rv_id: c.rv.map(|x| x.0),
                gate_id: c.gate.map(|x| x.0),
                batch_id: c.batch.map(|x| x.0),
                flight_id: c.flight.map(|x| x.0),
                resolved: c.resolved,
                updated_at: time_text(c.updated_at),
            })
            .collect(),
        next,
    }))
}

pub async fn household(call: Call<CasePath>) -> Answer<HouseholdOut> {
    let id = call.caller.operation;
    let reference = CaseReference::parse(&call.path.reference)?;
    let h = call.app.run(move |s| s.household(id, &reference)).await?;
    Ok(Json(h.into()))
}

pub async fn case_events(call: Call<CasePath>) -> Answer<Vec<EventOut>> {
    let id = call.caller.operation;
    let reference = CaseReference::parse(&call.path.reference)?;
    let events = call.app.run(move |s| s.case_events(id, &reference)).await?;
    Ok(Json(events.into_iter().map(Into::into).collect()))
}

pub async fn lookup(
    audit: crate::read_audit::PendingReadAudit,
    call: Call,
    ApiJson(q): ApiJson<LookupIn>,
) -> Answer<LookupOut> {
    let Call { app, caller, .. } = call;
    let id = caller.operation;
    let cases = match (q.phone, q.reference) {
        (Some(phone), None) => {
            let phone = PhoneNumber::parse(&phone)?;
            app.run(move |s| s.households_by_phone(id, &phone)).await?
        }
        (None, Some(reference)) => {
            let reference = CaseReference::parse(&reference)?;
            match app.run(move |s| s.household(id, &reference)).await {
                Ok(h) => vec![h],
                Err(e) if e.status == StatusCode::NOT_FOUND => vec![],
                Err(e) => return Err(e),
            }
        }
        _ => {
            return Err(ApiError::body("give exactly one of phone or reference"));
        }
    };
    // Logged with the cases it found before any of them is shown.
    audit
        .write(&app, cases.iter().map(|c| c.reference.clone()))
        .await?;
    Ok(Json(LookupOut {
        cases: cases.into_iter().map(Into::into).collect(),
    }))
}

pub async fn attach_document(
    call: Call<PersonPath>,
    ApiJson(body): ApiJson<DocumentIn>,
) -> Result<(StatusCode, Json<CreatedOut>), ApiError> {
    let Call { app, caller, path } = call;
    let id = caller.operation;
    let reference = CaseReference::parse(&path.reference)?;
    let document = store::NewDocument::new(
        body.doc_type,
        body.number,
        body.issuing_country,
        body.expiry.map(|e| e.0),
    );
    let actor = caller.actor(crate::now());
    let person = PersonId(path.person);
    let doc = app
        .run(move |s| s.attach_document(id, &reference, person, &document, &actor))
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id: doc.0 })))
}

#[cfg(test)]
mod tests {
    use super::BirthDateLike;

    #[test]
    fn a_document_expiry_is_a_whole_date_kept_in_ascii_digits() {
        let expiry = |text: &str| BirthDateLike::try_from(text.to_string()).map(|d| d.0);
        assert_eq!(expiry("۲۰۳۱-۰۱-۰۱").as_deref(), Ok("2031-01-01"));
        assert_eq!(expiry("2031-۱-01").as_deref(), Ok("2031-01-01"));
        assert!(expiry("2031-01").is_err());
        assert!(expiry("2031-02-30").is_err());
    }
}
