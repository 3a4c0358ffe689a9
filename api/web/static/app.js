// chainkg web UI: a hash router over three views, built only on the HTTP API under /api/v1.
//   #/map?chain=C&region=R[&product=P]   chain map (产业链全景图)
//   #/region?region=R                     region dashboard (区域看板)
//   #/entity/<id>                         entity page
import { api } from "./api.js";
import { dashboardView } from "./dashboard.js";
import { clearError, h, showError } from "./dom.js";
import { entityView } from "./entity.js";
import { applyStatic, getLang, setLang, t } from "./i18n.js";
import { mapView } from "./map.js";
import { setupSearch } from "./search.js";

const main = document.getElementById("main");
const chainSelect = document.getElementById("chain-select");
const regionSelect = document.getElementById("region-select");

const state = {
  chains: [],
  places: [],
  loadError: null, // why /chains or /places failed, if they did
  lastChain: () => localStorage.getItem("chainkg.chain"),
  lastRegion: () => localStorage.getItem("chainkg.region"),
};
let controller = null;
let a11yFocusPending = false; // a nav link was used: move focus to the new page's content

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/map";
  const [path, query = ""] = raw.split("?");
  return { path, params: new URLSearchParams(query) };
}

function hashFor(path, params) {
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
  return `#${path}${qs ? `?${qs}` : ""}`;
}

/** Change some parameters of the current view (null removes one); the router does the rest. */
function navigate(changes) {
  const { path, params } = parseHash();
  const next = Object.fromEntries(params);
  Object.assign(next, changes);
  location.hash = hashFor(path, next);
}

// Places as a tree (parents from /places), so 园区 appear under their city in the select.
function placeTree(places) {
  const ids = new Set(places.map((p) => p.id));
  const children = new Map();
  const roots = [];
  for (const p of places) {
    const parents = p.parents.filter((x) => ids.has(x));
    if (!parents.length) roots.push(p);
    for (const parent of parents) {
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(p);
    }
  }
  const out = [];
  const seen = new Set();
  const walk = (p, depth) => {
    if (seen.has(p.id)) return;
    seen.add(p.id);
    out.push({ ...p, depth });
    for (const c of children.get(p.id) ?? []) walk(c, depth + 1);
  };
  roots.forEach((r) => walk(r, 0));
  places.forEach((p) => walk(p, 0)); // places only reachable through a cycle
  return out;
}

function fillSelects() {
  chainSelect.replaceChildren(...state.chains.map((c) => h("option", { value: c.id }, getLang() === "en" && c.name_en ? c.name_en : c.name)));
  regionSelect.replaceChildren(
    ...state.places.map((p) =>
      // Ideographic spaces indent (ordinary ones collapse inside <option>).
      h("option", { value: p.id }, `${"\u3000".repeat(p.depth)}${p.name}${p.label === "Park" ? (getLang() === "en" ? " (park)" : "（园区）") : ""}`),
    ),
  );
}

function defaults() {
  const known = (list, id) => (id && list.some((x) => x.id === id) ? id : null);
  // Prefer the last choice, else the first chain and the first region below the top level (a city, not the province).
  // then the server's configured defaults (the bundled data opens on the Baiyin TDI chain).
  const chain = known(state.chains, state.lastChain()) ?? known(state.chains, state.config?.default_chain) ?? state.chains[0]?.id;
  const region =
    known(state.places, state.lastRegion()) ??
    known(state.places, state.config?.default_region) ??
    (state.places.find((p) => p.label === "Region" && p.depth > 0) ?? state.places.find((p) => p.label === "Region") ?? state.places[0])?.id;
  return { chain, region };
}

