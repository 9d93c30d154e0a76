"""The class app: a discussion group a teacher can drive live in the browser.

Served by ``sim app`` (or ``solara run sim.classroom.app``): Mesa's SolaraViz page with the
controls a teacher cares about, generated from the parameter schema, and four live
views: the members as dots, the top of the feed, and the group's health over time.
Controls take effect when the group is reset, so a class can compare groups that
start from the same seed.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.figures.teaching import SCENARIO_PANELS, FeedTopPicture, MembersPicture, strategy_legend
from sim.model.feed import Kind
from sim.model.model import CommunityModel
from sim.model.params import PARAMS, STRATEGY_SHARES, Param

__all__ = ["CONTROLS", "control", "model_params", "feed_top", "page"]

# The parameters a teacher moves in class, in the order the sidebar shows them.
CONTROLS: tuple[str, ...] = (
    "share_spammers",
    "ring_size",
    "policy",
    "feed_ranking",
    "attention",
    "n_members",
)
# Slider ranges narrower than the schema allows: what makes sense live in a class
# (a group of a million members would not redraw in time).
_CLASS_RANGES: dict[str, tuple[float, float]] = {"ring_size": (1, 20), "n_members": (100, 5000)}
_STEPS: dict[str, float] = {"n_members": 100}
_SEED = {"type": "SliderInt", "value": 1, "min": 1, "max": 100, "step": 1, "label": "Seed"}
_FEED_TOP = 10  # posts shown in the feed view
_FIGSIZE, _DPI = (6.4, 4.4), 80  # small images keep a step quick to redraw
# Pictures shrink to their panel on a small screen rather than being cut off.
_CSS = ".sim-picture img { max-width: 100%; height: auto; }"


def _slider_range(p: Param) -> tuple[float, float]:
    """Bounds of a control: the schema's, narrowed to what a valid, live group allows."""
    low, high = p.low, p.high
    if p.name in STRATEGY_SHARES:  # the strategy shares must leave room for each other
        others = sum(PARAMS[name].default for name in STRATEGY_SHARES if name != p.name)
        high = min(high, math.floor(round((1.0 - others) * 100, 6)) / 100)
    if p.name == "attention":  # nobody reads past the cap
        high = min(high, PARAMS["attention_cap"].default)
    if p.name in _CLASS_RANGES:
        low = max(low, _CLASS_RANGES[p.name][0])
        high = min(high, _CLASS_RANGES[p.name][1])
    return low, high


def _label(p: Param) -> str:
    label = p.label or p.name
    if p.unit == "share":
        return f"{label} (share of members)"
    if p.unit and "(" not in label:
        return f"{label} ({p.unit})"
    return label


def control(name: str) -> dict[str, Any]:
    """The SolaraViz input for one parameter, read from the schema."""
    p = PARAMS[name]
    spec: dict[str, Any] = {"label": _label(p), "value": p.default}
    if p.choices:
        return {**spec, "type": "Select", "values": list(p.choices)}
    if p.type is bool:
        return {**spec, "type": "Checkbox"}
    low, high = _slider_range(p)
    if p.type is int:
        step = int(_STEPS.get(name, 1))
        return {**spec, "type": "SliderInt", "min": int(low), "max": int(high), "step": step}
    step = _STEPS.get(name, 0.01 if high <= 1.0 else 1.0)
    return {**spec, "type": "SliderFloat", "min": float(low), "max": float(high), "step": step}


def model_params() -> dict[str, Any]:
    """Every control of the page: the teacher's parameters and the seed."""
    return {**{name: control(name) for name in CONTROLS}, "rng": _SEED}


def _what(kind: int, by_spammer: bool) -> str:
    if by_spammer:
        return "spam"
    return {Kind.SHARE: "share", Kind.QUESTION: "question"}.get(kind, "promotion")


def _post_label(feed: Any, row: int, day: int) -> str:
    what = _what(int(feed.kind[row]), bool(feed.by_spammer[row]))
    words = [{"spam": "spam", "promotion": "disclosed promotion"}.get(what, what)]
    if feed.kind[row] == Kind.PROMOTION and not feed.disclosed[row]:
        words.append("affiliation hidden")
    if feed.offtopic[row]:
        words.append("off-topic")
    if feed.repost[row]:
        words.append("repost")
    age = day - int(feed.created[row])
    words.append("today" if age == 0 else f"{age} d old")
    return ", ".join(words)


def feed_top(model: CommunityModel, k: int = _FEED_TOP) -> pd.DataFrame:
    """The ``k`` best-ranked posts the members see now, with their likes.

    Ranks as the model does, rules on likes included, so coordinated likes that lift
    promotion show where they act.
    """
    feed = model.feed
    rows = model.ranked_feed()[:k]
    return pd.DataFrame(
        {
            "what": [_what(int(feed.kind[r]), bool(feed.by_spammer[r])) for r in rows],
            "likes": feed.likes[rows],
            "likes_company": feed.likes_company[rows],
            "comments": feed.comments[rows],
            "label": [_post_label(feed, int(r), model.day) for r in rows],
        }
    )


def _text(html: str, name: str = "sim-text") -> None:
    """A line of text with a little markup (solara's Markdown would fetch a math
    renderer that the offline asset copy does not have). ``name`` is its CSS class."""
    style = "font-size: 0.95rem; margin: 4px 0"
    solara.HTML(tag="div", unsafe_innerHTML=html, style=style, classes=[name])


def _status(model: CommunityModel) -> str:
    start = model.datacollector.model_vars["honest_members"][0]
    t = model.today
    return (
        f"<b>Day {model.day}</b> · {t['honest_members']:,} members who are not spammers "
        f"({t['honest_members'] / max(start, 1):.0%} of the start) · {t['spammers']:,} spammers"
        f" · rules: {escape(model.params['policy'])}"
    )


