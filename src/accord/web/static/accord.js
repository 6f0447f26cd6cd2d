/* Accord's page behaviour, loaded as a file (the Content-Security-Policy allows no inline script).
   Everything here is an enhancement: each page works without it. */
(function () {
  "use strict";

  /* Live countdowns: every [data-deadline] shows the time left (or how late), each second. Time is the
     server's (body[data-now]) moved on by the browser's clock, so a skewed laptop still shows the truth. */
  var serverNow = Date.parse(document.body.dataset.now || "");
  var offset = isNaN(serverNow) ? 0 : serverNow - Date.now();

  function clockText(seconds) {
    var abs = Math.abs(seconds), h = Math.floor(abs / 3600), m = Math.floor((abs % 3600) / 60), s = abs % 60;
    var text = (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
    return seconds >= 0 ? text + " left" : text + " late";
  }

  function tickDeadlines() {
    var now = Date.now() + offset;
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.deadline) - now) / 1000);
      el.textContent = clockText(left);
      el.className = "badge countdown " + (left < 0 ? "bad" : left < 900 ? "warn" : "ok");
    });
  }

  /* The review console's countdowns count down from [data-seconds] given when the page was drawn. */
  var started = Date.now();
  function tickSeconds() {
    var gone = Math.floor((Date.now() - started) / 1000);
    document.querySelectorAll(".countdown[data-seconds]").forEach(function (el) {
      if (el.dataset.seconds === "") { return; }
      var left = parseInt(el.dataset.seconds, 10) - gone;
      if (left < 0) {
        el.textContent = "BREACH — " + Math.floor(-left / 60) + " min late";
        el.classList.add("breach");
      } else {
        el.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s left";
      }
    });
  }

  /* A group of checkboxes marked [data-require-one] needs at least one ticked: the browser says so on submit. */
  function checkGroups(form) {
    form.querySelectorAll("[data-require-one]").forEach(function (group) {
      var boxes = group.querySelectorAll("input[type=checkbox]");
      var ticked = Array.prototype.some.call(boxes, function (b) { return b.checked; });
      if (boxes.length) { boxes[0].setCustomValidity(ticked ? "" : group.dataset.requireOne); }
    });
  }

  function wireForms(root) {
    root.querySelectorAll("form").forEach(function (form) {
      if (form.dataset.wired) { return; }
      form.dataset.wired = "1";
      checkGroups(form);
      form.addEventListener("change", function () { checkGroups(form); });
    });
  }

  /* Media in the review console stay blurred until revealed; keyboard shortcuts n, d and r. */
  function wireConsole() {
    document.querySelectorAll("button.reveal").forEach(function (button) {
      button.addEventListener("click", function () {
        var media = button.parentElement.querySelector(".media");
        var revealed = media.classList.toggle("revealed");
        button.setAttribute("aria-pressed", revealed ? "true" : "false");
        button.firstChild.textContent = revealed ? "Hide " : "Reveal ";
      });
    });
    if (!document.querySelector("[data-shortcuts]")) { return; }
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (event.key === "n") { var next = document.getElementById("next-case"); if (next) { next.click(); } }
      if (event.key === "d") { var ground = document.getElementById("ground"); if (ground) { event.preventDefault(); ground.focus(); } }
      if (event.key === "r") { var reveal = document.querySelector("button.reveal"); if (reveal) { reveal.click(); } }
    });
  }

  function wirePrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function tick() { tickDeadlines(); tickSeconds(); }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    wireForms(document);
    wireConsole();
    wirePrint();
  });
  document.addEventListener("htmx:afterSwap", function (event) { tick(); wireForms(event.target.parentElement || document); });
})();
