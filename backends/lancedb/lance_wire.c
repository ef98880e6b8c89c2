/* backends/lancedb/lance_wire.c - the framed value codec (helper/protocol.md).  Little-endian on
 * the wire; the x86-64/arm64 hosts vbadmin runs on are little-endian, and the byte helpers below
 * make that explicit rather than assumed. */
#include "lance_wire.h"

#include <stdlib.h>
#include <string.h>

static void put_u32(struct vb_buf *b, uint32_t v)
{
	char c[4] = {(char)(v & 0xff), (char)((v >> 8) & 0xff), (char)((v >> 16) & 0xff), (char)(v >> 24)};
	vb_buf_addn(b, c, 4);
}

static void put_u64(struct vb_buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)(v & 0xffffffffu));
	put_u32(b, (uint32_t)(v >> 32));
}

void lw_begin(struct vb_buf *b)
{
	vb_buf_reset(b);
	vb_buf_addn(b, "\0\0\0\0", 4);
}

void lw_end(struct vb_buf *b)
{
	uint32_t n = (uint32_t)(b->len - 4);
	for (int i = 0; i < 4; i++)
		b->data[i] = (char)((n >> (8 * i)) & 0xff);
}

void lw_null(struct vb_buf *b) { vb_buf_addc(b, 'N'); }
void lw_bool(struct vb_buf *b, int v) { vb_buf_addc(b, v ? 'T' : 'F'); }

void lw_int(struct vb_buf *b, int64_t v)
{
	vb_buf_addc(b, 'I');
	put_u64(b, (uint64_t)v);
}

void lw_double(struct vb_buf *b, double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof u);
	vb_buf_addc(b, 'D');
	put_u64(b, u);
}

void lw_str(struct vb_buf *b, const char *s)
{
	if (!s) {
		lw_null(b);
		return;
	}
	size_t n = strlen(s);
	vb_buf_addc(b, 'S');
	put_u32(b, (uint32_t)n);
	vb_buf_addn(b, s, n);
}

/* dim float32 in little-endian byte order: one copy on a little-endian host (every host vbadmin
 * builds for), element by element elsewhere. */
static void put_floats(struct vb_buf *b, const float *v, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	vb_buf_addn(b, (const char *)v, n * sizeof *v);
#else
	for (size_t i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &v[i], sizeof u);
		put_u32(b, u);
	}
#endif
}

void lw_vec(struct vb_buf *b, const float *v, int dim)
{
	vb_buf_addc(b, 'V');
	put_u32(b, (uint32_t)dim);
	put_floats(b, v, (size_t)dim);
}

void lw_vec_column(struct vb_buf *b, uint32_t n, uint32_t dim)
{
	vb_buf_addc(b, 'W');
	put_u32(b, n);
	put_u32(b, dim);
}

void lw_vec_row(struct vb_buf *b, const float *v, uint32_t dim)
{
	put_floats(b, v, dim);
}

void lw_list(struct vb_buf *b, uint32_t n)
{
	vb_buf_addc(b, 'L');
	put_u32(b, n);
}

void lw_map(struct vb_buf *b, uint32_t n)
{
	vb_buf_addc(b, 'M');
	put_u32(b, n);
}

void lw_str_list(struct vb_buf *b, const char *const *items, int n)
{
	lw_list(b, (uint32_t)n);
	for (int i = 0; i < n; i++)
		lw_str(b, items[i]);
}

void lw_value(struct vb_buf *b, const struct vb_value *v)
{
	if (v->is_null) {
		lw_null(b);
		return;
	}
	switch (v->type) {
	case VB_T_INT: lw_int(b, v->u.i); break;
	case VB_T_DOUBLE: lw_double(b, v->u.d); break;
	case VB_T_BOOL: lw_bool(b, v->u.b); break;
	case VB_T_VECTOR: lw_vec(b, v->u.vec.v, v->u.vec.dim); break;
	case VB_T_TEXT_ARRAY: lw_str_list(b, v->u.arr.items, v->u.arr.n); break;
	default: lw_str(b, v->u.s); break;
	}
}

/* ---- decoding ---- */

struct rd {
	const unsigned char *p, *end;
	int depth;
};

static int get_u32(struct rd *r, uint32_t *out)
{
	if (r->end - r->p < 4)
		return -1;
	*out = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	return 0;
}

