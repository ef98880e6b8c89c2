/* kb/subject_match.h - Datus's subject-path search filter for the stores that carry a
 * subject_node_id (metrics, reference_sql, ext_knowledge).
 *
 * Mirrors datus/storage/subject_tree/store.py: get_matched_children_id (each path component an
 * fnmatch pattern matched level by level from the roots; the matched nodes, with all their
 * descendants when descendant is set) and search_with_subject_filter, which searches twice:
 *   1. subject_node_id IN (nodes of the whole path and their descendants);
 *   2. when the path has more than one component: subject_node_id IN (nodes of the path without
 *      its last component, no descendants) AND name LIKE <last component> ('*' -> '%');
 * a filter whose path matches no node is skipped, and the two result lists are concatenated. */
#ifndef KB_SUBJECT_MATCH_H
#define KB_SUBJECT_MATCH_H

#include <stdint.h>

#include "../backends/vb.h"

/* The subject tree of the handle's namespace, loaded once. */
struct subject_nodes {
	int64_t *id, *parent; /* parent -1 for a root */
	char **name;
	int n;
};

int subject_nodes_load(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *nodes_spec,
                       struct subject_nodes *out, struct vb_error *err);
void subject_nodes_free(struct subject_nodes *t);

/* The filters of search_with_subject_filter for path "A/B*" (components split on '/', trimmed,
 * empty ones dropped), each to be ANDed with the caller's filter.  *n is 0..2; an empty path
 * gives one filter matching every node (Datus's ["*"]).  Free each with vb_filter_free. */
void subject_match_filters(const struct subject_nodes *t, const char *path, struct vb_filter *out[2], int *n);

/* "A/B/C" for a node id (its ancestors' names), or NULL when the id is unknown.  Heap string. */
char *subject_nodes_path(const struct subject_nodes *t, int64_t id);

#endif
