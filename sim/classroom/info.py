"""The page's Info panel, written for a class: what the model is, how it works, how to
use the page, what to notice and what to try (the headings of a NetLogo model's Info tab).

Each paragraph is a message of the catalogue, so the panel reads the same in every
language the page speaks.
"""

from __future__ import annotations

from html import escape

from sim.classroom.locale import N_, Texts

__all__ = ["INFO", "info_html"]

INFO: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        N_("WHAT IS IT?"),
        (
            N_(
                "A pretend online discussion group, like a group for people in one job. "
                "People stay because others share useful things and help each other. Some "
                "members use the group only to advertise: they are the spammers. What "
                "happens to the group over a year, and can rules save it?"
            ),
        ),
    ),
    (
        N_("HOW IT WORKS"),
        (
            N_(
                "Each day some members visit, read the top of the feed, like and comment on "
                "what they found useful, and post. Sharers post useful material; carers like, "
                "comment and answer; ethical promoters help first, then post about their own "
                "work and say who they work for; lurkers only read."
            ),
            N_(
                "Spammers post ads every day, often off-topic or the same link again, hide who "
                "they work for, and like their colleagues' posts so that the ads climb the "
                "feed. Ads waste readers' time. A member whose visits are not worth it stops "
                "posting, then leaves; the most demanding leave first. A good group attracts "
                "newcomers."
            ),
        ),
    ),
    (
        N_("HOW TO USE IT"),
        (
            N_(
                "Press Step for one day, Play to run at the chosen speed, or Run a year to see "
                "the whole year in a few seconds. Everything stops at day 365."
            ),
            N_(
                "Change a setting, then press Reset: a new group starts with it (a yellow note "
                "says when a change is waiting). Group A and group B have their own settings "
                "and the same people and luck; the Two groups tab shows them side by side."
            ),
            N_(
                "Everyone who opens this page gets their own groups: what you do here does not "
                "change anybody else's screen."
            ),
        ),
    ),
    (
        N_("THINGS TO NOTICE"),
        (
            N_(
                "Watch the orange-red squares (spammers) and the top of the feed: how do ads "
                "reach the top when members do not like them? Look at the hatched part of the "
                "bars."
            ),
            N_(
                "Watch the dots fade before they disappear, and the members line: does it go "
                "down in a straight line, or hold and then collapse? A group has collapsed when "
                "the line crosses the dashed collapse line."
            ),
            N_(
                "Promotion is not always spam: ethical promoters advertise too, openly and after "
                "helping. A healthy group can grow above 100% of its members."
            ),
        ),
    ),
    (
        N_("THINGS TO TRY"),
        (
            N_(
                "Find the smallest share of spammers that makes a group with no rules "
                "collapse. Does doubling the spammers double the damage?"
            ),
            N_(
                "Give group B the etiquette rules, then moderation: which saves the group? What "
                "do the rules cost the honest promoters?"
            ),
            N_(
                "Set the feed to newest first: do the ads still win? Make the spammers' "
                "companies bigger, or the members' attention shorter."
            ),
            N_("Change the luck (seed): is the result the same with other people and other luck?"),
        ),
    ),
)


def info_html(texts: Texts) -> str:
    """The Info panel as HTML, in the language of ``texts``."""
    parts = []
    for heading, paragraphs in INFO:
        body = "".join(f"<p>{escape(texts(p))}</p>" for p in paragraphs)
        parts.append(f"<section><h2>{escape(texts(heading))}</h2>{body}</section>")
    return f'<div class="sim-info">{"".join(parts)}</div>'
