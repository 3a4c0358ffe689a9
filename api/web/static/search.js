// Header search: suggestions from /search as you type (debounced), arrows to move, Enter to open.
import { api } from "./api.js";
import { entityHref, h, showError } from "./dom.js";
import { t } from "./i18n.js";

const DEBOUNCE_MS = 200;

export function setupSearch() {
  const input = document.getElementById("search-input");
  const list = document.getElementById("search-list");
  let items = [];
  let itemsFor = ""; // the query `items` answer
  let active = -1;
  let timer = null;
  let controller = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function open(item) {
    close();
    input.blur();
    location.hash = entityHref(item.id);
  }

  function setActive(i) {
    active = items.length ? (i + items.length) % items.length : -1;
    list.querySelectorAll("li").forEach((li, j) => li.setAttribute("aria-selected", String(j === active)));
    if (active >= 0) input.setAttribute("aria-activedescendant", `search-opt-${active}`);
  }

  function render() {
    list.replaceChildren(
      ...(items.length
        ? items.map((it, i) =>
            h("li", {
              id: `search-opt-${i}`,
              role: "option",
              "aria-selected": "false",
              dataset: { id: it.id },
              // mousedown, not click: it fires before the input's blur closes the list
              onmousedown: (ev) => {
                ev.preventDefault();
                open(it);
              },
            },
              h("span", { class: "opt-name" }, it.name ?? it.id),
              h("span", { class: "opt-label" }, it.label),
              it.name_en ? h("span", { class: "opt-en" }, it.name_en) : null,
            ),
          )
        : [h("li", { class: "none", role: "option", "aria-disabled": "true" }, t("search.none"))]),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  async function suggest(q) {
    controller?.abort();
    controller = new AbortController();
    try {
      const res = await api("/search", { q, limit: 8 }, { signal: controller.signal });
      if (input.value.trim() !== q) return; // typed on meanwhile
      items = res.items;
      itemsFor = q;
      render();
    } catch (e) {
      if (e.name !== "AbortError") showError(e);
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      items = [];
      close();
      return;
    }
    timer = setTimeout(() => suggest(q), DEBOUNCE_MS);
  });

  input.addEventListener("keydown", async (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (list.hidden && items.length) render();
      setActive(active + (ev.key === "ArrowDown" ? 1 : -1));
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      const q = input.value.trim();
      if (!q) return;
      if (active >= 0) return open(items[active]);
      // Enter before the suggestions arrived: search now and open the best match.
      clearTimeout(timer);
      if (itemsFor !== q) await suggest(q);
      if (itemsFor === q && items.length) open(items[0]);
    } else if (ev.key === "Escape") {
      close();
    }
  });

  input.addEventListener("blur", () => setTimeout(close, 100));
}
