// 区域看板: every chain's completeness in one region or park, its gaps by kind, and the best
// investment targets across chains, exportable as CSV (built here from the /targets JSON).
import { api, mapLimit } from "./api.js";
import { STATUSES, bar, entityLink, h, loading, showError, statusBadge } from "./dom.js";
import { t } from "./i18n.js";
import { reasonText } from "./map.js";

const TOP = 30;
const PER_CHAIN = 20;

export async function dashboardView(main, params, { signal, state }) {
  const region = params.get("region");
  const place = state.places.find((p) => p.id === region);
  main.replaceChildren(loading());
  // One /gaps and one /targets per chain, three at a time; a failing chain shows its error and the rest go on.
  const rows = await mapLimit(state.chains, 3, async (chain) => {
    const [gaps, targets] = await Promise.all([
      api("/gaps", { chain: chain.id, region }, { signal }).catch((e) => e),
      api("/targets", { chain: chain.id, region, limit: PER_CHAIN }, { signal }).catch((e) => e),
    ]);
    return { chain, gaps, targets };
  });
  for (const r of rows) {
    for (const res of [r.gaps, r.targets]) {
      if (res instanceof Error) {
        if (res.name === "AbortError") throw res;
        showError(res);
      }
    }
  }
  const candidates = rows
    .filter((r) => !(r.targets instanceof Error))
    .flatMap((r) => r.targets.candidates.map((c) => ({ ...c, chain: r.chain })))
    .sort((a, b) => b.score - a.score);

  const chainTable = h(
    "table",
    { class: "dash-chains" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("dash.chainCol")), h("th", { scope: "col" }, t("completeness")),
      STATUSES.map((s) => h("th", { scope: "col" }, statusBadge(s))))),
    h("tbody", {}, rows.map((r) => {
      const href = `#/map?chain=${encodeURIComponent(r.chain.id)}&region=${encodeURIComponent(region)}`;
      if (r.gaps instanceof Error) {
        return h("tr", {}, h("th", { scope: "row" }, h("a", { href }, r.chain.name)), h("td", { colspan: 5, class: "muted" }, r.gaps.message));
      }
      const by = Object.fromEntries(STATUSES.map((s) => [s, r.gaps.products.filter((p) => p.status === s).length]));
      return h("tr", { dataset: { chain: r.chain.id } },
        h("th", { scope: "row" }, h("a", { href, title: t("dash.openMap") }, r.chain.name)),
        h("td", {}, bar(r.chain.name, r.gaps.completeness.overall, t("covered", r.gaps.completeness))),
        STATUSES.map((s) => h("td", { class: "num", dataset: { status: s } }, by[s])));
    })),
    h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, t("dash.total")), h("td", {}),
      STATUSES.map((s) => h("td", { class: "num", dataset: { total: s } },
        rows.reduce((n, r) => n + (r.gaps instanceof Error ? 0 : r.gaps.products.filter((p) => p.status === s).length), 0))))),
  );

  const exportBtn = h("button", { type: "button", class: "primary", disabled: !candidates.length, onclick: () => downloadCsv(candidates, place?.name ?? region) }, t("dash.export"));
  const targetTable = candidates.length
    ? h("table", { class: "dash-targets" },
        h("thead", {}, h("tr", {}, [t("dash.rank"), t("dash.enterpriseCol"), t("dash.productCol"), t("dash.chainCol"), t("score"), t("dash.reasonCol")].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, candidates.slice(0, TOP).map((c, i) => h("tr", {},
          h("td", { class: "num" }, i + 1),
          h("td", {}, entityLink(c.enterprise)),
          h("td", {}, c.product.name, " ", statusBadge(c.product.status)),
          h("td", {}, c.chain.name),
          h("td", { class: "num" }, c.score.toFixed(2)),
          h("td", { class: "reason" }, reasonText(c))))))
    : h("p", { class: "muted" }, t("dash.noTargets"));

  main.replaceChildren(
    h("div", { class: "dashboard" },
      h("h1", {}, t("dash.title", { region: place?.name ?? region })),
      h("section", {}, h("h2", {}, t("dash.chains")), h("div", { class: "table-wrap" }, chainTable)),
      h("section", {}, h("div", { class: "section-head" }, h("h2", {}, t("dash.targets")), exportBtn), h("div", { class: "table-wrap" }, targetTable)),
    ),
  );
}

function csvCell(v) {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function targetsCsv(candidates) {
  const head = ["chain_id", "chain", "product_id", "product", "status", "enterprise_id", "enterprise", "score", "reason_zh"];
  const lines = candidates.map((c) =>
    [c.chain.id, c.chain.name, c.product.id, c.product.name, c.product.status, c.enterprise.id, c.enterprise.name, c.score, c.reason_zh].map(csvCell).join(","),
  );
  return [head.join(","), ...lines].join("\r\n") + "\r\n";
}

function downloadCsv(candidates, placeName) {
  // The BOM makes Excel read the Chinese text as UTF-8.
  const blob = new Blob(["\ufeff", targetsCsv(candidates)], { type: "text/csv;charset=utf-8" });
  const a = h("a", { href: URL.createObjectURL(blob), download: `chainkg-targets-${placeName}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
