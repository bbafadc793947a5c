// Generates ../../data/passwords/common.txt, the list of common passwords the
// password policy refuses, from the ranked password list shipped in the
// `@zxcvbn-ts/language-common` npm package, followed by extra.txt.
//
//   cd tools/gen-passwords && npm ci && node gen.mjs
//
// Output: UTF-8, LF line endings, one password per line, lower-cased and
// trimmed, no duplicates, every entry at least MIN_LENGTH characters, at most
// MAX_LINES lines. Package entries come first in the package's rank order
// (most common first); then the entries of extra.txt that are not already in.
// Any surprise in the input makes the script exit non-zero without writing.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = '@zxcvbn-ts/language-common';
const MIN_LENGTH = 6; // shorter passwords are refused by the length rule anyway
const MAX_LINES = 20000;

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve(`${PKG}/package.json`));
const OUT = join(here, '..', '..', 'data', 'passwords', 'common.txt');
const EXTRA = join(here, 'extra.txt');

function fail(msg) {
  console.error(`gen-passwords: ${msg}`);
  process.exit(1);
}
function check(cond, msg) {
  if (!cond) fail(msg);
}
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const length = (s) => [...s].length; // in characters (code points), not bytes
const normalize = (s) => s.trim().toLowerCase();
// Printable, no control characters and no line breaks inside an entry.
const printable = (s) => !/[\p{Cc}\p{Cs}\u2028\u2029]/u.test(s);

// --- the package must be exactly the pinned version -------------------------
const pinned = readJson(join(here, 'package.json')).devDependencies[PKG];
const installed = readJson(join(pkgDir, 'package.json')).version;
check(installed === pinned, `${PKG} ${installed} installed, ${pinned} pinned (run npm ci)`);

// --- the ranked list ---------------------------------------------------------
// src/passwords.json is the plain JSON array, most common first. The package's
// runtime export (dist/, stored compressed) must hold the very same list.
const ranked = readJson(join(pkgDir, 'src', 'passwords.json'));
check(Array.isArray(ranked), 'src/passwords.json is not an array');
check(ranked.length > 10000, `only ${ranked.length} entries in src/passwords.json`);
const { dictionary } = await import(PKG);
const exported = dictionary?.['passwords-common'];
check(Array.isArray(exported), `${PKG} exports no dictionary['passwords-common']`);
check(
  exported.length === ranked.length && exported.every((p, i) => p === ranked[i]),
  'src/passwords.json differs from the exported passwords-common list',
);

const fromPackage = [];
const seen = new Set();
const dropped = { short: 0, duplicate: 0 };
for (const raw of ranked) {
  check(typeof raw === 'string', `non-string entry ${JSON.stringify(raw)}`);
  const pw = normalize(raw);
  check(printable(pw), `unprintable entry ${JSON.stringify(raw)}`);
  if (length(pw) < MIN_LENGTH) {
    dropped.short++;
    continue;
  }
  if (seen.has(pw)) {
    dropped.duplicate++;
    continue;
  }
  seen.add(pw);
  fromPackage.push(pw);
}

// --- extra.txt -----------------------------------------------------------------
// Hand-written list: must already be in the normalized form, so that what is
// reviewed there is exactly what ends up in the output.
const extra = [];
const extraSeen = new Set();
readFileSync(EXTRA, 'utf8')
  .split('\n')
  .forEach((line, i) => {
    const where = `extra.txt:${i + 1}`;
    check(!line.includes('\r'), `${where}: CR line ending`);
    if (line === '' || line.startsWith('#')) return;
    check(line === normalize(line), `${where}: ${JSON.stringify(line)} is not trimmed and lower-cased`);
    check(printable(line), `${where}: unprintable characters`);
    check(length(line) >= MIN_LENGTH, `${where}: ${JSON.stringify(line)} is shorter than ${MIN_LENGTH}`);
    check(!extraSeen.has(line), `${where}: ${JSON.stringify(line)} listed twice`);
    extraSeen.add(line);
    extra.push(line);
  });
check(extra.length > 0, 'extra.txt is empty');

// --- combine within MAX_LINES -------------------------------------------------
// Every extra entry is kept: package entries are taken in rank order for as
// long as they, plus the extra entries not yet among them, fit in MAX_LINES.
const kept = [];
const keptSet = new Set();
let extraPending = extra.length;
for (const pw of fromPackage) {
  const isExtra = extraSeen.has(pw);
  if (kept.length + 1 + (isExtra ? extraPending - 1 : extraPending) > MAX_LINES) break;
  kept.push(pw);
  keptSet.add(pw);
  if (isExtra) extraPending--;
}
const packageLines = kept.length;
const extraAlready = [];
for (const pw of extra) {
  if (keptSet.has(pw)) {
    extraAlready.push(pw);
    continue;
  }
  kept.push(pw);
  keptSet.add(pw);
}

// --- sanity checks -------------------------------------------------------------
check(kept.length <= MAX_LINES, `${kept.length} lines, more than ${MAX_LINES}`);
check(keptSet.size === kept.length, 'duplicate in output');
check(kept.every((pw) => pw === normalize(pw) && length(pw) >= MIN_LENGTH && pw !== ''), 'bad entry in output');
check(kept[0] === '123456' && kept[1] === 'password', 'the list does not start with the usual top passwords');

// --- write ---------------------------------------------------------------------
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${kept.join('\n')}\n`, 'utf8');

console.log(`${PKG} ${installed} -> ${OUT}`);
console.log(
  `package entries: ${ranked.length}; dropped shorter than ${MIN_LENGTH}: ${dropped.short}; ` +
    `dropped duplicates after lower-casing: ${dropped.duplicate}; eligible: ${fromPackage.length}; ` +
    `kept (top by rank): ${packageLines}`,
);
console.log(
  `extra.txt entries: ${extra.length}; already in the package part: ${extraAlready.length}; ` +
    `appended: ${kept.length - packageLines}`,
);
console.log(`lines written: ${kept.length}`);
