"""The interface is Chinese by default, English on request, and the Chinese catalogue is complete.

The catalogue checks read the committed .po and .mo files themselves, so a string added to the code
without a translation, a fuzzy guess left in, or a .po edited without recompiling the .mo fails here.
"""
import ast
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db

BASE_DIR = Path(django_settings.BASE_DIR)
CATALOGUE_DIR = BASE_DIR / "config" / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = CATALOGUE_DIR / "django.po"
MO_FILE = CATALOGUE_DIR / "django.mo"
PLACEHOLDER_RE = re.compile(r"%\(\w+\)[sd]")

EMPTY_FORM = {"text": "", "kind": "complaint", "urgency": "ordinary", "contact_phone": ""}


# --- pages in each language -------------------------------------------------------------------


def test_the_public_form_is_chinese_by_default(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "向我们反映问题" in html  # "Tell us about a problem"
    assert "提交诉求" in html  # "Send appeal"
    assert "紧急程度" in html and "投诉" in html  # lazy form labels and model choices too
    assert "Tell us about a problem" not in html
    assert "Send appeal" not in html


def test_the_public_form_is_english_when_the_browser_asks_for_it(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Tell us about a problem" in html
    assert "Send appeal" in html
    assert "向我们反映问题" not in html


def test_validation_errors_from_the_intake_service_are_chinese(client):
    response = client.post("/", EMPTY_FORM)
    html = response.content.decode()
    assert response.status_code == 400
    assert "请描述您遇到的问题。" in html  # "Please describe the problem."
    assert "请修改下方标出的内容。" in html  # "Please correct the fields marked below."
    assert "Please describe the problem." not in html


def test_the_language_switcher_sticks_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = client.get("/").content.decode()  # no Accept-Language: the cookie decides
    assert '<html lang="en">' in html
    assert "Tell us about a problem" in html
    assert "向我们反映问题" not in html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "向我们反映问题" in client.get("/").content.decode()


# --- the catalogue ----------------------------------------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: flags, msgid, msgid_plural and msgstr (a dict of index -> text).

    Multi-line strings (`msgstr ""` followed by quoted continuation lines) are joined, so a wrapped
    translation is not mistaken for an empty one. Obsolete entries (`#~`) are skipped.
    """
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": {}}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid_plural "):
                entry["msgid_plural"] = _unquote(line[len("msgid_plural "):])
                current = ("msgid_plural", None)
            elif line.startswith("msgid "):
                entry["msgid"] = _unquote(line[len("msgid "):])
                current = ("msgid", None)
            elif line.startswith("msgstr["):
                index, _, rest = line[len("msgstr["):].partition("] ")
                entry["msgstr"][int(index)] = _unquote(rest)
                current = ("msgstr", int(index))
            elif line.startswith("msgstr "):
                entry["msgstr"][0] = _unquote(line[len("msgstr "):])
                current = ("msgstr", 0)
            elif line.startswith('"') and current is not None:
                key, index = current
                if key == "msgstr":
                    entry["msgstr"][index] += _unquote(line)
                else:
                    entry[key] += _unquote(line)
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run makemessages -l zh_Hans"
    return parse_po(PO_FILE)


def messages_of(entries: list[dict]) -> list[dict]:
    return [entry for entry in entries if entry["msgid"] != ""]


def test_the_po_header_declares_chinese_with_one_plural_form(po_entries):
    header = next(entry for entry in po_entries if entry["msgid"] == "")
    text = header["msgstr"][0]
    assert "Language: zh_Hans\n" in text
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=1; plural=0;" in text
    assert "fuzzy" not in header["flags"]


def test_no_fuzzy_flag_anywhere():
    assert "fuzzy" not in PO_FILE.read_text(encoding="utf-8")


def test_every_message_is_translated(po_entries):
    messages = messages_of(po_entries)
    assert len(messages) > 200  # the whole interface, not an empty catalogue
    untranslated = [entry["msgid"] for entry in messages if not all(entry["msgstr"].values())]
    assert untranslated == []
    # Chinese has a single plural form: exactly msgstr[0], never a second one.
    plurals = [entry for entry in messages if entry["msgid_plural"] is not None]
    assert plurals
    assert all(set(entry["msgstr"]) == {0} for entry in plurals)


def test_translations_keep_every_placeholder(po_entries):
    broken = []
    for entry in messages_of(po_entries):
        wanted = set(PLACEHOLDER_RE.findall(entry["msgid"] + (entry["msgid_plural"] or "")))
        for text in entry["msgstr"].values():
            if set(PLACEHOLDER_RE.findall(text)) != wanted:
                broken.append(entry["msgid"])
    assert broken == []


def test_the_committed_mo_matches_the_po(po_entries):
    """The .mo is what Django reads; it must be compiled from the current .po."""
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run compilemessages"
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages_of(po_entries):
        if entry["msgid_plural"] is None:
            got = compiled.gettext(entry["msgid"])
        else:
            got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1)
        if got != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == []


def _source_only(directory: str, names: list[str]) -> list[str]:
    """copytree filter: the code and templates, without any locale folder, virtualenv or data."""
    skip = {"locale", "__pycache__", "node_modules"}
    if Path(directory) == BASE_DIR:
        skip |= {"var", "tests"} | {name for name in names if name.startswith(".")}
    return [name for name in names if name in skip]


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xgettext", "msguniq", "msgmerge")),
    reason="GNU gettext is not installed",
)
def test_the_catalogue_covers_every_string_marked_in_the_code(po_entries, settings, tmp_path, monkeypatch):
    """Extract afresh: every string marked in the code must already be in the committed .po.

    makemessages writes into any `locale` folder it meets in the tree it scans, so it runs on a
    scratch copy of the sources that has none, and writes its catalogue under tmp_path only.
    """
    source = tmp_path / "source"
    shutil.copytree(BASE_DIR, source, ignore=_source_only)
    settings.LOCALE_PATHS = [tmp_path / "extracted" / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    fresh = parse_po(tmp_path / "extracted" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert len(messages_of(fresh)) > 200
    known = {entry["msgid"] for entry in messages_of(po_entries)}
    missing = sorted(entry["msgid"] for entry in messages_of(fresh) if entry["msgid"] not in known)
    assert missing == [], "run makemessages -l zh_Hans, translate these, then compilemessages"
