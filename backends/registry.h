/* backends/registry.h - backend lookup by name: built-ins, aliases, and plugins vb_<name>.so
 * found on $VBADMIN_PLUGIN_PATH, beside the executable (backends/pgvector/), then VB_PLUGINDIR. */
#ifndef VB_REGISTRY_H
#define VB_REGISTRY_H

#include "vb.h"

/* Finds (loading the plugin if needed) the backend for `name` (case-insensitive; aliases:
 * pgvector/postgresql/postgres/pg -> pgvector; lancedb/lance -> lancedb; embedded/sqlite/default ->
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

/* True when ops was compiled with `slot` (ops_size covers it) and the slot is set: the host
 * calls an optional slot only then, and reports "unsupported" otherwise. */
#define VB_SLOT(ops, slot) \
	((ops)->ops_size >= offsetof(struct vb_ops, slot) + sizeof((ops)->slot) && (ops)->slot != NULL)

/* The canonical backend name for `name` (alias resolved, lower-cased) in buf; NULL when the
 * name has characters a backend name cannot have (letters, digits, '_' and '-' only). */
const char *vb_registry_canonical(const char *name, char *buf, size_t len);
/* Up to max aliases of a canonical name, from backends/aliases.def; returns how many. */
int vb_registry_aliases(const char *canonical, const char **out, int max);
/* Names of the capability bits set in caps ("vector", "text", ...), up to max; returns how many. */
int vb_registry_cap_names(unsigned caps, const char **out, int max);
/* The plugin directories in search order, ':'-joined (heap string). */
char *vb_registry_search_path(void);

/* Plugin files found on the search path that could not be loaded, with the reason, as seen
 * by the last vb_registry_list.  Owned by the registry. */
struct vb_registry_problem {
	const char *path;
	const char *message;
};
const struct vb_registry_problem *vb_registry_problems(size_t *n);

#endif
