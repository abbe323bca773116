/* The outline of one region on a small Leaflet map (no tile server needed: the outline is the map). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("boundary-map"), source = document.getElementById("boundary-data");
    if (!el || !source || !window.L) return;
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 }).setView([22.75, 113.95], 10);
    var bounds = null;
    if (data.parent) {
      var parent = L.geoJSON(data.parent, { style: { color: "#555", weight: 1, dashArray: "4 4", fill: false } }).addTo(map);
      bounds = parent.getBounds();
    }
    if (data.boundary) {
      var layer = L.geoJSON(data.boundary, { style: { color: "#a4221b", weight: 2, fillColor: "#a4221b", fillOpacity: 0.12 } }).addTo(map);
      bounds = layer.getBounds();
    }
    if (data.refused) {
      var refused = L.geoJSON(data.refused, { style: { color: "#d9822b", weight: 2, dashArray: "6 4", fillOpacity: 0.08 } }).addTo(map);
      bounds = bounds ? bounds.extend(refused.getBounds()) : refused.getBounds();
    }
    if (data.point) {
      L.circleMarker(data.point, { radius: 5, color: "#1f4e8c", weight: 2, fillOpacity: 0.8 }).addTo(map);
      if (!bounds) bounds = L.latLngBounds([data.point, data.point]).pad(0.05);
    }
    // the view is set first: Leaflet cannot draw a vector layer on a map without one
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  });
})();
