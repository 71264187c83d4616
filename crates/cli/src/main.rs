//! `safeconduct`: the one binary. Serves the API, seeds and serves a demo, imports volunteer
//! lists, manages operations and users, plans households into windows, routes walkers
//! around hazards, and runs a field device (the reference client of the field protocol).
//!
//! Architecture invariant: this crate wires the others together and talks to the terminal;
//! it holds no lifecycle rule and no SQL. This file holds only the command line's top level
//! and hands each command to the module of its group, which owns its options and its run;
//! the options every command shares are in `data`.

mod audit;
mod data;
mod demo;
mod field;
mod import;
mod openapi;
mod operation;
mod pass;
mod plan;
mod route;
mod serve;
mod statistics;
mod store_copy;
mod user;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Coordinates the safe passage of civilians out of a contested city: registration,
/// rendezvous points, escort batches, gates and flights, losing nobody and leaking nothing.
#[derive(Parser)]
#[command(name = "safeconduct", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    ///
    /// Every endpoint states the roles that may call it; see GET /api/openapi.json.
    Serve(serve::ServeArgs),
    /// Seed a realistic demo operation and serve it.
    ///
    /// Creates a few thousand households with multi-script names, six rendezvous points beside
    /// real streets of central Helsinki (OpenStreetMap), two gates, windows over two days,
    /// flights and a hazard, then prints the address and the demo logins. Without --data the
    /// demo lives in a fresh temporary directory.
    Demo(serve::DemoArgs),
    /// Import a volunteer spreadsheet (CSV) into an operation.
    ///
    /// Columns are found by their headers: name (required), name in Dari/Pashto script, phone,
    /// passport or tazkira number, household reference, category, year of birth, location,
    /// notes. Phones in any typed form become E.164. The same person listed twice (document
    /// number; or name across spelling variants with birth year and phone or household) is
    /// merged; a person already registered is not registered again; near misses are imported
    /// and flagged for review; rows with bad values are refused. The report names lines,
    /// never people.
    Import(import::ImportArgs),
    /// Create and list operations.
    #[command(subcommand)]
    Operation(operation::OperationCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// Move the whole store to another database.
    #[command(subcommand)]
    Store(store_copy::StoreCommand),
    /// Issue, revoke and verify passes; rotate keys; write field kits.
    #[command(subcommand)]
    Pass(pass::PassCommand),
    /// Check and sign the audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Plan households into rendezvous windows, re-plan after a change, generate instances.
    ///
    /// Works on JSON files (docs/planning.md) and needs no store.
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// A field device: enrol it, fetch its kit, verify passes offline and record scans,
    /// batches and arrivals, and sync the records (docs/field-protocol.md).
    Field(field::FieldArgs),
    /// Walking routes from an OpenStreetMap extract: print the street graph, or a route
    /// around hazards with guidance in the caller's language.
    #[command(subcommand)]
    Route(route::RouteCommand),
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SAFECONDUCT_LOG")
                .unwrap_or_else(|_| "info,postgres=warn,tokio_postgres=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => args.run(),
        Command::Demo(args) => args.run(),
        Command::Import(args) => args.run(),
        Command::Operation(command) => command.run(),
        Command::User(command) => command.run(),
        Command::Openapi => openapi::print(),
        Command::Store(command) => command.run(),
        Command::Pass(command) => command.run(),
        Command::Audit(command) => command.run(),
        Command::Plan(command) => command.run(),
        Command::Route(command) => command.run(),
        Command::Field(args) => args.run(),
    }
}
