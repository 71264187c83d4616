// Reads QR codes from the camera with the vendored jsQR (QR only: no other symbology is
// looked for, so camera noise never reads as a pass). Each frame is searched once, with one of
// the STRATEGIES in turn: every other frame the quick search (the centred square of the
// picture at 320 pixels: a code held up to the lens is read in a fraction of a full search),
// the others a code held further away in the centre, or the whole picture at 640 pixels as it
// is, smoothed or inverted. The luminance is contrast stretched before every search. Each
// frame's capture is marked (`performance.mark`) so that the verdict time counts from the
// frame that held the code.
//
// Must not import: the store or the protocol calls. jsQR is loaded as a classic script
// (assets/vendor/jsQR.min.js) when the camera first starts, and found as `globalThis.jsQR`.

const MAX_WIDTH = 640;
// How long the same code is not read again (the escort is still acting on its verdict).
const REPEAT_MS = 15000;
const DECODER = "/assets/vendor/jsQR.min.js";
const WARM_UP = "/assets/scanner/warm-up.png";
let decoder = null;

// Loads the QR decoder once (the service worker keeps it for offline starts).
export function loadDecoder() {
  if (!decoder) {
    decoder = new Promise((resolve, reject) => {
      if (globalThis.jsQR) return resolve();
      const script = document.createElement("script");
      script.src = DECODER;
      script.onload = () => resolve();
      script.onerror = () => {
        decoder = null;
        reject(new Error("the QR decoder could not be loaded"));
      };
      document.head.append(script);
    });
  }
  return decoder;
}

export class Camera {
  constructor(video, onText) {
    this.video = video;
    this.onText = onText;
    this.canvas = document.createElement("canvas");
    this.context = this.canvas.getContext("2d", { willReadFrequently: true });
    this.running = false;
    this.frame = 0;
  }

  async start() {
    if (this.running) return;
    await loadDecoder();
    await this.warmUp();
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    this.video.srcObject = this.stream;
    this.video.setAttribute("playsinline", "");
    this.video.muted = true;
    await this.video.play();
    // The picture's first copy out of the video costs more than the next ones: made now, while
    // the camera starts, not when the first code is searched.
    this.canvas.width = this.canvas.height = QUICK.width;
    this.context.drawImage(this.video, 0, 0, QUICK.width, QUICK.width);
    this.context.getImageData(0, 0, QUICK.width, QUICK.width);
    this.running = true;
    this.tick();
  }

  // Reads a sample QR code (of a pass's size, saying nothing) once per strategy while the
  // camera starts, so that the first pass shown is not searched and decoded by code the
  // browser has not compiled yet.
  async warmUp() {
    if (this.warm) return;
    this.warm = true;
    const sample = new Image();
    sample.src = WARM_UP;
    try {
      await sample.decode();
    } catch {
      return;
    }
    for (const strategy of new Set(STRATEGIES)) readFrame(sample, this.canvas, this.context, strategy);
  }

