/* kb/embed_choose.h - which embedding model runs for a store, or why none can (issue 13):
 *
 *   --embedder hashing (override)       the built-in hashing embedder, chosen explicitly;
 *   registry_name: hashing              the same, chosen in agent.yml;
 *   no agent.yml at all                 hashing (vbadmin's own embedded store, the demo);
 *   registry openai                     HTTP to the agent.models entry Datus would use;
 *   sentence-transformers / fastembed   HTTP to the server agent.vbadmin.embedding_endpoints
 *                                       names for the model (config_endpoints.h);
 *   anything else, or no such server    refused, with advice how to serve the model.
 * Search passes the store's recorded model; bootstrap passes none (the configured one, with
 * Datus's defaults: all-MiniLM-L6-v2, 384 dimensions). */
#ifndef KB_EMBED_CHOOSE_H
#define KB_EMBED_CHOOSE_H

#include "embed.h"
#include "embed_guard.h"

struct config;
struct vb_config;

struct embed_choice {
	struct embed_guard_model model; /* what the vectors carry: the record's three values */
	struct embed_options opt;       /* how to run it (strings point into cfg or below) */
	int hashing;                    /* the built-in hashing embedder */
	char why[200];                  /* where the choice came from, for config show and check */
	char registry[64], name[256];   /* storage behind model */
};

/* section: the store kind of datus_db.cfg ("semantic_model", "metric").  override: the
 * --embedder value or NULL.  recorded: the store's record (search), or NULL (bootstrap).
 * A model vbadmin cannot run is VB_ERR_NOT_FOUND (no server configured) or VB_ERR_UNSUPPORTED
 * (registry), with the model named and the advice in err->hint; c->model is filled even then. */
int embed_choose(const struct config *cfg, const char *section, const char *override,
                 const struct embed_record *recorded, struct embed_choice *c, struct vb_error *err);

/* The store a resolved command talks to, for the record (embed_guard.h).  backend_override:
 * --backend or NULL.  Pointers into cfg and vc. */
void embed_store_of(const struct config *cfg, const struct vb_config *vc, const char *backend_override,
                    struct embed_store *s);

/* One line naming what runs, e.g. "hashing (built in; chosen by --embedder hashing)" or
 * "sentence-transformers/all-MiniLM-L6-v2 via http://127.0.0.1:8080/v1 (384 dimensions)". */
void embed_choice_describe(const struct embed_choice *c, char *buf, size_t size);

#endif
