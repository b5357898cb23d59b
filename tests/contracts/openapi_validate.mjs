#!/usr/bin/env node
// Validates the gateway's OpenAPI document (what GET /openapi.json serves) with @apidevtools/swagger-parser
// (the OpenAPI 3 schema, $refs, path parameters against the templates), then the suite's own rules:
//   - every {name} of a path template is a declared, required path parameter (swagger-parser checks that for
//     Swagger 2 only),
//   - every operation answers its 4xx/5xx with the shared error body {"error": {code, status, reason, message,
//     details}}, and 429 carries Retry-After,
//   - no field a client must not set is offered: no requestId body or query field (the gateway takes it from
//     the Idempotency-Key header), no userId (the user is the signed identity of the call), no path-bound
//     field in the body.
//
//   openapi_validate.mjs ZT_API_DOC      runs `ZT_API_DOC --openapi` and checks its output
//   openapi_validate.mjs --file FILE     checks a saved document
//   openapi_validate.mjs --selftest ZT_API_DOC   broken copies of the document must each be rejected
import { spawnSync } from "node:child_process";
import fs from "node:fs";

function die(message) {
  console.error(`FAIL ${message}`);
  process.exit(1);
}

let SwaggerParser;
try {
  SwaggerParser = (await import("@apidevtools/swagger-parser")).default;
} catch (e) {
  die(`cannot load the npm package @apidevtools/swagger-parser (${e.code || e.message}): run npm ci in the repository`);
}

function load(args) {
  if (args[0] === "--file") return fs.readFileSync(args[1], "utf8");
  const run = spawnSync(args[0], ["--openapi"], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.error || run.status !== 0) die(`${args[0]} --openapi failed: ${run.error || run.stderr}`);
  return run.stdout;
}

// The suite's own rules; returns a list of problems.
function suiteProblems(doc) {
  const problems = [];
  const errorSchema = doc.components?.schemas?.Error?.properties?.error;
  for (const field of ["code", "status", "reason", "message", "details"]) {
    if (!errorSchema?.properties?.[field]) problems.push(`components.schemas.Error has no error.${field}`);
  }
  const responses = doc.components?.responses || {};
  const resolve = (r) => (r && r.$ref ? responses[r.$ref.replace("#/components/responses/", "")] : r);
  for (const [path, item] of Object.entries(doc.paths || {})) {
    const bound = new Set([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    for (const [verb, op] of Object.entries(item)) {
      const where = `${verb.toUpperCase()} ${path}`;
      const codes = Object.keys(op.responses || {});
      for (const code of ["400", "404", "429", "500", "503"]) {
        if (!codes.includes(code)) problems.push(`${where}: no ${code} response`);
      }
      for (const code of codes.filter((c) => /^[45]/.test(c))) {
        const response = resolve(op.responses[code]);
        const ref = response?.content?.["application/json"]?.schema?.$ref;
        if (ref !== "#/components/schemas/Error") problems.push(`${where}: ${code} is not the error body`);
        if (code === "429" && !response?.headers?.["Retry-After"]) problems.push(`${where}: 429 without Retry-After`);
      }
      const params = op.parameters || [];
      for (const name of bound) {
        if (!params.some((p) => p.in === "path" && p.name === name && p.required === true)) {
          problems.push(`${where}: path parameter ${name} is not declared as a required path parameter`);
        }
      }
      const body = op.requestBody?.content?.["application/json"]?.schema?.properties || {};
      for (const name of ["requestId", "userId"]) {
        if (name in body) problems.push(`${where}: the body offers ${name}, which the gateway fills`);
        if (params.some((p) => p.in === "query" && p.name === name)) problems.push(`${where}: query parameter ${name}`);
      }
      for (const name of bound) {
        if (name in body) problems.push(`${where}: the body offers ${name}, which the path binds`);
      }
    }
  }
  return problems;
}

async function check(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return [`not JSON: ${e.message}`];
  }
  const problems = suiteProblems(doc);
  try {
    // validate() dereferences in place: give it a copy.
    await SwaggerParser.validate(structuredClone(doc));
  } catch (e) {
    // The validator lists every consequence of one mistake: keep the first lines.
    const lines = String(e.message).split("\n");
    problems.push(`not valid OpenAPI: ${lines.slice(0, 6).join("\n    ")}${lines.length > 6 ? `\n    (${lines.length - 6} more lines)` : ""}`);
  }
  return problems;
}

const args = process.argv.slice(2);
if (args.length === 0) die("usage: openapi_validate.mjs ZT_API_DOC | --file FILE | --selftest ZT_API_DOC");

if (args[0] === "--selftest") {
  const text = load(args.slice(1));
  const base = await check(text);
  if (base.length) die(`the real document already fails:\n  ${base.join("\n  ")}`);
  const breakages = {
    "a $ref to a missing schema": (d) => {
      d.paths["/v1/orders"].post.responses["200"].content["application/json"].schema.$ref = "#/components/schemas/Nope";
    },
    "a path parameter that is not declared": (d) => {
      d.paths["/v1/orders/{orderId}"].get.parameters = [];
    },
    "an unknown schema type": (d) => {
      d.components.schemas.Error.type = "thing";
    },
    "a body that offers requestId": (d) => {
      d.paths["/v1/orders"].post.requestBody.content["application/json"].schema.properties.requestId = { type: "string" };
    },
    "a 429 without Retry-After": (d) => {
      delete d.components.responses.Error429.headers;
    },
    "an error response without the error body": (d) => {
      d.paths["/v1/orders"].post.responses["404"] = { description: "gone" };
    },
  };
  let failed = 0;
  for (const [name, breakIt] of Object.entries(breakages)) {
    const doc = JSON.parse(text);
    breakIt(doc);
    const problems = await check(JSON.stringify(doc));
    if (problems.length === 0) {
      console.error(`FAIL selftest: ${name} was accepted`);
      failed++;
    } else {
      console.log(`ok selftest: ${name} rejected (${problems[0]})`);
    }
  }
  if (failed) process.exit(1);
  console.log(`${Object.keys(breakages).length} passed, 0 failed`);
  process.exit(0);
}

const problems = await check(load(args));
if (problems.length) die(`the OpenAPI document:\n  ${problems.join("\n  ")}`);
console.log("the OpenAPI document is valid OpenAPI 3 and follows the suite's rules");
