// backends/lancedb/helper/vb-lance-helper.mjs - one LanceDB database served to vbadmin over stdin/stdout.
// vbadmin's lancedb backend starts one helper per open store and sends framed requests (wire.mjs,
// protocol.md); each gets exactly one framed reply, in order.  Everything human goes to stderr, which
// the backend routes into its error messages.  The helper holds no policy: filters arrive compiled,
// names checked; it maps requests onto LanceDB's own library calls.
import fs from 'node:fs';
import path from 'node:path';
import { Reader, Writer, VectorColumn, framer } from './wire.mjs';

console.log = console.error; // stdout carries frames only
process.umask(0o077); // what vbadmin creates (a new store, its files) is the user's alone, as the embedded store
process.on('SIGINT', () => {}); // Ctrl-C is vbadmin's to handle: it stops between requests and closes us

let lancedb, rows;
// Stores Datus (Python lancedb 0.18) reads back: no namespace manifest (__manifest/, which LanceDB
// 0.31 creates on connect unless told otherwise; Datus lists *.lance directories), and new tables in
// Lance file format 2.0 ("stable" in lancedb 0.18; 0.31 would write 2.1).  Existing tables keep theirs.
const DATUS_COMPATIBLE = { manifestEnabled: false,
	namespaceClientProperties: { manifest_enabled: 'false', dir_listing_enabled: 'true' },
	storageOptions: { new_table_data_storage_version: '2.0' } };
// dirty: tables written since their indexes were last brought up to date.  LanceDB 0.31 answers
// full-text queries over rows added after the index was built unreliably (single words missed), so
// a written table is optimized (its indexes take in the new rows) before its next text search and
// when the store is closed, leaving it indexed as a Datus sync would.
const state = { db: null, dir: null, tables: new Map(), dirty: new Set() };

async function freshen(name) {
	if (!state.dirty.has(name)) return;
	await (await table(name)).optimize();
	state.dirty.delete(name);
}

// One reply buffer kept across replies (written out synchronously before the next one is built),
// grown to the largest reply so far: no fresh 64 KiB allocation per answer.
let replyBuf = null;
function reply(obj) {
	const w = new Writer(replyBuf);
	w.value(obj);
	const buf = w.frame();
	replyBuf = w.buf.length <= 1 << 24 ? w.buf : null; // keep up to 16 MiB
	for (let off = 0; off < buf.length;) {
		try { off += fs.writeSync(1, buf, off); } catch (e) {
			if (e.code !== 'EAGAIN') throw e;
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // the reader is draining the pipe
		}
	}
}

async function loadLibrary() {
	try {
		lancedb = await import('@lancedb/lancedb');
		rows = await import('./arrow-rows.mjs');
		return null;
	} catch (e) {
		return `LanceDB's library is not installed next to the helper (${e.code || e.message}): ` +
			'run `make deps` (npm ci in backends/lancedb/helper)';
	}
}

// Per-table facts a query needs, read once: the Arrow schema and the columns with a full-text
// index.  Dropped when this helper changes the table (create, index; writes keep the schema).
const facts = new Map();
async function tableFacts(name) {
	let f = facts.get(name);
	if (!f) {
		const t = await table(name);
		const indexed = (await t.listIndices()).filter((i) => i.indexType === 'FTS').map((i) => i.columns[0]);
		f = { schema: await t.schema(), fts: new Set(indexed) };
		facts.set(name, f);
	}
	return f;
}

async function table(name) {
	let t = state.tables.get(name);
	if (t) return t;
	const names = await state.db.tableNames();
	if (!names.includes(name)) throw new rows.UserError(rows.ST.NOT_FOUND, `Table ${name} does not exist.`);
	try {
		t = await state.db.openTable(name);
	} catch (e) { // listed but unreadable: a damaged table, not a missing one
		throw new rows.UserError(rows.ST.IO, `LanceDB table ${name} (${name}.lance) cannot be read: ${e.message.split('\n')[0].slice(0, 300)}`);
	}
	state.tables.set(name, t);
	return t;
}

function libraryVersion() {
	try {
		const pkg = JSON.parse(fs.readFileSync(new URL('./node_modules/@lancedb/lancedb/package.json', import.meta.url)));
		return pkg.version;
	} catch { return 'unknown'; }
}

