//! The key encryption key file: 32 random bytes as 64 hex digits, readable by its owner only.
//! It wraps every data key (which seals personal data) and pass key of the database; keep it,
//! and its backup, apart from the database.

use anyhow::{Context, Result, bail};
use safeconduct_pass::Kek;
use std::io::Write;
use std::path::Path;

/// Reads the key file, creating it (owner-only) when it does not exist yet.
pub fn load_or_create(path: &Path) -> Result<Kek> {
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the directory of {}", path.display()))?;
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = match options.open(path) {
            Ok(f) => f,
            // Another server sharing the file made it at the same moment: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return load_when_written(path);
            }
            Err(e) => {
                return Err(e).with_context(|| format!("creating the key file {}", path.display()));
            }
        };
        writeln!(file, "{hex}")?;
        file.sync_all()?;
        eprintln!(
            "created the key encryption key {}: back it up apart from the database; without it \
             this database's personal data cannot be read and its passes cannot be issued",
            path.display()
        );
        return Ok(Kek::from_bytes(&key));
    }
    load(path)
}

/// Reads a key file another process is writing, waiting up to a second for its content.
fn load_when_written(path: &Path) -> Result<Kek> {
    for _ in 0..50 {
        if std::fs::metadata(path).is_ok_and(|m| m.len() >= 64) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    load(path)
}

pub fn load(path: &Path) -> Result<Kek> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading the key file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                "the key file is readable by other users; restrict it with chmod 600"
            );
        }
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the key file {}", path.display()))?;
    match Kek::from_hex(&text) {
        Some(kek) => Ok(kek),
        None => bail!(
            "the key file {} does not hold a key: expected 64 hexadecimal digits",
            path.display()
        ),
    }
}
