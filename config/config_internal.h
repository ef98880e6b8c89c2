/* config/config_internal.h - shared by the agent.yml loader's files (config/config*.c only):
 * the loader state, warnings, and the known-key lists unknown keys are matched against. */
#ifndef CONFIG_CONFIG_INTERNAL_H
#define CONFIG_CONFIG_INTERNAL_H

#include "../backends/vb_util.h"
#include "config.h"
#include "config_yaml.h"

struct loader {
	struct config_src src;
	struct config *c;
	struct vb_error *err;
	/* lazy ${VAR}: where an unset variable is recorded (the entry being read) */
	struct config_unset **unset;
	int *nunset;
	const char *unset_scope; /* "only commands that use namespace 'x' need it" etc. */
};

/* Appends a warning (never a secret). */
void config_warn(struct config *c, const char *fmt, ...) VB_PRINTF(2, 3);
/* on_unset callback for struct config_src: records into L->unset and warns. */
void config_note_unset(void *loader, const char *var, const char *where, int line);
void config_unset_free(struct config_unset *u, int n);
/* on_unset callback that only lets the value read as absent (the scan below records). */
void config_ignore_unset(void *loader, const char *var, const char *where, int line);
/* Records (config_note_unset) every unset ${VAR} in the scalar values of map, in file order,
 * skipping keys that `except` (may be NULL) also has. */
void config_scan_unset(struct loader *L, yaml_node_t *map, const char *prefix, yaml_node_t *except);
/* The same for one scalar value named `where`. */
void config_scan_value(struct loader *L, yaml_node_t *v, const char *where);

/* agent.target and agent.models (config_models.c); lazy ${VAR}. */
int config_parse_models(struct loader *L, yaml_node_t *agent);
void config_models_free(struct config *c);
/* agent.storage.<section> embedding models resolved as Datus does (config_embed.c).  storage
 * may be NULL (every section takes Datus's default). */
int config_parse_embeddings(struct loader *L, yaml_node_t *storage);
void config_embeddings_defaults(struct config *c);
void config_embeddings_free(struct config *c);

/* Known keys of each mapping vbadmin checks (config_keys.c). */
enum config_keyset {
	CONFIG_KEYS_AGENT,
	CONFIG_KEYS_STORAGE,
	CONFIG_KEYS_EMBED_SECTION,
	CONFIG_KEYS_BACKENDS,
	CONFIG_KEYS_BACKEND_KIND,
	CONFIG_KEYS_MODEL,
	CONFIG_KEYS_DB,
	CONFIG_KEYS_VBADMIN,
};
/* Warns once per key of `map` that is not in the set, naming file:line, `prefix`.key and the
 * nearest known key.  Keys listed in `also_ok` (NULL-terminated, may be NULL) pass too. */
void config_check_keys(struct loader *L, yaml_node_t *map, const char *prefix, enum config_keyset set,
                       const char *const *also_ok);

#endif
