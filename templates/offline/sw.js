// Saring's service worker. Every page works without it; it adds three things:
// the modules a learner saves open offline, other pages show a friendly offline page that lists them,
// and quiz or review answers (or "done" marks) given offline wait on the phone until the connection returns.
"use strict";
const SHELL = "saring-shell-{{ version }}";
const ASSETS = {{ assets|tojson }};
const OFFLINE = {{ offline_pages|tojson }};
const MODULE_CACHE = "saring-module-";
const LANGUAGES = {{ languages|tojson }};  // the first is the default
// the forms that may wait: a quiz's answers, a lesson's "done", and a review's answers
const WAITS = new RegExp("^/(" + LANGUAGES.join("|") + ")/(modules/[^/]+/(quiz|[^/]+/done)|review)$");
// the day's review, kept as last seen online so that it can be answered offline
const REVIEW = new RegExp("^/(" + LANGUAGES.join("|") + ")/review$");
const REVIEW_CACHE = "saring-review";

self.addEventListener("install", (event) => {
  const pages = Object.values(OFFLINE).map((url) => new Request(url, {credentials: "omit"}));
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll([...ASSETS, ...pages]))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("saring-shell-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
    await refreshSavedModules();  // saved pages name the new files
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && WAITS.test(url.pathname)) {
    event.respondWith(sendOrKeep(request, url));
  } else if (request.method === "GET" && /^\/(assets|media)\//.test(url.pathname)) {
    event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
  } else if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(networkFirst(request, url));
  }
});

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "send") event.waitUntil(sendWaiting());
  if (message.type === "seen") event.waitUntil(answers("delete", message.id));
  if (message.type === "forget") event.waitUntil(forget());
});

self.addEventListener("sync", (event) => {
  if (event.tag === "send") event.waitUntil(sendWaiting());
});

function languageOf(url) {
  const first = url.pathname.split("/")[1];
  return LANGUAGES.includes(first) ? first : LANGUAGES[0];
}

async function networkFirst(request, url) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      await refreshIfSaved(request, response.clone());
      if (REVIEW.test(url.pathname)) await (await caches.open(REVIEW_CACHE)).put(request, response.clone());
    }
    return response;
  } catch (error) {
    return (await savedCopy(url.pathname)) || savedCopy(OFFLINE[languageOf(url)]);
  }
}

// A saved module's copy first: its offline page shows the learner's own menu (the worker's own copy, kept
// before anyone signed in, cannot). The address's query string is left aside, as the app leaves it.
async function savedCopy(path) {
  for (const cache of await savedModuleCaches()) {
    const kept = await cache.match(path);
    if (kept) return kept;
  }
  return caches.match(path);
}

// Where "I have finished this lesson" leads, if it is saved: the next lesson, or the quiz after the last.
async function nextSaved(lessonPath) {
  const lesson = await savedCopy(lessonPath);
  const next = lesson && (await lesson.text()).match(/<a rel="next" href="([^"]+)"/);
  return next && (await savedCopy(next[1])) ? next[1] : null;
}

async function savedModuleCaches() {
  const names = (await caches.keys()).filter((name) => name.startsWith(MODULE_CACHE));
  return Promise.all(names.map((name) => caches.open(name)));
}

// a saved page seen again online is kept as it is now (with today's progress)
async function refreshIfSaved(request, response) {
  for (const cache of await savedModuleCaches()) {
    if (await cache.match(request)) await cache.put(request, response);
  }
}

async function refreshSavedModules() {
  for (const cache of await savedModuleCaches()) {
    const pages = (await cache.keys()).filter((request) => !/^\/media\//.test(new URL(request.url).pathname));
    await cache.addAll(pages).catch(() => {});  // offline now: the next update tries again
  }
}

async function forget() {
  for (const name of await caches.keys()) {
    if (name.startsWith(MODULE_CACHE) || name === REVIEW_CACHE) await caches.delete(name);
  }
  await answers("clear");
}

async function sendOrKeep(request, url) {
  const body = await request.clone().text();
  try {
    return await fetch(request);
  } catch (error) {
    const id = new URLSearchParams(body).get("submission_key") || url.pathname;
    // a lesson marked done moves on to the next saved page, which says the mark waits (nothing to follow)
    const next = url.pathname.endsWith("/done") && await nextSaved(url.pathname.slice(0, -5));
    await answers("put", {id, url: url.pathname, body, state: "waiting", result: null, quiet: Boolean(next)});
    if (self.registration.sync) self.registration.sync.register("send").catch(() => {});
    return Response.redirect((next || OFFLINE[languageOf(url)]) + "?waiting=" + encodeURIComponent(id), 303);
  }
}

let sending = null;

// Send what waits, oldest first; the quiz's submission key makes a resend land on the same attempt.
function sendWaiting() {
  sending = sending || (async () => {
    for (const item of await answers("getAll")) {
      if (item.state !== "waiting") continue;
      let response;
      try {
        response = await fetch(item.url, {
          method: "POST", body: item.body, credentials: "same-origin",
          headers: {"Content-Type": "application/x-www-form-urlencoded"},
        });
      } catch (error) {
        break;  // still offline
      }
      const sent = response.ok && response.redirected;
      if (sent && item.quiet) await answers("delete", item.id);
      else await answers("put", {...item, state: sent ? "sent" : "failed", result: sent ? response.url : null});
    }
    const items = (await answers("getAll")).map(({id, state, result}) => ({id, state, result}));
    for (const client of await self.clients.matchAll()) client.postMessage({type: "answers", items});
  })().finally(() => { sending = null; });
  return sending;
}

// The waiting answers live in IndexedDB, which outlasts a closed browser.
function answers(method, value) {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open("saring", 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore("answers", {keyPath: "id"});
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const transaction = opening.result.transaction("answers", "readwrite");
      transaction.oncomplete = () => opening.result.close();
      const store = transaction.objectStore("answers");
      const request = value === undefined ? store[method]() : store[method](value);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    };
  });
}
