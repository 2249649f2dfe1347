// Saring works without this script. With it, the phone's own voice can read lessons, quiz questions and
// results aloud, and a phone can save modules for offline use and send answers given offline once the
// connection returns (see /sw.js).
"use strict";
(function () {
  offerReading(window.speechSynthesis);
  if (!("serviceWorker" in navigator) || !("caches" in window)) return;
  const worker = navigator.serviceWorker;
  const tell = (message) => worker.ready.then((registration) => registration.active.postMessage(message));

  window.addEventListener("load", () => worker.register("/sw.js").catch(() => {}));
  window.addEventListener("online", () => tell({type: "send"}));
  tell({type: "send"});

  // a shared phone: logging out removes the saved modules and anything still waiting
  for (const form of document.querySelectorAll("form[data-forget]")) {
    form.addEventListener("submit", () => tell({type: "forget"}));
  }

  // each opening of a quiz is a new attempt, even from a saved copy of the page
  const key = document.querySelector("input[name=submission_key]");
  if (key) {
    key.value = Array.from(crypto.getRandomValues(new Uint8Array(16)),
                           (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  for (const box of document.querySelectorAll("[data-save]")) setUpSaving(box);

  const waiting = new URLSearchParams(window.location.search).get("waiting");
  const panel = document.getElementById("waiting");
  if (waiting && panel) {
    panel.hidden = false;
    document.getElementById("offline-note").hidden = true;
    worker.addEventListener("message", (event) => {
      const item = (event.data.items || []).find((found) => found.id === waiting);
      if (!item || item.state === "waiting") return;
      tell({type: "seen", id: item.id});
      if (item.state === "sent") {
        window.location.replace(item.result);
      } else {
        panel.querySelector("[data-state=waiting]").hidden = true;
        panel.querySelector("[data-state=failed]").hidden = false;
      }
    });
    window.setInterval(() => tell({type: "send"}), 5000);
  }
  const later = document.getElementById("sent-later");
  if (waiting && later) later.hidden = false;
  const saved = document.getElementById("saved");
  if (saved) listSaved(saved);

  // "Read aloud" where the phone has a voice of its own for the text's language: an online voice would
  // download the speech (and fail offline), so without an installed one there is no button.
  function offerReading(speech) {
    const places = document.querySelectorAll("[data-read]");
    if (!speech || !places.length) return;
    const label = (button, name) => { button.textContent = button.parentNode.dataset[name]; };
    let playing = null, paused = false;
    const offer = () => {
      for (const place of places) {
        const lang = place.closest("[lang]").lang.slice(0, 2);
        const voice = speech.getVoices().find((found) => found.localService
          && [lang, lang === "id" && "in"].includes(found.lang.slice(0, 2).toLowerCase()));
        if (!voice || place.firstChild) continue;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "small";
        place.append(button);
        label(button, "label");
        place.hidden = false;
        button.addEventListener("click", () => {
          if (playing === button) {
            paused = !paused;
            paused ? speech.pause() : speech.resume();
            return label(button, paused ? "resume" : "pause");
          }
          speech.cancel();
          if (paused) speech.resume();
          if (playing) label(playing, "label");
          playing = button;
          paused = false;
          // a line at a time, so that long lessons are not cut short and pausing stops at a line
          const lines = Array.from(document.querySelectorAll(place.dataset.read),
                                   (part) => part.innerText.split("\n")).flat().map((line) => line.trim()).filter(Boolean);
          lines.forEach((line, index) => {
            const utterance = new SpeechSynthesisUtterance(line);
            utterance.voice = voice;
            utterance.lang = voice.lang;
            if (index === lines.length - 1) {
              utterance.onend = () => {
                if (playing !== button) return;
                label(button, "label");
                playing = null;
              };
            }
            speech.speak(utterance);
          });
          label(button, "pause");
        });
      }
    };
    offer();
    speech.addEventListener("voiceschanged", offer);
    window.addEventListener("pagehide", () => speech.cancel());
  }

  // offline, the saved modules and their lessons are the pages that open: the offline page lists them
  async function listSaved(box) {
    for (const name of await caches.keys()) {
      if (!name.startsWith("saring-module-")) continue;
      const cache = await caches.open(name);
      const address = (await cache.keys()).map((request) => new URL(request.url).pathname)
        .find((path) => path.endsWith("/modules/" + name.slice(14)));
      if (!address) continue;
      const page = new DOMParser().parseFromString(await (await cache.match(address)).text(), "text/html");
      const part = document.createElement("section");
      const heading = part.appendChild(document.createElement("h3"));
      const link = heading.appendChild(document.createElement("a"));
      link.href = address;
      link.textContent = page.querySelector("h1").textContent;
      part.lang = page.documentElement.lang;
      part.append(page.querySelector(".lessons"));
      box.append(part);
      box.hidden = false;
    }
  }

  function setUpSaving(box) {
    const button = box.querySelector("button");
    const status = box.querySelector("[role=status]");
    const show = (saved, message) => {
      button.textContent = saved ? box.dataset.removeLabel : box.dataset.saveLabel;
      status.textContent = message;
    };
    caches.has(box.dataset.cache).then((saved) => show(saved, saved ? box.dataset.saved : ""));
    box.hidden = false;
    button.addEventListener("click", async () => {
      if (await caches.has(box.dataset.cache)) {
        await caches.delete(box.dataset.cache);
        show(false, box.dataset.removed);
        return;
      }
      show(false, box.dataset.saving);
      try {
        const list = await (await fetch(box.dataset.save, {credentials: "same-origin"})).json();
        const cache = await caches.open(box.dataset.cache);
        await cache.addAll([...list.pages, ...list.files]);
        show(true, box.dataset.saved);
      } catch (error) {
        await caches.delete(box.dataset.cache);
        show(false, box.dataset.failed);
      }
    });
  }
})();
