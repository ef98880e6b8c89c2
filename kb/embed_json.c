/* kb/embed_json.c - the JSON of an OpenAI-compatible /embeddings exchange, with jansson: the
 * request body, the vectors of an answer (placed by "index") and the server's words on errors. */
#include "embed_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"

struct parse_ctx {
	float *out;       /* this batch's rows */
	size_t n;         /* texts in the batch */
	int dim;
	unsigned char *filled;
	size_t items;     /* data[] elements seen */
	int bad_dim;      /* first wrong length seen, 0 if none */
};

/* One data[] element: {"embedding": [...], "index": i}.  -1 when it is not one. */
static int take_element(struct parse_ctx *c, json_t *el)
{
	json_t *emb = json_object_get(el, "embedding"), *idx = json_object_get(el, "index");
	if (!json_is_array(emb))
		return -1;
	size_t pos = json_is_integer(idx) && json_integer_value(idx) >= 0 ? (size_t)json_integer_value(idx) : c->items;
	c->items++;
	size_t count = json_array_size(emb);
	if (count != (size_t)c->dim) {
		if (!c->bad_dim)
			c->bad_dim = count ? (int)count : -1;
		return 0;
	}
	if (pos >= c->n)
		return 0;
	float *row = c->out + pos * (size_t)c->dim;
	for (size_t i = 0; i < count; i++) {
		json_t *v = json_array_get(emb, i);
		if (!json_is_number(v))
			return -1;
		row[i] = (float)json_number_value(v);
	}
	c->filled[pos] = 1;
	return 0;
}

int embed_json_vectors(const char *body, size_t n, int dim, float *out, struct embed_json_stats *st)
{
	struct parse_ctx c = {.out = out, .n = n, .dim = dim};
	c.filled = vb_xcalloc(n ? n : 1, 1);
	json_t *root = json_loads(body, 0, NULL);
	json_t *data = json_object_get(root, "data");
	int rc = json_is_array(data) ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < json_array_size(data); i++)
		rc = take_element(&c, json_array_get(data, i));
	json_decref(root);
	size_t got = 0;
	for (size_t i = 0; i < n; i++)
		got += c.filled[i];
	st->items = c.items;
	st->bad_dim = c.bad_dim;
	st->complete = got == n && c.items == n;
	free(c.filled);
	return rc;
}

/* The message of an error answer: "error" as text or {"message": ...}, "detail", "message". */
static const char *error_text(json_t *root)
{
	static const char *const keys[] = {"error", "detail", "message"};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		json_t *v = json_object_get(root, keys[k]);
		if (json_is_object(v))
			v = json_object_get(v, "message");
		if (json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

char *embed_json_message(const char *body, const char *secret)
{
	struct vb_buf msg;
	vb_buf_init(&msg);
	vb_buf_add(&msg, "");
	json_t *root = json_loads(body, 0, NULL);
	const char *text = error_text(root);
	if (text && *text)
		vb_buf_add(&msg, text);
	else
		vb_buf_addn(&msg, body, strnlen(body, 200));
	json_decref(root);
	if (msg.len > 300) {
		msg.data[300] = '\0';
		msg.len = 300;
	}
	for (size_t i = 0; i < msg.len; i++)
		if ((unsigned char)msg.data[i] < 0x20)
			msg.data[i] = ' ';
	if (secret && strlen(secret) >= 4) { /* "***" never grows the text */
		size_t kl = strlen(secret);
		for (char *k; (k = strstr(msg.data, secret));)
			memmove(k + 3, k + kl, strlen(k + kl) + 1), memcpy(k, "***", 3);
	}
	return vb_buf_steal(&msg);
}

/* An empty input is rejected by some servers: a space embeds as "nothing".  (The texts come
 * from libyaml, which only passes valid UTF-8, so json_string does not refuse them.) */
static json_t *input_text(const char *t)
{
	json_t *v = t && *t ? json_string(t) : NULL;
	return v ? v : json_string(" ");
}

void embed_json_request(const char *model, const char *const *texts, size_t n, struct vb_buf *b)
{
	json_t *input = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(input, input_text(texts[i]));
	json_t *req = json_pack("{s:s, s:o}", "model", model, "input", input);
	char *text = req ? json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	vb_buf_reset(b);
	vb_buf_add(b, text ? text : "{}");
	free(text);
	json_decref(req);
}
