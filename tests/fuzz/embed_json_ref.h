/* tests/fuzz/embed_json_ref.h - how vbadmin read /embeddings answers with jansson before the
 * one-pass reader (kb/embed_json_read.c) replaced it for speed: the reference both
 * tests/unit/test_embed_json.c and tests/fuzz/fuzz_embed_json.c hold the reader to. */
#ifndef TESTS_FUZZ_EMBED_JSON_REF_H
#define TESTS_FUZZ_EMBED_JSON_REF_H

#include <jansson.h>
#include <stdlib.h>

#include "../../backends/vb_util.h"
#include "../../kb/embed_json.h"

static int ref_element(json_t *el, float *out, size_t n, int dim, unsigned char *filled, size_t *items, int *bad_dim)
{
	json_t *emb = json_object_get(el, "embedding"), *idx = json_object_get(el, "index");
	if (!json_is_array(emb))
		return -1;
	size_t pos = json_is_integer(idx) && json_integer_value(idx) >= 0 ? (size_t)json_integer_value(idx) : *items;
	(*items)++;
	size_t count = json_array_size(emb);
	if (count != (size_t)dim) {
		if (!*bad_dim)
			*bad_dim = count ? (int)count : -1;
		return 0;
	}
	if (pos >= n)
		return 0;
	for (size_t i = 0; i < count; i++) {
		json_t *v = json_array_get(emb, i);
		if (!json_is_number(v))
			return -1;
		out[pos * (size_t)dim + i] = (float)json_number_value(v);
	}
	filled[pos] = 1;
	return 0;
}

static int ref_vectors(const char *body, size_t n, int dim, float *out, struct embed_json_stats *st)
{
	unsigned char *filled = vb_xcalloc(n ? n : 1, 1);
	size_t items = 0;
	int bad = 0;
	json_t *root = json_loads(body, 0, NULL);
	json_t *data = json_object_get(root, "data");
	int rc = json_is_array(data) ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < json_array_size(data); i++)
		rc = ref_element(json_array_get(data, i), out, n, dim, filled, &items, &bad);
	json_decref(root);
	size_t got = 0;
	for (size_t i = 0; i < n; i++)
		got += filled[i];
	st->items = items;
	st->bad_dim = bad;
	st->complete = rc == 0 && got == n && items == n;
	free(filled);
	return rc;
}

#endif
