/* Review console: countdowns, reveal-on-click media, keyboard shortcuts (n next, d decide, r reveal). */
(function () {
  function show(el, left) {
    if (left < 0) {
      el.textContent = "BREACH — " + Math.floor(-left / 60) + " min late";
      el.classList.add("breach");
    } else {
      el.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s left";
    }
  }
  var started = Date.now();
  var timers = Array.prototype.slice.call(document.querySelectorAll(".countdown[data-seconds]"))
    .filter(function (el) { return el.dataset.seconds !== ""; });
  if (timers.length) {
    setInterval(function () {
      var gone = Math.floor((Date.now() - started) / 1000);
      timers.forEach(function (el) { show(el, parseInt(el.dataset.seconds, 10) - gone); });
    }, 1000);
  }
  document.querySelectorAll("button.reveal").forEach(function (button) {
    button.addEventListener("click", function () {
      var media = button.parentElement.querySelector(".media");
      var revealed = media.classList.toggle("revealed");
      button.setAttribute("aria-pressed", revealed ? "true" : "false");
      button.firstChild.textContent = revealed ? "Hide " : "Reveal ";
    });
  });
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "n") { var next = document.getElementById("next-case"); if (next) { next.click(); } }
    if (event.key === "d") { var ground = document.getElementById("ground"); if (ground) { event.preventDefault(); ground.focus(); } }
    if (event.key === "r") { var reveal = document.querySelector("button.reveal"); if (reveal) { reveal.click(); } }
  });
})();
