/* engine/search.h - the search use case: one query against one vector table of the knowledge
 * base in a mode (vector, text, hybrid), how the backend ran it (its search path; on SQL backends
 * also the EXPLAIN of the vector query) and recall@k against an exact scan under the same namespace
 * and filter.  The CLI (`vbadmin search`) and the console's
 * Search lab both call engine_search; neither embeds, filters or writes SQL itself. */
#ifndef ENGINE_SEARCH_H
#define ENGINE_SEARCH_H

#include <stddef.h>

#include "../backends/vb.h"

struct engine;

/* The search modes, once: enum, names and parsing come from this list. */
#define ENGINE_SEARCH_MODES(X) X(VECTOR, "vector") X(TEXT, "text") X(HYBRID, "hybrid")
enum engine_search_mode {
	ENGINE_MODE_AUTO = -1, /* the backend's best: hybrid when it can, else vector */
#define X(sym, name) ENGINE_MODE_##sym,
	ENGINE_SEARCH_MODES(X)
#undef X
	ENGINE_MODE__COUNT
};

/* What to run: the search itself, the EXPLAIN of its vector query, recall@k (any combination). */
enum { ENGINE_SEARCH_RUN = 1, ENGINE_SEARCH_EXPLAIN = 2, ENGINE_SEARCH_RECALL = 4 };

struct engine_search_req {
	const char *query;
	const char *table;   /* a vector table of ddl/tables.def; NULL: semantic_model */
	int mode;            /* enum engine_search_mode */
	int top;             /* 1..10000 */
	const char *where;   /* filter expression (backends/vb_filter.h) or NULL */
	/* Datus's metric search filters (MetricStorage.search_metrics): a subject path "A/B*" (fnmatch
	 * per level, kb/subject_match.h; results carry a subject_path column "A/B/C") and
	 * semantic_model_name IN (semantic_models).  Tables without the column refuse them. */
	const char *subject_path;
	const char *const *semantic_models;
	int nsemantic_models;
	unsigned what;       /* ENGINE_SEARCH_* bits; 0 means RUN */
	int timeout_ms;      /* server-side limit of the search (search_limits.h): 0 default, < 0 none */
};

struct engine_search_res {
	int mode;                          /* the mode that ran (AUTO resolved) */
	const struct vb_table_spec *spec;  /* the table searched */
	struct vb_result *rows;            /* RUN: ranked rows with distance/score; engine_search_free */
	double ms;                         /* RUN: embedding + search, milliseconds */
	char **plan;                       /* EXPLAIN: the plan's lines */
	int nplan;
	int recall_done;                   /* RECALL: */
	double recall;                     /*   found / exact (1.0 when the exact scan is empty) */
	size_t recall_found, recall_exact;
	double ms_index, ms_exact;
	char search_path[320];             /* RUN, EXPLAIN, RECALL: how the backend ran the vector or
	                                    * hybrid search (its search_path slot); "" if it does not say */
	char embedder[400];                /* the model that embeds this table's queries (the store's
	                                    * recorded one), or why none can run: for the header */
	int embedder_runs;                 /* 0: vector and hybrid are refused, text still runs */
	char empty_why[320];               /* RUN with no row: why (empty namespace, the filter, text mode's
	                                    * every-word rule), so "0 results" is never a dead end */
	const char *failed_at;             /* on failure: "table", "filter", "store", "table not ready",
	                                    * "extension" (missing or not even available), "server gone",
	                                    * "embedder", "search", "explain", "recall" */
};

/* Runs req on the engine's backend (opened on first use).  On failure returns the status, fills
 * err and res->failed_at; VB_ERR_INVALID means the request itself is wrong (usage), and
 * VB_ERR_UNSUPPORTED that this backend cannot do it (a mode, EXPLAIN or recall). */
int engine_search(struct engine *e, const struct engine_search_req *req, struct engine_search_res *res,
                  struct vb_error *err);
void engine_search_free(struct engine *e, struct engine_search_res *res);

/* Whether where is a valid filter for table (empty: yes), before any search runs. */
int engine_search_check_filter(const struct engine *e, const char *table, const char *where, struct vb_error *err);

const char *engine_search_mode_name(int mode);
/* "vector" / "text" / "hybrid" -> mode; -1 (AUTO) for NULL; -2 for anything else. */
int engine_search_mode_parse(const char *name);
/* A row's cell by column name, "" when absent. */
const char *engine_search_cell(const struct vb_result *r, size_t row, const char *col);

#endif
