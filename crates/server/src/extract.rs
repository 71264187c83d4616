//! Extractors whose rejections are [`ApiError`]s, so that malformed JSON, wrong types,
//! unknown enum values, bad path segments and oversized bodies all get the JSON error body;
//! and [`Call`], an endpoint's call in an operation, which runs store functions in the
//! caller's operation as the caller (`read`, `act`, `create`, `change`, `list`).

use crate::auth::OperationCaller;
use crate::wire::{Answer, Created};
use crate::{ApiError, App};
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use safeconduct_domain::{Expected, OperationId};
use safeconduct_store::{Actor, Store, StoreError};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);
pub struct ApiPath<T>(pub T);
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned + JsonSchema,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (headers, bytes) = body_of(req, state).await?;
        json_of(headers, bytes, state).await.map(ApiJson)
    }
}

/// A request's headers and its body, read under the route's limit.
async fn body_of<S: Send + Sync>(req: Request, state: &S) -> Result<(HeaderMap, Bytes), ApiError> {
    let headers = req.headers().clone();
    let bytes = Bytes::from_request(req, state)
        .await
        .map_err(|r| match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => body_too_large(),
            _ => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", r.body_text()),
        })?;
    Ok((headers, bytes))
}

/// The JSON value of a body read by [`body_of`]. An empty body is refused as missing (serde
/// would say "EOF while parsing"), before its content type is looked at.
async fn json_of<T, S>(headers: HeaderMap, bytes: Bytes, state: &S) -> Result<T, ApiError>
where
    T: DeserializeOwned + JsonSchema,
    S: Send + Sync,
{
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "missing_body",
            "this request takes a JSON body, and it had none",
        ));
    }
    let mut req = Request::new(axum::body::Body::from(bytes));
    *req.headers_mut() = headers;
    match axum::Json::<T>::from_request(req, state).await {
        Ok(axum::Json(v)) => Ok(v),
        Err(rejection) => Err(json_rejection::<T>(rejection)),
    }
}

/// A JSON body that may be left out: no body at all (whatever the content type) is `None`;
/// a body is read as [`ApiJson`] reads it. For the endpoints whose row in the endpoint table
/// says `optional body:`.
pub struct OptionalJson<T>(pub Option<T>);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    T: DeserializeOwned + JsonSchema,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (headers, bytes) = body_of(req, state).await?;
        if bytes.is_empty() {
            return Ok(OptionalJson(None));
        }
        Ok(OptionalJson(Some(json_of(headers, bytes, state).await?)))
    }
}

/// A body `T` could not be read from, as an [`ApiError`].
fn json_rejection<T: JsonSchema>(r: JsonRejection) -> ApiError {
    let text = r.body_text();
    match &r {
        JsonRejection::JsonDataError(_) => {
            let message = value_message(&strip_prefix(&text));
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                number_in_range::<T>(&message).unwrap_or(message),
            )
        }
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            strip_prefix(&text),
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with 'Content-Type: application/json'",
        ),
        _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => body_too_large(),
        _ => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", text),
    }
}

fn body_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!(
            "the request body is larger than {} bytes",
            crate::MAX_BODY_BYTES
        ),
    )
}

/// axum prefixes serde's message with a generic sentence; the field path and reason are
/// what a caller needs.
fn strip_prefix(text: &str) -> String {
    for prefix in [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to parse the request body as JSON: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    text.to_string()
}

/// A wrong value's message as a person reads it: the field's path and the reason, without
/// the parser's position (a value is named by its path, not by a column of the body) and
/// without the field's own name said again by the value's check (`members[0].birth_date:
/// birth_date: month must be 1..12 at line 1 column 76` → `members[0].birth_date: month must be
/// 1..12`).
fn value_message(text: &str) -> String {
    let mut text = text;
    if let Some(at) = text.rfind(" at line ") {
        let position = &text[at + " at line ".len()..];
        let numbers = position.split(" column ").collect::<Vec<_>>();
        if numbers.len() == 2 && numbers.iter().all(|n| n.parse::<u64>().is_ok()) {
            text = &text[..at];
        }
    }
    if let Some((path, rest)) = text.split_once(": ")
        && let Some((name, reason)) = rest.split_once(": ")
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return format!("{path}: {reason}");
    }
    text.to_string()
}

