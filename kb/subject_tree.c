/* kb/subject_tree.c - subject paths as parent/child rows of subject_nodes. */
#include "subject_tree.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/registry.h"
#include "../backends/vb_filter.h"
#include "../backends/vb_util.h"

void subject_tree_init(struct subject_tree *t, const struct vb_ops *ops, struct vb_handle *h,
                       const struct vb_table_spec *spec)
{
	memset(t, 0, sizeof *t);
	t->ops = ops;
	t->h = h;
	t->spec = spec;
}

void subject_tree_free(struct subject_tree *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->paths[i]);
	free(t->paths);
	free(t->ids);
	memset(t, 0, sizeof *t);
}

static struct vb_filter *child_filter(int64_t parent, const char *name)
{
	struct vb_value pv = {.type = VB_T_INT, .is_null = parent < 0};
	pv.u.i = parent;
	struct vb_filter *kids[2] = {vb_filter_cond("parent_id", VB_OP_EQ, pv), vb_filter_eq_text("name", name)};
	return vb_filter_and(kids, 2);
}

/* Looks the child up; *out = -1 when absent. */
static int find_child(struct subject_tree *t, int64_t parent, const char *name, int64_t *out, struct vb_error *err)
{
	struct vb_filter *f = child_filter(parent, name);
	const char *select[] = {"node_id", NULL};
	struct vb_result *res = NULL;
	int st = t->ops->search_all(t->h, t->spec, f, select, 1, &res, err);
	vb_filter_free(f);
	if (st != VB_OK)
		return st;
	*out = -1;
	const char *v = res && res->nrows ? vb_result_get(res, 0, vb_result_col(res, "node_id")) : NULL;
	if (v)
		*out = strtoll(v, NULL, 10);
	t->ops->result_free(t->h, &res);
	return VB_OK;
}

static int add_child(struct subject_tree *t, int64_t parent, const char *name, struct vb_error *err)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	const char *cols[] = {"parent_id", "name", "description", "created_at", "updated_at"};
	struct vb_value cells[5];
	memset(cells, 0, sizeof cells);
	cells[0].type = VB_T_INT;
	cells[0].is_null = parent < 0;
	cells[0].u.i = parent;
	cells[1].type = VB_T_TEXT;
	cells[1].u.s = name;
	cells[2].type = VB_T_TEXT;
	cells[2].u.s = "";
	cells[3].type = VB_T_TEXT;
	cells[3].u.s = stamp;
	cells[4].type = VB_T_TEXT;
	cells[4].u.s = stamp;
	struct vb_rows rows = {5, cols, 1, cells};
	return t->ops->add(t->h, t->spec, &rows, err);
}

/* The node lock: one transaction (unless the caller's overwrite transaction is open) and, on
 * a SQL backend, an advisory lock of this namespace's subject tree until its end.  UNIQUE
 * (namespace, parent_id, name) cannot stop a second root node: NULL parents are distinct. */
static int lock_nodes(struct subject_tree *t, int *began, struct vb_error *err)
{
	*began = 0;
	const struct vb_ops *o = t->ops;
	if (!t->in_txn && VB_SLOT(o, txn_begin) && VB_SLOT(o, txn_end)) {
		int st = o->txn_begin(t->h, err);
		if (st != VB_OK)
			return st;
		*began = 1;
	}
	if (!(o->caps & VB_CAP_SQL) || !VB_SLOT(o, query) || (!*began && !t->in_txn))
		return VB_OK;
	struct vb_result *r = NULL;
	const char *key[1] = {"vbadmin subject_nodes"};
	int st = o->query(t->h, "SELECT pg_advisory_xact_lock(hashtext($1 || current_schema()))", 1, key, &r, err);
	o->result_free(t->h, &r);
	return st;
}

static int unlock_nodes(struct subject_tree *t, int began, int st, struct vb_error *err)
{
	if (!began)
		return st;
	struct vb_error ignored;
	int end = t->ops->txn_end(t->h, st == VB_OK, st == VB_OK ? err : &ignored);
	return st == VB_OK ? end : st;
}

/* A node not found outside the lock: look again under it, create it when still missing. */
static int create_node(struct subject_tree *t, int64_t parent, const char *name, int64_t *id, struct vb_error *err)
{
	int began;
	int st = lock_nodes(t, &began, err);
	if (st == VB_OK)
		st = find_child(t, parent, name, id, err);
	if (st == VB_OK && *id < 0) {
		st = add_child(t, parent, name, err);
		if (st == VB_OK)
			st = find_child(t, parent, name, id, err);
		if (st == VB_OK && *id < 0)
			st = vb_err_set(err, VB_ERR_INTERNAL, "subject node '%s' was written but cannot be read back", name);
	}
	return unlock_nodes(t, began, st, err);
}

int subject_tree_path_id(struct subject_tree *t, const char *const *parts, int n, int64_t *out,
                         struct vb_error *err)
{
	*out = -1;
	struct vb_buf key;
	vb_buf_init(&key);
	int64_t parent = -1;
	int st = VB_OK;
	for (int i = 0; i < n && st == VB_OK; i++) {
		vb_buf_printf(&key, "%s%s", i ? "/" : "", parts[i]);
		int hit = -1;
		for (int k = 0; k < t->n; k++)
			if (strcmp(t->paths[k], key.data) == 0) {
				hit = k;
				break;
			}
		if (hit >= 0) {
			parent = t->ids[hit];
			continue;
		}
		int64_t id;
		st = find_child(t, parent, parts[i], &id, err);
		if (st == VB_OK && id < 0)
			st = create_node(t, parent, parts[i], &id, err);
		if (st != VB_OK)
			break;
		t->paths = vb_xrealloc(t->paths, (size_t)(t->n + 1) * sizeof *t->paths);
		t->ids = vb_xrealloc(t->ids, (size_t)(t->n + 1) * sizeof *t->ids);
		t->paths[t->n] = vb_xstrdup(key.data);
		t->ids[t->n] = id;
		t->n++;
		parent = id;
	}
	vb_buf_free(&key);
	if (st == VB_OK)
		*out = parent;
	return st;
}
