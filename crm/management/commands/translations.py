"""`manage.py translations`: the message catalogues under locale/ (issue 14).

    python manage.py translations build /tmp/i18n/*.json   # extract + fill + compile, in one go
    python manage.py translations extract                  # makemessages for en, id, nl, nb
    python manage.py translations fill FILE.json [...]     # translations from JSON files
    python manage.py translations compile                  # the .mo files (committed)
    python manage.py translations check                    # `make test`: complete and current

A translation file is one JSON object per msgid (the English text):
    {"Customers": {"id": "Pelanggan", "nl": "Klanten", "nb": "Kunder"},
     "%(counter)s customer": {"plural": "%(counter)s customers",
                              "id": ["%(counter)s pelanggan"],
                              "nl": ["%(counter)s klant", "%(counter)s klanten"],
                              "nb": ["%(counter)s kunde", "%(counter)s kunder"]},
     "month\\u0004May": {"id": "Mei", "nl": "mei", "nb": "mai"}}   (pgettext: context\\x04msgid)
(or {"msgctxt": ..., "msgid": ..., "id": ...} under any key). Filling keeps every translation
the catalogue already has unless a file gives a new one, never takes a translation whose
placeholders differ from the msgid's, and writes English as its own translation. Running
`build` again with the same files changes nothing.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.commands import makemessages
from django.test.utils import override_settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["en", "id", "nl", "nb"]
TRANSLATED = ["id", "nl", "nb"]  # English is the source: msgstr = msgid
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "id": "nplurals=1; plural=0;",
    "nl": "nplurals=2; plural=(n != 1);",
    "nb": "nplurals=2; plural=(n != 1);",
}
NPLURALS = {lang: int(re.search(r"nplurals=(\d+)", rule)[1]) for lang, rule in PLURAL_FORMS.items()}
# Top-level folders that hold no user-facing text (tests assert English; bench is tooling).
IGNORED = ["tests", "bench", "var", "staticfiles", "node_modules", "htmlcov"]
PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACES = re.compile(r"\{[^{}]*\}")


class _Makemessages(makemessages.Command):
    """Django's makemessages without fuzzy matching: a changed text is untranslated (the
    check names it) rather than carrying a guessed translation of a similar one."""

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]


def catalogue(lang: str, base: Path = LOCALE_DIR) -> Path:
    return base / lang / "LC_MESSAGES" / "django.po"


def entry_key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def extract(*, verbosity: int = 0) -> None:
    """makemessages over the whole project (but IGNORED and dot folders such as .venv) into
    locale/, without obsolete entries."""
    for lang in LANGUAGES:  # makemessages only updates the locales that have a folder
        catalogue(lang).parent.mkdir(parents=True, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(settings.BASE_DIR)
    try:
        call_command(
            _Makemessages(),
            locale=LANGUAGES,
            domain="django",
            ignore_patterns=list(IGNORED),
            no_obsolete=True,
            add_location="file",
            verbosity=verbosity,
        )
    finally:
        os.chdir(cwd)
    for lang in LANGUAGES:
        po = polib.pofile(str(catalogue(lang)), wrapwidth=79)
        normalise_header(po, lang)
        po.save()


def fresh_msgids() -> set[tuple]:
    """What makemessages would extract from the source now: made in a temporary folder
    that links the project's folders (everything but locale/), so locale/ is not touched."""
    base = Path(settings.BASE_DIR)
    with tempfile.TemporaryDirectory(prefix="crm-i18n-") as tmp:
        tmp_path = Path(tmp)
        for child in base.iterdir():
            if child.name in {"locale", *IGNORED} or child.name.startswith("."):
                continue
            (tmp_path / child.name).symlink_to(child)
        locale_dir = tmp_path / "_locale"
        locale_dir.mkdir()
        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            with override_settings(LOCALE_PATHS=[locale_dir]):
                call_command(
                    _Makemessages(),
                    locale=["en"],
                    domain="django",
                    ignore_patterns=list(IGNORED),
                    symlinks=True,
                    verbosity=0,
                )
        finally:
            os.chdir(cwd)
        po = polib.pofile(str(catalogue("en", locale_dir)))
        return {(e.msgctxt, e.msgid, e.msgid_plural) for e in po if not e.obsolete}


