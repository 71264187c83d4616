//! The API against its own published OpenAPI document, fuzzed by schemathesis (a separate,
//! independent tool, from PyPI; `.ci/run` installs it): no server error, no status code, content
//! type or body the document does not declare. Fails, never skips, when schemathesis is
//! missing. SAFECONDUCT_SCHEMATHESIS_EXAMPLES sets the examples per operation (default 5).

mod common;

use common::spawn_app_routing;
use safeconduct_domain::Role;
use safeconduct_store::testing::Backend;

async fn the_api_keeps_to_its_openapi_document_under_fuzzing(backend: Backend) {
    // Routing on the real extract, so the route endpoints are fuzzed, not just unavailable.
    let app = spawn_app_routing(backend).await;
    // Something to find: places, a household with a pass.
    let p = app.places(50, 50).await;
    app.register_with_pass(2, "0700 555 123", p.window).await;
    let examples =
        std::env::var("SAFECONDUCT_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "5".into());
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let token = app.token(Role::Coordinator).to_string();
    let base = app.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("schemathesis")
            .args(["run", schema, "--url", &base])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            ])
            .args(["--max-examples", &examples, "--seed", "24112026"])
            // Signing out would end the fuzzer's own session.
            .args(["--exclude-path", "/api/sessions"])
            .env("NO_COLOR", "1")
            .output()
    })
    .await
    .unwrap()
    .expect("schemathesis must be installed (pip install schemathesis; .ci/run does)");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains("generated"),
        "schemathesis did not run:\n{report}"
    );
}

safeconduct_store::on_both_backends_async!(the_api_keeps_to_its_openapi_document_under_fuzzing);
