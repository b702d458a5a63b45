#!/usr/bin/env python3
"""The schemas' vocabulary is the library's (issue 20).

Output (report.schema.json): each enumeration of a vocabulary equals the
list the public ot_*_name() functions give, in the library's order (or the
named part of it a field can hold: a marker's analyte is p1np or ctx).

Input (patient.schema.json, facility.schema.json): osteotrack reads a site,
agent, unit, ... as a canonical name or an alias, in any (ASCII) case. Each
such field has a pattern generated here from the names (ot_*_name()) and
the aliases (the alias tables of src/lib/vocab.c, which the public API does
not list; each alias is checked through ot_*_parse(), so a table this
script misreads fails the test). The test then checks, for every name and
alias in three cases and for words that are not in the vocabulary (knee,
a name with a letter more), that the schema's pattern and ot_*_parse()
agree.

Usage: check_vocab.py VOCAB_DUMP SOURCE_DIR [--write]
  --write  rewrites the patterns of patient and facility.schema.json.
"""

import json
import os
import re
import subprocess
import sys

# (schema, JSON pointer, vocabulary, the values the field holds, or None: all)
OUTPUT = [
    ("report", "/$defs/site/enum", "site", None),
    ("report", "/$defs/agent/enum", "agent", None),
    ("report", "/$defs/analyte/enum", "analyte", ["bmd", "p1np", "ctx", "fracture"]),
    ("report", "/$defs/significance/enum", "significance", None),
    ("report", "/$defs/flag_code/enum", "flag_code", None),
    ("report", "/$defs/flag/properties/severity/enum", "severity", None),
    ("report", "/$defs/bmd_comparison/properties/vs_expected/enum", "vs_expected", None),
    ("report", "/$defs/marker_result/properties/analyte/enum", "analyte", ["p1np", "ctx"]),
    ("report", "/$defs/marker_result/properties/unit/enum", "unit", ["ug/L", "ng/L"]),
    ("report", "/$defs/marker_result/properties/rule/enum", "marker_rule", None),
    ("report", "/$defs/marker_result/properties/response/enum", "response", None),
    ("report", "/properties/assessment/enum", "assessment", None),
    ("report", "/$defs/side/enum", "side", None),
    ("report", "/$defs/region/enum", "spine_region", None),
    ("report", "/properties/patient/properties/sex/enum", "sex", None),
    ("report", "/properties/patient/properties/menopausal_status/enum", "menopause", None),
]
# Output enumerations that may also hold null.
NULLABLE = {"/properties/patient/properties/sex/enum",
            "/properties/patient/properties/menopausal_status/enum"}

# (schema, JSON pointer of the subschema with the pattern, vocabulary, values)
INPUT = [
    ("patient", "/properties/sex", "sex", None),
    ("patient", "/properties/menopausal_status", "menopause", None),
    ("patient", "/$defs/site", "site", None),
    ("patient", "/$defs/fracture_site", "fracture_site", None),
    ("patient", "/$defs/agent", "agent", None),
    ("patient", "/$defs/unit", "unit", None),
    ("patient", "/$defs/manufacturer", "manufacturer", None),
    ("patient", "/$defs/observation/properties/side", "side", None),
    ("patient", "/$defs/observation/properties/region", "spine_region", None),
    # a dose is not an observation of a JSON document (it goes in "doses")
    ("patient", "/$defs/observation/properties/analyte", "analyte",
     ["bmd", "p1np", "ctx", "fracture"]),
    ("patient", "/$defs/observation/allOf/0/if/properties/analyte", "analyte", ["bmd"]),
    ("patient", "/$defs/observation/allOf/1/if/properties/analyte", "analyte", ["p1np", "ctx"]),
    ("patient", "/$defs/observation/allOf/2/if/properties/analyte", "analyte", ["fracture"]),
    ("facility", "/$defs/site", "site", None),
    ("facility", "/properties/markers/propertyNames", "analyte", ["p1np", "ctx"]),
]
TABLES = {"site": "site", "analyte": "analyte", "agent": "agent", "mfr": "manufacturer",
          "fx": "fracture_site", "sex": "sex", "menopause": "menopause", "unit": "unit",
          "side": "side", "region": "spine_region"}
NOT_WORDS = ["knee", "", " spine", "spine ", "hipp", "xyz"]


def pointer(doc, ptr):
    for part in ptr.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def c_string(text):
    """A C string literal's contents (ASCII, \\xNN escapes of UTF-8) as text."""
    raw = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text)
    return raw.replace('\\"', '"').replace("\\\\", "\\").encode("latin-1").decode("utf-8")


