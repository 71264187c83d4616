// The scanner's service worker, served at /scanner/sw.js (scope /scanner/): keeps the page
// and its files so that the app starts with no network. Network first (fresh files when the
// server answers within a few seconds), the cached copy otherwise. It never touches /api/:
// protocol calls go to the network or fail, and nothing an API answers is cached here (the
// kit lives in IndexedDB).

const CACHE = "safeconduct-scanner-v1";
// The page, in the language it was opened in, is kept when the page asks (scanner.js).
const FILES = [
  "/scanner/",
  "/assets/app.css",
  "/assets/app.js",
  "/assets/scanner/scanner.css",
  "/assets/scanner/scanner.js",
  "/assets/scanner/pass.js",
  "/assets/scanner/store.js",
  "/assets/scanner/protocol.js",
  "/assets/scanner/camera.js",
  "/assets/scanner/warm-up.png",
  "/assets/vendor/jsQR.min.js",
];
const WAIT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// The cached copy; for the page, any language's copy when this one was never kept.
async function cached(request) {
  const hit = (await caches.match(request)) || (request.mode === "navigate" && (await caches.match(request, { ignoreSearch: true })));
  if (!hit) throw new Error("not cached");
  return hit;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), WAIT_MS));
  try {
    return await Promise.race([network, timeout]);
  } catch {
    return cached(request).catch(() => network);
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith("/scanner/") && !url.pathname.startsWith("/assets/")) return;
  event.respondWith(networkFirst(event.request));
});
