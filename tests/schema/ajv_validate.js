#!/usr/bin/env node
// Validates JSON documents against osteotrack's schemas (data/schema/) with
// ajv in strict mode: the same as `ajv --spec=draft2020 --strict=true -c
// ajv-formats`. Every schema is compiled first; a schema that strict mode
// refuses (an unknown keyword or format, strictRequired, strictTypes,
// strictTuples, ...) ends the run with status 2.
//
// Input (stdin), one JSON document:
//   {"schemas": ["data/schema/report.schema.json", ...],
//    "jobs": [{"schema": "urn:osteotrack:schema:report#/$defs/compare",
//              "instance": ...}, ...]}
// Output (stdout): {"ajv": VERSION, "errors": [[...], ...]}, one list of
// error messages a job, empty when its instance is valid.
// Installed by scripts/setup.sh (npm ci in tests/schema).
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv, { mode: "full" });

const ids = [];
for (const file of input.schemas) {
  const schema = JSON.parse(fs.readFileSync(file, "utf8"));
  try {
    ajv.addSchema(schema);
    ajv.getSchema(schema.$id); // compiles it: strict mode checks now
  } catch (e) {
    console.error("ajv_validate: " + path.basename(file) + " fails ajv strict: " + e.message);
    process.exit(2);
  }
  ids.push(schema.$id);
}

const out = { ajv: require("ajv/package.json").version, schemas: ids, errors: [] };
for (const job of input.jobs || []) {
  let validate;
  try {
    validate = ajv.getSchema(job.schema);
  } catch (e) {
    console.error("ajv_validate: " + job.schema + " fails ajv strict: " + e.message);
    process.exit(2);
  }
  if (!validate) {
    console.error("ajv_validate: no schema " + job.schema);
    process.exit(2);
  }
  out.errors.push(validate(job.instance) ? [] :
    validate.errors.map((e) => "at " + (e.instancePath || "/") + ": " + e.message +
                               (e.params && Object.keys(e.params).length ?
                                " " + JSON.stringify(e.params) : "") +
                               " (" + e.schemaPath + ")"));
}
process.stdout.write(JSON.stringify(out) + "\n");
