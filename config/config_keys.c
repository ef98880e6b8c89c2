/* config/config_keys.c - unknown keys in agent.yml: the keys Datus (and vbadmin) read in each
 * mapping, and the nearest one for a "did you mean" (a `prot: 5433` must not pass silently). */
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "config_internal.h"

/* agent.*: AgentConfig.__init__ kwargs (datus/configuration/agent_config.py, refactor/store) and
 * the loader's `nodes`; plus vbadmin's own `vbadmin` and the newer namespace spellings. */
static const char *const keys_agent[] = {
	"target", "models", "nodes", "namespace", "datasource", "datasources", "storage", "home", "benchmark",
	"workflow", "metrics", "agentic_nodes", "reflection_nodes", "schema_linking_rate", "search_metrics_rate",
	"document", "permissions", "skills", "dashboard", "export", "output_dir", "trajectory_dir", "storage_path",
	"plan", "vbadmin", NULL,
};
/* agent.storage: init_embedding_models' sections and device, workspace_root, backends. */
static const char *const keys_storage[] = {
	"embedding_device_type", "workspace_root", "backends", "vector_backend", "database", "document", "metric",
	"semantic_model", "reference_sql", "ext_knowledge", NULL,
};
/* agent.storage.<section>: the config.get(...) keys of init_embedding_models. */
static const char *const keys_embed_section[] = {
	"registry_name", "model_name", "dim_size", "batch_size", "target_model", NULL,
};
static const char *const keys_backends[] = {"namespace", "db", "vector", "relational", NULL};
static const char *const keys_backend_kind[] = {"namespace", "db", "type", NULL};
/* agent.models.<name>: ModelConfig fields read by load_model_config, and the example's `vendor`. */
static const char *const keys_model[] = {
	"type", "vendor", "base_url", "api_key", "model", "save_llm_trace", "enable_thinking", "strict_json_schema",
	"default_headers", "max_retry", "retry_interval", "temperature", "top_p", NULL,
};
/* A database entry: Datus DbConfig fields, the PostgreSQL adapter's config, vbadmin's options. */
static const char *const keys_db[] = {
	"type", "uri", "host", "port", "username", "password", "database", "schema", "schema_name", "sslmode",
	"timeout", "timeout_seconds", "enable_vector_search", "name", "logic_name", "path_pattern", "dbs",
	"account", "warehouse", "catalog", "extra", "options", "service", "instance", "workspace", "vcluster",
	"secure", "hints", "<<", NULL,
};
static const char *const keys_vbadmin[] = {"data_dir", NULL};

static const char *const *const keysets[] = {
	[CONFIG_KEYS_AGENT] = keys_agent,
	[CONFIG_KEYS_STORAGE] = keys_storage,
	[CONFIG_KEYS_EMBED_SECTION] = keys_embed_section,
	[CONFIG_KEYS_BACKENDS] = keys_backends,
	[CONFIG_KEYS_BACKEND_KIND] = keys_backend_kind,
	[CONFIG_KEYS_MODEL] = keys_model,
	[CONFIG_KEYS_DB] = keys_db,
	[CONFIG_KEYS_VBADMIN] = keys_vbadmin,
};

/* Optimal string alignment distance (Damerau-Levenshtein without repeated edits): a swapped
 * pair of letters, the commonest typo ("prot"), counts as one edit. */
static int osa_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 1000;
	int d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *config_nearest(const char *word, const char *const *candidates, int n)
{
	const char *best = NULL;
	int best_d = 1000;
	for (int i = 0; i < n; i++) {
		int dist = osa_distance(word, candidates[i]);
		if (dist < best_d) {
			best_d = dist;
			best = candidates[i];
		}
	}
	int allowed = (int)strlen(word) / 3 + 1; /* "prot"->"port" (1), "dim_siz"->"dim_size" (1) */
	return best && best_d <= allowed ? best : NULL;
}

static int count(const char *const *list)
{
	int n = 0;
	while (list[n])
		n++;
	return n;
}

static int listed(const char *key, const char *const *list)
{
	for (int i = 0; list && list[i]; i++)
		if (strcmp(key, list[i]) == 0)
			return 1;
	return 0;
}

void config_check_keys(struct loader *L, yaml_node_t *map, const char *prefix, enum config_keyset set,
                       const char *const *also_ok)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return;
	const char *const *known = keysets[set];
	int n = config_map_len(map);
	for (int i = 0; i < n; i++) {
		yaml_node_t *k = config_map_key(&L->src, map, i);
		const char *key = config_scalar(k);
		if (!key || listed(key, known) || listed(key, also_ok))
			continue;
		const char *near = config_nearest(key, known, count(known));
		char *msg;
		if (set == CONFIG_KEYS_DB && strcmp(key, "user") == 0)
			msg = vb_xasprintf("%s:%zu: %s.user is not read; Datus spells it 'username'.", L->src.path,
			                   k->start_mark.line + 1, prefix);
		else if (near)
			msg = vb_xasprintf("%s:%zu: unknown key %s.%s ignored; did you mean '%s'?", L->src.path,
			                   k->start_mark.line + 1, prefix, key, near);
		else
			msg = vb_xasprintf("%s:%zu: unknown key %s.%s ignored.", L->src.path, k->start_mark.line + 1, prefix,
			                   key);
		config_warn(L->c, "%s", msg);
		struct config *c = L->c;
		c->unknown_keys = vb_xrealloc(c->unknown_keys, (size_t)(c->nunknown_keys + 1) * sizeof *c->unknown_keys);
		c->unknown_keys[c->nunknown_keys++] = msg;
	}
}
