//! `safeconduct pass …`: issue, revoke and verify passes, rotate keys, write field kits.
//!
//! It signs and checks nothing itself: the keyring signs, the pass crate verifies; this
//! module reads the command line, files and QR images, and prints the answers.

use crate::data::DataArgs;
use anyhow::{Context, Result, bail};
use safeconduct_domain::values::{Language, Timestamp};
use safeconduct_domain::{CaseReference, GateId, OperationId, RvId};
use safeconduct_keys::passes::{FieldKit, KitPlaces, PassKeyring};
use safeconduct_pass::{Check, Outcome, Tier, Verification};
use safeconduct_store::{Actor, Store};
use std::path::{Path, PathBuf};

fn actor() -> Actor {
    Actor::system(safeconduct_keys::now())
}

pub fn issue(
    store: &dyn Store,
    keyring: &PassKeyring,
    op: OperationId,
    case: &str,
    png: Option<&Path>,
) -> Result<()> {
    let reference = CaseReference::parse(case).context("--case")?;
    let (outcome, pass) = keyring
        .issue(store, op, &reference, &actor())
        .with_context(|| format!("issuing the pass of case {reference}"))?;
    let text = safeconduct_pass::to_text(&pass.signed);
    eprintln!(
        "case {reference}: {} -> {}, pass {} ({} bytes)",
        outcome.from.as_str(),
        outcome.to.as_str(),
        pass.pass_index,
        pass.signed.len()
    );
    if let Some(path) = png {
        let qr = safeconduct_pass::qr::Qr::new(&text).map_err(anyhow::Error::msg)?;
        std::fs::write(path, qr.png(8)).with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "QR code (version {}) written to {}",
            qr.version(),
            path.display()
        );
    }
    println!("{text}");
    Ok(())
}

pub fn revoke(store: &dyn Store, op: OperationId, case: &str, reason: &str) -> Result<()> {
    let reference = CaseReference::parse(case).context("--case")?;
    let reason = safeconduct_domain::values::Text::parse_lines("reason", reason, 500)?;
    let index = store
        .revoke_pass(op, &reference, &reason, &actor())
        .with_context(|| format!("revoking the pass of case {reference}"))?;
    println!(
        "pass {index} of case {reference} revoked; field devices learn it with their next status list"
    );
    Ok(())
}

pub fn rotate(
    store: &dyn Store,
    keyring: &PassKeyring,
    op: OperationId,
    compromised: bool,
    reissue: bool,
) -> Result<()> {
    let (rotation, kid) = keyring
        .rotate(store, op, compromised, reissue, None, &actor())
        .context("rotating the signing key")?;
    let previous = rotation
        .previous
        .map(|k| safeconduct_pass::KeyId(k).to_hex())
        .unwrap_or_default();
    println!(
        "signing key {kid} replaces {previous} ({})",
        if compromised {
            "compromised: every pass it signed is revoked"
        } else {
            "retired: its passes stay valid"
        }
    );
    println!(
        "{} household(s) held a valid pass signed by {previous}; {} pass(es) re-issued",
        rotation.affected.len(),
        rotation.reissued.len()
    );
    for (reference, stage) in &rotation.not_reissued {
        let then = if stage.between_rv_and_check_in() {
            "the gate checks it in by its reference"
        } else {
            "reassign it to an open window, then issue its pass"
        };
        println!(
            "case {reference} ({}) was not re-issued: {then}",
            stage.as_str()
        );
    }
    if compromised && !reissue && !rotation.affected.is_empty() {
        println!(
            "re-issue them with `safeconduct pass issue` for each case, or rotate with --reissue"
        );
    }
    Ok(())
}

/// The places of a device being provisioned: checkpoint devices name RVs, gate devices gates.
pub fn kit_places(tier: Tier, rvs: &[i64], gates: &[i64]) -> Result<KitPlaces> {
    match tier {
        Tier::Checkpoint if gates.is_empty() && !rvs.is_empty() => {
            Ok(KitPlaces::Rvs(rvs.iter().copied().map(RvId).collect()))
        }
        Tier::Gate if rvs.is_empty() && !gates.is_empty() => Ok(KitPlaces::Gates(
            gates.iter().copied().map(GateId).collect(),
        )),
        Tier::Checkpoint => bail!(
            "a checkpoint kit is for the rendezvous points the device works at: give --rv ID (repeatable) and no --gate"
        ),
        Tier::Gate => bail!(
            "a gate kit is for the gates the device works at: give --gate ID (repeatable) and no --rv"
        ),
    }
}

