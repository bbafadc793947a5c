#!/usr/bin/env node
// Copies the pinned third-party CSS/JS that the zhichan server embeds from
// node_modules into crates/server/assets/vendor/, writes manifest.json and the
// licence files, and scans every copied file for http(s) URLs.
//
//   node vendor.mjs           (re)write crates/server/assets/vendor/
//   node vendor.mjs --check   only compare: exit 1 if the committed files differ
//
// The vendor/ folder is generated: anything in it not produced here is removed.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acorn from 'acorn';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const nodeModules = path.join(here, 'node_modules');
const outDir = path.join(repoRoot, 'crates', 'server', 'assets', 'vendor');
const reportPath = path.join(here, 'url-scan.json');
const checkOnly = process.argv.includes('--check');

// [package, path inside the package, name under vendor/]
const FILES = [
  ['modern-normalize', 'modern-normalize.css', 'modern-normalize.css'],
  ['swagger-ui-dist', 'swagger-ui-bundle.js', 'swagger-ui-bundle.js'],
  ['swagger-ui-dist', 'swagger-ui.css', 'swagger-ui.css'],
  ['echarts', 'dist/echarts.min.js', 'echarts.min.js'],
];

// Extra third-party notices shipped beside a bundle; copied into licenses/.
const EXTRA_NOTICES = [
  ['swagger-ui-dist', 'swagger-ui-bundle.js.LICENSE.txt', 'swagger-ui-dist.bundled-deps.LICENSE.txt'],
  ['echarts', 'licenses/LICENSE-d3', 'echarts.LICENSE-d3.txt'],
];

