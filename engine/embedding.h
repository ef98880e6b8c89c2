/* engine/embedding.h - the embedding policy of the use cases that embed (bootstrap-kb, search,
 * check): which model runs for a store, what its record says, and whether vectors may be
 * written (issue 13; docs/embeddings.md).  Front ends call these and render the results. */
#ifndef ENGINE_EMBEDDING_H
#define ENGINE_EMBEDDING_H

#include "../kb/embed_choose.h"

struct config;

struct eng_embedding {
	const char *section;        /* datus_db.cfg section ("semantic_model", "metric", ...) */
	struct embed_store store;
	char *record_path;          /* the store's record (embed_guard_record_path) */
	struct embed_record record; /* its section */
	struct embed_choice choice; /* the model that runs (model filled even when it cannot run) */
	struct embedder *emb;       /* NULL when the model cannot run */
	struct vb_error why_not;    /* why emb is NULL: names the model and how to serve it */
	char describe[400];         /* one line for headers and status bars */
	int record_due;             /* eng_embedding_guard passed and the record must be written */
};

/* The datus_db.cfg section of a vector table ("metrics" -> "metric", "schema_metadata" ->
 * "database"), or NULL. */
const char *eng_embedding_section(const char *table);

/* For writing (bootstrap-kb): the configured model of the table's store, opened and, for a
 * server, probed with one request: its actual dimension must equal the configured one before
 * anything is written (VB_ERR_SCHEMA naming both); the hashing embedder needs no probe.  cancel (may be NULL) stops requests.  On failure err says why and what to do;
 * ee is still valid for eng_embedding_close. */
int eng_embedding_for_write(const struct config *cfg, const struct vb_config *vc, const char *backend_override,
                            const char *embedder_override, const char *table,
                            const atomic_int *cancel, struct eng_embedding *ee, struct vb_error *err);

/* Right before the first change of a bootstrap: embed_guard_check against this store's record;
 * notes whether the record must be written (ee->record_due). */
int eng_embedding_guard(struct eng_embedding *ee, const char *strategy, int replace_confirmed, struct vb_error *err);
/* Once the first vectors are committed: writes the record eng_embedding_guard found due (once). */
int eng_embedding_record(struct eng_embedding *ee, struct vb_error *err);

/* For search: the model recorded for the store (else the configured one).  Never fails: when
 * the model cannot run, ee->emb is NULL and ee->why_not says why (text search still works). */
void eng_embedding_for_search(const struct config *cfg, const struct vb_config *vc, const char *backend_override,
                              const char *embedder_override, const char *table, struct eng_embedding *ee);

/* The refusal of a vector or hybrid search when ee->emb is NULL: VB_ERR_NOT_FOUND naming the
 * model, with how to serve it, and that --mode text still answers. */
int eng_embedding_refuse(const struct eng_embedding *ee, const char *mode, struct vb_error *err);

void eng_embedding_close(struct eng_embedding *ee);

/* For `config show` and `check`: what runs for a store kind by the configuration alone (no
 * store, no request).  line gets one description: the runner ("hashing (built in, ...; chosen
 * by ...)", "sentence-transformers/all-MiniLM-L6-v2 via URL (384 dimensions)") or
 * "<registry>/<model> (N dimensions): not served".  Returns embed_choose's status (err says why
 * and what to do); c->model is filled either way. */
int eng_embedding_configured(const struct config *cfg, const char *section, const char *embedder_override,
                             struct embed_choice *c, char *line, size_t size, struct vb_error *err);

#endif
