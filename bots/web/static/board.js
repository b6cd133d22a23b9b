// Brygada board: the only script of its pages (plain JavaScript, no libraries).
// Inside Telegram (the Mini App) it takes Telegram's theme colours and, on the entry
// page, sends the initData Telegram signed to /app/tg to open the session. As a plain
// page it does nothing else: every view and form works without it.
(function () {
  "use strict";
  var tg = window.Telegram && window.Telegram.WebApp;

  function hashParam(name) {
    var hash = window.location.hash.replace(/^#/, "");
    var found = null;
    hash.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0 && pair.slice(0, at) === name) {
        found = decodeURIComponent(pair.slice(at + 1));
      }
    });
    return found;
  }

  var THEME = {
    bg_color: "--bg", text_color: "--text", hint_color: "--hint", link_color: "--link",
    button_color: "--button", button_text_color: "--button-text",
    secondary_bg_color: "--secondary-bg"
  };

  function applyTheme(params) {
    var root = document.documentElement.style;
    Object.keys(THEME).forEach(function (key) {
      if (params && /^#[0-9a-fA-F]{3,8}$/.test(params[key] || "")) {
        root.setProperty(THEME[key], params[key]);
      }
    });
  }

  var theme = null;
  if (tg) {
    tg.ready();
    tg.expand();
    theme = tg.themeParams;
  } else {
    try {
      theme = JSON.parse(hashParam("tgWebAppThemeParams") || "null");
    } catch (e) {
      theme = null;
    }
  }
  if (theme) {
    try { window.sessionStorage.setItem("brygada-theme", JSON.stringify(theme)); } catch (e) {}
  } else {
    try { theme = JSON.parse(window.sessionStorage.getItem("brygada-theme") || "null"); } catch (e) {}
  }
  applyTheme(theme);

  var entry = document.getElementById("tg-entry");
  if (!entry) {
    return;
  }
  var status = document.getElementById("tg-status");
  var initData = (tg && tg.initData) || hashParam("tgWebAppData");
  function failed() {
    status.textContent = status.getAttribute("data-failed");
    status.className = "flash bad";
  }
  if (!initData) {
    failed();
    return;
  }
  fetch("/app/tg", {
    method: "POST",
    headers: { "X-Telegram-Init-Data": initData },
    credentials: "same-origin"
  }).then(function (response) {
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json();
  }).then(function (body) {
    window.location.replace(body.next);
  }).catch(failed);
})();
