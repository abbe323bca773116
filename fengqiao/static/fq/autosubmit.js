// Filters that apply as soon as a choice changes: <select data-autosubmit> submits its form.
// (Kept out of the templates: the Content-Security-Policy allows no inline script or on…= handler.)
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.matches && field.matches("[data-autosubmit]") && field.form) {
      if (typeof field.form.requestSubmit === "function") field.form.requestSubmit();
      else field.form.submit();
    }
  });
})();
