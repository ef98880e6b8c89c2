/* config/config_embed.c - the embedding model of each knowledge-base store, resolved exactly as
 * Datus resolves it (datus/storage/embedding_models.py, refactor/store):
 *   init_embedding_models: every agent.storage entry that is a mapping with model_name and
 *     dim_size defines a model, in file order; models are keyed by model_name, so a later entry
 *     naming the same model_name reuses the first one whole (its dim_size, registry_name,
 *     batch_size and endpoint), whatever it says itself.  registry_name defaults to
 *     sentence-transformers, batch_size to 32; target_model names the agent.models entry (an
 *     unknown one is COMMON_CONFIG_ERROR), else agent.target's entry is the endpoint.
 *   get_embedding_model: a store whose section defines nothing reuses the first configured
 *     model whose model_name is all-MiniLM-L6-v2, else DEFAULT_MODEL_CONFIG (all-MiniLM-L6-v2,
 *     384) with the constructor's batch_size 64 and no endpoint.
 * Datus reads these sections raw: no ${VAR} substitution. */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

#define DEFAULT_MODEL "all-MiniLM-L6-v2"
#define DEFAULT_DIM 384
#define DEFAULT_REGISTRY "sentence-transformers"

static const char *const section_keys[CONFIG_EMB_N] = {
#define CONFIG_EMBED_SECTION(id, key) [CONFIG_EMB_##id] = key,
#include "stores.def"
};

static const struct {
	const char *table;
	enum config_emb_section section;
	int subject_tree, needed;
} store_tables[] = {
#define CONFIG_STORE_TABLE(table, id, subject_tree, needed) {table, CONFIG_EMB_##id, subject_tree, needed},
#include "stores.def"
};
#define N_STORE_TABLES ((int)(sizeof store_tables / sizeof store_tables[0]))

int config_store_table_count(void)
{
	return N_STORE_TABLES;
}

const char *config_store_table(int i)
{
	return i >= 0 && i < N_STORE_TABLES ? store_tables[i].table : NULL;
}

int config_store_needed(int i)
{
	return i >= 0 && i < N_STORE_TABLES ? store_tables[i].needed : 0;
}

int config_store_uses_subject_tree(int i)
{
	return i >= 0 && i < N_STORE_TABLES ? store_tables[i].subject_tree : 0;
}

int config_store_index(const char *table)
{
	for (int i = 0; table && i < N_STORE_TABLES; i++)
		if (strcmp(store_tables[i].table, table) == 0)
			return i;
	return -1;
}

const struct config_embedding *config_embedding(const struct config *cfg, enum config_emb_section s)
{
	return cfg && s >= 0 && s < CONFIG_EMB_N ? &cfg->embeddings[s] : NULL;
}

static int section_id(const char *key)
{
	for (int i = 0; key && i < CONFIG_EMB_N; i++)
		if (strcmp(section_keys[i], key) == 0)
			return i;
	return -1;
}

const struct config_embedding *config_embedding_by_section(const struct config *cfg, const char *section)
{
	int id = section_id(section);
	return id < 0 ? NULL : config_embedding(cfg, (enum config_emb_section)id);
}

const char *config_table_section(const char *table)
{
	for (int i = 0; table && i < N_STORE_TABLES; i++)
		if (strcmp(store_tables[i].table, table) == 0)
			return section_keys[store_tables[i].section];
	return NULL;
}

const struct config_embedding *config_table_embedding(const struct config *cfg, const char *table)
{
	return config_embedding_by_section(cfg, config_table_section(table));
}

int config_table_dim(const struct config *cfg, const char *table)
{
	const struct config_embedding *e = config_table_embedding(cfg, table);
	return e ? e->dim_size : 0;
}

/* ---- copies and defaults ---------------------------------------------------------------- */

static void emb_clear(struct config_embedding *e)
{
	free(e->registry_name);
	free(e->model_name);
	free(e->target_model);
	free(e->shared_with);
	free(e->source);
	free(e->ext_base_url);
	if (e->ext_api_key)
		memset(e->ext_api_key, 0, strlen(e->ext_api_key));
	free(e->ext_api_key);
	const char *section = e->section;
	memset(e, 0, sizeof *e);
	e->section = section;
}

