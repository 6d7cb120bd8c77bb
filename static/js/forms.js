/* Small form behaviours declared with data attributes, so no template needs an inline script
   or an on* handler (the Content-Security-Policy allows neither):
     <select data-autosubmit>          submits its form when the choice changes
     <form data-confirm="Sure?">       asks before submitting; Cancel keeps the page as it is
   Listeners sit on the document, so content htmx swaps in later behaves the same. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
