/* kb/embed_guard.h - the record of which embedding model filled a store, and the rules that
 * keep vectors of one model out of a store filled with another (datus-spec 5.3, issue 13).
 *
 * The record is an INI file in Datus's datus_db.cfg format: one section per store kind
 * ([semantic_model], [metric], ...) with registry_name, model_name and dim_size.  Which file:
 *   - the store Datus's agent.yml points at (its pgvector storage namespace): Datus's own
 *     {home}/data/datus_db_{namespace}/datus_db.cfg, read and compared exactly as Datus does;
 *   - any other store (vbadmin's embedded store, a pgvector schema Datus does not use): a
 *     vbadmin record keyed by that store - {data_dir}/{namespace}.embedding.cfg next to the
 *     embedded file, or {data_dir}/pgvector/{database}.{schema}.{namespace}.embedding.cfg -
 *     so a throwaway store never blocks Datus's record and Datus's never blocks it. */
#ifndef KB_EMBED_GUARD_H
#define KB_EMBED_GUARD_H

#include "../backends/vb.h"

#define EMBED_DATUS_REGISTRY "sentence-transformers" /* Datus's registry_name default */
#define EMBED_DATUS_MODEL "all-MiniLM-L6-v2"          /* DEFAULT_MODEL_CONFIG */
#define EMBED_DATUS_DIM 384

/* A model as the record names it. */
struct embed_guard_model {
	const char *registry_name; /* "sentence-transformers", "fastembed", "openai", "hashing", ... */
	const char *model_name;
	int dim_size;
};

/* The store a record describes. */
struct embed_store {
	int datus_owned;          /* the store Datus's agent.yml uses: Datus's datus_db.cfg */
	const char *home;         /* agent.home (datus_owned) */
	const char *data_dir;     /* vbadmin's data dir (others) */
	const char *backend;      /* "pgvector", "lancedb" or "embedded" */
	const char *database, *schema; /* pgvector */
	const char *ns;
};

/* Path of the store's record (heap string). */
char *embed_guard_record_path(const struct embed_store *s);

/* What a record says for one section. */
struct embed_record {
	int present;              /* the section exists (with Datus's file: or the file has other
	                           * sections, which Datus compares against its default model) */
	int from_default;         /* present only by Datus's rule: the section itself is missing */
	char registry_name[128], model_name[256], dim_size[32];
	char extra_key[64];       /* a key Datus would report as "Missing key" on comparison, or "" */
};

/* Reads `section` of the record at path.  A missing file is no record (VB_OK, !present). */
int embed_guard_read(const char *path, const char *section, int datus_file, struct embed_record *r,
                     struct vb_error *err);

/* VB_OK when a model or registry name (what: "model_name", "registry_name") is one line of
 * text; else VB_ERR_INVALID naming the byte, and the [section] of agent.yml when given. */
int embed_guard_name_ok(const char *what, const char *name, const char *section, struct vb_error *err);

/* 1 when the record names m (registry, model and dim). */
int embed_guard_same(const struct embed_record *r, const struct embed_guard_model *m);

/* Before vectors of model m are written into a store (bootstrap):
 *   check / incremental: a record naming another model is refused with Datus's message
 *     (a section missing from Datus's file is no record here: see embed_guard.c)
 *     ("Embedding model configuration mismatch: ..."), VB_ERR_INVALID;
 *   overwrite: a section naming another model needs replace_confirmed (else VB_ERR_MISMATCH
 *     with a warning that Datus will no longer be able to search the store with its model);
 * then the section records m (written only when it changes: an equal record is left byte for
 * byte).  The file is written atomically (temp file + rename), mode 0600, directory 0700. */
int embed_guard_apply(const char *path, const char *section, const char *strategy, int datus_file,
                      const struct embed_guard_model *m, int replace_confirmed, struct vb_error *err);

/* The record's bytes before embed_guard_apply, to put back when the vectors it would describe
 * were rolled back (an overwrite that failed or was interrupted). */
struct embed_guard_saved {
	int taken, existed;
	char *bytes;
	size_t len;
};
void embed_guard_save(const char *path, struct embed_guard_saved *s);
/* Puts the saved bytes back (or removes a file that did not exist) when the file differs now;
 * atomically, as embed_guard_apply writes. */
int embed_guard_restore(const char *path, const struct embed_guard_saved *s, struct vb_error *err);
void embed_guard_saved_free(struct embed_guard_saved *s);
/* embed_guard_apply in its two halves, so that a bootstrap records the model only once the
 * vectors it describes are committed (a kill in between never leaves a record naming vectors
 * that are not there): the check, with *write_needed = 1 when the section must be (re)written,
 * and the write itself. */
int embed_guard_check(const char *path, const char *section, const char *strategy, int datus_file,
                      const struct embed_guard_model *m, int replace_confirmed, int *write_needed,
                      struct vb_error *err);
int embed_guard_record(const char *path, const char *section, const struct embed_guard_model *m,
                       struct vb_error *err);



#endif
