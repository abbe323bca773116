// Check-in on site: ask the phone for its position and put it in the form's hidden fields before sending.
// Without a position the check-in is still sent, and recorded as far from the place (the server decides).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-checkin]") || form.dataset.located === "1") return;
  var onSite = form.querySelector("input[name$='mode'][value='on_site']");
  if (!onSite || !onSite.checked || !navigator.geolocation) return;
  event.preventDefault();
  var note = form.querySelector("[data-position]");
  if (note) note.textContent = note.dataset.locating || "…";
  var send = function () { form.dataset.located = "1"; form.requestSubmit ? form.requestSubmit() : form.submit(); };
  navigator.geolocation.getCurrentPosition(function (pos) {
    form.querySelector("input[name$='latitude']").value = pos.coords.latitude.toFixed(6);
    form.querySelector("input[name$='longitude']").value = pos.coords.longitude.toFixed(6);
    send();
  }, send, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
});
