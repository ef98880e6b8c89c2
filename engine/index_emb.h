/* engine/index_emb.h - `index create` on the embedded store: the IVF index of every vector
 * table that has rows (or of one table), through the backend's create_index slot. */
#ifndef ENGINE_INDEX_EMB_H
#define ENGINE_INDEX_EMB_H

#include <stdint.h>

#include "../backends/vb.h"

struct engine;

struct engine_index_built {
	const char *table;
	int64_t rows;        /* -1: the table does not exist */
	double ms;           /* build time */
	int status;          /* enum vb_status; VB_OK also for a skipped table */
	int skipped;         /* missing or empty: nothing built */
};

/* Builds the index of `only` (NULL: every vector table with rows) into out[0..*n).  Returns the
 * first failing status (err filled), VB_OK when every build succeeded. */
int engine_index_create_embedded(struct engine *e, const char *only, struct engine_index_built *out, int max, int *n,
                                 struct vb_error *err);

#endif
