"""The parameter schema refuses what it should and resolves presets."""

from __future__ import annotations

import pytest

from sim.model.params import PARAMS, PRESETS, ParamError, check_value, parse_value, resolve

REQUIRED = [
    "n_members",
    "share_sharers",
    "share_carers",
    "share_promoters",
    "share_spammers",
    "feed_ranking",
    "attention",
    "ring_size",
    "policy",
]


def test_required_names_exist_with_complete_metadata():
    for name in REQUIRED:
        assert name in PARAMS
    for p in PARAMS.values():
        assert p.help and p.group
        if p.type in (int, float):
            assert p.low is not None and p.high is not None
            assert p.low <= p.default <= p.high, p.name
        if p.type is str:
            assert p.default in p.choices


def test_defaults_resolve():
    values = resolve()
    assert set(values) == set(PARAMS)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"share_spammers": 1.5}, "share_spammers"),
        ({"n_members": -3}, "n_members"),
        ({"n_members": 10.5}, "an integer"),
        ({"attention": "lots"}, "attention"),
        ({"feed_ranking": "random"}, "'chronological', 'engagement'"),
        ({"flagging": "maybe"}, "true or false"),
        ({"no_such_thing": 1}, "unknown parameter 'no_such_thing'"),
        ({"share_spamers": 0.1}, "Did you mean 'share_spammers'"),
        ({"share_sharers": 0.5, "share_carers": 0.4, "share_spammers": 0.3}, "sum to"),
        ({"visit_rate": float("nan")}, "visit_rate"),
    ],
)
def test_bad_values_are_refused_with_a_message_naming_them(overrides, fragment):
    with pytest.raises(ParamError, match=None) as err:
        resolve(overrides)
    assert fragment in str(err.value)


def test_preset_applies_and_explicit_values_override_it():
    etiquette = resolve({"policy": "etiquette"})
    for name, value in PRESETS["etiquette"].items():
        assert etiquette[name] == value
    overridden = resolve({"policy": "etiquette", "give_take_ratio": 4})
    assert overridden["give_take_ratio"] == 4
    assert overridden["one_post_per_link"] is True


def test_parse_value_reads_command_line_text():
    assert parse_value("n_members", "500") == 500
    assert parse_value("share_spammers", "0.25") == 0.25
    assert parse_value("flagging", "yes") is True
    assert parse_value("policy", "strict") == "strict"
    assert check_value("attention", 8) == 8.0
    with pytest.raises(ParamError):
        parse_value("n_members", "1e9")
