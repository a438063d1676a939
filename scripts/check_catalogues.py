"""Check, fill and compile the translation catalogues.

- (no option) fail when a catalogue is incomplete: `make test` runs this, since
  every user-facing string must exist in Swedish, Dutch and English;
- `--fill-english` (run by `make messages`) copies each English msgid to its
  msgstr, since our source strings are English;
- `--compile` writes the .mo files with polib, so installing needs no GNU
  gettext on the machine (Django's compilemessages would).
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("sv", "nl", "en")


def main() -> int:
    fill_english = "--fill-english" in sys.argv
    if "--compile" in sys.argv:
        for path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
            polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
        return 0
    problems = []
    for language in LANGUAGES:
        for name in ("django.po", "djangojs.po"):
            path = ROOT / "locale" / language / "LC_MESSAGES" / name
            if not path.exists():
                if name == "django.po":
                    problems.append(f"{path.relative_to(ROOT)} is missing")
                continue
            catalogue = polib.pofile(str(path))
            if fill_english and language == "en":
                for entry in catalogue:
                    if entry.msgid_plural:
                        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                    else:
                        entry.msgstr = entry.msgid
                    if "fuzzy" in entry.flags:
                        entry.flags.remove("fuzzy")
                catalogue.save()
            untranslated = [e.msgid for e in catalogue.untranslated_entries()]
            fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
            for msgid in untranslated:
                problems.append(f"{path.relative_to(ROOT)}: untranslated: {msgid!r}")
            for msgid in fuzzy:
                problems.append(f"{path.relative_to(ROOT)}: fuzzy: {msgid!r}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} catalogue problems: run `make messages` and translate.")
        return 1
    print("Translation catalogues complete: " + ", ".join(LANGUAGES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
