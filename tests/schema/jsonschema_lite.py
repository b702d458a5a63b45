"""A small JSON Schema (draft 2020-12) validator, standard library only.

It supports the keywords osteotrack's schemas (data/schema/) use and refuses
any other, so a schema cannot lean on a keyword that would be silently
ignored here:

  $schema $id $ref (local: "#" and "#/json/pointer") $defs $comment
  title description examples default
  type enum const
  properties required additionalProperties propertyNames
  items prefixItems minItems maxItems
  minimum maximum exclusiveMinimum exclusiveMaximum
  minLength maxLength pattern (Python's re, with re.search as the spec says)
  allOf anyOf oneOf not if then else

`format` is not supported (it is an annotation by default in 2020-12).
Usage:
    errors = Validator(schema).errors(instance, pointer="#/$defs/compare")
    errors is a list of "at /path: message" strings, empty when valid.
"""

import math
import re

ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "examples",
               "default"}
ASSERTIONS = {"$ref", "type", "enum", "const", "properties", "required",
              "additionalProperties", "propertyNames", "items", "prefixItems", "minItems",
              "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
              "minLength", "maxLength", "pattern", "allOf", "anyOf", "oneOf", "not", "if",
              "then", "else"}
KNOWN = ANNOTATIONS | ASSERTIONS
TYPES = {"null", "boolean", "object", "array", "number", "integer", "string"}


class SchemaError(Exception):
    """The schema itself is wrong, or uses a keyword this validator lacks."""


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def type_ok(x, t):
    if t == "null":
        return x is None
    if t == "boolean":
        return isinstance(x, bool)
    if t == "object":
        return isinstance(x, dict)
    if t == "array":
        return isinstance(x, list)
    if t == "string":
        return isinstance(x, str)
    if t == "number":
        return is_number(x) and math.isfinite(x)
    if t == "integer":  # 2020-12: any number with a zero fractional part
        return is_number(x) and math.isfinite(x) and float(x).is_integer()
    raise SchemaError("unknown type %r" % t)


def json_equal(a, b):
    """Equality as JSON sees it: 1 == 1.0, but true != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return a == b


def check_schema(schema, where="#"):
    """Walks a whole schema and raises SchemaError on an unknown keyword."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        raise SchemaError("%s: a schema must be an object or a boolean" % where)
    for key, value in schema.items():
        if key not in KNOWN:
            raise SchemaError("%s: keyword %r is not supported by jsonschema_lite" % (where, key))
        sub = "%s/%s" % (where, key)
        if key in ("properties", "$defs"):
            for name, s in value.items():
                check_schema(s, "%s/%s" % (sub, name))
        elif key in ("allOf", "anyOf", "oneOf", "prefixItems"):
            for i, s in enumerate(value):
                check_schema(s, "%s/%d" % (sub, i))
        elif key in ("additionalProperties", "propertyNames", "items", "not", "if", "then",
                     "else"):
            check_schema(value, sub)
        elif key == "type":
            for t in value if isinstance(value, list) else [value]:
                if t not in TYPES:
                    raise SchemaError("%s: unknown type %r" % (sub, t))
        elif key == "pattern":
            re.compile(value)