pub fn kit(
    store: &dyn Store,
    keyring: &PassKeyring,
    op: OperationId,
    places: &KitPlaces,
    out: &Path,
) -> Result<()> {
    let role = safeconduct_domain::Role::Coordinator;
    let kit = match keyring.field_kit(store, op, role, places, safeconduct_keys::now()) {
        Err(safeconduct_store::StoreError::Shredded(_)) => bail!(
            "operation {op} was shredded: its pass keys were destroyed with its personal data, \
             and no field kit can be made for it; nothing was written"
        ),
        other => other.context("making the field kit")?,
    };
    let json = serde_json::to_vec_pretty(&kit)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    options
        .open(out)
        .and_then(|mut f| f.write_all(&json))
        .with_context(|| format!("writing {}", out.display()))?;
    let rvs: Vec<String> = kit.places.iter().map(|p| p.rv.to_string()).collect();
    println!(
        "field kit for the {} tier of operation {op} written to {} ({} signing keys; tier keys of rendezvous point(s) {}); it holds tier keys: keep it on the device it is for",
        kit.tier,
        out.display(),
        kit.keys.len(),
        rvs.join(", ")
    );
    Ok(())
}

/// What `pass verify` checks against.
pub struct VerifyArgs<'a> {
    pub text: Option<&'a str>,
    pub image: Option<&'a Path>,
    pub kit: &'a Path,
    pub rv: Option<u64>,
    pub document: Option<&'a str>,
    pub birth_year: Option<u16>,
    pub at: Option<Timestamp>,
    pub language: Language,
    /// Overrides of the kit's staleness policy, in seconds.
    pub warn_after: Option<u64>,
    pub refuse_after: Option<u64>,
}

/// Verifies one pass offline; returns whether it admits.
pub fn verify(a: &VerifyArgs<'_>) -> Result<bool> {
    let kit_text = std::fs::read_to_string(a.kit)
        .with_context(|| format!("reading the field kit {}", a.kit.display()))?;
    let kit: FieldKit = serde_json::from_str(&kit_text)
        .with_context(|| format!("{} is not a field kit", a.kit.display()))?;
    let mut verifier = kit
        .verifier()
        .map_err(|e| anyhow::anyhow!("field kit {}: {e}", a.kit.display()))?;
    if let Some(w) = a.warn_after {
        verifier.policy.warn_after = w;
    }
    if let Some(r) = a.refuse_after {
        verifier.policy.refuse_after = r;
    }
    if verifier.policy.warn_after > verifier.policy.refuse_after {
        bail!("--warn-after-hours must not exceed --refuse-after-hours");
    }
    let text = match (a.text, a.image) {
        (Some(t), None) => t.to_string(),
        (None, Some(path)) => read_qr(path)?,
        _ => bail!("give the pass either as text or with --image PNG, not both"),
    };
    let holder = holder_shown(a.document, a.birth_year)?;
    let now = a.at.unwrap_or_else(safeconduct_keys::now).0.max(0) as u64;
    let v = verifier.verify_text(
        &text,
        &Check {
            now,
            rv: a.rv,
            holder,
        },
    );
    print_verification(&v, a.language, holder.is_some());
    Ok(v.outcome.is_valid())
}

/// The document the holder shows, when one is compared: its number and birth year together.
pub fn holder_shown(
    document: Option<&str>,
    birth_year: Option<u16>,
) -> Result<Option<(&str, u16)>> {
    match (document, birth_year) {
        (Some(d), Some(y)) => Ok(Some((d, y))),
        (None, None) => Ok(None),
        _ => bail!("--document and --birth-year go together"),
    }
}

