//! The OpenAPI 3.1 document, generated from the endpoint table and the wire types. The copy
//! committed at `docs/openapi.json` is checked against it by a test.
//!
//! Must not depend on: the resource modules' handlers; it reads the merged table only.

use crate::endpoints::{Access, Endpoint, Reply};
use crate::wire::ErrorOut;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// The document of the whole API.
pub fn document() -> Value {
    describe(&crate::api::endpoints())
}

/// The document of the endpoints of `table`.
pub fn describe(table: &[Endpoint]) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    settings.meta_schema = None;
    let mut generator = settings.into_generator();
    let error_ref = generator.subschema_for::<ErrorOut>();
    let mut paths: Map<String, Value> = Map::new();
    for e in table {
        let mut op = Map::new();
        op.insert(
            "operationId".into(),
            json!(e.operation_id.trim_start_matches("h::")),
        );
        op.insert("summary".into(), json!(e.summary));
        let who = match e.access {
            Access::Open => "Open to anyone.".to_string(),
            Access::SignedIn => "Any signed-in user.".to_string(),
            Access::Roles(roles) => format!(
                "Roles in the operation: {}.",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let who = if e.is_bulk_export() {
            format!(
                "{who} A bulk export of personal data: refused (422 reason_required) without a reason in the X-Reason header, which is written to the audit log with the call."
            )
        } else if e.reads_personal_data() {
            format!(
                "{who} Reads personal data: each call is written to the audit log before it is answered, naming the case by its canonical reference, with the reason given in the X-Reason header (stored sealed under the operation's data key)."
            )
        } else if e.is_audited() {
            format!(
                "{who} Lists cases: each call is written to the audit log with what was asked and the references it returned."
            )
        } else {
            who
        };
        let who = if crate::endpoints::CASE_PARTS.contains(&e.operation_id) {
            format!(
                "{who} Answers with a part of one case: free within a minute of the same user's counted read of the case by its reference; otherwise counted among the case reads per minute the server allows (429 beyond)."
            )
        } else if crate::endpoints::LOOKUPS.contains(&e.operation_id) {
            format!(
                "{who} Answers with one case: limited per user, whichever token, to the case reads per minute the server allows (429 beyond)."
            )
        } else {
            who
        };
        op.insert("description".into(), json!(who));
        op.insert("x-audited".into(), json!(e.is_audited()));
        op.insert(
            "x-roles".into(),
            match e.access {
                Access::Roles(roles) => json!(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
                Access::SignedIn => json!(["signed_in"]),
                Access::Open => json!([]),
            },
        );
        op.insert(
            "security".into(),
            if e.access == Access::Open {
                json!([])
            } else {
                json!([{ "bearer": [] }])
            },
        );
        let mut params: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                let schema = if name == "reference" {
                    json!({ "type": "string", "pattern": "^[2-9A-HJKMNP-Za-hjkmnp-z]{4}-?[2-9A-HJKMNP-Za-hjkmnp-z]{4}$" })
                } else {
                    json!({ "type": "integer", "format": "int64" })
                };
                json!({ "name": name, "in": "path", "required": true, "schema": schema })
            })
            .collect();
        params.extend(e.query.iter().map(|q| {
            json!({ "name": q, "in": "query", "required": false, "schema": { "type": "string" } })
        }));
        if e.access != Access::Open || e.path.contains('{') {
            params.push(json!({
                "name": "X-Device-Id", "in": "header", "required": false,
                "description": "Identifier of the field device, recorded with every event as the caller states it; the names the server records itself (device/N, an enrolled device's, and cli) are refused.",
                "schema": { "type": "string", "maxLength": 64 }
            }));
        }
        if e.takes_idempotency_key() {
            params.push(json!({
                "name": "Idempotency-Key", "in": "header", "required": false,
                "description": "A new random key (a UUID) for each new request. Sent again with the same key and body (the first answer was lost), the request is answered as the first time, with the header Idempotent-Replayed: true, and takes effect once; the same key with another body is refused (409).",
                "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$" }
            }));
        }
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(req) = e.request {
            let schema = req(&mut generator);
            op.insert(
                "requestBody".into(),
                json!({
                    "required": !e.body_optional,
                    "content": { "application/json": { "schema": schema } }
                }),
            );
        }
        let mut responses = Map::new();
        match e.reply {
            Reply::Json { status, schema } => {
                let s = schema(&mut generator);
                responses.insert(
                    status.to_string(),
                    json!({ "description": "Success", "content": { "application/json": { "schema": s } } }),
                );
            }
            Reply::Events(schema) => {
                let s = schema(&mut generator);
                responses.insert(
                    "200".into(),
                    json!({ "description": "Server-sent events: `change`, each with this JSON as data; `resync`, with a sentence as data, when changes may have been missed (read the counts again)", "content": { "text/event-stream": { "schema": { "type": "string" }, "x-event-data": s } } }),
                );
            }
            Reply::Csv => {
                responses.insert(
                    "200".into(),
                    json!({ "description": "CSV", "content": { "text/csv": { "schema": { "type": "string" } } } }),
                );
            }
            Reply::Html => {
                responses.insert(
                    "200".into(),
                    json!({ "description": "Printable page", "content": { "text/html": { "schema": { "type": "string" } } } }),
                );
            }
            Reply::Svg => {
                responses.insert(
                    "200".into(),
                    json!({ "description": "QR code", "content": { "image/svg+xml": { "schema": { "type": "string" } } } }),
                );
            }
            Reply::Png => {
                responses.insert(
                    "200".into(),
                    json!({ "description": "QR code", "content": { "image/png": { "schema": { "type": "string", "contentMediaType": "image/png" } } } }),
                );
            }
            Reply::NoContent => {
                responses.insert("204".into(), json!({ "description": "Done" }));
            }
        }
        let mut errors: Vec<&str> = vec!["400", "404", "409", "500", "503"];
        if e.access != Access::Open {
            errors.extend(["401", "403", "429"]);
        }
        if e.request.is_some() {
            errors.extend(["413", "415", "422"]);
        }
        if e.is_bulk_export() || !e.query.is_empty() {
            errors.push("422");
        }
        if e.reads_personal_data()
            || e.path.contains("/households")
            || e.operation_id.starts_with("ph::")
        {
            // The operation was shredded: its personal data, passes and pass keys are gone.
            errors.push("410");
        }
        if e.path == "/healthz" || e.path == "/api/openapi.json" {
            errors = vec!["503"];
        }
        if e.path == "/api/sessions" && e.access == Access::Open {
            errors.extend(["401", "429"]);
        }
        if e.path == "/api/pass-link" {
            // Its own bucket of misses per client address (limits::AddressTry::pass_link).
            errors.push("429");
        }
        errors.sort();
        errors.dedup();
        for code in errors {
            responses.insert(
                code.into(),
                json!({ "description": "Error", "content": { "application/json": { "schema": error_ref } } }),
            );
        }
        op.insert("responses".into(), Value::Object(responses));
        let item = paths
            .entry(e.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        item.as_object_mut()
            .expect("path item is an object")
            .insert(e.method.as_str().to_ascii_lowercase(), Value::Object(op));
    }
    let schemas = generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "safeconduct",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Coordinates the safe passage of civilians out of a contested city: registration, rendezvous points, escort batches, gates, flights. Every endpoint states the roles that may call it (x-roles)."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } }
        }
    })
}
