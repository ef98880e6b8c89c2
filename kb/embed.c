/* kb/embed.c - embedder handle: options, kind lookup, dispatch. */
#include "embed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "embed_impl.h"

static const struct embed_kind *const kinds[] = {&embed_kind_hashing, &embed_kind_openai};

int embedder_open(const struct embed_options *o, struct embedder **out, struct vb_error *err)
{
	*out = NULL;
	const char *name = o->kind && *o->kind ? o->kind : "hashing";
	const struct embed_kind *k = NULL;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kinds[i]->name, name))
			k = kinds[i];
	if (!k) {
		vb_err_set(err, VB_ERR_INVALID, "unknown embedder '%s'", name);
		snprintf(err->hint, sizeof err->hint, "set embedder to 'hashing' (built in, offline) or 'openai' "
		                                      "(any OpenAI-compatible /embeddings server)");
		return VB_ERR_INVALID;
	}
	if (o->dim > 16000)
		return vb_err_set(err, VB_ERR_INVALID, "embedding dim %d is above pgvector's limit of 16000", o->dim);
	struct embedder *e = vb_xcalloc(1, sizeof *e);
	e->kind = k;
	e->opt = *o;
	e->opt.kind = k->name;
	if (e->opt.dim <= 0)
		e->opt.dim = EMBED_DEFAULT_DIM;
	if (e->opt.batch_size <= 0)
		e->opt.batch_size = EMBED_DEFAULT_BATCH;
	if (e->opt.timeout_ms <= 0)
		e->opt.timeout_ms = EMBED_DEFAULT_TIMEOUT_MS;
	if (e->opt.max_tries <= 0)
		e->opt.max_tries = EMBED_DEFAULT_TRIES;
	if (e->opt.backoff_ms <= 0)
		e->opt.backoff_ms = EMBED_DEFAULT_BACKOFF_MS;
	if (e->opt.parallel <= 0)
		e->opt.parallel = EMBED_DEFAULT_PARALLEL;
	if (e->opt.parallel > EMBED_MAX_PARALLEL)
		e->opt.parallel = EMBED_MAX_PARALLEL;
	e->base_url = vb_xstrdup(o->base_url);
	e->model = vb_xstrdup(o->model);
	e->label = vb_xstrdup(o->label);
	e->api_key = vb_xstrdup(o->api_key);
	e->opt.base_url = e->base_url;
	e->opt.model = e->model;
	e->opt.label = e->label;
	e->opt.api_key = e->api_key;
	int st = k->open(e, err);
	if (st) {
		embedder_close(&e);
		return st;
	}
	*out = e;
	return VB_OK;
}

void embedder_close(struct embedder **ep)
{
	if (!ep || !*ep)
		return;
	struct embedder *e = *ep;
	if (e->kind->close)
		e->kind->close(e);
	if (e->api_key) /* do not leave the key in freed heap memory */
		memset(e->api_key, 0, strlen(e->api_key));
	free(e->base_url);
	free(e->model);
	free(e->label);
	free(e->api_key);
	free(e->describe);
	free(e);
	*ep = NULL;
}

int embedder_dim(const struct embedder *e)
{
	return e->opt.dim;
}

const char *embedder_kind(const struct embedder *e)
{
	return e->kind->name;
}

const char *embedder_describe(const struct embedder *e)
{
	return e->describe ? e->describe : e->kind->name;
}

int embedder_embed(struct embedder *e, const char *const *texts, size_t n, float *out, struct vb_error *err)
{
	if (n == 0)
		return VB_OK;
	int st = e->kind->embed(e, texts, n, out, err);
	if (st != VB_OK)
		return st;
	/* NaN or Inf would be stored by one backend (and rank first there) and refused by the other:
	 * a vector that is not a number is the embedder's fault, refused here for both */
	size_t dim = (size_t)embedder_dim(e);
	for (size_t i = 0; i < n * dim; i++)
		if (!isfinite(out[i])) {
			vb_err_set(err, VB_ERR_SERVER, "the embedder returned %s in dimension %zu of the vector for text %zu; "
			                               "nothing of this batch was written", isnan(out[i]) ? "NaN" : "Infinity",
			           i % dim + 1, i / dim + 1);
			snprintf(err->hint, sizeof err->hint, "check the embedding server and its model (embed_base_url, "
			                                      "model_name); a healthy model never returns these");
			return VB_ERR_SERVER;
		}
	return VB_OK;
}

int embedder_served_dim(const struct embedder *e)
{
	return e->served_dim;
}

int embedder_probe(struct embedder *e, struct vb_error *err)
{
	static const char *const probe[] = {"vbadmin dimension probe"};
	float *v = vb_xmalloc((size_t)e->opt.dim * sizeof *v);
	int st = embedder_embed(e, probe, 1, v, err);
	free(v);
	return st;
}
