/* config/config_yaml.h - libyaml document access for the agent.yml loader (config/config*.c only):
 * typed reads of scalars with `${VAR}` substitution, and errors that carry file:line:column. */
#ifndef CONFIG_CONFIG_YAML_H
#define CONFIG_CONFIG_YAML_H

#include <yaml.h>

#include "../backends/vb.h"
#include "config_env.h"

struct config_src {
	const char *path;      /* file name used in messages */
	yaml_document_t doc;
	int have_doc;
	const struct config_env *env; /* ./.env values behind the environment, or NULL */
	/* Lazy mode (Datus resolves ${VAR} lazily): when set, an unset ${VAR} is not an error;
	 * on_unset(ctx, VAR, where, line) is called and the value reads as absent (NULL). */
	void (*on_unset)(void *ctx, const char *var, const char *where, int line);
	void *on_unset_ctx;
};

/* Parses the first YAML document of `path`.  An empty file gives a document without a root.
 * A syntax error is VB_ERR_INVALID "path:line:column: YAML syntax error: ...". */
int config_src_open(struct config_src *s, const char *path, struct vb_error *err);
void config_src_close(struct config_src *s);

yaml_node_t *config_root(struct config_src *s);
/* Value of `key` in a mapping node, or NULL (also when map is not a mapping). */
yaml_node_t *config_map_get(struct config_src *s, yaml_node_t *map, const char *key);
/* Number of pairs, and the key / value node of pair i. */
int config_map_len(yaml_node_t *map);
yaml_node_t *config_map_key(struct config_src *s, yaml_node_t *map, int i);
yaml_node_t *config_map_value(struct config_src *s, yaml_node_t *map, int i);
int config_seq_len(yaml_node_t *seq);
yaml_node_t *config_seq_item(struct config_src *s, yaml_node_t *seq, int i);

/* YAML null: absent, `~`, `null`, or an empty plain scalar. */
int config_is_null(const yaml_node_t *n);
const char *config_kind_name(const yaml_node_t *n); /* "a mapping", "a list", "a scalar" */
/* The raw text of a scalar (no substitution), or NULL for other kinds. */
const char *config_scalar(const yaml_node_t *n);

/* Fills err with VB_ERR_INVALID and "path:line:column: <fmt>" at node n (1-based). */
int config_err_at(struct config_src *s, const yaml_node_t *n, struct vb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The scalar n with every `${NAME}` replaced by the environment value.  An unset NAME is an
 * error naming NAME, the field `where` and path:line (in lazy mode: see on_unset).  Null gives *out = NULL.  A non-scalar
 * is an error naming `where` and the kind found.  *out is malloc'd. */
int config_str(struct config_src *s, yaml_node_t *n, const char *where, char **out, struct vb_error *err);
/* Integer in [lo, hi] after substitution; null leaves *out unchanged.  `what_to_do` ends the
 * message for a non-number or an out-of-range value. */
int config_int(struct config_src *s, yaml_node_t *n, const char *where, long lo, long hi,
               const char *what_to_do, int *out, struct vb_error *err);
/* YAML 1.1 boolean (true/false/yes/no/on/off, any case); null leaves *out unchanged. */
int config_bool(struct config_src *s, yaml_node_t *n, const char *where, int *out, struct vb_error *err);
/* VB_OK when n is a mapping or null; otherwise an error naming `where`, the kind found and
 * what_to_do. */
int config_want_map(struct config_src *s, yaml_node_t *n, const char *where, const char *what_to_do,
                    struct vb_error *err);

#endif
