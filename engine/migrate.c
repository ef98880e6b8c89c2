/* engine/migrate.c - the migrate use case (migrate.h): plan, copy by key in batches, verify. */
#include "migrate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/registry.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Where a store lives, in words (never a password). */
static char *describe_store(const struct vb_config *c, const char *canon)
{
	if (!strcmp(canon, "lancedb"))
		return vb_xasprintf("lancedb %s/datus_db_%s", c->data_dir, c->namespace);
	if (!strcmp(canon, "embedded"))
		return vb_xasprintf("embedded %s/%s.db", c->data_dir, c->namespace);
	if (c->host || c->database)
		return vb_xasprintf("%s %s@%s:%d/%s schema %s, namespace %s", canon, c->username ? c->username : "",
		                    c->host ? c->host : "(socket)", c->port, c->database ? c->database : "postgres",
		                    c->schema ? c->schema : "public", c->namespace);
	return vb_xasprintf("%s, namespace %s", canon, c->namespace);
}

/* Puts "prefix: " before err's message (cut to fit). */
static void err_prefix(struct vb_error *err, const char *prefix)
{
	char *s = vb_xasprintf("%s: %s", prefix, err->message);
	size_t n = strlen(s) < sizeof err->message - 1 ? strlen(s) : sizeof err->message - 1;
	memcpy(err->message, s, n);
	err->message[n] = '\0';
	free(s);
}

static int open_side(const char *side, struct vb_config *vc, const struct vb_ops **ops, struct vb_handle **h,
                     struct vb_error *err)
{
	if (vb_registry_open(vc, ops, h, err) == VB_OK)
		return VB_OK;
	char *prefix = vb_xasprintf("%s store (%s)", side, vc->backend);
	err_prefix(err, prefix);
	free(prefix);
	return err->status ? err->status : VB_ERR_CONNECT;
}

/* The source's vector dimension of table (0 when it cannot say) and its version as the store names
 * it (t->version, "" when it has none: the resume record is tied to it). */
static int source_describe(struct migrate *m, const struct vb_table_spec *spec, struct migrate_table *t)
{
	if (!VB_SLOT(m->sops, describe))
		return 0;
	struct vb_result *r = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int dim = 0;
	if (m->sops->describe(m->sh, spec->name, &r, &err) == VB_OK && r) {
		for (size_t i = 0; i < r->nrows; i++) {
			const char *kind = vb_result_get(r, i, 0), *name = vb_result_get(r, i, 1), *detail = vb_result_get(r, i, 2);
			if (!kind || !name || !detail)
				continue;
			if (!strcmp(kind, "column") && spec->vector_column && !strcmp(name, spec->vector_column))
				sscanf(detail, "vector<float32>[%d]", &dim);
			else if (!strcmp(kind, "version") && !strpbrk(detail, " \t\n"))
				snprintf(t->version, sizeof t->version, "%s", detail);
		}
	}
	m->sops->result_free(m->sh, &r);
	return dim;
}

static int plan_table(struct migrate *m, struct migrate_table *t, int dim, struct vb_error *err)
{
	int exists = 0;
	if (m->sops->table_exists(m->sh, t->name, &exists, err) != VB_OK)
		return err->status;
	t->present = exists;
	if (!exists)
		return VB_OK;
	const struct vb_table_spec *spec = ddl_table_spec(t->name, dim);
	int sdim = source_describe(m, spec, t);
	t->dim = sdim > 0 ? sdim : dim;
	return m->sops->count(m->sh, ddl_table_spec(t->name, t->dim), NULL, &t->source_rows, err);
}

static int plan(struct migrate *m, const char *tables, int dim, struct vb_error *err)
{
	m->t = vb_xcalloc((size_t)ddl_table_count() + 1, sizeof *m->t);
	for (int i = 0; i < ddl_table_count(); i++) {
		const char *name = ddl_table_name(i);
		if (!ddl_table_is_vector(i))
			continue;
		if (tables) {
			size_t n = strlen(name);
			const char *p = tables;
			int want = 0;
			while (!want && (p = strstr(p, name)))
				want = (p == tables || p[-1] == ',') && (p[n] == ',' || !p[n]), p += n;
			if (!want)
				continue;
		}
		m->t[m->n++].name = name;
	}
	if (tables) { /* every name given must be a knowledge-base vector table */
		char *copy = vb_xstrdup(tables);
		for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
			const struct vb_table_spec *s = ddl_table_spec(tok, dim);
			if (!s || !s->vector_column) {
				vb_err_set(err, VB_ERR_INVALID, "--tables: '%s' is not a knowledge-base vector table (schema_metadata, "
				           "schema_value, semantic_model, metrics, reference_sql, ext_knowledge, document)", tok);
				free(copy);
				return VB_ERR_INVALID;
			}
		}
		free(copy);
	}
	for (int i = 0; i < m->n; i++)
		if (plan_table(m, &m->t[i], dim, err) != VB_OK)
			return err->status;
	return VB_OK;
}

