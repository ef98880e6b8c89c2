/* kb/embed_answer.c - the vectors of an /embeddings answer, read with json-c (one small tree)
 * and OpenSSL's base64 decoder.  json-c rather than jansson, the project's JSON library elsewhere:
 * its tokener copies a string in runs where jansson's lexer saves it a character at a time, and
 * a 32 x 384 answer is 67 kB of base64 strings (0.16 ms against 0.86 ms a batch, measured here),
 * the embedder's largest CPU cost.  vbadmin asks for "encoding_format": "base64", as Datus's
 * openai-python client does: each "embedding" is then a string holding dim little-endian
 * float32s, and a batch of 32 x 384 floats is 32 short strings instead of 12k JSON numbers to
 * parse.  A server that answers with a number list anyway is read as before (the client keeps
 * the list too).  NaN and Infinity pass through: embedder_embed (embed.c) refuses them, whichever
 * encoding they came in. */
#include "embed_json.h"

#include <json-c/json.h>
#include <limits.h>
#include <math.h>
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
static int read_list(struct batch *b, struct json_object *emb, size_t pos)
{
	size_t count = json_object_array_length(emb);
	if (count != (size_t)b->dim) {
		wrong_length(b, count);
		return 0;
	}
	if (pos >= b->n)
		return 0;
	float *row = b->out + pos * (size_t)b->dim;
	for (size_t i = 0; i < count; i++) {
		struct json_object *v = json_object_array_get_idx(emb, i);
		if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
			return -1;
		double d = json_object_get_double(v);
		if (!isfinite(d)) /* json-c reads NaN and Infinity words, and 1e400 as inf; JSON has neither */
			return -1;
		row[i] = (float)d;
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
static int read_base64(struct batch *b, struct json_object *emb, size_t pos)
{
	const char *s = json_object_get_string(emb);
	size_t len = (size_t)json_object_get_string_len(emb);
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
static int read_element(struct batch *b, struct json_object *el)
{
	struct json_object *emb = NULL, *idx = NULL;
	if (!json_object_is_type(el, json_type_object))
		return -1;
	json_object_object_get_ex(el, "embedding", &emb);
	json_object_object_get_ex(el, "index", &idx);
	int is_text = json_object_is_type(emb, json_type_string);
	if (!is_text && !json_object_is_type(emb, json_type_array))
		return -1;
	int64_t at = json_object_is_type(idx, json_type_int) ? json_object_get_int64(idx) : -1;
	size_t pos = at >= 0 ? (size_t)at : b->items;
	b->items++;
	return is_text ? read_base64(b, emb, pos) : read_list(b, emb, pos);
}

/* The whole body as one strict JSON document (RFC 8259: no comments, no single quotes, no NaN
 * words, nothing after it), or NULL. */
static struct json_object *parse_strict(const char *body)
{
	size_t len = strlen(body);
	if (len > INT_MAX)
		return NULL;
	struct json_tokener *tk = json_tokener_new();
	json_tokener_set_flags(tk, JSON_TOKENER_STRICT);
	struct json_object *root = json_tokener_parse_ex(tk, body, (int)len);
	size_t used = json_tokener_get_parse_end(tk);
	int whole = json_tokener_get_error(tk) == json_tokener_success && body[used + strspn(body + used, " \t\r\n")] == '\0';
	json_tokener_free(tk);
	if (!whole) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

int embed_json_vectors(const char *body, size_t n, int dim, float *out, struct embed_json_stats *st)
{
	struct batch b = {out, n, dim, vb_xcalloc(n ? n : 1, 1), 0, 0};
	struct json_object *root = parse_strict(body), *data = NULL;
	if (json_object_is_type(root, json_type_object))
		json_object_object_get_ex(root, "data", &data);
	int rc = json_object_is_type(data, json_type_array) ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < json_object_array_length(data); i++)
		rc = read_element(&b, json_object_array_get_idx(data, i));
	json_object_put(root);
	size_t got = 0;
	for (size_t i = 0; i < n; i++)
		got += b.filled[i];
	st->items = b.items;
	st->bad_dim = b.bad_dim;
	st->complete = rc == 0 && got == n && b.items == n;
	free(b.filled);
	return rc;
}