const ops = {
	async open(q) {
		let st = null;
		try { st = fs.statSync(q.dir); } catch { /* absent */ }
		if (st && !st.isDirectory()) throw new rows.UserError(rows.ST.INVALID, `${q.dir} is not a directory`);
		if (!st && !q.create)
			throw new rows.UserError(rows.ST.NOT_FOUND, `LanceDB directory ${q.dir} does not exist`);
		state.dir = q.dir;
		// no namespace manifest (__manifest/): Datus's LanceDB never wrote one, and a read must write nothing
		state.db = await lancedb.connect(q.dir, DATUS_COMPATIBLE);
		return { version: libraryVersion(), node: process.versions.node };
	},
	async tables() { return { names: await state.db.tableNames() }; },
	async schema(q) {
		const s = await (await table(q.table)).schema();
		return { fields: s.fields.map((f) => ({ name: f.name, type: rows.typeName(f.type), nullable: f.nullable })) };
	},
	async create(q) {
		const { Schema, Field } = rows.arrow;
		const schema = new Schema(q.fields.map((f) => new Field(f.name, rows.typeFromName(f.type), !f.not_null)));
		if (!fs.existsSync(state.dir)) fs.mkdirSync(state.dir, { recursive: true });
		const t = await state.db.createEmptyTable(q.table, schema, { mode: 'create', existOk: true });
		for (const c of q.fts || []) await t.createIndex(c, { config: lancedb.Index.fts(), replace: true });
		state.tables.set(q.table, t);
		facts.delete(q.table);
		return {};
	},
	async add(q) {
		const t = await table(q.table);
		state.dirty.add(q.table);
		const data = await batch(q);
		if (!data) return { n: 0n };
		await t.add(data); // one LanceDB commit for the whole batch
		return { n: q.n };
	},
	async upsert(q) {
		const t = await table(q.table);
		state.dirty.add(q.table);
		const data = await batch(q);
		if (!data) return { n: 0n };
		const r = await t.mergeInsert(q.on).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(data);
		return { n: BigInt((r.numInsertedRows || 0) + (r.numUpdatedRows || 0)) };
	},
	async update(q) {
		const t = await table(q.table);
		state.dirty.add(q.table);
		const values = {};
		for (const [k, v] of Object.entries(q.set)) values[k] = typeof v === 'bigint' ? Number(v) : v instanceof Float32Array ? Array.from(v) : v;
		const r = await t.update({ values, where: q.where });
		return { n: BigInt(r.rowsUpdated) };
	},
	async delete(q) {
		const t = await table(q.table);
		state.dirty.add(q.table);
		const r = await t.delete(q.where);
		return { n: BigInt(r.numDeletedRows) };
	},
	async count(q) {
		const t = await table(q.table);
		return { n: BigInt(await (q.where ? t.countRows(q.where) : t.countRows())) };
	},
	async query(q) {
		const t = await table(q.table);
		const { schema } = await tableFacts(q.table);
		const sel = q.select || schema.fields.filter((f) => !rows.isVectorField(f)).map((f) => f.name);
		for (const c of sel)
			if (!schema.fields.some((f) => f.name === c))
				throw new rows.UserError(rows.ST.INVALID, `unknown column '${c}' in table ${q.table}`);
		return search[q.mode](t, q, sel);
	},
	async indices(q) {
		const t = await table(q.table);
		const list = await t.listIndices();
		const out = [];
		for (const i of list) {
			let st = null;
			try { st = await t.indexStats(i.name); } catch { /* stats are optional */ }
			out.push({ name: i.name, type: i.indexType, columns: i.columns,
				indexed: BigInt(st?.numIndexedRows ?? -1), unindexed: BigInt(st?.numUnindexedRows ?? -1) });
		}
		const tv = tantivyIndex(q.table); // listed so check can say why text search will not use it
		if (tv) out.push({ name: tv.rel, type: 'TANTIVY', columns: tv.columns, indexed: -1n, unindexed: -1n });
		return { indices: out };
	},
	async index(q) {
		const t = await table(q.table);
		const config = { fts: () => lancedb.Index.fts(), btree: () => lancedb.Index.btree(), bitmap: () => lancedb.Index.bitmap(),
			ivf_flat: () => lancedb.Index.ivfFlat({ numPartitions: Number(q.partitions), distanceType: 'cosine' }),
			ivf_pq: () => lancedb.Index.ivfPq({ numPartitions: Number(q.partitions), numSubVectors: Number(q.sub_vectors), distanceType: 'cosine' }) }[q.kind];
		if (!config) throw new rows.UserError(rows.ST.UNSUPPORTED, `LanceDB index kind '${q.kind}' is not offered`);
		await t.createIndex(q.column, { config: config(), replace: true });
		facts.delete(q.table);
		return {};
	},
	async version(q) {
		const t = await table(q.table);
		return { version: BigInt(await t.version()) };
	},
};

