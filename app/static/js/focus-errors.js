// Moves keyboard focus to the first error alert of a page that came back with errors
// (the form's error summary, a refusal...), so keyboard and screen-reader users start
// from what needs fixing. Loaded by base.html with `defer`; no inline script (CSP).
(function () {
  'use strict';

  function focusErrorSummary() {
    var summary = document.querySelector('main .fr-alert--error[role="alert"]');
    if (!summary) return;
    if (!summary.hasAttribute('tabindex')) summary.setAttribute('tabindex', '-1');
    summary.focus();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', focusErrorSummary);
  } else {
    focusErrorSummary();
  }
}());