/// A whole number the parser refused as out of its type's range (negative, or too large:
/// `radius_m: invalid value: integer `-10`, expected u32`), said as the range the published
/// document gives the field (`radius_m: must be from 1 to 20000`), as the domain says it of a
/// number in its type but out of range; a page then says it in its own words. `None` for
/// another refusal (a fraction or a text is not out of range, and keeps the parser's words),
/// or a field the document gives no range.
fn number_in_range<T: JsonSchema>(message: &str) -> Option<String> {
    let (path, reason) = message.split_once(": ")?;
    let reason = reason.strip_prefix("invalid value: integer `")?;
    let (_, type_name) = reason.rsplit_once("`, expected ")?;
    let (low, high): (i64, i64) = match type_name {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, i64::MAX),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" => (i64::MIN, i64::MAX),
        _ => return None,
    };
    let schema = schemars::schema_for!(T);
    let field = field_schema(schema.as_value(), schema.as_value(), path)?;
    let bound = |key: &str| field.get(key).and_then(serde_json::Value::as_f64);
    let (min, max) = (bound("minimum"), bound("maximum"));
    if min.is_none() && max.is_none() {
        return None;
    }
    let range = Expected::Range {
        min: min.map_or(low, |m| m as i64),
        max: max.map_or(high, |m| m as i64),
    };
    Some(format!("{path}: {}", range.reason()))
}

/// The schema of the value at `path` (`members[1].capacity`) in `schema`, whose references
/// point into `root`.
fn field_schema<'a>(
    root: &'a serde_json::Value,
    schema: &'a serde_json::Value,
    path: &str,
) -> Option<&'a serde_json::Value> {
    let schema = resolved(root, schema);
    if path.is_empty() {
        return Some(schema);
    }
    // A value that may be null is one of its schemas: the one that has the path.
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(alternatives) = schema.get(key).and_then(serde_json::Value::as_array) {
            return alternatives
                .iter()
                .find_map(|s| field_schema(root, s, path));
        }
    }
    if let Some(rest) = path.strip_prefix('[') {
        let (_, rest) = rest.split_once(']')?;
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        return field_schema(root, schema.get("items")?, rest);
    }
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (name, rest) = path.split_at(end);
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    field_schema(root, schema.get("properties")?.get(name)?, rest)
}

/// `schema`, or what its `$ref` names in `root`.
fn resolved<'a>(
    root: &'a serde_json::Value,
    schema: &'a serde_json::Value,
) -> &'a serde_json::Value {
    match schema.get("$ref").and_then(serde_json::Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
            .unwrap_or(schema),
        None => schema,
    }
}

/// The header a client names a request with, so that sending it again (its answer was lost)
/// takes effect once.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The header on the answer to a request repeated with its key.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";
/// Longest idempotency key accepted.
const MOST_KEY_BYTES: usize = 255;

/// A JSON body with the request's `Idempotency-Key`, if it has one, fingerprinted by the
/// SHA-256 of the body as sent.
pub struct KeyedJson<T> {
    pub body: T,
    pub key: Option<safeconduct_store::RequestKey>,
}

impl<S, T> FromRequest<S> for KeyedJson<T>
where
    T: DeserializeOwned + JsonSchema,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let key = match req.headers().get(IDEMPOTENCY_KEY) {
            None => None,
            Some(v) => Some(
                v.to_str()
                    .ok()
                    .filter(|k| {
                        (1..=MOST_KEY_BYTES).contains(&k.len())
                            && k.bytes().all(|b| b.is_ascii_graphic())
                    })
                    .ok_or_else(|| {
                        ApiError::new(
                            StatusCode::BAD_REQUEST,
                            "invalid_idempotency_key",
                            format!(
                                "Idempotency-Key must be 1 to {MOST_KEY_BYTES} visible ASCII \
                                 characters, such as a random UUID"
                            ),
                        )
                    })?
                    .to_string(),
            ),
        };
        let (headers, bytes) = body_of(req, state).await?;
        let fingerprint = <sha2::Sha256 as sha2::Digest>::digest(&bytes).into();
        let body = json_of(headers, bytes, state).await?;
        Ok(KeyedJson {
            body,
            key: key.map(|key| safeconduct_store::RequestKey { key, fingerprint }),
        })
    }
}

/// An extractor of the request's parts whose rejection is an [`ApiError`] with this code and
/// axum's explanation.
macro_rules! parts_extractor {
    ($name:ident, $axum:ident, $code:literal) => {
        impl<S, T> FromRequestParts<S> for $name<T>
        where
            T: DeserializeOwned + Send,
            S: Send + Sync,
        {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
                axum::extract::$axum::<T>::from_request_parts(parts, state)
                    .await
                    .map(|v| $name(v.0))
                    .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, $code, r.body_text()))
            }
        }
    };
}

parts_extractor!(ApiPath, Path, "invalid_path");
parts_extractor!(ApiQuery, Query, "invalid_query");

/// A call of an endpoint in an operation: the application, the caller as the authorisation
/// layer checked them in the operation named in the path, and the rest of the path (the case,
/// rendezvous point, gate, batch or flight it is about, if any).
pub struct Call<P = OperationPath> {
    pub app: App,
    pub caller: OperationCaller,
    pub path: P,
}

/// The path of an endpoint about the operation as a whole: nothing but `{op}`, which the
/// authorisation layer reads.
#[derive(serde::Deserialize)]
pub struct OperationPath {}

