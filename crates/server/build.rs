//! Embeds every file under `assets/` (the pages' templates, scripts, styles, fonts and vendored
//! libraries) into the binary: the server needs no files beside it and no network to serve its
//! pages. Adding a file needs no code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("an assets folder")
        .map(|e| e.expect("an assets entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else {
            println!("cargo:rerun-if-changed={}", path.display());
            out.push(path);
        }
    }
}

fn main() {
    // Read when the script runs, not when it was compiled: a build script copied with its
    // target folder from another checkout must read this one.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("assets");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut out = String::from(
        "/// (path under assets/, contents) of every embedded file.\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for f in files {
        let name = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            out,
            "    ({name:?}, include_bytes!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("assets.rs");
    std::fs::write(dest, out).expect("write assets.rs");
}
