// Case map without tile servers (intranets have none): the district outline and the case pin.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("case-map");
  if (!el || !window.L) return;
  var boundary = JSON.parse(document.getElementById("boundary-data").textContent || "null");
  var map = L.map(el, { attributionControl: false, zoomControl: true });
  var bounds = null;
  if (boundary) {
    var layer = L.geoJSON(boundary, { style: { color: "#b3261e", weight: 2, fillOpacity: 0.06 } }).addTo(map);
    bounds = layer.getBounds();
  }
  var lat = parseFloat(el.dataset.lat), lng = parseFloat(el.dataset.lng);
  if (!isNaN(lat) && !isNaN(lng)) {
    L.circleMarker([lat, lng], { radius: 8, color: "#0b57d0", fillOpacity: 0.8 }).addTo(map);
    if (!bounds) bounds = L.latLngBounds([[lat, lng], [lat, lng]]);
  }
  if (bounds) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([22.75, 113.93], 11);
});