function die(msg) {
  console.error(`vendor.mjs: ${msg}`);
  process.exit(1);
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

function readPkg(name) {
  const file = path.join(nodeModules, name, 'package.json');
  if (!fs.existsSync(file)) die(`${file} missing: run \`npm ci\` in ${here} first`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// Pinned versions must be exact, and node_modules must hold exactly them.
const ownPkg = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
const pkgs = new Map();
for (const name of new Set(FILES.map((f) => f[0]))) {
  const pinned = ownPkg.dependencies?.[name];
  if (!pinned || !/^\d+\.\d+\.\d+$/.test(pinned)) die(`${name} must be pinned to an exact version in package.json`);
  const pj = readPkg(name);
  if (pj.version !== pinned) die(`node_modules has ${name}@${pj.version}, package.json pins ${pinned}: run \`npm ci\``);
  pkgs.set(name, pj);
}

function homepageOf(pj) {
  if (pj.homepage) return pj.homepage;
  let repo = typeof pj.repository === 'string' ? pj.repository : pj.repository?.url;
  if (!repo) return null;
  repo = repo.replace(/^git\+/, '').replace(/\.git$/, '');
  let m;
  if ((m = repo.match(/^git@github\.com:(.+)$/))) return `https://github.com/${m[1]}`;
  if ((m = repo.match(/^(?:github:)?([\w.-]+\/[\w.-]+)$/))) return `https://github.com/${m[1]}`;
  return repo;
}

function licenseOf(pj) {
  if (typeof pj.license === 'string') return pj.license;
  if (pj.license?.type) return pj.license.type;
  die(`${pj.name}: no "license" in package.json`);
}

// Finds LICENSE / NOTICE (any case, optional .md/.txt) at the package root.
function findTopFile(pkgName, base) {
  const dir = path.join(nodeModules, pkgName);
  const re = new RegExp(`^${base}(\\.(md|txt))?$`, 'i');
  const hit = fs.readdirSync(dir).filter((f) => re.test(f)).sort()[0];
  return hit ? path.join(dir, hit) : null;
}

// Removes `//# sourceMappingURL=...` (also the old `//@` form) and
// `/*# sourceMappingURL=... */` comments; whole lines when they stand alone.
function stripSourceMap(text) {
  let out = text
    .replace(/^[ \t]*\/\/[#@][ \t]*sourceMappingURL=[^\r\n]*(\r?\n|$)/gm, '')
    .replace(/^[ \t]*\/\*[#@][ \t]*sourceMappingURL=[^*]*?\*\/[ \t]*(\r?\n|$)/gm, '')
    .replace(/\/\/[#@][ \t]*sourceMappingURL=[^\r\n]*/g, '')
    .replace(/\/\*[#@][ \t]*sourceMappingURL=[^*]*?\*\//g, '');
  if (out !== text) out = out.replace(/\s+$/, '') + '\n';
  return out;
}

// ---------------------------------------------------------------- URL scan
// Kinds, from harmless to worrying:
//   comment        inside a /* */ or // comment (licence headers, notes)
//   xml-namespace  W3C namespace names (SVG, XLink, XHTML, MathML, XML)
//   data-uri       inside a data: URI (e.g. xmlns of an inline SVG image)
//   schema-id      JSON Schema / OpenAPI identifiers compared as strings
//   doc-link       links in error messages/docs (RFCs, GitHub, React...) and
//                  <a href> targets Autolinker builds (twitter.com/..., etc.)
//   base-url       dummy base for `new URL(rel, base)` parsing, never fetched
//   placeholder    bare "http://", example.com, non-ASCII test hosts
//   runtime-default  a URL the library really requests unless configured off
//   css-load       url()/@import in CSS pointing at a host: always an error
//   other          nothing above matched: review by hand
const RUNTIME_DEFAULTS = [/^https?:\/\/validator\.swagger\.io\//];
const XMLNS = /^https?:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink|1999\/xhtml|XML\/1998\/namespace|2000\/xmlns\/?|1998\/Math\/MathML)$/;
const SCHEMA_IDS = /^https?:\/\/(json-schema\.org|spec\.openapis\.org|swagger\.io\/v2\/schema\.json|asyncapi\.com)\b/;
const DOC_HOSTS = /^https?:\/\/([\w-]+\.)*(ietf\.org|rfc-editor\.org|github\.com|reactjs\.org|react\.dev|redux\.js\.org|fb\.me|spdx\.org|apache\.org|mozilla\.org|swagger\.io|w3\.org|whatwg\.org|chromium\.org|vladimirgorej\.com|twitter\.com|facebook\.com|instagram\.com|tiktok\.com|soundcloud\.com|mdn\.io|npmjs\.com|nodejs\.org)(\/|$|[?#])/;
// swagger.io: apidom's fallback base when location is not http(s);
// vladimirgorej.com and base${...}: bases used only to parse/sanitize URLs.
const BASE_URLS = /^https:\/\/(swagger\.io$|vladimirgorej\.com$|base\$\{)/;
const PLACEHOLDER = /^https?:\/\/($|[^/]*\$\{|(www\.)?example\.(com|org|net)\b|[^/]*[^\x00-\x7f])/;

function commentRanges(text, isCss) {
  if (!isCss) {
    // JS: a real parser, so regex literals and nested template strings
    // cannot confuse where comments are.
    const ranges = [];
    acorn.parse(text, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowHashBang: true,
      onComment: (_block, _text, start, end) => ranges.push([start, end]),
    });
    return ranges;
  }
  // CSS: only strings and /* */ comments matter.
  const ranges = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      ranges.push([i, stop]);
      i = stop;
    } else i++;
  }
  return ranges;
}

function scanUrls(text, isCss) {
  const comments = commentRanges(text, isCss);
  const inComment = (pos) => {
    // ranges are sorted: binary search
    let lo = 0, hi = comments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = comments[mid];
      if (pos < a) hi = mid - 1;
      else if (pos >= b) lo = mid + 1;
      else return true;
    }
    return false;
  };
  const byKind = {};
  const re = /https?:\/\/[^\s"'`()<>\\]*/g;
  let m;
  while ((m = re.exec(text))) {
    const url = m[0].replace(/[.,;:]+$/, '');
    const pos = m.index;
    const before = text.slice(Math.max(0, pos - 300), pos);
    let kind;
    if (inComment(pos)) kind = 'comment';
    else if (/data:[^"')]*$/.test(before)) kind = 'data-uri';
    else if (XMLNS.test(url)) kind = 'xml-namespace';
    else if (isCss && (/url\(\s*["']?$/.test(before) || /@import\s+(url\()?\s*["']?$/.test(before))) kind = 'css-load';
    else if (RUNTIME_DEFAULTS.some((r) => r.test(url))) kind = 'runtime-default';
    else if (SCHEMA_IDS.test(url)) kind = 'schema-id';
    else if (BASE_URLS.test(url)) kind = 'base-url';
    else if (PLACEHOLDER.test(url)) kind = 'placeholder';
    else if (DOC_HOSTS.test(url)) kind = 'doc-link';
    else kind = 'other';
    (byKind[kind] ??= {});
    byKind[kind][url] = (byKind[kind][url] ?? 0) + 1;
  }
  return byKind;
}

// ---------------------------------------------------------------- build
const outputs = new Map(); // relative path under vendor/ -> Buffer
const manifest = [];
const scan = {};

for (const [pkgName, src, dest] of FILES) {
  const pj = pkgs.get(pkgName);
  const srcPath = path.join(nodeModules, pkgName, src);
  if (!fs.existsSync(srcPath)) die(`${srcPath} missing`);
  const original = fs.readFileSync(srcPath, 'utf8');
  const stripped = stripSourceMap(original);
  const buf = Buffer.from(stripped, 'utf8');
  outputs.set(dest, buf);
  const entry = {
    file: dest,
    package: pkgName,
    version: pj.version,
    license: licenseOf(pj),
    homepage: homepageOf(pj),
    source: `${pkgName}/${src}`,
    sha256: sha256(buf),
  };
  if (stripped !== original) entry.modified = 'sourceMappingURL comment removed';
  manifest.push(entry);
  scan[dest] = scanUrls(stripped, dest.endsWith('.css'));
}

for (const pkgName of pkgs.keys()) {
  const lic = findTopFile(pkgName, 'LICEN[CS]E');
  if (!lic) die(`${pkgName}: no LICENSE file`);
  outputs.set(`licenses/${pkgName}.LICENSE.txt`, fs.readFileSync(lic));
  const notice = findTopFile(pkgName, 'NOTICE');
  if (notice) outputs.set(`licenses/${pkgName}.NOTICE.txt`, fs.readFileSync(notice));
}
for (const [pkgName, src, dest] of EXTRA_NOTICES) {
  const p = path.join(nodeModules, pkgName, src);
  if (fs.existsSync(p)) outputs.set(`licenses/${dest}`, fs.readFileSync(p));
}

outputs.set('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));

// ---------------------------------------------------------------- write / check
function listFiles(dir, prefix = '') {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(path.join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`]);
}

if (checkOnly) {
  const problems = [];
  for (const [rel, buf] of outputs) {
    const p = path.join(outDir, rel);
    if (!fs.existsSync(p)) problems.push(`missing ${rel}`);
    else if (!fs.readFileSync(p).equals(buf)) problems.push(`differs ${rel}`);
  }
  for (const rel of listFiles(outDir)) if (!outputs.has(rel)) problems.push(`unexpected ${rel}`);
  if (problems.length) {
    for (const p of problems) console.error(`vendor.mjs --check: ${p}`);
    process.exit(1);
  }
  console.log(`vendor.mjs --check: ${outputs.size} files up to date`);
} else {
  for (const rel of listFiles(outDir)) if (!outputs.has(rel)) fs.rmSync(path.join(outDir, rel));
  for (const [rel, buf] of outputs) {
    const p = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, buf);
  }
  fs.writeFileSync(reportPath, JSON.stringify(scan, null, 2) + '\n');
  console.log(`wrote ${outputs.size} files to ${path.relative(repoRoot, outDir)}/`);
  for (const e of manifest) console.log(`  ${e.file}  ${e.package}@${e.version}  ${e.license}${e.modified ? `  (${e.modified})` : ''}`);
}

// ---------------------------------------------------------------- report
console.log('\nhttp(s) URLs left in the vendored files, by kind (count x url):');
let bad = 0;
for (const [file, kinds] of Object.entries(scan)) {
  console.log(`  ${file}`);
  const names = Object.keys(kinds).sort();
  if (!names.length) console.log('    (none)');
  for (const kind of names) {
    const urls = Object.entries(kinds[kind]);
    const total = urls.reduce((s, [, c]) => s + c, 0);
    console.log(`    ${kind}: ${total}`);
    if (!checkOnly) for (const [u, c] of urls.sort()) console.log(`      ${c} x ${u}`);
    if (kind === 'css-load' || kind === 'other') bad += total;
  }
}
if (kinds_with('runtime-default')) {
  console.log('\nnote: runtime-default URLs are fetched by the library unless configured off');
  console.log('      (Swagger UI: pass validatorUrl: null to SwaggerUIBundle).');
}
if (bad) {
  console.error(`\nvendor.mjs: ${bad} URL(s) of kind css-load/other need review (see above)`);
  process.exit(2);
}

function kinds_with(kind) {
  return Object.values(scan).some((k) => k[kind]);
}
