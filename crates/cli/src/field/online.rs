//! The field client's calls that need the network: enrolment (sign in, make the key pair,
//! register the public key), signing in again, the kit request, and the sync of pending
//! records in chunks, each chunk forgotten only once the server acknowledged it.
//!
//! Must not import the offline acts (`acts`): what it sends is what the journal holds.

use super::http::Server;
use super::state::{DeviceFile, PendingRecord, StateDir};
use anyhow::{Context, Result, bail};
use safeconduct_domain::scan::MAX_RECORDS_PER_SYNC;
use safeconduct_domain::{FieldDeviceId, OperationId};
use safeconduct_keys::devices::client::{DeviceKey, kit_request_text};

/// The password of the device's user: SAFECONDUCT_PASSWORD, or the first line of standard
/// input (asked for on a terminal, without echo where `stty` allows).
fn password() -> Result<String> {
    if let Ok(p) = std::env::var("SAFECONDUCT_PASSWORD") {
        return Ok(p);
    }
    use std::io::IsTerminal;
    let terminal = std::io::stdin().is_terminal();
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
    };
    if terminal {
        eprint!("password: ");
        let _ = stty("-echo");
    }
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    if terminal {
        let _ = stty("echo");
        eprintln!();
    }
    read.context("reading the password from standard input")?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        bail!("no password: set SAFECONDUCT_PASSWORD or give it on standard input");
    }
    Ok(p)
}

pub fn sign_in(state: &StateDir, server: &Server, user: &str, totp: Option<String>) -> Result<()> {
    let (token, expires) = server.sign_in(user, &password()?, totp.as_deref())?;
    state.save_session(&token)?;
    println!("signed in as {user}; the session lasts until {expires}");
    Ok(())
}

/// The server a device was enrolled with, trusting the certificate authority it was
/// enrolled with, if any.
pub fn server_of(d: &DeviceFile) -> Result<Server> {
    Server::new(&d.server, d.server_ca.as_deref())
}

#[allow(clippy::too_many_arguments)]
pub fn enrol(
    state: &StateDir,
    server_url: &str,
    server_ca: Option<&std::path::Path>,
    operation: i64,
    user: &str,
    device: i64,
    code: &str,
    totp: Option<String>,
) -> Result<()> {
    if state.is_enrolled() {
        let known = state
            .device()
            .map(|d| format!("device {} of operation {}", d.device, d.operation))
            .unwrap_or_else(|_| "a device".into());
        bail!(
            "{} already holds the key of {known}: enrol another device with another --state",
            state.path().display()
        );
    }
    let server_ca = server_ca
        .map(|path| {
            std::fs::read_to_string(path)
                .with_context(|| format!("--server-ca {}: cannot read it", path.display()))
        })
        .transpose()?;
    let server = Server::new(server_url, server_ca.as_deref())?;
    sign_in(state, &server, user, totp)?;
    let key = DeviceKey::generate();
    // The key is on disk before the server hears of it: a crash after registration must not
    // lose the only private key the server will accept for this device.
    state.save_key(&key)?;
    let token = state.session()?;
    let registered = match server.register_key(&token, operation, device, code, &key.public_text())
    {
        Ok(r) => r,
        Err(e) => {
            state.forget_key();
            return Err(e);
        }
    };
    let ids = |field: &str| -> Vec<i64> {
        registered[field]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
            .unwrap_or_default()
    };
    let d = DeviceFile {
        server: server_url.trim_end_matches('/').to_string(),
        server_ca,
        operation,
        device,
        username: user.to_string(),
        role: registered["role"].as_str().unwrap_or("escort").to_string(),
        rv_ids: ids("rv_ids"),
        gate_ids: ids("gate_ids"),
    };
    state.save_device(&d)?;
    println!(
        "device {device} of operation {operation} enrolled as a{} {} device ({}); next: \
         `safeconduct field kit`",
        if d.is_gate() { "" } else { "n" },
        d.role,
        places_text(&d)
    );
    Ok(())
}

