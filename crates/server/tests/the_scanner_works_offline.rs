//! The scanner in Debian's Chromium against the real server: an escort signs in and enrols
//! the phone, the kit loads, the network is cut (a relay stops answering, so the page's and
//! the service worker's requests fail alike), the fake camera shows a real pass's QR (a y4m
//! video made here from the PNG the server renders) and the verdict admits; the household is
//! admitted into a batch that departs; a revoked pass and a pass of another RV are refused with
//! their codes; the browser restarts with no network and the app still checks passes; the
//! browser's storage holds no reference, name, document number or pass, and neither the kit
//! nor the journal in clear; the network comes back and the records sync, moving the case on
//! the server. Verdict screens are saved in English and Dari; the verdict time with the CPU
//! throttled 4× and the first load's transfer are measured.
//!
//! The other tests: degraded images of a real pass read in the browser; a phone suspended by
//! a coordinator drops its kit at its first refused call, before any reload, and wipes itself
//! at its next contact; a pass revoked while the phone was offline is admitted offline, the
//! admission becomes an incident the coordinator sees, and the next kit refuses the pass; a
//! phone enrols by reading, with its camera, the QR code the coordinator's dashboard shows.

mod common;

#[path = "common/scanner.rs"]
mod scanner;

use base64::Engine as _;
use common::browser::{Browser, Options};
use common::{TestApp, case, spawn_app};
use reqwest::Method;
use safeconduct_domain::Role;
use safeconduct_domain::values::Timestamp;
use safeconduct_server::wire::time_text;
use safeconduct_store::testing::Backend;
use scanner::{Grey, Network, y4m};
use serde_json::{Value, json};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

/// A second RV with its own open window, whose passes this escort's kit cannot open.
async fn other_rv(app: &TestApp, rv: i64) -> i64 {
    let other = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/rvs",
            json!({"name": "RV Bravo", "location": {"lat": 60.17, "lon": 24.95}, "landmark": "By the well"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    app.assign("escort", &[rv, other], &[]).await;
    app.rv_step(Role::Escort, other, "accept").await;
    app.rv_step(Role::Coordinator, other, "activate").await;
    app.assign("escort", &[rv], &[]).await;
    let now = safeconduct_keys::now().0;
    app.add_window(
        other,
        &time_text(Timestamp(now - 1800)),
        &time_text(Timestamp(now + 5400)),
        100,
    )
    .await
}

async fn pass_text(app: &TestApp, reference: &str) -> String {
    app.get(
        Role::Coordinator,
        &format!("/api/operations/{{op}}/households/{reference}/pass"),
    )
    .await["text"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn pass_image(app: &TestApp, reference: &str) -> Grey {
    let res = app
        .client
        .get(app.url(&format!(
            "/api/operations/{{op}}/households/{reference}/pass.png"
        )))
        .bearer_auth(app.token(Role::Coordinator))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    Grey::from_png(&res.bytes().await.unwrap())
}

/// Everything the page's origin keeps: every IndexedDB database's records (keys shown as
/// their kind, bytes in hex), localStorage and the cached responses, as one text.
const STORAGE_DUMP: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const show = (v) => JSON.stringify(v, (k, x) => {
    if (x instanceof CryptoKey) return `[CryptoKey ${x.type} ${x.algorithm.name} extractable=${x.extractable}]`;
    if (x instanceof ArrayBuffer) x = new Uint8Array(x);
    if (ArrayBuffer.isView(x)) return Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), b => b.toString(16).padStart(2, "0")).join("");
    return x;
  });
  const out = [];
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    for (const name of db.objectStoreNames) {
      const tx = db.transaction(name, "readonly").objectStore(name);
      const keys = await new Promise((ok) => { const r = tx.getAllKeys(); r.onsuccess = () => ok(r.result); });
      const values = await new Promise((ok) => { const r = tx.getAll(); r.onsuccess = () => ok(r.result); });
      keys.forEach((k, i) => out.push(`idb ${info.name}/${name}/${k} = ${show(values[i])}`));
    }
    db.close();
  }
  for (let i = 0; i < localStorage.length; i++) out.push(`local ${localStorage.key(i)} = ${localStorage.getItem(localStorage.key(i))}`);
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const body = await (await cache.match(request)).text();
      out.push(`cache ${name} ${request.url} = ${body}`);
    }
  }
  return out.join("\n");
})().then(done, (e) => done("dump failed: " + e));
"#;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn measures(name: &str) -> String {
    format!("return performance.getEntriesByName('{name}').map(e => e.duration)",)
}

async fn wait_verdict(browser: &Browser, code: &str) {
    browser
        .wait_until(
            &format!(
                "!document.getElementById('result').hidden && document.getElementById('verdict').dataset.code === '{code}'"
            ),
            &format!("the verdict {code}"),
        )
        .await;
}

