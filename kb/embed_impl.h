/* kb/embed_impl.h - private: the per-kind slots behind struct embedder (embed.c dispatches). */
#ifndef KB_EMBED_IMPL_H
#define KB_EMBED_IMPL_H

#include "embed.h"

struct embed_kind {
	const char *name;
	int (*open)(struct embedder *e, struct vb_error *err);
	int (*embed)(struct embedder *e, const char *const *texts, size_t n, float *out, struct vb_error *err);
	void (*close)(struct embedder *e);
};

struct embedder {
	const struct embed_kind *kind;
	struct embed_options opt; /* strings below are owned copies */
	char *base_url, *model, *label, *api_key;
	int served_dim;           /* see embedder_served_dim */
	char *describe;
	void *priv;               /* the kind's state */
};

extern const struct embed_kind embed_kind_hashing;
extern const struct embed_kind embed_kind_openai;

#endif
