//! `safeconduct demo`: a realistic seeded operation on the embedded store.
//!
//! Rendezvous points and gates sit beside real streets of the OpenStreetMap extract of
//! central Helsinki shipped in `data/osm/` (© OpenStreetMap contributors, ODbL), standing in
//! for a fictional airfield, so that routing works on the same demo. The households come from
//! the deterministic generator (`safeconduct_cli::generator`), so the demo is the same on
//! every run.

use anyhow::{Context, Result};
use safeconduct_cli::generator::{Dice, RVS, household};
use safeconduct_domain::model::*;
use safeconduct_domain::values::*;
use safeconduct_domain::*;
use safeconduct_store::*;
use std::net::SocketAddr;

pub const OPERATION_NAME: &str = "Demo airlift (fictional)";

/// The authenticator secret of the demo logins that sign in with a code (coordinator,
/// hotline, manifest): fixed, so that it can be printed with the other logins on every run.
const DEMO_TOTP_SECRET: &[u8; 20] = b"safeconduct demo 2fa";

pub struct Logins {
    pub operation: OperationId,
    pub users: Vec<(String, String, Role)>,
    /// The authenticator secret of the logins that sign in with a code, base32.
    pub totp_secret: String,
    pub sample_reference: Option<CaseReference>,
    pub sample_phone: Option<PhoneNumber>,
    pub households: u64,
    pub people: u64,
}