int migrate_open(const struct config *cfg, const char *ns, const struct migrate_opts *o, struct migrate **out,
                 struct vb_error *err)
{
	*out = NULL;
	struct migrate *m = vb_xcalloc(1, sizeof *m);
	char sb[64], db[64];
	const char *sc = NULL, *dc = NULL;
	int rc = config_resolve(cfg, ns, o->from, &m->src, err);
	if (rc == VB_OK)
		rc = config_resolve(cfg, ns, o->to, &m->dst, err);
	if (rc == VB_OK) {
		sc = vb_registry_canonical(m->src.backend, sb, sizeof sb);
		dc = vb_registry_canonical(m->dst.backend, db, sizeof db);
		if (!sc || !dc)
			rc = vb_err_set(err, VB_ERR_INVALID, "invalid backend name '%s'", sc ? o->to : o->from);
	}
	if (rc == VB_OK) {
		m->src_desc = describe_store(&m->src, sc);
		m->dst_desc = describe_store(&m->dst, dc);
		if (!strcmp(m->src_desc, m->dst_desc))
			rc = vb_err_set(err, VB_ERR_INVALID, "source and target are the same store (%s)", m->src_desc);
	}
	if (rc == VB_OK)
		rc = open_side("source", &m->src, &m->sops, &m->sh, err);
	if (rc == VB_OK)
		rc = open_side("target", &m->dst, &m->dops, &m->dh, err);
	if (rc == VB_OK)
		rc = plan(m, o->tables, cfg->dim, err);
	if (rc != VB_OK) {
		migrate_close(&m);
		return rc;
	}
	char *dir = o->state_dir ? vb_xstrdup(o->state_dir) : migrate_state_dir();
	m->state_path = vb_xasprintf("%s/migrate-%s-%s-%s.state", dir, m->src.namespace, sc, dc);
	free(dir);
	*out = m;
	return VB_OK;
}

void migrate_close(struct migrate **mp)
{
	if (!mp || !*mp)
		return;
	struct migrate *m = *mp;
	if (m->sops && m->sh)
		m->sops->close(&m->sh);
	if (m->dops && m->dh)
		m->dops->close(&m->dh);
	free(m->src_desc);
	free(m->dst_desc);
	free(m->state_path);
	free(m->t);
	free(m);
	*mp = NULL;
}

static int migrate_table_run(struct migrate *m, const struct migrate_opts *o, struct migrate_table *t,
                             struct vb_error *err)
{
	const struct vb_table_spec *spec = ddl_table_spec(t->name, t->dim);
	t->ran = 1;
	if (!spec || !spec->key_column)
		return vb_err_set(err, VB_ERR_INTERNAL, "table %s has no key column to copy by", t->name);
	int rc = m->dops->ensure_table(m->dh, spec, err);
	if (rc != VB_OK) {
		char *prefix = vb_xasprintf("target %s", m->dst_desc);
		err_prefix(err, prefix);
		free(prefix);
		if (!err->hint[0] && m->dops->caps & VB_CAP_SQL)
			snprintf(err->hint, sizeof err->hint, "create the tables first: vbadmin --backend %s ddl apply --dim %d",
			         m->dst.backend, t->dim);
		return rc;
	}
	return migrate_copy_table(m, o, t, spec, err);
}

int migrate_run(struct migrate *m, const struct migrate_opts *o, struct vb_error *err)
{
	double t0 = mono();
	int rc = VB_OK;
	for (int i = 0; i < m->n && rc == VB_OK; i++)
		if (m->t[i].present)
			rc = migrate_table_run(m, o, &m->t[i], err);
	m->seconds = mono() - t0;
	if (rc == VB_OK)
		migrate_state_clear(m->state_path); /* done and verified: a re-run starts afresh (and rewrites the same) */
	return rc;
}
