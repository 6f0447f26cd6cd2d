/* Live countdowns: every element with data-deadline shows the time left (or how late), updated each second.
   Time is the server's (the script tag's data-now), moved on by the browser's clock, so a skewed laptop shows the truth. */
(function () {
  var script = document.currentScript;
  var offset = Date.parse(script.dataset.now) - Date.now();
  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.deadline) - now) / 1000);
      var abs = Math.abs(left), m = Math.floor(abs / 60), s = abs % 60;
      var text = m + ":" + (s < 10 ? "0" : "") + s;
      el.textContent = left >= 0 ? text + " left" : text + " late";
      el.className = "badge countdown " + (left < 0 ? "bad" : left < 900 ? "warn" : "ok");
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