def normalise_header(po: polib.POFile, lang: str) -> None:
    """A header of our own: right plural forms, no dates (they would change the files on
    every run), no placeholder lines, not fuzzy."""
    po.header = (
        f"Sales CRM: {dict(settings.LANGUAGES).get(lang, lang)} ({lang}).\n"
        "Built by `python manage.py translations build`; see README, Languages."
    )
    po.metadata = {
        "Project-Id-Version": "Sales CRM",
        "Report-Msgid-Bugs-To": "",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS[lang],
    }
    po.metadata_is_fuzzy = False


def load_translations(paths: list[Path]) -> tuple[dict[str, dict], list[str]]:
    """Every file's entries by key (msgctxt\\x04msgid); later files win. Warnings name
    keys two files translate differently."""
    merged: dict[str, dict] = {}
    source: dict[str, Path] = {}
    warnings = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            warnings.append(f"{path}: skipped, not readable JSON ({exc})")
            continue
        if not isinstance(data, dict):
            warnings.append(f"{path}: skipped, not a JSON object")
            continue
        for key, value in data.items():
            if not isinstance(value, dict):
                warnings.append(f"{path}: {key!r} skipped, not an object")
                continue
            if "msgid" in value:
                ctx = value.get("msgctxt")
                key = f"{ctx}\x04{value['msgid']}" if ctx else value["msgid"]
            previous = merged.get(key)
            if previous is not None:
                differs = any(
                    previous.get(lang) and value.get(lang) and previous[lang] != value[lang]
                    for lang in TRANSLATED
                )
                if differs:
                    warnings.append(
                        f"{path}: {key!r} translated differently in {source[key]}; {path.name} wins"
                    )
                value = {**previous, **{k: v for k, v in value.items() if v}}
            merged[key] = value
            source[key] = path
    return merged, warnings


def _specs(text: str, entry: polib.POEntry) -> Counter:
    found: Counter = Counter()
    if "python-format" in entry.flags:
        found.update(PRINTF.findall(text))
    if "python-brace-format" in entry.flags:
        found.update(BRACES.findall(text))
    return found


def _forms(value, count: int) -> list[str] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return None
    if not all(v.strip() for v in value):
        return None
    if len(value) < count:
        value = value + [value[-1]] * (count - len(value))
    return value[:count]


def fill(po: polib.POFile, lang: str, translations: dict[str, dict]) -> tuple[int, list[str]]:
    """Put the translations for `lang` into `po`; returns how many entries changed and
    the problems met (a translation that drops or adds a placeholder is not used)."""
    changed = 0
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if lang == "en":
            new_plural = {0: entry.msgid, 1: entry.msgid_plural} if entry.msgid_plural else None
            if entry.msgid_plural and entry.msgstr_plural != new_plural:
                entry.msgstr_plural = new_plural
                changed += 1
            elif not entry.msgid_plural and entry.msgstr != entry.msgid:
                entry.msgstr = entry.msgid
                changed += 1
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                changed += 1
            continue
        given = translations.get(entry_key(entry), {}).get(lang)
        if not given:
            continue
        if entry.msgid_plural:
            forms = _forms(given, NPLURALS[lang])
            if forms is None:
                problems.append(f"{lang}: {entry_key(entry)!r}: not a list of translations")
                continue
            wanted = _specs(entry.msgid_plural, entry)
            singular = _specs(entry.msgid, entry)
            bad = [f for f in forms if _specs(f, entry) not in (wanted, singular)]
            if bad:
                problems.append(
                    f"{lang}: {entry_key(entry)!r}: placeholders differ from the English"
                )
                continue
            new = dict(enumerate(forms))
            if entry.msgstr_plural != new or "fuzzy" in entry.flags:
                entry.msgstr_plural = new
                changed += 1
        else:
            text = given if isinstance(given, str) else (_forms(given, 1) or [""])[0]
            if not text.strip():
                continue
            if _specs(text, entry) != _specs(entry.msgid, entry):
                problems.append(
                    f"{lang}: {entry_key(entry)!r}: placeholders differ from the English"
                )
                continue
            if entry.msgstr != text or "fuzzy" in entry.flags:
                entry.msgstr = text
                changed += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    return changed, problems


def compile_mo(po_path: Path, mo_path: Path) -> None:
    if shutil.which("msgfmt"):
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(mo_path), str(po_path)],
            check=True,
            capture_output=True,
            text=True,
        )
    else:  # make run on a machine without gettext: polib writes the same catalogue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


