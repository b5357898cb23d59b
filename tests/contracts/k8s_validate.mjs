#!/usr/bin/env node
// Validates every object of rendered Kubernetes manifests offline, against the schemas of the npm packages
// kubernetes-models (the Kubernetes API), @kubernetes-models/prometheus-operator (PodMonitor, PrometheusRule) and
// @kubernetes-models/cert-manager (Issuer, Certificate of the optional cert-manager component):
//   - each object's kind must have a model (an unknown apiVersion/kind fails; nothing is skipped),
//   - built-in kinds must use a stable API version (the models keep removed beta versions),
//   - the model's validate() (JSON schema: required fields, types, enums, formats) must pass,
//   - no field may be unknown to the model's type declarations: the JSON schemas allow extra properties, while the
//     API server rejects them (kubectl apply --validate=strict), so a misspelt field would otherwise pass here.
//
//   k8s_validate.mjs PATH...              PATH: a kustomization directory (rendered with `kubectl kustomize`) or a
//                                         YAML file
//   k8s_validate.mjs --selftest PATH...   broken copies of the objects of all PATHs together must each be rejected
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
// The pinned kubectl that deploy/install-deps.sh test unpacks from npm.
const KUBECTL = path.join(REPO, "node_modules", ".bin", "kubectl");
// Where the models of an apiVersion may live; the first package with a matching class wins.
const MODEL_PACKAGES = ["kubernetes-models", "@kubernetes-models/prometheus-operator", "@kubernetes-models/cert-manager"];

function die(message) {
  console.error(`FAIL ${message}`);
  process.exit(1);
}

let YAML;
try {
  YAML = await import("yaml");
} catch (e) {
  die(`cannot load the npm package "yaml" (${e.code || e.message}): run npm ci in ${REPO}`);
}
for (const pkg of MODEL_PACKAGES) {
  if (!findPackageDir(pkg, REPO)) die(`npm package ${pkg} is not installed: run npm ci in ${REPO}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------------------------
function render(target) {
  if (fs.statSync(target).isFile()) return fs.readFileSync(target, "utf8");
  const out = spawnSync(KUBECTL, ["kustomize", target], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (out.error) die(`${KUBECTL} kustomize ${target}: ${out.error.message} (deploy/install-deps.sh test)`);
  if (out.status !== 0) die(`kubectl kustomize ${target} exited ${out.status}: ${out.stderr.trim()}`);
  return out.stdout;
}

function parseObjects(text, source) {
  const objects = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length) die(`${source}: YAML error: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

// ---------------------------------------------------------------------------------------------------------------
// Module resolution over package.json "exports" (types condition), for the .d.ts files of the models
// ---------------------------------------------------------------------------------------------------------------
function findPackageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

function splitSpecifier(spec) {
  const parts = spec.split("/");
  const n = spec.startsWith("@") ? 2 : 1;
  return [parts.slice(0, n).join("/"), "." + (parts.length > n ? "/" + parts.slice(n).join("/") : "")];
}

function exportTarget(entry, condition) {
  if (typeof entry === "string") return entry;
  if (entry && typeof entry === "object") return exportTarget(entry[condition] ?? entry.default, condition);
  return null;
}

// The file a bare specifier maps to under `condition` ("types" or "import"), or null.
function resolvePackageFile(spec, fromDir, condition) {
  const [name, subpath] = splitSpecifier(spec);
  const dir = findPackageDir(name, fromDir);
  if (!dir) return null;
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  let exportsMap = pkg.exports;
  if (typeof exportsMap === "string" || (exportsMap && !Object.keys(exportsMap).some((k) => k.startsWith(".")))) {
    exportsMap = { ".": exportsMap };
  }
  if (!exportsMap) return null;
  if (exportsMap[subpath] !== undefined) {
    const t = exportTarget(exportsMap[subpath], condition);
    return t ? path.join(dir, t) : null;
  }
  for (const [key, value] of Object.entries(exportsMap)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      const middle = subpath.slice(prefix.length, subpath.length - suffix.length);
      const t = exportTarget(value, condition);
      return t ? path.join(dir, t.replace("*", middle)) : null;
    }
  }
  return null;
}

function resolveDeclarationFile(spec, fromFile) {
  if (spec.startsWith(".")) {
    return path.resolve(path.dirname(fromFile), spec.replace(/\.js$/, "") + ".d.ts");
  }
  const file = resolvePackageFile(spec, path.dirname(fromFile), "types");
  if (!file) throw new Error(`cannot resolve ${spec} from ${fromFile}`);
  return file;
}

// ---------------------------------------------------------------------------------------------------------------
// A parser for the subset of TypeScript the models' declarations use
// ---------------------------------------------------------------------------------------------------------------
const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|([A-Za-z_$][\w$]*)|(-?\d+(?:\.\d+)?)|(\S))/y;

