// 产业链全景图: the chain's products in stage columns (上游 → 中游 → 下游), coloured by gap status,
// from /gaps; a side panel per product with local producers, /targets candidates and /entities evidence.
import dagre from "/vendor/@dagrejs/dagre/dagre.esm.js";
import { api } from "./api.js";
import { STATUSES, STATUS_ICON, bar, entityHref, entityLink, h, loading, pct, showError, statusBadge } from "./dom.js";
import { getLang, relationLabel, t } from "./i18n.js";

const STAGE_ORDER = ["上游", "中游", "下游"];
const TARGET_LIMIT = 200; // the API's maximum: enough for every gap of a normal chain
const MAX_EXTENSIONS = 12;

// The map currently shown, so that selecting a product (a hash change) does not reload it.
let current = null;

export function stageName(stage) {
  return STAGE_ORDER.includes(stage) ? t(`stage.${stage}`) : stage || "?";
}

function stagesOf(products) {
  const found = [...new Set(products.map((p) => p.stage))];
  return found.sort((a, b) => rank(a) - rank(b));
}

function rank(stage) {
  const i = STAGE_ORDER.indexOf(stage);
  return i < 0 ? STAGE_ORDER.length : i;
}

/**
 * Ranks (columns) for the layout: each stage gets its own run of columns, in stage order, and
 * inside a stage a product sits right of its inputs from the same stage (longest path; an edge
 * closing a cycle is ignored). Computing ranks here instead of dagre's network simplex keeps the
 * stages apart and is several times faster on a 300-product chain.
 */
export function rankProducts(products) {
  const byId = new Map(products.map((p) => [p.id, p]));
  const depth = new Map();
  const onStack = new Set();
  const depthOf = (p) => {
    if (depth.has(p.id)) return depth.get(p.id);
    if (onStack.has(p.id)) return -1; // a cycle: this edge does not count
    onStack.add(p.id);
    let d = 0;
    for (const u of p.upstream) {
      const q = byId.get(u);
      if (q && q !== p && q.stage === p.stage) d = Math.max(d, depthOf(q) + 1);
    }
    onStack.delete(p.id);
    depth.set(p.id, d);
    return d;
  };
  const stages = stagesOf(products);
  const ranks = new Map();
  let base = 0;
  for (const stage of stages) {
    const members = products.filter((p) => p.stage === stage);
    let deepest = 0;
    for (const p of members) {
      const d = depthOf(p);
      ranks.set(p.id, base + d);
      deepest = Math.max(deepest, d);
    }
    base += deepest + 1;
  }
  return { ranks, stages };
}

// A dagre ranker that applies our ranks. dagre ranks its internal graph, where edges may ask for
// more than one rank (it doubles minlen to make room for edge dummies) and a nesting root node
// must come first: scale our ranks by the largest minlen and put everything else before them.
function fixedRanker(ranks) {
  return (ig) => {
    const lens = ig.edges().filter((e) => ranks.has(e.v) && ranks.has(e.w)).map((e) => ig.edge(e).minlen ?? 1);
    const k = Math.max(1, ...lens);
    for (const v of ig.nodes()) ig.node(v).rank = ranks.has(v) ? k * ranks.get(v) : -1;
  };
}