async fn check_text(browser: &Browser, text: &str, code: &str) {
    browser.type_into("#pass-text", text).await;
    browser.click("#text-submit").await;
    wait_verdict(browser, code).await;
}

/// Checks the pass `text` again and again (for ten seconds at most) until the verdict is
/// `code`: the page is loading a new kit meanwhile. Fails naming `what`.
async fn check_until(browser: &Browser, text: &str, code: &str, what: &str) {
    let mut verdict = Value::Null;
    for _ in 0..40 {
        browser.type_into("#pass-text", text).await;
        browser.click("#text-submit").await;
        tokio::time::sleep(Duration::from_millis(250)).await;
        verdict = browser
            .eval(
                "return document.getElementById('result').hidden ? null : document.getElementById('verdict').dataset.code",
                json!([]),
            )
            .await;
        if verdict == json!(code) {
            return;
        }
    }
    panic!("{what}: the verdict is {verdict}, not {code}");
}

/// A coordinator enrols a phone for the escort at `rv`: its id and one-time code.
async fn enrol_for_escort(app: &TestApp, rv: i64) -> (i64, String) {
    let enrolled = app
        .create(
            Role::Coordinator,
            "/api/operations/{op}/devices",
            json!({"username": "escort", "role": "escort", "rv_ids": [rv], "label": "RV phone"}),
        )
        .await;
    let code = enrolled["enrolment_code"].as_str().unwrap().to_string();
    (enrolled["device"]["id"].as_i64().unwrap(), code)
}

/// Signs in on the sign-in page as the escort, who is taken to the scanner.
async fn sign_in_as_escort(browser: &Browser, net: &Network) {
    browser
        .goto(&format!("{}/app/sign-in?lang=en", net.base))
        .await;
    browser.type_into("#username", "escort").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#submit").await;
    browser.wait_for_path("/scanner/").await;
}

/// Waits until the page shows its enrolment screen with the form. The form alone is not
/// enough: it is in the page's markup before the script has chosen which screen to show.
async fn wait_for_the_enrolment_form(browser: &Browser) {
    browser
        .wait_until(
            "!document.getElementById('enrol').hidden && !document.getElementById('enrol-form').hidden",
            "the enrolment form",
        )
        .await;
}

/// Enrols the phone on the scanner's form (checked for accessibility first) with the device
/// number and code a coordinator gave; waits for the scan screen.
async fn enrol_on_the_page(browser: &Browser, device: i64, code: &str) {
    wait_for_the_enrolment_form(browser).await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "enrolment: {problems:#?}");
    browser
        .type_into("#enrol-device", &device.to_string())
        .await;
    browser.type_into("#enrol-code", code).await;
    browser
        .click_until_shown("#enrol-submit", "scan", "the scan screen")
        .await;
}

/// The page's origin keeps no database and no cached file (after a wipe).
async fn assert_nothing_kept(browser: &Browser) {
    let left = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             indexedDB.databases().then(async (dbs) => done({ dbs: dbs.length, caches: (await caches.keys()).length }));",
            json!([]),
        )
        .await;
    assert_eq!(left, json!({"dbs": 0, "caches": 0}));
}

/// What the page's origin keeps, as [`STORAGE_DUMP`] shows it.
async fn storage_dump(browser: &Browser) -> String {
    let dump = browser.eval_async(STORAGE_DUMP, json!([])).await;
    dump.as_str().unwrap().to_string()
}

/// Submits the pass `text` and waits for the page to refuse checking it, saying `says`,
/// with no verdict shown.
async fn refused_to_check(browser: &Browser, text: &str, says: &str) {
    browser.type_into("#pass-text", text).await;
    browser
        .click_until(
            "#text-submit",
            &format!("document.getElementById('scan-message').textContent.includes('{says}')"),
            says,
        )
        .await;
    let on_result = browser
        .eval(
            "return !document.getElementById('result').hidden",
            json!([]),
        )
        .await;
    assert_eq!(on_result, json!(false), "no verdict: {says}");
}

/// Asserts that the phone's storage holds no kit any more, and still holds `kept` (its
/// `device` enrolment, its `journal`).
async fn assert_kit_dropped_keeping(browser: &Browser, kept: &str) {
    let dump = storage_dump(browser).await;
    assert!(
        dump.contains(&format!("idb safeconduct-scanner/state/{kept}")),
        "{kept} kept: {dump}"
    );
    assert!(
        !dump.contains("idb safeconduct-scanner/state/kit"),
        "{dump}"
    );
}

/// An escort's phone signed in and enrolled at a test RV whose window holds one household of
/// two with a pass (its phone number given), on the page behind a network relay the test can
/// cut.
struct EnrolledPhone {
    app: TestApp,
    places: common::Places,
    household: String,
    text: String,
    device: i64,
    net: Network,
    browser: Browser,
}

