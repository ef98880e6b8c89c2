/* config/config_endpoints.c - agent.vbadmin.embedding_endpoints (see the header). */
#include "config_endpoints.h"

#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "config.h"

static int endpoint_field(struct config_src *src, yaml_node_t *map, const char *model, const char *key,
                          char **out, struct vb_error *err)
{
	yaml_node_t *v = config_map_get(src, map, key);
	if (!v)
		return VB_OK;
	char *where = vb_xasprintf("agent.vbadmin.embedding_endpoints.%s.%s", model, key);
	int rc = config_str(src, v, where, out, err);
	free(where);
	return rc;
}

static int parse_one(struct config_src *src, yaml_node_t *k, yaml_node_t *v, struct config_endpoint *ep,
                     struct vb_error *err)
{
	ep->model = vb_xstrdup(config_scalar(k));
	ep->line = (int)k->start_mark.line + 1;
	if (!ep->model || !*ep->model)
		return config_err_at(src, k, err, "agent.vbadmin.embedding_endpoints: a key must be a model name");
	if (v && v->type == YAML_SCALAR_NODE) {
		char *where = vb_xasprintf("agent.vbadmin.embedding_endpoints.%s", ep->model);
		int rc = config_str(src, v, where, &ep->base_url, err);
		free(where);
		if (rc != VB_OK)
			return rc;
	} else if (v && v->type == YAML_MAPPING_NODE) {
		int rc = endpoint_field(src, v, ep->model, "base_url", &ep->base_url, err);
		if (rc == VB_OK)
			rc = endpoint_field(src, v, ep->model, "model", &ep->served_model, err);
		if (rc == VB_OK)
			rc = endpoint_field(src, v, ep->model, "api_key", &ep->api_key, err);
		if (rc == VB_OK)
			rc = config_int(src, config_map_get(src, v, "parallel"), "agent.vbadmin.embedding_endpoints.parallel",
			                1, 64, "use 1..64 requests in flight", &ep->parallel, err);
		if (rc != VB_OK)
			return rc;
	}
	if (!ep->base_url || strncmp(ep->base_url, "http", 4) != 0)
		return config_err_at(src, v ? v : k, err,
		                     "agent.vbadmin.embedding_endpoints.%s needs the server's base URL, e.g. "
		                     "http://127.0.0.1:8080/v1 (write it as the value, or as base_url: under the model)",
		                     ep->model);
	return VB_OK;
}

int config_endpoints_parse(struct config_src *src, yaml_node_t *vb, struct config *cfg, struct vb_error *err)
{
	yaml_node_t *m = vb ? config_map_get(src, vb, "embedding_endpoints") : NULL;
	int rc = config_want_map(src, m, "agent.vbadmin.embedding_endpoints",
	                         "write one model_name: base URL per line under it", err);
	if (rc != VB_OK || !m || config_is_null(m))
		return rc;
	int n = config_map_len(m);
	cfg->endpoints = vb_xcalloc((size_t)n + 1, sizeof *cfg->endpoints);
	for (int i = 0; i < n && rc == VB_OK; i++) {
		rc = parse_one(src, config_map_key(src, m, i), config_map_value(src, m, i), &cfg->endpoints[i], err);
		cfg->nendpoints = i + 1;
	}
	return rc;
}

void config_endpoints_free(struct config *cfg)
{
	for (int i = 0; i < cfg->nendpoints; i++) {
		struct config_endpoint *ep = &cfg->endpoints[i];
		free(ep->model);
		free(ep->base_url);
		free(ep->served_model);
		if (ep->api_key)
			memset(ep->api_key, 0, strlen(ep->api_key));
		free(ep->api_key);
	}
	free(cfg->endpoints);
	cfg->endpoints = NULL;
	cfg->nendpoints = 0;
}

static const char *base_name(const char *s)
{
	const char *slash = strrchr(s, '/');
	return slash ? slash + 1 : s;
}

const struct config_endpoint *config_endpoint_for(const struct config *cfg, const char *model_name)
{
	if (!model_name)
		return NULL;
	for (int i = 0; i < cfg->nendpoints; i++)
		if (strcmp(cfg->endpoints[i].model, model_name) == 0)
			return &cfg->endpoints[i];
	for (int i = 0; i < cfg->nendpoints; i++)
		if (strcmp(base_name(cfg->endpoints[i].model), base_name(model_name)) == 0)
			return &cfg->endpoints[i];
	return NULL;
}