/** Positions from dagre (left → right) on the ranks of rankProducts. */
export function layoutChain(products, em) {
  const { ranks, stages } = rankProducts(products);
  const g = new dagre.graphlib.Graph({ multigraph: true }); // multigraph: a 2-cycle keeps both edges
  g.setGraph({ rankdir: "LR", ranker: fixedRanker(ranks), nodesep: 0.7 * em, ranksep: 4 * em, edgesep: 0.3 * em, marginx: em, marginy: 3 * em });
  g.setDefaultEdgeLabel(() => ({}));
  for (const p of products) g.setNode(p.id, { width: 10 * em, height: 2.7 * em });
  const edges = [];
  for (const p of products) {
    for (const u of p.upstream) {
      if (!ranks.has(u) || u === p.id) continue;
      // dagre needs every edge to go rightwards: one that goes back (a cycle, or a 下游 product
      // feeding an 上游 one) is laid out reversed and drawn with its points reversed.
      const back = ranks.get(u) >= ranks.get(p.id);
      const name = `${u}>${p.id}`;
      if (g.hasEdge(back ? p.id : u, back ? u : p.id, name)) continue; // listed twice
      g.setEdge(back ? p.id : u, back ? u : p.id, {}, name);
      edges.push({ from: u, to: p.id, back, name });
    }
  }
  dagre.layout(g);
  return {
    width: g.graph().width,
    height: g.graph().height,
    nodes: new Map(products.map((p) => [p.id, g.node(p.id)])),
    edges: edges.map((e) => {
      const points = g.edge(e.back ? e.to : e.from, e.back ? e.from : e.to, e.name).points;
      return { ...e, points: e.back ? [...points].reverse() : points };
    }),
    stages,
  };
}

function edgePath(points) {
  // Smooth left-to-right curve through dagre's points.
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const mx = (a.x + b.x) / 2;
    d += ` C${mx},${a.y} ${mx},${b.y} ${b.x},${b.y}`;
  }
  return d;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

export async function mapView(main, params, { signal, navigate }) {
  const chain = params.get("chain");
  const region = params.get("region");
  const product = params.get("product");
  const key = `${chain}|${region}|${getLang()}|${document.documentElement.className}`;
  if (current && current.key === key && main.contains(current.root)) {
    current.select(product);
    return;
  }
  current = null;
  main.replaceChildren(loading());
  const t0 = performance.now();
  // Targets feed the side panel only: the map is still useful without them.
  const targetsP = api("/targets", { chain, region, limit: TARGET_LIMIT }, { signal }).catch((e) => {
    showError(e);
    return null;
  });
  const gaps = await api("/gaps", { chain, region }, { signal });
  const view = buildMap(gaps, navigate);
  view.key = key;
  main.replaceChildren(view.root);
  view.fitWidth();
  current = view;
  view.select(product);
  // Mark the first paint of the map for tests and benchmarks/ui_render.py: the second animation
  // frame starts once the first one, with the map in it, has been painted.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      performance.mark("chainkg:map-rendered");
      view.canvas.dataset.ready = "1";
      view.canvas.dataset.renderMs = String(Math.round(performance.now() - t0));
    }),
  );
  view.setTargets(await targetsP);
}

