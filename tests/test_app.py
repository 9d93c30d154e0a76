"""`sim app`: the class app's settings, its year, its views, and the page in a browser.

The browser tests start the app's server on 127.0.0.1 (stopped by its process id at
the end), drive the page in headless Chromium (Debian's package) at a projector's
1280x720 and a phone's 390x844, and keep screenshots in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.model.params import PARAMS, STRATEGY_SHARES

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"projector": (1280, 720), "phone": (390, 844)}


# ------------------------------------------------------------------ settings and year
def test_settings_come_from_the_parameter_schema() -> None:
    from sim.classroom.controls import CONTROLS

    assert {c.name for c in CONTROLS} == {
        "share_spammers",
        "ring_size",
        "policy",
        "feed_ranking",
        "attention",
        "n_members",
    }
    for c in CONTROLS:
        p = PARAMS[c.name]
        assert c.default == p.default
        if p.choices:
            assert set(c.choices) == set(p.choices)
        else:
            assert p.low <= c.to_model(c.low) <= p.default <= c.to_model(c.high) <= p.high


@pytest.mark.parametrize("end", ["low", "high"])
def test_every_setting_makes_a_valid_group(end: str) -> None:
    """A teacher cannot move a setting to a value the model refuses."""
    from sim.classroom.controls import CONTROLS, SEED
    from sim.model.model import CommunityModel

    values = {c.name: c.to_model(getattr(c, end)) for c in CONTROLS if c.choices is None}
    values["n_members"] = 100  # keep the test quick
    model = CommunityModel(rng=SEED.to_model(getattr(SEED, end)), **values)
    model.step()
    assert model.day == 1


def test_spammer_share_is_said_in_percent_and_leaves_room_for_the_others() -> None:
    from sim.classroom.controls import control
    from sim.classroom.locale import Texts

    c = control("share_spammers")
    others = sum(PARAMS[n].default for n in STRATEGY_SHARES if n != "share_spammers")
    assert c.to_model(c.high) <= 1.0 - others + 1e-9
    assert c.to_shown(0.2) == 20 and c.to_model(20) == pytest.approx(0.2)
    assert c.say(0.2, Texts("en")) == "20% of the members"
    assert c.say(0.2, Texts("fr")) == "20\u00a0% des membres"
    assert control("policy").say("none", Texts("en")) == "no rules"
    assert control("attention").say(8.0, Texts("en")) == "8 posts a visit"


def test_a_year_stops_at_day_365_and_both_groups_share_the_seed() -> None:
    from sim.classroom.lesson import YEAR, Lesson, starting_settings

    settings = starting_settings()
    for g in settings.values():
        g["n_members"] = 100
    lesson = Lesson(settings, seed=3)
    assert lesson.advance(400) == YEAR and lesson.over
    assert lesson.advance(1) == YEAR
    a, b = lesson.groups["A"], lesson.groups["B"]
    assert a.seed == b.seed == 3
    assert a.params["policy"] != b.params["policy"]
    assert not lesson.waiting(settings, 3)
    assert lesson.waiting(settings, 4)
    changed = {**settings, "B": {**settings["B"], "share_spammers": 0.3}}
    assert lesson.waiting(changed, 3)


def test_feed_view_shows_the_ranked_top_with_company_likes() -> None:
    from sim.classroom.views import feed_top
    from sim.model.model import CommunityModel

    model = CommunityModel(rng=2, n_members=300, share_spammers=0.2)
    model.run(20)
    posts = feed_top(model, k=10)
    assert 0 < len(posts) <= 10
    assert set(posts["what"]) <= {"share", "question", "promotion", "spam"}
    assert (posts["likes_company"] <= posts["likes"]).all()
    assert (posts.loc[posts["what"] != "spam", "likes_company"] == 0).all()
    assert (model.ranked_feed()[: len(posts)] >= 0).all()


def test_charts_share_fixed_axes_and_label_their_lines() -> None:
    from sim.classroom.lesson import Lesson, starting_settings
    from sim.classroom.locale import Texts
    from sim.classroom.views import trend_charts

    settings = starting_settings()
    lesson = Lesson(settings, seed=1)
    lesson.advance(30)
    styles = {"A": ("#000000", ""), "B": ("#0072B2", "7 4")}
    charts = trend_charts(lesson.groups, styles, 365, Texts("en"))
    assert len(charts) == 4
    for chart in charts:
        assert 'viewBox="0 0 365 1000"' in chart  # the whole year, from the first day
        assert chart.count("<polyline") == 2
        assert re.search(r'class="sim-direct"[^>]*>A<', chart)
        assert re.search(r'class="sim-direct"[^>]*>B<', chart)
        assert 'stroke-dasharray="7 4"' in chart  # B differs in more than colour


# ------------------------------------------------------------------------- the browser
@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """The app's server on 127.0.0.1, stopped by its process id after the tests."""
    from sim.classroom.serve import running_app

    with running_app(host="127.0.0.1") as app:
        yield app.url


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 - playwright's own types
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install chromium (.ci/run does)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """A page that records console errors, failed requests and requests off the host."""

    def __init__(self, browser, url: str, size: tuple[int, int]) -> None:  # noqa: ANN001
        self.url, self.errors, self.failed, self.requests = url, [], [], []
        self.page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        p = self.page
        p.on("request", lambda r: self.requests.append(r.url))
        p.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        p.on(
            "response",
            lambda r: self.failed.append(f"{r.url} {r.status}") if r.status >= 400 else 0,
        )
        p.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else 0)
        p.on("pageerror", lambda e: self.errors.append(str(e)))
        p.goto(url)
        p.wait_for_selector(".sim-day", timeout=60_000)

    def check_clean(self) -> None:
        origin = self.url.rstrip("/")
        outside = [u for u in self.requests if not u.startswith((origin, "data:", "blob:"))]
        assert not outside, f"requests left the host: {outside}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.errors, f"console errors: {self.errors}"
        assert "Traceback" not in self.page.locator("body").inner_text()


