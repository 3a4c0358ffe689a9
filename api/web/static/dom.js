// Small DOM helpers shared by the views. Text always goes in as text nodes (no innerHTML with data).
import { t } from "./i18n.js";

/** h("a", {href: "#"}, "text", child...) → element. `on*` attributes take listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Status: colour, icon and border style together, so colour is never the only cue.
export const STATUSES = ["strong", "weak", "missing", "broken"];
export const STATUS_ICON = { strong: "●", weak: "◐", missing: "○", broken: "⊘" };

export function statusBadge(status) {
  return h(
    "span",
    { class: `badge st-${status}`, title: t(`status.${status}.help`) },
    h("span", { class: "icon", "aria-hidden": "true" }, STATUS_ICON[status] ?? "?"),
    t(`status.${status}`),
  );
}

export function pct(x) {
  return `${Math.round((x ?? 0) * 100)}%`;
}

/** A labelled horizontal bar for a fraction in [0, 1]. */
export function bar(label, value, extra = "") {
  return h(
    "div",
    { class: "bar-row" },
    h("span", { class: "bar-label" }, label),
    h(
      "span",
      { class: "bar", role: "meter", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": Math.round(value * 100), "aria-label": label },
      h("span", { class: "bar-fill", style: { width: pct(value) } }),
    ),
    h("span", { class: "bar-value" }, pct(value), extra ? ` · ${extra}` : ""),
  );
}

export function entityHref(id) {
  return `#/entity/${encodeURIComponent(id)}`;
}

export function entityLink(node) {
  return h("a", { href: entityHref(node.id) }, node.name ?? node.id);
}

export function loading() {
  return h("p", { class: "loading", role: "status" }, t("loading"));
}

// ---- the error banner: every failed fetch ends up here with the API's own message ----

export function showError(err) {
  if (err?.name === "AbortError") return;
  const banner = document.getElementById("error-banner");
  const text = document.getElementById("error-text");
  const where = err?.status ? ` (HTTP ${err.status}${err.code ? `, ${err.code}` : ""})` : "";
  text.replaceChildren(h("strong", {}, t("err.title")), `${err?.message ?? err}${where}`);
  banner.hidden = false;
}

export function clearError() {
  document.getElementById("error-banner").hidden = true;
}
