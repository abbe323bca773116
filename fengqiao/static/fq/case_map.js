// Case map without tile servers (intranets have none): the district outline and the case pin, or, when the
// resident gave no position, a circle round the place they picked (data-approximate = its radius in metres).
// The view is set before any vector layer is added (Leaflet cannot clip a path on a map without a view).
(function () {
  function draw(tries) {
    var el = document.getElementById("case-map");
    if (!el || el.fqMap) return;
    if (!window.L) {  // after an htmx swap the Leaflet script may still be loading
      if (tries < 40) setTimeout(function () { draw(tries + 1); }, 50);
      return;
    }
    var boundary = JSON.parse(document.getElementById("boundary-data").textContent || "null");
    var map = L.map(el, { attributionControl: false, zoomControl: true });
    el.fqMap = map;
    var outline = boundary ? L.geoJSON(boundary, { style: { color: "#b3261e", weight: 2, fillOpacity: 0.06 } }) : null;
    var lat = parseFloat(el.dataset.lat), lng = parseFloat(el.dataset.lng);
    var radius = parseFloat(el.dataset.approximate);
    var mark = null, bounds = null;
    if (!isNaN(lat) && !isNaN(lng)) {
      if (radius > 0) {
        mark = L.circle([lat, lng], { radius: radius, color: "#0b57d0", weight: 2, dashArray: "6 4", fillOpacity: 0.12 });
        bounds = L.latLng(lat, lng).toBounds(radius * 6);  // the place, with the district around it
      } else {
        mark = L.circleMarker([lat, lng], { radius: 8, color: "#0b57d0", fillOpacity: 0.8 });
      }
    }
    if (!bounds && outline) bounds = outline.getBounds();
    if (!bounds && mark) bounds = L.latLngBounds([[lat, lng], [lat, lng]]);
    if (bounds) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([22.75, 113.93], 11);
    if (outline) outline.addTo(map);
    if (mark) mark.addTo(map);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { draw(0); });
  else draw(0);
})();