/// Prints what a verification found: the outcome in the reader's language, warnings, and the
/// facts of the tiers the device could open (the checkpoint's window and count, the gate's
/// case reference and count), nothing else of the pass. `holder_checked` says whether a
/// document was compared.
pub fn print_verification(v: &Verification, language: Language, holder_checked: bool) {
    println!("{}: {}", v.outcome.code(), v.outcome.message(language));
    if let Some(w) = v.warning(language) {
        println!("{w}");
    }
    if let Some(n) = v.holder_notice(language) {
        println!("{n}");
    }
    if let Some(c) = &v.checkpoint {
        println!(
            "rendezvous point {}, window {} – {}, {} people{}",
            c.rv,
            Timestamp(c.window_start as i64).rfc3339(),
            Timestamp(c.window_end as i64).rfc3339(),
            c.people,
            if c.holder.is_some() {
                ", bound to a document"
            } else {
                ""
            }
        );
    }
    if let Some(g) = &v.gate {
        println!(
            "case {}, {} people, from rendezvous point {}",
            g.reference, g.people, g.rv
        );
    }
    if let Some(age) = v.status_age {
        println!("status list age: {} min", age / 60);
    }
    match (&v.checkpoint, holder_checked) {
        (Some(c), false) if v.outcome == Outcome::Valid && c.holder.is_some() => {
            println!("the holder's document was not checked: add --document and --birth-year")
        }
        (Some(c), false) if v.outcome == Outcome::Valid && c.holder.is_none() => {
            println!("the pass is bound to no document: check the holder's identity another way")
        }
        _ => {}
    }
}

/// Reads the QR code in a PNG image and returns its text.
pub fn read_qr(path: &Path) -> Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .with_context(|| format!("{} is not a PNG image", path.display()))?;
    let size = reader
        .output_buffer_size()
        .context("the PNG image is too large")?;
    let mut buf = vec![0; size];
    let info = reader
        .next_frame(&mut buf)
        .with_context(|| format!("reading the image {}", path.display()))?;
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let grey = |x: usize, y: usize| -> u8 {
        let i = (y * w + x) * channels;
        match channels {
            1 | 2 => buf[i],
            _ => ((buf[i] as u16 + buf[i + 1] as u16 + buf[i + 2] as u16) / 3) as u8,
        }
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, grey);
    let grids = image.detect_grids();
    let grid = grids
        .first()
        .with_context(|| format!("no QR code found in {}", path.display()))?;
    let (_, content) = grid
        .decode()
        .map_err(|e| anyhow::anyhow!("the QR code in {} does not read: {e}", path.display()))?;
    Ok(content)
}

