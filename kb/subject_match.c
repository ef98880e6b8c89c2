/* kb/subject_match.c - subject-path filters as Datus builds them (see the header). */
#include "subject_match.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_filter.h"
#include "../backends/vb_util.h"

void subject_nodes_free(struct subject_nodes *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	free(t->id);
	free(t->parent);
	memset(t, 0, sizeof *t);
}

int subject_nodes_load(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *nodes_spec,
                       struct subject_nodes *out, struct vb_error *err)
{
	memset(out, 0, sizeof *out);
	int exists = 0;
	int st = ops->table_exists(h, nodes_spec->name, &exists, err);
	if (st != VB_OK || !exists)
		return st;
	static const char *const sel[] = {"node_id", "parent_id", "name", NULL};
	struct vb_result *r = NULL;
	if ((st = ops->search_all(h, nodes_spec, NULL, sel, 0, &r, err)) != VB_OK)
		return st;
	out->n = (int)r->nrows;
	out->id = vb_xcalloc(r->nrows + 1, sizeof *out->id);
	out->parent = vb_xcalloc(r->nrows + 1, sizeof *out->parent);
	out->name = vb_xcalloc(r->nrows + 1, sizeof *out->name);
	int cid = vb_result_col(r, "node_id"), cpar = vb_result_col(r, "parent_id"), cname = vb_result_col(r, "name");
	for (size_t i = 0; i < r->nrows; i++) {
		const char *p = vb_result_get(r, i, cpar);
		out->id[i] = strtoll(vb_result_get(r, i, cid) ? vb_result_get(r, i, cid) : "-1", NULL, 10);
		out->parent[i] = p && *p ? strtoll(p, NULL, 10) : -1;
		out->name[i] = vb_xstrdup(vb_result_get(r, i, cname) ? vb_result_get(r, i, cname) : "");
	}
	ops->result_free(h, &r);
	return VB_OK;
}

struct ids {
	struct vb_value *v;
	size_t n;
};

static void add_id(struct ids *s, int64_t id)
{
	s->v = vb_xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n] = (struct vb_value){.type = VB_T_INT};
	s->v[s->n++].u.i = id;
}

static void collect_all(const struct subject_nodes *t, int k, int descendant, struct ids *s)
{
	add_id(s, t->id[k]);
	if (!descendant)
		return;
	for (int c = 0; c < t->n; c++)
		if (t->parent[c] == t->id[k])
			collect_all(t, c, descendant, s);
}

/* get_matched_children_id's dfs: the nodes under parent whose names match parts[level]. */
static void dfs(const struct subject_nodes *t, int64_t parent, char **parts, int nparts, int level, int descendant,
                struct ids *s)
{
	for (int k = 0; k < t->n; k++) {
		if (t->parent[k] != parent || fnmatch(parts[level], t->name[k], 0) != 0)
			continue;
		if (level == nparts - 1)
			collect_all(t, k, descendant, s);
		else
			dfs(t, t->id[k], parts, nparts, level + 1, descendant, s);
	}
}

static int split_path(const char *path, char ***parts)
{
	int n = 0;
	*parts = NULL;
	for (const char *s = path ? path : ""; *s;) {
		const char *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - s) : strlen(s);
		while (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len) {
			*parts = vb_xrealloc(*parts, (size_t)(n + 1) * sizeof **parts);
			(*parts)[n++] = vb_xstrndup(s, len);
		}
		if (!slash)
			break;
		s = slash + 1;
	}
	return n;
}

static struct vb_filter *node_filter(const struct subject_nodes *t, char **parts, int n, int descendant)
{
	struct ids s = {0};
	dfs(t, -1, parts, n, 0, descendant, &s);
	struct vb_filter *f = s.n ? vb_filter_in("subject_node_id", s.v, s.n) : NULL;
	free(s.v);
	return f;
}

void subject_match_filters(const struct subject_nodes *t, const char *path, struct vb_filter *out[2], int *n)
{
	char **parts;
	int np = split_path(path, &parts);
	*n = 0;
	if (np == 0) {
		char *all = "*";
		struct vb_filter *f = node_filter(t, &all, 1, 1);
		if (f)
			out[(*n)++] = f;
	} else {
		struct vb_filter *f = node_filter(t, parts, np, 1);
		if (f)
			out[(*n)++] = f;
		if (np > 1 && (f = node_filter(t, parts, np - 1, 0))) {
			struct vb_filter *kids[2] = {f, vb_filter_like("name", parts[np - 1])};
			out[(*n)++] = vb_filter_and(kids, 2);
		}
	}
	for (int i = 0; i < np; i++)
		free(parts[i]);
	free(parts);
}

char *subject_nodes_path(const struct subject_nodes *t, int64_t id)
{
	char *path = NULL;
	for (int depth = 0; depth < 64 && id >= 0; depth++) {
		int k = 0;
		while (k < t->n && t->id[k] != id)
			k++;
		if (k == t->n)
			break;
		char *p = path ? vb_xasprintf("%s/%s", t->name[k], path) : vb_xstrdup(t->name[k]);
		free(path);
		path = p;
		id = t->parent[k];
	}
	return path;
}
