/* kb/embed_json.c - the JSON of an OpenAI-compatible /embeddings exchange, with jansson: the
 * request body and the server's words on errors.  The vectors of an answer are read by
 * embed_answer.c. */
#include "embed_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"

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

void embed_json_request(const char *model, int dimensions, const char *const *texts, size_t n, struct vb_buf *b)
{
	json_t *input = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(input, input_text(texts[i]));
	/* base64, as openai-python asks when its caller names no encoding (Datus names none): a
	 * float32 is 4 bytes on the wire instead of ~12 digits, and nothing to parse as a number */
	json_t *req = json_pack("{s:s, s:o, s:s}", "model", model, "input", input, "encoding_format", "base64");
	if (req && dimensions > 0)
		json_object_set_new(req, "dimensions", json_integer(dimensions));
	char *text = req ? json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	vb_buf_reset(b);
	vb_buf_add(b, text ? text : "{}");
	free(text);
	json_decref(req);
}
