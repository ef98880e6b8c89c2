/* cli/cli_config_stores.h - per-store embeddings, agent.models and unset-${VAR} markers for
 * `config show` (text and JSON). */
#ifndef CLI_CLI_CONFIG_STORES_H
#define CLI_CLI_CONFIG_STORES_H

#include <stdio.h>

#include "../backends/vb_util.h"
#include "../config/config.h"
#include "cli_json.h"

/* embedder_override: --embedder, for the "runs:" line of each store (docs/embeddings.md). */
void cli_config_stores_text(FILE *o, const struct config *c, const char *embedder_override);
/* Sets "embeddings", "target", "models", "unknown_keys" and "unset_vars" on the document. */
void cli_config_stores_json(json_t *doc, const struct config *c);
/* A database entry's unset ${VAR}: one indented text line (nothing when n == 0), or a JSON array. */
void cli_config_unset_text(FILE *o, const struct config_unset *u, int n);
json_t *cli_config_unset_json(const struct config_unset *u, int n);

#endif