impl<P> FromRequestParts<App> for Call<P>
where
    P: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let caller = OperationCaller::from_request_parts(parts, app).await?;
        let ApiPath(path) = ApiPath::<P>::from_request_parts(parts, app).await?;
        Ok(Call {
            app: app.clone(),
            caller,
            path,
        })
    }
}

impl<P> Call<P> {
    /// Runs `f` on the store in the caller's operation.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store, OperationId) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let op = self.caller.operation;
        self.app.run(move |s| f(s, op)).await
    }

    /// Runs the custody sweep of the caller's operation, so that the answer that follows
    /// shows every household past its batch's deadline as unaccounted.
    pub async fn swept(&self) -> Result<(), ApiError> {
        self.app
            .sweep_custody(Some(self.caller.operation))
            .await
            .map(|_| ())
    }

    /// Runs `f` on the store in the caller's operation, acting as the caller now.
    pub async fn act<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store, OperationId, &Actor) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let op = self.caller.operation;
        let actor = self.caller.actor(crate::now());
        self.app.run(move |s| f(s, op, &actor)).await
    }

    /// Creates something with `f` (as in [`Call::act`]) and answers it in its wire form.
    pub async fn create<T: Send + 'static, O: From<T>>(
        &self,
        f: impl FnOnce(&dyn Store, OperationId, &Actor) -> Result<T, StoreError> + Send + 'static,
    ) -> Created<O> {
        let out = self.act(f).await?;
        Ok((StatusCode::CREATED, axum::Json(out.into())))
    }

    /// Changes something with `f` (as in [`Call::act`]) and answers it in its wire form.
    pub async fn change<T: Send + 'static, O: From<T>>(
        &self,
        f: impl FnOnce(&dyn Store, OperationId, &Actor) -> Result<T, StoreError> + Send + 'static,
    ) -> Answer<O> {
        Ok(axum::Json(self.act(f).await?.into()))
    }

    /// The records `f` lists in the caller's operation, in their wire form.
    pub async fn list<T: Send + 'static, O: From<T>>(
        &self,
        f: impl FnOnce(&dyn Store, OperationId) -> Result<Vec<T>, StoreError> + Send + 'static,
    ) -> Answer<Vec<O>> {
        let rows = self.read(f).await?;
        Ok(axum::Json(rows.into_iter().map(Into::into).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::{number_in_range, value_message};

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Body {
        #[schemars(range(min = 1, max = 20000))]
        radius_m: u32,
        #[schemars(range(min = 5, max = 600))]
        minutes: Option<u32>,
        members: Vec<Member>,
        rv_id: i64,
    }

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Member {
        #[schemars(range(min = 0))]
        seat: u16,
    }

    #[test]
    fn a_number_the_parser_refuses_is_said_as_the_range_the_document_gives() {
        let said = |message: &str| number_in_range::<Body>(message);
        assert_eq!(
            said("radius_m: invalid value: integer `-10`, expected u32").as_deref(),
            Some("radius_m: must be from 1 to 20000")
        );
        assert_eq!(
            said("minutes: invalid value: integer `4294967296`, expected u32").as_deref(),
            Some("minutes: must be from 5 to 600")
        );
        // No maximum in the document: the type's.
        assert_eq!(
            said("members[2].seat: invalid value: integer `-1`, expected u16").as_deref(),
            Some("members[2].seat: must be from 0 to 65535")
        );
        // A fraction, a text or null is not out of range: left as the parser said it, as is a
        // refusal of another kind, and a field with no range in the document.
        assert_eq!(
            said("minutes: invalid type: floating point `150.5`, expected u32"),
            None
        );
        assert_eq!(said("minutes: invalid type: null, expected u32"), None);
        assert_eq!(
            said("rv_id: invalid value: integer `18446744073709551615`, expected i64"),
            None
        );
        assert_eq!(
            said("radius_m: unknown variant `x`, expected one of `a`, `b`"),
            None
        );
        assert_eq!(
            said("nowhere: invalid value: integer `-1`, expected u32"),
            None
        );
    }

    #[test]
    fn a_wrong_value_is_named_by_its_path_once_without_the_parsers_position() {
        assert_eq!(
            value_message(
                "members[0].birth_date: birth_date: month must be 1..12 at line 1 column 76"
            ),
            "members[0].birth_date: month must be 1..12"
        );
        assert_eq!(
            value_message("contact_phone: phone: a phone number starts with + at line 1 column 96"),
            "contact_phone: a phone number starts with +"
        );
        // Left as they are: a reason that is not a field's name, and a position in the text.
        assert_eq!(
            value_message("stage: unknown variant `x`, expected one of `a`, `b`"),
            "stage: unknown variant `x`, expected one of `a`, `b`"
        );
        assert_eq!(
            value_message("records: record 0 (seq 4): head_count: too many"),
            "records: record 0 (seq 4): head_count: too many"
        );
        assert_eq!(
            value_message("notes: stands at line 2"),
            "notes: stands at line 2"
        );
    }
}
