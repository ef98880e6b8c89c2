/* config/config_models.c - agent.target and agent.models: the endpoints Datus's embedders take
 * their base_url and api_key from (datus/configuration/agent_config.py load_model_config). */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

const struct config_model *config_find_model(const struct config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	for (int i = 0; i < cfg->nmodels; i++)
		if (strcmp(cfg->models[i].name, name) == 0)
			return &cfg->models[i];
	return NULL;
}

/* One entry.  Datus resolves ${VAR} in base_url, api_key and model and leaves "<MISSING:VAR>"
 * when unset; vbadmin leaves the field unset and records it, so the embedder can refuse by name. */
static int parse_model(struct loader *L, yaml_node_t *knode, yaml_node_t *v, struct config_model *m)
{
	const char *name = config_scalar(knode);
	m->name = vb_xstrdup(name ? name : "");
	m->line = (int)knode->start_mark.line + 1;
	char *prefix = vb_xasprintf("agent.models.%s", m->name);
	int rc = config_want_map(&L->src, v, prefix, "write type:, base_url:, api_key: and model: under it", L->err);
	if (rc != VB_OK || config_is_null(v)) {
		free(prefix);
		return rc;
	}
	static const char *const fields[] = {"type", "base_url", "api_key", "model"};
	char **dst[] = {&m->type, &m->base_url, &m->api_key, &m->model};
	L->src.on_unset = config_ignore_unset;
	for (int i = 0; rc == VB_OK && i < 4; i++) {
		char *where = vb_xasprintf("%s.%s", prefix, fields[i]);
		/* type is never substituted by Datus (data["type"] is used as written) */
		yaml_node_t *n = config_map_get(&L->src, v, fields[i]);
		if (i == 0 && n && config_scalar(n))
			*dst[i] = config_is_null(n) ? NULL : vb_xstrdup(config_scalar(n));
		else
			rc = config_str(&L->src, n, where, dst[i], L->err);
		free(where);
	}
	L->src.on_unset = NULL;
	if (rc == VB_OK) {
		/* Datus substitutes base_url, api_key and model only */
		L->unset = &m->unset;
		L->nunset = &m->nunset;
		L->unset_scope = "only an embedder that uses this model needs it";
		for (int i = 1; i < 4; i++) {
			yaml_node_t *n = config_map_get(&L->src, v, fields[i]);
			char *where = vb_xasprintf("%s.%s", prefix, fields[i]);
			config_scan_value(L, n, where);
			free(where);
		}
		L->unset = NULL;
		L->nunset = NULL;
		L->unset_scope = NULL;
	}
	config_check_keys(L, v, prefix, CONFIG_KEYS_MODEL, NULL);
	free(prefix);
	return rc;
}

int config_parse_models(struct loader *L, yaml_node_t *agent)
{
	struct config *c = L->c;
	yaml_node_t *t = config_map_get(&L->src, agent, "target");
	if (t && !config_is_null(t)) {
		if (!config_scalar(t))
			return config_err_at(&L->src, t, L->err, "agent.target must be the name of an entry of agent.models, "
			                     "found %s.", config_kind_name(t));
		c->target = vb_xstrdup(config_scalar(t));
	}
	yaml_node_t *models = config_map_get(&L->src, agent, "models");
	int rc = config_want_map(&L->src, models, "agent.models", "write one 'name:' block per model", L->err);
	int n = rc == VB_OK ? config_map_len(models) : 0;
	for (int i = 0; rc == VB_OK && i < n; i++) {
		c->models = vb_xrealloc(c->models, (size_t)(c->nmodels + 1) * sizeof *c->models);
		struct config_model *m = &c->models[c->nmodels++];
		memset(m, 0, sizeof *m);
		rc = parse_model(L, config_map_key(&L->src, models, i), config_map_value(&L->src, models, i), m);
	}
	if (rc == VB_OK && c->target && !config_find_model(c, c->target)) {
		const char **names = vb_xcalloc((size_t)c->nmodels + 1, sizeof *names);
		for (int i = 0; i < c->nmodels; i++)
			names[i] = c->models[i].name;
		const char *near = config_nearest(c->target, names, c->nmodels);
		config_warn(c, "%s:%zu: agent.target '%s' is not an entry of agent.models%s%s%s; Datus cannot load this "
		            "file, and an embedder without target_model has no endpoint.",
		            L->src.path, t->start_mark.line + 1, c->target, near ? " (did you mean '" : "",
		            near ? near : "", near ? "'?)" : "");
		free(names);
	}
	return rc;
}

void config_models_free(struct config *c)
{
	for (int i = 0; i < c->nmodels; i++) {
		struct config_model *m = &c->models[i];
		free(m->name);
		free(m->type);
		free(m->base_url);
		if (m->api_key) /* do not leave the secret in freed heap memory */
			memset(m->api_key, 0, strlen(m->api_key));
		free(m->api_key);
		free(m->model);
		config_unset_free(m->unset, m->nunset);
	}
	free(c->models);
	free(c->target);
}
