"""The class app: a discussion group a teacher (or each student) drives in the browser.

Served by ``sim app`` (``solara run sim.classroom.app``). A plain solara page rather
than Mesa's stock ``SolaraViz`` page: a class needs an Info panel, settings said in its
own units, a cue when a setting waits for Reset, a speed control, a year that ends, two
groups side by side and a page that fits a projector and a phone, and none of
SolaraViz's technical controls (play interval, render interval, threads, pages). It
keeps Mesa's idioms: the groups are Mesa models, views are components of the model,
and Mesa's ``force_update`` tells them to redraw.

Views are HTML and SVG built in ``sim.classroom.views`` and drawn by the browser, so a
day costs milliseconds to redraw. Every browser session has its own groups: a
student's page never changes the teacher's.
"""

from __future__ import annotations

import math
import os
import time
from html import escape
from pathlib import Path
from typing import Any

import solara
from mesa.visualization.utils import force_update, update_counter

from sim.classroom.controls import CONTROLS, SEED, Control
from sim.classroom.info import info_html
from sim.classroom.lesson import GROUPS, YEAR, Lesson, starting_settings
from sim.classroom.locale import LANGUAGES, N_, Texts, check_language
from sim.classroom.views import (
    feed_html,
    feed_key,
    members_key,
    members_svg,
    status_html,
    trend_charts,
)
from sim.palette import OKABE_ITO

__all__ = ["SPEEDS", "Page", "page", "default_language"]

CSS = Path(__file__).with_name("app.css")
# Play speeds, in days a second; 6 runs a year in about a minute.
SPEEDS: tuple[int, ...] = (1, 2, 6, 15, 30)
_FRAME = 0.1  # seconds between redraws at most while playing fast
_YEAR_CHUNK = 5  # days run between two redraws by "Run a year"
# Each group's line: colour and dash, so A and B differ in more than colour.
GROUP_STYLES = {"A": (OKABE_ITO["black"], ""), "B": (OKABE_ITO["blue"], "7 4")}
TABS = (N_("Info"), N_("One group"), N_("Two groups"))


def default_language() -> str:
    """The page's language when it opens: ``SIM_LANG`` (set by ``sim app --lang``)."""
    return check_language(os.environ.get("SIM_LANG", "en"))


def _html(html: str, name: str = "", style: str = "") -> None:
    """Markup built by ``views`` (solara's Markdown would fetch a math renderer that the
    offline asset copy does not have). ``name`` is its CSS class."""
    solara.HTML(tag="div", unsafe_innerHTML=html, classes=name.split(), style=style)


def _speed_words(speed: int, texts: Texts) -> str:
    _ = texts
    words = texts.ngettext("{count} day a second", "{count} days a second", speed)
    words = words.format(count=speed)
    return words + (" " + _("(a year in a minute)") if speed == 6 else "")


@solara.component
def Setting(
    name: str, label: str, words: str, help: str, changed: bool = False, children: tuple = ()
) -> None:
    """One setting: its name and its value in words, always shown, above its widget."""
    head = (
        f'<span class="sim-label">{escape(label)}</span>'
        f'<span class="sim-value">{escape(words)}</span>'
    )
    classes = ["sim-control", f"sim-control-{name}"] + (["sim-changed"] if changed else [])
    with solara.Div(classes=classes, attributes={"title": help}):
        _html(head, "sim-control-head")
        solara.Div(children=list(children))


def _slider(label: str, value: float, on_value: Any, low: float, high: float, step: float) -> Any:
    from solara.alias import rv

    # the label is for screen readers and tests (hidden: the head shows it with the value)
    return rv.Slider(
        v_model=value,
        on_v_model=on_value,
        min=low,
        max=high,
        step=step,
        label=label,
        hide_details=True,
        dense=True,
    )


@solara.component
def ControlSetting(c: Control, value: Any, on_value: Any, texts: Texts, changed: bool) -> None:
    """A model setting as a slider in class units, or a choice in words."""
    from solara.alias import rv

    label = texts(c.label)
    if c.choices is not None:
        items = [{"text": texts(words), "value": key} for key, words in c.choices.items()]
        widget = rv.Select(
            v_model=value,
            on_v_model=on_value,
            items=items,
            label=label,
            dense=True,
            hide_details=True,
            outlined=True,
            single_line=True,
        )
    else:
        shown = c.to_shown(value)
        widget = _slider(label, shown, lambda x: on_value(c.to_model(x)), c.low, c.high, c.step)
    Setting(c.name, label, c.say(value, texts), texts(c.help), changed, children=[widget])