static char *dup_or_null(const char *s)
{
	return s ? vb_xstrdup(s) : NULL;
}

/* dst takes src's model (as Datus hands the same EmbeddingModel object to both). */
static void emb_copy(struct config_embedding *dst, const struct config_embedding *src)
{
	emb_clear(dst);
	dst->registry_name = dup_or_null(src->registry_name);
	dst->model_name = dup_or_null(src->model_name);
	dst->dim_size = src->dim_size;
	dst->batch_size = src->batch_size;
	dst->target_model = dup_or_null(src->target_model);
	dst->endpoint = src->endpoint;
	dst->endpoint_from = src->endpoint_from;
	dst->configured = src->configured;
	dst->line = src->line;
	dst->source = dup_or_null(src->source);
	dst->ext_base_url = dup_or_null(src->ext_base_url);
	dst->ext_api_key = dup_or_null(src->ext_api_key);
}

static void emb_default(struct config_embedding *e)
{
	emb_clear(e);
	e->registry_name = vb_xstrdup(DEFAULT_REGISTRY);
	e->model_name = vb_xstrdup(DEFAULT_MODEL);
	e->dim_size = DEFAULT_DIM;
	e->batch_size = 64; /* EmbeddingModel(model_name, dim_size): the constructor's default */
	e->source = vb_xstrdup("default");
}

void config_embeddings_defaults(struct config *c)
{
	for (int i = 0; i < CONFIG_EMB_N; i++) {
		c->embeddings[i].section = section_keys[i];
		emb_default(&c->embeddings[i]);
	}
}

void config_embeddings_free(struct config *c)
{
	for (int i = 0; i < CONFIG_EMB_N; i++)
		emb_clear(&c->embeddings[i]);
}

/* ---- parsing ---------------------------------------------------------------------------- */

/* One model definition, in file order (key = the agent.storage key that defined it). */
struct def {
	char *key;
	struct config_embedding e;
};

struct defs {
	struct def *v;
	int n;
};

static const struct def *find_def(const struct defs *d, const char *model_name)
{
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->v[i].e.model_name, model_name) == 0)
			return &d->v[i];
	return NULL;
}

/* A raw scalar, as Datus reads these sections; "${" is kept and warned about. */
static const char *raw(struct loader *L, yaml_node_t *map, const char *key, const char *prefix)
{
	yaml_node_t *n = config_map_get(&L->src, map, key);
	const char *s = n && !config_is_null(n) ? config_scalar(n) : NULL;
	if (s && strstr(s, "${"))
		config_warn(L->c, "%s:%zu: %s.%s holds '${': Datus does not substitute variables in agent.storage, "
		            "so neither does vbadmin; write the value itself.",
		            L->src.path, n->start_mark.line + 1, prefix, key);
	return s;
}

static int read_int(struct loader *L, yaml_node_t *map, const char *key, const char *prefix, long lo, long hi,
                    const char *what, int *out)
{
	yaml_node_t *n = config_map_get(&L->src, map, key);
	if (n && config_scalar(n) && strstr(config_scalar(n), "${"))
		return config_err_at(&L->src, n, L->err, "%s.%s is '%s': Datus does not substitute variables in "
		                     "agent.storage; write the number.", prefix, key, config_scalar(n));
	char *where = vb_xasprintf("%s.%s", prefix, key);
	int rc = config_int(&L->src, n, where, lo, hi, what, out, L->err);
	free(where);
	return rc;
}

/* The endpoint of a newly defined model (init_embedding_models' target_openai_config). */
static int set_endpoint(struct loader *L, yaml_node_t *map, const char *prefix, struct config_embedding *e)
{
	if (e->target_model && *e->target_model) {
		e->endpoint = config_find_model(L->c, e->target_model);
		if (!e->endpoint) {
			const char **names = vb_xcalloc((size_t)L->c->nmodels + 1, sizeof *names);
			for (int i = 0; i < L->c->nmodels; i++)
				names[i] = L->c->models[i].name;
			const char *near = config_nearest(e->target_model, names, L->c->nmodels);
			free(names);
			return config_err_at(&L->src, config_map_get(&L->src, map, "target_model"), L->err,
			                     "Model %s not found in storage openai configuration (%s.target_model); name an "
			                     "entry of agent.models%s%s%s.",
			                     e->target_model, prefix, near ? ", e.g. '" : "", near ? near : "", near ? "'" : "");
		}
		e->endpoint_from = "target_model";
	} else if (L->c->target) {
		e->endpoint = config_find_model(L->c, L->c->target);
		e->endpoint_from = e->endpoint ? "agent.target" : NULL;
	}
	return VB_OK;
}

