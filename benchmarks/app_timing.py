"""Time the class app from a click to the redrawn page, as a class would wait for it.

Starts the app's server on 127.0.0.1 (stopped at the end), opens the page in headless
Chromium at a projector's 1280x720 and measures, in the browser, from the click until
the new day is painted:

- one day (Step) with the one-group views (dots, feed, four charts) and with the
  two-group views (two groups' dots and charts), repeated;
- a whole year (Run a year, drawing every few days) in both views;

and the server's CPU time per day (from /proc), which other work on the machine does
not inflate as it does the wall-clock times.

Usage: .venv/bin/python benchmarks/app_timing.py [--steps N]

Prints medians and the spread; writes nothing. Needs the app extra and Debian's chromium.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.classroom.serve import running_app

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Click, then wait until the day counter and the group's status show ``target`` and
# two animation frames have passed (the browser painted it).
_CLICK_TO_PAINT = """async ([button, target]) => {
    const t0 = performance.now();
    document.querySelector(button).click();
    const shown = () => document.querySelector(`.sim-day[data-day="${target}"]`)
        && document.querySelector(`.sim-status[data-day="${target}"]`);
    await new Promise(done => {
        const look = () => shown() ? done() : requestAnimationFrame(look);
        look();
    });
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
}"""


def _day(page) -> int:  # noqa: ANN001
    return int(page.locator(".sim-day").get_attribute("data-day"))


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by process ``pid`` (Linux), whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _time_view(page, tab: str, steps: int, pid: int) -> tuple[list[float], float, float]:  # noqa: ANN001
    page.locator(".sim-reset").click()
    page.wait_for_selector('.sim-day[data-day="0"]')
    page.locator(tab).click()
    page.wait_for_selector(".sim-chart")
    days = []
    cpu = _cpu_seconds(pid)
    for _ in range(steps):
        days.append(page.evaluate(_CLICK_TO_PAINT, [".sim-step", _day(page) + 1]))
    server = 1000 * (_cpu_seconds(pid) - cpu) / steps
    year = page.evaluate(_CLICK_TO_PAINT, [".sim-year", 365])
    return days, year, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=30, help="days timed one by one per view")
    args = parser.parse_args()
    with running_app() as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(app.url)
        page.wait_for_selector(".sim-day", timeout=60_000)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print("view        one day, click to paint: median (min-max)   server CPU a day   a year")
        for name, tab in (("one group", ".sim-tab-1"), ("two groups", ".sim-tab-2")):
            days, year, server = _time_view(page, tab, args.steps, app.pid)
            print(
                f"{name:<11} {statistics.median(days):8.1f} ms ({min(days):.1f}-{max(days):.1f})"
                f"      {server:8.1f} ms   {year / 1000:6.2f} s"
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        browser.close()


if __name__ == "__main__":
    main()