@solara.component
def Settings(
    settings: solara.Reactive[dict], seed: solara.Reactive[int], lesson: Lesson, texts: Texts
) -> None:
    """The settings of group A or B (a switch picks which), the shared seed, and the
    cue that a change waits for Reset."""
    _ = texts
    editing = solara.use_reactive("A")
    group = editing.value
    with solara.Div(classes=["sim-settings"]):
        solara.ToggleButtonsSingle(
            value=editing,
            children=[
                solara.Button(_("Group {name}").format(name=g), value=g, classes=[f"sim-edit-{g}"])
                for g in GROUPS
            ],
            classes=["sim-edit-group"],
        )
        _html(escape(_("Settings of group {name}").format(name=group)), "sim-settings-head")
        for c in CONTROLS:

            def change(value: Any, name: str = c.name) -> None:
                settings.set({**settings.value, group: {**settings.value[group], name: value}})

            value = settings.value[group][c.name]
            ControlSetting(c, value, change, texts, value != lesson.settings[group][c.name])
        ControlSetting(SEED, seed.value, seed.set, texts, seed.value != lesson.seed)
        if lesson.waiting(settings.value, seed.value):
            _html(
                "⟳ "
                + escape(
                    _("Changed settings wait for Reset: press Reset to start new groups with them.")
                ),
                "sim-reset-cue",
            )


@solara.component
def Buttons(
    mode: solara.Reactive[str],
    speed: solara.Reactive[int],
    on_reset: Any,
    on_step: Any,
    waiting: bool,
    over: bool,
    texts: Texts,
) -> None:
    """Reset, Step, Play or Pause, Run a year, and the speed (redrawn only when one of
    them changes, not every day)."""
    _ = texts

    def toggle(what: str) -> None:
        mode.set("" if mode.value == what else what)

    playing = mode.value == "play"
    with solara.Div(classes=["sim-buttons"]):
        with solara.Div(classes=["sim-button-row"]):
            solara.Button(
                _("Reset"),
                on_click=on_reset,
                color="warning" if waiting else "primary",
                classes=["sim-reset"],
            )
            solara.Button(
                _("Step"),
                on_click=on_step,
                color="primary",
                disabled=over or bool(mode.value),
                classes=["sim-step"],
            )
            solara.Button(
                ("❚❚ " + _("Pause")) if playing else ("▶ " + _("Play")),
                on_click=lambda: toggle("play"),
                color="primary",
                disabled=over,
                classes=["sim-play"],
            )
            solara.Button(
                ("❚❚ " + _("Pause")) if mode.value == "year" else _("Run a year"),
                on_click=lambda: toggle("year"),
                color="primary",
                disabled=over,
                classes=["sim-year"],
            )
        Setting(
            "speed",
            _("Speed"),
            _speed_words(speed.value, texts),
            _("How fast Play runs the days."),
            children=[
                _slider(
                    _("Speed"),
                    SPEEDS.index(speed.value),
                    lambda i: speed.set(SPEEDS[int(i)]),
                    0,
                    len(SPEEDS) - 1,
                    1,
                )
            ],
        )


@solara.component
def Clock(lesson: Lesson, texts: Texts) -> None:
    """The day of the year, redrawn every day."""
    _ = texts
    update_counter.get()
    day = lesson.day
    done = " " + _("The year is over: press Reset for new groups.") if lesson.over else ""
    _html(
        f'<div class="sim-day" data-day="{day}">'
        f"{escape(_('Day {day} of {days}').format(day=day, days=YEAR))}"
        f'<progress max="{YEAR}" value="{day}"></progress></div>'
        f'<div class="sim-over">{escape(done)}</div>',
        "sim-clock",
    )


def _group_html(name: str, model: Any, texts: Texts, feed: bool) -> str:
    """One group: its name and status, its members as dots, and its feed."""
    body = f'<div class="sim-dots-box">{members_svg(model)}</div>'
    if feed:
        body += f'<div class="sim-feed">{feed_html(model, texts)}</div>'
    return (
        f'<div class="sim-group sim-group-{name}">{status_html(model, texts, name=name)}'
        f'<div class="sim-group-body">{body}</div></div>'
    )