function tokenize(text) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  let m;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) {
    if (m[1] !== undefined) tokens.push({ t: "str", v: JSON.parse(m[1]) });
    else if (m[2] !== undefined) tokens.push({ t: "id", v: m[2] });
    else if (m[3] !== undefined) tokens.push({ t: "num", v: m[3] });
    else if (m[4] !== undefined) tokens.push({ t: "p", v: m[4] });
  }
  return tokens;
}

class TypeParser {
  constructor(tokens) {
    this.tokens = tokens;
    this.i = 0;
  }
  peek(v) {
    const tok = this.tokens[this.i];
    return tok && (v === undefined || tok.v === v) ? tok : null;
  }
  next() {
    return this.tokens[this.i++];
  }
  expect(v) {
    const tok = this.next();
    if (!tok || tok.v !== v) throw new Error(`expected ${v}, found ${tok ? tok.v : "end"}`);
    return tok;
  }
  type() {
    const options = [this.postfix()];
    while (this.peek("|")) {
      this.next();
      options.push(this.postfix());
    }
    return options.length === 1 ? options[0] : { k: "union", options };
  }
  postfix() {
    let t = this.primary();
    while (this.peek("[") && this.tokens[this.i + 1]?.v === "]") {
      this.i += 2;
      t = { k: "array", of: t };
    }
    return t;
  }
  primary() {
    if (this.peek("|")) this.next(); // a leading | in multi-line unions
    const tok = this.next();
    if (!tok) throw new Error("type expected");
    if (tok.t === "str" || tok.t === "num") return { k: "prim" };
    if (tok.v === "(") {
      const t = this.type();
      this.expect(")");
      return t;
    }
    if (tok.v === "{") return this.members();
    if (tok.t === "id") {
      if (["string", "number", "boolean", "null", "undefined", "true", "false", "bigint"].includes(tok.v)) {
        return { k: "prim" };
      }
      if (["any", "unknown", "object", "never"].includes(tok.v)) return { k: "any" };
      if (tok.v === "Array" || tok.v === "ReadonlyArray") {
        this.expect("<");
        const of = this.type();
        this.expect(">");
        return { k: "array", of };
      }
      if (tok.v === "Record") {
        this.expect("<");
        this.type();
        this.expect(",");
        const of = this.type();
        this.expect(">");
        return { k: "map", of };
      }
      let name = tok.v;
      while (this.peek(".")) {
        this.next();
        name += "." + this.next().v;
      }
      if (this.peek("<")) throw new Error(`generic type ${name}<...> is not understood`);
      if (this.peek("[") && this.tokens[this.i + 1]?.t === "str") {
        this.next();
        const field = this.next().v;
        this.expect("]");
        return { k: "index", of: { k: "ref", name }, field };
      }
      return { k: "ref", name };
    }
    throw new Error(`unexpected ${tok.v} in a type`);
  }
  // After "{": property signatures and index signatures up to the matching "}".
  members() {
    const fields = new Map();
    let map = null;
    while (!this.peek("}")) {
      if (this.peek("[")) {
        this.next();
        this.next(); // key name
        this.expect(":");
        this.type();
        this.expect("]");
        this.expect(":");
        map = this.type();
      } else {
        const key = this.next();
        if (!key || (key.t !== "str" && key.t !== "id")) throw new Error(`property name expected, found ${key?.v}`);
        if (this.peek("?")) this.next();
        this.expect(":");
        fields.set(key.v, this.type());
      }
      if (this.peek(";") || this.peek(",")) this.next();
    }
    this.expect("}");
    if (fields.size === 0 && map) return { k: "map", of: map };
    return { k: "object", fields, rest: map };
  }
}

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"])\/\/.*$/gm, "$1");
}

