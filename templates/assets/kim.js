// After a failed submit the error summary (or refusal notice) takes the focus, so screen readers announce it first.
// A file of its own: the Content-Security-Policy allows no inline script (api/http/security-headers.ts).
(function () {
  var e = document.querySelector('[data-fehler-fokus]');
  if (e) e.focus();
})();
