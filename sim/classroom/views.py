"""What the page shows of a group, as HTML and SVG: its members, its feed, its health.

Each view is a function from a model to text the browser draws, cheap enough to
redraw every day of a year in a minute. Colours and shapes are the teaching pictures'
(``sim.figures.teaching``), so the app, the demo and the animation share one key.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.classroom.charts import Axis, Line, chart_html, nice_top
from sim.classroom.controls import control
from sim.classroom.locale import N_, Texts
from sim.figures.teaching import (
    FEED_COLOURS,
    STRATEGY_COLOURS,
    STRATEGY_LEGEND,
    STRATEGY_MARKERS,
    member_alpha,
    member_positions,
    member_sizes,
)
from sim.model.feed import Kind
from sim.model.params import PARAMS

if TYPE_CHECKING:
    from sim.model.model import CommunityModel

__all__ = [
    "FEED_TOP",
    "feed_top",
    "feed_html",
    "feed_key",
    "members_svg",
    "members_key",
    "say_status",
    "status_html",
    "trend_charts",
]

FEED_TOP = 8  # posts shown in the feed view
KINDS = {
    "share": N_("member's share"),
    "question": N_("question"),
    "promotion": N_("ethical promotion (disclosed)"),
    "spam": N_("spam"),
}


def _what(kind: int, by_spammer: bool) -> str:
    if by_spammer:
        return "spam"
    return {Kind.SHARE: "share", Kind.QUESTION: "question"}.get(kind, "promotion")


def _post_label(feed: Any, row: int, day: int, texts: Texts) -> str:
    _ = texts
    what = _what(int(feed.kind[row]), bool(feed.by_spammer[row]))
    words = [texts(KINDS[what])]
    if feed.kind[row] == Kind.PROMOTION and not feed.disclosed[row]:
        words.append(_("affiliation hidden"))
    if feed.offtopic[row]:
        words.append(_("off-topic"))
    if feed.repost[row]:
        words.append(_("repost"))
    age = day - int(feed.created[row])
    words.append(_("today") if age == 0 else _("{days} d old").format(days=age))
    return ", ".join(words)


def feed_top(model: CommunityModel, k: int = FEED_TOP, texts: Texts | None = None) -> pd.DataFrame:
    """The ``k`` best-ranked posts the members see now, with their likes.

    Ranks as the model does, rules on likes included, so coordinated likes that lift
    promotion show where they act.
    """
    texts = texts or Texts()
    feed = model.feed
    rows = model.ranked_feed()[:k]
    return pd.DataFrame(
        {
            "what": [_what(int(feed.kind[r]), bool(feed.by_spammer[r])) for r in rows],
            "likes": feed.likes[rows],
            "likes_company": feed.likes_company[rows],
            "comments": feed.comments[rows],
            "label": [_post_label(feed, int(r), model.day, texts) for r in rows],
        }
    )


def _hatched(colour: str) -> str:
    return f"repeating-linear-gradient(135deg,{colour} 0 4px,#fff 4px 7px)"


def feed_html(model: CommunityModel, texts: Texts) -> str:
    """The top of the feed: one bar of likes per post, company likes hatched."""
    _ = texts
    posts = feed_top(model, texts=texts)
    most = max(1, int(posts["likes"].max()) if len(posts) else 1)
    rows = []
    for i, post in enumerate(posts.itertuples(index=False)):
        colour = FEED_COLOURS[post.what]
        own, ring = post.likes - post.likes_company, post.likes_company
        likes = texts.ngettext("{count} like", "{count} likes", int(post.likes))
        rows.append(
            f'<li data-what="{post.what}"><span class="sim-rank">{i + 1}</span>'
            f'<span class="sim-bar"><span style="width:{60 * own / most:.1f}%;'
            f'background:{colour}"></span><span style="width:{60 * ring / most:.1f}%;'
            f'background:{_hatched(colour)}"></span></span>'
            f'<span class="sim-post">{escape(post.label)} · '
            f"{escape(likes.format(count=int(post.likes)))}</span></li>"
        )
    promo = int(posts["what"].isin(["promotion", "spam"]).sum())
    ranking = control("feed_ranking").say(model.params["feed_ranking"], texts)
    head = _("Top of the feed ({ranking}): {promo} of {count} posts are promotion").format(
        ranking=ranking, promo=promo, count=len(posts)
    )
    items = "".join(rows)
    return f'<div class="sim-feed-head">{escape(head)}</div><ol class="sim-feed-list">{items}</ol>'


def feed_key(texts: Texts) -> str:
    """The feed's key: what each bar colour means, and the hatching."""
    _ = texts
    items = [
        f'<span><i style="background:{FEED_COLOURS[k]}"></i>{escape(texts(w))}</span>'
        for k, w in KINDS.items()
    ]
    items.append(
        f'<span><i style="background:{_hatched("#555")}"></i>'
        f"{escape(_('likes from the author’s own company'))}</span>"
    )
    return f'<div class="sim-key">{"".join(items)}</div>'


