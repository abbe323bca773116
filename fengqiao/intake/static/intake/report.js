// Enhancements of the intake forms. Every form works without this file: it only hides what does not
// apply, adds the map pick and the phone's position, and stops a second tap on "send".
(function () {
  "use strict";
  var DISPUTE_KINDS = ["mediation", "legal"];
  var ANONYMOUS_KINDS = ["complaint"];

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function checkedValue(name) { var el = $('input[name="' + name + '"]:checked'); return el ? el.value : ""; }
  function hasContent(box) {
    // Something typed beyond the defaults (one person, no money, nobody named), or an error to show.
    return $all("input, textarea", box).some(function (el) {
      return el.value && !(el.name === "people_count" && el.value === "1");
    }) || !!$(".field-error", box);
  }

  function kindChanged() {
    var kind = checkedValue("service_type");
    var dispute = $("#dispute-details");
    if (dispute) dispute.hidden = kind !== "" && DISPUTE_KINDS.indexOf(kind) < 0 && !hasContent(dispute);
    var conf = $("#confidential");
    if (conf) conf.hidden = kind !== "psychological" && !$(".field-error", conf);
    var anon = $('input[name="identity"][value="anonymous"]');
    if (anon) {
      var allowed = kind === "" || ANONYMOUS_KINDS.indexOf(kind) >= 0;
      anon.disabled = !allowed;
      if (!allowed && anon.checked) { $('input[name="identity"][value="named"]').checked = true; }
    }
    identityChanged();
  }

  function identityChanged() {
    var named = $("#named-fields");
    if (named) named.hidden = checkedValue("identity") === "anonymous";
  }

  // The community list: a search box narrows it (the plain <select> works without this), and the streets of
  // the district picked on the map come first. The server already puts the likely district first.
  var communityGroups = null;
  function rememberCommunities() {
    var select = $("#id_community");
    if (!select || communityGroups) return;
    communityGroups = $all("optgroup", select).map(function (g) {
      return { label: g.label, options: $all("option", g).map(function (o) { return { value: o.value, text: o.textContent }; }) };
    });
  }
  function drawCommunities(query) {
    var select = $("#id_community");
    if (!select || !communityGroups) return;
    // The chosen community stays in the list (a search never unselects it); `matched` counts real matches.
    var chosen = select.value, q = (query || "").trim().toLowerCase(), matched = 0;
    $all("optgroup", select).forEach(function (g) { g.remove(); });
    communityGroups.forEach(function (group) {
      var groupMatches = q && group.label.toLowerCase().indexOf(q) >= 0;
      var items = group.options.filter(function (o) {
        var match = !q || groupMatches || o.text.toLowerCase().indexOf(q) >= 0;
        if (match) matched += 1;
        return match || o.value === chosen;
      });
      if (!items.length) return;
      var el = document.createElement("optgroup");
      el.label = group.label;
      items.forEach(function (o) {
        var opt = new Option(o.text, o.value, false, o.value === chosen);
        el.appendChild(opt);
      });
      select.appendChild(el);
    });
    var status = $("#community-search-status");
    if (status) status.textContent = q && !matched ? status.dataset.none : "";
  }
  function preferDistrict(name) {
    if (!communityGroups || !name) return;
    var prefix = name + " · ";
    communityGroups.sort(function (a, b) {
      return (b.label.indexOf(prefix) === 0) - (a.label.indexOf(prefix) === 0);
    });
    drawCommunities(($("#community-search") || {}).value);
  }

  var map = null, marker = null;
  function setPin(lat, lng, pan) {
    var latField = $("#id_latitude"), lngField = $("#id_longitude");
    if (latField) latField.value = lat.toFixed(6);
    if (lngField) lngField.value = lng.toFixed(6);
    if (!map) return;
    if (marker) marker.setLatLng([lat, lng]); else marker = L.marker([lat, lng]).addTo(map);
    if (pan) map.setView([lat, lng], Math.max(map.getZoom(), 14));
  }

  function showMap() {
    var el = $("#pick-map");
    if (!el || !window.L) return;
    el.hidden = false;
    if (map) { map.invalidateSize(); return; }
    map = L.map(el, { attributionControl: false }).setView([22.75, 113.99], 11);
    fetch(el.dataset.area, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#a4221b", weight: 2, fillOpacity: 0.05 },
        onEachFeature: function (feature, part) {
          part.on("click", function () { preferDistrict(feature.properties.name); });
        }
      }).addTo(map);
      if (!marker) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    }).catch(function () { /* the outline is a nicety: the pin still works */ });
    map.on("click", function (e) { setPin(e.latlng.lat, e.latlng.lng, false); });
    var lat = parseFloat(($("#id_latitude") || {}).value), lng = parseFloat(($("#id_longitude") || {}).value);
    if (!isNaN(lat) && !isNaN(lng)) setPin(lat, lng, true);
  }

  function usePosition() {
    var status = $("#position-status");
    if (!navigator.geolocation) { if (status) status.textContent = status.dataset.failed; return; }
    if (status) status.textContent = status.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      if (status) status.textContent = status.dataset.located;
      setPin(pos.coords.latitude, pos.coords.longitude, true);
    }, function () {
      if (status) status.textContent = status.dataset.failed;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $all("[data-js-only]").forEach(function (el) { el.hidden = false; });
    $all('input[name="service_type"]').forEach(function (el) { el.addEventListener("change", kindChanged); });
    $all('input[name="identity"]').forEach(function (el) { el.addEventListener("change", identityChanged); });
    if ($('input[name="service_type"]')) kindChanged();
    rememberCommunities();
    var search = $("#community-search");
    if (search) search.addEventListener("input", function () { drawCommunities(search.value); });
    var showBtn = $("#show-map"); if (showBtn) showBtn.addEventListener("click", showMap);
    var posBtn = $("#use-position");
    if (posBtn) posBtn.addEventListener("click", function () { showMap(); usePosition(); });
    $all("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var btn = $('button[type="submit"]:not([name])', form);
        if (!btn) return;
        window.setTimeout(function () { btn.disabled = true; if (btn.dataset.sending) btn.textContent = btn.dataset.sending; }, 0);
      });
    });
  });
})();