async fn an_enrolled_phone(phone: &str) -> EnrolledPhone {
    let app = spawn_app(Backend::Sqlite).await;
    let places = app.places(100, 100).await;
    let household = app.register_with_pass(2, phone, places.window).await;
    let text = pass_text(&app, &household).await;
    let (device, code) = enrol_for_escort(&app, places.rv).await;
    let net = Network::relay_to(&app.base).await;
    let browser = Browser::start_with(Options {
        window: (420, 900),
        ..Options::default()
    })
    .await;
    sign_in_as_escort(&browser, &net).await;
    enrol_on_the_page(&browser, device, &code).await;
    EnrolledPhone {
        app,
        places,
        household,
        text,
        device,
        net,
        browser,
    }
}

/// Opens the phone's first batch, bound for `gate`, on the page.
async fn open_batch(browser: &Browser, gate: i64) {
    browser.type_into("#batch-gate", &gate.to_string()).await;
    browser
        .click_until(
            "#batch-submit",
            "document.getElementById('batches').textContent.includes('Batch 1')",
            "batch 1",
        )
        .await;
}

async fn pending(browser: &Browser) -> String {
    browser.text("#status-pending").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escort_scans_offline_and_the_records_sync_when_the_network_returns() {
    let app = spawn_app(Backend::Sqlite).await;
    let places = app.places(100, 100).await;
    let window_b = other_rv(&app, places.rv).await;
    let admitted = app
        .register_with_pass(3, "0700 200 001", places.window)
        .await;
    let revoked = app
        .register_with_pass(2, "0700 200 002", places.window)
        .await;
    let elsewhere = app.register_with_pass(2, "0700 200 003", window_b).await;
    app.ok(
        Role::Coordinator,
        Method::POST,
        &format!("/api/operations/{{op}}/households/{revoked}/pass/revoke"),
        Some(json!({"reason": "reported stolen"})),
        200,
    )
    .await;
    let (text_admitted, text_revoked, text_elsewhere) = (
        pass_text(&app, &admitted).await,
        pass_text(&app, &revoked).await,
        pass_text(&app, &elsewhere).await,
    );

    // The fake camera: the pass held in front of it from the first frame, so that the time
    // from the camera's first frame to the verdict is the time from the code entering it.
    let shown = pass_image(&app, &admitted).await.placed(640, 480, 420, 190);
    let video_dir = tempfile::tempdir().unwrap();
    let video = video_dir.path().join("pass.y4m");
    std::fs::write(&video, y4m(&[(&shown, 20)])).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let options = || Options {
        window: (420, 900),
        fake_video: Some(video.clone()),
        accept_language: "en".into(),
        profile: Some(profile.path().to_path_buf()),
    };

    let (device, code) = enrol_for_escort(&app, places.rv).await;
    // Typed in lower case: the code's letters and digits are what count.
    let code = code.to_lowercase();

    let net = Network::relay_to(&app.base).await;
    let at = |path: &str| format!("{}{path}", net.base);
    let browser = Browser::start_with(options()).await;

    // First load of the scanner on a fresh phone: what it costs on the wire, until the
    // service worker has kept its files.
    browser.goto(&at("/scanner/?lang=en")).await;
    browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             navigator.serviceWorker.ready.then(() => setTimeout(done, 1500));",
            json!([]),
        )
        .await;
    let first_load = net.bytes_received();
    println!("first load: {first_load} bytes through the network, service worker included");
    assert!(first_load < 500_000, "first load {first_load} bytes");

    // Sign in as an escort, who is taken back to the scanner, and enrol the phone.
    sign_in_as_escort(&browser, &net).await;
    enrol_on_the_page(&browser, device, &code).await;
    assert!(browser.text("#status-list").await.contains("0 h"));
    let key = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             const r = indexedDB.open('safeconduct-scanner');
             r.onsuccess = () => { const g = r.result.transaction('state').objectStore('state').get('signing');
               g.onsuccess = () => done({ private: g.result.privateKey.extractable, alg: g.result.privateKey.algorithm.name }); };",
            json!([]),
        )
        .await;
    assert_eq!(key, json!({"private": false, "alg": "Ed25519"}));
    assert_eq!(app.listed_device(device).await["state"], "active");

    // The network goes.
    net.set_online(&browser, false).await;
    browser
        .wait_until(
            "document.getElementById('status-online').textContent === 'Offline'",
            "the offline state",
        )
        .await;

    // A batch to gate 7's id, then the pass in front of the camera.
    open_batch(&browser, places.gate).await;
    browser.click("#camera-start").await;
    wait_verdict(&browser, "valid").await;
    assert_eq!(browser.text("#verdict-word").await, "ADMIT");
    let facts = browser.text("#verdict-facts").await;
    assert!(facts.contains("People: 3"), "{facts}");
    assert!(
        facts.contains(&format!("Rendezvous point {}", places.rv)),
        "{facts}"
    );
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "the verdict: {problems:#?}");
    browser.screenshot("scanner-admit-en").await;
    browser.click("#admit").await;
    // Back to the camera, which does not read the same pass again at once.
    browser
        .wait_until(
            "!document.getElementById('scan').hidden",
            "the scan screen again",
        )
        .await;
    browser
        .click_until(
            "#camera-stop",
            "document.getElementById('batches').textContent.includes('people 3')",
            "the batch's count",
        )
        .await;
    browser.type_into("#head-count", "3").await;
    browser
        .click_until(
            "#depart-submit",
            "document.getElementById('depart-form').hidden",
            "the departure",
        )
        .await;

    // Refusals, recorded with their codes.
    check_text(&browser, &text_revoked, "revoked").await;
    assert_eq!(browser.text("#verdict-word").await, "REFUSE");
    browser.screenshot("scanner-refuse-en").await;
    browser.click("#next").await;
    check_text(&browser, &text_elsewhere, "wrong_rv").await;
    browser.click("#next").await;
    assert_eq!(pending(&browser).await, "Waiting to send: 5");
    assert_eq!(
        app.stage(&admitted).await,
        "pass_issued",
        "nothing synced yet"
    );

    // The phone is switched off and on again, still with no network.
    drop(browser);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let browser = Browser::start_with(options()).await;
    browser.goto(&at("/scanner/?lang=en")).await;
    browser
        .wait_until(
            "!document.getElementById('scan').hidden",
            "the scanner offline",
        )
        .await;
    assert_eq!(pending(&browser).await, "Waiting to send: 5");

    // Verdict time with the CPU slowed four times, from the frame that held the code and
    // from the first frame the camera gave.
    browser
        .cdp("Emulation.setCPUThrottlingRate", json!({"rate": 4}))
        .await;
    browser.click("#camera-start").await;
    wait_verdict(&browser, "valid").await;
    browser
        .cdp("Emulation.setCPUThrottlingRate", json!({"rate": 1}))
        .await;
    let from_frame = browser.eval(&measures("scanner-verdict"), json!([])).await[0]
        .as_f64()
        .unwrap();
    let times = browser
        .eval(
            "const mark = (n) => performance.getEntriesByName(n, 'mark');
             const first = mark('scanner-first-frame')[0].startTime;
             return { entering: mark('scanner-verdict')[0].startTime - first,
                      decoding: mark('scanner-decoded').at(-1).startTime - mark('scanner-frame').at(-1).startTime,
                      frames: mark('scanner-decoded').length,
                      read_by: mark('scanner-decoded').at(-1).detail };",
            json!([]),
        )
        .await;
    println!(
        "verdict with the CPU throttled 4x: {} ms from the code entering the camera's picture \
         ({} frame(s) searched, read by {}), {from_frame} ms from the frame it was read in, of \
         which {} ms decoding",
        times["entering"], times["frames"], times["read_by"], times["decoding"]
    );
    // The target is 300 ms (docs/benchmarks.md records the figures and the machine's load);
    // the test fails only on a verdict no one could wait for, whatever else runs here.
    let entering = times["entering"].as_f64().unwrap();
    assert!(
        entering < 3000.0,
        "{entering} ms from the code entering the picture"
    );
    browser.click("#next").await;
    browser.click("#camera-stop").await;

    // What a seized phone holds. The kit as the page reads it, to look for its fields below.
    let kit = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             import('/assets/scanner/store.js').then((s) => s.kit()).then(done, (e) => done(String(e)));",
            json!([]),
        )
        .await;
    let tier_key = kit["kit"]["places"][0]["key"]
        .as_str()
        .unwrap_or_else(|| panic!("a kit with a tier key: {kit}"))
        .to_string();
    let window_start = kit["windows"][0]["start"].as_str().unwrap().to_string();
    let status_list = kit["kit"]["status_list"].as_str().unwrap()[..40].to_string();
    let dump = storage_dump(&browser).await;
    for kept in ["journal", "kit"] {
        assert!(
            dump.contains(&format!("idb safeconduct-scanner/state/{kept} = {{\"iv\":")),
            "{kept} sealed: {dump}"
        );
    }
    assert!(dump.contains("extractable=false"), "{dump}");
    let mut secrets = vec![
        admitted.clone(),
        revoked.clone(),
        elsewhere.clone(),
        "Sadat".into(),
        "سادات".into(),
        "Member0".into(),
        "P00001000".into(),
        "0700 200".into(),
        // A record in clear (the journal is sealed).
        "\"act\":\"".into(),
        // The kit in clear (it is sealed too): a tier key, as sent or as bytes, a window's
        // time, the signed revocation list.
        tier_key.clone(),
        hex(&base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&tier_key)
            .unwrap()),
        window_start,
        status_list,
    ];
    // No pass text either, whole or in part.
    for text in [&text_admitted, &text_revoked, &text_elsewhere] {
        secrets.push(text[4..40].to_string());
    }
    for r in [&admitted, &revoked, &elsewhere] {
        secrets.push(r.replace('-', ""));
    }
    for secret in &secrets {
        assert!(
            !dump.contains(secret.as_str()),
            "the browser's storage holds {secret}"
        );
    }
    let local = browser.eval("return localStorage.length", json!([])).await;
    assert_eq!(local, 0);

    // The network returns; signed in again, the phone sends what waited.
    net.restore();
    sign_in_as_escort(&browser, &net).await;
    browser
        .wait_until(
            "document.getElementById('status-pending').textContent === 'Waiting to send: 0'",
            "the sync",
        )
        .await;
    assert_eq!(app.stage(&admitted).await, "in_escort");
    assert_eq!(app.stage(&revoked).await, "pass_issued");
    assert!(
        app.open_incidents().await.is_empty(),
        "{:?}",
        app.open_incidents().await
    );

    // The verdicts in Dari, right to left.
    browser.goto(&at("/scanner/?lang=prs")).await;
    browser
        .wait_until(
            "!document.getElementById('scan').hidden",
            "the scanner in Dari",
        )
        .await;
    let dir = browser
        .eval("return document.documentElement.dir", json!([]))
        .await;
    assert_eq!(dir, "rtl");
    check_text(&browser, &text_admitted, "valid").await;
    browser.screenshot("scanner-admit-prs").await;
    browser.click("#next").await;
    check_text(&browser, &text_revoked, "revoked").await;
    let problems = browser.accessibility_problems().await;
    assert!(problems.is_empty(), "the verdict in Dari: {problems:#?}");
    browser.screenshot("scanner-refuse-prs").await;
    browser.click("#next").await;

    // Wiping the phone forgets everything and suspends its key on the server.
    browser
        .eval("window.confirm = () => true; return true", json!([]))
        .await;
    browser
        .click_until_shown("#wipe", "enrol", "the wiped app")
        .await;
    assert_eq!(app.listed_device(device).await["state"], "suspended");
    assert_nothing_kept(&browser).await;
}

