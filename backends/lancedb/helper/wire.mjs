// backends/lancedb/helper/wire.mjs - the framed value codec shared with backends/lancedb/lance_wire.c.
// A frame is a little-endian u32 byte count followed by one value.  A value is a tag byte:
//   N null | T true | F false | I int64 | D float64 | S u32 len + UTF-8 bytes
//   V u32 dim + dim float32 (raw, little-endian) | W u32 n + u32 dim + n*dim float32 (a column of n
//   vectors, row after row) | L u32 n + n values | M u32 n + n (S key, value)
// Vectors travel as raw float32 so no digit is lost or parsed (protocol.md).

// n vectors of dim floats in one block: a vector column of a batch (tag W), never split into rows.
export class VectorColumn {
	constructor(values, n, dim) { this.values = values; this.n = n; this.dim = dim; }
	row(i) { return this.values.subarray(i * this.dim, (i + 1) * this.dim); }
}

// dim float32 from buf at pos, copied whole: the frame buffer is reused and may not be 4-byte aligned.
function floats(buf, pos, count) {
	const v = new Float32Array(count);
	new Uint8Array(v.buffer).set(buf.subarray(pos, pos + 4 * count));
	return v;
}

// Short ASCII strings (keys, column names, ids) are encoded byte by byte in JS: Buffer's
// byteLength and write each cross into C++, which costs more than the loop over the few bytes a
// top-k reply carries per string; longer or non-ASCII text takes the native path.
const SHORT = 32;

const T_NULL = 0x4e, T_TRUE = 0x54, T_FALSE = 0x46, T_INT = 0x49, T_DBL = 0x44, T_STR = 0x53, T_VEC = 0x56,
	T_VCOL = 0x57, T_LIST = 0x4c, T_MAP = 0x4d;

export class Reader {
	constructor(buf) { this.buf = buf; this.pos = 0; }
	u32() { const v = this.buf.readUInt32LE(this.pos); this.pos += 4; return v; }
	str() {
		const n = this.u32(), at = this.pos;
		this.pos += n;
		return this.buf.toString('utf8', at, at + n);
	}
	value() {
		const tag = this.buf[this.pos++];
		switch (tag) {
		case T_NULL: return null;
		case T_TRUE: return true;
		case T_FALSE: return false;
		case T_INT: { const v = this.buf.readBigInt64LE(this.pos); this.pos += 8; return v; }
		case T_DBL: { const v = this.buf.readDoubleLE(this.pos); this.pos += 8; return v; }
		case T_STR: return this.str();
		case T_VEC: {
			const dim = this.u32();
			const v = floats(this.buf, this.pos, dim);
			this.pos += 4 * dim;
			return v;
		}
		case T_VCOL: {
			const n = this.u32(), dim = this.u32();
			const v = new VectorColumn(floats(this.buf, this.pos, n * dim), n, dim);
			this.pos += 4 * n * dim;
			return v;
		}
		case T_LIST: { const n = this.u32(); const a = new Array(n); for (let i = 0; i < n; i++) a[i] = this.value(); return a; }
		case T_MAP: {
			const n = this.u32(); const o = {};
			for (let i = 0; i < n; i++) { const k = this.value(); o[k] = this.value(); }
			return o;
		}
		default: throw new Error(`protocol: unknown tag 0x${(tag ?? 0).toString(16)} at ${this.pos - 1}`);
		}
	}
}

export class Writer {
	// buf may be a buffer kept from an earlier frame: frame() output must be sent before the next reuse
	constructor(buf) { this.buf = buf || Buffer.allocUnsafe(1 << 16); this.pos = 4; }
	room(n) {
		if (this.pos + n <= this.buf.length) return;
		let size = this.buf.length * 2;
		while (size < this.pos + n) size *= 2;
		const b = Buffer.allocUnsafe(size); this.buf.copy(b, 0, 0, this.pos); this.buf = b;
	}
	tag(c) { this.room(1); this.buf[this.pos++] = c; }
	u32(n) { this.room(4); this.buf.writeUInt32LE(n, this.pos); this.pos += 4; }
	str(s) {
		if (s.length <= SHORT && this.ascii(s)) return;
		const n = Buffer.byteLength(s, 'utf8');
		this.tag(T_STR); this.u32(n); this.room(n); this.buf.write(s, this.pos, n, 'utf8'); this.pos += n;
	}
	ascii(s) { // writes s if it is all ASCII; else writes nothing and says so
		const n = s.length;
		this.room(5 + n);
		const b = this.buf, at = this.pos + 5;
		for (let i = 0; i < n; i++) {
			const c = s.charCodeAt(i);
			if (c > 0x7f) return false;
			b[at + i] = c;
		}
		b[this.pos] = T_STR; b.writeUInt32LE(n, this.pos + 1); this.pos = at + n;
		return true;
	}
	vec(v) { // raw bytes of the Float32Array: node runs on little-endian hosts only (x86-64, arm64)
		this.tag(T_VEC); this.u32(v.length); this.room(4 * v.length);
		this.buf.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), this.pos);
		this.pos += 4 * v.length;
	}
	value(v) {
		if (v === null || v === undefined) return this.tag(T_NULL);
		if (v === true) return this.tag(T_TRUE);
		if (v === false) return this.tag(T_FALSE);
		if (typeof v === 'bigint') { this.tag(T_INT); this.room(8); this.buf.writeBigInt64LE(v, this.pos); this.pos += 8; return; }
		if (typeof v === 'number') { this.tag(T_DBL); this.room(8); this.buf.writeDoubleLE(v, this.pos); this.pos += 8; return; }
		if (typeof v === 'string') return this.str(v);
		if (v instanceof Float32Array) return this.vec(v);
		if (Array.isArray(v)) { this.tag(T_LIST); this.u32(v.length); for (const x of v) this.value(x); return; }
		const keys = Object.keys(v);
		this.tag(T_MAP); this.u32(keys.length);
		for (const k of keys) { this.str(k); this.value(v[k]); }
	}
	// The finished frame: the length prefix filled in.
	frame() { this.buf.writeUInt32LE(this.pos - 4, 0); return this.buf.subarray(0, this.pos); }
}

// Splits a byte stream into frames; calls onFrame(Buffer) for each whole one.  A big frame (a batch
// of rows, megabytes) arrives in many chunks: they are kept in a list and joined once when the frame
// is complete, not re-joined chunk after chunk (quadratic copying).
export function framer(onFrame) {
	let chunks = [], have = 0, need = -1;
	return (chunk) => {
		chunks.push(chunk);
		have += chunk.length;
		for (;;) {
			if (need < 0 && have >= 4) {
				if (chunks[0].length < 4) chunks = [Buffer.concat(chunks)];
				need = 4 + chunks[0].readUInt32LE(0);
			}
			if (need < 0 || have < need) return;
			const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
			onFrame(all.subarray(4, need));
			const rest = all.subarray(need);
			chunks = rest.length ? [rest] : [];
			have = rest.length;
			need = -1;
		}
	};
}