fn places_text(d: &DeviceFile) -> String {
    let list = |ids: &[i64]| {
        ids.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if d.is_gate() {
        format!("gate {}", list(&d.gate_ids))
    } else {
        format!("rendezvous point {}", list(&d.rv_ids))
    }
}

pub fn kit(state: &StateDir) -> Result<()> {
    let d = state.device()?;
    let key = state.key()?;
    let server = server_of(&d)?;
    let request = kit_request_text(
        OperationId(d.operation),
        FieldDeviceId(d.device),
        safeconduct_keys::now(),
    );
    let answer = server.kit(
        &state.session()?,
        d.operation,
        d.device,
        &request,
        &key.sign(&request),
    )?;
    state.save_kit(&answer)?;
    let saved = state.kit()?;
    println!(
        "field kit saved: {} tier, expires {}; server time {}, this device's clock is {} s {}",
        saved.kit.tier,
        saved.expires_at,
        saved.server_time,
        saved.skew_seconds.unsigned_abs(),
        if saved.skew_seconds >= 0 {
            "behind"
        } else {
            "ahead"
        }
    );
    if safeconduct_domain::scan::skew_is_incident(saved.skew_seconds) {
        println!(
            "set this device's clock: syncs from a clock more than 5 minutes off raise a clock_skew incident"
        );
    }
    Ok(())
}

pub fn pending(state: &StateDir) -> Result<()> {
    let d = state.device()?;
    let journal = state.journal()?;
    let range = match (journal.pending.first(), journal.pending.last()) {
        (Some(a), Some(b)) => format!(" (seq {} to {})", a.seq, b.seq),
        _ => String::new(),
    };
    println!(
        "device {} of operation {}: {} record(s) wait to be synced{range}; next seq {}",
        d.device,
        d.operation,
        journal.pending.len(),
        journal.next_seq
    );
    for b in &journal.open_batches {
        println!(
            "batch {} open at rendezvous point {} for gate {}: {} household(s), {} people",
            b.batch, b.rv, b.gate, b.households, b.people_admitted
        );
    }
    match state.kit() {
        Ok(k) => println!("field kit expires {}", k.expires_at),
        Err(_) => println!("no field kit yet: run `safeconduct field kit`"),
    }
    Ok(())
}

pub fn sync(state: &StateDir, chunk: usize) -> Result<()> {
    if chunk == 0 || chunk > MAX_RECORDS_PER_SYNC {
        bail!("--chunk {chunk}: a sync carries 1 to {MAX_RECORDS_PER_SYNC} records");
    }
    let d = state.device()?;
    let mut journal = state.journal()?;
    if journal.pending.is_empty() {
        println!("nothing to sync: every record of this device was acknowledged");
        return Ok(());
    }
    let server = server_of(&d)?;
    let token = state.session()?;
    let (mut received, mut already_had, mut syncs) = (0, 0, 0);
    let (mut applied, mut skew) = (None, 0);
    let mut incidents = Vec::new();
    let batches: Vec<Vec<PendingRecord>> =
        journal.pending.chunks(chunk).map(<[_]>::to_vec).collect();
    for records in batches {
        let pairs: Vec<(&str, &str)> = records
            .iter()
            .map(|r| (r.record.as_str(), r.signature.as_str()))
            .collect();
        let receipt = server
            .sync(
                &token,
                d.operation,
                d.device,
                safeconduct_keys::now().0,
                &pairs,
            )
            .with_context(|| {
                format!(
                    "syncing records seq {} to {} ({} sync(s) acknowledged before); every record \
                     not acknowledged stays on the device",
                    records[0].seq,
                    records[records.len() - 1].seq,
                    syncs
                )
            })?;
        let seqs: Vec<u64> = records.iter().map(|r| r.seq).collect();
        journal.acknowledge(&seqs);
        state.save_journal(&journal)?;
        syncs += 1;
        received += receipt["received"].as_u64().unwrap_or(0);
        already_had += receipt["already_had"].as_u64().unwrap_or(0);
        applied = receipt["applied_seq"].as_i64();
        skew = receipt["skew_seconds"].as_i64().unwrap_or(0);
        incidents.extend(receipt["incidents"].as_array().cloned().unwrap_or_default());
    }
    println!(
        "synced in {syncs} sync(s): {received} received, {already_had} already had; applied up to \
         seq {}; clock skew {skew} s",
        applied.unwrap_or(-1)
    );
    for i in &incidents {
        println!(
            "incident {}: {}",
            i["kind"].as_str().unwrap_or("?"),
            i["detail"].as_str().unwrap_or("")
        );
    }
    Ok(())
}