/// The start of a script the tests run in the scanner's page (arguments: the picture's grey
/// pixels in base64, its width and height, and the callback): the scanner's camera module, the
/// picture drawn on a canvas (`source`), and the work canvas and context a search reads with.
/// The rest of the script follows inside the same async function.
const GREY_PICTURE_ON_A_CANVAS: &str = "const [pixels, w, h, done] = arguments;
    (async () => {
      const camera = await import('/assets/scanner/camera.js');
      const grey = Uint8Array.from(atob(pixels), c => c.charCodeAt(0));
      const source = document.createElement('canvas');
      source.width = w; source.height = h;
      const image = new ImageData(w, h);
      grey.forEach((v, i) => { image.data.set([v, v, v, 255], 4 * i); });
      source.getContext('2d').putImageData(image, 0, 0);
      const work = document.createElement('canvas');
      const context = work.getContext('2d', { willReadFrequently: true });
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_camera_reads_a_creased_blurred_noisy_faint_or_glaring_pass() {
    let app = spawn_app(Backend::Sqlite).await;
    let places = app.places(100, 100).await;
    let reference = app
        .register_with_pass(2, "0700 200 010", places.window)
        .await;
    let text = pass_text(&app, &reference).await;
    let shown = pass_image(&app, &reference)
        .await
        .placed(640, 480, 400, 200);
    let cases = [
        ("clean", shown.clone()),
        ("blurred", shown.blurred(2)),
        ("noisy", shown.noisy(45)),
        ("creased", shown.creased()),
        ("low contrast", shown.low_contrast(100, 150)),
        ("glare", shown.glare()),
    ];
    let browser = Browser::start().await;
    browser.goto(&app.url("/scanner/?lang=en")).await;
    browser.find("#main").await;
    for (name, image) in cases {
        let pixels = base64::engine::general_purpose::STANDARD.encode(&image.pixels);
        let read = browser
            .eval_async(
                &[
                    GREY_PICTURE_ON_A_CANVAS,
                    "await camera.loadDecoder();
                   for (const strategy of camera.STRATEGIES) {
                     const text = camera.readFrame(source, work, context, strategy);
                     if (text) return { text, strategy: strategy.name };
                   }
                   return null;
                 })().then(done, e => done({ error: String(e) }));",
                ]
                .concat(),
                json!([pixels, image.width, image.height]),
            )
            .await;
        assert_eq!(read["text"], json!(text), "{name}: {read}");
        println!("{name}: read ({})", read["strategy"]);
    }

    // What each search costs with the CPU slowed four times, on the clean picture (warm, six
    // times each), beside the whole picture at 480 pixels (the quick search before it was a
    // centred square at 320) as the reference: the figures docs/benchmarks.md records.
    let pixels = base64::engine::general_purpose::STANDARD.encode(&shown.pixels);
    browser
        .cdp("Emulation.setCPUThrottlingRate", json!({"rate": 4}))
        .await;
    let costs = browser
        .eval_async(
            &[
                GREY_PICTURE_ON_A_CANVAS,
                "const out = {};
               for (const strategy of [...new Set(camera.STRATEGIES), { name: 'whole at 480 (reference)', width: 480 }]) {
                 const times = [];
                 let read = false;
                 for (let i = 0; i < 7; i++) {
                   const t0 = performance.now();
                   read = camera.readFrame(source, work, context, strategy) !== null;
                   if (i > 0) times.push(Math.round(performance.now() - t0));
                 }
                 times.sort((a, b) => a - b);
                 out[strategy.name] = { read, median: (times[2] + times[3]) / 2, times };
               }
               return out;
             })().then(done, e => done({ error: String(e) }));",
            ]
            .concat(),
            json!([pixels, shown.width, shown.height]),
        )
        .await;
    browser
        .cdp("Emulation.setCPUThrottlingRate", json!({"rate": 1}))
        .await;
    println!("search costs with the CPU throttled 4x (ms): {costs}");
    assert_eq!(costs["quick"]["read"], json!(true), "{costs}");
}

