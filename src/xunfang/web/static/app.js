/* xunfang command centre dashboard: Leaflet map (the road network is the base map),
   slot slider, alerts (server-sent events), incident form with dispatch suggestions,
   duty sheet, roster and KPI charts (plotly). Nothing is fetched from the internet. */
(function () {
  "use strict";
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const zh = boot.lang === "zh";
  const T = (a, b) => (zh ? a : b);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  // Leaflet puts tooltip strings in as HTML: every one is escaped (names come from files)
  const esc = (v) => String(v).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
  // A refusal as lines to read: its message, the first SHOWN problems (the file's row, the
  // field, what is wrong) and how many more. A review: an import's 233 problems came as one
  // line of raw JSON ({"message":...,"problems":[{...), where a success was formatted.
  const SHOWN = 30;
  const rowWords = (row) => (row === null || row === undefined ? "" : T(`第${row}行`, `row ${row}`));
  const more = (n) => T(`……另有 ${n} 条`, `… and ${n} more`);
  // the import's words and rules in the page's language (web/i18n.py; the rules {} in English,
  // where the server's own words are shown). A review: a zh refusal was English but "第N行".
  const W = boot.words || {};
  const fill = (k, vars) => String(W[k] || "").replace(/\{(\w+)\}/g, (_, v) => String(vars[v]));
  const RULES = Object.entries(boot.rules || {});
  // a data value the core defines (a mode, shift, duty, KPI…) in the page's words, by its kind
  // (web/i18n.py VALUES); a scenario's own values (ids, names, team names) as written. A review
  // (AO #4): the zh roster, sheet and KPI chart showed early/auxiliary/car/posts…
  const VALUES = boot.values || {};
  const V = (kind, v) => VALUES[`${kind}:${v}`] ?? v;
  const ruleWords = (rule) => {
    for (const [en, w] of RULES) if (String(rule || "").startsWith(en)) return w;
    return null;
  };
  // what a row's problem says: its rule in the page's words with the row's value, or as sent
  function ruleText(rule, value, message) {
    const w = ruleWords(rule);
    if (w === null) return message;
    if (rule === "exact duplicate" && value !== undefined) return `${w}：${fill("imp_same_as", { n: value })}`;
    return value !== undefined ? `${w}：${value}` : `${w}（${message}）`;
  }
  // an import's refusal head from its parts (the server's message where they are missing)
  function importHead(d) {
    if (!zh || d.errors === undefined) return String(d.message || "");
    const parts = [fill("imp_refused", { file: d.file, n: d.errors })
      + `（${d.file_rows ? W.imp_rows : W.imp_kept_rows}）`];
    if (d.skip_hint) parts.push(W.imp_skip_hint);
    if (d.set_aside) parts.push(fill("imp_aside", { n: d.set_aside }));
    if (d.hint) parts.push(d.hint);
    return parts.join("；");
  }
  function describe(detail, status) {
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {  // FastAPI's own 422: where (loc) and what (msg)
      return detail.map((d) => `${(d.loc || []).filter((x) => x !== "body").join(".")}: ${d.msg}`).join("\n");
    }
    if (detail && typeof detail === "object") {
      const ps = Array.isArray(detail.problems) ? detail.problems : [];
      const total = Number(detail.count) || ps.length;
      const lines = [importHead(detail)];
      for (const p of ps.slice(0, SHOWN)) {
        const text = zh ? ruleText(p.rule, p.value, p.message) : p.message;
        lines.push(`${rowWords(p.row)}${p.column ? ` ${p.column}` : ""}: ${text}`.trim());
      }
      if (total > SHOWN) lines.push(more(total - SHOWN));
      return lines.join("\n");
    }
    return T(`请求失败（${status}）`, `request failed (${status})`);
  }
  const api = async (url, opts) => {
    const r = await fetch(url, Object.assign({ credentials: "same-origin" }, opts || {}));
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error(describe(body.detail, r.status)), { status: r.status, detail: body.detail });
    return body;
  };
  // the plans' list, asked once per check: the map's legend (which plan's forecast the heat
  // is) and the plan selector read the same answer; `fresh` asks again (the re-check: which
  // plan is current and where now falls, for the plan shown too)
  let plansAsked = null;
  const planList = (fresh) => (fresh || !plansAsked
    ? (plansAsked = api(`/api/plans?plan=${boot.plan}`)) : plansAsked);
  // a slot index of the plan shown: a now-slot of another plan, or none, is kept in its range
  // (a review: a 1-day plan shown while a 2-day one was current got now-slot 34 of its 24 and
  // the page stopped with "Cannot read properties of undefined")
  const clampSlot = (i) => Math.max(0, Math.min(boot.slots.length - 1, Math.trunc(Number(i)) || 0));
  let nowSlot = clampSlot(boot.now_slot);
  window.xunfang = { ready: false, layers: {}, slot: nowSlot, nowSlot, plan: boot.plan };

  // ---- tabs -------------------------------------------------------------------------------
  document.querySelectorAll(".tabs button").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll(".tabs button").forEach((x) => x.classList.toggle("on", x === b));
    document.querySelectorAll(".tab").forEach((x) => x.classList.toggle("on", x.id === "tab-" + b.dataset.tab));
    if (b.dataset.tab === "kpis") drawKpis();
    if (b.dataset.tab === "replan" && !rp.at.value) replanDraft();  // the live status first
  }));

  // ---- map --------------------------------------------------------------------------------
  const map = L.map("map", { crs: boot.local_crs ? L.CRS.Simple : L.CRS.EPSG3857, preferCanvas: true, zoomSnap: 0.25 });
  const swap = (c) => (boot.local_crs ? [c[1], c[0]] : [c[1], c[0]]);
  const overlays = {};
  const ctl = L.control.layers(null, {}, { collapsed: window.innerWidth < 1600 }).addTo(map);
  const add = (key, zhName, enName, layer, on) => {
    overlays[key] = layer; window.xunfang.layers[key] = layer;
    ctl.addOverlay(layer, T(zhName, enName));
    if (on) layer.addTo(map);
  };
  const geo = (fc, opts) => L.geoJSON(fc, Object.assign({ coordsToLatLng: (c) => L.latLng(swap(c)) }, opts));
  const tierColour = { 1: "#f85149", 2: "#ffa657", 3: "#e3b341" };
  const bandColour = ["#238636", "#2ea043", "#56d364"];
  let risk = null; let grids = null; let slotStages = null; let sheet = null;

  // The risk heat: one scale for every slot of the plan, as report.html has (six classes of
  // equal width from 0 to the largest expected count of any grid in any slot; 0 apart). A scale
  // per slot drew 0.023 expected incidents at 03:00 as hot as the 0.153 of the 19:00 peak.
  // The classes are the report's; the colours are not: its yellow-to-dark-red ramp is for paper,
  // and at fill 0.45 over this dark map its dark red peak is darker than its pale yellow quiet
  // hours (rgb 91,9,33 against 121,121,86). These (inferno, 0.3 to 0.9) grow lighter as the
  // risk grows, so the peak is the brightest.
  const HEAT = ["#6a176e", "#9b2964", "#c73e4c", "#ea6727", "#fb9b0b", "#f6d746"];
  const NO_RISK = "#6e7681";  // a grid with nothing expected (the legend's "0")
  const HEAT_OPACITY = 0.45;
  // the classes' bounds with as many decimals as their width needs (report.html's rule: a
  // county of a few incidents a year has classes of 0.001, which two decimals print as 0.00)
  function heatScale(top) {
    const step = top / HEAT.length;
    const digits = step >= 0.01 || step <= 0 ? 2 : Math.min(6, 1 - Math.floor(Math.log10(step)));
    const classes = HEAT.map((c, k) => ({ colour: c, lo: k * step, hi: (k + 1) * step,
      label: `${(k * step).toFixed(digits)}–${((k + 1) * step).toFixed(digits)}` }));
    return { top, step, digits, classes };
  }
  function riskColour(v, scale) {
    if (!(scale.top > 0) || !(v > 0)) return NO_RISK;
    return HEAT[Math.min(HEAT.length - 1, Math.floor((v / scale.top) * HEAT.length))];
  }

  async function loadMap() {
    const L0 = await api(`/api/plans/${boot.plan}/layers`);
    const roads = geo(L0.roads, { style: (f) => ({ color: "#5b6b7b", weight: ["primary", "trunk", "secondary"].includes(f.properties.class) ? 3 : 1.5, opacity: 0.9 }) });
    add("roads", "道路", "Roads", roads, true);
    const areas = L0.areas.features;
    const byKind = (k) => ({ type: "FeatureCollection", features: areas.filter((f) => f.properties.kind === k) });
    add("zones", "巡防区", "Zones", geo(byKind("zone"), { style: { color: "#a371f7", weight: 2, fill: false, dashArray: "6 4" } }), true);
    grids = geo(byKind("grid"), {
      style: { color: "#7cc4ff", weight: 1, fillOpacity: 0.05 },
      onEachFeature: (f, l) => l.bindTooltip(esc(`${f.properties.id} ${f.properties.name || ""}`)),
    });
    add("grids", "防控网格", "Grids", grids, true);
    add("rings", "处置控制圈", "Control rings", geo(byKind("ring"), { style: (f) => ({ color: tierColour[f.properties.level] || "#888", weight: 1.5, fill: false }) }), false);
    for (const tier of [1, 2, 3]) {
      const fc = { type: "FeatureCollection", features: L0.sites.features.filter((f) => f.properties.tier === tier) };
      add("sites" + tier, `${tier}级重点部位`, `Tier-${tier} sites`, geo(fc, {
        pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 6 - tier, color: tierColour[tier], fillOpacity: 0.9 }).bindTooltip(esc(`${f.properties.name} (${f.properties.id})`)),
      }), tier === 1);
    }
    const postsOf = (pred) => ({ type: "FeatureCollection", features: L0.posts.features.filter(pred) });
    const pt = (colour, r) => (f, ll) => L.circleMarker(ll, { radius: r, color: colour, fillColor: colour, fillOpacity: 1 }).bindTooltip(esc(`${f.properties.name} (${f.properties.id}) ${V("post", f.properties.kind)}`));
    add("posts", "驻点/警务站", "Posts", geo(postsOf((f) => !["checkpoint", "camera", "exit"].includes(f.properties.kind)), { pointToLayer: pt("#58a6ff", 6) }), true);
    add("checkpoints", "检查站/卡点", "Checkpoints", geo(postsOf((f) => f.properties.kind === "checkpoint"), { pointToLayer: pt("#ffa657", 6) }), true);
    add("cameras", "视频监控", "Cameras", geo(postsOf((f) => f.properties.kind === "camera"), { pointToLayer: pt("#bc8cff", 3) }), false);
    if (L0.rings) {
      add("isochrones", "1-3-5分钟等时圈", "1-3-5 min isochrones", geo(L0.rings, {
        pointToLayer: (f, ll) => {
          const b = f.properties.band_minutes; const i = [1, 3, 5].indexOf(b);
          return L.circleMarker(ll, { radius: 3, stroke: false, fillOpacity: 0.8, fillColor: b === null ? "#f85149" : (bandColour[i] || "#56d364") });
        },
      }), false);
    }
    const heat = geo(byKind("grid"), { style: { weight: 0, fillOpacity: HEAT_OPACITY } });
    add("risk", "时段风险热力", "Risk of the slot", heat, true);
    window.xunfang.heat = heat;
    add("planned", "计划岗位（所选时段）", "Planned places (chosen slot)", L.layerGroup(), false);
    add("units", "警力（实时）", "Units (live)", L.layerGroup(), true);
    add("incidents", "警情", "Incidents", L.layerGroup(), true);
    map.fitBounds(roads.getBounds(), { padding: [10, 10] });
    await loadPlanDoc();
  }
  // the shown plan's own parts of the map: its forecast (the heat, its scale and legend) and
  // its rings by slot; asked again when the page moves to another plan. Only those stages
  // and the slots (a review: the whole plan.json was fetched, 811 KB for a 1-day plan, for
  // its 28 KB of intel and rings); the KPI tab asks for its KPIs when opened
  async function loadPlanDoc() {
    const heat = window.xunfang.heat;
    const [doc, where] = await Promise.all([api(`/api/plans/${boot.plan}/stages?only=intel,rings`),
      api(`/api/plans/${boot.plan}/places?lang=${boot.lang}`)]);
    places = where;
    const meta = (await planList()).plans.find((p) => p.id === boot.plan) || {};
    risk = doc.stages.intel && doc.stages.intel.risk ? doc.stages.intel : null;
    slotStages = doc.stages.rings && doc.stages.rings.slots ? doc.stages.rings.slots : null;
    window.xunfang.planDoc = doc;
    if (risk) {
      let top = 0;
      for (const row of risk.risk) for (const v of row) top = Math.max(top, v);
      heat.scale = heatScale(top);
      window.xunfang.heatScale = heat.scale;
      riskLegend(heat, risk, doc.plan && doc.plan.slots, meta);
    } else {  // no forecast stored with this plan: no heat, no legend of another plan's
      heat.setStyle({ fillColor: NO_RISK });
      if (legendCtl) legendCtl.remove();
    }
  }

  // when a stored time (naive UTC, as the store keeps them) was, in the scenario's clock
  const localTime = (iso) => {
    if (!iso) return "?";
    const t = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
    return t.toLocaleString(zh ? "zh-CN" : "en-GB", { timeZone: boot.timezone, hour12: false,
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  };
  // the legend of the heat (bottom left; shown while the heat layer is): its classes, highest
  // first, the unit (expected incidents of a grid in one slot), that the scale is the plan's,
  // and whose forecast it is: the plan's, made when, from the incidents before which day. A
  // review: after imports the map kept the plan's forecast while /api/risk gave the new one for
  // the same grid and day, and nothing said which the map showed.
  // one legend box and control for the page, filled anew for the plan shown
  let legendCtl = null;
  function riskLegend(heat, risk, planSlots, meta) {
    let box = window.xunfang.riskLegend;
    if (!box) {
      box = el("div", { class: "legend risk-legend", id: "risk-legend" });
      window.xunfang.riskLegend = box;
      legendCtl = L.control({ position: "bottomleft" });
      legendCtl.onAdd = () => { L.DomEvent.disableClickPropagation(box); return box; };
      map.on("overlayadd", (e) => { if (e.layer === heat) legendCtl.addTo(map); });
      map.on("overlayremove", (e) => { if (e.layer === heat) legendCtl.remove(); });
    }
    box.textContent = "";
    const mins = planSlots && planSlots.length ? [...new Set(planSlots.map((s) => s.minutes))] : [];
    const per = mins.length === 1 ? T(`（${mins[0]} 分钟）`, ` (${mins[0]} min)`) : "";
    box.appendChild(el("div", { class: "legend-title" },
      T(`每时段${per}预计警情（起）`, `Expected incidents per slot${per}`)));
    const row = (colour, label, attrs) => {
      const r = el("div", Object.assign({ class: "legend-row" }, attrs));
      const sw = el("span", { class: "sw" });
      sw.style.background = colour; sw.style.opacity = String(HEAT_OPACITY);
      r.appendChild(sw); r.appendChild(el("span", { class: "legend-label" }, label));
      return r;
    };
    const sc = heat.scale;
    if (sc.top > 0) {
      for (const c of sc.classes.slice().reverse()) {
        box.appendChild(row(c.colour, c.label, { "data-lo": String(c.lo), "data-hi": String(c.hi) }));
      }
    }
    // "0" where a grid expects nothing in some slot (or has no forecast): drawn, so explained
    const unforecast = heat.getLayers().some((l) => !risk.grids.includes(l.feature.properties.id));
    if (!(sc.top > 0) || unforecast || risk.risk.some((r) => r.some((v) => !(v > 0)))) {
      box.appendChild(row(NO_RISK, "0", { "data-lo": "0", "data-hi": "0" }));
    }
    box.appendChild(el("div", { class: "legend-note" },
      T(`同一色阶：全部 ${risk.slots.length} 个时段`, `one scale for all ${risk.slots.length} slots`)));
    const asOf = risk.as_of ? T(`，截至 ${risk.as_of}`, `, as of ${risk.as_of}`) : "";
    box.appendChild(el("div", { class: "legend-source", id: "risk-source" }, T(
      `方案 #${boot.plan} 的预测（${localTime(meta.created)} 生成；依据 ${risk.trained_to} 之前的警情${asOf}）`,
      `the forecast of plan #${boot.plan} (made ${localTime(meta.created)}; from incidents before ${risk.trained_to}${asOf})`)));
    if (map.hasLayer(heat)) legendCtl.addTo(map);
  }

  // ---- slot slider ------------------------------------------------------------------------
  const slider = document.getElementById("slot");
  slider.max = String(boot.slots.length - 1);
  slider.value = String(nowSlot);
  function setSlot(slot) {
    if (!boot.slots.length) return;
    const i = clampSlot(slot);
    window.xunfang.slot = i;
    slider.value = String(i);
    const lab = document.getElementById("slot-label");
    lab.textContent = boot.slots[i].replace("T", " ");
    lab.dataset.slot = String(i);
    if (risk && window.xunfang.heat) {
      const col = {};
      risk.grids.forEach((g, k) => { col[g] = risk.risk[k][i]; });
      const scale = window.xunfang.heat.scale;  // the plan's, not this slot's
      window.xunfang.heat.eachLayer((l) => {
        const v = col[l.feature.properties.id] || 0;
        l.setStyle({ fillColor: riskColour(v, scale) });
        l.bindTooltip(esc(`${l.feature.properties.id}: ${T(`方案 #${boot.plan} 预测警情`, `expected incidents (plan #${boot.plan}'s forecast)`)} ${v.toFixed(3)}`));
      });
    }
    drawPlanned(i);
    document.querySelectorAll("#short-list li").forEach((li) => li.classList.toggle("now", li.dataset.slot === String(i)));
    document.querySelectorAll("#sheet .now").forEach((c) => c.classList.remove("now"));
    document.querySelectorAll(`#sheet [data-slot="${i}"]`).forEach((c) => c.classList.add("now"));
    markClock();
  }
  // the sheet's column of the slot now (the clock's), apart from the one chosen on the slider
  function markClock() {
    document.querySelectorAll("#sheet th.clock").forEach((c) => c.classList.remove("clock"));
    const th = document.querySelector(`#sheet tr:first-child th[data-slot="${nowSlot}"]`);
    if (th) th.classList.add("clock");
  }
  slider.addEventListener("input", () => setSlot(Number(slider.value)));

  // where the plan puts every unit on duty in slot i (GET /api/plans/{id}/places, asked once
  // per plan shown, by loadPlanDoc): a post or checkpoint as a ring, a route as the line it
  // drives (its colour the unit's mode), a staging unit as a dot at its node, a grid duty in
  // its grid; one map layer per unit. A review (H4 #3): only posts and checkpoints were
  // drawn, 4 of the 17 units on duty at 03:00
  const MODE_COLOUR = { car: "#3fb950", motorcycle: "#d29922", balance: "#ff7b72", foot: "#79c0ff", drone: "#bc8cff" };
  const modeColour = (m) => MODE_COLOUR[m] || "#e6edf3";
  let places = null;
  let placesLegend = null;
  function drawPlanned(i) {
    const g = overlays.planned;
    if (!g || !places || !places.places[i]) return;
    g.clearLayers();
    const modes = new Set();
    const kinds = new Set();
    for (const p of places.places[i]) {
      kinds.add(p.kind);
      const tip = esc(`${p.unit} · ${V("mode", p.mode)} · ${V("duty", p.word || p.duty)} ${p.where}${p.grid_name && p.kind !== "grid" ? ` · ${p.grid_name}` : ""}`);
      let layer;
      if (p.route) {
        modes.add(p.mode);
        layer = L.polyline(p.route.map((n) => swap(places.nodes[n])), { color: modeColour(p.mode), weight: 3, opacity: 0.85 });
      } else {
        const colour = p.kind === "checkpoint" ? "#ffa657" : p.kind === "post" ? "#e6edf3" : modeColour(p.mode);
        if (p.kind === "staging" || p.kind === "grid") modes.add(p.mode);
        layer = L.circleMarker(swap(p.at), { radius: p.kind === "grid" ? 7 : 5, color: colour, weight: 2,
          fill: p.kind === "staging", fillColor: colour, fillOpacity: 0.9, dashArray: p.kind === "grid" ? "3 3" : null });
      }
      layer.place = p;
      layer.bindTooltip(tip).addTo(g);
    }
    g.slot = i;
    plannedLegend(i, places.places[i].length, kinds, modes);
  }
  // the planned places' legend (bottom right), shown while their layer is
  function plannedLegend(i, n, kinds, modes) {
    if (!placesLegend) {
      const box = el("div", { class: "legend planned-legend", id: "planned-legend" });
      placesLegend = L.control({ position: "bottomright" });
      placesLegend.box = box;
      placesLegend.onAdd = () => { L.DomEvent.disableClickPropagation(box); return box; };
      map.on("overlayadd", (e) => { if (e.layer === overlays.planned) placesLegend.addTo(map); });
      map.on("overlayremove", (e) => { if (e.layer === overlays.planned) placesLegend.remove(); });
    }
    const box = placesLegend.box;
    box.textContent = "";
    box.appendChild(el("div", { class: "legend-title" }, `${W.dash_places} · ${String(boot.slots[i]).slice(11, 16)}`));
    box.appendChild(el("div", { class: "legend-note" }, fill("dash_leg_units", { n })));
    const row = (swatch, colour, label) => {
      const r = el("div", { class: "legend-row" });
      const sw = el("span", { class: swatch }); sw.style.borderColor = colour;
      if (swatch === "dot" && colour !== "#e6edf3" && colour !== "#ffa657") sw.style.background = colour;
      r.appendChild(sw); r.appendChild(el("span", { class: "legend-label" }, label));
      box.appendChild(r);
    };
    if (kinds.has("post")) row("dot", "#e6edf3", W.dash_leg_post);
    if (kinds.has("checkpoint")) row("dot", "#ffa657", W.dash_leg_checkpoint);
    if (kinds.has("route")) box.appendChild(el("div", { class: "legend-note" }, W.dash_leg_route));
    for (const m of [...modes].sort()) row("sw", modeColour(m), V("mode", m));
    if (kinds.has("staging")) row("dot", "#8b949e", W.dash_leg_staging);
    if (kinds.has("grid")) row("dot", "#8b949e", W.dash_leg_grid);
    if (map.hasLayer(overlays.planned)) placesLegend.addTo(map);
  }

  // ---- units and incidents ----------------------------------------------------------------
  async function refreshUnits() {
    const data = await api("/api/units");
    const g = overlays.units; g.clearLayers();
    for (const u of data.units) {
      if (u.lat === null && u.y === null) continue;
      const ll = boot.local_crs ? [u.y, u.x] : [u.lat, u.lon];
      const colour = u.status === "available" ? "#3fb950" : u.status === "busy" ? "#f85149" : "#8b949e";
      L.circleMarker(ll, { radius: 7, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 1 })
        .bindTooltip(esc(`${u.unit} · ${V("status", u.status)} · ${V("duty", u.duty)} ${u.post || u.grid || ""}`)).addTo(g);
    }
    const r = await api("/api/rings/now");
    // the isochrone bands as they stand now (nodes in the network's order, as in the layer)
    if (overlays.isochrones && r.bands && r.bands.length) {
      let i = 0;
      overlays.isochrones.eachLayer((l) => {
        const b = r.bands[i++];
        l.setStyle({ fillColor: b < 0 ? "#f85149" : (bandColour[b] || "#56d364") });
      });
    }
    const rn = document.getElementById("rings-now");
    rn.textContent = `${(100 * r.share_within_target).toFixed(1)}% (${r.live_sources}/${r.sources} ${T("实时", "live")})`;
  }
  async function refreshIncidents() {
    const data = await api("/api/incidents?limit=200");
    const g = overlays.incidents; g.clearLayers();
    // the categories of the stored incidents join the form's list (a live report's new one)
    const list = document.getElementById("inc-categories");
    const offered = new Set([...list.options].map((o) => o.value));
    for (const i of data.incidents) {
      if (i.category && !offered.has(i.category)) { offered.add(i.category); list.appendChild(el("option", { value: i.category })); }
      if (i.lat === undefined || i.lat === null) continue;
      L.circleMarker([i.lat, i.lon], { radius: 5, color: "#ff7b72", fillOpacity: 0.8 }).bindTooltip(esc(`${i.category} P${i.priority}`)).addTo(g);
    }
  }

  // ---- alerts (server-sent events) --------------------------------------------------------
  // The panel holds the active alerts, one item each (by id): `alert` adds one (or redraws
  // it, sent again), `clear` takes it out, `ack` marks who acknowledged it and when. A review:
  // cleared alerts were never dropped, so over a day the panel only grew.
  const alertList = document.getElementById("alerts");
  const alertItem = (id) => alertList.querySelector(`li[data-id="${CSS.escape(String(id))}"]`);
  const countAlerts = () => { document.getElementById("alert-count").textContent = String(alertList.children.length); };
  function showAlert(a) {
    const li = el("li", { class: a.severity, "data-kind": a.kind, "data-id": String(a.id) });
    li.appendChild(el("span", {}, zh ? a.message_zh : a.message_en));
    const when = new Date(a.raised_at).toLocaleString(zh ? "zh-CN" : "en-GB", { timeZone: boot.timezone, hour12: false });
    li.appendChild(el("time", { datetime: a.raised_at }, when));
    markAck(li, a);
    const old = alertItem(a.id);
    if (old) old.replaceWith(li); else alertList.prepend(li);
    countAlerts();
  }
  // an alert's acknowledgement: who and when, or (not yet, for a user who may) a button
  function markAck(li, a) {
    li.querySelectorAll(".ack").forEach((x) => x.remove());
    if (a.acknowledged_by) {
      li.classList.add("acked");
      li.dataset.ackBy = String(a.acknowledged_by);
      li.appendChild(el("small", { class: "ack" },
        fill("dash_acked", { who: a.acknowledged_by, when: localTime(a.acknowledged_at) })));
      return;
    }
    li.classList.remove("acked");
    delete li.dataset.ackBy;
    if (!boot.can_ack) return;
    const b = el("button", { type: "button", class: "ack ack-button" }, W.dash_ack);
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        const r = await api(`/api/alerts/${a.id}/ack`, { method: "POST" });
        markAck(li, { acknowledged_by: r.acknowledged_by,
          acknowledged_at: r.acknowledged_at || new Date().toISOString() });
      } catch (e) { b.disabled = false; b.title = e.message; li.appendChild(el("small", { class: "ack error" }, e.message)); }
    });
    li.appendChild(b);
  }
  function clearAlert(d) {
    const li = alertItem(d.id);
    if (li) li.remove();
    countAlerts();
  }
  function ackAlert(d) {
    const li = alertItem(d.id);
    if (li) markAck(li, d);
  }
  // the panel as the server has it: what a broken stream missed (clears above all)
  async function resyncAlerts() {
    const data = await api("/api/alerts");
    const active = new Set(data.alerts.map((a) => String(a.id)));
    for (const li of [...alertList.children]) if (!active.has(li.dataset.id)) li.remove();
    for (const a of [...data.alerts].sort((x, y) => x.id - y.id)) showAlert(a);
    countAlerts();
  }
  const onAlertEvent = {
    alert: (a) => { showAlert(a); refreshUnits().catch(() => {}); },
    clear: clearAlert,
    ack: ackAlert,
  };
  function listenAlerts() {
    const es = new EventSource("/api/alerts/stream");
    window.xunfang.alertStream = es;
    for (const [kind, handle] of Object.entries(onAlertEvent)) {
      es.addEventListener(kind, (e) => handle(JSON.parse(e.data)));
    }
    // reconnected after a break: the panel and the plan shown re-synced with the server
    let broken = false;
    es.addEventListener("error", () => { broken = true; });
    es.addEventListener("open", () => {
      if (!broken) return;
      broken = false;
      resyncAlerts().catch(() => {});
      recheck().catch(() => {});
    });
  }

  // ---- incident form ----------------------------------------------------------------------
  const form = document.getElementById("incident-form");
  if (!boot.can_live) {
    form.querySelectorAll("input,select,button").forEach((x) => { x.disabled = true; });
    document.getElementById("read-only").hidden = false;
  }
  let pin = null;
  map.on("click", (e) => {
    if (boot.local_crs) return;
    document.getElementById("inc-lon").value = e.latlng.lng.toFixed(6);
    document.getElementById("inc-lat").value = e.latlng.lat.toFixed(6);
    if (pin) pin.remove();
    pin = L.marker(e.latlng).addTo(map);
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const err = document.getElementById("inc-error"); err.textContent = "";
    const table = document.getElementById("suggestions"); table.textContent = "";
    try {
      const res = await api("/api/incidents", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ lon: Number(f.get("lon")), lat: Number(f.get("lat")), category: f.get("category"), priority: Number(f.get("priority")) }),
      });
      const head = el("tr"); for (const h of [T("警力", "unit"), T("方式", "mode"), T("分钟", "minutes"), T("依据", "basis")]) head.appendChild(el("th", {}, h));
      table.appendChild(head);
      for (const s of res.suggestions) {
        const tr = el("tr", { class: "suggestion" });
        for (const v of [s.unit, V("mode", s.mode), s.minutes, s.basis === "live" ? T("实时位置", "live") : T("计划位置", "plan")]) tr.appendChild(el("td", {}, v));
        table.appendChild(tr);
      }
      refreshIncidents().catch(() => {});
    } catch (e) { err.textContent = e.message; }
  });

  // ---- plans and incident import ---------------------------------------------------------
  const planSelect = document.getElementById("plan-select");
  planSelect.addEventListener("change", () => { location.search = "?plan=" + planSelect.value; });
  // a plan's name as the centre makes it ("2026-11-30 seed 0") in the page's words; a name
  // given otherwise as written
  const planName = (name) => String(name || "").replace(/^(\d{4}-\d\d-\d\d) seed (\d+)$/,
    (all, date, seed) => (W.dash_plan_name ? fill("dash_plan_name", { date, seed }) : all))
    // a re-plan's (web/centre.py Centre.replan: "re-plan of {id} from {date} {time}")
    .replace(/^re-plan of (\d+) from (\d{4}-\d\d-\d\d \d\d:\d\d)$/,
      (all, id, at) => (W.dash_replan_name ? fill("dash_replan_name", { id, at }) : all));
  function fillPlans(data) {
    planSelect.textContent = "";
    for (const p of [...data.plans].sort((a, b) => a.id - b.id)) {
      // a re-plan no planner has made current is a what-if: it never takes over by itself
      const whatIf = p.takes_over === false ? (W.dash_what_if || "") : "";
      const o = el("option", { value: String(p.id) }, `#${p.id} ${planName(p.name) || p.from}${whatIf}${p.id === data.current ? " ★" : ""}`);
      if (p.id === boot.plan) o.selected = true;
      planSelect.appendChild(o);
    }
  }
  async function loadPlans() { fillPlans(await planList()); }

  // ---- keeping up with the clock and the current plan ------------------------------------
  // The page asks every minute (and when the alert stream comes back) which plan is current
  // and where now falls. A review: the now-slot was set only as the page loaded, and a plan
  // made current through the API was not followed (the sheet and heat kept the old plan while
  // the units' tooltips followed the new one). The page follows the current plan unless a
  // plan was asked for (?plan=); the slider follows the clock unless moved off it.
  const banner = document.getElementById("plan-banner");
  function showBanner(now) {
    banner.hidden = now.covers;
    banner.dataset.plan = String(now.plan);
    if (!now.covers) banner.textContent = fill("dash_not_now", { id: now.plan, time: now.time.slice(0, 16).replace("T", " ") });
  }
  function moveNow(slot) {
    const i = clampSlot(slot);
    const followed = window.xunfang.slot === nowSlot;
    nowSlot = i; window.xunfang.nowSlot = i;
    if (followed) setSlot(i); else markClock();
  }
  // the printable report of the plan shown, in the page's language (GET /api/plans/{id}/report)
  function reportLink() {
    const a = document.getElementById("print-report");
    if (a) a.href = `/api/plans/${boot.plan}/report?lang=${boot.lang}`;
  }
  reportLink();
  async function showPlan(id, now) {
    boot.plan = id; window.xunfang.plan = id;
    reportLink();
    importedSince = 0;
    await loadPlanDoc();
    await Promise.all([loadSheet(), loadRoster()]);
    boot.slots = sheet.slots;
    slider.max = String(boot.slots.length - 1);
    nowSlot = clampSlot(now.slot); window.xunfang.nowSlot = nowSlot;
    setSlot(nowSlot);
    kpisDrawn = false;
    if (document.getElementById("tab-kpis").classList.contains("on")) drawKpis();
  }
  let checking = null;
  async function check() {
    const data = await planList(true);
    boot.current = data.current;
    showBanner(data.now);
    if (!boot.pinned && data.current !== boot.plan) await showPlan(data.current, data.now);
    else if (data.viewed && data.viewed.plan === boot.plan) moveNow(data.viewed.slot);
    fillPlans(data);
    planControls();
    // the new plan's start: today, by the scenario's clock, until the user picks a day
    if (!planStart.dataset.picked) planStart.value = data.now.time.slice(0, 10);
    window.xunfang.checked = (window.xunfang.checked || 0) + 1;
  }
  // one check at a time (the minute's and a reconnect's may meet)
  const recheck = () => (checking ??= check().finally(() => { checking = null; }));
  window.xunfang.recheck = recheck;

  // ---- making a plan, and the current one (users who may plan) ---------------------------
  const planForm = document.getElementById("plan-form");
  const planStatus = document.getElementById("plan-status");
  const setCurrent = document.getElementById("plan-current");
  function planControls() {
    setCurrent.hidden = !boot.can_plan || boot.plan === boot.current;
  }
  const planStart = document.getElementById("plan-start");
  planStart.addEventListener("change", () => { planStart.dataset.picked = "1"; });
  if (boot.can_plan) {
    planForm.hidden = false;
    planStart.value = String(boot.now_time || "").slice(0, 10);
  }
  planForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(planForm);
    const current = f.get("make_current") === "on";
    const submit = document.getElementById("plan-submit");
    submit.disabled = true;
    planStatus.textContent = W.dash_planning;
    try {
      const p = await api("/api/plans", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ start: f.get("start"), days: Number(f.get("days")),
          seed: Number(f.get("seed")), make_current: current }),
      });
      planStatus.textContent = fill("dash_planned", { id: p.id });
      planStatus.dataset.plan = String(p.id);
      // the page shows the new plan: by following the current one, or by asking for it
      if (current && !boot.pinned) await recheck(); else location.search = "?plan=" + p.id;
    } catch (e) { planStatus.textContent = e.message; } finally { submit.disabled = false; }
  });
  setCurrent.addEventListener("click", async () => {
    planStatus.textContent = "";
    try {
      await api(`/api/plans/${boot.plan}/current`, { method: "POST" });
      await recheck();
    } catch (e) { planStatus.textContent = e.message; }
  });
  // ---- re-plan the rest of the day (动态调整; POST /api/plans/{id}/replan) ---------------
  // The plan shown is planned again from a moment with units out of service, units held at
  // incidents and new hot places, as `xunfang replan` does; the form starts from the units'
  // live status (GET …/replan, the current plan only) and the planner edits it. The answer's
  // change list and new shortfalls are shown; a re-plan made current is followed.
  const rp = {
    form: document.getElementById("replan-form"), at: document.getElementById("replan-at"),
    oos: document.getElementById("replan-oos"), busy: document.getElementById("replan-busy"),
    back: document.getElementById("replan-back"),
    hot: document.getElementById("replan-hot"), status: document.getElementById("replan-status"),
    left: document.getElementById("replan-left"), show: document.getElementById("replan-show"),
    submit: document.getElementById("replan-submit"),
  };
  const options = (sel, items, chosen) => {
    for (const it of items) {
      const o = el("option", { value: it.id }, it.name && it.name !== it.id ? `${it.id} ${it.name}` : it.id);
      if (it.id === chosen) o.selected = true;
      sel.appendChild(o);
    }
    return sel;
  };
  const unitItems = (noDrones) => (boot.units || []).filter((u) => !noDrones || u.mode !== "drone")
    .map((u) => ({ id: u.id, name: V("mode", u.mode) }));
  const localInput = (iso) => String(iso || "").slice(0, 16);
  function replanRow(box, kind, v) {
    const row = el("div", { class: `replan-row replan-${kind}` });
    if (kind === "busy") {
      // a drone flies sorties: it is not held at an incident (the API refuses it)
      row.appendChild(options(el("select", { "aria-label": W.dash_replan_unit, "data-f": "unit" }),
        unitItems(true), v.unit));
    }
    row.appendChild(options(el("select", { "aria-label": W.dash_replan_grid, "data-f": "grid" }), boot.grids || [], v.grid));
    const time = (f, label, value) => {
      const i = el("input", { type: "datetime-local", "data-f": f, "aria-label": label, required: "" });
      i.value = localInput(value);
      row.appendChild(el("span", {}, label)); row.appendChild(i);
    };
    if (kind === "busy") time("until", W.dash_replan_until, v.until);
    else {
      time("from", W.dash_replan_from, v.from); time("to", W.dash_replan_to, v.to);
      const share = el("input", { type: "number", "data-f": "share", min: "0", max: "100", step: "0.1", "aria-label": W.dash_replan_share, title: W.dash_replan_share });
      share.value = String(v.share ?? 0.5);
      row.appendChild(share);
    }
    const rm = el("button", { type: "button", class: "replan-remove" }, W.dash_replan_remove);
    rm.addEventListener("click", () => row.remove());
    row.appendChild(rm);
    box.appendChild(row);
  }
  function replanFill(d) {
    rp.at.value = localInput(d.at);
    for (const o of rp.oos.options) o.selected = (d.out_of_service || []).includes(o.value);
    if (d.held) {  // what may come back: the units the plan holds out or busy (else every unit)
      rp.back.textContent = "";
      options(rp.back, unitItems().filter((u) => d.held.includes(u.id)));
    }
    for (const o of rp.back.options) o.selected = (d.back_in_service || []).includes(o.value);
    rp.busy.textContent = ""; rp.hot.textContent = "";
    for (const b of d.busy || []) replanRow(rp.busy, "busy", b);
    for (const h of d.hot || []) replanRow(rp.hot, "hot", h);
    const left = (d.left_out || []).map((x) => (W[`dash_replan_left_${x.reason}`]
      ? fill(`dash_replan_left_${x.reason}`, { unit: x.unit }) : `${x.unit} (${x.why})`));
    rp.left.textContent = left.length ? fill("dash_replan_left", { list: left.join(T("；", "; ")) }) : "";
  }
  async function replanDraft() {
    rp.status.textContent = "";
    try { replanFill(await api(`/api/plans/${boot.plan}/replan`)); }
    catch (e) {  // not the current plan: no live status to start from; the slider's slot
      replanFill({ at: sheet && sheet.slots ? sheet.slots[window.xunfang.slot] : boot.now_time });
      rp.status.textContent = e.message;
    }
  }
  const rowValues = (box) => [...box.querySelectorAll(".replan-row")].map((r) => {
    const v = {};
    r.querySelectorAll("[data-f]").forEach((i) => { v[i.dataset.f] = i.dataset.f === "share" ? Number(i.value) : i.value; });
    return v;
  });
  function replanShow(r) {
    rp.status.textContent = fill("dash_replan_done", { id: r.id, at: String(r.at).slice(0, 16).replace("T", " "), n: r.changed,
      added: r.shortfalls_added.length + r.route_shortfalls_added.length,
      resolved: r.shortfalls_resolved.length + r.route_shortfalls_resolved.length });
    rp.status.dataset.plan = String(r.id);
    rp.show.hidden = r.current === r.id && !boot.pinned;
    rp.show.dataset.plan = String(r.id);
    const ul = document.getElementById("replan-short"); ul.textContent = "";
    const added = r.shortfalls_added_said || [];  // in the page's words
    if (added.length) ul.appendChild(el("li", { class: "head" }, W.dash_replan_new_short));
    for (const t of added) ul.appendChild(el("li", { class: "short-new" }, t));
    const t = document.getElementById("replan-changes"); t.textContent = "";
    if (!r.changes.length) { t.appendChild(el("tr", {}, W.dash_replan_none)); return; }
    const h = el("tr");
    for (const k of ["dash_replan_unit", "dash_col_slot", "dash_col_old", "dash_col_new", "dash_col_duty"]) h.appendChild(el("th", {}, W[k]));
    t.appendChild(h);
    for (const c of r.changes) {
      const tr = el("tr", { class: "change", "data-unit": c.unit });
      tr.appendChild(el("th", {}, c.unit));
      tr.appendChild(el("td", {}, `${c.slot_start.slice(11, 16)}–${c.slot_end.slice(11, 16)}`));
      tr.appendChild(el("td", { title: c.old_place }, c.old_place_name || c.old_place || "—"));
      tr.appendChild(el("td", { title: c.new_place }, c.place_name || c.new_place || "—"));
      tr.appendChild(el("td", { title: c.new_duty }, c.duty_said || c.new_duty));
      t.appendChild(tr);
    }
  }
  if (boot.can_plan) {
    document.getElementById("replan-tab").hidden = false;
    options(rp.oos, unitItems());
    options(rp.back, unitItems());
    document.getElementById("replan-draft").addEventListener("click", replanDraft);
    // a new busy row offers the first unit not in a row yet (a review: always the first unit,
    // and the re-plan was refused as "given busy twice")
    document.getElementById("replan-add-busy").addEventListener("click", () => {
      const taken = new Set([...rowValues(rp.busy).map((v) => v.unit),
        ...[...rp.oos.selectedOptions].map((o) => o.value)]);
      const free = unitItems(true).find((u) => !taken.has(u.id));
      replanRow(rp.busy, "busy", { until: rp.at.value, unit: free && free.id });
    });
    document.getElementById("replan-add-hot").addEventListener("click", () => replanRow(rp.hot, "hot", { from: rp.at.value, to: rp.at.value }));
    rp.show.addEventListener("click", () => { location.search = "?plan=" + rp.show.dataset.plan; });
    rp.form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      rp.submit.disabled = true;
      rp.status.textContent = W.dash_replan_running;
      const current = document.getElementById("replan-make-current").checked;
      try {
        const r = await api(`/api/plans/${boot.plan}/replan`, {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ at: rp.at.value, out_of_service: [...rp.oos.selectedOptions].map((o) => o.value),
            back_in_service: [...rp.back.selectedOptions].map((o) => o.value),
            busy: rowValues(rp.busy), hot: rowValues(rp.hot), make_current: current, lang: boot.lang }),
        });
        replanShow(r);
        window.xunfang.replanned = r.id;
        if (current && !boot.pinned) await recheck();
      } catch (e) {
        rp.status.textContent = e.message;
        // another plan became current meanwhile (409): the page follows it
        if (e.status === 409 && !boot.pinned) recheck().catch(() => {});
      } finally { rp.submit.disabled = false; }
    });
  }
  // incidents imported after the plan: not in the heat (the plan's forecast); said on its
  // legend with what the current forecast (/api/risk, tomorrow) makes of the stored ones, by
  // its own counts. A review: the note said the current forecast had them where it may leave
  // them all out (stored_used 0, stored_after_record_end N), and gave a planner a raw URL.
  let importedSince = 0;
  async function riskStale(n) {
    const box = window.xunfang.riskLegend;
    if (!box) return;
    importedSince += n;
    let note = document.getElementById("risk-stale") || box.querySelector(".legend-stale");
    if (!note) { note = el("div", { class: "legend-stale", id: "risk-stale" }); box.appendChild(note); }
    const head = T(`此后导入的 ${importedSince} 起警情未计入此图（方案的预测）`,
      `${importedSince} incidents imported since are not in this map (the plan's forecast)`);
    note.textContent = head;
    let fc;
    try { fc = await api("/api/risk"); } catch (e) { return; }
    const c = fc.incidents || {};
    const stored = Number(c.stored) || 0;
    const used = c.stored_used !== undefined ? Number(c.stored_used) : stored;
    const out = [];
    if (c.stored_after_record_end) out.push(T(`${c.stored_after_record_end} 起在记录截止（${fc.trained_to}）之后`,
      `${c.stored_after_record_end} come after the record's end (${fc.trained_to})`));
    if (c.stored_before_window) out.push(T(`${c.stored_before_window} 起在训练期（自 ${fc.trained_from}）之前`,
      `${c.stored_before_window} come before its training window (from ${fc.trained_from})`));
    const why = out.length ? T(`；未计入：${out.join("，")}`, `; left out: ${out.join(", ")}`) : "";
    note.textContent = head + T(`；当前预测（明日）计入已入库警情 ${used} 起（共 ${stored} 起${why}）`,
      `; the current forecast (tomorrow) counts ${used} of the ${stored} stored incidents${why}`);
    note.dataset.used = String(used); note.dataset.stored = String(stored);
  }
  // ingest's fixed notes the page words itself (the rest as sent): x/y read in the scenario's
  // crs (intel/ingest.py, its --crs named as the form's field by routers/incidents.for_form)
  const SCENARIO_CRS = /^x\/y read in (\S+) \(the scenario's crs\): the crs field empty, and the file declares none$/;
  function noteWords(n) {
    const m = zh && W.imp_scenario_crs ? SCENARIO_CRS.exec(n) : null;
    return m ? fill("imp_scenario_crs", { crs: m[1] }) : n;
  }
  const importForm = document.getElementById("import-form");
  if (boot.can_import) importForm.hidden = false;
  importForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = document.getElementById("import-report"); out.textContent = "…";
    try {
      // ?lang: a refusal before the form is read (413, too large) in the page's language
      const r = await api(`/api/incidents/import?lang=${boot.lang}`, { method: "POST", body: new FormData(importForm) });
      const skipped = r.skipped ? ` · ${T("跳过已入库", "skipped (stored already)")} ${r.skipped}` : "";
      const lines = [`${T("读入", "rows")} ${r.rows} · ${T("入库", "stored")} ${r.stored} · ${T("拒收", "rejected")} ${r.rejected}${skipped}`];
      // the import's own notes in the page's words (web/i18n.py), ingest's as sent
      const worded = new Map((r.notes_worded || []).map((w) => [w.text, w]));
      for (const n of r.notes || []) {
        const w = worded.get(n);
        lines.push(`${T("注", "note")}: ${zh && w && W[w.key] ? fill(w.key, w) : noteWords(n)}`);
      }
      const counts = r.counts || {};  // every problem row by rule; duplicates are listed apart
      const total = Object.values(counts).reduce((a, b) => a + b, 0) - (counts["exact duplicate"] || 0);
      for (const p of r.problems.slice(0, SHOWN)) {
        lines.push(`${rowWords(p.row)} ${p.field}: ${zh && ruleWords(p.rule) !== null ? ruleText(p.rule, p.value, "") : `${p.rule} (${p.value})`}`);
      }
      if (Math.max(total, r.problems.length) > SHOWN) lines.push(more(Math.max(total, r.problems.length) - SHOWN));
      // exact duplicates: counted as rejected, listed by their rows (a review: never listed)
      const dups = Array.isArray(r.duplicates) ? r.duplicates : [];
      const nDup = Math.max(Number(counts["exact duplicate"]) || 0, dups.length);
      if (nDup) {
        lines.push(`${W.imp_duplicates || "exact duplicates (rejected)"}: ${nDup}`);
        for (const d of dups.slice(0, SHOWN)) lines.push(`${rowWords(d.row)}: ${fill("imp_same_as", { n: d.first })}`);
        if (nDup > Math.min(dups.length, SHOWN)) lines.push(more(nDup - Math.min(dups.length, SHOWN)));
      }
      if (r.problems.length || nDup) lines.push(`${T("注", "note")}: ${W.imp_rows || r.row_numbers || ""}`);
      out.textContent = lines.join("\n");
      if (r.stored) riskStale(r.stored).catch(() => {});
      refreshIncidents().catch(() => {});
    } catch (e) { out.textContent = e.message; }
  });

  // ---- tables -----------------------------------------------------------------------------
  async function loadSheet() {
    const s = await api(`/api/plans/${boot.plan}/sheet?lang=${boot.lang}`);  // places named in the page's words
    sheet = s;
    const t = document.getElementById("sheet"); t.textContent = "";
    const h = el("tr"); h.appendChild(el("th", {}, T("警力", "unit")));
    // a plan of more than one day: its columns carry the date (MM-DD) with the time
    const days = new Set(s.slots.map((n) => n.slice(0, 10))).size;
    s.slots.forEach((n, i) => h.appendChild(el("th", { "data-slot": String(i), title: n.replace("T", " ") },
      days > 1 ? `${n.slice(5, 10)} ${n.slice(11, 16)}` : n.slice(11, 16))));
    t.appendChild(h);
    for (const r of s.rows) {
      const tr = el("tr"); tr.appendChild(el("th", {}, `${r.unit} ${V("mode", r.mode)}`));
      r.cells.forEach((c, i) => tr.appendChild(el("td", { "data-slot": String(i), class: "duty-" + c.duty, title: V("duty", c.word || c.duty) }, c.duty === "off" ? "—" : c.where)));
      t.appendChild(tr);
    }
    showShortfalls(s);
    showVideo(s);
  }
  // the plan's shortfalls (the sheet's answer, in the page's words): the posture's by slot
  // (a click moves the slider there; their slots' heads marked), then the other stages' of
  // the whole day. A review (H4 #2): plan.json's shortfalls were nowhere on the page
  function showShortfalls(s) {
    const list = document.getElementById("short-list"); list.textContent = "";
    const shorts = s.shortfalls || [];
    document.getElementById("short-count").textContent = shorts.length ? `(${shorts.length})` : "";
    if (!shorts.length) list.appendChild(el("li", { class: "none" }, W.dash_short_none));
    const bySlot = {};
    for (const f of shorts) {
      if (f.slot !== null && f.slot !== undefined) {
        const li = el("li", { "data-slot": String(f.slot), class: "short-slot" }, f.text);
        li.addEventListener("click", () => setSlot(f.slot));
        list.appendChild(li);
        (bySlot[f.slot] ??= []).push(f.text);
      } else {
        list.appendChild(el("li", { class: "short-day", "data-stage": f.stage }, `${fill("dash_short_day", { stage: f.stage_said })}${T("：", ": ")}${f.text}`));
      }
    }
    for (const [i, texts] of Object.entries(bySlot)) {
      const th = document.querySelector(`#sheet tr:first-child th[data-slot="${i}"]`);
      if (th) { th.classList.add("short"); th.title = `${th.title}\n${fill("dash_short_slot", { n: texts.length })}\n${texts.join("\n")}`; }
    }
  }
  // the video desk's camera tours (plan_sheet.csv's rows of kind video): its operators are
  // not units. A review (H4 #2): the sheet had none of the 48
  function showVideo(s) {
    const t = document.getElementById("video"); t.textContent = "";
    const tours = s.video || [];
    if (!tours.length) { t.appendChild(el("tr", {}, W.dash_video_none)); return; }
    const h = el("tr");
    for (const k of ["dash_video", "dash_col_start", "dash_col_end"]) h.appendChild(el("th", {}, k === "dash_video" ? "" : W[k]));
    h.appendChild(el("th", {}, V("duty", "video")));
    t.appendChild(h);
    for (const v of tours) {
      const tr = el("tr", { class: "tour" });
      tr.appendChild(el("th", {}, fill("dash_video_desk", { n: String(v.desk).replace(/^video-desk-/, "") })));
      tr.appendChild(el("td", {}, v.start.slice(11, 16)));
      tr.appendChild(el("td", {}, v.end.slice(11, 16)));
      tr.appendChild(el("td", { class: "cams", title: v.where }, v.cameras.join(" ")));
      t.appendChild(tr);
    }
  }
  async function loadRoster() {
    const t = document.getElementById("roster"); t.textContent = "";
    let r;
    try { r = await api(`/api/roster/${boot.plan}`); } catch (e) {
      t.appendChild(el("tr", {}, e.message));
      // no brigade roster: the own duty lists' rotas asked apart (routers/roster.py)
      let own = null; let why = "";
      try { own = await api(`/api/roster/${boot.plan}/own`); } catch (e2) { why = e2.message; }
      showOwnRotas(own, why);
      return;
    }
    showOwnRotas(r, "");
    const cols = ["date", "person", "team", "shift", "start", "end", "role", "kind"];
    // the heads in the page's words; the shift, role and kind (the core's values) too, the
    // rest (dates, people, teams: the scenario's) as written
    const worded = new Set(["shift", "role", "kind"]);
    const h = el("tr"); cols.forEach((c) => h.appendChild(el("th", { "data-col": c }, W[`dash_col_${c}`] || c))); t.appendChild(h);
    // the night shift of the day before, on duty from the first hour, first and labelled
    // (its reason "from the day before"). A review (H4 #1): it was left out, 29 rows of 36
    const before = Number(r.lead_in) || 0;
    r.rows.slice(0, 400).forEach((row, k) => {
      const lead = k < before;
      const tr = el("tr", lead ? { class: "lead-in", title: W.dash_lead_in } : {});
      cols.forEach((c) => tr.appendChild(el("td", {}, (worded.has(c) ? V(c, row[c]) : row[c])
        + (lead && c === "date" ? T(`（${W.dash_lead_in}）`, ` (${W.dash_lead_in})`) : ""))));
      t.appendChild(tr);
    });
    if (r.lead_in === null) t.appendChild(el("tr", { class: "lead-in-unknown" }, W.dash_lead_in_unknown));
  }
  // the own duty lists' rotas under the roster (routers/roster.py own_rotas; the printed
  // report's #own-rota): per list, per person, the shift(s) starting on each of the plan's
  // days ("夜班 00:00–08:00"; one begun the evening before the first day on that day, with
  // its date), the sworn officers (民警, who lead) marked, the hours a week, and a line of
  // the hours the rota leaves short of people and of a sworn lead where there are any
  const clockEnd = (iso) => (String(iso).slice(11, 16) === "00:00" ? "24:00" : String(iso).slice(11, 16));
  const hoursOf = (v) => (Number(v) || 0);
  function showOwnRotas(r, failed) {
    const t = document.getElementById("own-rota"); t.textContent = "";
    const rotas = (r && Array.isArray(r.own_rotas)) ? r.own_rotas : [];
    const days = (r && Array.isArray(r.own_days)) ? r.own_days : [];
    const why = r && r.own_rotas_why;
    const said = (why && W[`dash_own_why_${why}`]) || (r && r.own_rotas_note) || failed;
    if (!rotas.length) {
      t.appendChild(el("tr", { class: "own-none" }, said || ""));
      return;
    }
    const wide = String(days.length + 2);
    const h = el("tr", { class: "own-head" });
    h.appendChild(el("th", {}, W.dash_own_person));
    for (const d of days) {
      const wd = (new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7;  // Monday 0, as Python's
      h.appendChild(el("th", { "data-day": d }, `${d.slice(5, 10)} ${W[`dash_weekday_${wd}`] || ""}`.trim()));
    }
    h.appendChild(el("th", {}, W.dash_own_week));
    t.appendChild(h);
    const sep = T("、", ", ");
    for (const o of rotas) {
      const people = Array.isArray(o.people) ? o.people : [];
      const sworn = new Set(o.sworn || []);
      const shortDays = new Set(o.short_days || []);
      const units = (o.units || []).join(sep);
      const lh = el("tr", { class: "own-list", "data-units": units });
      lh.appendChild(el("th", { colspan: wide }, fill("dash_own_list", { units, n: people.length })));
      t.appendChild(lh);
      // each person's shifts by the day they start (the report's rule)
      const shifts = new Map();
      for (const d of o.duties || []) {
        const a = String(d.from || ""); let day = a.slice(0, 10);
        const early = days.length && day < days[0];
        if (early) day = days[0];
        const text = `${V("shift", d.shift)} ${early ? `${a.slice(5, 10)} ` : ""}${a.slice(11, 16)}–${clockEnd(d.to)}`;
        const k = `${d.person}|${day}`;
        if (!shifts.has(k)) shifts.set(k, []);
        shifts.get(k).push(text);
      }
      for (const p of people) {
        const isSworn = sworn.has(p);
        const tr = el("tr", { class: isSworn ? "own-person sworn" : "own-person", "data-person": p });
        tr.appendChild(el("th", isSworn ? { title: W.dash_own_sworn_hint } : {},
          isSworn ? fill("dash_own_sworn", { person: p }) : p));
        for (const d of days) {
          const on = shifts.get(`${p}|${d}`);
          const cls = [on ? "on" : "off", shortDays.has(d) ? "short" : ""].join(" ").trim();
          tr.appendChild(el("td", Object.assign({ class: cls, "data-day": d },
            shortDays.has(d) ? { title: W.dash_own_short_day } : {}), on ? on.join(" / ") : W.dash_own_off));
        }
        const wk = o.week_hours && o.week_hours[p];
        tr.appendChild(el("td", { class: "week" }, wk === undefined ? "" : String(wk)));
        t.appendChild(tr);
      }
      const parts = [];
      if (hoursOf(o.week_short_hours) > 0) parts.push(fill("dash_own_short", { h: hoursOf(o.week_short_hours) }));
      if (hoursOf(o.week_lead_short_hours) > 0) parts.push(fill("dash_own_lead_short", { h: hoursOf(o.week_lead_short_hours) }));
      if (hoursOf(o.short_hours) > 0) parts.push(fill("dash_own_short_here", { h: hoursOf(o.short_hours) }));
      if (hoursOf(o.lead_short_hours) > 0) parts.push(fill("dash_own_lead_short_here", { h: hoursOf(o.lead_short_hours) }));
      if (parts.length) {
        const sr = el("tr", { class: "own-short" });
        sr.appendChild(el("td", { colspan: wide }, parts.join(T("；", "; "))));
        t.appendChild(sr);
      }
    }
    const notes = [];
    if (rotas.some((o) => o.repeating_week)) notes.push(W.dash_own_repeating);
    if (said) notes.push(said);  // some lists stored without their rota
    for (const n of notes) {
      const nr = el("tr", { class: "own-note" });
      nr.appendChild(el("td", { colspan: wide }, n));
      t.appendChild(nr);
    }
  }
  let kpisDrawn = false;
  let plotly = null;
  function loadPlotly() {  // 4.8 MB: loaded when the KPI tab is first opened
    if (!plotly) {
      plotly = new Promise((resolve, reject) => {
        const s = el("script", { src: "/static/plotly/plotly.min.js" });
        s.onload = resolve; s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return plotly;
  }
  async function drawKpis() {
    if (kpisDrawn || !window.xunfang.planDoc) return;
    kpisDrawn = true;
    await loadPlotly();
    for (const id of ["kpi-chart", "ring-chart"]) Plotly.purge(id);  // another plan's
    const k = (await api(`/api/kpis/${boot.plan}`)).kpis;  // not in the map's planDoc
    if (k && k.plan) {
      const names = ["response_within_target", "visibility", "over_deployment", "static_within_target"];
      const series = [["plan", k.plan]].concat(Object.entries(k.baselines || {}));
      Plotly.newPlot("kpi-chart", series.map(([name, v]) => ({ type: "bar", name: V("series", name), x: names.map((n) => V("kpi", n)), y: names.map((n) => v[n]) })),
        { title: { text: T("方案与基线（仿真）", "Plan and baselines (simulated)") }, barmode: "group", yaxis: { tickformat: ".0%" }, paper_bgcolor: "#141c24", plot_bgcolor: "#141c24", font: { color: "#e6edf3" }, margin: { t: 40, l: 40, r: 10, b: 90 } },
        { displayModeBar: false, responsive: true });
    }
    if (slotStages) {
      Plotly.newPlot("ring-chart", [{ type: "scatter", mode: "lines+markers", x: slotStages.map((s) => s.start.slice(11)), y: slotStages.map((s) => s.share_within_target) }],
        { title: { text: T("各时段处置圈达标率", "Share within ring target by slot") }, yaxis: { range: [0, 1], tickformat: ".0%" }, paper_bgcolor: "#141c24", plot_bgcolor: "#141c24", font: { color: "#e6edf3" }, margin: { t: 40, l: 40, r: 10, b: 40 } },
        { displayModeBar: false, responsive: true });
    }
  }

  showBanner({ plan: boot.current, covers: boot.now_covers, time: boot.now_time });
  planControls();
  loadMap().then(async () => {
    setSlot(nowSlot);
    await Promise.all([loadSheet(), loadRoster(), refreshUnits(), refreshIncidents(), loadPlans()]);
    setSlot(nowSlot);
    listenAlerts();
    setInterval(() => refreshUnits().catch(() => {}), 10000);
    setInterval(() => recheck().catch(() => {}), 60000);
    window.xunfang.ready = true;
    document.body.dataset.ready = "1";
  }).catch((e) => { document.body.dataset.error = e.message; console.error(e); });
})();
