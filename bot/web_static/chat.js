// The web chat client: sends what the resident types or taps to /api/chat and shows the
// replies. Text is always inserted with textContent (never as HTML). The session id and
// the conversation live in localStorage so a reload keeps the dialogue.
"use strict";
(function () {
  var params = new URLSearchParams(window.location.search);
  var commune = params.get("commune") || undefined;
  var storeKey = "motcua-chat-" + (commune || "default");
  var saved = JSON.parse(window.localStorage.getItem(storeKey) || "null") || { session: null, log: [] };
  if (!saved.session) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    saved.session = Array.from(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var busy = false;

  function persist() {
    saved.log = saved.log.slice(-200);
    window.localStorage.setItem(storeKey, JSON.stringify(saved));
  }

  function addBubble(text, who) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    div.textContent = text;
    log.appendChild(div);
    return div;
  }

  function addChoices(buttons, live) {
    if (!buttons || !buttons.length) return;
    var box = document.createElement("div");
    box.className = "choices";
    buttons.forEach(function (b) {
      var el;
      if (b.url) {
        el = document.createElement("a");
        el.href = b.url;
        el.target = "_blank";
        el.rel = "noopener noreferrer";
      } else {
        el = document.createElement("button");
        el.type = "button";
        el.disabled = !live;
        el.addEventListener("click", function () { send({ payload: b.payload }, b.label); });
      }
      el.textContent = b.label;
      box.appendChild(el);
    });
    log.appendChild(box);
  }

  function render(entry, live) {
    if (entry.who === "me") { addBubble(entry.text, "me"); return; }
    addBubble(entry.text, entry.error ? "bot error" : "bot");
    addChoices(entry.buttons, live);
  }

  function disableOldChoices() {
    log.querySelectorAll(".choices button").forEach(function (b) { b.disabled = true; });
  }

  function show(replies) {
    if (!replies.length) return;
    disableOldChoices();
    replies.forEach(function (r, i) {
      var entry = { who: "bot", text: r.text, buttons: r.buttons || [] };
      saved.log.push(entry);
      render(entry, i === replies.length - 1);
    });
    persist();
    log.scrollTop = log.scrollHeight;
  }

  function send(message, echo) {
    if (busy) return;
    busy = true;
    if (echo) {
      var mine = { who: "me", text: echo };
      saved.log.push(mine);
      render(mine, false);
      persist();
    }
    log.scrollTop = log.scrollHeight;
    var body = Object.assign({ session: saved.session, commune: commune,
                               id: Date.now().toString(36) + Math.random().toString(36).slice(2, 8) }, message);
    fetch("/api/chat", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (data) { return { ok: res.ok, status: res.status, data: data }; }); })
      .then(function (res) {
        if (res.status === 429 || res.status === 503) { render({ who: "bot", error: true, text: res.data.error }, false); return; }
        if (!res.ok) throw new Error(res.data.error || "error");
        show(res.data.replies || []);
      })
      .catch(function () {
        var entry = { who: "bot", error: true, text: "Không gửi được tin nhắn. Bạn kiểm tra kết nối mạng rồi thử lại nhé." };
        render(entry, false);
      })
      .finally(function () { busy = false; input.focus(); });
  }

  function poll() {
    fetch("/api/chat/updates?session=" + encodeURIComponent(saved.session))
      .then(function (res) { return res.ok ? res.json() : { replies: [] }; })
      .then(function (data) { show(data.replies || []); })
      .catch(function () { /* offline: try again later */ });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text: text }, text);
  });

  saved.log.forEach(function (entry, i) { render(entry, i === saved.log.length - 1); });
  log.scrollTop = log.scrollHeight;
  if (!saved.log.length) send({ text: "/start" }, null);
  window.setInterval(poll, 5000);
  input.focus();
})();
