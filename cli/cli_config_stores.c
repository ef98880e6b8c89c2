/* cli/cli_config_stores.c - the per-store part of `vbadmin config show`: the embedding model of
 * each agent.storage section (as Datus resolves it), agent.models, and the markers for unset
 * ${VAR}.  Secrets are never printed: an api key is "********", "(unset)" or
 * "(unset: ${VAR})". */
#include <stdlib.h>
#include <string.h>

#include "cli_config_stores.h"

#include "../engine/embedding.h"
#include "../backends/vb_util.h"
#include "../config/config_options.h"

static const struct config_unset *unset_of(const struct config_unset *u, int n, const char *suffix)
{
	size_t ls = strlen(suffix);
	for (int i = 0; i < n; i++) {
		size_t lf = strlen(u[i].field);
		if (lf >= ls && strcmp(u[i].field + lf - ls, suffix) == 0)
			return &u[i];
	}
	return NULL;
}

/* An api key as shown: masked, "(unset)", or the variable that was missing. */
static char *key_shown(const char *key, const struct config_unset *u)
{
	if (u)
		return vb_xasprintf("(unset: ${%s})", u->var);
	return vb_xstrdup(key && *key ? "********" : "(unset)");
}

static char *tables_of(const char *section)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "");
	for (int i = 0; i < config_store_table_count(); i++)
		if (strcmp(config_table_section(config_store_table(i)), section) == 0)
			vb_buf_printf(&b, "%s%s", b.len ? ", " : "", config_store_table(i));
	return vb_buf_steal(&b);
}

void cli_config_unset_text(FILE *o, const struct config_unset *u, int n)
{
	if (!n)
		return;
	fprintf(o, "      unset:");
	for (int i = 0; i < n; i++)
		fprintf(o, "%s ${%s} (%s, line %d)", i ? "," : "", u[i].var, strrchr(u[i].field, '.') + 1, u[i].line);
	fprintf(o, "  -- needed only by commands that use this namespace\n");
}

void cli_config_stores_text(FILE *o, const struct config *c, const char *embedder_override)
{
	fprintf(o, "\nembedding model per store (agent.storage.<section>, resolved as Datus does):\n");
	for (int i = 0; i < CONFIG_EMB_N; i++) {
		const struct config_embedding *e = config_embedding(c, (enum config_emb_section)i);
		char *tables = tables_of(e->section);
		/* names are shown, never obeyed: a line break in one would print lines of its own */
		char *reg = vb_text_printable(e->registry_name, 0), *model = vb_text_printable(e->model_name, 0);
		fprintf(o, "  %-15s %s/%s, dim %d, batch %d  (%s%s%s%s)\n", e->section, reg, model, e->dim_size,
		        e->batch_size, e->source, e->shared_with ? ": same model_name as " : "",
		        e->shared_with ? "agent.storage." : "", e->shared_with ? e->shared_with : "");
		free(reg);
		free(model);
		fprintf(o, "  %-15s tables: %s\n", "", tables);
		struct embed_choice ch;
		struct vb_error err;
		char runs[400];
		eng_embedding_configured(c, e->section, embedder_override, &ch, runs, sizeof runs, &err);
		fprintf(o, "  %-15s runs: %s\n", "", runs);
		/* Datus hands the endpoint to every model but only an openai registry uses it */
		if (e->endpoint && strcmp(e->registry_name, "openai") == 0) {
			const struct config_model *m = e->endpoint;
			char *k = key_shown(m->api_key, unset_of(m->unset, m->nunset, ".api_key"));
			char *u = config_secret_masked(m->base_url);
			fprintf(o, "  %-15s endpoint: agent.models.%s (via %s), base_url %s, api key %s\n", "", m->name,
			        e->endpoint_from, u ? u : "(OpenAI default)", k);
			free(u);
			free(k);
		} else if (strcmp(e->registry_name, "openai") == 0) {
			fprintf(o, "  %-15s endpoint: none (no target_model, no agent.target entry)\n", "");
		}
		free(tables);
	}
	fprintf(o, "\nmodels (agent.models; target: %s):%s\n", c->target ? c->target : "-", c->nmodels ? "" : " none");
	for (int i = 0; i < c->nmodels; i++) {
		const struct config_model *m = &c->models[i];
		char *k = key_shown(m->api_key, unset_of(m->unset, m->nunset, ".api_key"));
		char *u = config_secret_masked(m->base_url);
		fprintf(o, "  %-15s type %s, model %s, base_url %s, api key %s (line %d)\n", m->name,
		        m->type ? m->type : "-", m->model ? m->model : "-", u ? u : "-", k, m->line);
		free(u);
		free(k);
	}
}