/* A section's own values into e (a fresh definition). */
static int read_section(struct loader *L, yaml_node_t *map, const char *prefix, struct config_embedding *e)
{
	e->model_name = vb_xstrdup(raw(L, map, "model_name", prefix));
	const char *reg = raw(L, map, "registry_name", prefix);
	e->registry_name = vb_xstrdup(reg ? reg : DEFAULT_REGISTRY);
	e->target_model = dup_or_null(raw(L, map, "target_model", prefix));
	e->batch_size = 32; /* config.get("batch_size", 32) */
	e->configured = 1;
	e->line = (int)map->start_mark.line + 1;
	e->source = vb_xstrdup(prefix);
	int rc = read_int(L, map, "dim_size", prefix, 1, 16000,
	                  "use the embedding model's output size (pgvector allows 1..16000)", &e->dim_size);
	if (rc == VB_OK)
		rc = read_int(L, map, "batch_size", prefix, 1, 100000, "use a whole number of texts per request",
		              &e->batch_size);
	return rc;
}

/* vbadmin's own base_url / api_key in a section: read (substituted) but flagged, since Datus
 * takes the endpoint from agent.models and would embed elsewhere. */
static int read_ext(struct loader *L, yaml_node_t *map, const char *prefix, struct config_embedding *e)
{
	static const char *const keys[] = {"base_url", "api_key"};
	char **dst[] = {&e->ext_base_url, &e->ext_api_key};
	for (int i = 0; i < 2; i++) {
		yaml_node_t *n = config_map_get(&L->src, map, keys[i]);
		if (!n)
			continue;
		char *where = vb_xasprintf("%s.%s", prefix, keys[i]);
		int rc = config_str(&L->src, n, where, dst[i], L->err);
		free(where);
		if (rc != VB_OK)
			return rc;
		config_warn(L->c, "%s:%zu: %s.%s is read by vbadmin only; Datus takes the embedding endpoint from "
		            "agent.models.<target_model or agent.target>, so a Datus run may embed elsewhere.",
		            L->src.path, n->start_mark.line + 1, prefix, keys[i]);
	}
	return VB_OK;
}

/* A later section naming an earlier model_name: Datus reuses the earlier model whole. */
static void warn_shared(struct loader *L, yaml_node_t *map, const char *prefix, const struct def *d,
                        const struct config_embedding *own)
{
	const char *what = own->dim_size != d->e.dim_size                           ? "dim_size"
	                   : strcmp(own->registry_name, d->e.registry_name) != 0     ? "registry_name"
	                   : own->batch_size != d->e.batch_size                     ? "batch_size"
	                   : (own->target_model || d->e.target_model) &&
	                             (!own->target_model || !d->e.target_model ||
	                              strcmp(own->target_model, d->e.target_model) != 0)
	                         ? "target_model"
	                         : NULL;
	if (what)
		config_warn(L->c, "%s:%zu: %s names model_name '%s' like agent.storage.%s; Datus keys models by "
		            "model_name and uses agent.storage.%s's settings, so %s.%s here is ignored "
		            "(dim_size %d, registry %s apply). Use one setting per model.",
		            L->src.path, map->start_mark.line + 1, prefix, own->model_name, d->key, d->key, prefix, what,
		            d->e.dim_size, d->e.registry_name);
}