  stop() {
    this.running = false;
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  tick() {
    if (!this.running) return;
    const next = () => {
      if (this.running) setTimeout(() => this.tick(), 30);
    };
    const v = this.video;
    if (v.readyState < 2 || !v.videoWidth) return next();
    performance.mark("scanner-frame");
    if (this.frame === 0) performance.mark("scanner-first-frame");
    const strategy = STRATEGIES[this.frame++ % STRATEGIES.length];
    const text = readFrame(v, this.canvas, this.context, strategy);
    performance.mark("scanner-decoded", { detail: text === null ? null : strategy.name });
    // The pass just shown stays in front of the lens for a while: read it again only after
    // a pause, or another pass at once.
    const again = text !== null && text === this.last && performance.now() - this.lastAt < REPEAT_MS;
    if (text === null || again) return next();
    this.last = text;
    this.lastAt = performance.now();
    this.onText(text, "scanner-frame");
  }

  // Called by the page once it has shown what the last code said.
  resume() {
    if (this.running) setTimeout(() => this.tick(), 600);
  }
}

// How a frame is searched, in turn from frame to frame. `crop`: the centred square of that
// share of the picture's shorter side (none: the whole picture); `width`: the most pixels
// across it is searched at. Every other frame is the quick search (a pass held up to the lens
// fills most of the picture), so that a code entering the picture waits for at most one of
// the slower searches: a small code in the centre at the camera's own resolution (a pass held
// at arm's length), the whole picture at 640 pixels (a code off centre), also smoothed (noise,
// a cracked screen's grain) or inverted (a code shown light on dark).
const QUICK = { name: "quick", width: 320, crop: 1 };
export const STRATEGIES = [
  QUICK,
  { name: "centre", width: 320, crop: 0.5 },
  QUICK,
  { name: "plain", width: MAX_WIDTH },
  QUICK,
  { name: "smooth", width: MAX_WIDTH, smooth: true },
  QUICK,
  { name: "inverted", width: MAX_WIDTH, inverted: true },
];

// Luminance of an RGBA frame, stretched so that its 1st and 99th percentiles become black
// and white, optionally smoothed with a 3×3 box; written back as grey RGBA.
function prepare(image, smooth) {
  const { data, width: w, height: h } = image;
  const n = w * h;
  const grey = new Uint8Array(n);
  const histogram = new Uint32Array(256);
  for (let i = 0; i < n; i++) {
    const v = (data[4 * i] + 2 * data[4 * i + 1] + data[4 * i + 2]) >> 2;
    grey[i] = v;
    histogram[v]++;
  }
  const percentile = (from, step) => {
    let seen = 0;
    for (let v = from; v >= 0 && v <= 255; v += step) {
      seen += histogram[v];
      if (seen > n / 100) return v;
    }
    return from;
  };
  const low = percentile(0, 1);
  const span = Math.max(16, percentile(255, -1) - low);
  let source = grey;
  if (smooth) {
    const rows = new Uint16Array(n);
    source = new Uint8Array(n);
    for (let y = 0; y < h; y++) {
      const r = y * w;
      rows[r] = 3 * grey[r];
      rows[r + w - 1] = 3 * grey[r + w - 1];
      for (let x = 1; x < w - 1; x++) rows[r + x] = grey[r + x - 1] + grey[r + x] + grey[r + x + 1];
    }
    source.set(grey.subarray(0, w));
    source.set(grey.subarray(n - w), n - w);
    for (let y = 1; y < h - 1; y++) {
      const r = y * w;
      for (let x = 0; x < w; x++) source[r + x] = (rows[r - w + x] + rows[r + x] + rows[r + w + x]) / 9;
    }
  }
  for (let i = 0; i < n; i++) {
    const v = ((source[i] - low) * 255) / span;
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
  }
  return image;
}

// The QR text in an image source (video, image or canvas), or null, searched with one of
// the STRATEGIES.
export function readFrame(source, canvas, context, strategy) {
  const w0 = source.videoWidth || source.naturalWidth || source.width;
  const h0 = source.videoHeight || source.naturalHeight || source.height;
  let [sx, sy, sw, sh] = [0, 0, w0, h0];
  if (strategy.crop) {
    sw = sh = Math.round(Math.min(w0, h0) * strategy.crop);
    sx = Math.floor((w0 - sw) / 2);
    sy = Math.floor((h0 - sh) / 2);
  }
  const scale = Math.min(1, strategy.width / sw);
  const w = Math.round(sw * scale);
  const h = Math.round(sh * scale);
  canvas.width = w;
  canvas.height = h;
  context.drawImage(source, sx, sy, sw, sh, 0, 0, w, h);
  const image = prepare(context.getImageData(0, 0, w, h), !!strategy.smooth);
  const inversion = strategy.inverted ? "onlyInvert" : "dontInvert";
  let code = null;
  try {
    code = globalThis.jsQR(image.data, w, h, { inversionAttempts: inversion });
  } catch {
    // jsQR throws on some frames (a finder pattern half out of the picture): no code there.
    return null;
  }
  return code && code.data ? code.data : null;
}
