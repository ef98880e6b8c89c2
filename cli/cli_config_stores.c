/* cli/cli_config_stores.c - the per-store part of `vbadmin config show`: the embedding model of
 * each agent.storage section (as Datus resolves it), agent.models, and the markers for unset
 * ${VAR}.  Secrets are never printed: an api key is "********", "(unset)" or
 * "(unset: ${VAR})". */
#include <stdlib.h>
#include <string.h>

#include "cli_config_stores.h"
#include "../backends/vb_util.h"

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

void cli_config_stores_text(FILE *o, const struct config *c)
{
	fprintf(o, "\nembedding model per store (agent.storage.<section>, resolved as Datus does):\n");
	for (int i = 0; i < CONFIG_EMB_N; i++) {
		const struct config_embedding *e = config_embedding(c, (enum config_emb_section)i);
		char *tables = tables_of(e->section);
		fprintf(o, "  %-15s %s/%s, dim %d, batch %d  (%s%s%s%s)\n", e->section, e->registry_name, e->model_name,
		        e->dim_size, e->batch_size, e->source, e->shared_with ? ": same model_name as " : "",
		        e->shared_with ? "agent.storage." : "", e->shared_with ? e->shared_with : "");
		fprintf(o, "  %-15s tables: %s\n", "", tables);
		/* Datus hands the endpoint to every model but only an openai registry uses it */
		if (e->endpoint && strcmp(e->registry_name, "openai") == 0) {
			const struct config_model *m = e->endpoint;
			char *k = key_shown(m->api_key, unset_of(m->unset, m->nunset, ".api_key"));
			fprintf(o, "  %-15s endpoint: agent.models.%s (via %s), base_url %s, api key %s\n", "", m->name,
			        e->endpoint_from, m->base_url ? m->base_url : "(OpenAI default)", k);
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
		fprintf(o, "  %-15s type %s, model %s, base_url %s, api key %s (line %d)\n", m->name,
		        m->type ? m->type : "-", m->model ? m->model : "-", m->base_url ? m->base_url : "-", k, m->line);
		free(k);
	}
}

static void jkey(struct vb_buf *b, const char *k)
{
	vb_buf_json_str(b, k);
	vb_buf_addc(b, ':');
}

static void jstr(struct vb_buf *b, const char *k, const char *v)
{
	jkey(b, k);
	vb_buf_json_str(b, v);
	vb_buf_addc(b, ',');
}

void cli_config_unset_json(struct vb_buf *b, const struct config_unset *u, int n)
{
	vb_buf_addc(b, '[');
	for (int i = 0; i < n; i++) {
		vb_buf_add(b, i ? ",{" : "{");
		jstr(b, "field", u[i].field);
		jstr(b, "var", u[i].var);
		vb_buf_printf(b, "\"line\":%d}", u[i].line);
	}
	vb_buf_addc(b, ']');
}

static void model_json(struct vb_buf *b, const struct config_model *m)
{
	vb_buf_addc(b, '{');
	jstr(b, "name", m->name);
	jstr(b, "type", m->type);
	jstr(b, "base_url", m->base_url);
	jstr(b, "model", m->model);
	char *k = key_shown(m->api_key, unset_of(m->unset, m->nunset, ".api_key"));
	jstr(b, "api_key", k);
	free(k);
	vb_buf_printf(b, "\"line\":%d,", m->line);
	jkey(b, "unset");
	cli_config_unset_json(b, m->unset, m->nunset);
	vb_buf_addc(b, '}');
}

static void strings_json(struct vb_buf *b, char *const *v, int n)
{
	vb_buf_addc(b, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			vb_buf_addc(b, ',');
		vb_buf_json_str(b, v[i]);
	}
	vb_buf_addc(b, ']');
}

void cli_config_stores_json(struct vb_buf *b, const struct config *c)
{
	jkey(b, "embeddings");
	vb_buf_addc(b, '[');
	for (int i = 0; i < CONFIG_EMB_N; i++) {
		const struct config_embedding *e = config_embedding(c, (enum config_emb_section)i);
		vb_buf_add(b, i ? ",{" : "{");
		jstr(b, "section", e->section);
		jkey(b, "tables");
		vb_buf_addc(b, '[');
		int first = 1;
		for (int t = 0; t < config_store_table_count(); t++)
			if (strcmp(config_table_section(config_store_table(t)), e->section) == 0) {
				if (!first)
					vb_buf_addc(b, ',');
				vb_buf_json_str(b, config_store_table(t));
				first = 0;
			}
		vb_buf_add(b, "],");
		jstr(b, "registry_name", e->registry_name);
		jstr(b, "model_name", e->model_name);
		vb_buf_printf(b, "\"dim_size\":%d,\"batch_size\":%d,", e->dim_size, e->batch_size);
		jstr(b, "target_model", e->target_model);
		jstr(b, "endpoint_from", e->endpoint_from);
		jkey(b, "endpoint");
		if (e->endpoint)
			model_json(b, e->endpoint);
		else
			vb_buf_add(b, "null");
		vb_buf_printf(b, ",\"configured\":%s,", e->configured ? "true" : "false");
		jstr(b, "shared_with", e->shared_with);
		jstr(b, "source", e->source);
		vb_buf_printf(b, "\"line\":%d}", e->line);
	}
	vb_buf_add(b, "],");
	jstr(b, "target", c->target);
	jkey(b, "models");
	vb_buf_addc(b, '[');
	for (int i = 0; i < c->nmodels; i++) {
		if (i)
			vb_buf_addc(b, ',');
		model_json(b, &c->models[i]);
	}
	vb_buf_add(b, "],");
	jkey(b, "unknown_keys");
	strings_json(b, c->unknown_keys, c->nunknown_keys);
	vb_buf_addc(b, ',');
	jkey(b, "unset_vars");
	strings_json(b, c->unset_vars, c->nunset_vars);
	vb_buf_addc(b, ',');
}
