/* The big screen (/screen/): draws /screen/data.json, polls it every few seconds while the page is visible and
   redraws only when its `version` changes; a click on an area below drills down (the URL follows, so a screen can
   be bookmarked); the period chooser asks for another period. Text is always set with textContent. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("screen-config").textContent);
  var T = JSON.parse(document.getElementById("screen-labels").textContent);
  var zh = (config.lang || "").indexOf("zh") === 0;
  var GRADE_COLOURS = { red: "#ff4d4f", yellow: "#ffd233", green: "#3ddc84" };
  var RISK_FILL = { red: 0.38, yellow: 0.3, green: 0.16 };
  var GRADE_RANK = { red: 3, yellow: 2, green: 1 };

  var state = { region: config.region || "", from: config.from || "", to: config.to || "" };
  var data = null;          // the last answer drawn
  var drawnQuery = null;    // the question it answered (region and period)
  var drawnState = null;    // the same, as the state it was asked with
  var seq = 0;              // the number of the newest request: an older answer arriving late is dropped
  var seenCases = null;     // codes of the latest cases already shown (a new one is highlighted)
  var lastOk = null;        // when the server last answered
  var failing = false;
  var map = null, layers = {}, fittedFor = null, trendChart = null;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function rem() { return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16; }

  // --- numbers ------------------------------------------------------------------------------------------------------
  // Chinese counts big numbers in 万 (10⁴) and 亿 (10⁸): 12,873 stays, 1,234,567 is 123.5万; money is 元 below
  // 10,000, then 万元 and 亿元. English keeps thousands separators and writes money as ¥ (M for millions).
  function wan(n, units) {
    var a = Math.abs(n);
    if (a >= 1e8) return { value: trim((n / 1e8).toFixed(2)), unit: units[1] };
    return { value: trim((n / 1e4).toFixed(a >= 1e7 ? 0 : 1)), unit: units[0] };
  }
  function trim(s) { return s.replace(/\.0+$/, "").replace(/(\.\d*?)0+$/, "$1"); }
  function fmtInt(n) {
    n = Number(n) || 0;
    if (zh && Math.abs(n) >= 100000) return wan(n, [T.wan, T.yi]);
    return { value: n.toLocaleString(zh ? "zh-CN" : "en-US"), unit: "" };
  }
  function fmtMoney(s) {
    var n = Number(s) || 0;
    if (zh) {
      if (Math.abs(n) >= 10000) return wan(n, [T.wan_yuan, T.yi_yuan]);
      return { value: String(Math.round(n)), unit: T.yuan };
    }
    if (Math.abs(n) >= 1e6) return { value: "¥" + trim((n / 1e6).toFixed(2)) + "M", unit: "" };
    return { value: "¥" + Math.round(n).toLocaleString("en-US"), unit: "" };
  }
  function fmtRate(r) {
    if (r === null || r === undefined) return { value: "—", unit: "" };
    return { value: (r * 100).toFixed(1), unit: "%" };
  }
  function text(f) { return f.value + (f.unit ? (f.unit === "%" ? "%" : (zh ? "" : " ") + f.unit) : ""); }
  // Times are shown in the platform's time zone (Asia/Shanghai), whatever the screen's computer is set to; a case
  // or warning of another day shows its date too.
  var TZ = config.timeZone || undefined;
  function parts(d) {
    var out = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
      minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(d).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }
  function hhmm(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return "";
    var p = parts(d), day = p.year + "-" + p.month + "-" + p.day;
    return (day === todayIso() ? "" : p.month + "-" + p.day + " ") + p.hour + ":" + p.minute;
  }
  function todayIso() { var p = parts(new Date()); return p.year + "-" + p.month + "-" + p.day; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(d) { var p = parts(d); return p.hour + ":" + p.minute + ":" + p.second; }

  // --- the request ---------------------------------------------------------------------------------------------------
  function query() {
    var q = new URLSearchParams();
    if (state.region) q.set("region", state.region);
    if (state.from) q.set("from", state.from);
    if (state.to) q.set("to", state.to);
    var s = q.toString();
    return s ? "?" + s : "";
  }

  function load(reason) {
    var mine = ++seq, asked = query(), askedState = copy(state);
    return fetch(config.dataUrl + asked, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) {
        if (mine !== seq) return;
        if (resp.status === 400 || resp.status === 404) {  // refused: say why, in place, and keep the last figures
          live(true);
          var why = resp.status === 400 ? resp.json() : Promise.resolve({ errors: { region: [T.not_found] } });
          return why.then(function (body) {
            if (mine !== seq) return;
            showErrors(body.errors || {});
            backToWhatWasShown();
          });
        }
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.json().then(function (body) {
          if (mine !== seq) return;
          if (reason !== "poll" && reason !== "fallback") showErrors(null);
          live(true);
          if (!data || body.version !== data.version || asked !== drawnQuery) {
            var same = asked === drawnQuery;
            drawnQuery = asked;
            drawnState = askedState;
            draw(body, same);
          }
        });
      })
      .catch(function () { if (mine === seq) live(false); });
  }

  function copy(o) { return { region: o.region, from: o.from, to: o.to }; }

  // After a refused question the screen goes on with the last one answered (or the defaults, for a bad bookmark).
  var fellBack = false;
  function backToWhatWasShown() {
    var fallback = !drawnState;
    state = fallback ? { region: "", from: "", to: "" } : copy(drawnState);
    history.replaceState(null, "", config.pageUrl + query());
    if (fallback && !data && !fellBack) { fellBack = true; load("fallback"); }
  }

  function live(ok) {
    var now = new Date();
    if (ok) { lastOk = now; failing = false; } else { failing = true; }
    document.body.setAttribute("data-state", failing ? "offline" : "live");
    $("#sc-live-text").textContent = failing
      ? T.offline + " " + (lastOk ? clock(lastOk) : "—")
      : T.live + " · " + T.updated + " " + clock(lastOk);
  }

  function showErrors(errors) {
    var box = $("#sc-period-errors");
    if (!errors) { box.hidden = true; box.textContent = ""; return; }
    var messages = [];
    Object.keys(errors).forEach(function (k) { (errors[k] || []).forEach(function (m) { messages.push(m); }); });
    box.textContent = messages.join(" ");
    box.hidden = messages.length === 0;
    if (!data) document.body.setAttribute("data-state", "error");
  }

  // --- drawing -------------------------------------------------------------------------------------------------------
  function draw(body, same) {   // same: the same question as the last drawing (something changed: show it)
    var regionChanged = !data || data.region.code !== body.region.code;
    data = body;
    // what the server settled on (defaults included) is what the chooser shows
    $("#sc-from").value = body.period.from;
    $("#sc-to").value = body.period.to;
    markPreset();
    drawTitle(body);
    drawCounters(body.totals, same);
    drawBars("by_service_type", body.by_service_type, function (r) { return r.label; }, function (r) { return r.received; },
      function (r) { return r.resolved; });
    drawBars("top_categories", body.top_categories, function (r) { return r.label; }, function (r) { return r.received; });
    drawBars("top_respondents", body.top_respondents, function (r) { return r.label; }, function (r) { return r.received; });
    drawUnits(body.unit_ranking);
    drawChildren(body.children);
    drawLatest(body.latest, !same);
    drawWarnings(body.warnings);
    drawTrend(body.trend);
    drawMap(body, regionChanged);
  }

  function drawTitle(body) {
    $("#sc-region-name").textContent = body.region.name;
    document.title = body.region.name + " · " + document.title.split(" · ").slice(-2).join(" · ");
    var trail = $("#sc-trail");
    clear(trail);
    (body.region.trail || []).forEach(function (step, i, all) {
      if (i) trail.appendChild(el("span", "sep", "›"));
      if (i === all.length - 1) {
        var here = el("span", null, step.name);
        here.setAttribute("aria-current", "page");
        here.setAttribute("data-region", step.code);
        trail.appendChild(here);
      } else {
        var a = el("a", null, step.name);
        a.href = config.pageUrl + "?region=" + encodeURIComponent(step.code);
        a.setAttribute("data-region", step.code);
        a.addEventListener("click", function (e) { e.preventDefault(); go(step.code); });
        trail.appendChild(a);
      }
    });
    trail.appendChild(el("span", "sep", "·"));
    trail.appendChild(el("span", "sc-period-text", body.period.from + " – " + body.period.to));
    $("#sc-period-label").textContent = body.period.from + " – " + body.period.to;
  }

  function drawCounters(totals, flash) {
    Object.keys(totals).forEach(function (key) {
      var box = document.querySelector('[data-counter="' + key + '"]');
      if (!box) return;
      var raw = totals[key];
      var f = key === "money" ? fmtMoney(raw) : /_rate$/.test(key) ? fmtRate(raw) : fmtInt(raw);
      var out = $(".sc-counter-value", box);
      var before = out.getAttribute("data-value");
      var now = raw === null || raw === undefined ? "" : String(raw);
      out.setAttribute("data-value", now);
      clear(out);
      out.appendChild(document.createTextNode(f.value));
      if (f.unit) out.appendChild(el("small", null, f.unit));
      out.title = text(f);
      if (flash && before !== now) {
        box.classList.remove("changed");
        void box.offsetWidth;
        box.classList.add("changed");
      }
    });
  }

  function drawBars(name, rows, label, value, second) {
    var box = document.querySelector('[data-list="' + name + '"]');
    clear(box);
    if (!rows.length) { box.appendChild(el("p", "sc-empty", T.empty)); return; }
    var max = Math.max.apply(null, rows.map(value).concat([1]));
    rows.forEach(function (r) {
      var row = el("div", "sc-bar");
      var l = el("span", "sc-bar-label", label(r));
      l.title = label(r);
      var track = el("span", "sc-bar-track");
      var fill = el("span", "sc-bar-fill");
      fill.style.width = (100 * value(r) / max).toFixed(1) + "%";
      track.appendChild(fill);
      var v = el("span", "sc-bar-value", text(fmtInt(value(r))));
      if (second) v.appendChild(el("small", null, T.resolved + " " + text(fmtInt(second(r)))));
      row.appendChild(l); row.appendChild(track); row.appendChild(v);
      if (r.key !== undefined) row.setAttribute("data-key", r.key);
      box.appendChild(row);
    });
  }

  function drawUnits(rows) {
    var tbody = $("#sc-unit-table tbody");
    clear(tbody);
    if (!rows.length) {
      var tr = el("tr"), td = el("td", "sc-empty", T.empty);
      td.colSpan = 4; tr.appendChild(td); tbody.appendChild(tr);
      return;
    }
    rows.forEach(function (r, i) {
      var tr = el("tr");
      var name = el("td");
      name.appendChild(el("span", "rank", (i + 1) + ". "));
      name.appendChild(document.createTextNode(r.label));
      name.title = r.label;
      tr.appendChild(name);
      tr.appendChild(el("td", null, text(fmtInt(r.received))));
      tr.appendChild(el("td", null, text(fmtRate(r.resolution_rate))));
      tr.appendChild(el("td", null, text(fmtRate(r.on_time_rate))));
      tbody.appendChild(tr);
    });
  }

  function drawChildren(rows) {
    var list = $("#sc-children");
    clear(list);
    if (!rows.length) { list.appendChild(el("li", "sc-empty", T.no_children)); return; }
    rows.forEach(function (c) {
      var li = el("li");
      var b = el("button");
      b.type = "button";
      b.setAttribute("data-region", c.code);
      b.title = T.drill + ": " + c.name;
      b.appendChild(el("span", "gd gd-" + c.risk));
      b.appendChild(el("span", "c-name", c.name));
      b.appendChild(el("span", "c-num", T.received + " " + text(fmtInt(c.received)) + " · " + T.open_short + " " + text(fmtInt(c.open))));
      b.appendChild(el("span", "c-red", c.open_red ? String(c.open_red) : ""));
      b.addEventListener("click", function () { go(c.code); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function drawLatest(rows, fresh) {
    var list = $("#sc-latest");
    clear(list);
    if (!rows.length) { list.appendChild(el("li", "sc-empty", T.no_cases)); }
    var known = seenCases;
    seenCases = {};
    rows.forEach(function (c) {
      seenCases[c.code] = true;
      var li = el("li");
      li.setAttribute("data-case", c.code);
      li.setAttribute("data-new", T.new);
      if (known && !fresh && !known[c.code]) li.classList.add("is-new");
      var a = el("a");
      a.href = c.url;
      a.appendChild(el("span", "t-time", hhmm(c.submitted_at)));
      a.appendChild(el("span", "gd gd-" + c.grade));
      var title = el("span", "t-title", c.title);
      title.setAttribute("data-new", T.new);
      a.appendChild(title);
      a.appendChild(el("span", "t-region", c.region));
      a.title = c.code + " " + c.title;
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  function drawWarnings(rows) {
    var list = $("#sc-warnings");
    clear(list);
    var badge = $("#sc-warnings-count");
    badge.textContent = String(rows.length);
    badge.setAttribute("data-count", String(rows.length));
    if (!rows.length) { list.appendChild(el("li", "sc-empty", T.no_warnings)); return; }
    rows.forEach(function (w) {
      var li = el("li", "w-" + w.level);
      li.setAttribute("data-warning", w.id);
      var a = el("a");
      a.href = w.url;
      a.appendChild(el("span", "w-level", T["level_" + w.level] || w.level));
      a.appendChild(el("span", "w-title", w.title));
      a.appendChild(el("span", "w-meta", w.region + " " + hhmm(w.opened_at)));
      a.title = w.title;
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  function drawTrend(rows) {
    var box = $("#sc-trend");
    if (!window.echarts) return;
    if (!trendChart) trendChart = window.echarts.init(box, null, { renderer: "canvas" });
    var r = rem();
    var axis = { color: "#8fb0d8", fontSize: 0.75 * r };
    trendChart.setOption({
      animation: false,
      grid: { left: 2.6 * r, right: 0.6 * r, top: 1.9 * r, bottom: 1.5 * r },
      legend: { top: 0, right: 0, textStyle: { color: "#e6f1ff", fontSize: 0.75 * r }, itemWidth: 1.2 * r, itemHeight: 0.6 * r },
      tooltip: { trigger: "axis", textStyle: { fontSize: 0.8 * r } },
      xAxis: { type: "category", data: rows.map(function (d) { return d.day.slice(5); }), axisLabel: axis,
               axisLine: { lineStyle: { color: "#1d4a86" } } },
      yAxis: { type: "value", minInterval: 1, axisLabel: axis, splitLine: { lineStyle: { color: "rgba(29,74,134,0.45)" } } },
      series: [
        { name: T.received, type: "line", smooth: true, showSymbol: rows.length < 40, symbolSize: 0.35 * r,
          data: rows.map(function (d) { return d.received; }), lineStyle: { width: 0.15 * r, color: "#38d3ff" },
          itemStyle: { color: "#38d3ff" }, areaStyle: { color: "rgba(56,211,255,0.15)" } },
        { name: T.resolved, type: "line", smooth: true, showSymbol: rows.length < 40, symbolSize: 0.35 * r,
          data: rows.map(function (d) { return d.resolved; }), lineStyle: { width: 0.15 * r, color: "#3ddc84" },
          itemStyle: { color: "#3ddc84" } }
      ]
    }, true);
    trendChart.resize();
  }

  // --- the map ---------------------------------------------------------------------------------------------------------
  function initMap() {
    var box = $("#sc-map");
    if (!window.L) return;
    var tiles = box.getAttribute("data-tiles");
    map = window.L.map(box, { zoomControl: true, attributionControl: !!tiles, zoomSnap: 0.25, minZoom: 8, maxZoom: 18 });
    map.setView([22.75, 113.93], 11);
    if (tiles) {
      box.classList.add("has-tiles");
      window.L.tileLayer(tiles, { attribution: box.getAttribute("data-attribution") || "", maxZoom: 18 }).addTo(map);
    }
    layers.outline = window.L.layerGroup().addTo(map);
    layers.children = window.L.layerGroup().addTo(map);
    layers.points = window.L.layerGroup().addTo(map);
    layers.pins = window.L.markerClusterGroup ? window.L.markerClusterGroup({
      showCoverageOnHover: false, maxClusterRadius: Math.round(2.8 * rem()), iconCreateFunction: clusterIcon
    }) : window.L.layerGroup();
    layers.pins.addTo(map);
    map.createPane("labels").style.zIndex = 650;
  }

  function clusterIcon(cluster) {
    var worst = "green";
    cluster.getAllChildMarkers().forEach(function (m) {
      if (GRADE_RANK[m.options.grade] > GRADE_RANK[worst]) worst = m.options.grade;
    });
    var n = cluster.getChildCount(), size = Math.round(rem() * (n < 10 ? 1.8 : n < 100 ? 2.2 : 2.6));
    return window.L.divIcon({ html: "<span>" + n + "</span>", className: "sc-cluster g-" + worst, iconSize: [size, size] });
  }

  function drawMap(body, regionChanged) {
    if (!map) return;
    var L = window.L, r = rem();
    layers.outline.clearLayers(); layers.children.clearLayers(); layers.points.clearLayers(); layers.pins.clearLayers();
    var bounds = L.latLngBounds([]);

    if (body.region.boundary) {
      var outline = L.geoJSON(body.region.boundary, {
        style: { color: "#38d3ff", weight: 0.18 * r, fill: true, fillColor: "#0e3a6e", fillOpacity: body.children.length ? 0.08 : 0.25 },
        interactive: false
      }).addTo(layers.outline);
      bounds.extend(outline.getBounds());
    }
    body.children.forEach(function (c) {
      var colour = GRADE_COLOURS[c.risk] || GRADE_COLOURS.green;
      var label = c.name + (c.open ? " · " + c.open : "");
      var shape = null, at = null, side = "center";
      if (c.boundary) {
        shape = L.geoJSON(c.boundary, { style: { color: colour, weight: 0.12 * r, fillColor: colour, fillOpacity: RISK_FILL[c.risk] || 0.2 } });
        bounds.extend(shape.getBounds());
        at = c.point || shape.getBounds().getCenter();
      } else if (c.point) {
        shape = L.circleMarker(c.point, { radius: 0.9 * r + Math.min(1.2 * r, Math.sqrt(c.open || 0) * 0.25 * r),
          color: "#fff", weight: 0.1 * r, fillColor: colour, fillOpacity: 0.85 });
        bounds.extend(c.point);
        at = c.point; side = "right";
      }
      if (!shape) return;
      shape.on("click", function () { go(c.code); });
      shape.addTo(layers.children);
      // the name sits above the case pins (its own pane) and is itself a button: click or Enter drills down
      var tag = el("span", "sc-area-label sc-area-" + side + " risk-" + c.risk, label);
      tag.setAttribute("data-region", c.code);
      L.marker(at, { pane: "labels", icon: L.divIcon({ html: tag, className: "sc-area-icon", iconSize: null }),
        title: T.drill + ": " + c.name, keyboard: true, riseOnHover: true })
        .on("click", function () { go(c.code); }).addTo(layers.children);
    });
    body.service_points.forEach(function (s) {
      var size = Math.round(0.8 * r);
      L.marker([s.lat, s.lng], { icon: L.divIcon({ className: "sc-sp", iconSize: [size, size] }), title: T.service_point + ": " + s.name, keyboard: false })
        .bindTooltip(T.service_point + ": " + s.name, { className: "sc-label" }).addTo(layers.points);
    });
    body.mediators_on_duty.forEach(function (m) {
      var size = Math.round(0.8 * r);
      L.marker([m.lat, m.lng], { icon: L.divIcon({ className: "sc-med", iconSize: [size, size] }), title: T.mediator + ": " + m.name, keyboard: false })
        .bindTooltip(T.mediator + ": " + m.name + (m.service_point ? " · " + m.service_point : ""), { className: "sc-label" }).addTo(layers.points);
    });
    var pins = body.pins.map(function (p) {
      var size = Math.round((p.grade === "red" ? 1.05 : 0.85) * r);
      var marker = L.marker([p.lat, p.lng], {
        grade: p.grade, title: p.code, keyboard: false,
        icon: L.divIcon({ className: "sc-pin g-" + p.grade + (p.approximate ? " approx" : ""), iconSize: [size, size] })
      });
      marker.bindPopup(function () { return pinPopup(p); });
      if (!body.region.boundary) bounds.extend([p.lat, p.lng]);
      return marker;
    });
    if (layers.pins.addLayers) layers.pins.addLayers(pins); else pins.forEach(function (m) { layers.pins.addLayer(m); });

    var note = $("#sc-map-note");
    note.textContent = (body.notes || []).join(" ");  // what the server says the viewer should know (no outline…)
    note.hidden = !note.textContent;
    if (regionChanged || fittedFor !== body.region.code) {
      if (!bounds.isValid() && body.region.point) bounds.extend(body.region.point);
      if (bounds.isValid()) {
        map.fitBounds(bounds, { maxZoom: 15, animate: false, paddingTopLeft: [2.5 * r, 2.5 * r], paddingBottomRight: [1.5 * r, 3 * r] });
        fittedFor = body.region.code;
      }
    }
  }

  function pinPopup(p) {
    var box = el("div");
    box.appendChild(el("strong", null, p.title));
    var line = el("div");
    line.appendChild(el("span", "gd gd-" + p.grade));
    line.appendChild(document.createTextNode(" " + (T["grade_" + p.grade] || p.grade) + " · "));
    var a = el("a", null, p.code);
    a.href = p.url;
    line.appendChild(a);
    box.appendChild(line);
    if (p.approximate) box.appendChild(el("small", null, T.approximate));
    return box;
  }

  // --- moving around ---------------------------------------------------------------------------------------------------
  function pushUrl() {
    var url = config.pageUrl + query();
    if (url !== location.pathname + location.search) history.pushState({ screen: state }, "", url);
  }

  function go(code) {
    state.region = code;
    pushUrl();
    load("region");
  }

  function isoDay(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }

  function presetRange(name) {
    var ymd = todayIso().split("-").map(Number);
    var today = new Date(ymd[0], ymd[1] - 1, ymd[2]);
    var from = new Date(today);
    if (name === "today") { /* from = today */ }
    else if (name === "month") from.setDate(1);
    else if (name === "year") { from.setMonth(0); from.setDate(1); }
    else from.setDate(from.getDate() - (Number(name) - 1));
    return { from: isoDay(from), to: isoDay(today) };
  }

  function markPreset() {
    document.querySelectorAll("[data-preset]").forEach(function (b) {
      var r = presetRange(b.getAttribute("data-preset"));
      var on = data && data.period.from === r.from && data.period.to === r.to;
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function bind() {
    document.querySelectorAll("[data-preset]").forEach(function (b) {
      b.addEventListener("click", function () {
        var r = presetRange(b.getAttribute("data-preset"));
        state.from = r.from; state.to = r.to;
        pushUrl();
        load("period");
      });
    });
    $("#sc-period").addEventListener("submit", function (e) {
      e.preventDefault();
      state.from = $("#sc-from").value;
      state.to = $("#sc-to").value;
      pushUrl();
      load("period");
    });
    window.addEventListener("popstate", function () {
      var q = new URLSearchParams(location.search);
      state.region = q.get("region") || ""; state.from = q.get("from") || ""; state.to = q.get("to") || "";
      load("history");
    });
    var resizing = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () {
        if (map) map.invalidateSize();
        if (data) { drawTrend(data.trend); drawMap(data, false); }
      }, 150);
    });
    document.addEventListener("visibilitychange", function () { if (!document.hidden) load("poll"); });
    setInterval(function () { if (!document.hidden) load("poll"); }, (config.pollSeconds || 5) * 1000);
  }

  function start() {
    initMap();
    bind();
    load("start");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
