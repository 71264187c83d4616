//! `safeconduct field …`: the reference client of the field protocol (docs/field-protocol.md).
//! A device is enrolled with a coordinator's one-time code, keeps its own key, fetches its
//! field kit, verifies passes offline with it, records every act as a signed record, and
//! syncs the records when the network allows.
//!
//! It decides nothing the server decides: it verifies with the pass crate (as `safeconduct
//! pass verify` does), signs with `keys::devices::client`, and prints only what the tiers of
//! its places say. The offline acts are `field/acts.rs`, enrolment, the kit and the sync
//! `field/online.rs`, the state directory `field/state.rs`, the calls `field/http.rs`.

mod acts;
mod http;
mod online;
mod state;

use crate::pass::holder_shown;
use acts::PassInput;
use acts::{at_gate, depart, open_batch, scan};
use anyhow::Result;
use clap::{Args, Subcommand};
use online::{enrol, kit, pending, server_of, sign_in, sync};
use safeconduct_domain::scan::MAX_RECORDS_PER_SYNC;
use safeconduct_domain::values::Language;
use state::StateDir;
use std::path::PathBuf;

#[derive(Args)]
pub struct FieldArgs {
    /// Directory holding the device's state: its key, session, kit and records not yet synced
    /// (created owner-only). Keep it on the device.
    #[arg(
        long,
        global = true,
        env = "SAFECONDUCT_FIELD_STATE",
        default_value = "safeconduct-field"
    )]
    state: PathBuf,
    /// Language of a pass's verdict: en, fr, prs, ps, ar or uk.
    #[arg(long, global = true, default_value = "en", value_parser = parse_language)]
    lang: Language,
    #[command(subcommand)]
    command: FieldCommand,
}

#[derive(Subcommand)]
enum FieldCommand {
    /// Enrol this device: sign in as its user, make its key pair, register the public key with
    /// the one-time code a coordinator gave (valid one hour).
    ///
    /// The password is read from SAFECONDUCT_PASSWORD, or else from the first line of standard
    /// input. The private key never leaves the state directory.
    Enrol {
        /// The server's address: https://host[:port], or http://host:port on the operation's
        /// own network.
        #[arg(long)]
        server: String,
        /// A PEM file of the certificate authority to trust for an https:// server, when the
        /// operation runs its own (instead of the system's authorities); kept with the device.
        #[arg(long, value_name = "FILE")]
        server_ca: Option<std::path::PathBuf>,
        /// The escort or gate user the device acts for.
        #[arg(long)]
        user: String,
        /// The text of the coordinator's enrolment QR code (SCE1:…), instead of --operation,
        /// --device and --code.
        #[arg(long, value_name = "TEXT", conflicts_with_all = ["operation", "device", "code", "enrolment_png"])]
        enrolment: Option<String>,
        /// A PNG image of the coordinator's enrolment QR code, instead of --operation,
        /// --device and --code.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["operation", "device", "code"])]
        enrolment_png: Option<std::path::PathBuf>,
        /// The operation the device is enrolled in.
        #[arg(long, required_unless_present_any = ["enrolment", "enrolment_png"])]
        operation: Option<i64>,
        /// The device id the coordinator's enrolment answered.
        #[arg(long, required_unless_present_any = ["enrolment", "enrolment_png"])]
        device: Option<i64>,
        /// The one-time enrolment code (dashes and case do not matter).
        #[arg(long, required_unless_present_any = ["enrolment", "enrolment_png"])]
        code: Option<String>,
        /// The current one-time code of a user enrolled for them.
        #[arg(long, env = "SAFECONDUCT_TOTP")]
        totp: Option<String>,
    },
    /// Sign in again as the device's user (a session lasts 12 hours; suspension ends it).
    SignIn {
        #[arg(long, env = "SAFECONDUCT_TOTP")]
        totp: Option<String>,
    },
    /// Fetch a new field kit with a signed request; prints its expiry and the clock's skew.
    ///
    /// A kit lasts 12 hours and holds no roster: keys, the status list, the windows of the
    /// device's RVs with their expected counts, and gate locations released to it.
    Kit,
    /// Verify a pass offline at the RV and record the verdict: `admit` when it admits,
    /// `refuse` with the verifier's code otherwise. Exits with 0 when admitted, 1 otherwise.
    Scan {
        #[command(flatten)]
        pass: PassInput,
        /// Admit into this open batch of the device (from `field batch open`).
        #[arg(long)]
        batch: Option<u32>,
        /// The RV where the scan happens, when the device has several.
        #[arg(long)]
        rv: Option<i64>,
        /// Number of the document the holder shows.
        #[arg(long)]
        document: Option<String>,
        /// Birth year on that document.
        #[arg(long)]
        birth_year: Option<u16>,
    },
    /// Open and depart escort batches.
    #[command(subcommand)]
    Batch(BatchCommand),
    /// At the gate: record that some members of the household of a pass arrived.
    Arrive {
        #[command(flatten)]
        pass: PassInput,
        /// How many members of the household arrived now (arrival is per person).
        #[arg(long)]
        people: u32,
        /// The gate, when the device has several.
        #[arg(long)]
        gate: Option<i64>,
    },
    /// At the gate: record that the household of a pass was checked in.
    CheckIn {
        #[command(flatten)]
        pass: PassInput,
        /// The gate, when the device has several.
        #[arg(long)]
        gate: Option<i64>,
    },
    /// Show the records not yet synced, the open batches and the kit's expiry.
    Pending,
    /// Send the records not yet acknowledged, in chunks; harmless to repeat.
    ///
    /// Records stay on the device until a sync carrying them is acknowledged.
    Sync {
        /// Records per sync, 1 to 1000.
        #[arg(long, default_value_t = MAX_RECORDS_PER_SYNC)]
        chunk: usize,
    },
}