#[derive(clap::Subcommand)]
pub enum PassCommand {
    /// Issue a household's pass (or re-issue it: the earlier one is superseded) and print its
    /// text form.
    Issue {
        #[arg(long)]
        operation: i64,
        /// Case reference, e.g. 7KQ2-MX9D.
        #[arg(long)]
        case: String,
        /// Also write the QR code as a PNG image here.
        #[arg(long)]
        png: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Revoke a household's valid pass.
    Revoke {
        #[arg(long)]
        operation: i64,
        #[arg(long)]
        case: String,
        /// Why, for the event log.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Verify a pass offline with a field kit, as a checkpoint device does. Exits with 0 when
    /// the pass admits, 1 otherwise.
    Verify {
        /// The pass's text form (SC2:…). Omit it and give --image to read a QR code.
        text: Option<String>,
        /// A PNG image of the pass's QR code.
        #[arg(long)]
        image: Option<PathBuf>,
        /// Field kit file (from `safeconduct pass kit` or GET /api/operations/{id}/field-kit).
        #[arg(long)]
        kit: PathBuf,
        /// Rendezvous point id where the check happens.
        #[arg(long)]
        rv: Option<u64>,
        /// Number of the document the holder shows.
        #[arg(long)]
        document: Option<String>,
        /// Birth year on that document.
        #[arg(long)]
        birth_year: Option<u16>,
        /// Check as of this time (RFC 3339) instead of now.
        #[arg(long)]
        at: Option<String>,
        /// Language of the answer: en, fr, prs, ps, ar or uk.
        #[arg(long, default_value = "en", value_parser = parse_language)]
        lang: safeconduct_domain::values::Language,
        /// Warn when the kit's revocation list is older than this many hours (default: the
        /// kit's policy, 6).
        #[arg(long)]
        warn_after_hours: Option<u64>,
        /// Refuse every pass when the revocation list is older than this many hours (default:
        /// the kit's policy, 48).
        #[arg(long)]
        refuse_after_hours: Option<u64>,
    },
    /// Write a field kit: public keys, the tier keys of the device's places, the signed
    /// status list.
    Kit {
        #[arg(long)]
        operation: i64,
        /// checkpoint (escort devices) or gate (gate laptops).
        #[arg(long, value_parser = parse_tier)]
        tier: safeconduct_pass::Tier,
        /// A rendezvous point the escort device works at (checkpoint tier; repeatable).
        #[arg(long = "rv")]
        rvs: Vec<i64>,
        /// A gate the gate device works at (gate tier; repeatable): the kit opens the passes
        /// of every rendezvous point it serves.
        #[arg(long = "gate")]
        gates: Vec<i64>,
        /// File to write (created owner-only).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Manage the operation's signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    /// Replace the signing key. With --compromised every pass the old key signed is revoked
    /// and, unless --no-reissue, re-issued at once with the new key.
    Rotate {
        #[arg(long)]
        operation: i64,
        /// The old key may be known to others.
        #[arg(long)]
        compromised: bool,
        /// Do not re-issue the revoked passes now.
        #[arg(long)]
        no_reissue: bool,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn parse_language(s: &str) -> Result<safeconduct_domain::values::Language, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        format!(
            "unknown language {s:?}: expected en, fr, prs (also written fa or fa-AF), ps, ar or uk"
        )
    })
}

fn parse_tier(s: &str) -> Result<safeconduct_pass::Tier, String> {
    match s {
        "checkpoint" => Ok(safeconduct_pass::Tier::Checkpoint),
        "gate" => Ok(safeconduct_pass::Tier::Gate),
        _ => Err(format!("unknown tier {s:?}: expected checkpoint or gate")),
    }
}

impl PassCommand {
    pub fn run(self) -> Result<()> {
        match self {
            PassCommand::Issue {
                operation,
                case,
                png,
                data,
            } => issue(
                data.open()?.as_ref(),
                &data.keyring()?,
                OperationId(operation),
                &case,
                png.as_deref(),
            ),
            PassCommand::Revoke {
                operation,
                case,
                reason,
                data,
            } => revoke(
                data.open()?.as_ref(),
                OperationId(operation),
                &case,
                &reason,
            ),
            PassCommand::Kit {
                operation,
                tier,
                rvs,
                gates,
                out,
                data,
            } => {
                let places = kit_places(tier, &rvs, &gates)?;
                kit(
                    data.open()?.as_ref(),
                    &data.keyring()?,
                    OperationId(operation),
                    &places,
                    &out,
                )
            }
            PassCommand::Keys(KeysCommand::Rotate {
                operation,
                compromised,
                no_reissue,
                data,
            }) => rotate(
                data.open()?.as_ref(),
                &data.keyring()?,
                OperationId(operation),
                compromised,
                !no_reissue,
            ),
            PassCommand::Verify {
                text,
                image,
                kit,
                rv,
                document,
                birth_year,
                at,
                lang,
                warn_after_hours,
                refuse_after_hours,
            } => {
                let at = at
                    .map(|a| safeconduct_domain::values::Timestamp::parse_rfc3339("--at", &a))
                    .transpose()?;
                let valid = verify(&VerifyArgs {
                    text: text.as_deref(),
                    image: image.as_deref(),
                    kit: &kit,
                    rv,
                    document: document.as_deref(),
                    birth_year,
                    at,
                    language: lang,
                    warn_after: warn_after_hours.map(|h| h * 3600),
                    refuse_after: refuse_after_hours.map(|h| h * 3600),
                })?;
                if !valid {
                    std::process::exit(1);
                }
                Ok(())
            }
        }
    }
}