static int one_entry(struct loader *L, const char *key, yaml_node_t *map, struct defs *defs)
{
	int sid = section_id(key);
	char *prefix = vb_xasprintf("agent.storage.%s", key);
	static const char *const ext_ok[] = {"base_url", "api_key", NULL};
	if (sid >= 0)
		config_check_keys(L, map, prefix, CONFIG_KEYS_EMBED_SECTION, ext_ok);
	int has_name = config_map_get(&L->src, map, "model_name") != NULL;
	int has_dim = config_map_get(&L->src, map, "dim_size") != NULL;
	if (!has_name || !has_dim) {
		if (sid >= 0)
			config_warn(L->c, "%s:%zu: %s lacks %s; Datus ignores such an entry and uses the default model "
			            "(all-MiniLM-L6-v2, 384 dims), and so does vbadmin. Add both model_name and dim_size.",
			            L->src.path, map->start_mark.line + 1, prefix, has_name ? "dim_size" : "model_name");
		free(prefix);
		return VB_OK;
	}
	struct config_embedding own = {.section = sid >= 0 ? section_keys[sid] : NULL};
	int rc = read_section(L, map, prefix, &own);
	if (rc == VB_OK && !own.model_name)
		rc = config_err_at(&L->src, config_map_get(&L->src, map, "model_name"), L->err,
		                   "%s.model_name must be a model name, e.g. all-MiniLM-L6-v2.", prefix);
	if (rc == VB_OK)
		rc = read_ext(L, map, prefix, &own);
	const struct def *d = rc == VB_OK ? find_def(defs, own.model_name) : NULL;
	if (rc == VB_OK && d) {
		warn_shared(L, map, prefix, d, &own);
		if (sid >= 0) {
			emb_copy(&L->c->embeddings[sid], &d->e);
			L->c->embeddings[sid].shared_with = vb_xstrdup(d->key);
		}
	} else if (rc == VB_OK) {
		rc = set_endpoint(L, map, prefix, &own);
		if (rc == VB_OK) {
			defs->v = vb_xrealloc(defs->v, (size_t)(defs->n + 1) * sizeof *defs->v);
			struct def *nd = &defs->v[defs->n++];
			nd->key = vb_xstrdup(key);
			nd->e = (struct config_embedding){0};
			emb_copy(&nd->e, &own);
			if (sid >= 0)
				emb_copy(&L->c->embeddings[sid], &own);
		}
	}
	emb_clear(&own);
	free(prefix);
	return rc;
}

/* Stores whose section defined nothing: get_embedding_model's fallback. */
static void fill_unconfigured(struct config *c, const struct defs *defs, const int *set)
{
	const struct def *mini = find_def(defs, DEFAULT_MODEL);
	for (int i = 0; i < CONFIG_EMB_N; i++) {
		if (set[i] || !mini)
			continue;
		emb_copy(&c->embeddings[i], &mini->e);
		c->embeddings[i].shared_with = vb_xstrdup(mini->key);
	}
}

int config_parse_embeddings(struct loader *L, yaml_node_t *storage)
{
	struct defs defs = {0};
	int set[CONFIG_EMB_N] = {0};
	int rc = VB_OK;
	int n = storage && storage->type == YAML_MAPPING_NODE ? config_map_len(storage) : 0;
	for (int i = 0; rc == VB_OK && i < n; i++) {
		const char *key = config_scalar(config_map_key(&L->src, storage, i));
		yaml_node_t *v = config_map_value(&L->src, storage, i);
		if (!key || strcmp(key, "backends") == 0)
			continue;
		int sid = section_id(key);
		if (sid >= 0 && !config_is_null(v) && v->type != YAML_MAPPING_NODE) {
			char *where = vb_xasprintf("agent.storage.%s", key);
			rc = config_want_map(&L->src, v, where, "write model_name:, dim_size: and registry_name: under it",
			                     L->err);
			free(where);
			break;
		}
		if (v->type != YAML_MAPPING_NODE) /* Datus: `if not isinstance(config, dict): continue` */
			continue;
		int before = defs.n;
		rc = one_entry(L, key, v, &defs);
		if (sid >= 0 && rc == VB_OK)
			set[sid] = defs.n > before || L->c->embeddings[sid].shared_with != NULL;
	}
	if (rc == VB_OK)
		fill_unconfigured(L->c, &defs, set);
	for (int i = 0; i < defs.n; i++) {
		free(defs.v[i].key);
		emb_clear(&defs.v[i].e);
	}
	free(defs.v);
	return rc;
}