def _day(page) -> int:  # noqa: ANN001
    return int(page.locator(".sim-day").get_attribute("data-day"))


def _smallest_text(page, selector: str) -> float:  # noqa: ANN001
    """The smallest font size (CSS px) of any visible text inside ``selector``."""
    return page.evaluate(
        """(selector) => {
            let least = Infinity;
            for (const root of document.querySelectorAll(selector)) {
              const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
              while (walk.nextNode()) {
                const el = walk.currentNode.parentElement;
                if (!walk.currentNode.textContent.trim() || !el.getClientRects().length) continue;
                least = Math.min(least, parseFloat(getComputedStyle(el).fontSize));
              }
            }
            return least;
        }""",
        selector,
    )


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_the_page_explains_itself_and_fits(app_url: str, browser, size: str) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    width, height = SIZES[size]
    w = Watch(browser, app_url, (width, height))
    page = w.page
    try:
        info = page.locator(".sim-info")
        expect(info).to_be_visible()
        for heading in (
            "WHAT IS IT?",
            "HOW IT WORKS",
            "HOW TO USE IT",
            "THINGS TO NOTICE",
            "THINGS TO TRY",
        ):
            expect(info.get_by_text(heading, exact=True)).to_be_visible()
        for technical in ("Play Interval", "Render Interval", "Use Threads", "PAGE 0", "Time: 0.0"):
            assert technical.lower() not in page.locator("body").inner_text().lower()

        # every slider shows its value in words, next to its name
        controls = page.locator(".sim-control")
        assert controls.count() >= 8
        for i in range(controls.count()):
            value = controls.nth(i).locator(".sim-value")
            expect(value).to_be_visible()
            assert value.inner_text().strip()
        spammers = page.locator(".sim-control-share_spammers")
        expect(spammers.locator(".sim-value")).to_have_text("20% of the members")

        # moving a slider shows its new value and the cue that it waits for Reset
        expect(page.locator(".sim-reset-cue")).to_have_count(0)
        spammers.get_by_role("slider").focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        expect(spammers.locator(".sim-value")).to_have_text("25% of the members")
        expect(page.locator(".sim-reset-cue")).to_be_visible()
        page.locator(".sim-reset").click()
        expect(page.locator(".sim-reset-cue")).to_have_count(0)

        # the group's views: chart text at least 14 px, the page fits the screen
        page.locator(".sim-tab-1").click()
        expect(page.locator(".sim-chart")).to_have_count(4)
        expect(page.locator(".sim-dots")).to_be_visible()
        assert _smallest_text(page, ".sim-chart") >= 14
        assert _smallest_text(page, ".sim-page") >= 14
        scroll = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        assert scroll[0] <= width
        if size == "projector":
            assert scroll[1] <= height
            bottom = page.evaluate(
                "Math.max(...[...document.querySelectorAll('.sim-chart, .sim-control')]"
                ".map(e => e.getBoundingClientRect().bottom))"
            )
            assert bottom <= height, "the charts or the settings are cut off"
        page.screenshot(path=str(ARTIFACTS / f"sim-app-{size}.png"))

        # the same page in French
        page.locator(".sim-lang button").nth(1).click()
        expect(page.locator(".sim-reset")).to_have_text("Recommencer")
        expect(page.locator(".sim-day")).to_contain_text("Jour 0 sur 365")
        expect(page.locator(".sim-chart-title").first).to_have_text(
            "Membres qui restent (sans compter les spammeurs)"
        )
        page.locator(".sim-tab-0").click()
        expect(page.locator(".sim-info")).to_contain_text("QU'EST-CE QUE C'EST")
        w.check_clean()
    finally:
        page.close()


