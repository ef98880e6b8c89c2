/* backends/registry.h - backend lookup by name: built-ins, aliases, and plugins vb_<name>.so
 * found on $VBADMIN_PLUGIN_PATH, beside the executable (backends/pgvector/), then VB_PLUGINDIR. */
#ifndef VB_REGISTRY_H
#define VB_REGISTRY_H

#include "vb.h"

/* Finds (loading the plugin if needed) the backend for `name` (case-insensitive; aliases:
 * pgvector/postgresql/postgres/pg -> pgvector; embedded/lancedb/lance/sqlite/default ->
 * embedded).  Unknown => NULL and err lists what is available.  dlopen failures and ABI
 * mismatches are reported with the file and both versions. */
const struct vb_ops *vb_registry_find(const char *name, struct vb_error *err);

/* Resolves cfg->backend and opens it. On failure *ops and *h are NULL and err is filled. */
int vb_registry_open(const struct vb_config *cfg, const struct vb_ops **ops, struct vb_handle **h,
                     struct vb_error *err);

struct vb_registry_entry {
	const struct vb_ops *ops;
	const char *path;     /* plugin file, or NULL for a built-in */
	const char *plugin_version;
};
/* Lists built-ins and every plugin found on the search path (loading them).  The array is
 * owned by the registry; *n receives its length. */
const struct vb_registry_entry *vb_registry_list(size_t *n);

/* Tests and embedders may register extra built-ins before first use. */
int vb_registry_add(const struct vb_ops *ops);

#endif