// One .d.ts file: its imports, its interfaces and type aliases, and its `export type { A as B }` names.
class DeclarationFile {
  constructor(file) {
    this.file = file;
    this.imports = new Map();
    this.aliases = new Map();
    this.decls = new Map(); // name -> {text, extends} (parsed lazily)
    const text = stripComments(fs.readFileSync(file, "utf8"));
    for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"/g)) {
      for (const part of m[1].split(",")) {
        const [imported, local] = part.trim().split(/\s+as\s+/);
        if (imported) this.imports.set((local || imported).trim(), { spec: m[2], name: imported.trim() });
      }
    }
    // export { type A, B as C } from "./x.js": names of another file, re-exported.
    for (const m of text.matchAll(/export\s+\{([^}]*)\}\s+from\s+"([^"]+)"/g)) {
      for (const part of m[1].split(",")) {
        const [imported, exported] = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/);
        if (imported) this.imports.set((exported || imported).trim(), { spec: m[2], name: imported.trim() });
      }
    }
    for (const m of text.matchAll(/export\s+type\s+\{([^}]*)\}(?!\s*from)/g)) {
      for (const part of m[1].split(",")) {
        const [local, exported] = part.trim().split(/\s+as\s+/);
        if (local && exported) this.aliases.set(exported.trim(), local.trim());
      }
    }
    const re = /export\s+(interface|type)\s+([\w$]+)(?:\s+extends\s+([\w$.,\s]+?))?\s*(=|\{)/g;
    let m;
    while ((m = re.exec(text))) {
      const [, what, name, parents] = m;
      const start = m.index + m[0].length - 1;
      let end;
      if (what === "interface") {
        let depth = 0;
        for (end = start; end < text.length; end++) {
          if (text[end] === "{") depth++;
          else if (text[end] === "}" && --depth === 0) break;
        }
        this.decls.set(name, { source: text.slice(start, end + 1), parents: parents ? parents.split(",").map((s) => s.trim()) : [] });
      } else {
        let depth = 0;
        for (end = start + 1; end < text.length; end++) {
          const c = text[end];
          if ("{<(".includes(c)) depth++;
          else if ("}>)".includes(c)) depth--;
          else if (c === ";" && depth === 0) break;
        }
        this.decls.set(name, { source: text.slice(start + 1, end), parents: [] });
      }
      re.lastIndex = end;
    }
  }
}