function buildMap(gaps, navigate) {
  const products = gaps.products;
  const byId = new Map(products.map((p) => [p.id, p]));
  const counts = Object.fromEntries(STATUSES.map((s) => [s, products.filter((p) => p.status === s).length]));
  const em = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  let targets = null;
  let selected = null;
  let zoom = 1;

  const c = gaps.completeness;
  const summary = h(
    "section",
    { class: "summary", "aria-label": t("completeness") },
    h(
      "div",
      { class: "bars" },
      bar(`${t("completeness")} · ${t("overall")}`, c.overall, t("covered", c)),
      ...STAGE_ORDER.filter((s) => s in c.by_stage).map((s) => bar(stageName(s), c.by_stage[s])),
    ),
    h(
      "ul",
      { class: "legend", "aria-label": t("legend") },
      STATUSES.map((s) =>
        h("li", { class: `legend-item st-${s}`, title: t(`status.${s}.help`), dataset: { status: s } },
          h("span", { class: "swatch", "aria-hidden": "true" }, STATUS_ICON[s]),
          `${t(`status.${s}`)} `,
          h("span", { class: "legend-count" }, counts[s]),
        ),
      ),
    ),
    gaps.extensions?.length
      ? h("p", { class: "extensions" }, `${t("extensions")}：`,
          gaps.extensions.slice(0, MAX_EXTENSIONS).flatMap((x, i) => [i ? "、" : "", h("a", { href: entityHref(x.id) }, x.name)]),
          gaps.extensions.length > MAX_EXTENSIONS ? ` … (${gaps.extensions.length})` : "")
      : null,
  );

  const canvas = h("div", { class: "map-canvas", id: "map", role: "group", "aria-label": t("map.label", { chain: gaps.chain.name, region: gaps.region.name }) });
  const viewport = h("div", { class: "map-viewport" }, canvas);
  const panel = h("aside", { class: "panel", id: "panel", "aria-label": t("panel.label") });
  const zoomBy = (f) => setZoom(zoom * f);
  const tools = h(
    "div",
    { class: "map-tools" },
    h("button", { type: "button", onclick: () => zoomBy(1 / 1.25), "aria-label": t("zoom.out"), title: t("zoom.out") }, "−"),
    h("button", { type: "button", onclick: () => zoomBy(1.25), "aria-label": t("zoom.in"), title: t("zoom.in") }, "+"),
    h("button", { type: "button", onclick: () => fitAll(), title: t("zoom.fit") }, t("zoom.fit")),
  );
  const root = h("div", { class: "map-view" }, summary, h("div", { class: "map-wrap" }, h("div", { class: "map-area" }, tools, viewport), panel));
  // The panel always takes its place (a hint when nothing is selected), so the map keeps its width.
  const hint = () => panel.replaceChildren(h("p", { class: "muted hint" }, t("panel.hint")));

  if (!products.length) {
    canvas.append(h("p", { class: "empty" }, t("map.empty")));
  } else {
    drawMap();
  }

  function drawMap() {
    const t1 = performance.now();
    const lay = layoutChain(products, em);
    canvas.dataset.layoutMs = String(Math.round(performance.now() - t1));
    canvas.style.width = `${lay.width}px`;
    canvas.style.height = `${lay.height}px`;
    // Stage bands behind everything, headed by stage name and completeness.
    for (const stage of lay.stages) {
      const xs = products.filter((p) => p.stage === stage).map((p) => lay.nodes.get(p.id));
      const left = Math.min(...xs.map((n) => n.x - n.width / 2)) - em * 0.8;
      const right = Math.max(...xs.map((n) => n.x + n.width / 2)) + em * 0.8;
      const share = c.by_stage?.[stage];
      canvas.append(
        h("div", { class: "band", style: { left: `${left}px`, width: `${right - left}px`, height: `${lay.height}px` } },
          h("div", { class: "band-head" }, stageName(stage), share === undefined ? "" : ` · ${pct(share)}`)),
      );
    }
    const edgeLayer = svg("svg", { class: "edges", width: lay.width, height: lay.height, "aria-hidden": "true" });
    const defs = svg("defs");
    const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }));
    defs.append(marker);
    edgeLayer.append(defs);
    for (const e of lay.edges) {
      edgeLayer.append(svg("path", { d: edgePath(e.points), class: "edge", "data-from": e.from, "data-to": e.to, "marker-end": "url(#arrow)" }));
    }
    canvas.append(edgeLayer);
    // Products are buttons: focusable, Enter/Space activate, and readable by screen readers.
    for (const p of products) {
      const n = lay.nodes.get(p.id);
      const count = p.local_producers.length;
      canvas.append(
        h("button", {
          type: "button",
          class: `node st-${p.status}`,
          dataset: { id: p.id, status: p.status, stage: p.stage },
          style: { left: `${n.x - n.width / 2}px`, top: `${n.y - n.height / 2}px`, width: `${n.width}px`, height: `${n.height}px` },
          title: `${p.name} · ${t(`status.${p.status}`)} · ${t("localCount", { n: count })}`,
          "aria-label": `${p.name}，${t(`status.${p.status}`)}，${t("localCount", { n: count })}`,
          onclick: () => navigate({ product: p.id }),
        },
          h("span", { class: "icon", "aria-hidden": "true" }, STATUS_ICON[p.status]),
          h("span", { class: "name" }, p.name),
          h("span", { class: "count", "aria-hidden": "true" }, count),
        ),
      );
    }
  }

  function setZoom(z) {
    zoom = Math.min(2, Math.max(0.1, z));
    canvas.style.zoom = zoom; // CSS zoom keeps scroll sizes right, unlike transform
  }
  function fitWidth() {
    // Shrink a wide map to the window, but not below 75%, and not at all in large-text mode
    // (projector): text must stay readable. The rest scrolls; "fit" shows the whole map on demand.
    if (!products.length) return;
    const w = parseFloat(canvas.style.width);
    const floor = document.documentElement.classList.contains("large") ? 1 : 0.75;
    setZoom(Math.max(floor, Math.min(1, (viewport.clientWidth - 4) / w)));
  }
  function fitAll() {
    const w = parseFloat(canvas.style.width);
    const ht = parseFloat(canvas.style.height);
    setZoom(Math.min(1, (viewport.clientWidth - 4) / w, (viewport.clientHeight - 4) / ht));
  }

  function nodeEl(id) {
    return canvas.querySelector(`.node[data-id="${CSS.escape(id)}"]`);
  }

  function select(id) {
    for (const el of canvas.querySelectorAll(".selected, .related")) {
      el.classList.remove("selected", "related");
      el.removeAttribute("aria-current");
    }
    const p = id ? byId.get(id) : null;
    selected = p ?? null;
    if (!p) {
      hint();
      return;
    }
    const el = nodeEl(p.id);
    el?.classList.add("selected");
    el?.setAttribute("aria-current", "true");
    for (const path of canvas.querySelectorAll(`.edge[data-from="${CSS.escape(p.id)}"], .edge[data-to="${CSS.escape(p.id)}"]`)) {
      path.classList.add("related");
      nodeEl(path.dataset.from === p.id ? path.dataset.to : path.dataset.from)?.classList.add("related");
    }
    el?.scrollIntoView({ block: "nearest", inline: "nearest" });
    renderPanel(p);
  }

  function renderPanel(p) {
    const heading = h("h2", { tabindex: "-1" }, p.name);
    const close = h("button", { type: "button", class: "close", "aria-label": t("close"), onclick: () => navigate({ product: null }) }, "✕");
    const link = (id) => {
      const q = byId.get(id);
      return q
        ? h("button", { type: "button", class: `chip st-${q.status}`, onclick: () => navigate({ product: id }) },
            h("span", { class: "icon", "aria-hidden": "true" }, STATUS_ICON[q.status]), q.name)
        : h("a", { href: entityHref(id), class: "chip" }, id);
    };
    const evidence = h("section", { class: "evidence" }, h("h3", {}, t("panel.evidence")), loading());
    panel.replaceChildren(
      h("div", { class: "panel-head" }, heading, close),
      h("p", { class: "panel-meta" }, statusBadge(p.status), ` ${stageName(p.stage)} · `, h("a", { href: entityHref(p.id) }, t("panel.entity"))),
      h("section", { class: "local" }, h("h3", {}, `${t("panel.local")}（${p.local_producers.length}）`),
        p.local_producers.length
          ? h("ul", {}, p.local_producers.map((e) => h("li", {}, entityLink(e), e.group ? h("span", { class: "muted" }, ` · ${t("group")} ${e.group}`) : "")))
          : h("p", { class: "muted" }, t("panel.noLocal"))),
      h("section", { class: "candidates" }, h("h3", {}, t("panel.candidates")), candidatesFor(p)),
      p.upstream.length ? h("section", {}, h("h3", {}, t("panel.upstream")), h("p", { class: "chips" }, p.upstream.map(link))) : null,
      p.downstream.length ? h("section", {}, h("h3", {}, t("panel.downstream")), h("p", { class: "chips" }, p.downstream.map(link))) : null,
      evidence,
    );
    panel.onkeydown = (ev) => {
      if (ev.key === "Escape") {
        navigate({ product: null });
        nodeEl(p.id)?.focus();
      }
    };
    panel.scrollTop = 0;
    heading.focus({ preventScroll: true });
    api(`/entities/${encodeURIComponent(p.id)}`, { limit: 100 })
      .then((ent) => {
        if (selected === p) evidence.replaceChildren(h("h3", {}, t("panel.evidence")), evidenceList(ent));
      })
      .catch((e) => {
        showError(e);
        evidence.replaceChildren(h("h3", {}, t("panel.evidence")), h("p", { class: "muted" }, e.message));
      });
  }

  function candidatesFor(p) {
    if (p.status === "strong") return h("p", { class: "muted" }, t("panel.notGap"));
    if (!targets) return loading();
    const mine = targets.candidates.filter((x) => x.product.id === p.id);
    const note = targets.total > targets.candidates.length ? h("p", { class: "muted" }, t("panel.moreCandidates", { n: targets.candidates.length })) : null;
    if (!mine.length) return h("div", {}, h("p", { class: "muted" }, t("panel.noCandidates")), note);
    return h("div", {}, h("ol", { class: "cand-list" }, mine.map(candidateItem)), note);
  }

  return {
    root,
    canvas,
    select,
    fitWidth,
    key: null,
    setTargets(tg) {
      targets = tg;
      if (selected) {
        const box = panel.querySelector(".candidates");
        box?.replaceChildren(h("h3", {}, t("panel.candidates")), candidatesFor(selected));
      }
    },
  };
}

