//! A first-time user starts the demo and opens every address it prints: each answers.

mod common;

use common::bin;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The status code of `GET url` (an `http://host:port/path` on loopback).
fn status_of(url: &str) -> u16 {
    let rest = url.strip_prefix("http://").expect("an http:// address");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer from {url}: {answer:?}"))
}

#[test]
fn every_address_the_demo_prints_answers() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::store::free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut demo = bin()
        .args(["demo", "--households", "20", "--addr", &addr, "--data"])
        .arg(dir.path())
        .env_remove("SAFECONDUCT_DATABASE")
        .env_remove("SAFECONDUCT_KEY_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    let mut lines = BufReader::new(demo.stdout.take().unwrap()).lines();
    // The logins are printed before the server starts; the sample lookup ends them.
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("logins") && printed.len() > 1;
        printed.push(line);
        if done {
            break;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "the demo never listened");
        std::thread::sleep(Duration::from_millis(100));
    }
    let urls: Vec<String> = printed
        .iter()
        .flat_map(|l| l.split_whitespace())
        .filter(|w| w.starts_with("http://") && !w.contains("/api/sessions"))
        .map(|w| w.trim_end_matches([',', ')', '\'']).to_string())
        .collect();
    assert!(urls.len() >= 2, "the demo printed addresses: {printed:?}");
    let answers: Vec<(String, u16)> = urls.iter().map(|u| (u.clone(), status_of(u))).collect();
    demo.kill().unwrap();
    let _ = demo.wait();
    for (url, status) in answers {
        assert_eq!(status, 200, "{url} answered {status}");
    }
}
