"""`sim app`: the class app's controls, its feed view, and the page in a real browser.

The browser test starts `sim app` as a user would, drives the page in headless
Chromium (Debian's package) and keeps a screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.model.params import PARAMS, STRATEGY_SHARES

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


# ----------------------------------------------------------------- controls and views
def test_controls_come_from_the_parameter_schema() -> None:
    from sim.classroom.app import CONTROLS, model_params

    controls = model_params()
    assert set(CONTROLS) == {
        "share_spammers",
        "ring_size",
        "policy",
        "feed_ranking",
        "attention",
        "n_members",
    }
    for name in CONTROLS:
        p, c = PARAMS[name], controls[name]
        assert c["value"] == p.default
        assert (p.label or name) in c["label"]
        if p.choices:
            assert c["type"] == "Select" and c["values"] == list(p.choices)
        else:
            assert c["type"] == ("SliderInt" if p.type is int else "SliderFloat")
            assert p.low <= c["min"] <= p.default <= c["max"] <= p.high


@pytest.mark.parametrize("end", ["min", "max"])
def test_every_control_setting_makes_a_valid_group(end: str) -> None:
    """A teacher cannot move a control to a value the model refuses."""
    from sim.classroom.app import CONTROLS, model_params
    from sim.model.model import CommunityModel

    controls = model_params()
    values = {n: controls[n].get(end, controls[n]["value"]) for n in CONTROLS}
    values["n_members"] = controls["n_members"]["min"]  # keep the test quick
    model = CommunityModel(rng=controls["rng"][end], **values)
    model.step()
    assert model.day == 1


def test_spammer_share_slider_leaves_room_for_the_other_members() -> None:
    from sim.classroom.app import control

    others = sum(PARAMS[n].default for n in STRATEGY_SHARES if n != "share_spammers")
    assert control("share_spammers")["max"] <= 1.0 - others + 1e-9


def test_reset_as_solaraviz_does_it_makes_the_group_of_the_controls() -> None:
    """SolaraViz's Reset passes Mesa's default scenario along with the controls."""
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    from sim.classroom.app import model_params
    from sim.model.model import CommunityModel

    controls = {name: spec["value"] for name, spec in model_params().items()}
    controls["share_spammers"] = 0.3
    kwargs = _build_model_init_kwargs(
        CommunityModel(rng=1, n_members=100),
        controls,
        add_scenario_when_empty=True,
        require_model_accepts_scenario=True,
    )
    model = CommunityModel(**kwargs)
    assert model.params["share_spammers"] == 0.3
    assert model.today["spammers"] == round(0.3 * model.params["n_members"])


def test_feed_view_shows_the_ranked_top_with_company_likes() -> None:
    from sim.classroom.app import feed_top
    from sim.model.model import CommunityModel

    model = CommunityModel(rng=2, n_members=300, share_spammers=0.2)
    model.run(20)
    posts = feed_top(model, k=10)
    assert 0 < len(posts) <= 10
    assert set(posts["what"]) <= {"share", "question", "promotion", "spam"}
    assert (posts["likes_company"] <= posts["likes"]).all()
    assert (posts.loc[posts["what"] != "spam", "likes_company"] == 0).all()
    ranked = model.feed.ranked(model.day, model.params["feed_ranking"], 2.0)
    assert len(ranked) >= len(posts)


# ------------------------------------------------------------------------- the browser
def _free_port() -> int:
    from sim.classroom.serve import free_port

    return free_port()


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """`sim app --port N` running as a user starts it; stopped (with its server) at the end."""
    port = _free_port()
    log = ARTIFACTS / "sim-app.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim.cli", "app", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,  # its own process group: we stop it and its server
        )
        url = f"http://localhost:{port}/"
        try:
            deadline = time.monotonic() + 90
            while url not in log.read_text():
                assert proc.poll() is None, f"sim app exited:\n{log.read_text()}"
                assert time.monotonic() < deadline, f"sim app did not start:\n{log.read_text()}"
                time.sleep(0.2)
            yield url
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """Ctrl-C as a user would, then make sure nothing of ours is left running."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=10)


