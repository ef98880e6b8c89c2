/* cli/cli_config_stores.h - per-store embeddings, agent.models and unset-${VAR} markers for
 * `config show` (text and JSON). */
#ifndef CLI_CLI_CONFIG_STORES_H
#define CLI_CLI_CONFIG_STORES_H

#include <stdio.h>

#include "../backends/vb_util.h"
#include "../config/config.h"

void cli_config_stores_text(FILE *o, const struct config *c);
/* Appends `"embeddings": [...], "target": ..., "models": [...], "unknown_keys": [...],
 * "unset_vars": [...],` (with the trailing comma) to an open JSON object. */
void cli_config_stores_json(struct vb_buf *b, const struct config *c);
/* A database entry's unset ${VAR}: one indented text line (nothing when n == 0), or a JSON array. */
void cli_config_unset_text(FILE *o, const struct config_unset *u, int n);
void cli_config_unset_json(struct vb_buf *b, const struct config_unset *u, int n);

#endif
