"""The web UI in a real browser: Debian's headless Chromium against a live server.

One server per module (uvicorn in a thread, embedded FalkorDB in a temporary directory) holds
the small polyurethane world of ``tests/ui/world.py``; each test gets a fresh browser context.
What the page shows is compared with what the HTTP API answers for the same question, so the
tests check that the UI renders the API faithfully, not a copy of its rules. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.harness import chromium, load_graph, serve
from tests.ui.world import NITRO_EVIDENCE, pu_world

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CITY_MAP = "#/map?chain=chain:pu&region=region:city"
# The status colours of style.css (border of each product), as the browser computes them.
COLOURS = {
    "strong": "rgb(27, 127, 59)",
    "weak": "rgb(183, 121, 31)",
    "missing": "rgb(198, 40, 40)",
    "broken": "rgb(123, 31, 162)",
}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    graph = f"falkordb-lite://{tmp_path_factory.mktemp('ui')}/db"
    load_graph(graph, *pu_world())
    with serve(graph) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def get_json(base_url: str, path: str, **params: Any) -> Any:
    url = f"{base_url}/api/v1{path}?{urllib.parse.urlencode(params, doseq=True)}"
    with urllib.request.urlopen(url) as r:
        return json.load(r)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ui-{name}.png"), full_page=True)


def open_map(page: Any, base_url: str, fragment: str = CITY_MAP) -> None:
    page.goto(f"{base_url}/{fragment}")
    page.wait_for_selector('#map[data-ready="1"]')


def redrawn(page: Any, action: Any) -> None:
    """Run ``action`` and wait until a new map (not the one shown before) is rendered."""
    page.evaluate("document.getElementById('map').dataset.old = '1'")
    action()
    page.wait_for_selector('#map[data-ready="1"]:not([data-old])')


NODES_JS = """els => els.map(e => {
  const cs = getComputedStyle(e);
  return {id: e.dataset.id, status: e.dataset.status, stage: e.dataset.stage,
          colour: cs.borderTopColor, border: cs.borderTopStyle,
          icon: e.querySelector('.icon').textContent, name: e.querySelector('.name').textContent,
          count: Number(e.querySelector('.count').textContent),
          x: e.getBoundingClientRect().x, label: e.getAttribute('aria-label')};
})"""


def check_map_matches_gaps(page: Any, gaps: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = page.eval_on_selector_all(".node", NODES_JS)
    by_id = {n["id"]: n for n in nodes}
    assert sorted(by_id) == sorted(p["id"] for p in gaps["products"])
    for p in gaps["products"]:
        n = by_id[p["id"]]
        assert (n["name"], n["status"], n["stage"]) == (p["name"], p["status"], p["stage"])
        assert n["colour"] == COLOURS[p["status"]], p["id"]
        assert n["count"] == len(p["local_producers"]), p["id"]
    # Not colour alone: each status also has its own icon and its own border style.
    seen = {n["status"]: (n["icon"], n["border"]) for n in nodes}
    assert len(set(seen.values())) == len(seen)
    return nodes


def test_chain_map_renders_the_gap_diagnosis(page: Any, base_url: str) -> None:
    open_map(page, base_url)
    gaps = get_json(base_url, "/gaps", chain="chain:pu", region="region:city")
    assert {p["status"] for p in gaps["products"]} == set(COLOURS)  # the world shows every status
    nodes = check_map_matches_gaps(page, gaps)

    # Stage columns left to right: every 上游 product left of every 中游 one, and so on.
    xs = {s: [n["x"] for n in nodes if n["stage"] == s] for s in ("上游", "中游", "下游")}
    assert max(xs["上游"]) < min(xs["中游"]) and max(xs["中游"]) < min(xs["下游"])
    # One arrow per input edge inside the chain.
    ids = {p["id"] for p in gaps["products"]}
    inputs = {(u, p["id"]) for p in gaps["products"] for u in p["upstream"] if u in ids}
    drawn = set(map(tuple, page.eval_on_selector_all(".edge", "els => els.map(e => [e.dataset.from, e.dataset.to])")))
    assert drawn == inputs
    # Legend counts and completeness bars.
    legend = dict(
        page.eval_on_selector_all(
            ".legend-item", "els => els.map(e => [e.dataset.status, e.querySelector('.legend-count').textContent])"
        )
    )
    for status in COLOURS:
        assert int(legend[status]) == sum(p["status"] == status for p in gaps["products"])
    c = gaps["completeness"]
    bars = page.eval_on_selector_all(".summary .bar", "els => els.map(e => Number(e.getAttribute('aria-valuenow')))")
    assert bars == [round(c["overall"] * 100)] + [round(c["by_stage"][s] * 100) for s in ("上游", "中游", "下游")]
    shot(page, "map")

    # The region select drives the URL hash and the map follows.
    redrawn(page, lambda: page.select_option("#region-select", "park:hz"))
    assert "region=park%3Ahz" in page.evaluate("location.hash")
    check_map_matches_gaps(page, get_json(base_url, "/gaps", chain="chain:pu", region="park:hz"))


def test_gap_product_shows_candidates_and_evidence(page: Any, base_url: str) -> None:
    open_map(page, base_url)
    targets = get_json(base_url, "/targets", chain="chain:pu", region="region:city", limit=200)

    page.click('.node[data-id="prod:nitro"]')
    assert "product=prod%3Anitro" in page.evaluate("location.hash")
    panel = page.locator("#panel")
    panel.locator(".cand").first.wait_for()
    expected = [c for c in targets["candidates"] if c["product"]["id"] == "prod:nitro"]
    shown = panel.locator(".cand").evaluate_all(
        "els => els.map(e => [e.dataset.enterprise, e.querySelector('.reason').textContent,"
        " e.querySelector('.score').textContent])"
    )
    assert [s[0] for s in shown] == [c["enterprise"]["id"] for c in expected]
    for (_, reason, score), c in zip(shown, expected, strict=True):
        assert reason == c["reason_zh"]
        assert f"{c['score']:.2f}" in score
    # The evidence behind the product's edges, from /entities.
    produces = panel.locator('ul.provenance li[data-type="PRODUCES"]')
    produces.first.wait_for()
    text = produces.first.inner_text()
    assert NITRO_EVIDENCE in text and "0.9" in text and "extracted" in text and "企业年报" in text
    assert panel.locator("h2").inner_text() == "硝基苯"
    shot(page, "panel")

    # Keyboard: focus a product, Enter opens it; Escape closes and gives focus back.
    page.focus('.node[data-id="prod:tdi"]')
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#panel h2')?.textContent === 'TDI'")
    panel.locator(".cand").first.wait_for()
    tdi = [c["enterprise"]["id"] for c in targets["candidates"] if c["product"]["id"] == "prod:tdi"]
    assert panel.locator(".cand").evaluate_all("els => els.map(e => e.dataset.enterprise)") == tdi
    page.keyboard.press("Escape")
    page.wait_for_selector("#panel .hint")
    assert page.evaluate("document.activeElement.dataset.id") == "prod:tdi"

    # A strong product says that no target is needed.
    page.click('.node[data-id="prod:mdi"]')
    page.wait_for_selector("#panel .candidates .muted")
    assert page.locator("#panel .cand").count() == 0


def test_search_suggests_and_opens_the_entity(page: Any, base_url: str) -> None:
    open_map(page, base_url)
    page.locator("#search-input").press_sequentially("硝基", delay=30)
    page.wait_for_selector("#search-list li[role=option][data-id]")
    expected = [i["id"] for i in get_json(base_url, "/search", q="硝基", limit=8)["items"]]
    assert {"prod:nitro", "ent:out-nitro"} <= set(expected)
    assert page.eval_on_selector_all("#search-list li[data-id]", "els => els.map(e => e.dataset.id)") == expected
    shot(page, "search")

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'article.entity[data-id="{expected[0]}"]')
    entity = get_json(base_url, f"/entities/{expected[0]}")
    assert page.locator("article.entity h1").inner_text().startswith(entity["properties"]["name"])
    # Neighbours grouped by relation, each a link to its own page.
    groups = page.eval_on_selector_all(
        ".neighbour-group", "els => els.map(e => e.dataset.type + '|' + e.dataset.direction)"
    )
    assert sorted(groups) == sorted({f"{n['type']}|{n['direction']}" for n in entity["neighbours"]["items"]})
    page.locator('.neighbour-group[data-type="PRODUCES"] a').first.click()
    page.wait_for_selector('article.entity[data-id="ent:out-nitro"]')
    assert page.locator('tr[data-prop="employees"] td').inner_text() == "5000"
    shot(page, "entity")


def test_failed_api_call_shows_the_error(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/#/map?chain=chain:nope&region=region:city")
    banner = page.locator("#error-banner")
    banner.wait_for(state="visible")
    message = get_json_error(base_url, "/gaps", chain="chain:nope", region="region:city")
    assert message in banner.inner_text() and "404" in banner.inner_text()
    assert message in page.locator("main .view-error").inner_text()  # the page says it too, not blank
    assert page.locator("header .brand").is_visible()
    shot(page, "error")

    page.goto(f"{base_url}/#/entity/ent:nope")
    page.wait_for_function("document.querySelector('#error-text').textContent.includes('ent:nope')")
    assert page.locator("#error-banner").is_visible()


def get_json_error(base_url: str, path: str, **params: Any) -> str:
    try:
        get_json(base_url, path, **params)
    except urllib.error.HTTPError as e:
        message: str = json.load(e)["error"]["message"]
        return message
    raise AssertionError(f"{path} {params} did not fail")


def test_region_dashboard_and_csv_export(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/#/region?region=region:city")
    page.wait_for_selector(".dash-chains tbody tr")
    for chain in ("chain:pu", "chain:ev"):
        gaps = get_json(base_url, "/gaps", chain=chain, region="region:city")
        row = page.locator(f'.dash-chains tr[data-chain="{chain}"]')
        assert row.locator(".bar").get_attribute("aria-valuenow") == str(round(gaps["completeness"]["overall"] * 100))
        for status in COLOURS:
            count = sum(p["status"] == status for p in gaps["products"])
            assert row.locator(f'td[data-status="{status}"]').inner_text() == str(count)
    candidates = get_json(base_url, "/targets", chain="chain:pu", region="region:city", limit=20)["candidates"]
    assert page.locator(".dash-targets tbody tr").count() == len(candidates)
    shot(page, "dashboard")

    with page.expect_download() as info:
        page.click(".section-head button")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert sorted((r["enterprise_id"], r["product_id"]) for r in rows) == sorted(
        (c["enterprise"]["id"], c["product"]["id"]) for c in candidates
    )
    assert {r["reason_zh"] for r in rows} == {c["reason_zh"] for c in candidates}


def test_english_switch_and_large_text(page: Any, base_url: str) -> None:
    open_map(page, base_url)
    assert page.locator('nav a[data-nav="map"]').inner_text() == "产业链全景图"
    height = page.locator(".node").first.bounding_box()["height"]
    redrawn(page, lambda: page.click("#lang-toggle"))
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator('nav a[data-nav="map"]').inner_text() == "Chain map"
    assert "Missing" in page.locator(".legend").inner_text()
    assert page.locator("#lang-toggle").inner_text() == "中文"

    redrawn(page, lambda: page.click("#large-toggle"))
    assert page.locator("#large-toggle").get_attribute("aria-pressed") == "true"
    assert page.locator(".node").first.bounding_box()["height"] > height
    shot(page, "english-large")
    page.click("#lang-toggle")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    assert page.locator('nav a[data-nav="region"]').inner_text() == "区域看板"


def test_ui_is_served_with_its_library(base_url: str) -> None:
    with urllib.request.urlopen(f"{base_url}/") as r:
        assert 'type="module"' in r.read().decode()
    with urllib.request.urlopen(f"{base_url}/vendor/@dagrejs/dagre/dagre.esm.js") as r:
        assert r.headers["content-type"].startswith("text/javascript")
    for path in (
        "/vendor/@dagrejs/dagre/package.json",
        "/vendor/@dagrejs/graphlib/dist/graphlib.js",
        "/vendor/../../app.py",
    ):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{base_url}{path}")
        assert e.value.code == 404


def test_missing_node_modules_says_run_make_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.routes import ui

    monkeypatch.setattr(ui, "NODE_MODULES", tmp_path / "node_modules")
    app = create_app()  # mounts the UI, which now looks for the missing node_modules
    client = TestClient(app)  # no lifespan: these routes do not touch the store
    page = client.get("/")
    assert page.status_code == 503 and "make install" in page.text
    lib = client.get("/vendor/@dagrejs/dagre/dagre.esm.js")
    assert lib.status_code == 503 and "make install" in lib.json()["error"]["message"]
