// Entity page (#/entity/<id>): properties with their provenance, neighbours grouped by relation.
import { api } from "./api.js";
import { entityLink, h, loading, showError } from "./dom.js";
import { relationLabel, t } from "./i18n.js";

const PROVENANCE = ["source", "evidence", "confidence", "status", "updated_at", "valid_from", "valid_to"];
const PAGE = 100;

export async function entityView(main, id, { signal, state }) {
  main.replaceChildren(loading());
  const ent = await api(`/entities/${encodeURIComponent(id)}`, { limit: PAGE }, { signal });
  const props = ent.properties;
  const items = [...ent.neighbours.items];

  const propRows = (keys) =>
    h("tbody", {}, keys.map((k) => h("tr", { dataset: { prop: k } }, h("th", { scope: "row" }, k), h("td", {}, format(props[k])))));
  const plain = Object.keys(props).filter((k) => !PROVENANCE.includes(k) && k !== "id").sort();
  const groups = h("div", { class: "neighbour-groups" });
  const more = h("button", { type: "button", onclick: () => loadMore().catch(showError) }, t("entity.more"));

  function renderGroups() {
    // One list per relation type and direction, e.g. "PRODUCES ←" = who makes this product.
    const byKey = new Map();
    for (const it of items) {
      const key = `${it.type}|${it.direction}`;
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key).push(it);
    }
    groups.replaceChildren(
      ...(items.length ? [] : [h("p", { class: "muted" }, t("entity.none"))]),
      ...[...byKey].map(([key, list]) => {
        const [type, direction] = key.split("|");
        return h("section", { class: "neighbour-group", dataset: { type, direction } },
          h("h3", {}, `${relationLabel(type, direction)} `, h("code", {}, `${direction === "in" ? "←" : "→"} ${type}`), ` (${list.length})`),
          h("ul", {}, list.map((it) => h("li", {},
            entityLink(it.node), h("span", { class: "tag" }, it.node.label),
            h("span", { class: "muted" }, ` ${t("source")} ${it.properties.source ?? "—"} · ${t("confidence")} ${it.properties.confidence ?? "—"} · ${it.properties.status ?? "—"}`),
            it.properties.evidence ? h("q", { class: "evidence-text" }, it.properties.evidence) : null))));
      }),
    );
    more.hidden = items.length >= ent.neighbours.total;
  }

  async function loadMore() {
    more.disabled = true;
    const page = await api(`/entities/${encodeURIComponent(id)}`, { limit: PAGE, offset: items.length }, { signal }).finally(() => {
      more.disabled = false;
    });
    items.push(...page.neighbours.items);
    renderGroups();
  }

  // Shortcuts into the other views where this entity is a chain or a place.
  const links = [];
  const region = state.lastRegion();
  if (ent.label === "Chain") links.push(h("a", { href: `#/map?chain=${encodeURIComponent(id)}&region=${encodeURIComponent(region ?? "")}` }, t("entity.openMap")));
  if (ent.label === "Product") {
    // A product is shown on the map of each chain it is IN_CHAIN (first page of neighbours).
    for (const it of items.filter((x) => x.type === "IN_CHAIN" && x.direction === "out")) {
      const q = new URLSearchParams({ chain: it.node.id, region: region ?? "", product: id });
      links.push(h("a", { href: `#/map?${q}` }, `${t("entity.openMap")}（${it.node.name}）`));
    }
  }
  if (ent.label === "Region" || ent.label === "Park") {
    links.push(h("a", { href: `#/region?region=${encodeURIComponent(id)}` }, t("entity.openDash")));
    const chain = state.lastChain();
    if (chain) links.push(h("a", { href: `#/map?chain=${encodeURIComponent(chain)}&region=${encodeURIComponent(id)}` }, t("entity.openMap")));
  }

  renderGroups();
  main.replaceChildren(
    h("article", { class: "entity", dataset: { id } },
      h("h1", {}, props.name ?? id, " ", h("span", { class: "tag" }, ent.label)),
      h("p", { class: "muted" }, h("code", {}, id), props.name_en ? ` · ${props.name_en}` : "", ...links.flatMap((a) => [" · ", a])),
      h("div", { class: "entity-cols" },
        h("section", {}, h("h2", {}, t("entity.properties")), h("table", { class: "props" }, propRows(plain)),
          h("h2", {}, t("entity.provenance")), h("table", { class: "props provenance" }, propRows(PROVENANCE.filter((k) => k in props)))),
        h("section", {}, h("h2", {}, t("entity.neighbours", { total: ent.neighbours.total })), groups, more),
      ),
    ),
  );
}

function format(v) {
  if (v === null || v === undefined || v === "") return "—";
  if (Array.isArray(v)) return v.length ? v.join("、") : "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
