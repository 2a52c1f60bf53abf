#!/usr/bin/env python3
"""Keep the nynorsk catalogue in step with the English one, without makemessages.

The English catalogue (locale/en/LC_MESSAGES/django.po) lists every msgid of the UI (the source
strings are bokmål). This script compares the nynorsk catalogue (locale/nn/LC_MESSAGES/django.po)
against it:

    scripts/nn_missing.py                 # list en msgids missing (or empty) in nn; exit 1 if any
    scripts/nn_missing.py --json out.json # the missing entries as JSON, msgstr pre-filled with the
                                          # bokmål source, for a translator to edit
    scripts/nn_missing.py --merge in.json # append the translated entries of in.json to the nn .po
                                          # (entries with an empty msgstr are skipped);
                                          # then check with msgfmt -c

No third-party packages: the .po reader is the same small one the tests use.
"""

import argparse
import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EN = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
NN = ROOT / "locale" / "nn" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstr (list), flags, obsolete,
    references (the '#:' lines)."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry = {
            "msgctxt": None,
            "msgid": "",
            "msgid_plural": None,
            "msgstr": {},
            "flags": set(),
            "obsolete": False,
            "references": [],
        }
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#:"):
                entry["references"].append(line[2:].strip())
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line
            ):
                word, index, value = match.groups()
                if word == "msgstr":
                    key = ("msgstr", int(index or 0))
                    entry["msgstr"][key[1]] = ast.literal_eval(value)
                else:
                    key = (word, None)
                    entry[word] = ast.literal_eval(value)
            elif line.startswith('"') and key is not None:
                if key[0] == "msgstr":
                    entry["msgstr"][key[1]] += ast.literal_eval(line)
                else:
                    entry[key[0]] += ast.literal_eval(line)
        entry["msgstr"] = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
        entries.append(entry)
    return entries


def _key(entry: dict) -> tuple:
    return (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))


def missing(en_path: Path = EN, nn_path: Path = NN) -> list[dict]:
    """English entries (not the header, not obsolete) that nynorsk lacks or leaves empty."""
    translated = set()
    if nn_path.exists():
        translated = {
            _key(e)
            for e in parse_po(nn_path)
            if not e["obsolete"] and e["msgstr"] and all(e["msgstr"])
        }
    return [e for e in parse_po(en_path)[1:] if not e["obsolete"] and _key(e) not in translated]


def quote(text: str) -> str:
    """A .po string literal; long or multi-line strings split after each newline."""

    def one(part: str) -> str:
        escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
        return '"' + escaped.replace("\n", "\\n") + '"'

    if "\n" in text[:-1]:
        parts = text.splitlines(keepends=True)
        return '""\n' + "\n".join(one(p) for p in parts)
    return one(text)


def format_entry(entry: dict) -> str:
    lines = [f"#: {ref}" for ref in entry.get("references", [])]
    if entry.get("msgctxt") is not None:
        lines.append(f"msgctxt {quote(entry['msgctxt'])}")
    lines.append(f"msgid {quote(entry['msgid'])}")
    if entry.get("msgid_plural") is not None:
        lines.append(f"msgid_plural {quote(entry['msgid_plural'])}")
        for i, text in enumerate(entry["msgstr"]):
            lines.append(f"msgstr[{i}] {quote(text)}")
    else:
        lines.append(f"msgstr {quote(entry['msgstr'][0])}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the missing entries as JSON")
    parser.add_argument("--merge", type=Path, help="append translated entries from JSON")
    args = parser.parse_args(argv)

    if args.merge:
        wanted = {_key(e) for e in missing()}
        entries = json.loads(args.merge.read_text(encoding="utf-8"))
        blocks = []
        for e in entries:
            e.setdefault("msgid_plural", None)
            e.setdefault("msgctxt", None)
            if isinstance(e["msgstr"], str):
                e["msgstr"] = [e["msgstr"]]
            if _key(e) not in wanted:
                continue
            if not e["msgstr"] or not all(e["msgstr"]):
                print(f"untranslated, skipped: {e['msgid']!r}", file=sys.stderr)
                continue
            blocks.append(format_entry(e))
            wanted.discard(_key(e))
        with NN.open("a", encoding="utf-8") as po:
            for block in blocks:
                po.write("\n" + block + "\n")
        print(f"appended {len(blocks)} entries to {NN.relative_to(ROOT)}; {len(wanted)} missing")
        return 0

    todo = missing()
    if args.json:
        payload = [
            {
                "references": e["references"],
                "msgctxt": e["msgctxt"],
                "msgid": e["msgid"],
                "msgid_plural": e["msgid_plural"],
                "msgstr": [e["msgid"]]
                if e["msgid_plural"] is None
                else [e["msgid"], e["msgid_plural"]],
            }
            for e in todo
        ]
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{len(todo)} missing entries written to {args.json}")
    else:
        for e in todo:
            print(repr(e["msgid"]) + (f" / {e['msgid_plural']!r}" if e["msgid_plural"] else ""))
        print(f"{len(todo)} en msgids missing in nn", file=sys.stderr)
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main())
