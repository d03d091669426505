"""Fill empty msgstr entries of a .po file from a Python dict of translations (used once per new string batch):
python scripts/po_fill.py locale/id/LC_MESSAGES/django.po translations.py"""

import re
import runpy
import sys


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(po_path: str, table_path: str) -> None:
    table = runpy.run_path(table_path)
    singular, plural = table.get("T", {}), table.get("PLURAL", {})
    with open(po_path, encoding="utf-8") as fh:
        blocks = fh.read().split("\n\n")
    missing = []
    for i, block in enumerate(blocks):
        m = re.search(r"^msgid ((?:\".*\"\n?)+)", block, re.M)
        if not m or i == 0:
            continue
        msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))).replace('\\"', '"')
        fuzzy = bool(re.search(r"^#,.*\bfuzzy\b", block, re.M))
        if fuzzy:
            # msgmerge's guess from a similar string is usually wrong: drop it and its "#|" history.
            block = re.sub(r"^#\|.*\n", "", block, flags=re.M)
            block = re.sub(r"^(#,.*?)\bfuzzy,?[ \t]*", r"\1", block, flags=re.M)
            block = re.sub(r"^#,\s*\n", "", block, flags=re.M)
            block = re.sub(r'^(msgstr(?:\[\d\])?) ".*"$', r'\1 ""', block, flags=re.M)
        if "msgid_plural" in block:
            if msgid in plural and 'msgstr[0] ""' in block:
                block = block.replace('msgstr[0] ""', f"msgstr[0] {_quote(plural[msgid])}")
                block = block.replace('msgstr[1] ""', f"msgstr[1] {_quote(plural[msgid])}")
            elif msgid not in plural:
                missing.append(msgid)
        elif re.search(r'^msgstr ""\s*$', block, re.M) and block.rstrip().endswith('msgstr ""'):
            if msgid in singular:
                block = block.rstrip()[: -len('msgstr ""')] + f"msgstr {_quote(singular[msgid])}"
            else:
                missing.append(msgid)
        block = block.replace("#, fuzzy\n", "")
        blocks[i] = block
    with open(po_path, "w", encoding="utf-8") as fh:
        fh.write("\n\n".join(blocks))
    for msgid in missing:
        print("untranslated:", msgid)


if __name__ == "__main__":
    main(*sys.argv[1:3])
