//! Embeds every message file under `locales/{language}/{area}.ftl`: adding a file needs no code.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Read when the script runs, not when it was compiled: a build script copied with its
    // target folder from another checkout must read this one.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("locales");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    for lang in std::fs::read_dir(&root).expect("locales/") {
        let lang = lang.expect("locales/ entry").path();
        println!("cargo:rerun-if-changed={}", lang.display());
        for file in std::fs::read_dir(&lang).expect("a language folder") {
            let file = file.expect("a message file").path();
            if file.extension().and_then(|e| e.to_str()) == Some("ftl") {
                println!("cargo:rerun-if-changed={}", file.display());
                files.push(file);
            }
        }
    }
    files.sort();
    let mut out = String::from(
        "/// (language tag, area, source) of every message file.\npub static FILES: &[(&str, &str, &str)] = &[\n",
    );
    for f in files {
        let lang = f
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap();
        let area = f.file_stem().and_then(|n| n.to_str()).unwrap();
        writeln!(
            out,
            "    ({lang:?}, {area:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("files.rs");
    std::fs::write(dest, out).expect("write files.rs");
}