@pytest.mark.browser
def test_a_year_runs_two_groups_apart_and_stops(app_url: str, browser) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    w = Watch(browser, app_url, SIZES["projector"])
    page = w.page
    try:
        page.locator(".sim-tab-2").click()
        expect(page.locator(".sim-dots")).to_have_count(2)
        page.locator(".sim-step").click()
        expect(page.locator(".sim-day")).to_have_attribute("data-day", "1")
        page.locator(".sim-year").click()
        expect(page.locator(".sim-day")).to_have_attribute("data-day", "365", timeout=120_000)
        expect(page.locator(".sim-status").first).to_have_attribute("data-day", "365")
        for button in (".sim-step", ".sim-play", ".sim-year"):
            expect(page.locator(button)).to_be_disabled()
        page.wait_for_timeout(1000)
        assert _day(page) == 365  # it stays at the end of the year

        members = page.locator(".sim-trend-honest_members")
        a = members.locator('polyline[data-group="A"]').get_attribute("points")
        b = members.locator('polyline[data-group="B"]').get_attribute("points")
        assert len(a.split()) == len(b.split()) == 366
        assert a != b, "the two groups drew the same line"
        dots = [int(d.get_attribute("data-members")) for d in page.locator(".sim-dots").all()]
        assert dots[0] != dots[1]
        page.screenshot(path=str(ARTIFACTS / "sim-app-two-groups.png"))

        # another browser (a student) has its own groups, at day 0
        other = Watch(browser, app_url, SIZES["phone"])
        assert _day(other.page) == 0
        other.check_clean()
        other.page.close()
        assert _day(page) == 365
        w.check_clean()
    finally:
        page.close()


# ------------------------------------------------------------------------- the command
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


def test_an_unknown_language_is_one_line_and_exit_2() -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    result = CliRunner().invoke(app, ["app", "--lang", "fre"])
    assert result.exit_code == 2
    assert "unknown language 'fre'" in result.output and "'fr'" in result.output


def test_serving_the_network_says_the_address_to_give_the_class() -> None:
    from sim.classroom.serve import app_environment, where_to_go

    lines = where_to_go("0.0.0.0", 8765, ["192.168.1.20"])
    assert lines[0].startswith("The class app is running at http://localhost:8765/")
    assert "everyone on this computer's network" in lines[1]
    assert "http://192.168.1.20:8765/" in lines[2]
    alone = where_to_go("localhost", 8765, [])
    assert "Only this computer" in alone[1] and "--host 0.0.0.0" in alone[1]
    assert app_environment({}, lang="fr")["SIM_LANG"] == "fr"


def test_the_page_opens_in_the_language_sim_app_was_given(monkeypatch) -> None:  # noqa: ANN001
    from sim.classroom.app import default_language
    from sim.errors import UserError

    monkeypatch.setenv("SIM_LANG", "fr")
    assert default_language() == "fr"
    monkeypatch.setenv("SIM_LANG", "xx")
    with pytest.raises(UserError):
        default_language()