export function candidateItem(c) {
  return h(
    "li",
    { class: "cand", dataset: { enterprise: c.enterprise.id } },
    h("div", { class: "cand-head" }, entityLink(c.enterprise), h("span", { class: "score" }, `${t("score")} ${c.score.toFixed(2)}`)),
    h("p", { class: "reason" }, reasonText(c)),
    h(
      "details",
      {},
      h("summary", {}, t("components")),
      h("table", { class: "components" },
        h("tbody", {}, Object.entries(c.components).map(([k, v]) =>
          h("tr", {}, h("th", { scope: "row" }, t(`comp.${k}`)), h("td", {}, String(v.value)), h("td", { class: "num" }, `+${v.points}`))))),
      h("p", { class: "path" }, `${t("path")}：`, c.path.map((step) => (typeof step === "string" ? ` —${step}→ ` : entityLink(step)))),
    ),
  );
}

/** reason_zh as given; in English, the same facts from the structured `reasons`. */
export function reasonText(c) {
  if (getLang() !== "en") return c.reason_zh;
  const parts = [`${c.enterprise.name} (outside) makes ${c.product.name}, a ${t(`status.${c.product.status}`).toLowerCase()} link here`];
  const links = c.components.supply_links.value;
  const other = c.components.other_gaps.value;
  if (links) parts.push(`trades with ${links} local enterprise${links > 1 ? "s" : ""}`);
  if (other) parts.push(`also fills ${other} other gap${other > 1 ? "s" : ""}`);
  const size = c.reasons.find((r) => r.kind === "size");
  if (size?.employees != null) parts.push(`${size.employees} employees`);
  if (size?.revenue_million_cny != null) parts.push(`revenue ${size.revenue_million_cny} M CNY`);
  return `${parts.join("; ")}.`;
}

