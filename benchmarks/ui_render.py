"""Time to first render of the chain map (产业链全景图) for a synthetic 300-product chain.

Loads one synthetic chain into a temporary embedded store, serves the API and the web UI on a
free local port and opens ``#/map`` in Debian's headless Chromium, several times. Printed per
run: wall time from navigation until the map is painted (page load, /chains, /places, /gaps,
layout and DOM included), the page's own ``chainkg:map-rendered`` mark, and the layout alone.

    python -m benchmarks.ui_render [--products 300] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from benchmarks.synthetic import Scale, generate
from tests.ui.harness import chromium, load_graph, serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    scale = Scale(
        provinces=1, cities=2, parks_per_city=1, chains=1, products=args.products, enterprises=2 * args.products
    )
    nodes, edges = generate(scale)
    walls: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        graph = f"falkordb-lite://{tmp}/db"
        load_graph(graph, nodes, edges)
        with serve(graph) as base, chromium() as browser:
            for run in range(args.runs):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                start = time.perf_counter()
                page.goto(f"{base}/#/map?chain=chain:0&region=region:c0")
                page.wait_for_selector('#map[data-ready="1"]', timeout=120_000)
                wall = (time.perf_counter() - start) * 1000
                mark = page.evaluate("performance.getEntriesByName('chainkg:map-rendered')[0].startTime")
                layout = page.evaluate("document.getElementById('map').dataset.layoutMs")
                shown = page.locator(".node").count()
                page.close()
                context.close()
                walls.append(wall)
                print(
                    f"run {run + 1}: {shown} products, first render {wall:.0f} ms wall, "
                    f"{mark:.0f} ms after navigation start (page mark), layout {layout} ms"
                )
    print(f"time to first render, {args.products} products: median {statistics.median(walls):.0f} ms")


if __name__ == "__main__":
    main()