/// A phone whose clock is set back behind the time it has already shown stops checking passes
/// (an expired kit or an old revocation list would otherwise pass for fresh), records nothing,
/// and says why, until a new kit fetched online vouches for its time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_set_back_stops_the_checking() {
    // The server and the relay stay up to the end: the phone fetches a kit at the end.
    let EnrolledPhone {
        text,
        browser,
        app: _app,
        net: _net,
        ..
    } = an_enrolled_phone("0700 200 031").await;
    check_text(&browser, &text, "valid").await;
    browser.click("#next").await;
    // The verifier itself refuses a clock more than a day behind its status list (a pass
    // revoked, then left off later lists, would read as good): read at a day behind, it goes
    // on to its other checks.
    let behind = browser
        .eval_async(
            "const [text, skew] = arguments;
             const done = arguments[arguments.length - 1];
             (async () => {
               const store = await import('/assets/scanner/store.js');
               const pass = await import('/assets/scanner/pass.js');
               const v = await pass.verifierFromKit((await store.kit()).kit);
               const at = async (now) => (await pass.verifyText(v, text, { now, rv: null }));
               const far = await at(v.status.issuedAt - skew - 60);
               const near = await at(v.status.issuedAt - skew);
               return [far.code, far.by, near.code];
             })().then(done, (e) => done(String(e)));",
            json!([text, safeconduct_domain::field::CLOCK_SKEW_SECONDS]),
        )
        .await;
    assert_eq!(behind[0], "clock_behind", "{behind}");
    assert_eq!(
        behind[1],
        safeconduct_domain::field::CLOCK_SKEW_SECONDS + 60,
        "{behind}"
    );
    assert!(
        behind[2].is_string() && behind[2] != "clock_behind",
        "{behind}"
    );
    let before = pending(&browser).await;
    // The phone showed a time an hour ahead of its clock now: its clock went back an hour.
    browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             import('/assets/scanner/store.js')
               .then((s) => s.noteTime(Math.floor(Date.now() / 1000) + 3600))
               .then(() => done(true), (e) => done(String(e)));",
            json!([]),
        )
        .await;
    refused_to_check(&browser, &text, "clock has gone back").await;
    assert_eq!(pending(&browser).await, before, "nothing recorded");
    // The clock was right (it had run fast before): a new kit fetched online vouches for the
    // time, and the phone checks again.
    browser.click("#sync").await;
    check_until(&browser, &text, "valid", "checking again after a new kit").await;
}

