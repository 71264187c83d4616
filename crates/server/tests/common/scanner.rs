//! What the scanner's browser tests need besides the browser: a switchable network between
//! the browser and the server (a TCP relay that can stop answering, so that the page's and
//! the service worker's requests fail alike), pass images read from the server's PNG, a
//! fake camera stream (y4m) made from them, and degraded copies of an image (blur, noise, a
//! crease, low contrast, glare).

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A relay on 127.0.0.1 to the server; `cut` makes it refuse new connections and drop open
/// ones, `restore` makes it relay again. It counts the bytes the server sent through it.
pub struct Network {
    pub base: String,
    up: Arc<AtomicBool>,
    signal: watch::Sender<bool>,
    received: Arc<AtomicU64>,
}

/// Copies `from` to `to` until either ends, adding what passed to `count`.
async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    count: Option<Arc<AtomicU64>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
        if let Some(c) = &count {
            c.fetch_add(n as u64, Ordering::SeqCst);
        }
    }
}

impl Network {
    pub async fn relay_to(server_base: &str) -> Network {
        let upstream = server_base.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let up = Arc::new(AtomicBool::new(true));
        let received = Arc::new(AtomicU64::new(0));
        let (signal, _) = watch::channel(true);
        let (flag, watcher, counter) = (up.clone(), signal.subscribe(), received.clone());
        tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else {
                    return;
                };
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let (upstream, mut down) = (upstream.clone(), watcher.clone());
                let counter = counter.clone();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (client_read, client_write) = inbound.into_split();
                    let (server_read, server_write) = outbound.into_split();
                    tokio::select! {
                        _ = pump(client_read, server_write, None) => {}
                        _ = pump(server_read, client_write, Some(counter)) => {}
                        _ = down.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Network {
            base,
            up,
            signal,
            received,
        }
    }

    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.signal.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
        self.signal.send_replace(true);
    }

    /// Cuts the network or brings it back, and tells the browser, as a phone losing and
    /// finding its signal would.
    pub async fn set_online(&self, browser: &crate::common::browser::Browser, online: bool) {
        if online {
            self.restore();
        } else {
            self.cut();
        }
        let conditions = serde_json::json!({
            "offline": !online, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1
        });
        browser
            .cdp("Network.emulateNetworkConditions", conditions)
            .await;
    }

    /// Bytes the server has sent to the browser so far (headers included).
    pub fn bytes_received(&self) -> u64 {
        self.received.load(Ordering::SeqCst)
    }
}

/// A greyscale image, one byte per pixel.
#[derive(Clone)]
pub struct Grey {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Grey {
    /// Decodes a greyscale (or RGB/RGBA) 8-bit PNG.
    pub fn from_png(bytes: &[u8]) -> Grey {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.color_type.samples();
        let pixels = buf[..info.buffer_size()]
            .chunks(channels)
            .map(|p| p[0])
            .collect();
        Grey {
            width: info.width as usize,
            height: info.height as usize,
            pixels,
        }
    }

    fn at(&self, x: isize, y: isize) -> u8 {
        let x = x.clamp(0, self.width as isize - 1) as usize;
        let y = y.clamp(0, self.height as isize - 1) as usize;
        self.pixels[y * self.width + x]
    }

    fn map(&self, f: impl Fn(usize, usize, u8) -> u8) -> Grey {
        let mut out = self.clone();
        for y in 0..self.height {
            for x in 0..self.width {
                out.pixels[y * self.width + x] = f(x, y, self.pixels[y * self.width + x]);
            }
        }
        out
    }

    /// This image scaled (nearest pixel) to fit `side` pixels, centred on a `width` ×
    /// `height` canvas of `background`.
    pub fn placed(&self, width: usize, height: usize, side: usize, background: u8) -> Grey {
        let (x0, y0) = ((width - side) / 2, (height - side) / 2);
        let mut out = Grey {
            width,
            height,
            pixels: vec![background; width * height],
        };
        for y in 0..side {
            for x in 0..side {
                let v = self.at(
                    (x * self.width / side) as isize,
                    (y * self.height / side) as isize,
                );
                out.pixels[(y0 + y) * width + x0 + x] = v;
            }
        }
        out
    }

    /// Box blur of `radius` pixels (twice: close to a Gaussian).
    pub fn blurred(&self, radius: isize) -> Grey {
        let pass = |img: &Grey, dx: isize, dy: isize| {
            img.map(|x, y, _| {
                let sum: u32 = (-radius..=radius)
                    .map(|i| img.at(x as isize + i * dx, y as isize + i * dy) as u32)
                    .sum();
                (sum / (2 * radius as u32 + 1)) as u8
            })
        };
        let once = pass(&pass(self, 1, 0), 0, 1);
        pass(&pass(&once, 1, 0), 0, 1)
    }

    /// Uniform noise of ± `amplitude`, from a fixed seed.
    pub fn noisy(&self, amplitude: i32) -> Grey {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut out = self.clone();
        for p in &mut out.pixels {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let r = ((state >> 33) % (2 * amplitude as u64 + 1)) as i32 - amplitude;
            *p = (*p as i32 + r).clamp(0, 255) as u8;
        }
        out
    }

    /// A fold across the image: a shaded band along a slanted line, the part below it shifted
    /// by a few pixels as a creased print lies.
    pub fn creased(&self) -> Grey {
        let h = self.height as isize;
        self.map(|x, y, _| {
            let line = h / 2 + (x as isize) / 6;
            let (x, y) = (x as isize, y as isize);
            let v = if y > line {
                self.at(x - 3, y - 2)
            } else {
                self.at(x, y)
            };
            if (y - line).abs() <= 4 {
                (v as u32 * 3 / 5 + 50) as u8
            } else {
                v
            }
        })
    }

    /// Dark and light squeezed into `low`..`high`.
    pub fn low_contrast(&self, low: u8, high: u8) -> Grey {
        self.map(|_, _, v| (low as u32 + v as u32 * (high - low) as u32 / 255) as u8)
    }

    /// A bright glare spot washing out part of the image, as on a phone screen under the sun.
    pub fn glare(&self) -> Grey {
        let (cx, cy) = (self.width as f64 * 0.3, self.height as f64 * 0.3);
        let radius = self.width as f64 * 0.25;
        self.map(|x, y, v| {
            let d = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt();
            let lift = (1.0 - d / radius).max(0.0) * 110.0;
            (v as f64 + lift).min(255.0) as u8
        })
    }
}

/// A y4m video (4:2:0, grey: chroma at 128) of these frames, each shown `repeat` times, at
/// ten frames a second: what Chromium's fake camera plays in a loop.
pub fn y4m(frames: &[(&Grey, usize)]) -> Vec<u8> {
    let (w, h) = (frames[0].0.width, frames[0].0.height);
    assert!(w % 2 == 0 && h % 2 == 0, "4:2:0 needs even sides");
    let mut out = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    for (frame, repeat) in frames {
        assert_eq!((frame.width, frame.height), (w, h));
        for _ in 0..*repeat {
            out.extend_from_slice(b"FRAME\n");
            out.extend_from_slice(&frame.pixels);
            out.extend(std::iter::repeat_n(128u8, w * h / 2));
        }
    }
    out
}