// The product's edges with their provenance: where each fact comes from and how sure it is.
const EDGE_ORDER = ["PRODUCES", "UPSTREAM_OF", "IN_CHAIN"];
export function evidenceList(ent) {
  const order = (type) => (EDGE_ORDER.indexOf(type) + 1 || 99);
  const items = [...ent.neighbours.items].sort((a, b) => order(a.type) - order(b.type));
  const own = ent.properties;
  const facts = (p) => `${t("source")} ${p.source ?? "—"} · ${t("confidence")} ${p.confidence ?? "—"} · ${t("factStatus")} ${p.status ?? "—"}`;
  return h(
    "div",
    {},
    h("p", { class: "muted" }, `${t("panel.self")}：${facts(own)}`),
    h("ul", { class: "provenance" },
      items.map((it) =>
        h("li", { dataset: { type: it.type, node: it.node.id } },
          h("span", { class: "rel" }, relationLabel(it.type, it.direction)), " ", entityLink(it.node),
          h("div", { class: "muted facts" }, facts(it.properties)),
          it.properties.evidence ? h("q", { class: "evidence-text" }, it.properties.evidence) : null,
        ),
      ),
    ),
    ent.neighbours.total > items.length ? h("p", {}, h("a", { href: entityHref(ent.id) }, `${t("panel.entity")} (${ent.neighbours.total})`)) : null,
  );
}
