//! The binary against a database URL and key file (a `TestStore` of either backend), as the
//! crash tests drive it: commands that must succeed, free ports to serve on, and the one-time
//! code secret `user add` prints. Imports nothing of the other helpers.

use std::path::Path;
use std::process::{Command, Stdio};

/// A port nothing listens on now, for a server to bind.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `safeconduct ARGS` on the store at `url` with `key_file`, `stdin` given to it; it must
/// succeed. Returns its standard output.
pub fn cli(url: &str, key_file: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_safeconduct"))
        .args(args)
        .env("SAFECONDUCT_DATABASE", url)
        .env("SAFECONDUCT_KEY_FILE", key_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Adds a coordinator of operation 1 with `password`; the authenticator secret `user add`
/// prints once, for signing in with the current one-time code.
pub fn add_coordinator(url: &str, key_file: &Path, username: &str, password: &str) -> String {
    let args = [
        "user",
        "add",
        username,
        "--operation",
        "1",
        "--role",
        "coordinator",
        "--password-stdin",
    ];
    let added = cli(url, key_file, &args, Some(&format!("{password}\n")));
    added
        .lines()
        .find_map(|l| l.split("authenticator app): ").nth(1))
        .expect("user add prints the one-time code secret")
        .trim()
        .to_string()
}
