/* config/config_secrets.c - does a text hold one of agent.yml's secrets?  For what vbadmin keeps
 * of what a person typed (the console's search history): a query pasted with a key in it must
 * not end up in a file. */
#include <string.h>

#include "config.h"
#include "config_endpoints.h"

static int holds(const char *text, const char *secret)
{
	return secret && *secret && strstr(text, secret) != NULL;
}

int config_holds_secret(const struct config *cfg, const char *text)
{
	if (!cfg || !text)
		return 0;
	for (int i = 0; i < cfg->nnamespaces; i++)
		for (int k = 0; k < cfg->namespaces[i].ndbs; k++)
			if (holds(text, cfg->namespaces[i].dbs[k].password))
				return 1;
	for (int i = 0; i < cfg->nmodels; i++)
		if (holds(text, cfg->models[i].api_key))
			return 1;
	for (int i = 0; i < cfg->nendpoints; i++)
		if (holds(text, cfg->endpoints[i].api_key))
			return 1;
	for (int i = 0; i < CONFIG_EMB_N; i++)
		if (holds(text, cfg->embeddings[i].ext_api_key))
			return 1;
	return 0;
}
