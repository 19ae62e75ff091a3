// After a failed submit the error summary (or refusal notice) takes the focus, so screen readers announce it first.
// A file of its own: the Content-Security-Policy allows no inline script (api/http/security-headers.ts).
(function () {
  var e = document.querySelector('[data-fehler-fokus]');
  if (e) e.focus();
})();

// A table wider than the screen scrolls sideways inside its box: such a box must be reachable by keyboard and named
// (WCAG 2.1.1; axe "scrollable-region-focusable"). Checked on load and when the window changes size.
(function () {
  function mark() {
    var boxes = document.querySelectorAll('.table-scroll');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute('tabindex')) {
        var caption = box.querySelector('caption');
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'region');
        if (!box.hasAttribute('aria-labelledby') && !box.hasAttribute('aria-label')) {
          box.setAttribute('aria-label', caption ? caption.textContent.trim() : 'Tabelle (seitlich verschiebbar)');
        }
        box.setAttribute('data-markiert', '');
      } else if (!scrolls && box.hasAttribute('data-markiert')) {
        box.removeAttribute('tabindex');
        box.removeAttribute('role');
        box.removeAttribute('aria-label');
        box.removeAttribute('data-markiert');
      }
    }
  }
  mark();
  window.addEventListener('resize', mark);
})();