class Validator:
    def __init__(self, schema):
        check_schema(schema)
        self.root = schema

    def resolve(self, ref):
        if not ref.startswith("#"):
            raise SchemaError("only local $ref are supported, not %r" % ref)
        node = self.root
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise SchemaError("$ref %r does not resolve" % ref)
        return node

    def errors(self, instance, pointer="#"):
        out = []
        self._validate(instance, self.resolve(pointer), "", out)
        return out

    def is_valid(self, instance, schema):
        out = []
        self._validate(instance, schema, "", out)
        return not out

    def _validate(self, x, s, path, out):
        def err(msg):
            out.append("at %s: %s" % (path or "/", msg))

        if s is True:
            return
        if s is False:
            err("no value is allowed here")
            return
        if "$ref" in s:
            self._validate(x, self.resolve(s["$ref"]), path, out)
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if not any(type_ok(x, t) for t in types):
                err("expected %s, got %s" % (" or ".join(types), short(x)))
                return
        if "enum" in s and not any(json_equal(x, v) for v in s["enum"]):
            err("%s is not one of %s" % (short(x), s["enum"]))
        if "const" in s and not json_equal(x, s["const"]):
            err("expected %s, got %s" % (short(s["const"]), short(x)))

        if is_number(x):
            if "minimum" in s and x < s["minimum"]:
                err("%s is less than the minimum %s" % (x, s["minimum"]))
            if "maximum" in s and x > s["maximum"]:
                err("%s is more than the maximum %s" % (x, s["maximum"]))
            if "exclusiveMinimum" in s and x <= s["exclusiveMinimum"]:
                err("%s is not more than %s" % (x, s["exclusiveMinimum"]))
            if "exclusiveMaximum" in s and x >= s["exclusiveMaximum"]:
                err("%s is not less than %s" % (x, s["exclusiveMaximum"]))

        if isinstance(x, str):
            if "minLength" in s and len(x) < s["minLength"]:
                err("string shorter than %d" % s["minLength"])
            if "maxLength" in s and len(x) > s["maxLength"]:
                err("string longer than %d" % s["maxLength"])
            if "pattern" in s and not re.search(s["pattern"], x):
                err("%s does not match %s" % (short(x), s["pattern"]))

        if isinstance(x, dict):
            for name in s.get("required", []):
                if name not in x:
                    err("required property %r is missing" % name)
            props = s.get("properties", {})
            for name, value in x.items():
                sub = "%s/%s" % (path, name)
                if name in props:
                    self._validate(value, props[name], sub, out)
                elif "additionalProperties" in s:
                    extra = s["additionalProperties"]
                    if extra is False:
                        out.append("at %s: property %r is not allowed" % (path or "/", name))
                    else:
                        self._validate(value, extra, sub, out)
                if "propertyNames" in s:
                    names = []
                    self._validate(name, s["propertyNames"], sub, names)
                    out.extend("%s (property name)" % e for e in names)

        if isinstance(x, list):
            if "minItems" in s and len(x) < s["minItems"]:
                err("fewer than %d items" % s["minItems"])
            if "maxItems" in s and len(x) > s["maxItems"]:
                err("more than %d items" % s["maxItems"])
            prefix = s.get("prefixItems", [])
            for i, item in enumerate(x):
                sub = "%s/%d" % (path, i)
                if i < len(prefix):
                    self._validate(item, prefix[i], sub, out)
                elif "items" in s:
                    self._validate(item, s["items"], sub, out)

        for sub in s.get("allOf", []):
            self._validate(x, sub, path, out)
        if "anyOf" in s:
            if not any(self.is_valid_at(x, sub, path) for sub in s["anyOf"]):
                err("%s matches none of anyOf%s" % (short(x), self.why(x, s["anyOf"], path)))
        if "oneOf" in s:
            n = sum(1 for sub in s["oneOf"] if self.is_valid_at(x, sub, path))
            if n != 1:
                err("%s matches %d of oneOf, not exactly one" % (short(x), n))
        if "not" in s and self.is_valid_at(x, s["not"], path):
            err("%s matches the schema under not" % short(x))
        if "if" in s:
            branch = "then" if self.is_valid_at(x, s["if"], path) else "else"
            if branch in s:
                self._validate(x, s[branch], path, out)

    def is_valid_at(self, x, s, path):
        out = []
        self._validate(x, s, path, out)
        return not out

    def why(self, x, alternatives, path):
        """The errors of each alternative, for a message that helps."""
        parts = []
        for i, sub in enumerate(alternatives):
            out = []
            self._validate(x, sub, path, out)
            parts.append("[%d] %s" % (i, "; ".join(out[:2])))
        return " (" + " | ".join(parts) + ")"


def short(x, limit=60):
    import json
    text = json.dumps(x, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "..."
