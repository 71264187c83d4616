//! `safeconduct import`: a volunteer spreadsheet into an operation, with a progress bar and a
//! report of what was merged, flagged for review or refused, and why.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use safeconduct_domain::model::DocumentType;
use safeconduct_domain::values::{CountryCode, Timestamp};
use safeconduct_domain::whereabouts::OperationArea;
use safeconduct_domain::{CaseReference, DomainError, OperationId};
use safeconduct_intake::{Decision, IntakePlan, Known, PlannedHousehold, Refusal, plan, read_rows};
use safeconduct_store::{Actor, MatchProbe, NewDocument, NewHousehold, NewPerson, Notes, Store};
use std::fmt::Write as _;
use std::path::Path;

/// Households registered per transaction.
const CHUNK: usize = 1000;

pub fn run(
    store: &dyn Store,
    op: OperationId,
    file: &Path,
    dry_run: bool,
    report_path: Option<&Path>,
) -> Result<()> {
    let operation = store
        .operation(op)
        .with_context(|| format!("operation {op}"))?;
    if operation.closed_at.is_some() {
        anyhow::bail!("operation {op} is closed: it takes no new households; nothing was imported");
    }
    let started = std::time::Instant::now();
    let input = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let (rows, refusals) = read_rows(std::io::BufReader::new(input))
        .with_context(|| format!("reading {}", file.display()))?;
    let total = rows.len() as u64;
    let bar = progress(total, "matching");
    let mut probe_error = None;
    let planned = plan(rows, refusals, &mut |probe| {
        bar.inc(1);
        let q = MatchProbe {
            document: probe.document.clone(),
            name_key: probe.name_key.clone(),
            birth_year: probe.birth_year,
        };
        match store.match_candidates(op, &q) {
            Ok(found) => found
                .into_iter()
                .map(|e| Known {
                    reference: e.household.to_string(),
                    name_key: e.name_key,
                    birth_year: e.birth_year,
                    phone: e.phone,
                    documents: e.documents,
                })
                .collect(),
            Err(e) => {
                probe_error.get_or_insert(e);
                Vec::new()
            }
        }
    });
    bar.finish_and_clear();
    if let Some(e) = probe_error {
        return Err(e).context("looking up people already registered");
    }

    let mut planned = planned;
    refuse_outside_the_area(store, op, &mut planned)?;
    let at = safeconduct_keys::now();
    let households = registrable(&mut planned, at);
    let mut registered = Vec::new();
    if !dry_run {
        let bar = progress(households.len() as u64, "registering");
        let actor = Actor {
            user: None,
            role: None,
            device: Some(format!(
                "import:{}",
                file.file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            )),
            at,
            places: None,
        };
        for chunk in households.chunks(CHUNK) {
            let done = store
                .register_households(op, chunk, &mut safeconduct_keys::random_reference, &actor)
                .context("registering households (nothing of this chunk was stored)")?;
            bar.inc(chunk.len() as u64);
            registered.extend(done.into_iter().map(|r| r.reference));
        }
        bar.finish_and_clear();
        store
            .refresh_statistics()
            .context("refreshing the database's statistics after the import")?;
    }
    let report = render_report(&planned, &registered, dry_run);
    print!("{}", summary(&planned, dry_run, started.elapsed()));
    if let Some(path) = report_path {
        std::fs::write(path, &report).with_context(|| format!("writing {}", path.display()))?;
        println!("full report: {}", path.display());
    } else {
        let short: String = report.lines().take(40).map(|l| format!("{l}\n")).collect();
        print!("{short}");
        if report.lines().count() > 40 {
            println!("… (use --report FILE for the full report)");
        }
    }
    Ok(())
}

/// Households whose rows place them outside the operation's area are refused whole, with the
/// reason, before anything is registered (the store would refuse their chunk).
fn refuse_outside_the_area(
    store: &dyn Store,
    op: OperationId,
    planned: &mut IntakePlan,
) -> Result<()> {
    if planned.households.iter().all(|h| h.location.is_none()) {
        return Ok(());
    }
    let places = store
        .rvs(op)?
        .into_iter()
        .map(|r| r.location)
        .chain(store.gates(op)?.into_iter().map(|g| g.location))
        .collect();
    let area = OperationArea::new(places);
    let mut refusals = Vec::new();
    planned.households.retain(|h| {
        let Some(Err(e)) = h.location.map(|l| area.check(&l)) else {
            return true;
        };
        refusals.push(refused_whole(h, &e));
        false
    });
    planned.refusals.extend(refusals);
    Ok(())
}

/// The planned households as they register at `at`. A household the rules of registration
/// refuse (a member born after today) is refused whole, with the reason, and the others go on.
fn registrable(planned: &mut IntakePlan, at: Timestamp) -> Vec<NewHousehold> {
    let mut households = Vec::new();
    let mut refusals = Vec::new();
    planned
        .households
        .retain(|h| match to_new_household(h, at) {
            Ok(household) => {
                households.push(household);
                true
            }
            Err(e) => {
                let why = by_line(h, &e).unwrap_or_else(|| e.to_string());
                refusals.push(refused_whole(h, &why));
                false
            }
        });
    planned.refusals.extend(refusals);
    households
}

