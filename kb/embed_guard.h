/* kb/embed_guard.h - the embedding-config guard of Datus (datus-spec 5.3): the model that
 * filled a namespace's knowledge base is recorded in {home}/data/datus_db_{namespace}/datus_db.cfg,
 * one INI section per store ([semantic_model], [metric]); `check` and `incremental` refuse to mix
 * embeddings of another model or dimension into it, `overwrite` records the new model. */
#ifndef KB_EMBED_GUARD_H
#define KB_EMBED_GUARD_H

#include "../backends/vb.h"

struct embed_guard_model {
	const char *registry_name; /* "hashing", "openai", ... */
	const char *model_name;
	int dim_size;
};

/* Path of the namespace's datus_db.cfg (heap string). */
char *embed_guard_path(const char *home, const char *ns);

/* strategy "check"/"incremental": compare the section with m; a difference is VB_ERR_INVALID
 * with the Datus message ("Embedding model configuration mismatch: ...").  A missing file or
 * section is recorded.  strategy "overwrite": record m.  The file is written atomically
 * (temp file + rename), mode 0600, its directory 0700. */
int embed_guard_apply(const char *path, const char *section, const char *strategy,
                      const struct embed_guard_model *m, struct vb_error *err);

#endif
