// backends/lancedb/helper/arrow-rows.mjs - between wire rows and Arrow: type names the C side reads
// (protocol.md "Types"), records shaped by a table's own schema, and result rows out of Arrow tables.
import { createRequire } from 'node:module';

// The CommonJS build of apache-arrow, the very instance @lancedb/lancedb (CommonJS) loads: Arrow's
// builders test types with instanceof, so the schema LanceDB hands back must meet the same classes.
export const arrow = createRequire(import.meta.url)('apache-arrow');

export class UserError extends Error {
	constructor(status, message) { super(message); this.status = status; }
}
export const ST = { INVALID: 1, NOT_FOUND: 2, UNSUPPORTED: 3, CONNECT: 4, SCHEMA: 6, IO: 8, SERVER: 10, INTERNAL: 11 };

// The one-word type names of protocol.md; anything else is Arrow's own text.
export function typeName(t) {
	if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8?.(t)) return 'utf8';
	if (arrow.DataType.isInt(t)) return `int${t.bitWidth}`;
	if (arrow.DataType.isFloat(t)) return ['float16', 'float32', 'float64'][t.precision];
	if (arrow.DataType.isBool(t)) return 'bool';
	if (arrow.DataType.isTimestamp(t)) return `timestamp[${['s', 'ms', 'us', 'ns'][t.unit]}]`;
	if (arrow.DataType.isList(t) && arrow.DataType.isUtf8(t.children[0].type)) return 'list<utf8>';
	if (arrow.DataType.isFixedSizeList(t) && arrow.DataType.isFloat(t.children[0].type))
		return `vector<${typeName(t.children[0].type)}>[${t.listSize}]`;
	return t.toString();
}

export function typeFromName(name) {
	const item = (ty) => new arrow.Field('item', ty, true);
	const m = /^vector<float32>\[(\d+)\]$/.exec(name);
	if (m) return new arrow.FixedSizeList(Number(m[1]), item(new arrow.Float32()));
	switch (name) {
	case 'utf8': return new arrow.Utf8();
	case 'int64': return new arrow.Int64();
	case 'int32': return new arrow.Int32();
	case 'float64': return new arrow.Float64();
	case 'bool': return new arrow.Bool();
	case 'timestamp[ms]': return new arrow.TimestampMillisecond();
	case 'list<utf8>': return new arrow.List(item(new arrow.Utf8()));
	default: throw new UserError(ST.INVALID, `unknown column type '${name}'`);
	}
}

export function isVectorField(f) { return arrow.DataType.isFixedSizeList(f.type); }

// "YYYY-MM-DD HH:MM:SS[.fff]" (UTC, as the C side writes timestamps) -> epoch milliseconds.
function parseTimestamp(s, col) {
	const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
	const ms = m ? Date.parse(`${m[1]}T${m[2] || '00:00:00'}${m[3] || 'Z'}`) : NaN;
	if (Number.isNaN(ms)) throw new UserError(ST.INVALID, `column ${col}: '${s}' is not a timestamp (YYYY-MM-DD HH:MM:SS)`);
	return new Date(ms);
}

function formatTimestamp(ms) {
	const iso = new Date(Number(ms)).toISOString(); // 2023-11-14T22:13:20.123Z
	const frac = iso.slice(20, 23);
	return iso.slice(0, 10) + ' ' + iso.slice(11, 19) + (frac === '000' ? '' : '.' + frac);
}

function cellIn(v, f, table) {
	if (v === null || v === undefined) return null;
	const t = f.type;
	if (arrow.DataType.isFixedSizeList(t)) {
		if (!(v instanceof Float32Array))
			throw new UserError(ST.INVALID, `column ${f.name}: expected a vector`);
		if (v.length !== t.listSize)
			throw new UserError(ST.INVALID,
				`column ${f.name}: vector has ${v.length} dimensions, table ${table} expects ${t.listSize}`);
		return v;
	}
	if (arrow.DataType.isTimestamp(t)) return typeof v === 'string' ? parseTimestamp(v, f.name) : new Date(Number(v));
	if (arrow.DataType.isInt(t)) {
		if (typeof v === 'string' && !/^-?\d+$/.test(v)) throw new UserError(ST.INVALID, `column ${f.name}: '${v}' is not an integer`);
		return t.bitWidth === 64 ? BigInt(v) : Number(v);
	}
	if (arrow.DataType.isFloat(t)) return Number(v);
	if (arrow.DataType.isBool(t)) return v === true || v === 'true' || v === 't' || v === 1n;
	if (arrow.DataType.isList(t)) {
		if (!Array.isArray(v)) throw new UserError(ST.INVALID, `column ${f.name}: expected a list of strings`);
		return v;
	}
	return typeof v === 'string' ? v : String(v);
}

// A vector column: one Float32Array of n * dim floats (and a validity bitmap when rows are null),
// from a wire VectorColumn (one block, no per-row copy) or a list of per-row vectors and nulls.
function vectorData(f, v, n, table) {
	const dim = f.type.listSize;
	const item = arrow.makeData({ type: f.type.children[0].type, length: 0 });
	if (v && v.values instanceof Float32Array) { // wire.mjs VectorColumn
		if (v.dim !== dim)
			throw new UserError(ST.INVALID, `column ${f.name}: vector has ${v.dim} dimensions, table ${table} expects ${dim}`);
		const child = arrow.makeData({ type: item.type, length: n * dim, data: v.values });
		return arrow.makeData({ type: f.type, length: n, nullCount: 0, child });
	}
	const values = new Float32Array(n * dim);
	const valid = new Uint8Array((n + 7) >> 3);
	let nulls = 0;
	for (let i = 0; i < n; i++) {
		const x = cellIn(v[i], f, table);
		if (x === null) { nulls++; continue; }
		values.set(x, i * dim);
		valid[i >> 3] |= 1 << (i & 7);
	}
	const child = arrow.makeData({ type: item.type, length: n * dim, data: values });
	return arrow.makeData({ type: f.type, length: n, nullCount: nulls, nullBitmap: nulls ? valid : null, child });
}

