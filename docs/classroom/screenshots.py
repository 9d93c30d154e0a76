"""Make the class app's screenshots and the colour-blindness check of the figures.

    .venv/bin/python docs/classroom/screenshots.py

Writes, beside this file: the app at a projector's 1280x720 and a phone's 390x844, in
English and French (``app-WIDTHxHEIGHT-LANG.png``), and the demo's figure and the app
as a person with deuteranopia sees them (``*-deuteranopia.png``, simulated with
colorspacious, Machado et al. 2009, severity 100). Needs the app and test extras and
Debian's chromium; the figure is read from results/demo/ (``sim demo`` makes it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import sync_playwright

from sim.classroom.serve import running_app

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# (language, width, height, tab to show, run the year first)
SHOTS = (
    ("en", 1280, 720, ".sim-tab-2", True),
    ("fr", 1280, 720, ".sim-tab-1", True),
    ("en", 390, 844, ".sim-tab-0", False),
    ("fr", 390, 844, ".sim-tab-1", True),
)


def deuteranopia(source: Path, target: Path) -> None:
    """Save ``source`` as a person with deuteranopia sees it."""
    from colorspacious import cspace_convert

    rgb = np.asarray(Image.open(source).convert("RGB"), dtype=float) / 255.0
    cvd = {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100}
    seen = np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0.0, 1.0)
    Image.fromarray(np.rint(seen * 255).astype(np.uint8)).save(target)
    print(f"Wrote {target}")


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang in ("en", "fr"):
            with running_app(lang=lang) as app:
                url = app.url
                for shot_lang, width, height, tab, year in SHOTS:
                    if shot_lang != lang:
                        continue
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(url)
                    page.wait_for_selector(".sim-day", timeout=60_000)
                    if year:
                        page.locator(".sim-year").click()
                        page.wait_for_selector('.sim-day[data-day="365"]', timeout=120_000)
                    page.locator(tab).click()
                    page.wait_for_timeout(800)
                    path = HERE / f"app-{width}x{height}-{lang}.png"
                    page.screenshot(path=str(path))
                    print(f"Wrote {path}")
                    page.close()
        browser.close()
    deuteranopia(HERE / "app-1280x720-en.png", HERE / "app-1280x720-en-deuteranopia.png")
    figure = ROOT / "results" / "demo" / "scenarios.png"
    deuteranopia(figure, HERE / "scenarios-deuteranopia.png")


if __name__ == "__main__":
    main()