/// A phone that stays online with nothing to send fetches its kit again once it is five
/// minutes old, unasked: a pass revoked meanwhile is refused without anyone pressing a button.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_phone_online_fetches_a_new_kit_every_five_minutes() {
    let EnrolledPhone {
        app,
        household,
        text,
        browser,
        net: _net,
        ..
    } = an_enrolled_phone("0700 200 032").await;
    check_text(&browser, &text, "valid").await;
    browser.click("#next").await;
    app.revoke_pass(&household, "reported stolen").await;
    let kits = "return performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/kit')).length";
    let fetched = browser.eval(kits, json!([])).await;
    // Five minutes pass on the phone's clock (its next round comes within 30 s).
    browser
        .eval(
            "const real = Date.now.bind(Date); Date.now = () => real() + 301000;",
            json!([]),
        )
        .await;
    let started = std::time::Instant::now();
    while browser.eval(kits, json!([])).await == fetched {
        assert!(
            started.elapsed() < Duration::from_secs(45),
            "no new kit fetched"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    check_until(&browser, &text, "revoked", "the revocation in the new kit").await;
}

/// Signing out on the scanner sends what waits, then drops the kit: a phone left signed out
/// holds no key to read passes with, and verifies nothing until someone signs in again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_sends_the_records_then_drops_the_kit() {
    let EnrolledPhone {
        app,
        text,
        household,
        net,
        browser,
        ..
    } = an_enrolled_phone("0700 200 030").await;
    // An admission recorded with the network cut: it waits on the phone.
    net.cut();
    check_text(&browser, &text, "valid").await;
    browser.click("#admit").await;
    browser
        .wait_until(
            "document.getElementById('status-pending').textContent.includes('1')",
            "the admission waiting",
        )
        .await;
    net.restore();
    browser.click("#who button").await;
    browser.wait_for_path("/app/sign-in").await;
    let stored = app.get(Role::Coordinator, &case(&household)).await;
    assert_eq!(
        stored["stage"], "admitted_at_rv",
        "sent before signing out: {stored}"
    );
    assert_kit_dropped_keeping(&browser, "device").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_suspended_by_a_coordinator_drops_its_kit_at_once_and_wipes_itself_at_its_next_contact()
 {
    let EnrolledPhone {
        app,
        text,
        device,
        net,
        browser,
        ..
    } = an_enrolled_phone("0700 200 020").await;
    check_text(&browser, &text, "valid").await;
    browser.click("#next").await;

    // Reported lost: suspended in a bulk call, while the page is open with its kit in memory.
    app.ok(
        Role::Coordinator,
        Method::POST,
        "/api/operations/{op}/devices/suspend",
        Some(json!({"device_ids": [device]})),
        200,
    )
    .await;
    // Its next call is refused (the suspension ended the user's sessions, which the server
    // forgets within its session cache's seconds): the kit goes at once, from memory and from
    // storage, before any reload.
    tokio::time::sleep(Duration::from_secs(
        safeconduct_server::auth::SESSION_CACHE_SECONDS + 1,
    ))
    .await;
    browser
        .click_until(
            "#sync",
            "document.getElementById('status-list').textContent === 'No field kit'",
            "the kit dropped",
        )
        .await;
    let message = browser.text("#sync-message").await;
    assert!(
        message.contains("kit was removed"),
        "{message}: {}",
        browser.text("body").await
    );
    refused_to_check(&browser, &text, "No field kit").await;
    assert_kit_dropped_keeping(&browser, "journal").await;

    // Signed in again, the phone's next contact is answered 409: it forgets it all.
    sign_in_as_escort(&browser, &net).await;
    browser
        .wait_until(
            "!document.getElementById('enrol').hidden && !document.getElementById('enrol-message').hidden",
            "the wiped phone",
        )
        .await;
    let message = browser.text("#enrol-message").await;
    assert!(message.contains("suspended"), "{message}");
    assert_nothing_kept(&browser).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_revoked_while_the_phone_was_offline_is_refused_after_its_next_kit_and_its_admission_is_an_incident()
 {
    let EnrolledPhone {
        app,
        places,
        household,
        text,
        device,
        net,
        browser,
    } = an_enrolled_phone("0700 200 030").await;

    // The phone goes offline; meanwhile the pass is reported stolen and revoked.
    net.set_online(&browser, false).await;
    app.ok(
        Role::Coordinator,
        Method::POST,
        &format!("/api/operations/{{op}}/households/{household}/pass/revoke"),
        Some(json!({"reason": "reported stolen"})),
        200,
    )
    .await;
    // With the list it holds, the phone cannot know: it admits.
    open_batch(&browser, places.gate).await;
    check_text(&browser, &text, "valid").await;
    browser
        .click_until(
            "#admit",
            "document.getElementById('batches').textContent.includes('people 2')",
            "the admission",
        )
        .await;
    assert!(app.open_incidents().await.is_empty());

    // The network returns: the admission reaches the server as an incident, and the kit the
    // sync brings back refuses the pass from then on.
    net.set_online(&browser, true).await;
    browser
        .click_until(
            "#sync",
            "document.getElementById('status-pending').textContent === 'Waiting to send: 0'",
            "the sync",
        )
        .await;
    let incidents = app.open_incidents().await;
    let revoked: Vec<&Value> = incidents
        .iter()
        .filter(|i| i["kind"] == "revoked_pass")
        .collect();
    assert_eq!(revoked.len(), 1, "{incidents:?}");
    let pass_index = app
        .get(
            Role::Coordinator,
            &format!("/api/operations/{{op}}/households/{household}/pass"),
        )
        .await["pass_index"]
        .clone();
    assert_eq!(revoked[0]["pass_index"], pass_index, "{incidents:?}");
    assert_eq!(revoked[0]["records"][0][0], json!(device), "{incidents:?}");
    browser
        .wait_until(
            "document.getElementById('sync-message').textContent.includes('Incidents raised: 1')",
            "the incident shown on the phone",
        )
        .await;
    check_text(&browser, &text, "revoked").await;
    assert_eq!(browser.text("#verdict-word").await, "REFUSE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_enrols_by_reading_the_qr_code_on_the_coordinators_dashboard() {
    let app = spawn_app(Backend::Sqlite).await;
    let places = app.places(100, 100).await;

    // The coordinator enrols a phone on the dashboard, which shows the code and its QR code.
    let desk = Browser::start().await;
    let session = json!({
        "token": app.token(Role::Coordinator), "username": "coordinator", "op": app.op.0,
        "opName": "Test", "roles": ["coordinator"]
    });
    desk.sign_in_as(&app.url(""), session).await;
    desk.goto(&app.url("/app/dashboard?lang=en")).await;
    desk.find("#device-form").await;
    desk.type_into("#device-user", "escort").await;
    desk.type_into("#device-places", &places.rv.to_string())
        .await;
    desk.type_into("#device-label", "RV phone 2").await;
    desk.click("#device-submit").await;
    desk.wait_until(
        "!document.getElementById('device-enrolled').hidden",
        "the enrolment shown",
    )
    .await;
    let problems = desk.accessibility_problems().await;
    assert!(problems.is_empty(), "the enrolment: {problems:#?}");
    let devices = app
        .get(Role::Coordinator, "/api/operations/{op}/devices")
        .await;
    let device = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["label"] == "RV phone 2")
        .unwrap_or_else(|| panic!("{devices}"))["id"]
        .as_i64()
        .unwrap();
    assert!(
        desk.text("#device-enrolled-text")
            .await
            .contains(&format!("Device {device} enrolled")),
    );
    let code = desk.text("#device-code").await;
    assert!(code.starts_with("Code: "), "{code}");
    // The QR code as the screen shows it, photographed: drawn at 400 pixels in a 640 × 480
    // picture, as a phone held over the coordinator's screen would see it.
    let png = desk
        .eval_async(
            "const done = arguments[arguments.length - 1];
             const img = document.getElementById('device-qr');
             img.decode().then(() => {
               const c = document.createElement('canvas');
               c.width = 640; c.height = 480;
               const g = c.getContext('2d');
               g.fillStyle = '#fff'; g.fillRect(0, 0, 640, 480);
               g.drawImage(img, 120, 40, 400, 400);
               done(c.toDataURL('image/png').split(',')[1]);
             }, (e) => done('not drawn: ' + e));",
            json!([]),
        )
        .await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(png.as_str().unwrap())
        .unwrap_or_else(|_| panic!("{png}"));
    let shown = Grey::from_png(&png);
    drop(desk);

    // The escort's phone: its camera sees first a pass (no enrolment: the page reads on),
    // then the coordinator's screen.
    let household = app
        .register_with_pass(2, "0700 200 040", places.window)
        .await;
    let pass = pass_image(&app, &household)
        .await
        .placed(640, 480, 400, 200);
    let video_dir = tempfile::tempdir().unwrap();
    let video = video_dir.path().join("enrolment.y4m");
    std::fs::write(&video, y4m(&[(&pass, 10), (&shown, 200)])).unwrap();
    let net = Network::relay_to(&app.base).await;
    let phone = Browser::start_with(Options {
        window: (420, 900),
        fake_video: Some(video.clone()),
        accept_language: "en".into(),
        profile: None,
    })
    .await;
    sign_in_as_escort(&phone, &net).await;
    wait_for_the_enrolment_form(&phone).await;
    phone.click("#enrol-scan").await;
    phone
        .wait_until("!document.getElementById('scan').hidden", "the scan screen")
        .await;
    assert_eq!(
        phone.text("#device-name").await,
        format!("Device {device}, operation {}", app.op.0)
    );
    assert!(phone.text("#status-list").await.contains("0 h"));
    assert_eq!(app.listed_device(device).await["state"], "active");
    // The phone checks passes with the kit it loaded.
    check_text(&phone, &pass_text(&app, &household).await, "valid").await;
}
