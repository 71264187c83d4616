//! `safeconduct pass …`: issue, revoke and verify passes, rotate keys, write field kits.

use anyhow::{Context, Result, bail};
use safeconduct_domain::values::{Language, Timestamp};
use safeconduct_domain::{CaseReference, OperationId};
use safeconduct_keys::passes::{FieldKit, PassKeyring};
use safeconduct_pass::{Check, Outcome, Tier};
use safeconduct_store::{Actor, Store};
use std::path::Path;

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
    let reason = safeconduct_domain::values::Text::parse("reason", reason, 500)?;
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
    let (rotation, kid, issued) = keyring
        .rotate(store, op, compromised, reissue, &actor())
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
        issued.len()
    );
    if compromised && !reissue && !rotation.affected.is_empty() {
        println!(
            "re-issue them with `safeconduct pass issue` for each case, or rotate with --reissue"
        );
    }
    Ok(())
}

pub fn kit(
    store: &dyn Store,
    keyring: &PassKeyring,
    op: OperationId,
    tier: Tier,
    out: &Path,
) -> Result<()> {
    let role = safeconduct_domain::Role::Coordinator;
    let kit = keyring
        .field_kit(store, op, role, Some(tier), safeconduct_keys::now())
        .context("making the field kit")?;
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
    println!(
        "field kit for the {} tier of operation {op} written to {} ({} keys); it holds a tier secret: keep it on the device it is for",
        tier.as_str(),
        out.display(),
        kit.keys.len()
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
    let holder = match (a.document, a.birth_year) {
        (Some(d), Some(y)) => Some((d, y)),
        (None, None) => None,
        _ => bail!("--document and --birth-year go together"),
    };
    let now = a.at.unwrap_or_else(safeconduct_keys::now).0.max(0) as u64;
    let v = verifier.verify_text(
        &text,
        &Check {
            now,
            rv: a.rv,
            holder,
        },
    );
    println!("{}: {}", v.outcome.code(), v.outcome.message(a.language));
    if let Some(w) = v.warning(a.language) {
        println!("{w}");
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
    if v.outcome == Outcome::Valid && holder.is_none() && v.checkpoint.is_some() {
        println!("the holder's document was not checked: add --document and --birth-year");
    }
    Ok(v.outcome.is_valid())
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