#[derive(Subcommand)]
enum BatchCommand {
    /// Open the device's next batch, bound for a gate; prints its number.
    Open {
        #[arg(long)]
        gate: i64,
        /// The RV it leaves from, when the device has several.
        #[arg(long)]
        rv: Option<i64>,
    },
    /// Record that a batch left the RV, with the people counted at the door.
    Depart {
        #[arg(long)]
        batch: u32,
        #[arg(long)]
        head_count: u32,
    },
}

fn parse_language(s: &str) -> Result<Language, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("unknown language {s:?}: expected en, fr, prs, ps, ar or uk"))
}

impl FieldArgs {
    pub fn run(self) -> Result<()> {
        let state = StateDir::open(&self.state)?;
        match self.command {
            FieldCommand::Enrol {
                server,
                server_ca,
                user,
                enrolment,
                enrolment_png,
                operation,
                device,
                code,
                totp,
            } => {
                let qr = match (enrolment, enrolment_png) {
                    (Some(text), _) => Some(text),
                    (None, Some(path)) => Some(crate::pass::read_qr(&path)?),
                    (None, None) => None,
                };
                let (operation, device, code) = match qr {
                    Some(text) => {
                        let (op, device, code) = safeconduct_keys::devices::read_enrolment_qr(
                            &text,
                        )
                        .ok_or_else(|| {
                            anyhow::anyhow!(
                                "the enrolment QR code holds no enrolment (SCE1:…); \
                                         ask the coordinator for the device's QR code or give \
                                         --operation, --device and --code"
                            )
                        })?;
                        (op.0, device.0, code)
                    }
                    None => match (operation, device, code) {
                        (Some(op), Some(device), Some(code)) => (op, device, code),
                        _ => anyhow::bail!(
                            "give --operation, --device and --code, or the enrolment QR code"
                        ),
                    },
                };
                enrol(
                    &state,
                    &server,
                    server_ca.as_deref(),
                    operation,
                    &user,
                    device,
                    &code,
                    totp,
                )
            }
            FieldCommand::SignIn { totp } => {
                let d = state.device()?;
                sign_in(&state, &server_of(&d)?, &d.username, totp)
            }
            FieldCommand::Kit => kit(&state),
            FieldCommand::Scan {
                pass,
                batch,
                rv,
                document,
                birth_year,
            } => {
                let holder = holder_shown(document.as_deref(), birth_year)?;
                if !scan(&state, &pass, batch, rv, holder, self.lang)? {
                    std::process::exit(1);
                }
                Ok(())
            }
            FieldCommand::Batch(BatchCommand::Open { gate, rv }) => open_batch(&state, gate, rv),
            FieldCommand::Batch(BatchCommand::Depart { batch, head_count }) => {
                depart(&state, batch, head_count)
            }
            FieldCommand::Arrive { pass, people, gate } => {
                at_gate(&state, &pass, gate, Some(people), self.lang)
            }
            FieldCommand::CheckIn { pass, gate } => at_gate(&state, &pass, gate, None, self.lang),
            FieldCommand::Pending => pending(&state),
            FieldCommand::Sync { chunk } => sync(&state, chunk),
        }
    }
}
