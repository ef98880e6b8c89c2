/* config/config_env.h - the `.env` file Datus loads (python-dotenv) before reading agent.yml,
 * so `${VAR}` resolves the same way for both.  Values only fill gaps: a variable already in
 * the environment wins, as with load_dotenv's default. */
#ifndef CONFIG_CONFIG_ENV_H
#define CONFIG_CONFIG_ENV_H

#include "../backends/vb.h"

struct config_env {
	char **names;
	char **values;
	int n;
	char *path; /* the file read, or NULL */
};

/* Reads `path` if it exists (a missing file is not an error).  Lines: NAME=VALUE,
 * optional `export `, `#` comments, '...' (literal) or "..." (\n \t \" \\ escapes) quoting,
 * ` #` comments after an unquoted value.  A malformed line is VB_ERR_INVALID naming path:line. */
int config_env_load(struct config_env *e, const char *path, struct vb_error *err);
/* The environment's value, else the file's, else NULL. */
const char *config_env_get(const struct config_env *e, const char *name);
void config_env_free(struct config_env *e);

#endif
