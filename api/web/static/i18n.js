// UI chrome in Chinese (default) and English. Data (names, reason_zh) stays as the API gives it.

const STRINGS = {
  zh: {
    skip: "跳到主要内容",
    brand: "产业链图谱",
    "nav.map": "产业链全景图",
    "nav.region": "区域看板",
    "search.label": "搜索",
    "search.placeholder": "搜索企业、产品、园区…",
    "search.none": "没有匹配的结果",
    "large.title": "大字体（投影）",
    close: "关闭",
    chain: "产业链",
    region: "区域 / 园区",
    loading: "加载中…",
    "err.title": "出错了：",
    "err.network": "无法连接服务器",
    "err.view": "无法显示此页面：{msg}",
    "err.noChains": "图谱中还没有产业链。请先导入数据（chainkg load）。",
    "err.noPlaces": "图谱中还没有区域或园区。",
    "status.strong": "强链",
    "status.weak": "弱链",
    "status.missing": "缺链",
    "status.broken": "断链",
    "status.strong.help": "两家及以上、不同集团的本地企业",
    "status.weak.help": "仅一家本地企业，或同属一个集团",
    "status.missing.help": "本地没有企业生产",
    "status.broken.help": "本地缺失，但其上下游本地都有",
    "stage.上游": "上游",
    "stage.中游": "中游",
    "stage.下游": "下游",
    legend: "图例",
    completeness: "完整度",
    overall: "整体",
    covered: "{covered}/{products} 个环节本地有企业",
    localCount: "本地企业 {n} 家",
    extensions: "延链机会",
    "zoom.in": "放大",
    "zoom.out": "缩小",
    "zoom.fit": "适应窗口",
    "map.empty": "这条产业链还没有产品。",
    "map.label": "{chain}在{region}的产业链全景图",
    "panel.local": "本地企业",
    "panel.label": "产品详情",
    "panel.hint": "点击（或用 Tab 选中后按回车）图中的产品，查看本地企业、区外招商候选和证据来源。",
    "panel.self": "产品本身",
    "panel.noLocal": "本地没有企业生产该产品。",
    "panel.candidates": "区外招商候选",
    "panel.noCandidates": "没有已知的区外生产企业。",
    "panel.notGap": "强链环节，不需要招商补链。",
    "panel.moreCandidates": "仅显示得分最高的 {n} 个候选中属于本环节的部分。",
    "panel.upstream": "上游投入",
    "panel.downstream": "下游产品",
    "panel.evidence": "证据与来源",
    "panel.entity": "打开实体详情",
    score: "得分",
    components: "得分构成",
    path: "图谱路径",
    "comp.produces": "生产该产品",
    "comp.gap": "缺口严重度",
    "comp.supply_links": "与本地企业的供应往来",
    "comp.other_gaps": "还能补的其他缺口",
    "comp.confidence": "事实可信度",
    "comp.size": "企业规模",
    relation: "关系",
    node: "节点",
    source: "来源",
    evidence: "证据",
    confidence: "可信度",
    factStatus: "状态",
    updated: "更新时间",
    group: "集团",
    "dash.title": "{region} · 区域看板",
    "dash.chains": "各产业链完整度",
    "dash.gaps": "缺口数量",
    "dash.targets": "重点招商目标",
    "dash.export": "导出招商目标 CSV",
    "dash.noTargets": "没有招商候选。",
    "dash.chainCol": "产业链",
    "dash.productCol": "产品",
    "dash.enterpriseCol": "企业",
    "dash.reasonCol": "理由",
    "dash.rank": "排名",
    "dash.total": "合计",
    "dash.openMap": "查看全景图",
    "entity.properties": "属性",
    "entity.provenance": "来源与证据",
    "entity.neighbours": "关联节点（{total}）",
    "entity.more": "加载更多",
    "entity.openMap": "在全景图中查看",
    "entity.openDash": "区域看板",
    "entity.none": "没有关联节点。",
    "dir.out": "→",
    "dir.in": "←",
  },
  en: {
    skip: "Skip to main content",
    brand: "Industry chain graph",
    "nav.map": "Chain map",
    "nav.region": "Region dashboard",
    "search.label": "Search",
    "search.placeholder": "Search enterprises, products, parks…",
    "search.none": "No matches",
    "large.title": "Large text (projector)",
    close: "Close",
    chain: "Chain",
    region: "Region / park",
    loading: "Loading…",
    "err.title": "Error: ",
    "err.network": "Cannot reach the server",
    "err.view": "This page cannot be shown: {msg}",
    "err.noChains": "The graph has no chains yet. Load data first (chainkg load).",
    "err.noPlaces": "The graph has no regions or parks yet.",
    "status.strong": "Strong",
    "status.weak": "Weak",
    "status.missing": "Missing",
    "status.broken": "Broken",
    "status.strong.help": "two or more local producers in different groups",
    "status.weak.help": "one local producer, or all in one group",
    "status.missing.help": "no local producer",
    "status.broken.help": "missing, while its inputs and outputs are made locally",
    "stage.上游": "Upstream",
    "stage.中游": "Midstream",
    "stage.下游": "Downstream",
    legend: "Legend",
    completeness: "Completeness",
    overall: "Overall",
    covered: "{covered} of {products} links made locally",
    localCount: "{n} local producers",
    extensions: "Extension opportunities",
    "zoom.in": "Zoom in",
    "zoom.out": "Zoom out",
    "zoom.fit": "Fit to window",
    "map.empty": "This chain has no products yet.",
    "map.label": "Chain map of {chain} in {region}",
    "panel.local": "Local producers",
    "panel.label": "Product details",
    "panel.hint": "Click a product (or Tab to it and press Enter) to see its local producers, outside candidates and evidence.",
    "panel.self": "The product itself",
    "panel.noLocal": "No local enterprise makes this product.",
    "panel.candidates": "Outside candidates",
    "panel.noCandidates": "No known producer outside the region.",
    "panel.notGap": "A strong link: no investment target needed.",
    "panel.moreCandidates": "Only this product's share of the top {n} candidates is shown.",
    "panel.upstream": "Inputs",
    "panel.downstream": "Outputs",
    "panel.evidence": "Evidence and provenance",
    "panel.entity": "Open entity page",
    score: "Score",
    components: "Score components",
    path: "Graph path",
    "comp.produces": "makes the product",
    "comp.gap": "gap severity",
    "comp.supply_links": "supply links with local firms",
    "comp.other_gaps": "other gaps it fills",
    "comp.confidence": "fact confidence",
    "comp.size": "size",
    relation: "Relation",
    node: "Node",
    source: "Source",
    evidence: "Evidence",
    confidence: "Confidence",
    factStatus: "Status",
    updated: "Updated",
    group: "Group",
    "dash.title": "{region} · Region dashboard",
    "dash.chains": "Completeness by chain",
    "dash.gaps": "Gaps",
    "dash.targets": "Top investment targets",
    "dash.export": "Export targets as CSV",
    "dash.noTargets": "No candidates.",
    "dash.chainCol": "Chain",
    "dash.productCol": "Product",
    "dash.enterpriseCol": "Enterprise",
    "dash.reasonCol": "Reason",
    "dash.rank": "Rank",
    "dash.total": "Total",
    "dash.openMap": "Open the chain map",
    "entity.properties": "Properties",
    "entity.provenance": "Provenance",
    "entity.neighbours": "Neighbours ({total})",
    "entity.more": "Load more",
    "entity.openMap": "Show on the chain map",
    "entity.openDash": "Region dashboard",
    "entity.none": "No neighbours.",
    "dir.out": "→",
    "dir.in": "←",
  },
};

