"""The learning network page drawn in a real browser: 2,000 people, under 2 s (issue 13).

Builds a fresh database (a temporary SQLite file; with DATABASE_URL set, the
PostgreSQL database ``--db-name`` made anew on that server): one programme of
``--people`` people (its facilitator and evaluator among them) in 500
organisations and groups of eight, and ``--exchanges`` exchanges
(``benchmarks/mel_snapshot.py``'s ledger: mostly inside groups, a third
returned, some across the programme; 20,000 exchanges give about 13,000
ties, the ten exchanges a person of the 50,000-people benchmark has). The
snapshot task computes the network's summary (layout included) as it does
whenever exchanges change. Then gunicorn serves the app
on a free loopback port, and Debian's chromium (Playwright, the tests' flags)
opens the network page as the programme's facilitator, at desktop and phone
size: ``--repeat`` loads each after one warm-up, each in a fresh tab.

Measured from navigation start (Navigation Timing): the first byte, the load
event (the SVG is in the HTML: it is parsed and laid out by then) and
*drawn*, two animation frames after the load (the frame that paints it has
run). Prints the median of each, the page's size, the SVG's elements, and the
load average. The baseline, in this process: what the page computed before
(networkx's exact betweenness and spring layout of the same graph), when it
drew nothing above 150 nodes.

    .venv/bin/python benchmarks/network_drawing.py [--people 2000 --exchanges 20000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/network_drawing.py
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_db import fresh_database  # noqa: E402 - a sibling script module
from measure import timed  # noqa: E402 - a sibling script module
from mel_snapshot import build  # noqa: E402 - a sibling script module

SRC = Path(__file__).resolve().parent.parent / "src"
CHROMIUM = os.environ.get("PEERLEARN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
TARGET_S = 2.0

#: Navigation Timing of the page, read two animation frames after its load event.
TIMING = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  done({first_byte: nav.responseStart, load: nav.loadEventEnd, drawn: performance.now(),
        bytes: nav.transferSize || nav.encodedBodySize});
})))"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PEERLEARN_ALLOWED_HOSTS"] = "127.0.0.1"
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])
    log = Path(tempfile.gettempdir()) / f"peerlearn-bench-network-{port}.log"
    command = [sys.executable, "-m", "gunicorn", "peerlearn.site.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer within 60 s (log: {log})")


def session_cookie(user: Any) -> str:
    """A signed-in session stored in the database, as the browser's cookie."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return str(client.cookies["sessionid"].value)


def load(browser: Any, viewport: dict[str, int], url: str, cookie: str) -> dict[str, Any]:
    """One load in a fresh tab: timings (ms) and what the page shows."""
    context = browser.new_context(viewport=viewport, locale="en")
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": url}])
    page = context.new_page()
    try:
        page.goto(url, wait_until="load", timeout=60_000)
        timing = page.evaluate(TIMING)
        timing["circles"] = page.locator("svg circle").count()
        timing["elements"] = page.evaluate("document.querySelectorAll('svg *').length")
        timing["figure_shown"] = page.locator("figure.network").is_visible()
        timing["lists_said"] = page.locator("#phone-lists").is_visible()
        timing["rows"] = page.locator("#network-metrics tbody tr").count()
    finally:
        context.close()
    return timing


def baseline(programme_id: int) -> float:
    """Seconds the page's computations took before: networkx, exact, in the request."""
    import networkx as nx

    from peerlearn.mel import network as drawing
    from peerlearn.mel import services
    from peerlearn.mel.access import programme_people
    from peerlearn.mel.models import Exchange
    from peerlearn.programmes.models import Programme

    programme = Programme.objects.get(pk=programme_id)
    rows = drawing.person_rows(programme_people(programme))
    records = services.as_records(Exchange.objects.filter(programme=programme))
    graph = drawing.graph_of(records, rows, "person")

    def before() -> None:
        nx.betweenness_centrality(graph)
        nx.spring_layout(graph.to_undirected(), seed=0)

    return timed(before)[1]


def run(args: argparse.Namespace) -> None:
    label, url = fresh_database(args.db_name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
    os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
    os.environ["PEERLEARN_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.urls import reverse

    from peerlearn.mel import snapshots
    from peerlearn.mel.models import MutualitySnapshot

    call_command("migrate", verbosity=0)
    with transaction.atomic():  # one commit (SQLite would sync the disk per row)
        # The facilitator and the evaluator build() adds are nodes too.
        world = build(args.people - 2, args.exchanges)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    programme = world["programme"]
    _, task_s = timed(lambda: snapshots.request_recompute(programme.pk))  # immediate backend
    summary = MutualitySnapshot.objects.get(programme=programme, audience="programme").network
    person = summary["person"]
    assert person["drawing"] is not None, "the snapshot must carry the layout"
    before_s = baseline(programme.pk) if not args.no_baseline else None
    cookie = session_cookie(world["facilitator"])
    address = reverse("mel:network", args=[programme.slug])
    connection.close()

    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_gunicorn(port)
    results: dict[str, list[dict[str, Any]]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            page_url = f"http://127.0.0.1:{port}{address}"
            for name, viewport in VIEWPORTS.items():
                load(browser, viewport, page_url, cookie)  # warm-up: worker, imports, caches
                results[name] = [
                    load(browser, viewport, page_url, cookie) for _ in range(args.repeat)
                ]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(args, label, world, person, task_s, before_s, results)


def report(
    args: argparse.Namespace,
    label: str,
    world: dict[str, Any],
    person: dict[str, Any],
    task_s: float,
    before_s: float | None,
    results: dict[str, list[dict[str, Any]]],
) -> None:
    print(
        f"{label} + gunicorn (1 sync worker) on loopback, Debian chromium headless; "
        f"{person['nodes']:,} nodes (people), {world['exchanges']:,} exchanges, "
        f"{person['ties']:,} ties, "
        f"{args.repeat} loads per size after one warm-up\n"
    )
    print(f"snapshot task (ledger and network, both audiences): {task_s:.1f} s")
    if before_s is not None:
        print(f"baseline, the page's computations before (networkx exact): {before_s:.1f} s\n")
    print(
        f"{'size':8} {'first byte':>11} {'load':>8} {'drawn':>8} {'target':>7} "
        f"{'circles':>8} {'svg elems':>10} {'figure':>7} {'rows':>5} {'KB':>6}"
    )
    for name, loads in results.items():
        med = {key: statistics.median(x[key] for x in loads) for key in ("first_byte", "load")}
        drawn = statistics.median(x["drawn"] for x in loads)
        last = loads[-1]
        verdict = "ok" if drawn / 1000 < TARGET_S else "SLOW"
        shown = "shown" if last["figure_shown"] else "lists"
        print(
            f"{name:8} {med['first_byte'] / 1000:10.2f}s {med['load'] / 1000:7.2f}s "
            f"{drawn / 1000:7.2f}s {verdict:>7} {last['circles']:8} {last['elements']:10} "
            f"{shown:>7} {last['rows']:5} {last['bytes'] / 1024:6.0f}"
        )
    one, five, fifteen = os.getloadavg()
    print(f"\nload average during the run: {one:.2f} {five:.2f} {fifteen:.2f} (2 cores, shared)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--exchanges", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-baseline", action="store_true", help="skip networkx's timing")
    parser.add_argument("--db-name", default="peerlearn_bench_network")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
