// Brygada board: the only script of its pages (plain JavaScript, no libraries).
// Inside Telegram (the Mini App) it takes Telegram's theme colours and, on the entry
// page, sends the initData Telegram signed to /app/tg to open the session. From then on
// it navigates by fetch: every link, filter and form of the board is requested with the
// session token and Telegram's initData in headers (the server checks initData on every
// request; no cookie is needed, so the board works in Telegram's web client too, an
// iframe of another site), and the answer's body replaces the page's. As a plain page
// (a /board link) it does nothing else: every view and form works without it.
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
  var auth = { initData: (tg && tg.initData) || hashParam("tgWebAppData"), session: null };
  function failed() {
    status.textContent = status.getAttribute("data-failed");
    status.className = "flash bad";
  }
  if (!auth.initData) {
    failed();
    return;
  }

  function headers() {
    return { "X-Telegram-Init-Data": auth.initData, "X-Board-Session": auth.session };
  }

  // The answer's page in place of this one: its body and title, its address in the
  // history, scrolled to its #card (with the open form's field focused) or to the top.
  function show(html, url, replace) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.body.replaceWith(document.importNode(page.body, true));
    if (replace) {
      window.history.replaceState(null, "", url);
    } else if (url !== window.location.href) {
      window.history.pushState(null, "", url);
    }
    var at = url.indexOf("#");
    var target = at >= 0 ? document.getElementById(url.slice(at + 1)) : null;
    if (target) {
      target.scrollIntoView();
    } else {
      window.scrollTo(0, 0);
    }
    var focus = document.querySelector("[autofocus]");
    if (focus) { focus.focus(); }
  }

  function go(url, options) {
    options = options || {};
    var hash = url.indexOf("#") >= 0 ? url.slice(url.indexOf("#")) : "";
    return fetch(url, {
      method: options.method || "GET",
      body: options.body,
      headers: headers(),
      credentials: "omit",  // the headers prove who it is, never a cookie
      redirect: "follow"
    }).then(function (response) {
      return response.text().then(function (html) {
        var landed = response.url || url;
        show(html, landed.indexOf("#") < 0 ? landed + hash : landed, options.replace);
      });
    });
  }

  function ours(url) {
    return url.origin === window.location.origin && url.pathname.indexOf("/app/") === 0 &&
      url.pathname.indexOf("/app/static/") !== 0;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var url = new URL(link.href, window.location.href);
    if (!ours(url)) { return; }
    event.preventDefault();
    go(url.href);
  });

  // Submitted only once the browser's own checks pass (a required result, say).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var by = event.submitter || null;
    var action = (by && by.getAttribute("formaction")) || form.getAttribute("action") ||
      window.location.href;
    var method = ((by && by.getAttribute("formmethod")) || form.getAttribute("method") ||
      "get").toLowerCase();
    var url = new URL(action, window.location.href);
    if (!ours(url)) { return; }
    event.preventDefault();
    var fields = new URLSearchParams(new FormData(form, by));
    if (method === "post") {
      go(url.href, { method: "POST", body: fields });
    } else {
      url.search = fields.toString();
      go(url.href);
    }
  });

  window.addEventListener("popstate", function () {
    if (auth.session) { go(window.location.href, { replace: true }); }
  });

  fetch("/app/tg", {
    method: "POST",
    headers: { "X-Telegram-Init-Data": auth.initData },
    credentials: "omit"
  }).then(function (response) {
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json();
  }).then(function (body) {
    auth.session = body.session;
    return go(body.next, { replace: true });
  }).catch(failed);
})();