/// A refusal of one member's value (`members[1].birth_date: …`) named by the member's line, as
/// the volunteer who typed the list reads it (`line 3: birth_date: …`).
fn by_line(h: &PlannedHousehold, e: &anyhow::Error) -> Option<String> {
    let Some(DomainError::Invalid { field, reason }) = e.downcast_ref::<DomainError>() else {
        return None;
    };
    let (index, name) = field.strip_prefix("members[")?.split_once("].")?;
    let member = h.members.get(index.parse::<usize>().ok()?)?;
    Some(format!("line {}: {name}: {reason}", join(&member.lines)))
}

/// The refusal of household `h`, named by the lines of its members.
fn refused_whole(h: &PlannedHousehold, why: &dyn std::fmt::Display) -> Refusal {
    let lines: Vec<u64> = h.members.iter().flat_map(|m| m.lines.clone()).collect();
    Refusal {
        line: lines.iter().copied().min().unwrap_or(0),
        reason: format!("the household of lines {}: {why}", join(&lines)),
    }
}

/// A progress bar of `len` steps named `what`; drawn only on a terminal.
pub(crate) fn progress(len: u64, what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({rate}, {eta})")
            .expect("valid template")
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}/s", state.per_sec());
                },
            )
            .progress_chars("=> "),
    );
    bar.set_message(what);
    bar
}

fn document_type(number: &str) -> DocumentType {
    if number.starts_with(|c: char| c.is_ascii_alphabetic()) {
        DocumentType::Passport
    } else if number.len() == 13 {
        // e-tazkira numbers: 1401-9615-82972.
        DocumentType::NationalId
    } else {
        DocumentType::Other
    }
}

fn to_new_household(h: &PlannedHousehold, at: Timestamp) -> Result<NewHousehold> {
    let af = CountryCode::parse("AF")?;
    let mut notes: Vec<String> = Vec::new();
    if let Some(n) = &h.notes {
        notes.push(n.clone());
    }
    let members = h
        .members
        .iter()
        .map(|m| {
            NewPerson::new(
                m.name.clone(),
                m.birth,
                None,
                m.phone.clone(),
                None,
                m.document
                    .iter()
                    .map(|d| {
                        NewDocument::new(
                            document_type(d.as_str()),
                            d.clone(),
                            Some(af.clone()),
                            None,
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    // Notes longer than a household may carry are cut, not refused: a volunteer's list is
    // registered as far as it can be.
    let notes = notes.join("; ");
    let notes = Notes::parse(&notes.chars().take(Notes::MAX_CHARS).collect::<String>())?;
    Ok(NewHousehold::new(
        h.contact_phone.clone(),
        h.language,
        h.category,
        h.priorities.clone(),
        notes,
        members,
        at,
    )?
    .located(h.location, h.needs))
}

fn summary(p: &IntakePlan, dry_run: bool, took: std::time::Duration) -> String {
    let merged = p
        .decisions
        .iter()
        .filter(|d| matches!(d, Decision::Merged { .. }))
        .count();
    let existing = p
        .decisions
        .iter()
        .filter(|d| matches!(d, Decision::AlreadyRegistered { .. }))
        .count();
    let verb = if dry_run {
        "would register"
    } else {
        "registered"
    };
    format!(
        "{} rows read in {:.1}s: {verb} {} people in {} households; {merged} duplicate rows merged; \
         {existing} already registered; {} flagged for review; {} refused\n",
        p.rows_read,
        took.as_secs_f64(),
        p.people(),
        p.households.len(),
        p.reviews.len(),
        p.refusals.len()
    )
}

/// The report names lines and case references, never names, phones or documents: it may be
/// printed and passed around.
fn render_report(p: &IntakePlan, registered: &[CaseReference], dry_run: bool) -> String {
    let mut out = String::new();
    for r in &p.refusals {
        let _ = writeln!(out, "refused  line {}: {}", r.line, r.reason);
    }
    for d in &p.decisions {
        match d {
            Decision::Merged { kept, merged, rule } => {
                let _ = writeln!(
                    out,
                    "merged   line {merged} into line {kept}: {}",
                    rule.describe()
                );
            }
            Decision::AlreadyRegistered {
                lines,
                reference,
                rule,
            } => {
                let _ = writeln!(
                    out,
                    "existing lines {} are case {reference}: {}",
                    join(lines),
                    rule.describe()
                );
            }
        }
    }
    for r in &p.reviews {
        let with = r
            .existing
            .as_ref()
            .map(|e| format!(" (case {e})"))
            .unwrap_or_default();
        let _ = writeln!(out, "review   lines {}{with}: {}", join(&r.lines), r.reason);
    }
    if !dry_run {
        for (h, reference) in p.households.iter().zip(registered) {
            let lines: Vec<u64> = h.members.iter().flat_map(|m| m.lines.clone()).collect();
            let _ = writeln!(out, "case     {reference}: lines {}", join(&lines));
        }
    }
    out
}

fn join(lines: &[u64]) -> String {
    lines
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

// The options of `safeconduct import`; its description is the doc comment of its command.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// The CSV file.
    file: std::path::PathBuf,
    /// Operation id to import into.
    #[arg(long)]
    operation: i64,
    /// Plan and report, but register nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the full report (every merge, review and refusal) to this file.
    #[arg(long)]
    report: Option<std::path::PathBuf>,
    #[command(flatten)]
    data: crate::data::DataArgs,
}

impl ImportArgs {
    pub fn run(self) -> Result<()> {
        let ImportArgs {
            file,
            operation,
            dry_run,
            report,
            data,
        } = self;
        let store = data.open()?;
        run(
            store.as_ref(),
            OperationId(operation),
            &file,
            dry_run,
            report.as_deref(),
        )
    }
}