// The rows of an add/upsert request as one Arrow table in the table's schema; null when there are none.
async function batch(q) {
	if (!q.n) return null;
	return rows.columnsToArrow((await tableFacts(q.table)).schema, q.cols, q.columns, Number(q.n), q.table);
}

function result(sel, data, extra) {
	return { cols: sel, rows: rows.arrowToRows(data, sel), ...extra };
}

function cosine(a, b) {
	let dot = 0, na = 0, nb = 0;
	for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
	return na && nb ? 1 - dot / Math.sqrt(na * nb) : 1;
}

// A tantivy full-text index of table `name`, or null.  Datus pins Python lancedb 0.18, whose
// create_fts_index defaults to use_tantivy=True: the index is a tantivy directory beside the data,
// <table>.lance/_indices/fts (meta.json + segment files; _indices/tantivy in older lancedb), outside
// Lance's manifest, so this library (native FTS only) neither lists nor reads it.  Its text fields
// are the indexed columns (meta.json "schema").
function tantivyIndex(name) {
	for (const sub of ['fts', 'tantivy']) {
		const rel = `${name}.lance/_indices/${sub}`, meta = path.join(state.dir, rel, 'meta.json');
		if (!fs.existsSync(meta)) continue;
		let columns = [];
		try {
			columns = (JSON.parse(fs.readFileSync(meta, 'utf8')).schema || []).filter((f) => f.type === 'text').map((f) => f.name);
		} catch { /* a damaged meta.json still says tantivy was here */ }
		return { rel, columns };
	}
	return null;
}

// The asked-for full-text columns that carry a native FTS index (Datus indexes several per table).
async function ftsColumns(t, q) {
	const indexed = (await tableFacts(q.table)).fts;
	const cols = q.fts_cols.filter((c) => indexed.has(c));
	const tv = cols.length ? null : tantivyIndex(q.table);
	if (tv)
		throw new rows.UserError(rows.ST.UNSUPPORTED, `table ${q.table} has only a tantivy full-text index (${tv.rel}` +
			`${tv.columns.length ? ` on ${tv.columns.join(', ')}` : ''}), as Datus's Python LanceDB 0.18 builds it ` +
			`(use_tantivy=True); LanceDB's native search, which vbadmin runs (@lancedb/lancedb ${libraryVersion()}), cannot read ` +
			`tantivy indexes: build a native one with \`vbadmin index create --table ${q.table} --method fts\` ` +
			'(the tantivy index stays; Datus\'s Python library keeps using it)');
	if (!cols.length)
		throw new rows.UserError(rows.ST.UNSUPPORTED, `table ${q.table} has no LanceDB full-text index on ${q.fts_cols.join(', ')}: ` +
			`build one with \`vbadmin index create --table ${q.table} --method fts\``);
	q.fts_cols = cols;
}

// Every word must match, as PostgreSQL's plainto_tsquery on the pgvector backend.
function ftsQuery(q) {
	const options = { operator: lancedb.Operator.And };
	return q.fts_cols.length === 1 ? new lancedb.MatchQuery(q.text, q.fts_cols[0], options)
		: new lancedb.MultiMatchQuery(q.text, q.fts_cols, options);
}

// Datus's IVF indexes have at most 1024 partitions; probing them all keeps an indexed vector search
// exact (IVF_FLAT) and a filter from starving the top-k, as the embedded store's scan.
const ALL_PARTITIONS = 1024;