json_t *cli_config_unset_json(const struct config_unset *u, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:i}", "field", cli_json_str(u[i].field), "var",
		                                   cli_json_str(u[i].var), "line", u[i].line));
	return a;
}

static json_t *model_json(const struct config_model *m)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", cli_json_str(m->name));
	json_object_set_new(o, "type", cli_json_str(m->type));
	char *u = config_secret_masked(m->base_url);
	json_object_set_new(o, "base_url", cli_json_str(u));
	free(u);
	json_object_set_new(o, "model", cli_json_str(m->model));
	char *k = key_shown(m->api_key, unset_of(m->unset, m->nunset, ".api_key"));
	json_object_set_new(o, "api_key", cli_json_str(k));
	free(k);
	json_object_set_new(o, "line", json_integer(m->line));
	json_object_set_new(o, "unset", cli_config_unset_json(m->unset, m->nunset));
	return o;
}

static json_t *strings_json(char *const *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, cli_json_str(v[i]));
	return a;
}

static json_t *embedding_json(const struct config_embedding *e)
{
	json_t *tables = json_array();
	for (int t = 0; t < config_store_table_count(); t++)
		if (strcmp(config_table_section(config_store_table(t)), e->section) == 0)
			json_array_append_new(tables, cli_json_str(config_store_table(t)));
	json_t *o = json_object();
	json_object_set_new(o, "section", cli_json_str(e->section));
	json_object_set_new(o, "tables", tables);
	json_object_set_new(o, "registry_name", cli_json_str(e->registry_name));
	json_object_set_new(o, "model_name", cli_json_str(e->model_name));
	json_object_set_new(o, "dim_size", json_integer(e->dim_size));
	json_object_set_new(o, "batch_size", json_integer(e->batch_size));
	json_object_set_new(o, "target_model", cli_json_str(e->target_model));
	json_object_set_new(o, "endpoint_from", cli_json_str(e->endpoint_from));
	json_object_set_new(o, "endpoint", e->endpoint ? model_json(e->endpoint) : json_null());
	json_object_set_new(o, "configured", json_boolean(e->configured));
	json_object_set_new(o, "shared_with", cli_json_str(e->shared_with));
	json_object_set_new(o, "source", cli_json_str(e->source));
	json_object_set_new(o, "line", json_integer(e->line));
	return o;
}

void cli_config_stores_json(json_t *doc, const struct config *c)
{
	json_t *emb = json_array(), *models = json_array();
	for (int i = 0; i < CONFIG_EMB_N; i++)
		json_array_append_new(emb, embedding_json(config_embedding(c, (enum config_emb_section)i)));
	for (int i = 0; i < c->nmodels; i++)
		json_array_append_new(models, model_json(&c->models[i]));
	json_object_set_new(doc, "embeddings", emb);
	json_object_set_new(doc, "target", cli_json_str(c->target));
	json_object_set_new(doc, "models", models);
	json_object_set_new(doc, "unknown_keys", strings_json(c->unknown_keys, c->nunknown_keys));
	json_object_set_new(doc, "unset_vars", strings_json(c->unset_vars, c->nunset_vars));
}