pub fn seed(
    store: &dyn Store,
    keyring: &safeconduct_keys::passes::PassKeyring,
    households: u32,
) -> Result<Logins> {
    let now = safeconduct_keys::now();
    let roles = Role::ALL;
    let users: Vec<(String, String, Role)> = roles
        .iter()
        .map(|r| {
            (
                r.as_str().to_string(),
                format!("demo-{}-pass", r.as_str()),
                *r,
            )
        })
        .collect();
    if let Some(existing) = store
        .operations()?
        .into_iter()
        .find(|o| o.name == OPERATION_NAME)
    {
        println!("demo already seeded in this store; serving it as it is");
        // A store seeded when only the coordinator signed in with a code: its other logins
        // that now need one are enrolled with the printed secret.
        let actor = Actor::system(now);
        for (username, _, role) in &users {
            let Some(account) = store.user_by_name(username)? else {
                continue;
            };
            if role.signs_in_with_a_code() && account.totp.is_none() {
                let e = safeconduct_keys::totp::enrol_with(
                    keyring.kek(),
                    account.id,
                    username,
                    DEMO_TOTP_SECRET,
                );
                store.set_totp(account.id, &e.wrapped, &actor)?;
            }
        }
        let counts = store.stage_counts(existing.id, CountScope::Operation)?;
        return Ok(Logins {
            operation: existing.id,
            users,
            totp_secret: safeconduct_keys::totp::secret_text(DEMO_TOTP_SECRET),
            sample_reference: None,
            sample_phone: None,
            households: counts.total_households(),
            people: counts.total_people(),
        });
    }
    let started = std::time::Instant::now();
    let op = store.create_operation(OPERATION_NAME, now)?.id;
    let actor = Actor::system(now);
    for (name, kind) in [
        ("Coordination cell", OrganisationKind::CoordinatingAuthority),
        ("Escort party", OrganisationKind::EscortParty),
        ("Airfield gate authority", OrganisationKind::GateAuthority),
        ("Airlift command", OrganisationKind::Airlift),
        ("Oversight office", OrganisationKind::Oversight),
    ] {
        store.create_organisation(
            op,
            &NewOrganisation {
                name: name.into(),
                kind,
            },
            &actor,
        )?;
    }
    let mut user_ids = std::collections::HashMap::new();
    for (username, password, role) in &users {
        let hash = safeconduct_keys::password::hash_password(password)?;
        let id = store
            .create_user(
                &NewUser {
                    username: username.clone(),
                    password_hash: hash,
                    organisation: None,
                },
                now,
            )
            .with_context(|| format!("creating demo user {username}"))?;
        store.grant_role(id, op, *role, &actor)?;
        if role.signs_in_with_a_code() {
            let e =
                safeconduct_keys::totp::enrol_with(keyring.kek(), id, username, DEMO_TOTP_SECRET);
            store.set_totp(id, &e.wrapped, &actor)?;
        }
        user_ids.insert(*role, id);
    }

    // Rendezvous points: proposed by the authority, accepted by the escort party, activated.
    let mut rvs = Vec::new();
    for (name, lat, lon, landmark) in RVS {
        let rv = store.propose_rv(
            op,
            &NewRv {
                name: Text::parse("name", name, 120)?,
                location: Coordinate::new(*lat, *lon)?,
                landmark: Text::parse("landmark", landmark, 500)?,
            },
            Side::CoordinatingAuthority,
            &actor,
        )?;
        store.change_rv(op, rv.id, RvChange::Accept(Side::EscortParty), &actor)?;
        store.change_rv(op, rv.id, RvChange::Activate, &actor)?;
        rvs.push(rv.id);
    }
    let main_gate = store.create_gate(
        op,
        &NewGate {
            name: Text::parse("name", "North Gate (main entrance)", 120)?,
            location: Coordinate::new(60.172185, 24.944307)?,
            kind: GateKind::Main,
            hourly_throughput: Throughput::new(900)?,
            rvs: rvs[..3].to_vec(),
            walking_time: safeconduct_domain::places::WalkingTime::new(20)?,
        },
        &actor,
    )?;
    let discreet = store.create_gate(
        op,
        &NewGate {
            name: Text::parse("name", "Gate 7 (service gate)", 120)?,
            location: Coordinate::new(60.167065, 24.942500)?,
            kind: GateKind::Discreet,
            hourly_throughput: Throughput::new(400)?,
            rvs: rvs.clone(),
            walking_time: safeconduct_domain::places::WalkingTime::new(35)?,
        },
        &actor,
    )?;
    // Need to know: the demo escort works at every RV, the demo gate user at the service gate.
    store.assign_places(
        user_ids[&Role::Escort],
        op,
        &PlaceAssignment {
            rvs: rvs.clone(),
            ..PlaceAssignment::default()
        },
        &actor,
    )?;
    store.assign_places(
        user_ids[&Role::Gate],
        op,
        &PlaceAssignment {
            gates: vec![discreet.id],
            ..PlaceAssignment::default()
        },
        &actor,
    )?;

    // Windows: twelve two-hour windows per RV from the start of the current hour, so the
    // first is open now and passes verify at once.
    let hour = now.0 - now.0.rem_euclid(3600);
    let mut windows = Vec::new();
    for slot in 0..12 {
        for rv in &rvs {
            let start = Timestamp(hour + slot * 7200);
            let spec = WindowSpec::new(start, Timestamp(start.0 + 7200), 120)?;
            windows.push(store.create_window(op, *rv, spec, &actor)?);
        }
    }
    let mut flights = Vec::new();
    for i in 0..10 {
        flights.push(store.create_flight(
            op,
            &NewFlight {
                number: Text::parse("number", &format!("RCH{}", 871 + i), 20)?,
                departs_at: Timestamp(hour + 8 * 3600 + i * 4 * 3600),
                capacity: Capacity::flight(350)?,
            },
            &actor,
        )?);
    }
    store.report_hazard(
        op,
        &NewHazard {
            kind: HazardKind::Crowd,
            severity: Severity::High,
            location: Coordinate::new(60.171700, 24.943900)?,
            radius_m: 250,
            description: Some(Text::parse(
                "description",
                "Dense crowd pressing at the main entrance; avoid North Gate",
                500,
            )?),
            valid_from: now,
            valid_until: Some(Timestamp(now.0 + 12 * 3600)),
        },
        false,
        &actor,
    )?;

    // Households.
    println!(
        "seeding the demo operation: {households} households, registered and moved through the lifecycle"
    );
    let mut dice = Dice(0x5AFE_C0DE);
    let mut new = Vec::with_capacity(households as usize);
    for _ in 0..households {
        new.push(household(&mut dice)?);
    }
    let mut refs: Vec<CaseReference> = Vec::with_capacity(new.len());
    let mut draw = safeconduct_keys::random_reference;
    let bar = crate::import::progress(new.len() as u64, "registering");
    for chunk in new.chunks(500) {
        refs.extend(
            store
                .register_households(op, chunk, &mut draw, &actor)?
                .into_iter()
                .map(|r| r.reference),
        );
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    let sample_phone = new[0].contact_phone().cloned();

    // Move households along the lifecycle so that every stage has people in it.
    let step = |r: &CaseReference, req: CaseRequest| store.apply(op, r, &req, &actor);
    let reason = |text: &str| Text::parse("reason", text, 500);
    let mut window_cursor = 0usize;
    let mut admitted_by_rv: std::collections::BTreeMap<RvId, Vec<CaseReference>> =
        Default::default();
    let suspended_rv = rvs[5];
    let bar = crate::import::progress(refs.len() as u64, "moving");
    for (i, r) in refs.iter().enumerate() {
        bar.inc(1);
        if i % 10 == 9 || step(r, CaseRequest::VerifyDocuments).is_err() {
            continue;
        }
        if i % 20 == 8 {
            step(
                r,
                CaseRequest::Reject {
                    reason: reason("not within an eligible category")?,
                },
            )?;
            continue;
        }
        if i % 10 == 8 {
            continue;
        }
        let category = *dice.pick(&EligibilityCategory::ALL[..7]);
        step(r, CaseRequest::DecideEligible { category })?;
        if i % 2 == 1 {
            continue;
        }
        // Assign to the first window with room, at an RV that accepts assignments.
        let mut assigned = None;
        while window_cursor < windows.len() {
            let w = &windows[window_cursor];
            match step(r, CaseRequest::Assign { window: w.id }) {
                Ok(_) => {
                    assigned = Some((w.rv, w.spec));
                    break;
                }
                Err(_) => window_cursor += 1,
            }
        }
        let Some((rv, window)) = assigned else {
            continue;
        };
        if i % 25 == 6 {
            step(
                r,
                CaseRequest::Withdraw {
                    reason: reason("household chose to stay")?,
                },
            )?;
            continue;
        }
        if i % 7 == 3 {
            continue;
        }
        keyring.issue(store, op, r, &actor)?;
        let admitted = admitted_by_rv.entry(rv).or_default();
        // Admitted at RV Alpha, as the escort would: only within the household's window.
        let open =
            safeconduct_domain::admission::window_position(now.0, window.start.0, window.end.0)
                == safeconduct_domain::admission::WindowPosition::Within;
        if rv == rvs[0] && open && admitted.len() < 40 {
            step(r, CaseRequest::AdmitAtRv { rv, pass: None })?;
            admitted.push(r.clone());
        }
    }
    bar.finish_and_clear();
    // Two escort batches from RV Alpha to the discreet gate: one arrived and processed (part
    // of it already flown out), one still walking.
    if let Some(admitted) = admitted_by_rv.get(&rvs[0]) {
        let (first, second) = admitted.split_at(admitted.len() / 2);
        let depart = |households: &[CaseReference]| {
            let departure = BatchDeparture {
                rv: rvs[0],
                gate: discreet.id,
                households: households.to_vec(),
            };
            store.depart_batch(op, &departure, &actor)
        };
        if !first.is_empty() {
            let batch = depart(first)?;
            for (k, r) in first.iter().enumerate() {
                step(
                    r,
                    CaseRequest::ArriveAtGate {
                        batch: batch.id,
                        people: None,
                    },
                )?;
                step(r, CaseRequest::Process { gate: discreet.id })?;
                if k % 2 == 0 {
                    step(
                        r,
                        CaseRequest::Manifest {
                            flight: flights[0].id,
                        },
                    )?;
                    if k % 4 == 0 {
                        step(
                            r,
                            CaseRequest::Board {
                                flight: Some(flights[0].id),
                            },
                        )?;
                    }
                }
            }
            store.close_batch(op, batch.id, &actor)?;
        }
        if !second.is_empty() {
            depart(second)?;
        }
    }
    // The hazard near the main gate suspends the RV closest to it.
    store.change_rv(op, suspended_rv, RvChange::Suspend, &actor)?;
    let _ = main_gate;
    let counts = store.stage_counts(op, CountScope::Operation)?;
    println!(
        "seeded {} households ({} people) in {:.1}s",
        counts.total_households(),
        counts.total_people(),
        started.elapsed().as_secs_f64()
    );
    Ok(Logins {
        operation: op,
        users,
        totp_secret: safeconduct_keys::totp::secret_text(DEMO_TOTP_SECRET),
        sample_reference: refs.first().cloned(),
        sample_phone,
        households: counts.total_households(),
        people: counts.total_people(),
    })
}

pub fn print_logins(l: &Logins, addr: SocketAddr) {
    println!();
    println!(
        "safeconduct demo: operation {} — {} households, {} people",
        l.operation, l.households, l.people
    );
    println!("  pages:   http://{addr}/app/sign-in  (sign in with a login below)");
    println!(
        "  API:     http://{addr}/api/openapi.json  (every endpoint, its roles and its answers)"
    );
    println!("  health:  http://{addr}/healthz");
    println!(
        "  sign in: curl -s -X POST http://{addr}/api/sessions -H 'content-type: application/json' \\"
    );
    println!(
        "             -d '{{\"username\":\"coordinator\",\"password\":\"demo-coordinator-pass\",\"totp\":\"'$(safeconduct user code --secret {})'\"}}'",
        l.totp_secret
    );
    println!(
        "  the coordinator, hotline and manifest logins sign in with a one-time code too: \
         authenticator secret {} \
         (`safeconduct user code --secret {}` prints the current code)",
        l.totp_secret, l.totp_secret
    );
    println!("  logins (username / password / role):");
    for (u, p, r) in &l.users {
        let code = if r.signs_in_with_a_code() {
            "  + one-time code"
        } else {
            ""
        };
        println!("    {u:<12} {p:<24} {r}{code}");
    }
    if let Some(r) = &l.sample_reference {
        println!("  a case to look up: {r}");
    }
    if let Some(p) = &l.sample_phone {
        println!("  a caller's phone:  {p}");
    }
    println!();
}