// Relation types: a label for each direction as seen from the page's node.
const RELATIONS = {
  zh: {
    IN_CHAIN: ["属于产业链", "包含产品"],
    PRODUCES: ["生产", "生产者"],
    UPSTREAM_OF: ["下游产品", "上游投入"],
    SUPPLIES: ["供货给", "供应商"],
    LOCATED_IN: ["位于", "区内"],
    PART_OF: ["隶属于", "下属"],
    COOPERATES_WITH: ["合作", "合作"],
  },
  en: {
    IN_CHAIN: ["in chain", "products"],
    PRODUCES: ["produces", "produced by"],
    UPSTREAM_OF: ["outputs", "inputs"],
    SUPPLIES: ["supplies", "supplied by"],
    LOCATED_IN: ["located in", "contains"],
    PART_OF: ["part of", "has parts"],
    COOPERATES_WITH: ["cooperates with", "cooperates with"],
  },
};

let lang = localStorage.getItem("chainkg.lang") === "en" ? "en" : "zh";

export function getLang() {
  return lang;
}

export function setLang(next) {
  lang = next === "en" ? "en" : "zh";
  localStorage.setItem("chainkg.lang", lang);
  applyStatic();
}

/** The string for `key` with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.zh[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? "").toString());
}

export function relationLabel(type, direction) {
  const pair = RELATIONS[lang][type];
  if (!pair) return `${type} ${direction === "out" ? "→" : "←"}`;
  return direction === "out" ? pair[0] : pair[1];
}

/** Translate the static chrome in index.html (data-i18n* attributes). */
export function applyStatic(root = document) {
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  const toggle = document.getElementById("lang-toggle");
  if (toggle) {
    // The button names the language it switches to, in that language.
    toggle.textContent = lang === "en" ? "中文" : "EN";
    toggle.lang = lang === "en" ? "zh-CN" : "en";
    toggle.setAttribute("aria-label", lang === "en" ? "切换到中文" : "Switch to English");
  }
}
