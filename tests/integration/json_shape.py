#!/usr/bin/python3
# tests/integration/json_shape.py DOC NAME JSONFILE - checks a --json document against the
# ```json-shape NAME``` block of docs/json.md.  Prints one line per problem; exit 1 if any.
# Shape language (docs/json.md): "string|null" alternatives, {...} objects (every listed key
# required; extra keys refused unless "..." is listed), [x] arrays of x.
import json
import re
import sys

KINDS = {
    "string": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "real": lambda v: isinstance(v, float),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "any": lambda v: True,
}


def check(shape, value, path, problems):
    if isinstance(shape, str):
        kinds = shape.split("|")
        for k in kinds:
            if k not in KINDS:
                problems.append("%s: unknown type %r in the shape" % (path, k))
                return
        if not any(KINDS[k](value) for k in kinds):
            problems.append("%s: %s is not %s" % (path, json.dumps(value)[:60], shape))
    elif isinstance(shape, list):
        if not isinstance(value, list):
            problems.append("%s: not an array" % path)
            return
        for i, v in enumerate(value):
            check(shape[0], v, "%s[%d]" % (path, i), problems)
    elif isinstance(shape, dict):
        if not isinstance(value, dict):
            problems.append("%s: not an object" % path)
            return
        for k, s in shape.items():
            if k == "...":
                continue
            if k not in value:
                problems.append("%s.%s: missing" % (path, k))
            else:
                check(s, value[k], "%s.%s" % (path, k), problems)
        if "..." not in shape:
            for k in value:
                if k not in shape:
                    problems.append("%s.%s: not documented in docs/json.md" % (path, k))


def main():
    doc, name, path = sys.argv[1:4]
    text = open(doc).read()
    m = re.search(r"```json-shape %s\n(.*?)```" % re.escape(name), text, re.S)
    if not m:
        print("no json-shape block %r in %s" % (name, doc))
        return 1
    shape = json.loads(m.group(1))
    raw = open(path).read()
    if raw.count("\n") != 1 or not raw.endswith("\n"):
        print("%s: not exactly one line" % name)
        return 1
    problems = []
    check(shape, json.loads(raw), name, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


sys.exit(main())
