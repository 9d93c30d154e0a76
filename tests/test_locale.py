"""The class's message catalogue: every marked message is translated, placeholders
match, and the template and the French catalogue are in step with the code."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sim.classroom.locale import LANGUAGES, LOCALE_DIR, Texts, catalogue_path, translation
from sim.errors import UserError

ROOT = Path(__file__).resolve().parents[1]


def _extracted() -> set[str | tuple[str, str]]:
    """Messages marked in the code and notebook 04, as ``pybabel extract`` finds them."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (LOCALE_DIR / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        found.add(tuple(message) if isinstance(message, (list, tuple)) else message)
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.fixture(scope="module")
def extracted() -> set:
    return _extracted()


def test_the_template_lists_what_the_code_marks(extracted: set) -> None:
    with (LOCALE_DIR / "sim.pot").open("rb") as pot:
        template = {m.id for m in read_po(pot) if m.id}
    assert extracted, "nothing extracted: is babel.cfg right?"
    assert template == extracted, (
        "sim.pot is out of date: run the commands in sim/classroom/locale/README.md\n"
        f"new: {sorted(map(str, extracted - template))[:5]}\n"
        f"gone: {sorted(map(str, template - extracted))[:5]}"
    )


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_every_message_is_translated_with_the_same_placeholders(extracted: set, lang: str) -> None:
    with catalogue_path(lang).open("rb") as po:
        catalogue = read_po(po, locale=lang)
    messages = {m.id: m for m in catalogue if m.id}
    assert not set(extracted) - set(messages), "untranslated: update the catalogue"
    for key, message in messages.items():
        assert "fuzzy" not in message.flags, f"unchecked translation: {key!r}"
        ids = key if isinstance(key, tuple) else (key,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"empty translation: {key!r}"
        # a singular form may leave out the count, so compare the forms together
        said = set().union(*map(_fields, strings))
        assert said == set().union(*map(_fields, ids)), f"placeholders differ: {key!r}"
    assert not catalogue.obsolete


def test_french_reads_french() -> None:
    fr = Texts("fr")
    assert fr("Reset") == "Recommencer"
    assert fr.percent(0.27) == "27\u00a0%"
    assert fr.number(1234) == "1\u202f234"
    assert fr.decimal(0.5, 2) == "0,50"
    assert fr.ngettext("{count} like", "{count} likes", 2) == "{count} j'aime"
    assert translation("fr").gettext("day") == "jour"
    en = Texts("en")
    assert en("Reset") == "Reset" and en.percent(0.27) == "27%" and en.number(1234) == "1,234"


def test_an_unknown_language_is_a_user_error() -> None:
    with pytest.raises(UserError, match="unknown language 'fre'.*Did you mean 'fr'"):
        Texts("fre")


# ------------------------------------------------------------------- notebook 04 in French
def test_the_french_notebook_is_the_one_the_catalogue_makes() -> None:
    import json

    from sim.classroom.locale.notebook import NOTEBOOK, render, translate_notebook, translated_path

    made = render(translate_notebook(json.loads(NOTEBOOK.read_text(encoding="utf-8")), "fr"))
    stored = translated_path("fr").read_text(encoding="utf-8")
    assert stored == made, "run: python -m sim.classroom.locale.notebook"
    text = "".join("".join(c["source"]) for c in json.loads(stored)["cells"])
    assert 'LANG = os.environ.get("SIM_NB_LANG", "fr")' in text
    assert "des règles simples peuvent-elles sauver un groupe" in text


@pytest.mark.slow
def test_the_french_notebook_runs_and_prints_french(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Notebook 04 in French, top to bottom at a small size, in a fresh kernel."""
    import nbformat
    from notebook_kernel import notebook_client, small_kernel

    from sim.classroom.locale.notebook import translated_path

    work = small_kernel(tmp_path, monkeypatch)
    nb = nbformat.read(translated_path("fr"), as_version=4)
    notebook_client(nb, work).execute()
    printed = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "Sur 100 membres au départ" in printed
    assert "essais sur 2 se sont effondrés" in printed
    assert "La plus forte chute est entre" in printed