def problems_of(lang: str) -> list[str]:
    """Untranslated or fuzzy entries and header faults of one catalogue."""
    path = catalogue(lang)
    if not path.exists():
        return [f"{path} is missing: run `python manage.py translations build`"]
    po = polib.pofile(str(path))
    found = []
    if po.metadata.get("Plural-Forms") != PLURAL_FORMS[lang]:
        found.append(f"{lang}: Plural-Forms is {po.metadata.get('Plural-Forms')!r}")
    if po.metadata_is_fuzzy:
        found.append(f"{lang}: the header is fuzzy")
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"{lang}: fuzzy: {entry_key(entry)!r}")
        elif not entry.translated():
            found.append(f"{lang}: untranslated: {entry_key(entry)!r}")
    if shutil.which("msgfmt"):
        result = subprocess.run(
            ["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", str(path)],
            capture_output=True,
            text=True,
        )
        stats = result.stderr.strip()
        if result.returncode != 0 or "untranslated" in stats or "fuzzy" in stats:
            found.append(f"{lang}: msgfmt --statistics: {stats}")
    return found


class Command(BaseCommand):
    help = "Build and check the message catalogues in locale/ (en, id, nl, nb)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("extract", help="makemessages for en, id, nl and nb")
        fill_parser = sub.add_parser("fill", help="fill the catalogues from JSON files")
        fill_parser.add_argument("files", nargs="+", type=Path)
        sub.add_parser("compile", help="compile the .mo files")
        build = sub.add_parser("build", help="extract, fill from JSON files, compile")
        build.add_argument("files", nargs="*", type=Path)
        sub.add_parser("check", help="fail on an untranslated, fuzzy or stale catalogue")

    def handle(self, *args, action: str, **options) -> None:
        verbosity = options["verbosity"]
        if action in ("extract", "build"):
            extract(verbosity=max(0, verbosity - 1))
            self.stdout.write("Extracted the messages into locale/ (en, id, nl, nb).")
        if action in ("fill", "build"):
            self.fill(options["files"])
        if action in ("compile", "build"):
            for lang in LANGUAGES:
                compile_mo(catalogue(lang), catalogue(lang).with_suffix(".mo"))
            self.stdout.write("Compiled locale/*/LC_MESSAGES/django.mo.")
        if action == "check":
            self.check_catalogues()

    def fill(self, files: list[Path]) -> None:
        translations, warnings = load_translations(files)
        for warning in warnings:
            self.stderr.write(f"warning: {warning}")
        for lang in LANGUAGES:
            path = catalogue(lang)
            if not path.exists():
                raise CommandError(f"{path} is missing: run `translations extract` first")
            po = polib.pofile(str(path), wrapwidth=79)
            normalise_header(po, lang)
            changed, problems = fill(po, lang, translations)
            po.save()
            for problem in problems:
                self.stderr.write(f"not used: {problem}")
            total = len([e for e in po if not e.obsolete])
            done = len([e for e in po.translated_entries() if not e.obsolete])
            self.stdout.write(f"{lang}: {done}/{total} translated ({changed} changed)")

    def check_catalogues(self) -> None:
        found = []
        current = fresh_msgids()
        en = catalogue("en")
        if en.exists():
            committed = {
                (e.msgctxt, e.msgid, e.msgid_plural)
                for e in polib.pofile(str(en))
                if not e.obsolete
            }
            new = sorted(current - committed, key=str)
            gone = sorted(committed - current, key=str)
            found += [f"not in the catalogues yet: {m[1]!r}" for m in new]
            found += [f"no longer in the source: {m[1]!r}" for m in gone]
        for lang in LANGUAGES:
            found += problems_of(lang)
        with tempfile.TemporaryDirectory() as tmp:
            for lang in LANGUAGES:
                po, mo = catalogue(lang), catalogue(lang).with_suffix(".mo")
                if not po.exists():
                    continue
                fresh = Path(tmp) / f"{lang}.mo"
                compile_mo(po, fresh)
                if not mo.exists() or mo.read_bytes() != fresh.read_bytes():
                    found.append(f"{lang}: django.mo is not compiled from django.po")
        if found:
            shown = "\n  ".join(found[:40])
            more = f"\n  ... and {len(found) - 40} more" if len(found) > 40 else ""
            raise CommandError(
                f"The catalogues are not complete and current ({len(found)} problems):\n  "
                f"{shown}{more}\nMark the text, add its translations to a JSON file and "
                "run `python manage.py translations build FILES.json` (README, Languages)."
            )
        self.stdout.write("Catalogues complete and current: en, id, nl, nb.")