// The stream of the last scan, kept open: a request for the rows right after the ones it sent goes on
// reading it, so walking a table batch by batch reads it once (any other offset opens a new stream,
// skipping rows in LanceDB).  Writes through this helper close it (WRITES in serve).
let cursor = null; // { table, sel, next (offset of the first row not yet sent), it, rest (rows read ahead) }

async function cursorFor(t, q, sel) {
	const off = Number(q.offset), key = sel.join('\0');
	if (cursor && cursor.table === q.table && cursor.sel === key && cursor.next === off) return cursor;
	if (cursor) await cursor.it.return?.();
	let b = t.query().select(sel);
	if (off > 0) b = b.offset(off);
	cursor = { table: q.table, sel: key, next: off, it: b[Symbol.asyncIterator](), rest: [] };
	return cursor;
}

const search = {
	async scan(t, q, sel) {
		const c = await cursorFor(t, q, sel), limit = Number(q.limit);
		let out = c.rest;
		while (out.length < limit) {
			const { value, done } = await c.it.next();
			if (done) break;
			out = out.concat(rows.arrowToRows(value, sel));
		}
		c.rest = out.slice(limit);
		out = out.slice(0, limit);
		c.next += out.length;
		return { cols: sel, rows: out };
	},
	async all(t, q, sel) {
		let b = t.query().select(sel);
		if (q.where) b = b.where(q.where);
		const limit = q.limit > 0n ? Number(q.limit) : await (q.where ? t.countRows(q.where) : t.countRows());
		return result(sel, await b.limit(Math.max(limit, 0)).toArrow());
	},
	async vector(t, q, sel) {
		let b = t.vectorSearch(q.vector).column(q.vcol).distanceType('cosine').nprobes(ALL_PARTITIONS).select([...sel, '_distance']);
		if (q.where) b = b.where(q.where);
		const data = await b.limit(Number(q.limit)).toArrow();
		return result(sel, data, { dist: rows.arrowNumbers(data, '_distance') });
	},
	async fts(t, q, sel) {
		await ftsColumns(t, q);
		await freshen(q.table);
		let b = t.query().fullTextSearch(ftsQuery(q)).select([...sel, '_score']);
		if (q.where) b = b.where(q.where);
		const data = await b.limit(Number(q.limit)).toArrow();
		return result(sel, data, { score: rows.arrowNumbers(data, '_score') });
	},
	// score = 0.6 * (1 - d/2) + 0.4 * text, text = BM25 / best BM25 among the candidates (docs/backends.md)
	async hybrid(t, q, sel) {
		await ftsColumns(t, q);
		await freshen(q.table);
		const k = Number(q.k);
		const cols = sel.includes(q.vcol) ? sel : [...sel, q.vcol];
		let vb = t.vectorSearch(q.vector).column(q.vcol).distanceType('cosine').nprobes(ALL_PARTITIONS)
			.select([...cols, '_distance']).withRowId();
		let fb = t.query().fullTextSearch(ftsQuery(q)).select([...cols, '_score']).withRowId();
		if (q.where) { vb = vb.where(q.where); fb = fb.where(q.where); }
		const [vd, fd] = await Promise.all([vb.limit(k).toArrow(), fb.limit(k).toArrow()]);
		const cand = new Map();
		const vrows = rows.arrowToRows(vd, cols), frows = rows.arrowToRows(fd, cols);
		vrows.forEach((r, i) => cand.set(vd.getChild('_rowid').get(i), { r, d: Number(vd.getChild('_distance').get(i)), bm: 0 }));
		let best = 0;
		frows.forEach((r, i) => {
			const bm = Number(fd.getChild('_score').get(i));
			best = Math.max(best, bm);
			const id = fd.getChild('_rowid').get(i);
			const c = cand.get(id);
			if (c) c.bm = bm;
			else cand.set(id, { r, d: r[cols.indexOf(q.vcol)] ? cosine(q.vector, r[cols.indexOf(q.vcol)]) : 2, bm });
		});
		const all = [...cand.values()].map((c) => ({ ...c, s: 0.6 * (1 - c.d / 2) + 0.4 * (best > 0 ? c.bm / best : 0) }));
		all.sort((a, b) => b.s - a.s);
		const top = all.slice(0, Number(q.limit));
		const pick = sel.map((c) => cols.indexOf(c));
		return { cols: sel, rows: top.map((c) => pick.map((i) => c.r[i])), dist: top.map((c) => c.d), score: top.map((c) => c.s) };
	},
};

