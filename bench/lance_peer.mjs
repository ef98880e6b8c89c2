// bench/lance_peer.mjs - the peer of bench/lance_bench.c: LanceDB's library called directly from node
// (the same pinned @lancedb/lancedb), on the same rows, vectors and queries.
//   node bench/lance_peer.mjs add DIR VECFILE N BATCH     create + FTS index + add in batches + optimize
//   node bench/lance_peer.mjs search DIR QFILE NQ MODE    NQ top-10 searches on bench_docs (vector|text);
//                                                         bench/lancedb.sh points DIR at the store the
//                                                         helper wrote, so both sides read the same files
// The peer connects as the helper does (no namespace manifest, new tables in Lance format 2.0, what
// Datus reads back) and feeds add the fastest way the library takes rows: an Arrow table built column
// by column, the vectors a view of the file's floats (no copy, no row objects).
//   node bench/lance_peer.mjs export DIR TABLE FILE       the table as PostgreSQL COPY text (for \copy)
// Output: "key value" lines.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../backends/lancedb/helper/package.json'));
const lancedb = require('@lancedb/lancedb');
const arrow = require('apache-arrow');
const DIM = 384, TOPK = 10;
const WORDS = ['orders', 'revenue', 'customer', 'daily', 'active', 'users', 'region', 'quarter', 'refund', 'shipment',
	'invoice', 'product', 'margin', 'churn'];
const text = (i) => `${WORDS[i % 14]} ${WORDS[Math.floor(i / 3) % 14]} ${WORDS[Math.floor(i / 7) % 14]} ${WORDS[Math.floor(i / 11) % 14]} tag${i}`;
const id = (i) => `v${String(i).padStart(7, '0')}`;
const NO_MANIFEST = { manifestEnabled: false, namespaceClientProperties: { manifest_enabled: 'false', dir_listing_enabled: 'true' },
	storageOptions: { new_table_data_storage_version: '2.0' } };

function vectors(file, n) {
	const buf = fs.readFileSync(file);
	const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
	const row = (i) => all.subarray(i * DIM, (i + 1) * DIM);
	row.block = (from, k) => all.subarray(from * DIM, (from + k) * DIM);
	return row;
}
const median = (v) => { v.sort((a, b) => a - b); const m = v.length >> 1; return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2; };

const [op, ...a] = process.argv.slice(2);
if (op === 'add') {
	const [dir, file, n, batch] = [a[0], a[1], Number(a[2]), Number(a[3])];
	const vec = vectors(file, n);
	const db = await lancedb.connect(dir, NO_MANIFEST);
	const F = (nm, t) => new arrow.Field(nm, t, true);
	const schema = new arrow.Schema([F('id', new arrow.Utf8()), F('text', new arrow.Utf8()),
		F('vector', new arrow.FixedSizeList(DIM, F('item', new arrow.Float32())))]);
	const t0 = performance.now();
	const t = await db.createEmptyTable('bench_docs', schema, { mode: 'overwrite' });
	await t.createIndex('text', { config: lancedb.Index.fts(), replace: true });
	for (let from = 0; from < n; from += batch) {
		const k = Math.min(n, from + batch) - from, ids = [], texts = [];
		for (let i = from; i < from + k; i++) { ids.push(id(i)); texts.push(text(i)); }
		const vfield = schema.fields[2];
		const child = arrow.makeData({ type: vfield.type.children[0].type, length: k * DIM, data: vec.block(from, k) });
		const children = [arrow.vectorFromArray(ids, new arrow.Utf8()).data[0], arrow.vectorFromArray(texts, new arrow.Utf8()).data[0],
			arrow.makeData({ type: vfield.type, length: k, nullCount: 0, child })];
		const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: k, nullCount: 0, children });
		await t.add(new arrow.Table([new arrow.RecordBatch(schema, data)]));
	}
	await t.optimize();
	console.log(`ms ${(performance.now() - t0).toFixed(3)}\nrows ${n}`);
} else if (op === 'search') {
	const [dir, file, nq, mode] = [a[0], a[1], Number(a[2]), a[3]];
	const vec = vectors(file, nq);
	const db = await lancedb.connect(dir, NO_MANIFEST);
	const t = await db.openTable('bench_docs');
	const ms = [];
	let found = 0;
	for (let i = 0; i < nq; i++) {
		const t0 = performance.now();
		const q = mode === 'text'
			? t.query().fullTextSearch(new lancedb.MatchQuery(WORDS[i % 14], 'text', { operator: lancedb.Operator.And })).select(['id', '_score'])
			: t.vectorSearch(vec(i)).column('vector').distanceType('cosine').select(['id', '_distance']);
		const r = await q.limit(TOPK).toArrow();
		ms.push(performance.now() - t0);
		found += r.numRows;
	}
	console.log(`median_ms ${median(ms).toFixed(3)}\nresults ${found}`);
} else if (op === 'export') {
	// the plain export the migrate bench compares with: every row as COPY text, vectors as pgvector text
	const [dir, table, file] = a;
	const db = await lancedb.connect(dir, NO_MANIFEST);
	const t = await db.openTable(table);
	const t0 = performance.now();
	const esc = (v) => (v === null || v === undefined ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));
	const out = fs.openSync(file, 'w');
	let n = 0;
	for await (const batch of await t.query().toArrow().then((tb) => tb.batches)) {
		const cols = batch.schema.fields.map((f) => [f, batch.getChild(f.name)]);
		const lines = [];
		for (let r = 0; r < batch.numRows; r++) {
			lines.push(cols.map(([f, c]) => {
				const v = c.get(r);
				if (v === null) return '\\N';
				if (arrow.DataType.isFixedSizeList(f.type)) return `[${Array.from(v.toArray()).join(',')}]`;
				if (arrow.DataType.isList(f.type)) return `{${Array.from(v.toArray()).map((x) => `"${String(x).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
				if (arrow.DataType.isTimestamp(f.type)) return new Date(Number(v)).toISOString();
				return esc(v);
			}).join('\t'));
		}
		fs.writeSync(out, lines.join('\n') + '\n');
		n += batch.numRows;
	}
	fs.closeSync(out);
	console.log(`ms ${(performance.now() - t0).toFixed(3)}\nrows ${n}`);
} else {
	console.error('usage: lance_peer.mjs add|search|export ...');
	process.exit(2);
}
