// tests/lancedb/dump.mjs - prints a LanceDB table the way tests compare it, read with LanceDB's own
// library (not vbadmin): one JSON line per row, sorted by KEY, vectors as the hex of their float32
// bits (so equality means bit for bit), timestamps as epoch milliseconds.
//   node tests/lancedb/dump.mjs DIR TABLE KEY
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../backends/lancedb/helper/package.json'));
const lancedb = require('@lancedb/lancedb');

const [dir, table, key] = process.argv.slice(2);
const db = await lancedb.connect(dir, { manifestEnabled: false,
	namespaceClientProperties: { manifest_enabled: 'false', dir_listing_enabled: 'true' } });
const t = await db.openTable(table);
const rows = await t.query().limit(await t.countRows()).toArray();
const out = rows.map((r) => {
	const o = {};
	for (const [k, v] of Object.entries(r.toJSON ? r.toJSON() : r)) {
		if (v && typeof v === 'object' && v.toArray) {
			const a = v.toArray();
			o[k] = a instanceof Float32Array ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex') : Array.from(a);
		} else if (typeof v === 'bigint') o[k] = Number(v);
		else if (v instanceof Date) o[k] = v.getTime();
		else o[k] = v;
	}
	return o;
});
out.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
for (const o of out) console.log(JSON.stringify(o));
