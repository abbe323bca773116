// Case map without tile servers (intranets have none): the district outline and the case pin.
// The view is set before any vector layer is added (Leaflet cannot clip a path on a map without a view).
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("case-map");
  if (!el || !window.L) return;
  var boundary = JSON.parse(document.getElementById("boundary-data").textContent || "null");
  var map = L.map(el, { attributionControl: false, zoomControl: true });
  var outline = boundary ? L.geoJSON(boundary, { style: { color: "#b3261e", weight: 2, fillOpacity: 0.06 } }) : null;
  var bounds = outline ? outline.getBounds() : null;
  var lat = parseFloat(el.dataset.lat), lng = parseFloat(el.dataset.lng);
  var pin = !isNaN(lat) && !isNaN(lng) ? L.circleMarker([lat, lng], { radius: 8, color: "#0b57d0", fillOpacity: 0.8 }) : null;
  if (!bounds && pin) bounds = L.latLngBounds([[lat, lng], [lat, lng]]);
  if (bounds) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([22.75, 113.93], 11);
  if (outline) outline.addTo(map);
  if (pin) pin.addTo(map);
});
