//! A real browser for the page tests: Debian's Chromium driven through its ChromeDriver over
//! the W3C WebDriver protocol (JSON over loopback HTTP). A test that cannot find either fails,
//! with the command that installs them; nothing here skips.

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a wait for the page lasts before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// How the browser starts.
pub struct Options {
    /// Width and height of the window in CSS pixels.
    pub window: (u32, u32),
    /// A Y4M video the fake camera shows (the scanner's tests).
    pub fake_video: Option<PathBuf>,
    /// The browser's own language (`Accept-Language`).
    pub accept_language: String,
    /// A profile directory to start with (to restart a browser with its storage); a fresh
    /// temporary one when `None`.
    pub profile: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            window: (1280, 900),
            fake_video: None,
            accept_language: "en".into(),
            profile: None,
        }
    }
}

pub struct Browser {
    driver: Child,
    driver_port: u16,
    session: String,
    http: reqwest::Client,
    _profile: Option<tempfile::TempDir>,
}

/// Where the test run saves screenshots, committed so a reader can see the product.
pub fn screenshots_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Browser {
        for tool in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(tool).exists(),
                "{tool} is missing: the page tests drive Debian's Chromium \
                 (apt-get install -y chromium chromium-driver; scripts/test.sh does it)"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        safeconduct_server::outbox::install_tls_provider();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                break;
            }
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let temporary = match options.profile {
            Some(_) => None,
            None => Some(tempfile::tempdir().expect("a profile directory")),
        };
        let profile_dir = options
            .profile
            .clone()
            .unwrap_or_else(|| temporary.as_ref().unwrap().path().to_path_buf());
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-features=Translate,MediaRouter,OptimizationHints".into(),
            format!("--user-data-dir={}", profile_dir.display()),
            format!("--window-size={},{}", options.window.0, options.window.1),
            format!("--lang={}", options.accept_language),
        ];
        if let Some(video) = &options.fake_video {
            args.push("--use-fake-ui-for-media-stream".into());
            args.push("--use-fake-device-for-media-stream".into());
            args.push(format!(
                "--use-file-for-fake-video-capture={}",
                video.display()
            ));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "prefs": {"intl.accept_languages": options.accept_language},
            },
        }}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("a JSON answer");
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("Chromium did not start: {res}"))
            .to_string();
        Browser {
            driver,
            driver_port: port,
            session,
            http,
            _profile: temporary,
        }
    }

    /// One WebDriver command; its `value`, or a failure naming the command and the answer.
    pub async fn command(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        self.try_command(method.clone(), path, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// One WebDriver command; its `value`, or the driver's error and message.
    async fn try_command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Result<Value, String> {
        let url = format!(
            "http://127.0.0.1:{}/session/{}{path}",
            self.driver_port, self.session
        );
        let req = self.http.request(method.clone(), &url);
        let req = if method == reqwest::Method::GET {
            req
        } else {
            req.json(&body)
        };
        let res: Value = req
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        if let Some(error) = res["value"]["error"].as_str() {
            return Err(format!("{error}: {}", res["value"]["message"]));
        }
        Ok(res["value"].clone())
    }

    /// Runs `act` on the element `css` as a person would: finding it again when the page
    /// redrew it between finding and acting (a live page redraws often), and waiting, up to
    /// [`PATIENCE`], while it is in the page but not yet shown or usable.
    async fn on_element(&self, css: &str, act: &str, body: Value) {
        let started = Instant::now();
        let mut redrawn = 0;
        loop {
            let id = self.find(css).await;
            let path = format!("/element/{id}/{act}");
            match self
                .try_command(reqwest::Method::POST, &path, body.clone())
                .await
            {
                Ok(_) => return,
                Err(e) if e.starts_with("stale element reference") && redrawn < 10 => {
                    redrawn += 1;
                }
                Err(e)
                    if e.starts_with("element not interactable")
                        && started.elapsed() < PATIENCE => {}
                Err(e) => panic!("{act} on {css}: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.command(reqwest::Method::POST, path, body).await
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", Value::Null)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) and answers its result.
    pub async fn eval(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    /// Runs `script`, which calls `arguments[arguments.length - 1](result)` when done.
    pub async fn eval_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": args }))
            .await
    }

    /// Waits until `condition` (a JavaScript expression) is truthy; fails naming `what`.
    pub async fn wait_until(&self, condition: &str, what: &str) {
        let started = Instant::now();
        let script = format!("try {{ return !!({condition}); }} catch (e) {{ return false; }}");
        loop {
            if self.eval(&script, json!([])).await == true {
                return;
            }
            if started.elapsed() > PATIENCE {
                let body = self
                    .eval(
                        "return document.body ? document.body.innerText : ''",
                        json!([]),
                    )
                    .await;
                panic!("waited {PATIENCE:?} for {what}; the page says:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the browser is at `path` (of this server), whatever the page answered.
    pub async fn wait_for_path(&self, path: &str) {
        let started = Instant::now();
        loop {
            let url = self.url().await;
            let here = url
                .split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
                .unwrap_or("");
            if here.split(['?', '#']).next() == Some(path) {
                return;
            }
            assert!(started.elapsed() < PATIENCE, "waited for {path}; at {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The element `css` selects, waiting for it to appear.
    pub async fn find(&self, css: &str) -> String {
        let selector = serde_json::to_string(css).unwrap();
        self.wait_until(&format!("document.querySelector({selector})"), css)
            .await;
        let v = self
            .post("/element", json!({ "using": "css selector", "value": css }))
            .await;
        v[ELEMENT].as_str().expect("an element id").to_string()
    }

    pub async fn click(&self, css: &str) {
        self.on_element(css, "click", json!({})).await;
    }

    /// Clicks `css`, then waits until `condition` holds (what the click should lead to).
    pub async fn click_until(&self, css: &str, condition: &str, what: &str) {
        self.click(css).await;
        self.wait_until(condition, what).await;
    }

    /// Clicks `css`, waits until the element of id `shown` is no longer hidden (the answer the
    /// click should lead to), and returns that element's text.
    pub async fn click_until_shown(&self, css: &str, shown: &str, what: &str) -> String {
        let condition = format!("!document.getElementById('{shown}').hidden");
        self.click_until(css, &condition, what).await;
        self.text(&format!("#{shown}")).await
    }

    /// Clicks `css`, waits until the element of id `id` says `text` (the answer the click
    /// should lead to), and returns all that element says.
    pub async fn click_until_says(&self, css: &str, id: &str, text: &str, what: &str) -> String {
        let condition = format!("document.getElementById('{id}').textContent.includes({text:?})");
        self.click_until(css, &condition, what).await;
        self.text(&format!("#{id}")).await
    }

    /// Types `text` into the field `css` after emptying it, as a person would.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.on_element(css, "clear", json!({})).await;
        self.on_element(css, "value", json!({ "text": text })).await;
    }

    /// Presses keys in the focused element (WebDriver key codes, e.g. "\u{E004}" for Tab).
    pub async fn keys(&self, keys: &str) {
        let active = self
            .command(reqwest::Method::GET, "/element/active", Value::Null)
            .await;
        let id = active[ELEMENT].as_str().expect("a focused element");
        self.post(&format!("/element/{id}/value"), json!({ "text": keys }))
            .await;
    }

    /// The page's writing direction and language, as its root element states them.
    pub async fn direction_and_language(&self) -> (String, String) {
        let both = self
            .eval(
                "return [document.documentElement.dir, document.documentElement.lang]",
                json!([]),
            )
            .await;
        let text = |i: usize| both[i].as_str().unwrap_or_default().to_string();
        (text(0), text(1))
    }

    /// The visible text of the element `css` (found again when the page redrew it between
    /// finding and reading).
    pub async fn text(&self, css: &str) -> String {
        for _ in 0..10 {
            let id = self.find(css).await;
            let path = format!("/element/{id}/text");
            match self
                .try_command(reqwest::Method::GET, &path, Value::Null)
                .await
            {
                Ok(text) => return text.as_str().unwrap_or_default().to_string(),
                Err(e) if e.starts_with("stale element reference") => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("text of {css}: {e}"),
            }
        }
        panic!("{css} was redrawn every time before it could be read");
    }

    /// Saves a screenshot of the window as `docs/screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        use base64::Engine as _;
        let data = self
            .command(reqwest::Method::GET, "/screenshot", Value::Null)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().expect("base64 PNG"))
            .expect("a PNG");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("docs/screenshots");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    }

    /// Puts a signed-in session into this tab's storage, as the sign-in page would after the
    /// server accepted the account (`origin` is the server; the tab must be on one of its
    /// pages or will be), so a test can open a page without the sign-in form.
    pub async fn sign_in_as(&self, origin: &str, session: Value) {
        if !self.url().await.starts_with(origin) {
            self.goto(&format!("{origin}/app/sign-in?lang=en")).await;
        }
        self.eval(
            "sessionStorage.setItem('safeconduct.session', JSON.stringify(arguments[0]))",
            json!([session]),
        )
        .await;
    }

    /// The handle of the window (tab) the commands go to.
    pub async fn window(&self) -> String {
        let v = self
            .command(reqwest::Method::GET, "/window", Value::Null)
            .await;
        v.as_str().expect("a window handle").to_string()
    }

    /// Opens a new tab (with a storage of its own: a session put there stays there) and
    /// sends the commands to it; its handle.
    pub async fn new_tab(&self) -> String {
        let v = self.post("/window/new", json!({ "type": "tab" })).await;
        let handle = v["handle"].as_str().expect("a new tab").to_string();
        self.switch_to(&handle).await;
        handle
    }

    /// Sends the commands to the window `handle`.
    pub async fn switch_to(&self, handle: &str) {
        self.post("/window", json!({ "handle": handle })).await;
    }

    /// Clicks `css`, waits for the window the page opens in answer, and sends the commands to
    /// it; the handle of the window the click was made in.
    pub async fn click_to_open_window(&self, css: &str) -> String {
        let here = self.window().await;
        let handles = || async {
            self.command(reqwest::Method::GET, "/window/handles", Value::Null)
                .await
                .as_array()
                .expect("window handles")
                .iter()
                .filter_map(|h| h.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        };
        let before = handles().await;
        self.click(css).await;
        let started = Instant::now();
        loop {
            if let Some(new) = handles().await.into_iter().find(|h| !before.contains(h)) {
                self.switch_to(&new).await;
                return here;
            }
            assert!(started.elapsed() < PATIENCE, "{css} opened no window");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Closes the window the commands go to and sends them to `back_to`.
    pub async fn close_window(&self, back_to: &str) {
        self.command(reqwest::Method::DELETE, "/window", json!({}))
            .await;
        self.switch_to(back_to).await;
    }

    /// A Chrome DevTools Protocol command (network conditions, CPU throttling, storage…).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
            .await
    }

    /// From now on, keeps the errors the pages' scripts throw (and the promises they leave
    /// rejected unhandled) in each page this browser opens, for [`Browser::script_errors`].
    pub async fn keep_script_errors(&self) {
        let source = "window.__scriptErrors = [];
            addEventListener('error', (e) => window.__scriptErrors.push(String(e.message)));
            addEventListener('unhandledrejection', (e) => window.__scriptErrors.push(String(e.reason)));";
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await;
    }

    /// The errors the current page's scripts threw since it opened (see
    /// [`Browser::keep_script_errors`]).
    pub async fn script_errors(&self) -> Vec<String> {
        let errors = self
            .eval(
                "return window.__scriptErrors || ['errors not kept']",
                json!([]),
            )
            .await;
        serde_json::from_value(errors).expect("a list of messages")
    }

    /// The serious and critical accessibility violations axe-core finds on the page, one line
    /// each (rule, impact, the first elements).
    pub async fn accessibility_problems(&self) -> Vec<String> {
        static AXE: &str = include_str!("../vendor/axe.min.js");
        self.eval(AXE, json!([])).await;
        let result = self
            .eval_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact,
                     nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))))
                   .catch(e => done([{ id: 'axe failed', impact: 'critical', nodes: [String(e)] }]));",
                json!([]),
            )
            .await;
        result
            .as_array()
            .expect("axe's violations")
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| format!("{} ({}): {}", v["id"], v["impact"], v["nodes"]))
            .collect()
    }
}

/// Clicks a case's print button (`print`) on the dashboard and checks the pass sheet it opens:
/// a document of its own (a blob, under the dashboard's policy, which allows no inline style
/// but the sheet's own by its hash) that is styled as printed: the code 9 cm wide, the
/// reference centred in a fixed-width face. Saves a screenshot as `screenshot`; comes back to
/// the dashboard's tab.
pub async fn the_printed_pass_sheet_is_styled(browser: &Browser, print: &str, screenshot: &str) {
    let dashboard = browser.click_to_open_window(print).await;
    browser
        .wait_until("document.querySelector('.qr svg')", "the pass sheet")
        .await;
    let styled = browser
        .eval(
            "const ref = getComputedStyle(document.querySelector('.ref'));
             const qr = document.querySelector('.qr').getBoundingClientRect();
             return [location.protocol, ref.fontFamily, ref.textAlign, Math.round(qr.width)];",
            json!([]),
        )
        .await;
    // 9 cm at 96 CSS pixels to the inch.
    assert_eq!(styled, json!(["blob:", "monospace", "center", 340]));
    browser.screenshot(screenshot).await;
    browser.close_window(&dashboard).await;
}

impl Drop for Browser {
    /// Ends the session (closing Chromium) and stops ChromeDriver.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.driver_port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                s,
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
