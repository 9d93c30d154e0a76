"""The demo's story: what happened to the groups, told with the measured numbers.

A mean over runs can match no group at all (two groups that collapse and three that
thrive average to one that neither did), so the story counts, for each scenario, the
groups that collapsed and those that survived, with what each kept. It is Markdown, in
the language of the ``Texts`` it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sim.classroom.locale import Texts

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["story", "span", "outcome"]


def span(values: Sequence[float], texts: Texts) -> str:
    """Shares as a class reads them: ``38%``, ``38% and 46%`` or ``92% to 103%``."""
    _ = texts
    shown = [texts.percent(v) for v in sorted(values)]
    if len(shown) == 1:
        return shown[0]
    if len(shown) == 2:
        return _("{first} and {second}").format(first=shown[0], second=shown[1])
    return _("{low} to {high}").format(low=shown[0], high=shown[-1])


def outcome(kept: Sequence[float], collapsed: Sequence[bool], texts: Texts) -> str:
    """How many groups collapsed and how many survived, with the members each kept."""
    _ = texts
    runs = len(kept)
    down = [k for k, c in zip(kept, collapsed, strict=True) if c]
    up = [k for k, c in zip(kept, collapsed, strict=True) if not c]
    if not down:
        return texts.ngettext(
            "the group did not collapse: it kept {kept} of its members",
            "none of the {runs} groups collapsed: they kept {kept} of their members",
            runs,
        ).format(runs=runs, kept=span(up, texts))
    if not up:
        return texts.ngettext(
            "the group collapsed: it kept {kept} of its members",
            "all {runs} groups collapsed: they kept {kept} of their members",
            runs,
        ).format(runs=runs, kept=span(down, texts))
    fell = texts.ngettext(
        "{count} of {runs} groups collapsed (it kept {kept} of its members)",
        "{count} of {runs} groups collapsed (they kept {kept} of their members)",
        len(down),
    ).format(count=len(down), runs=runs, kept=span(down, texts))
    held = texts.ngettext(
        "{count} survived (it kept {kept})", "{count} survived (they kept {kept})", len(up)
    ).format(count=len(up), kept=span(up, texts))
    return _("{collapsed}; {survived}").format(collapsed=fell, survived=held)


def _last_month(daily: pd.DataFrame | None, label: str, column: str) -> float | None:
    if daily is None:
        return None
    runs = daily[daily["scenario"] == label]
    return float(runs.groupby("seed")[column].apply(lambda s: s.iloc[-30:].mean()).mean())


def _scenario_line(sc: Any, rows: pd.DataFrame, daily: pd.DataFrame | None, texts: Texts) -> str:
    _ = texts
    result = outcome(list(rows["honest_ratio"]), list(rows["collapsed"]), texts)
    words = _("- **{scenario}**: {outcome}.").format(scenario=_(sc.phrase), outcome=result)
    quality = texts.decimal(rows["final_quality"].mean(), 2)
    spam = texts.percent(rows["final_spam_share"].mean())
    promo = _last_month(daily, rows["scenario"].iloc[0], "promo_share")
    if promo is None:
        read = _(
            "In the last month the posts people read scored {quality} for quality; "
            "spam was {spam} of them."
        )
    else:
        read = _(
            "In the last month the posts people read scored {quality} for quality; "
            "promotion of any kind was {promo} of them, spam {spam}."
        )
    return words + " " + read.format(quality=quality, spam=spam, promo=texts.percent(promo or 0))


def _collapse_rule(texts: Texts) -> str:
    _ = texts
    from sim.model.params import PARAMS

    threshold = PARAMS["collapse_threshold"].default
    return _(
        "A group *collapses* when fewer than {threshold} of the members who are not "
        "spammers at the start are left."
    ).format(threshold=texts.percent(threshold))


def story(
    summaries: pd.DataFrame,
    days: int,
    scenarios: Sequence[Any],
    texts: Texts | None = None,
    *,
    daily: pd.DataFrame | None = None,
    animated: int | None = None,
) -> str:
    """The demo's story in Markdown, with the numbers measured in this run.

    Parameters
    ----------
    summaries : DataFrame
        One row per run: ``key`` (the scenario), ``seed`` and ``sim.metrics.SUMMARY``.
    days : int
        Days each run lasted.
    scenarios : sequence
        The scenarios in the order to tell them (each with ``key`` and ``phrase``).
    texts : Texts
        The language (English by default).
    daily : DataFrame, optional
        The daily measures, for the share of promotion read in the last month.
    animated : int, optional
        The seed of the unchecked run the animation shows, to say so.
    """
    texts = texts or Texts()
    _ = texts
    seeds = sorted(int(s) for s in summaries["seed"].unique())
    when = _("a year") if days == 365 else _("{days} days").format(days=days)
    lines = [
        "# " + _("The same group, {count} ways to run it").format(count=len(scenarios)),
        "",
        _(
            "The same group of about {members} members, followed for {when} under "
            "{count} scenarios: {runs} runs each, on the same seeds ({first} to {last}), so "
            "that only the spammers and the rules differ."
        ).format(
            members=texts.number(summaries["initial_members"].iloc[0]),
            when=when,
            count=len(scenarios),
            runs=len(seeds),
            first=seeds[0],
            last=seeds[-1],
        )
        + " "
        + _collapse_rule(texts),
        "",
    ]
    counts = {}
    for sc in scenarios:
        rows = summaries[summaries["key"] == sc.key]
        counts[sc.key] = int(rows["collapsed"].sum())
        lines.append(_scenario_line(sc, rows, daily, texts))
    lines += ["", _summary_sentence(counts, len(seeds), when, texts), ""]
    lines += ["## " + _("Reading the figure and the animation"), ""]
    lines += _notes(summaries, len(seeds), animated, texts)
    return "\n".join(lines)


def _summary_sentence(counts: dict[str, int], runs: int, when: str, texts: Texts) -> str:
    _ = texts
    return _(
        "In one sentence: after {when}, {unchecked} of {runs} groups collapsed with no "
        "rules, {etiquette} with the etiquette rules and {moderated} with moderation."
    ).format(
        when=when,
        runs=runs,
        **{k: counts.get(k, 0) for k in ("unchecked", "etiquette", "moderated")},
    )


def _notes(summaries: pd.DataFrame, runs: int, animated: int | None, texts: Texts) -> list[str]:
    _ = texts
    notes = [
        _(
            "- Each line of the figure is the mean of the {runs} runs; the shaded band goes "
            "from the lowest to the highest run, so it shows how much chance matters. A mean "
            "can match no group: read the counts above."
        ).format(runs=runs),
        _(
            "- Members above 100%: a group worth visiting attracts newcomers, so it can end "
            "with more members than it started with."
        ),
        _(
            "- Promotion and spam: promotion is every advertisement, ethical (disclosed, "
            "posted after helping others) or spam (from spammers). A group without "
            "spammers still reads a little promotion, its ethical promoters', and no spam."
        ),
    ]
    if animated is not None:
        run = summaries[(summaries["key"] == "unchecked") & (summaries["seed"] == animated)]
        if len(run):
            mean = summaries.loc[summaries["key"] == "unchecked", "honest_ratio"].mean()
            notes.append(
                _(
                    "- The animation shows one run of the unchecked group (seed {seed}), not "
                    "the mean: it ends with {kept} of its members, the mean of the runs is {mean}."
                ).format(
                    seed=animated,
                    kept=texts.percent(run["honest_ratio"].iloc[0]),
                    mean=texts.percent(mean),
                )
            )
    return notes
