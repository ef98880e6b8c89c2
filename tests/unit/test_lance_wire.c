/* tests/unit/test_lance_wire.c - the LanceDB helper's frame codec (backends/lancedb/helper/protocol.md):
 * every tag round-trips, vectors keep every bit, the length prefix is right, and malformed or
 * truncated frames are refused instead of read past their end. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/lancedb/lance_wire.h"
#include "tap.h"

static struct lw_val *decode_frame(const struct vb_buf *b)
{
	return lw_decode((const unsigned char *)b->data + 4, b->len - 4);
}

static void test_roundtrip(void)
{
	struct vb_buf b;
	vb_buf_init(&b);
	const float vec[3] = {0.1f, -1e-38f, nextafterf(1.0f, 2.0f)};
	const char *tags[2] = {"x", "ü"};
	lw_begin(&b);
	lw_map(&b, 7);
	lw_str(&b, "s"); lw_str(&b, "héllo");
	lw_str(&b, "i"); lw_int(&b, -9007199254740993LL);
	lw_str(&b, "d"); lw_double(&b, 0.1);
	lw_str(&b, "b"); lw_bool(&b, 1);
	lw_str(&b, "n"); lw_str(&b, NULL);
	lw_str(&b, "v"); lw_vec(&b, vec, 3);
	lw_str(&b, "l"); lw_str_list(&b, tags, 2);
	lw_end(&b);
	uint32_t n = (uint32_t)(unsigned char)b.data[0] | (uint32_t)(unsigned char)b.data[1] << 8;
	is_int(n, b.len - 4, "the length prefix counts the body");
	struct lw_val *v = decode_frame(&b);
	ok(v && v->tag == 'M' && v->n == 7, "a map of 7 entries decodes");
	is_str(lw_get_str(v, "s"), "héllo", "UTF-8 text");
	is_int(lw_get_int(v, "i", 0), -9007199254740993LL, "int64 beyond 2^53 keeps every digit");
	const struct lw_val *d = lw_get(v, "d");
	ok(d && d->tag == 'D' && d->u.d == 0.1, "float64");
	ok(lw_get(v, "b") && lw_get(v, "b")->tag == 'T', "true");
	ok(lw_get(v, "n") && lw_get(v, "n")->tag == 'N', "a NULL string is null");
	const struct lw_val *vv = lw_get(v, "v");
	ok(vv && vv->tag == 'V' && vv->n == 3 && memcmp(vv->u.v, vec, sizeof vec) == 0,
	   "a vector comes back bit for bit (denormal and 1+ulp included)");
	const struct lw_val *l = lw_get(v, "l");
	ok(l && l->tag == 'L' && l->n == 2 && !strcmp(l->u.items[1].u.s, "ü"), "a list of strings");
	ok(lw_get(v, "absent") == NULL && lw_get_str(v, "i") == NULL, "absent keys and wrong types give NULL");
	lw_free(v);
	vb_buf_free(&b);
}

static void test_values(void)
{
	struct vb_buf b;
	vb_buf_init(&b);
	const char *items[1] = {"a"};
	struct vb_value cells[3] = {{.type = VB_T_TEXT_ARRAY}, {.type = VB_T_TIMESTAMP}, {.type = VB_T_INT, .is_null = 1}};
	cells[0].u.arr.items = items;
	cells[0].u.arr.n = 1;
	cells[1].u.s = "2024-01-02 03:04:05";
	lw_begin(&b);
	lw_list(&b, 3);
	for (int i = 0; i < 3; i++)
		lw_value(&b, &cells[i]);
	lw_end(&b);
	struct lw_val *v = decode_frame(&b);
	ok(v && v->tag == 'L' && v->n == 3, "vb_values as a list");
	ok(v && v->u.items[0].tag == 'L' && v->u.items[1].tag == 'S' && v->u.items[2].tag == 'N',
	   "text array -> list, timestamp -> text, NULL int -> null");
	lw_free(v);
	vb_buf_free(&b);
}

static void test_malformed(void)
{
	static const unsigned char truncated_str[] = {'S', 10, 0, 0, 0, 'a', 'b'};
	ok(lw_decode(truncated_str, sizeof truncated_str) == NULL, "a string longer than the frame is refused");
	static const unsigned char huge_list[] = {'L', 0xff, 0xff, 0xff, 0x7f, 'N'};
	ok(lw_decode(huge_list, sizeof huge_list) == NULL, "a list count beyond the frame is refused (no huge alloc)");
	static const unsigned char vec[] = {'V', 2, 0, 0, 0, 0, 0, 0x80, 0x3f};
	ok(lw_decode(vec, sizeof vec) == NULL, "a vector shorter than its dim is refused");
	static const unsigned char trailing[] = {'N', 'N'};
	ok(lw_decode(trailing, sizeof trailing) == NULL, "bytes after the value are refused");
	static const unsigned char bad_tag[] = {'Q'};
	ok(lw_decode(bad_tag, sizeof bad_tag) == NULL, "an unknown tag is refused");
	unsigned char deep[200];
	for (int i = 0; i < 199; i++)
		deep[i] = i % 5 == 0 ? 'L' : i % 5 == 1 ? 1 : 0;
	deep[199] = 'N';
	ok(lw_decode(deep, sizeof deep) == NULL, "nesting deeper than 64 is refused");
	ok(lw_decode((const unsigned char *)"", 0) == NULL, "an empty frame is refused");
}

int main(void)
{
	test_roundtrip();
	test_values();
	test_malformed();
	return tap_done();
}
