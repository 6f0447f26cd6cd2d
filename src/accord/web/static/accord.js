/* Behaviour every page may use, loaded from this origin (the Content-Security-Policy runs no inline script).
   [data-print]: a button that prints the page. */
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) { window.print(); }
});