async function route() {
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  const { path, params } = parseHash();
  const view = path.split("/")[1] || "map";
  for (const a of document.querySelectorAll("[data-nav]")) a.toggleAttribute("aria-current", a.dataset.nav === view);
  if (a11yFocusPending) {
    main.focus({ preventScroll: true });
    a11yFocusPending = false;
  }
  const ctx = { signal, state, navigate };
  try {
    if (view === "entity") {
      document.getElementById("context").hidden = true;
      clearError();
      await entityView(main, decodeURIComponent(path.slice("/entity/".length)), ctx);
      return;
    }
    document.getElementById("context").hidden = false;
    document.getElementById("chain-field").hidden = view !== "map";
    const d = defaults();
    const region = params.get("region") || d.region;
    const chain = params.get("chain") || d.chain;
    if (view === "map" && (!chain || !region)) throw state.loadError ?? new Error(t(chain ? "err.noPlaces" : "err.noChains"));
    if (view === "region" && !region) throw state.loadError ?? new Error(t("err.noPlaces"));
    if (!params.get("region") || (view === "map" && !params.get("chain"))) {
      // Put the defaults in the URL so that it can be shared as it is.
      params.set("region", region);
      if (view === "map") params.set("chain", chain);
      history.replaceState(null, "", hashFor(`/${view}`, Object.fromEntries(params)));
    }
    chainSelect.value = chain;
    regionSelect.value = region;
    if (params.get("product") === null) clearError();
    if (view === "map") {
      localStorage.setItem("chainkg.chain", chain);
      localStorage.setItem("chainkg.region", region);
      await mapView(main, params, ctx);
    } else if (view === "region") {
      localStorage.setItem("chainkg.region", region);
      await dashboardView(main, params, ctx);
    } else {
      throw new Error(`unknown page ${path}`);
    }
  } catch (e) {
    if (e.name === "AbortError") return;
    // Never a blank page: the banner carries the API's message and the page says what failed.
    showError(e);
    main.replaceChildren(h("p", { class: "view-error" }, t("err.view", { msg: e.message })));
  }
}

function setupChrome() {
  applyStatic();
  document.getElementById("error-close").addEventListener("click", clearError);
  document.getElementById("lang-toggle").addEventListener("click", () => {
    setLang(getLang() === "en" ? "zh" : "en");
    fillSelects();
    route();
  });
  const large = document.getElementById("large-toggle");
  const applyLarge = (on) => {
    document.documentElement.classList.toggle("large", on);
    large.setAttribute("aria-pressed", String(on));
  };
  applyLarge(localStorage.getItem("chainkg.large") === "1");
  large.addEventListener("click", () => {
    const on = !document.documentElement.classList.contains("large");
    localStorage.setItem("chainkg.large", on ? "1" : "0");
    applyLarge(on);
    route(); // the map lays out in ems: lay it out again
  });
  chainSelect.addEventListener("change", () => {
    location.hash = hashFor("/map", { chain: chainSelect.value, region: regionSelect.value });
  });
  regionSelect.addEventListener("change", () => {
    const { path, params } = parseHash();
    const view = path.split("/")[1] === "region" ? "region" : "map";
    location.hash = hashFor(`/${view}`, view === "map" ? { chain: params.get("chain") || chainSelect.value, region: regionSelect.value } : { region: regionSelect.value });
  });
  for (const a of document.querySelectorAll("[data-nav]")) {
    // Nav links keep the current region (and chain) instead of resetting them.
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      a11yFocusPending = true;
      const params = { region: regionSelect.value || null };
      if (a.dataset.nav === "map") params.chain = chainSelect.value || null;
      location.hash = hashFor(`/${a.dataset.nav}`, params);
    });
  }
  setupSearch();
}

async function start() {
  setupChrome();
  try {
    const [chains, places, config] = await Promise.all([
      api("/chains", { limit: 1000 }),
      api("/places", { limit: 1000 }),
      api("/config"),
    ]);
    state.config = config;
    state.chains = chains.items;
    state.places = placeTree(places.items);
    fillSelects();
  } catch (e) {
    state.loadError = e;
    showError(e);
  }
  window.addEventListener("hashchange", route);
  await route();
}

start();