def _launch(playwright):  # noqa: ANN001, ANN202 - playwright's own types
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install chromium (.ci/run does)"
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


def _day(page) -> int:  # noqa: ANN001
    return int(re.search(r"Day (\d+)", page.locator(".sim-status").inner_text()).group(1))


def _spammers(page) -> int:  # noqa: ANN001
    text = page.locator(".sim-status").inner_text()
    return int(re.search(r"([\d,]+) spammers", text).group(1).replace(",", ""))


def _wait_for_status(page, pattern: str, op: str, value: int) -> None:  # noqa: ANN001
    """Wait until the number ``pattern`` captures in the status line is ``op value``
    (the line is briefly absent while the page redraws)."""
    page.wait_for_function(
        """([pattern, op, value]) => {
            const el = document.querySelector('.sim-status');
            const m = el && el.innerText.match(new RegExp(pattern));
            if (!m) return false;
            const n = Number(m[1].replace(/,/g, ''));
            return op === '>' ? n > value : n >= value;
        }""",
        arg=[pattern, op, value],
        timeout=60_000,
    )


def _chart(page) -> str:  # noqa: ANN001
    """The membership chart's image (its data URL changes when the chart does)."""
    return page.locator(".sim-trend-members img").first.get_attribute("src") or ""


@pytest.mark.browser
def test_the_page_runs_offline_and_responds_to_the_controls(app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    requests, failed, errors = [], [], []
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
            page.on(
                "response", lambda r: failed.append(f"{r.url} {r.status}") if r.status >= 400 else 0
            )
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else 0)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(app_url)
            status = page.locator(".sim-status")
            expect(status).to_contain_text("Day 0", timeout=60_000)
            expect(page.locator(".sim-trend-members img")).to_be_visible()
            expect(page.locator(".sim-feed img")).to_be_visible()
            expect(page.locator(".sim-group img")).to_be_visible()

            # Move the spammer-share control up, start a new group with it.
            spammers_before = _spammers(page)
            slider = page.get_by_role("slider", name=re.compile("^Spammers"))
            share_before = float(slider.get_attribute("aria-valuenow"))
            slider.focus()
            for _ in range(10):
                page.keyboard.press("ArrowRight")
            expect(slider).not_to_have_attribute("aria-valuenow", str(share_before))
            assert float(slider.get_attribute("aria-valuenow")) > share_before
            page.get_by_role("button", name="Reset").click()
            _wait_for_status(page, "([\\d,]+) spammers", ">", spammers_before)
            expect(status).to_contain_text("Day 0")

            # Step one day: the day counter and the membership chart change.
            chart_day0 = _chart(page)
            page.get_by_role("button", name="Step").click()
            expect(status).to_contain_text("Day 1", timeout=30_000)
            expect(page.locator(".sim-trend-members img").first).not_to_have_attribute(
                "src", chart_day0, timeout=30_000
            )

            # Play for a while, then pause: the group has moved on.
            chart_day1 = _chart(page)
            page.get_by_role("button", name="▶").click()
            _wait_for_status(page, "Day (\\d+)", ">=", 6)
            page.get_by_role("button", name="❚❚").click()
            expect(page.get_by_role("button", name="▶")).to_be_visible(timeout=30_000)
            assert _day(page) >= 6
            expect(page.locator(".sim-trend-members img").first).not_to_have_attribute(
                "src", chart_day1, timeout=30_000
            )
            page.screenshot(path=str(ARTIFACTS / "sim-app.png"), full_page=True)
            assert "Traceback" not in page.locator("body").inner_text()
        finally:
            browser.close()

    origin = app_url.rstrip("/")
    outside = [u for u in requests if not u.startswith((origin, "data:", "blob:" + origin))]
    assert not outside, f"requests left localhost: {outside}"
    assert not failed, f"failed requests: {failed}"
    assert not errors, f"console errors: {errors}"


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    import socket

    from typer.testing import CliRunner

    from sim.cli import app

    with socket.socket() as busy:
        busy.bind(("localhost", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["app", "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} is already in use" in result.output
    assert "Traceback" not in result.output