const WRITES = new Set(['create', 'add', 'upsert', 'update', 'delete', 'index']);
const TRACE = process.env.VBADMIN_LANCEDB_TRACE; // read once: process.env is a slow accessor
async function serve(frame) {
	let q;
	try {
		q = new Reader(frame).value();
		if (TRACE) // a debugging aid: each request, vectors shortened
			fs.appendFileSync(TRACE, JSON.stringify(q, (k, v) => (typeof v === 'bigint' ? Number(v)
				: v instanceof Float32Array ? `<vector ${v.length}>` : v instanceof VectorColumn ? `<${v.n} vectors ${v.dim}>` : v)) + '\n');
		if (WRITES.has(q.op)) cursor = null;
		const fn = ops[q.op];
		if (!fn) throw new rows.UserError(rows.ST.INVALID, `unknown request '${q.op}'`);
		if (q.op !== 'open' && !state.db) throw new rows.UserError(rows.ST.INTERNAL, 'no database is open');
		reply({ ok: true, ...(await fn(q)) });
	} catch (e) {
		const status = e.status || (/not found|does not exist/i.test(e.message) ? 2 : /No such file|Permission denied|I\/O/i.test(e.message) ? 8 : 10);
		// Rust's source locations (", /usr/local/cargo/.../commit.rs:646:26") say nothing to a user
		const message = String(e.message || e).split('\n')[0].replace(/, \/\S+\.rs:\d+:\d+/g, '').slice(0, 400);
		reply({ ok: false, status: BigInt(status), message });
	}
}

const missing = await loadLibrary();
const answer = (frame) => (missing ? reply({ ok: false, status: 4n, message: missing }) : serve(frame));

async function closing() {
	for (const name of [...state.dirty]) {
		try { await freshen(name); } catch (e) { console.error(`optimize ${name}: ${e.message}`); }
	}
	process.exit(0);
}

// Requests come one at a time: vbadmin sends the next only after the reply to the last.  So an
// idle helper waits for it in a plain blocking read of stdin, which the kernel ends the moment the
// request arrives; node's stream machinery (event loop wake-up, a 64 KiB buffer per read, the
// 'data' event) cost about 25 us more per request.  Nothing else needs the event loop while the
// helper is idle: LanceDB's own work runs between a request and its reply.
const header = Buffer.alloc(4);
function readFully(buf) { // false at end of input; EAGAIN carries the bytes read so far
	for (let got = 0; got < buf.length;) {
		let n;
		try { n = fs.readSync(0, buf, got, buf.length - got, null); } catch (e) {
			if (e.code === 'EINTR') continue;
			if (e.code === 'EAGAIN') e.partial = buf.subarray(0, got);
			throw e;
		}
		if (n === 0) return false;
		got += n;
	}
	return true;
}

async function serveBlocking() {
	for (;;) {
		let body = null;
		try {
			if (!readFully(header)) break;
			body = Buffer.allocUnsafe(header.readUInt32LE(0));
			if (!readFully(body)) break;
		} catch (e) {
			if (e.code !== 'EAGAIN') throw e;
			// a non-blocking stdin (vbadmin's socket is blocking; a helper started another way may
			// not be): node's stream reads it from here on, after the bytes already taken
			return serveStream(body ? Buffer.concat([header, e.partial]) : Buffer.from(e.partial));
		}
		await answer(body);
	}
	await closing();
}

function serveStream(already) {
	const pending = [];
	let serving = null;
	const serveAll = async () => {
		while (pending.length) await answer(pending.shift());
		serving = null;
	};
	const feed = framer((frame) => {
		pending.push(Buffer.from(frame));
		serving ??= serveAll();
	});
	if (already.length) feed(already);
	process.stdin.on('data', feed);
	process.stdin.on('end', async () => {
		await serving;
		await closing();
	});
}

await serveBlocking();
