/* backends/lancedb/lance_open.c - the lancedb backend's vtable, open and close.
 *
 * Datus keeps one LanceDB database per namespace in {home}/data/datus_db_<namespace>; the
 * directory is the namespace (LanceDB tables have no namespace column), so a handle serves
 * exactly one directory and one helper. */
#include "lance.h"

#include <stdlib.h>
#include <string.h>

static const char *lance_version(void)
{
	return "vbadmin-lancedb 1 (@lancedb/lancedb 0.31.0 via node)";
}

char *vb_lancedb_path(const struct vb_config *cfg)
{
	const char *ns = cfg->namespace && *cfg->namespace ? cfg->namespace : "default";
	if (cfg->data_dir && *cfg->data_dir)
		return vb_xasprintf("%s/datus_db_%s", cfg->data_dir, ns);
	const char *home = getenv("HOME");
	return vb_xasprintf("%s/.datus/data/datus_db_%s", home && *home ? home : ".", ns);
}

static void lance_close(struct vb_handle **hp)
{
	if (!hp || !*hp)
		return;
	struct vb_handle *h = *hp;
	lance_proc_stop(&h->proc);
	while (h->schemas) {
		struct lance_schema *s = h->schemas;
		lance_schema_forget(h, s->table);
	}
	free(h->dir);
	free(h->ns);
	free(h->lib_version);
	vb_buf_free(&h->req);
	free(h);
	*hp = NULL;
}

/* The directory need not exist yet: Datus creates it on its first write, and so does ensure_table
 * here.  Reads of a missing directory fail with "does not exist" per table. */
static int lance_open(const struct vb_config *cfg, struct vb_handle **out, struct vb_error *err)
{
	*out = NULL;
	struct vb_handle *h = vb_xcalloc(1, sizeof *h);
	h->proc = (struct lance_proc){.pid = -1, .to = -1, .from = -1, .err = -1};
	h->dir = vb_lancedb_path(cfg);
	h->ns = vb_xstrdup(cfg->namespace && *cfg->namespace ? cfg->namespace : "default");
	vb_buf_init(&h->req);
	int rc = lance_proc_start(h, err);
	if (rc == VB_OK) {
		lance_req(h, "open", NULL, 2);
		lw_str(&h->req, "dir");
		lw_str(&h->req, h->dir);
		lw_str(&h->req, "create");
		lw_bool(&h->req, 1);
		struct lw_val *v = lance_call(h, err);
		if (v) {
			h->lib_version = vb_xstrdup(lw_get_str(v, "version"));
			lw_free(v);
		} else {
			rc = err->status ? err->status : VB_ERR_CONNECT;
		}
	}
	if (rc != VB_OK) {
		if (!err->hint[0])
			snprintf(err->hint, sizeof err->hint, "LanceDB directory %s; docs/backends.md#lancedb", h->dir);
		lance_close(&h);
		return rc;
	}
	*out = h;
	return VB_OK;
}

static void lance_result_free(struct vb_handle *h, struct vb_result **res)
{
	(void)h;
	vb_result_destroy(res);
}

const struct vb_ops vb_lancedb_ops = {
	.abi_version = VB_ABI_VERSION,
	.ops_size = sizeof(struct vb_ops),
	.name = "lancedb",
	.description = "Datus's default store: LanceDB directories {home}/data/datus_db_<namespace>, "
	               "through LanceDB's own library (node helper)",
	.caps = VB_CAP_VECTOR | VB_CAP_TEXT | VB_CAP_HYBRID | VB_CAP_CREATES | VB_CAP_VECTOR_INDEX,
	.version = lance_version,
	.open = lance_open,
	.close = lance_close,
	.ensure_table = lance_ensure_table,
	.table_exists = lance_table_exists,
	.drop = lance_drop,
	.add = lance_add,
	.upsert = lance_upsert,
	.update = lance_update,
	.delete_where = lance_delete,
	.count = lance_count,
	.search_all = lance_search_all,
	.search_vector = lance_search_vector,
	.search_text = lance_search_text,
	.search_hybrid = lance_search_hybrid,
	.result_free = lance_result_free,
	.create_index = lance_create_index,
	.describe = lance_describe,
	.scan = lance_scan,
};