// Wire columns (cols + one value list per column, column-major; vectors as one block) -> an Arrow
// table in the table's own schema, so the types Datus chose (int32 chunk_index, timestamp[ms],
// fixed-size vectors) are kept whatever the source was.  Built column by column, as LanceDB's own
// Arrow path would be fed, not row objects through makeArrowTable.
export function columnsToArrow(schema, cols, columns, n, table) {
	const given = new Map();
	cols.forEach((c, i) => {
		if (!schema.fields.some((f) => f.name === c)) throw new UserError(ST.INVALID, `unknown column '${c}' in table ${table}`);
		given.set(c, columns[i]);
	});
	const children = schema.fields.map((f) => {
		const v = given.get(f.name);
		const len = v === undefined ? 0 : v instanceof Array ? v.length : v.n;
		if (v !== undefined && len !== n)
			throw new UserError(ST.INVALID, `column ${f.name} of table ${table}: ${len} values for ${n} rows`);
		if (v === undefined ? !f.nullable : !f.nullable && v instanceof Array && v.some((x) => x === null || x === undefined))
			throw new UserError(ST.INVALID, `column ${f.name} of table ${table} may not be NULL`);
		if (arrow.DataType.isFixedSizeList(f.type)) return vectorData(f, v === undefined ? new Array(n).fill(null) : v, n, table);
		if (arrow.DataType.isUtf8(f.type) && v !== undefined && v.every((x) => typeof x === 'string' || x === null))
			return arrow.vectorFromArray(v, f.type).data[0]; // text as sent: nothing to convert
		const cells = v === undefined ? new Array(n).fill(null) : v.map((x) => cellIn(x, f, table));
		return arrow.vectorFromArray(cells, f.type).data[0];
	});
	const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children });
	return new arrow.Table([new arrow.RecordBatch(schema, data)]);
}

function cellOut(v, t) {
	if (v === null || v === undefined) return null;
	if (arrow.DataType.isFixedSizeList(t)) return v.toArray ? Float32Array.from(v.toArray()) : Float32Array.from(v);
	if (arrow.DataType.isTimestamp(t)) return formatTimestamp(v);
	if (arrow.DataType.isInt(t)) return BigInt(v);
	if (arrow.DataType.isFloat(t)) return Number(v);
	if (arrow.DataType.isBool(t)) return !!v;
	if (arrow.DataType.isList(t)) return Array.from(v.toArray ? v.toArray() : v, (x) => (x === null ? null : String(x)));
	return typeof v === 'string' ? v : String(v);
}

// The Arrow data chunks of column i, one per record batch: read straight from the batches, as a
// Table's getChild builds a new Vector over them first, which costs more than a top-10 answer.
export function columnChunks(src, i) {
	return (src.batches ?? [src]).map((b) => b.data.children[i]);
}

function valid(d, i) {
	const bits = d.nullBitmap;
	if (!bits || !bits.length) return true;
	const at = d.offset + i;
	return ((bits[at >> 3] >> (at & 7)) & 1) === 1;
}

// A column's cells, chunk by chunk.  Float vectors are views of the batch's own float buffer (the
// wire writer copies their bytes; no per-row array is made), other cells go through cellOut.
function columnCells(chunks, type) {
	const out = new Array(chunks.reduce((n, d) => n + d.length, 0));
	let at = 0;
	for (const d of chunks) {
		const child = d.children?.[0];
		if (arrow.DataType.isUtf8(type) && d.valueOffsets && d.values && !d.offset) {
			// text straight from the batch's UTF-8 bytes (Arrow's generic accessors cost more than the
			// search of a top-10 answer)
			const bytes = Buffer.from(d.values.buffer, d.values.byteOffset, d.values.byteLength), off = d.valueOffsets;
			for (let i = 0; i < d.length; i++)
				out[at + i] = valid(d, i) ? bytes.toString('utf8', off[i], off[i + 1]) : null;
		} else if (arrow.DataType.isFixedSizeList(type) && child?.values instanceof Float32Array && !d.offset && !child.offset) {
			const dim = type.listSize;
			for (let i = 0; i < d.length; i++)
				out[at + i] = valid(d, i) ? child.values.subarray(i * dim, (i + 1) * dim) : null;
		} else {
			const v = arrow.makeVector(d);
			for (let i = 0; i < d.length; i++) out[at + i] = cellOut(v.get(i), type);
		}
		at += d.length;
	}
	return out;
}

// Row-major wire rows for the named columns of an Arrow table or record batch.
export function arrowToRows(src, names) {
	if (src.numRows === 0) return []; // LanceDB may send an empty result without any columns
	const fields = src.schema.fields;
	const cols = names.map((n) => {
		const i = fields.findIndex((f) => f.name === n);
		return columnCells(columnChunks(src, i), fields[i].type);
	});
	const rows = new Array(src.numRows);
	for (let r = 0; r < rows.length; r++) rows[r] = cols.map((c) => c[r]);
	return rows;
}

// A float column (_distance, _score) as plain numbers, from the batches' own arrays.
export function arrowNumbers(src, name) {
	if (!src.numRows) return [];
	const i = src.schema.fields.findIndex((f) => f.name === name), out = [];
	for (const d of columnChunks(src, i))
		for (let k = 0; k < d.length; k++) out.push(valid(d, k) ? Number(d.values[d.offset + k]) : NaN);
	return out;
}
