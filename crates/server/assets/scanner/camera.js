// Reads QR codes from the camera with the vendored jsQR (QR only: no other symbology is
// looked for, so camera noise never reads as a pass). Frames are scaled down to at most
// 640 pixels wide and searched alternately as they are and inverted (a phone screen shown
// in negative, glare). Each frame's capture is marked (`performance.mark`) so that the
// verdict time counts from the frame that held the code.
//
// Must not import: the store or the protocol calls. jsQR is loaded as a classic script
// (assets/vendor/jsQR.min.js) and found as `globalThis.jsQR`.

const MAX_WIDTH = 640;

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
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    this.video.srcObject = this.stream;
    this.video.setAttribute("playsinline", "");
    this.video.muted = true;
    await this.video.play();
    this.running = true;
    this.tick();
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
    const text = readFrame(v, this.canvas, this.context, this.frame++);
    if (text === null) return next();
    this.onText(text, "scanner-frame");
  }

  // Called by the page once it has shown what the last code said.
  resume() {
    if (this.running) setTimeout(() => this.tick(), 600);
  }
}

// The QR text in an image source (video, image or canvas), or null. `attempt` alternates
// plain and inverted searches; `both` searches both at once.
export function readFrame(source, canvas, context, attempt, both = false) {
  const w0 = source.videoWidth || source.naturalWidth || source.width;
  const h0 = source.videoHeight || source.naturalHeight || source.height;
  const scale = Math.min(1, MAX_WIDTH / w0);
  const w = Math.round(w0 * scale);
  const h = Math.round(h0 * scale);
  canvas.width = w;
  canvas.height = h;
  context.drawImage(source, 0, 0, w, h);
  const image = context.getImageData(0, 0, w, h);
  const inversion = both ? "attemptBoth" : attempt % 2 === 0 ? "dontInvert" : "onlyInvert";
  const code = globalThis.jsQR(image.data, w, h, { inversionAttempts: inversion });
  return code && code.data ? code.data : null;
}
