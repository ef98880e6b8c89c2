/* kb/embed.h - text embedders for the knowledge base (design.md "Embeddings").
 *
 *   hashing  built in, offline, deterministic: feature hashing of lower-cased word unigrams,
 *            word bigrams and character 3-grams (of each word with boundary marks), each
 *            feature adding +-weight to one of `dim` buckets (sign from a hash bit), then L2
 *            normalised.  Any dim >= 1.  An empty text maps to a fixed unit vector (a zero
 *            vector would make cosine distance NaN in pgvector).
 *   openai   any OpenAI-compatible server (OpenAI, Ollama /v1, TEI, vLLM, llama.cpp, LM Studio):
 *            POST {base_url}/embeddings {"model": M, "input": [...]} with
 *            "Authorization: Bearer KEY" (omitted when there is no key), in batches of
 *            batch_size with up to `parallel` requests in flight, per-request timeout, retry
 *            with exponential backoff on 429, 5xx and dropped connections (at most max_tries
 *            requests per batch).  The response's vector length is checked against dim before
 *            anything is returned.
 *
 * Errors (err->status, message names the server URL, never the key):
 *   VB_ERR_CONNECT     connection refused / host unknown / timeout (the timeout is named);
 *                      HTTP 401/403, the key was rejected (exit 3, as for a database password
 *                      the server refuses: the operator fixes the key, no DBA is needed)
 *   VB_ERR_NOT_FOUND   HTTP 404: wrong base_url or model
 *   VB_ERR_SERVER      429/5xx still failing after max_tries; unreadable response;
 *                      "Embedding count mismatch: expected N got M"
 *   VB_ERR_SCHEMA      the model returns vectors of another length than dim (both named)
 *   VB_ERR_INVALID     bad options (unknown embedder, dim < 1, openai without base_url/model)
 *   VB_ERR_CANCELLED   *cancel became non-zero
 * Not thread-safe per handle; use one embedder per thread. */
#ifndef KB_EMBED_H
#define KB_EMBED_H

#include <stdatomic.h>
#include <stddef.h>

#include "../backends/vb.h"

#define EMBED_DEFAULT_DIM 384
#define EMBED_DEFAULT_BATCH 32
#define EMBED_DEFAULT_TIMEOUT_MS 30000
#define EMBED_DEFAULT_TRIES 4
#define EMBED_DEFAULT_BACKOFF_MS 500
#define EMBED_DEFAULT_PARALLEL 4
#define EMBED_MAX_PARALLEL 64

struct embed_options {
	const char *kind;      /* "hashing" (default when NULL/"") or "openai" */
	int dim;               /* <= 0: EMBED_DEFAULT_DIM */
	const char *base_url;  /* openai: e.g. "http://127.0.0.1:11434/v1" (trailing '/' ignored) */
	const char *model;     /* openai: the name sent in requests */
	const char *label;     /* openai: the name shown in messages (e.g. "sentence-transformers/
	                        * all-MiniLM-L6-v2" served as "all-minilm"); NULL: model */
	const char *api_key;   /* openai; NULL/"" = no Authorization header; never printed */
	int dimensions;        /* openai: > 0 sends "dimensions": N in every request, as Datus's
	                        * OpenAIEmbeddings does for registry openai (all models but
	                        * text-embedding-ada-002); 0 sends none */
	int batch_size;        /* texts per request; <= 0: EMBED_DEFAULT_BATCH */
	int parallel;          /* requests in flight; <= 0: EMBED_DEFAULT_PARALLEL (max EMBED_MAX_PARALLEL) */
	int timeout_ms;        /* whole request; <= 0: EMBED_DEFAULT_TIMEOUT_MS */
	int max_tries;         /* requests per batch on 429/5xx; <= 0: EMBED_DEFAULT_TRIES */
	int backoff_ms;        /* first retry delay, doubled per retry; <= 0: EMBED_DEFAULT_BACKOFF_MS
	                        * (a Retry-After header, capped at 30 s, wins when longer) */
	const atomic_int *cancel; /* optional: non-zero stops between and during requests */
};

struct embedder;

/* The options for a store come from kb/embed_choose.h (embed_choose). */
int embedder_open(const struct embed_options *o, struct embedder **out, struct vb_error *err);
void embedder_close(struct embedder **e);

int embedder_dim(const struct embedder *e);
const char *embedder_kind(const struct embedder *e);   /* "hashing" / "openai" */
/* "hashing" or "openai model M at URL": for messages and `config show`, never with the key. */
const char *embedder_describe(const struct embedder *e);

/* The vector length the server actually returned in the last answer (0 before any, or for
 * hashing: its dim).  After a VB_ERR_SCHEMA error it names the server's real dimension. */
int embedder_served_dim(const struct embedder *e);

/* One request with one short text: the server is up, knows the model and returns dim-long
 * vectors (VB_ERR_SCHEMA otherwise, embedder_served_dim then says what it returns). */
int embedder_probe(struct embedder *e, struct vb_error *err);

/* Embeds texts[0..n) (NULL text = "") into out[n * dim], row i at out + i * dim.  On error
 * the content of out is unspecified. */
int embedder_embed(struct embedder *e, const char *const *texts, size_t n, float *out, struct vb_error *err);

/* The hashing embedder as a plain function (no handle): one text of len bytes into out[dim]. */
void embed_hashing(const char *text, size_t len, int dim, float *out);

#endif