def _shapes(xy: np.ndarray, radius: np.ndarray, square: bool) -> str:
    """Dots in tenths of a place (whole numbers keep the markup short)."""
    x, y, r = (np.rint(10 * v).astype(int) for v in (xy[:, 0], xy[:, 1], radius))
    if square:  # one path of squares
        steps = "".join(
            f"M{a - c} {b - c}h{2 * c}v{2 * c}h{-2 * c}z" for a, b, c in zip(x, y, r, strict=True)
        )
        return f'<path d="{steps}"/>'
    return "".join(f'<circle cx="{a}" cy="{b}" r="{c}"/>' for a, b, c in zip(x, y, r, strict=True))


def members_svg(model: CommunityModel) -> str:
    """The members as dots at stable places: colour = strategy, spammers square,
    size = activity, faded = dissatisfied; members who left are gone."""
    s = model.state
    present = np.flatnonzero(s.present)
    xy = member_positions(len(s.present))[present]
    radius = 0.115 * np.sqrt(member_sizes(s.activity[present]))
    fade = np.rint(10 * member_alpha(s.satisfaction[present], s.standard[present])) / 10
    strategy = np.asarray(s.strategy[present], dtype=int)
    limit = int(np.ceil(10.4 * max(float(np.sqrt(len(s.present) + 0.5)), 1.0)))
    groups = []
    for code, colour in enumerate(STRATEGY_COLOURS):
        for level in np.unique(fade[strategy == code]):
            chosen = (strategy == code) & (fade == level)
            shapes = _shapes(xy[chosen], radius[chosen], STRATEGY_MARKERS[code] == "s")
            groups.append(f'<g fill="{colour}" fill-opacity="{level:g}">{shapes}</g>')
    return (
        f'<svg class="sim-dots" viewBox="{-limit} {-limit} {2 * limit} {2 * limit}"'
        f' role="img" data-members="{len(present)}">{"".join(groups)}</svg>'
    )


def _swatch(colour: str, marker: str, opacity: float = 1.0, size: int = 12) -> str:
    half = size / 2
    paint = f'fill="{colour}" fill-opacity="{opacity}"'
    shape = (
        f'<rect width="{size}" height="{size}" {paint}/>'
        if marker == "s"
        else f'<circle cx="{half}" cy="{half}" r="{half}" {paint}/>'
    )
    return f'<svg width="{size}" height="{size}" aria-hidden="true">{shape}</svg>'


def members_key(texts: Texts) -> str:
    """The dots' key: colour and shape per role, then size and fading."""
    _ = texts
    items = [
        f"<span>{_swatch(c, m)}{escape(texts(t))}</span>"
        for c, m, t in zip(STRATEGY_COLOURS, STRATEGY_MARKERS, STRATEGY_LEGEND, strict=True)
    ]
    grey = "#555555"
    items.append(
        f"<span>{_swatch(grey, 'o', size=8)}{_swatch(grey, 'o', size=14)}"
        f"{escape(_('bigger: more active'))}</span>"
    )
    items.append(
        f"<span>{_swatch(grey, 'o')}{_swatch(grey, 'o', 0.25)}"
        f"{escape(_('faded: unhappy, about to stop posting or leave'))}</span>"
    )
    return f'<div class="sim-key">{"".join(items)}</div>'


