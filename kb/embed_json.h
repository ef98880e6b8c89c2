/* kb/embed_json.h - the JSON of an OpenAI-compatible /embeddings exchange: the
 * request body, the vectors of an answer, the server's words on errors. */
#ifndef KB_EMBED_JSON_H
#define KB_EMBED_JSON_H

#include <stddef.h>

struct vb_buf;

struct embed_json_stats {
	size_t items;  /* data[] elements seen */
	int bad_dim;   /* length of the first vector that is not dim long (-1: empty), 0 if none */
	int complete;  /* every position 0..n-1 got exactly one vector of dim floats */
};

/* Fills out[n * dim] from body, placing each element by its "index" (or its position when it
 * has none); an "embedding" is a base64 text of little-endian float32s or a number list
 * (embed_answer.c).  Returns 0, or -1 when body is not such a JSON document, an embedding is
 * not base64 of whole floats, or a list holds something else than numbers. */
int embed_json_vectors(const char *body, size_t n, int dim, float *out, struct embed_json_stats *st);

/* The server's own words for a failed request (error.message, error, detail or message; else
 * the first 200 bytes): one line of at most 300 bytes, `secret` (when >= 4 bytes) shown as ***.
 * Heap string. */
char *embed_json_message(const char *body, const char *secret);

/* {"model": model, "input": [texts...], "encoding_format": "base64"} into b (an empty text is
 * sent as " "), plus "dimensions": dimensions when it is > 0. */
void embed_json_request(const char *model, int dimensions, const char *const *texts, size_t n, struct vb_buf *b);

#endif
