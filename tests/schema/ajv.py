"""Runs ajv_validate.js (ajv in strict mode, pinned in package-lock.json) for
the Python tests of tests/schema. Nothing is skipped: without node or the
npm packages the test fails and says to run scripts/setup.sh."""

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = ("report", "patient", "facility")


def urn(schema, pointer="#"):
    return "urn:osteotrack:schema:" + schema + ("" if pointer == "#" else pointer)


def validate(src, jobs):
    """jobs: [(schema, pointer, instance)]; returns (ajv version, [errors of each])."""
    node = shutil.which("node")
    if not node or not os.path.isdir(os.path.join(HERE, "node_modules", "ajv-formats")):
        print("FAIL %s not installed: bash scripts/setup.sh --deps-only installs it "
              "(npm ci in tests/schema)" % ("node" if not node else "ajv"))
        sys.exit(1)
    doc = {"schemas": [os.path.join(src, "data", "schema", s + ".schema.json") for s in SCHEMAS],
           "jobs": [{"schema": urn(s, p), "instance": x} for s, p, x in jobs]}
    run = subprocess.run([node, os.path.join(HERE, "ajv_validate.js")],
                         input=json.dumps(doc).encode("utf-8"), capture_output=True)
    if run.returncode != 0:
        print("FAIL " + run.stderr.decode("utf-8", "replace").strip())
        sys.exit(1)
    out = json.loads(run.stdout)
    return out["ajv"], out["errors"]
