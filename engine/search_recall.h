/* engine/search_recall.h - recall@k of a backend's vector search: its page against an exact
 * scan over the same namespace and filter (the search_vector_exact slot), for the CLI's
 * `search --recall` and the console's Search lab. */
#ifndef ENGINE_SEARCH_RECALL_H
#define ENGINE_SEARCH_RECALL_H

#include <stddef.h>

#include "../backends/vb.h"

struct search_recall {
	int k;
	size_t found;        /* rows of the exact top k the search also returned */
	size_t exact_rows;   /* rows the exact scan returned (< k when fewer rows match) */
	size_t search_rows;  /* rows the search returned */
	double recall;       /* found / exact_rows; 1 when nothing matches */
	double ms_search, ms_exact;
	char path[320];      /* how the search ran (the backend's search_path), "" if not told */
};

/* Runs search_vector and search_vector_exact with the same q, k and filter and compares the
 * ids.  VB_ERR_UNSUPPORTED when the backend offers no exact reference scan. */
int search_recall_measure(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                          const float *q, int k, const struct vb_filter *where, struct search_recall *out,
                          struct vb_error *err);

#endif
