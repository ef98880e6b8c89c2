/* kb/subject_tree.h - find-or-create of subject paths ("Finance/Revenue") in the
 * subject_nodes table of the current namespace, through any backend's generic slots. */
#ifndef KB_SUBJECT_TREE_H
#define KB_SUBJECT_TREE_H

#include <stdint.h>

#include "../backends/vb.h"

struct subject_tree {
	const struct vb_ops *ops;
	struct vb_handle *h;
	const struct vb_table_spec *spec;
	char **paths;    /* cache: "A/B" -> id, so a load of many metrics asks once per node */
	int64_t *ids;
	int n;
	int in_txn;      /* the caller holds a txn_begin transaction (an overwrite) */
};

void subject_tree_init(struct subject_tree *t, const struct vb_ops *ops, struct vb_handle *h,
                       const struct vb_table_spec *spec);
void subject_tree_free(struct subject_tree *t);
/* Leaf node id of the path, creating missing nodes; n == 0 gives -1 (NULL).  Concurrent loads
 * into one namespace agree on every node: a missing node is looked up again and created under a
 * lock (the embedded store's write transaction; on PostgreSQL also an advisory lock per
 * namespace), so no load fails on a duplicate key and none creates a second root. */
int subject_tree_path_id(struct subject_tree *t, const char *const *parts, int n, int64_t *out,
                         struct vb_error *err);

#endif
