/* kb/embed_answer.c - the vectors of an /embeddings answer, read with jansson (one small tree)
 * and OpenSSL's base64 decoder.  vbadmin asks for "encoding_format": "base64", as Datus's
 * openai-python client does: each "embedding" is then a string holding dim little-endian
 * float32s, and a batch of 32 x 384 floats is 32 short strings instead of 12k JSON numbers to
 * parse.  A server that answers with a number list anyway is read as before (the client keeps
 * the list too).  NaN and Infinity pass through: embedder_embed (embed.c) refuses them, whichever
 * encoding they came in. */
#include "embed_json.h"

#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"

struct batch {
	float *out;
	size_t n;
	int dim;
	unsigned char *filled;
	size_t items;
	int bad_dim;
};

static void wrong_length(struct batch *b, size_t count)
{
	if (!b->bad_dim)
		b->bad_dim = count ? (int)(count > INT32_MAX ? INT32_MAX : count) : -1;
}

/* A number list: -1 when something else than numbers is in it. */
static int read_list(struct batch *b, json_t *emb, size_t pos)
{
	size_t count = json_array_size(emb);
	if (count != (size_t)b->dim) {
		wrong_length(b, count);
		return 0;
	}
	if (pos >= b->n)
		return 0;
	float *row = b->out + pos * (size_t)b->dim;
	for (size_t i = 0; i < count; i++) {
		json_t *v = json_array_get(emb, i);
		if (!json_is_number(v))
			return -1;
		row[i] = (float)json_number_value(v);
	}
	b->filled[pos] = 1;
	return 0;
}

/* The bytes a base64 text stands for, or -1 when it is not base64 (RFC 4648 alphabet, length a
 * multiple of 4, '=' only as the last one or two characters).  EVP_DecodeBlock counts the
 * padding as zero bytes and trims blanks at both ends, so both are checked here first. */
static long base64_bytes(const char *s, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t pad = len >= 1 && s[len - 1] == '=' ? len >= 2 && s[len - 2] == '=' ? 2 : 1 : 0;
	if (len % 4 || strspn(s, alphabet) != len - pad || len > (size_t)INT_MAX)
		return -1;
	return (long)(len / 4 * 3 - pad);
}

/* Little-endian float32s, whatever the host's byte order. */
static void read_le_floats(const unsigned char *p, int dim, float *row)
{
	for (int i = 0; i < dim; i++, p += 4) {
		uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		memcpy(&row[i], &u, sizeof u);
	}
}

/* A base64 text of float32s: -1 when it is not base64 or not whole floats. */
static int read_base64(struct batch *b, json_t *emb, size_t pos)
{
	const char *s = json_string_value(emb);
	size_t len = json_string_length(emb);
	long bytes = strlen(s) == len ? base64_bytes(s, len) : -1;
	if (bytes < 0 || bytes % 4)
		return -1;
	unsigned char *raw = vb_xmalloc(len / 4 * 3 + 1);
	int rc = EVP_DecodeBlock(raw, (const unsigned char *)s, (int)len) < 0 ? -1 : 0;
	if (rc == 0 && bytes != (long)b->dim * 4)
		wrong_length(b, (size_t)bytes / 4);
	else if (rc == 0 && pos < b->n) {
		read_le_floats(raw, b->dim, b->out + pos * (size_t)b->dim);
		b->filled[pos] = 1;
	}
	free(raw);
	return rc;
}

/* One data[] element, placed by its "index" (or its position when it has none). */
static int read_element(struct batch *b, json_t *el)
{
	json_t *emb = json_object_get(el, "embedding"), *idx = json_object_get(el, "index");
	if (!json_is_array(emb) && !json_is_string(emb))
		return -1;
	size_t pos = json_is_integer(idx) && json_integer_value(idx) >= 0 ? (size_t)json_integer_value(idx) : b->items;
	b->items++;
	return json_is_string(emb) ? read_base64(b, emb, pos) : read_list(b, emb, pos);
}

int embed_json_vectors(const char *body, size_t n, int dim, float *out, struct embed_json_stats *st)
{
	struct batch b = {out, n, dim, vb_xcalloc(n ? n : 1, 1), 0, 0};
	json_t *root = json_loads(body, 0, NULL);
	json_t *data = json_object_get(root, "data");
	int rc = json_is_array(data) ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < json_array_size(data); i++)
		rc = read_element(&b, json_array_get(data, i));
	json_decref(root);
	size_t got = 0;
	for (size_t i = 0; i < n; i++)
		got += b.filled[i];
	st->items = b.items;
	st->bad_dim = b.bad_dim;
	st->complete = rc == 0 && got == n && b.items == n;
	free(b.filled);
	return rc;
}