class TypeRegistry {
  constructor() {
    this.files = new Map();
    this.types = new Map();
  }
  fileAt(file) {
    if (!this.files.has(file)) {
      if (!fs.existsSync(file)) throw new Error(`declaration file ${file} does not exist`);
      this.files.set(file, new DeclarationFile(file));
    }
    return this.files.get(file);
  }
  // The parsed type named `name` as seen from `file`.
  lookup(file, name) {
    const key = `${file}#${name}`;
    if (this.types.has(key)) return this.types.get(key);
    const decl = this.fileAt(file);
    let type;
    if (decl.decls.has(name)) {
      const { source, parents } = decl.decls.get(name);
      const parser = new TypeParser(tokenize(source));
      type = parser.type();
      if (parser.i !== parser.tokens.length) throw new Error(`${file}: trailing tokens in the type of ${name}`);
      type.file = file;
      if (parents.length && type.k === "object") type.parents = parents.map((p) => ({ file, name: p }));
    } else if (decl.aliases.has(name)) {
      type = this.lookup(file, decl.aliases.get(name));
    } else if (decl.imports.has(name)) {
      const imp = decl.imports.get(name);
      type = this.lookup(resolveDeclarationFile(imp.spec, file), imp.name);
    } else {
      throw new Error(`${file}: type ${name} is neither declared nor imported`);
    }
    this.types.set(key, type);
    return type;
  }
  resolve(type, file) {
    while (type.k === "ref") type = this.lookup(type.file || file, type.name);
    return type;
  }
  // Fields of an object type including those of the interfaces it extends.
  fields(type) {
    if (!type.allFields) {
      const all = new Map(type.fields);
      for (const parent of type.parents || []) {
        const p = this.resolve({ k: "ref", name: parent.name, file: parent.file });
        if (p.k === "object") for (const [k, v] of this.fields(p)) if (!all.has(k)) all.set(k, { ...v, file: v.file || p.file });
      }
      type.allFields = all;
    }
    return type.allFields;
  }
}

const registry = new TypeRegistry();

// Unknown fields of `value` against `type` (declared in `file`), as JSON paths.
function unknownFields(value, type, file, where, out) {
  if (type.file) file = type.file;
  if (type.k === "ref") {
    const resolved = registry.lookup(file, type.name);
    return unknownFields(value, resolved, resolved.file || file, where, out);
  }
  if (type.k === "index") {
    const base = registry.resolve(type.of, file);
    const field = registry.fields(base).get(type.field);
    if (field) unknownFields(value, field, base.file || file, where, out);
    return out;
  }
  if (value === null || typeof value !== "object") return out;
  switch (type.k) {
    case "array":
      if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, type.of, file, `${where}[${i}]`, out));
      break;
    case "map":
      for (const [k, v] of Object.entries(value)) unknownFields(v, type.of, file, `${where}.${k}`, out);
      break;
    case "object": {
      const fields = registry.fields(type);
      for (const [k, v] of Object.entries(value)) {
        if (fields.has(k)) unknownFields(v, fields.get(k), file, `${where}.${k}`, out);
        else if (type.rest) unknownFields(v, type.rest, file, `${where}.${k}`, out);
        else out.push(`${where}.${k}`);
      }
      break;
    }
    case "union": {
      // Walk the first alternative that describes this shape (objects or arrays); primitives need nothing.
      const want = Array.isArray(value) ? "array" : "object";
      for (const option of type.options) {
        const r = option.k === "ref" ? registry.resolve(option, file) : option;
        if (r.k === want || (want === "object" && r.k === "map")) return unknownFields(value, r, r.file || file, where, out);
      }
      break;
    }
    default:
      break; // prim (the schema checked the type) or any
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------------
const modelCache = new Map();

async function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let found = null;
  if (/^[\w.-]+(\/[\w.-]+)?$/.test(apiVersion) && /^[A-Z]\w*$/.test(kind)) {
    for (const pkg of MODEL_PACKAGES) {
      const spec = `${pkg}/${apiVersion}/${kind}`;
      const jsFile = resolvePackageFile(spec, HERE, "import");
      if (!jsFile || !fs.existsSync(jsFile)) continue;
      const mod = await import(pathToFileURL(jsFile).href);
      const cls = mod[kind];
      if (cls && cls.apiVersion === apiVersion && cls.kind === kind && typeof cls.prototype.validate === "function") {
        const dts = resolvePackageFile(spec, HERE, "types");
        const iface = registry.lookup(dts, `I${kind}`);
        found = { cls, iface, dts, pkg };
        break;
      }
    }
  }
  modelCache.set(key, found);
  return found;
}