@solara.component
def Views(lesson: Lesson, tab: int, texts: Texts) -> None:
    """The chosen tab: the Info panel, one group, or two groups side by side.

    A group's views are one piece of HTML, so a day's redraw is one message to the
    browser."""
    update_counter.get()  # the models change in place: redraw on Mesa's signal
    if tab == 0:
        _html(info_html(texts), "sim-info-box")
        return
    one = tab == 1
    groups = {"A": lesson.groups["A"]} if one else lesson.groups
    panels = "".join(_group_html(name, model, texts, one) for name, model in groups.items())
    keys = members_key(texts) + (feed_key(texts) if one else "")
    charts = "".join(trend_charts(groups, GROUP_STYLES, YEAR, texts))
    _html(
        f'<div class="sim-groups">{panels}</div><div class="sim-keys">{keys}</div>'
        f'<div class="sim-charts">{charts}</div>',
        f"sim-view {'sim-one' if one else 'sim-two'}",
    )


def _advance(lesson: Lesson, over: solara.Reactive[bool], days: int) -> None:
    """Run the groups ``days`` days and tell the views (Mesa's signal) and the buttons."""
    lesson.advance(days)
    over.set(lesson.over)
    force_update()


def _play(
    lesson: solara.Reactive[Lesson],
    mode: solara.Reactive[str],
    over: solara.Reactive[bool],
    speed: int,
) -> None:
    """Advance the groups while ``mode`` is on: at ``speed`` days a second for Play, in
    chunks as fast as the page redraws for Run a year; stop at the end of the year."""
    what = mode.value
    if not what:
        return
    days = _YEAR_CHUNK if what == "year" else max(1, math.ceil(speed * _FRAME))
    interval = 0.0 if what == "year" else days / speed
    while mode.value == what and not lesson.value.over:
        started = time.perf_counter()
        _advance(lesson.value, over, days)
        time.sleep(max(0.0, interval - (time.perf_counter() - started)))
    if mode.value == what:
        mode.set("")


@solara.component
def Page() -> None:
    """The page: a header, the buttons and settings, and the views."""
    lang = solara.use_reactive(solara.use_memo(default_language, []))
    texts = Texts(lang.value)
    _ = texts
    settings = solara.use_reactive(solara.use_memo(starting_settings, []))
    seed = solara.use_reactive(SEED.default)
    lesson = solara.use_reactive(solara.use_memo(Lesson, []))
    mode = solara.use_reactive("")  # "", "play" or "year"
    over = solara.use_reactive(False)  # the year is over
    speed = solara.use_reactive(6)
    tab = solara.use_reactive(0)
    solara.lab.use_task(
        lambda: _play(lesson, mode, over, speed.value),
        dependencies=[mode.value],
        prefer_threaded=True,
    )

    def reset() -> None:
        mode.set("")
        lesson.set(Lesson(settings.value, seed.value))
        over.set(False)
        force_update()

    waiting = lesson.value.waiting(settings.value, seed.value)
    solara.Style(CSS)
    solara.Title(_("How self-promotion changes a discussion group"))
    with solara.Div(classes=["sim-page"]):
        with solara.Div(classes=["sim-header"]):
            _html(escape(_("How self-promotion changes a discussion group")), "sim-title")
            solara.ToggleButtonsSingle(
                value=lang,
                children=[solara.Button(name, value=code) for code, name in LANGUAGES.items()],
                classes=["sim-lang"],
                dense=True,
            )
        with solara.Div(classes=["sim-side"]):
            Buttons(
                mode,
                speed,
                reset,
                lambda: _advance(lesson.value, over, 1),
                waiting,
                over.value,
                texts,
            )
            Clock(lesson.value, texts)
            Settings(settings, seed, lesson.value, texts)
        with solara.Div(classes=["sim-main"]):
            solara.ToggleButtonsSingle(
                value=tab,
                children=[
                    solara.Button(texts(t), value=i, classes=[f"sim-tab-{i}"])
                    for i, t in enumerate(TABS)
                ],
                classes=["sim-tabs"],
            )
            Views(lesson.value, tab.value, texts)


page = Page
