/* backends/lancedb/lance_wire.h - the framed value codec of helper/protocol.md (C side of
 * helper/wire.mjs).  Writing appends to a vb_buf whose first 4 bytes are the frame length;
 * reading decodes one frame into a tree of lw_val the caller frees with lw_free. */
#ifndef VB_LANCE_WIRE_H
#define VB_LANCE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "../vb_util.h"

void lw_begin(struct vb_buf *b);              /* reset b and reserve the length prefix */
void lw_end(struct vb_buf *b);                /* fill in the length prefix */
void lw_null(struct vb_buf *b);
void lw_bool(struct vb_buf *b, int v);
void lw_int(struct vb_buf *b, int64_t v);
void lw_double(struct vb_buf *b, double v);
void lw_str(struct vb_buf *b, const char *s); /* NULL writes null */
void lw_vec(struct vb_buf *b, const float *v, int dim);
/* A column of n vectors of dim floats (tag W): then n lw_vec_row calls, the rows' floats back to back. */
void lw_vec_column(struct vb_buf *b, uint32_t n, uint32_t dim);
void lw_vec_row(struct vb_buf *b, const float *v, uint32_t dim);
void lw_list(struct vb_buf *b, uint32_t n);   /* then n values */
void lw_map(struct vb_buf *b, uint32_t n);    /* then n (lw_str key, value) pairs */
void lw_str_list(struct vb_buf *b, const char *const *items, int n);
/* One vb_value as its wire value (text arrays as lists, vectors raw). */
void lw_value(struct vb_buf *b, const struct vb_value *v);

struct lw_val {
	char tag; /* N T F I D S V L M */
	uint32_t n;  /* S: bytes, V: dim, L: items, M: pairs */
	union {
		int64_t i;
		double d;
		char *s;            /* NUL-terminated copy */
		float *v;
		struct lw_val *items; /* L: n items; M: 2n items, key then value */
	} u;
};

/* Decodes data[0..len) (one frame body); NULL when it is malformed. */
struct lw_val *lw_decode(const unsigned char *data, size_t len);
void lw_free(struct lw_val *v);
/* Map lookup; NULL when m is not a map or has no such key. */
const struct lw_val *lw_get(const struct lw_val *m, const char *key);
const char *lw_get_str(const struct lw_val *m, const char *key);  /* NULL unless a string */
int64_t lw_get_int(const struct lw_val *m, const char *key, int64_t dflt);

#endif
