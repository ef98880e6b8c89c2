/* config/config_endpoints.h - agent.vbadmin.embedding_endpoints: which OpenAI-compatible
 * /v1/embeddings server runs a given sentence-transformers / fastembed model (Datus runs those
 * in-process with fastembed; vbadmin, a C program, asks a server instead - docs/embeddings.md):
 *
 *   agent:
 *     vbadmin:
 *       embedding_endpoints:
 *         all-MiniLM-L6-v2: http://127.0.0.1:8080/v1            # the model is sent as named
 *         BAAI/bge-small-en-v1.5:
 *           base_url: http://127.0.0.1:11434/v1
 *           model: bge-small                                     # the server's name for it
 *           api_key: ${EMBED_KEY}                                # optional, never printed
 *           parallel: 4                                          # requests in flight */
#ifndef CONFIG_CONFIG_ENDPOINTS_H
#define CONFIG_CONFIG_ENDPOINTS_H

#include "config_yaml.h"

struct config;

struct config_endpoint {
	char *model;        /* the model_name it serves (the key) */
	char *base_url;
	char *served_model; /* name sent in requests; NULL: model */
	char *api_key;      /* never printed */
	int parallel;       /* 0: default */
	int line;
};

/* Reads the mapping under agent.vbadmin (vb may be NULL) into cfg. */
int config_endpoints_parse(struct config_src *src, yaml_node_t *vb, struct config *cfg, struct vb_error *err);
void config_endpoints_free(struct config *cfg);

/* The endpoint serving model_name: the key equal to it, else one whose part after the last '/'
 * equals model_name's ("sentence-transformers/all-MiniLM-L6-v2" ~ "all-MiniLM-L6-v2"). */
const struct config_endpoint *config_endpoint_for(const struct config *cfg, const char *model_name);

#endif
