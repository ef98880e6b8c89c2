/* engine/store_index.c - `index create` on a store that builds its own indexes (LanceDB): for every
 * knowledge-base vector table the store has (or the one asked for), the backend's create_index with
 * the method, which for LanceDB follows Datus's rules (backends/lancedb/lance_schema.c). */
#include <string.h>

#include "../backends/registry.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "engine.h"

int engine_store_index(struct engine *e, const char *table, const char *method,
                       void (*done)(void *ctx, const char *table, int status, const struct vb_error *err), void *ctx,
                       struct vb_error *err)
{
	if (engine_open_backend(e, err) != VB_OK)
		return err->status;
	if (!(e->ops->caps & VB_CAP_VECTOR_INDEX) || !VB_SLOT(e->ops, create_index))
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "backend %s builds no indexes", e->backend_name);
	int rc = VB_OK, seen = 0;
	for (int i = 0; i < ddl_table_count() && rc == VB_OK; i++) {
		const char *name = ddl_table_name(i);
		if (!ddl_table_is_vector(i) || (table && strcmp(table, name) != 0))
			continue;
		int exists = 0;
		if (e->ops->table_exists(e->h, name, &exists, err) != VB_OK)
			return err->status;
		if (!exists)
			continue;
		seen++;
		rc = e->ops->create_index(e->h, ddl_table_spec(name, e->vbc.dim), method, err);
		if (done)
			done(ctx, name, rc, err);
	}
	if (rc == VB_OK && !seen)
		return vb_err_set(err, VB_ERR_NOT_FOUND, "%s%s%s: no such table in the store", table ? "table " : "",
		                  table ? table : "knowledge-base tables", "");
	return rc;
}
