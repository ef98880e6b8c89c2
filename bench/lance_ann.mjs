// bench/lance_ann.mjs - LanceDB as a peer of the embedded store's search paths (bench/ann.sh), through
// the pinned @lancedb/lancedb of backends/lancedb/helper, on the same rows, queries and exact ids as
// bench/py_ann.py's peers.  One process per kind, so peak RSS is that kind's alone.
//
//   node bench/lance_ann.mjs KIND DIR VECFILE N QFILE NQ EXACT_IDS
//     KIND flat    no vector index: LanceDB's exhaustive (flat) search
//          ivfpq   IVF_PQ (sqrt(N) partitions, 48 sub-vectors of 8 dims, 8 bits), swept over
//                  nprobes x refineFactor (refine re-ranks refineFactor x 10 candidates exactly)
//          hnswsq  IVF_HNSW_SQ (HNSW graphs over int8 scalar-quantised vectors), swept over ef
//
// Cosine distance everywhere (the store's metric).  Ingest (write the table) and index build are
// timed apart; bytes per vector = the table directory (data + index) / N.  Single = one query per
// call, median; batched = GROUP (20) queries per call (addQueryVector), per query.  Recall@10
// against EXACT_IDS (the float32 exact scan's ids, "v%07d").  Output: "key value" lines, one
// suffix per setting (_np20_rf10, _ef64).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../backends/lancedb/helper/package.json'));
const lancedb = require('@lancedb/lancedb');
const arrow = require('apache-arrow');
const DIM = 384, K = 10, BATCH = 50000;
// queries per batched call: LanceDB's flat search held 6 GB for 200 queries of 10k rows in one call
const GROUP = 20;

function readRows(file, n) { // n x DIM float32 from the start of file, without reading the rest
	const buf = Buffer.alloc(n * DIM * 4);
	const fd = fs.openSync(file, 'r');
	for (let at = 0; at < buf.length;) {
		const got = fs.readSync(fd, buf, at, Math.min(buf.length - at, 1 << 30), at);
		if (got <= 0) throw new Error(`${file}: fewer than ${n} vectors`);
		at += got;
	}
	fs.closeSync(fd);
	return new Float32Array(buf.buffer, buf.byteOffset, n * DIM);
}
const id = (i) => `v${String(i).padStart(7, '0')}`;
const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
function dirBytes(d) {
	let n = 0;
	for (const e of fs.readdirSync(d, { withFileTypes: true }))
		n += e.isDirectory() ? dirBytes(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size;
	return n;
}

// One record batch of rows from..to-1 as an arrow table (id, vector), built from the float32
// rows directly: makeArrowTable over JS objects takes minutes at 1M rows.
function batchTable(all, from, to) {
	const n = to - from;
	const item = new arrow.Field('item', new arrow.Float32(), true);
	const child = arrow.makeData({ type: new arrow.Float32(), length: n * DIM, data: all.subarray(from * DIM, to * DIM) });
	const vec = arrow.makeVector(arrow.makeData({ type: new arrow.FixedSizeList(DIM, item), length: n, nullCount: 0, child }));
	const ids = arrow.vectorFromArray(Array.from({ length: n }, (_, i) => id(from + i)), new arrow.Utf8());
	return new arrow.Table({ id: ids, vector: vec });
}

function recall(exact, rows) {
	let hit = 0, all = 0;
	rows.forEach((got, i) => {
		const want = new Set(exact[i]);
		for (const g of got) hit += want.has(g) ? 1 : 0;
		all += want.size;
	});
	return all ? hit / all : 1;
}

async function sweep(t, qs, exact, tag, tune) {
	const one = (q) => tune(t.vectorSearch(q).column('vector').distanceType('cosine')).select(['id', '_distance']).limit(K).toArray();
	await one(qs[0]); // open the files and the index before timing
	const ms = [], rows = [];
	for (const q of qs) {
		const t0 = performance.now();
		const r = await one(q);
		ms.push(performance.now() - t0);
		rows.push(r.map((x) => x.id));
	}
	const per = qs.map(() => []);
	let batchMs = 0;
	for (let from = 0; from < qs.length; from += GROUP) {
		const group = qs.slice(from, from + GROUP);
		let b = tune(t.vectorSearch(group[0]).column('vector').distanceType('cosine'));
		for (const q of group.slice(1)) b = b.addQueryVector(q);
		const t0 = performance.now();
		const batch = await b.select(['id', '_distance']).limit(K).toArray();
		batchMs += performance.now() - t0;
		for (const r of batch) per[from + r.query_index].push(r.id);
	}
	batchMs /= qs.length;
	console.log(`single_ms${tag} ${median(ms).toFixed(3)}\nbatch_ms${tag} ${batchMs.toFixed(3)}`);
	console.log(`recall${tag} ${recall(exact, rows).toFixed(4)}\nbatch_recall${tag} ${recall(exact, per).toFixed(4)}`);
}

const [kind, dir, vecfile, nArg, qfile, nqArg, exactFile] = process.argv.slice(2);
if (!['flat', 'ivfpq', 'hnswsq'].includes(kind) || !exactFile) {
	console.error('usage: node bench/lance_ann.mjs flat|ivfpq|hnswsq DIR VECFILE N QFILE NQ EXACT_IDS');
	process.exit(2);
}
const n = Number(nArg), nq = Number(nqArg);
const qall = readRows(qfile, nq);
const qs = Array.from({ length: nq }, (_, i) => Array.from(qall.subarray(i * DIM, (i + 1) * DIM)));
const exact = fs.readFileSync(exactFile, 'utf8').split('\n').filter(Boolean).slice(0, nq).map((l) => l.split(' '));
const all = readRows(vecfile, n);

const db = await lancedb.connect(dir);
let t0 = performance.now();
const t = await db.createTable('ann', batchTable(all, 0, Math.min(n, BATCH)), { mode: 'overwrite' });
for (let from = BATCH; from < n; from += BATCH) await t.add(batchTable(all, from, Math.min(n, from + BATCH)));
console.log(`ingest_ms ${(performance.now() - t0).toFixed(1)}`);
t0 = performance.now();
const parts = Math.max(1, Math.round(Math.sqrt(n)));
if (kind === 'ivfpq')
	await t.createIndex('vector', { config: lancedb.Index.ivfPq({ distanceType: 'cosine', numPartitions: parts, numSubVectors: DIM / 8 }) });
else if (kind === 'hnswsq')
	await t.createIndex('vector', { config: lancedb.Index.hnswSq({ distanceType: 'cosine', numPartitions: Math.max(1, Math.round(n / 100000)) }) });
console.log(`build_ms ${(performance.now() - t0).toFixed(1)}`);
console.log(`bytes_per_vector ${(dirBytes(path.join(dir, 'ann.lance')) / n).toFixed(0)}`);
if (kind === 'flat') {
	await sweep(t, qs, exact, '', (q) => q);
} else if (kind === 'ivfpq') {
	console.log(`partitions ${parts}`);
	for (const np of [4, 16, 32])
		for (const rf of [1, 10, 50])
			await sweep(t, qs, exact, `_np${np}_rf${rf}`, (q) => q.nprobes(np).refineFactor(rf));
} else {
	for (const ef of [16, 32, 64, 128, 256]) await sweep(t, qs, exact, `_ef${ef}`, (q) => q.ef(ef));
}
console.log(`peak_rss_kb ${process.resourceUsage().maxRSS}`);
