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

/// `safeconduct serve` on a free loopback port over the store at `url`, with `env` set besides
/// the store and key file (logs at `warn`); the server and its base URL.
pub fn serve(url: &str, key_file: &Path, env: &[(&str, &str)]) -> (std::process::Child, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let server = Command::new(env!("CARGO_BIN_EXE_safeconduct"))
        .args(["serve", "--addr", &addr])
        .envs(env.iter().copied())
        .env("SAFECONDUCT_DATABASE", url)
        .env("SAFECONDUCT_KEY_FILE", key_file)
        .env("SAFECONDUCT_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    (server, format!("http://{addr}"))
}

/// Signs in at `base` with the current one-time code of `secret` as soon as the server
/// answers (within 30 seconds); the token.
pub async fn sign_in_when_up(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
    secret: &str,
) -> String {
    let started = std::time::Instant::now();
    loop {
        let answer = client
            .post(format!("{base}/api/sessions"))
            .json(&serde_json::json!({
                "username": username, "password": password,
                "totp": safeconduct_keys::totp::code_for(secret, safeconduct_keys::now().0),
            }))
            .send()
            .await;
        match answer {
            Ok(r) if r.status().is_success() => {
                let body: serde_json::Value = r.json().await.unwrap();
                return body["token"].as_str().unwrap().to_string();
            }
            _ => {
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(30),
                    "server did not start"
                );
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}