static int get_u64(struct rd *r, uint64_t *out)
{
	uint32_t lo, hi;
	if (get_u32(r, &lo) < 0 || get_u32(r, &hi) < 0)
		return -1;
	*out = (uint64_t)hi << 32 | lo;
	return 0;
}

static int decode(struct rd *r, struct lw_val *v);

static int decode_items(struct rd *r, struct lw_val *v, uint32_t count)
{
	/* each item takes at least one byte: a count beyond what is left is malformed, not a huge alloc */
	if ((size_t)(r->end - r->p) < count || ++r->depth > 64)
		return -1;
	v->u.items = vb_xcalloc(count ? count : 1, sizeof *v->u.items);
	for (uint32_t i = 0; i < count; i++)
		if (decode(r, &v->u.items[i]) < 0)
			return -1;
	r->depth--;
	return 0;
}

static int decode(struct rd *r, struct lw_val *v)
{
	if (r->p >= r->end)
		return -1;
	v->tag = (char)*r->p++;
	uint64_t u;
	switch (v->tag) {
	case 'N': case 'T': case 'F':
		return 0;
	case 'I':
		if (get_u64(r, &u) < 0)
			return -1;
		v->u.i = (int64_t)u;
		return 0;
	case 'D':
		if (get_u64(r, &u) < 0)
			return -1;
		memcpy(&v->u.d, &u, sizeof v->u.d);
		return 0;
	case 'S':
		if (get_u32(r, &v->n) < 0 || (size_t)(r->end - r->p) < v->n)
			return -1;
		v->u.s = vb_xstrndup((const char *)r->p, v->n);
		r->p += v->n;
		return 0;
	case 'V':
		if (get_u32(r, &v->n) < 0 || (size_t)(r->end - r->p) / 4 < v->n)
			return -1;
		v->u.v = vb_xmalloc((v->n ? v->n : 1) * sizeof(float));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(v->u.v, r->p, (size_t)v->n * sizeof(float));
		r->p += (size_t)v->n * sizeof(float);
#else
		for (uint32_t i = 0; i < v->n; i++) {
			uint32_t bits = 0;
			get_u32(r, &bits); /* cannot fail: the length was checked above */
			memcpy(&v->u.v[i], &bits, sizeof bits);
		}
#endif
		return 0;
	case 'L':
		if (get_u32(r, &v->n) < 0)
			return -1;
		return decode_items(r, v, v->n);
	case 'M':
		if (get_u32(r, &v->n) < 0 || v->n > UINT32_MAX / 2)
			return -1;
		return decode_items(r, v, v->n * 2);
	default:
		v->tag = 'N';
		return -1;
	}
}

static void free_inner(struct lw_val *v)
{
	switch (v->tag) {
	case 'S': free(v->u.s); break;
	case 'V': free(v->u.v); break;
	case 'L': case 'M': {
		uint32_t n = v->tag == 'M' ? v->n * 2 : v->n;
		if (v->u.items)
			for (uint32_t i = 0; i < n; i++)
				free_inner(&v->u.items[i]);
		free(v->u.items);
		break;
	}
	default: break;
	}
}

struct lw_val *lw_decode(const unsigned char *data, size_t len)
{
	struct rd r = {data, data + len, 0};
	struct lw_val *v = vb_xcalloc(1, sizeof *v);
	if (decode(&r, v) < 0 || r.p != r.end) {
		lw_free(v);
		return NULL;
	}
	return v;
}

void lw_free(struct lw_val *v)
{
	if (!v)
		return;
	free_inner(v);
	free(v);
}

const struct lw_val *lw_get(const struct lw_val *m, const char *key)
{
	if (!m || m->tag != 'M')
		return NULL;
	for (uint32_t i = 0; i < m->n; i++) {
		const struct lw_val *k = &m->u.items[2 * i];
		if (k->tag == 'S' && strcmp(k->u.s, key) == 0)
			return &m->u.items[2 * i + 1];
	}
	return NULL;
}

const char *lw_get_str(const struct lw_val *m, const char *key)
{
	const struct lw_val *v = lw_get(m, key);
	return v && v->tag == 'S' ? v->u.s : NULL;
}

int64_t lw_get_int(const struct lw_val *m, const char *key, int64_t dflt)
{
	const struct lw_val *v = lw_get(m, key);
	return v && v->tag == 'I' ? v->u.i : dflt;
}