def aliases(src):
    with open(os.path.join(src, "src", "lib", "vocab.c"), encoding="utf-8") as f:
        text = f.read()
    out = {}
    for table, body in re.findall(r"static const alias (\w+)_aliases\[\] = \{(.*?)\};", text,
                                  re.S):
        out[TABLES[table]] = [c_string(s) for s in
                              re.findall(r'\{"((?:[^"\\]|\\.)*)",\s*OT_\w+\}', body)]
    return out


def ci(word):
    """A pattern for word in any ASCII case, as the library compares."""
    out = []
    for ch in word:
        if "a" <= ch.lower() <= "z":
            out.append("[%s%s]" % (ch.upper(), ch.lower()))
        elif ch in "^$\\.*+?()[]{}|":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def main():
    dump, src = sys.argv[1], sys.argv[2]
    write = "--write" in sys.argv[3:]
    names = json.loads(subprocess.run([dump], check=True, capture_output=True,
                                      text=True).stdout)
    table = aliases(src)

    def parse(pairs):
        text = "".join("%s\t%s\n" % p for p in pairs)
        out = subprocess.run([dump, "parse"], input=text.encode("utf-8"), check=True,
                             capture_output=True).stdout.decode("utf-8").splitlines()
        return [None if r == "-" else r for r in out]

    failed = 0
    # Every word of the vocabulary, with the canonical name it parses to.
    words = {}
    for kind, al in table.items():
        got = parse([(kind, w) for w in al])
        for w, r in zip(al, got):
            if r is None:
                failed += 1
                print("FAIL alias %r of src/lib/vocab.c: ot_%s_parse() refuses it" % (w, kind))
        words[kind] = [(n, n) for n in names[kind]] + [(w, r) for w, r in zip(al, got) if r]
    for kind in set(k for _, _, k, _ in INPUT) - set(words):
        failed += 1
        print("FAIL no alias table for %s in src/lib/vocab.c" % kind)

    schemas = {}
    for name in ("report", "patient", "facility"):
        with open(os.path.join(src, "data", "schema", name + ".schema.json"),
                  encoding="utf-8") as f:
            schemas[name] = json.load(f)

    n = 0
    for schema, ptr, kind, only in OUTPUT:
        want = [v for v in names[kind] if only is None or v in only]
        if only and set(only) - set(names[kind]):
            failed += 1
            print("FAIL %s: %s not in the library's %s" % (ptr, set(only) - set(names[kind]),
                                                          kind))
        if ptr in NULLABLE:
            want = want + [None]
        got = pointer(schemas[schema], ptr)
        n += 1
        if got != want:
            failed += 1
            print("FAIL %s.schema.json#%s is %s;\n     the library's %s: %s" % (
                schema, ptr, json.dumps(got), kind, json.dumps(want)))
    print("ok   %d output enumerations checked against the library" % n)

    changed = set()
    agreed = 0
    for schema, ptr, kind, only in INPUT:
        vocab = [w for w, v in words.get(kind, []) if only is None or v in only]
        pattern = "^(?:" + "|".join(ci(w) for w in vocab) + ")$"
        node = pointer(schemas[schema], ptr)
        if node.get("pattern") != pattern:
            if write:
                node["pattern"] = pattern
                changed.add(schema)
            else:
                failed += 1
                print("FAIL %s.schema.json#%s/pattern is not the one of the library's %s%s "
                      "(check_vocab.py --write makes it):\n     %s" % (
                          schema, ptr, kind, "" if only is None else " " + "/".join(only),
                          pattern))
                continue
        # The pattern and the library agree on each word, in three cases, and on non-words.
        trials = []
        for w in [w for w, _ in words[kind]] + NOT_WORDS:
            trials += sorted({w, w.upper(), w.title(), w + "x", "x" + w})
        tool = parse([(kind, t) for t in trials])
        for t, r in zip(trials, tool):
            tool_ok = r is not None and (only is None or r in only)
            schema_ok = re.search(pattern, t) is not None
            agreed += 1
            if tool_ok != schema_ok:
                failed += 1
                print("FAIL %s.schema.json#%s %s %r, osteotrack %s it" % (
                    schema, ptr, "accepts" if schema_ok else "refuses", t,
                    "accepts" if tool_ok else "refuses"))
    for schema in sorted(changed):
        with open(os.path.join(src, "data", "schema", schema + ".schema.json"), "w",
                  encoding="utf-8") as f:
            f.write(json.dumps(schemas[schema], indent=2, ensure_ascii=False) + "\n")
        print("wrote %s.schema.json" % schema)
    print("ok   %d input patterns: schema and osteotrack agree on %d words" % (
        len(INPUT), agreed))
    print("%s" % ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
