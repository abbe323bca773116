// Demo sign-in: the code of this step was used; count down to the next one, then load the page again (a GET),
// which shows the new code. The server said how many seconds are left (data-otp-wait).
(function () {
  "use strict";
  var note = document.querySelector("[data-otp-wait]");
  if (!note) return;
  var left = parseInt(note.getAttribute("data-otp-wait"), 10);
  var counter = note.querySelector(".demo-countdown");
  if (!(left > 0)) return;
  var timer = window.setInterval(function () {
    left -= 1;
    if (left > 0) {
      if (counter) counter.textContent = String(left);
      return;
    }
    window.clearInterval(timer);
    // a little after the step turns, so the server's clock is surely in the next step
    window.setTimeout(function () { window.location.assign(window.location.href); }, 400);
  }, 1000);
})();
