/* backends/pgvector/pgv_plugin.c - the plugin's exported ABI record, init entry and vtable. */
#include "pgv.h"

static const struct vb_ops pgv_ops = {
	.abi_version = VB_ABI_VERSION,
	.ops_size = sizeof(struct vb_ops),
	.name = "pgvector",
	.description = "PostgreSQL + pgvector (libpq): namespaced rows, cosine HNSW/IVFFlat, full-text and hybrid search",
	.caps = VB_CAP_VECTOR | VB_CAP_TEXT | VB_CAP_HYBRID | VB_CAP_NAMESPACED | VB_CAP_SQL | VB_CAP_CANCEL |
	        VB_CAP_POLLFD | VB_CAP_VECTOR_INDEX,
	.version = pgv_version,
	.open = pgv_open,
	.close = pgv_close,
	.ensure_table = pgv_ensure_table,
	.table_exists = pgv_table_exists,
	.drop = pgv_drop,
	.add = pgv_add,
	.upsert = pgv_upsert,
	.update = pgv_update,
	.delete_where = pgv_delete,
	.count = pgv_count,
	.search_all = pgv_search_all,
	.search_vector = pgv_search_vector,
	.search_text = pgv_search_text,
	.search_hybrid = pgv_search_hybrid,
	.result_free = pgv_result_free,
	.create_index = pgv_create_index,
	.query = pgv_query,
	.exec_script = pgv_exec_script,
	.cancel = pgv_cancel,
	.socket_fd = pgv_socket_fd,
	.search_vector_exact = pgv_search_vector_exact,
	.search_path = pgv_search_path,
	.txn_begin = pgv_txn_begin,
	.txn_end = pgv_txn_end,
};

const struct vb_plugin_magic vb_plugin_magic = {
	.size = sizeof(struct vb_plugin_magic),
	.abi_version = VB_ABI_VERSION,
	.name = "pgvector",
	.plugin_version = PGV_PLUGIN_VERSION,
};

int vb_plugin_init(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen);

int vb_plugin_init(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen)
{
	if (!reg) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "vb_plugin_init: no register function");
		return -1;
	}
	return reg(ctx, &pgv_ops);
}