// Problems of one object (empty when valid).
async function checkObject(obj) {
  const name = `${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"}`;
  if (!obj || typeof obj !== "object" || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
    return [`${name}: not a Kubernetes object (apiVersion and kind are required)`];
  }
  const model = await modelFor(obj.apiVersion, obj.kind);
  if (!model) return [`${name}: no schema for apiVersion ${obj.apiVersion} kind ${obj.kind} in ${MODEL_PACKAGES.join(", ")}`];
  const problems = [];
  // The models keep pre-release versions that Kubernetes has since removed (autoscaling/v2beta1,
  // extensions/v1beta1, ...) or does not serve by default: built-in kinds must use a stable version.
  if (model.pkg === "kubernetes-models" && /(alpha|beta)\d*$/.test(obj.apiVersion)) {
    problems.push(`${name}: ${obj.apiVersion} is a pre-release API version; use the stable one`);
  }
  const copy = structuredClone(obj);
  // kustomize wraps long base64 values over lines; the API server's base64 decoder (Go) skips line breaks, the
  // schema's "byte" format does not.
  if (copy.kind === "Secret" || copy.kind === "ConfigMap") {
    const data = copy.kind === "Secret" ? copy.data : copy.binaryData;
    for (const k of Object.keys(data || {})) if (typeof data[k] === "string") data[k] = data[k].replace(/[\r\n]/g, "");
  }
  try {
    new model.cls(copy).validate();
  } catch (e) {
    problems.push(`${name}: ${e.message}`);
  }
  let unknown;
  try {
    unknown = unknownFields(obj, model.iface, model.dts, "", []);
  } catch (e) {
    return [...problems, `${name}: cannot read the type declarations of ${model.pkg}: ${e.message}`];
  }
  for (const field of unknown) problems.push(`${name}: unknown field ${field.slice(1)}`);
  return problems;
}

