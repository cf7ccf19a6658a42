// The "Imprimer" button of the PASS IAE certificate page: shown only when JavaScript runs
// (it is `hidden` in the HTML), it opens the browser's print dialog. No inline script (CSP).
(function () {
  'use strict';

  function setUp() {
    var buttons = document.querySelectorAll('[data-print-button]');
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener('click', function () { window.print(); });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setUp);
  } else {
    setUp();
  }
}());
