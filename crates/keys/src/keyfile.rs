//! The key encryption key file: 32 random bytes as 64 hex digits, readable by its owner only.
//! It wraps every data key (which seals personal data) and pass key of the database; keep it,
//! and its backup, apart from the database.
//!
//! Knows nothing of the store or HTTP; logs the file's path, never its content.

use safeconduct_pass::Kek;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The key file could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// `doing` says what failed, e.g. "reading the key file /data/key.hex".
    #[error("{doing}")]
    Io {
        doing: String,
        #[source]
        source: std::io::Error,
    },
    #[error("random source: {0}")]
    Random(String),
    #[error("the key file {} does not hold a key: expected 64 hexadecimal digits", .0.display())]
    NotAKey(PathBuf),
}

/// Adds what was being done to an I/O error.
trait Doing<T> {
    fn doing(self, what: impl FnOnce() -> String) -> Result<T, KeyFileError>;
}

impl<T> Doing<T> for std::io::Result<T> {
    fn doing(self, what: impl FnOnce() -> String) -> Result<T, KeyFileError> {
        self.map_err(|source| KeyFileError::Io {
            doing: what(),
            source,
        })
    }
}

/// Reads the key file, creating it (owner-only) when it does not exist yet.
pub fn load_or_create(path: &Path) -> Result<Kek, KeyFileError> {
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .doing(|| format!("creating the directory of {}", path.display()))?;
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| KeyFileError::Random(e.to_string()))?;
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
                return Err(e).doing(|| format!("creating the key file {}", path.display()));
            }
        };
        writeln!(file, "{hex}")
            .and_then(|()| file.sync_all())
            .doing(|| format!("writing the key file {}", path.display()))?;
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
fn load_when_written(path: &Path) -> Result<Kek, KeyFileError> {
    for _ in 0..50 {
        if std::fs::metadata(path).is_ok_and(|m| m.len() >= 64) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    load(path)
}

/// Reads an existing key file; warns when others than its owner may read it.
pub fn load(path: &Path) -> Result<Kek, KeyFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .doing(|| format!("reading the key file {}", path.display()))?
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
        .doing(|| format!("reading the key file {}", path.display()))?;
    Kek::from_hex(&text).ok_or_else(|| KeyFileError::NotAKey(path.to_path_buf()))
}