def say_status(day: int, honest: int, start: int, spammers: int, texts: Texts) -> str:
    """The day, the members who are not spammers (and their share of the start), the
    spammers: the line under the page's dots and the animation's caption."""
    _ = texts
    return _(
        "Day {day}: {honest} members who are not spammers ({kept} of the start), "
        "{spammers} spammers"
    ).format(
        day=day,
        honest=texts.number(honest),
        kept=texts.percent(honest / max(start, 1)),
        spammers=texts.number(spammers),
    )


def status_html(model: CommunityModel, texts: Texts, name: str = "") -> str:
    """The group's name (A or B) with its rules and spammers, then its status line."""
    _ = texts
    start = model.datacollector.model_vars["honest_members"][0]
    t = model.today
    line = say_status(model.day, t["honest_members"], start, t["spammers"], texts)
    head = ""
    if name:
        said = [
            _("{label}: {value}").format(
                label=_(control(c).label), value=control(c).say(model.params[c], texts)
            )
            for c in ("policy", "share_spammers")
        ]
        group = _("Group {name}").format(name=name)
        head = (
            f'<div class="sim-group-name"><b>{escape(group)}</b> · {escape(" · ".join(said))}</div>'
        )
    return f'{head}<div class="sim-status" data-day="{model.day}">{escape(line)}</div>'


# The trend charts: (column, title) in words a class reads.
TRENDS: tuple[tuple[str, str], ...] = (
    ("honest_members", N_("Members who stay (spammers not counted)")),
    ("quality", N_("How good the posts people read are")),
    ("promo_share", N_("Share of what people read that is promotion")),
    ("engagement", N_("Likes and comments per member per day")),
)


def _series(model: CommunityModel, column: str) -> tuple[np.ndarray, np.ndarray]:
    data = model.datacollector.model_vars
    days = np.asarray(data["day"], dtype=float)
    values = np.asarray(data[column], dtype=float)
    if column == "honest_members":
        return days, 100.0 * values / max(values[0], 1.0)
    if column == "promo_share":
        values = 100.0 * values
    # noisy daily measures as a 7-day moving average, as in the demo's figure
    smooth = pd.Series(values).rolling(7, min_periods=1).mean().to_numpy()
    return days, smooth


def _axis(column: str, lines: list[Line], texts: Texts) -> Axis:
    _ = texts
    if column == "quality":
        return Axis(1.0, tuple((v, texts.decimal(v, 1)) for v in (0.0, 0.5, 1.0)))
    if column == "promo_share":
        return Axis(100.0, tuple((v, texts.percent(v / 100)) for v in (0, 50, 100)))
    if column == "honest_members":
        top = nice_top([float(np.nanmax(line.values)) for line in lines], 125.0)
        ticks = tuple((v, texts.percent(v / 100)) for v in np.arange(0, top + 1, 50))
        threshold = 100.0 * PARAMS["collapse_threshold"].default
        return Axis(top, ticks, (threshold, _("collapse")))
    top = nice_top([float(np.nanmax(line.values)) for line in lines], 0.5)
    digits = 2 if top < 1 else 1
    return Axis(top, tuple((v, texts.decimal(v, digits)) for v in (0.0, top / 2, top)))


def trend_charts(
    groups: dict[str, CommunityModel], styles: dict[str, tuple[str, str]], days: int, texts: Texts
) -> list[str]:
    """The four health charts, one line per group on shared fixed axes.

    ``styles`` gives each group's colour and dash; lines are labelled at their ends
    with the group's name.
    """
    _ = texts
    charts = []
    for column, title in TRENDS:
        lines = [
            Line(name, *_series(model, column), *styles[name], key=name)
            for name, model in groups.items()
        ]
        axis = _axis(column, lines, texts)
        charts.append(
            chart_html(texts(title), lines, axis, days, _("day"), name=f"sim-trend-{column}")
        )
    return charts
