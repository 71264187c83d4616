//! `safeconduct openapi`: print the OpenAPI document of the HTTP API, as the server builds it
//! from its endpoint table.
//!
//! It opens no store and reads no key file.

use anyhow::Result;

pub fn print() -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(&safeconduct_server::openapi::document())?
    );
    Ok(())
}