async function checkAll(objects) {
  const problems = [];
  for (const obj of objects) problems.push(...(await checkObject(obj)));
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Self-test: each mutation of real objects must be rejected
// ---------------------------------------------------------------------------------------------------------------
const find = (objects, kind, pred = () => true) => {
  const o = objects.find((x) => x.kind === kind && pred(x));
  if (!o) throw new Error(`the input has no ${kind} to mutate`);
  return o;
};
const container = (objects) => find(objects, "Deployment").spec.template.spec.containers[0];

// [what, mutation, the problem it must cause]
const MUTATIONS = [
  ["misspelt field", (o) => {
    const c = container(o);
    c.readinesProbe = c.readinessProbe;
    delete c.readinessProbe;
  }, /unknown field spec\.template\.spec\.containers\[0\]\.readinesProbe/],
  ["unknown field deep in a pod", (o) => { container(o).securityContext.readOnlyRootFileSystem = true; },
    /unknown field .*securityContext\.readOnlyRootFileSystem/],
  ["port as a string", (o) => { container(o).ports[0].containerPort = String(container(o).ports[0].containerPort); },
    /containerPort must be integer/],
  ["missing required container name", (o) => { delete container(o).name; }, /required property name/],
  ["value outside an enum", (o) => { container(o).imagePullPolicy = "Sometimes"; }, /imagePullPolicy must be equal/],
  ["unknown kind", (o) => { find(o, "ConfigMap").kind = "ConfigMapp"; }, /no schema for apiVersion v1 kind ConfigMapp/],
  ["removed apiVersion", (o) => { find(o, "HorizontalPodAutoscaler").apiVersion = "autoscaling/v2beta1"; },
    /pre-release API version/],
  ["wrong type in an HPA", (o) => { find(o, "HorizontalPodAutoscaler").spec.maxReplicas = "many"; },
    /maxReplicas must be integer/],
  ["unknown field in an HPA metric", (o) => { find(o, "HorizontalPodAutoscaler").spec.metrics[0].resource.targett = {}; },
    /unknown field spec\.metrics\[0\]\.resource\.targett/],
  ["unknown field in an Ingress backend", (o) => {
    find(o, "Ingress").spec.rules[0].http.paths[0].backend.service.portNumber = 80;
  }, /unknown field .*backend\.service\.portNumber/],
  ["unknown NetworkPolicy field", (o) => { find(o, "NetworkPolicy").spec.podSelectors = {}; },
    /unknown field spec\.podSelectors/],
  ["unknown PodMonitor field", (o) => { find(o, "PodMonitor").spec.podMetricsEndpoints[0].portName = "metrics"; },
    /unknown field spec\.podMetricsEndpoints\[0\]\.portName/],
  ["PrometheusRule without spec", (o) => { delete find(o, "PrometheusRule").spec; }, /required property spec/],
  ["PrometheusRule rule of the wrong type", (o) => { find(o, "PrometheusRule").spec.groups[0].rules[0].expr = ["up"]; },
    /expr must/],
  ["unknown field in a PrometheusRule rule", (o) => { find(o, "PrometheusRule").spec.groups[0].rules[0].fro = "5m"; },
    /unknown field spec\.groups\[0\]\.rules\[0\]\.fro/],
  ["object without a kind", (o) => { delete find(o, "Service").kind; }, /not a Kubernetes object/],
  ["Certificate without secretName", (o) => { delete find(o, "Certificate").spec.secretName; },
    /required property secretName/],
  ["Certificate usage outside the enum", (o) => { find(o, "Certificate").spec.usages.push("serverAuth"); },
    /usages\/\d+ must be equal/],
  ["unknown field in a Certificate", (o) => { find(o, "Certificate").spec.dnsName = ["product"]; },
    /unknown field spec\.dnsName/],
  ["unknown field in an Issuer", (o) => { find(o, "Issuer").spec.ca.secret = "zhongtai-ca"; },
    /unknown field spec\.ca\.secret/],
];

async function selftest(objects) {
  const failures = [];
  const clean = await checkAll(objects);
  if (clean.length) failures.push(`the unmodified input is not valid: ${clean[0]}`);
  for (const [what, mutate, expected] of MUTATIONS) {
    const copy = structuredClone(objects);
    try {
      mutate(copy);
    } catch (e) {
      failures.push(`${what}: ${e.message}`);
      continue;
    }
    const problems = await checkAll(copy);
    const hit = problems.find((p) => expected.test(p));
    if (!hit) failures.push(`not caught: ${what} (problems: ${problems.length ? problems.join("; ") : "none"})`);
    else console.log(`caught ${what}: ${hit}`);
  }
  return failures;
}

// ---------------------------------------------------------------------------------------------------------------
async function main(argv) {
  const self = argv[0] === "--selftest";
  const targets = self ? argv.slice(1) : argv;
  if (targets.length === 0) die("usage: k8s_validate.mjs [--selftest] KUSTOMIZATION_DIR|FILE...");
  let failed = 0;
  if (self) {
    // One set of objects from every PATH, so that each mutation finds the kind it breaks in one of them.
    const objects = targets.flatMap((target) => parseObjects(render(target), target));
    const problems = await selftest(objects);
    for (const p of problems) console.log(`FAIL ${targets.join(" ")}: ${p}`);
    if (problems.length === 0) console.log(`ok: ${MUTATIONS.length} broken copies of ${targets.join(" + ")} rejected`);
    return problems.length ? 1 : 0;
  }
  for (const target of targets) {
    const objects = parseObjects(render(target), target);
    if (objects.length === 0) {
      console.log(`FAIL ${target}: renders no objects`);
      failed++;
      continue;
    }
    const problems = await checkAll(objects);
    for (const p of problems) console.log(`FAIL ${target}: ${p}`);
    failed += problems.length;
    if (problems.length === 0) {
      const kinds = [...new Set(objects.map((o) => o.kind))].sort();
      console.log(`ok: ${target}: ${objects.length} objects valid (${kinds.join(", ")})`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
