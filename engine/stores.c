/* engine/stores.c - readiness per knowledge-base store (config/stores.def): each vector table
 * is checked against its own store's embedding dim, and a problem makes only the stores that
 * depend on that table "not ready".  bootstrap-kb and search need the stores flagged `needed`
 * (semantic_model, metrics): a problem there fails a step; anywhere else it warns, and every
 * step still runs for the stores it can (docs/check.md "Readiness per store"). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "../config/config.h"
#include "engine.h"

int engine_table_dim(const struct engine *e, const char *table)
{
	int dim = e->cfg ? config_table_dim(e->cfg, table) : 0;
	return dim > 0 ? dim : e->vbc.dim;
}

char *engine_dims_text(const struct engine *e)
{
	int uniform = 1, first = engine_table_dim(e, config_store_table(0));
	for (int i = 1; i < config_store_table_count(); i++)
		uniform &= engine_table_dim(e, config_store_table(i)) == first;
	if (uniform)
		return vb_xasprintf("embedding dim %d", first);
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "embedding dims per store:");
	for (int i = 0; i < config_store_table_count(); i++)
		vb_buf_printf(&b, "%s %s %d", i ? "," : "", config_store_table(i), engine_table_dim(e, config_store_table(i)));
	return vb_buf_steal(&b);
}

/* ddl_dims callback: the engine's per-table dims. */
int engine_dim_of(const char *table, const void *ctx)
{
	return engine_table_dim(ctx, table);
}

/* Does store i depend on table? Its own vector table, or subject_nodes for the stores that
 * write the subject tree. */
static int store_uses(int i, const char *table)
{
	return strcmp(config_store_table(i), table) == 0 ||
	       (config_store_uses_subject_tree(i) && strcmp(table, "subject_nodes") == 0);
}

int engine_table_severity(const struct engine *e, const char *table)
{
	(void)e;
	for (int i = 0; i < config_store_table_count(); i++)
		if (config_store_needed(i) && store_uses(i, table))
			return STEP_FAIL;
	return STEP_WARN;
}

static void ensure_stores(struct engine *e)
{
	if (e->stores)
		return;
	e->nstores = config_store_table_count();
	e->stores = vb_xcalloc((size_t)e->nstores, sizeof *e->stores);
	for (int i = 0; i < e->nstores; i++) {
		e->stores[i].table = config_store_table(i);
		e->stores[i].needed = config_store_needed(i);
		e->stores[i].dim = engine_table_dim(e, e->stores[i].table);
		e->stores[i].ready = 1;
	}
}

void engine_stores_reset(struct engine *e)
{
	for (int i = 0; i < e->nstores; i++)
		free(e->stores[i].why);
	free(e->stores);
	e->stores = NULL;
	e->nstores = 0;
	ensure_stores(e);
}

void engine_store_problem(struct engine *e, const char *table, const char *fmt, ...)
{
	ensure_stores(e);
	va_list ap;
	va_start(ap, fmt);
	char *why = vb_xvasprintf(fmt, ap);
	va_end(ap);
	for (int i = 0; i < e->nstores; i++) {
		struct eng_store *s = &e->stores[i];
		if (!store_uses(i, table))
			continue;
		s->ready = 0;
		if (!s->why) { /* the first reason is the one to fix first */
			s->why = vb_xstrdup(why);
		}
	}
	free(why);
}

int engine_store_ready(const struct engine *e, const char *table, const char **why)
{
	for (int i = 0; i < e->nstores; i++)
		if (strcmp(e->stores[i].table, table) == 0) {
			if (why)
				*why = e->stores[i].why;
			return e->stores[i].ready;
		}
	return 1; /* nothing found wrong (yet) */
}

const struct eng_store *engine_stores(struct engine *e, int *n)
{
	ensure_stores(e);
	*n = e->nstores;
	return e->stores;
}

/* pgvector: every drift that stops a store's writes or searches makes it not ready.  A column
 * of another type and a missing full-text index only warn (the store still works). */
void engine_stores_from_drift(struct engine *e)
{
	engine_stores_reset(e);
	for (int i = 0; i < e->ndrift; i++) {
		const struct eng_drift *d = &e->drift[i];
		switch (d->kind) {
		case DRIFT_MISSING_TABLE:
			engine_store_problem(e, d->table, "table %s does not exist", d->table);
			break;
		case DRIFT_MISSING_COLUMN:
		case DRIFT_MISSING_NAMESPACE:
			engine_store_problem(e, d->table, "table %s lacks column %s", d->table, d->column);
			break;
		case DRIFT_WRONG_DIM:
			engine_store_problem(e, d->table, "%s.%s is %s, the store's embedding model gives %s", d->table,
			                     d->column, d->have, d->want);
			break;
		case DRIFT_MISSING_UNIQUE:
			engine_store_problem(e, d->table, "table %s has no unique key (namespace, %s): upserts fail", d->table,
			                     d->column);
			break;
		case DRIFT_NO_PRIVILEGE:
			engine_store_problem(e, d->table, "no SELECT/INSERT/UPDATE/DELETE on %s", d->table);
			break;
		default:
			break;
		}
	}
}

int engine_stores_report(struct engine *e, struct step_result *r)
{
	int n;
	const struct eng_store *s = engine_stores(e, &n);
	struct vb_buf ready, not_ready;
	vb_buf_init(&ready);
	vb_buf_init(&not_ready);
	vb_buf_add(&ready, "");
	vb_buf_add(&not_ready, "");
	int needed_bad = 0, other_bad = 0;
	for (int i = 0; i < n; i++) {
		if (s[i].ready) {
			vb_buf_printf(&ready, "%s%s", ready.len ? ", " : "", s[i].table);
			step_add_detail(r, "%-16s ready (vector(%d)%s)", s[i].table, s[i].dim,
			                s[i].needed ? "; bootstrap-kb and search need it" : "");
			continue;
		}
		vb_buf_printf(&not_ready, "%s%s", not_ready.len ? ", " : "", s[i].table);
		step_add_detail(r, "%-16s NOT ready: %s%s", s[i].table, s[i].why ? s[i].why : "see the steps above",
		                s[i].needed ? " (bootstrap-kb and search need it)" : "");
		if (s[i].needed)
			needed_bad++;
		else
			other_bad++;
	}
	int st = needed_bad ? STEP_FAIL : other_bad ? STEP_WARN : STEP_OK;
	if (st == STEP_OK)
		step_set(r, st, "all %d stores ready", n);
	else
		step_set(r, st, "ready: %s; not ready: %s", ready.len ? ready.data : "none", not_ready.data);
	if (st == STEP_FAIL)
		step_set_class(r, "VBA-STORE-NOT-READY");
	vb_buf_free(&ready);
	vb_buf_free(&not_ready);
	return st;
}