class _Trends:
    """Panels of measures over time whose lines are updated in place each day."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        panels = [panel for panel in SCENARIO_PANELS if panel[0] in columns]
        self.fig = Figure(figsize=_FIGSIZE)
        axes = np.atleast_1d(self.fig.subplots(len(panels), 1, sharex=True))
        self.lines = []
        for ax, (col, title, ylabel) in zip(axes, panels, strict=True):
            (line,) = ax.plot([], [], color="#264653", lw=1.8)
            self.lines.append((col, ax, line))
            ax.set_title(title, fontsize=10)
            ax.set_ylabel(ylabel.split(" (")[0], fontsize=8)
            ax.yaxis.set_major_locator(MaxNLocator(4))  # few ticks: quicker to redraw
            ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.3)
        axes[-1].set_xlabel("day")
        self.fig.tight_layout()

    def update(self, model: CommunityModel) -> None:
        """Draw the model's days so far (noisy measures as a 7-day moving average)."""
        ts = model.timeseries()
        for col, ax, line in self.lines:
            if col == "honest_members":
                y = 100.0 * ts[col] / max(int(ts[col].iloc[0]), 1)
            else:
                y = ts[col].rolling(7, min_periods=1).mean()
            line.set_data(ts["day"], y)
            top = float(np.nanmax(y.to_numpy())) if len(y) else 1.0
            ax.set_ylim(0, max(top * 1.1, 1e-3))
            ax.set_xlim(0, max(30, int(ts["day"].iloc[-1])))


def _picture(model: CommunityModel, make: Any) -> Any:
    """A picture kept for the life of ``model`` (a reset makes a new one)."""
    return solara.use_memo(make, [model])


def _show(fig: Figure, model: CommunityModel) -> None:
    """The figure as an image, redrawn only when the day or the group changes."""
    with solara.Column(style={"width": "100%"}, classes=["sim-picture"]):
        solara.FigureMatplotlib(fig, dependencies=[model, model.day], format="png", dpi=_DPI)


@solara.component
def GroupView(model: CommunityModel) -> None:
    """The members as dots: colour = strategy, size = activity, faded = dissatisfied."""
    update_counter.get()

    def make() -> MembersPicture:
        fig = Figure(figsize=_FIGSIZE)
        strategy_legend(fig, loc="center right", fontsize=8)
        return MembersPicture(fig.add_axes((0.0, 0.0, 0.62, 1.0)), scale=0.7)

    picture = _picture(model, make)
    picture.update(model.state)
    with solara.Column(style={"width": "100%"}, classes=["sim-group"]):
        _text(_status(model), "sim-status")
        _show(picture.ax.figure, model)


@solara.component
def FeedView(model: CommunityModel) -> None:
    """The top of the feed now: which posts, shares or promotion, and who liked them."""
    update_counter.get()

    def make() -> FeedTopPicture:
        fig = Figure(figsize=_FIGSIZE)
        return FeedTopPicture(fig.add_axes((0.08, 0.12, 0.9, 0.85)), k=_FEED_TOP)

    picture = _picture(model, make)
    posts = feed_top(model)
    picture.update(posts)
    promo = int(posts["what"].isin(["promotion", "spam"]).sum())
    with solara.Column(style={"width": "100%"}, classes=["sim-feed"]):
        _text(
            f"<b>Top of the feed now</b> (ranked by {escape(model.params['feed_ranking'])}): "
            f"{promo} of {len(posts)} posts are promotion"
        )
        _show(picture.ax.figure, model)


@solara.component
def MembersQuality(model: CommunityModel) -> None:
    """Membership and quality of what members read, over time."""
    update_counter.get()
    picture = _picture(model, lambda: _Trends(("honest_members", "quality")))
    picture.update(model)
    with solara.Column(style={"width": "100%"}, classes=["sim-trend-members"]):
        _show(picture.fig, model)


@solara.component
def PromotionEngagement(model: CommunityModel) -> None:
    """Share of promotion in what members read, and engagement, over time."""
    update_counter.get()
    picture = _picture(model, lambda: _Trends(("promo_share", "engagement")))
    picture.update(model)
    with solara.Column(style={"width": "100%"}, classes=["sim-trend-promotion"]):
        _show(picture.fig, model)


@solara.component
def ControlHelp() -> None:
    """What each control means, in the schema's words."""
    with solara.Card("What the controls mean"):
        items = [(_label(PARAMS[name]), PARAMS[name].help) for name in CONTROLS]
        items.append((_SEED["label"], "The same seed gives the same group, the same luck."))
        body = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in items)
        _text(
            f"<ul>{body}</ul>Change a control, then press <b>Reset</b> to start a new group "
            "with it; <b>Step</b> advances one day, <b>▶</b> plays."
        )


@solara.component
def _SidebarEnd(children: list[Any]) -> None:
    """Put ``children`` in the sidebar below SolaraViz's cards (the sidebar orders
    its parts by how deep in the page they are declared)."""
    with solara.Sidebar():
        solara.Column(children=children)


@solara.component
def _Nested(children: list[Any]) -> None:
    _SidebarEnd(children=children)


@solara.component
def ClassApp() -> None:
    """The page: SolaraViz with the class's views, and the controls' help."""
    model = solara.use_memo(lambda: CommunityModel(rng=_SEED["value"]), [])
    solara.Style(_CSS)
    SolaraViz(
        model,
        components=[
            (GroupView, 0),
            (FeedView, 0),
            (MembersQuality, 0),
            (PromotionEngagement, 0),
        ],
        model_params=model_params(),
        name="How self-promotion changes a discussion group",
        play_interval=150,
    )
    _Nested(children=[ControlHelp()])


page = ClassApp()
