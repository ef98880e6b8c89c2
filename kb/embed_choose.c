/* kb/embed_choose.c - the rules of embed_choose.h. */
#include "embed_choose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "../config/config.h"
#include "../config/config_endpoints.h"

#define OPENAI_DEFAULT_BASE_URL "https://api.openai.com/v1" /* the openai client's default */

/* What agent.yml configures for a store kind, Datus's defaults filled in (config_embed.c
 * resolves it as Datus's init_embedding_models / get_embedding_model do). */
struct configured {
	const char *registry, *model, *base_url, *api_key, *source, *unset_var;
	int dim, batch;
};

static void configured_for(const struct config *cfg, const char *section, struct configured *m)
{
	memset(m, 0, sizeof *m);
	const struct config_embedding *e = config_embedding_by_section(cfg, section);
	if (!e || !e->model_name) {
		m->registry = EMBED_DATUS_REGISTRY;
		m->model = EMBED_DATUS_MODEL;
		m->dim = EMBED_DATUS_DIM;
		m->batch = 64;
		m->source = "Datus's default model";
		return;
	}
	m->registry = e->registry_name ? e->registry_name : EMBED_DATUS_REGISTRY;
	m->model = e->model_name;
	m->dim = e->dim_size;
	m->batch = e->batch_size;
	m->source = e->source;
	if (e->endpoint) { /* the agent.models entry Datus hands to an openai model */
		m->base_url = e->endpoint->base_url;
		m->api_key = e->endpoint->api_key;
		if (e->endpoint->nunset)
			m->unset_var = e->endpoint->unset[0].var;
	}
	if (e->ext_base_url) { /* vbadmin's own extension in the section */
		m->base_url = e->ext_base_url;
		m->api_key = e->ext_api_key;
	}
}

static void set_model(struct embed_choice *c, const char *registry, const char *model, int dim)
{
	snprintf(c->registry, sizeof c->registry, "%.63s", registry);
	snprintf(c->name, sizeof c->name, "%s", model);
	c->model.registry_name = c->registry;
	c->model.model_name = c->name;
	c->model.dim_size = dim;
	c->opt.dim = dim;
}

static int use_hashing(struct embed_choice *c, int dim, const char *why)
{
	c->hashing = 1;
	c->opt.kind = "hashing";
	set_model(c, "hashing", "hashing", dim);
	snprintf(c->why, sizeof c->why, "%s", why);
	return VB_OK;
}

static int no_server(const struct embed_choice *c, const char *section, struct vb_error *err)
{
	vb_err_set(err, VB_ERR_NOT_FOUND,
	           "embedding model %.40s/%.120s (%d dimensions) for [%s] cannot run: vbadmin runs %.40s models through "
	           "an OpenAI-compatible /v1/embeddings server, and agent.vbadmin.embedding_endpoints names none for "
	           "%.120s",
	           c->registry, c->name, c->model.dim_size, section, c->registry, c->name);
	snprintf(err->hint, sizeof err->hint,
	         "serve it on this machine, e.g. text-embeddings-inference --model-id sentence-transformers/%.100s "
	         "--port 8080, then add to agent.yml under agent.vbadmin: 'embedding_endpoints: {%.100s: "
	         "http://127.0.0.1:8080/v1}' (docs/embeddings.md)",
	         c->name, c->name);
	return VB_ERR_NOT_FOUND;
}

static int via_endpoint(const struct config *cfg, const char *section, struct embed_choice *c, struct vb_error *err)
{
	const struct config_endpoint *ep = config_endpoint_for(cfg, c->name);
	if (!ep)
		return no_server(c, section, err);
	c->opt.kind = "openai";
	c->opt.base_url = ep->base_url;
	c->opt.model = ep->served_model ? ep->served_model : ep->model;
	c->opt.api_key = ep->api_key;
	c->opt.parallel = ep->parallel;
	snprintf(c->why, sizeof c->why, "agent.vbadmin.embedding_endpoints.%.120s, line %d", ep->model, ep->line);
	return VB_OK;
}

int embed_choose(const struct config *cfg, const char *section, const char *override,
                 const struct embed_record *recorded, struct embed_choice *c, struct vb_error *err)
{
	memset(c, 0, sizeof *c);
	struct configured m;
	configured_for(cfg, section, &m);
	int st = embed_guard_name_ok("registry_name", m.registry, section, err);
	if (st == VB_OK)
		st = embed_guard_name_ok("model_name", m.model, section, err);
	if (st != VB_OK)
		return st;
	c->opt.batch_size = m.batch;
	int dim = m.dim;
	const char *registry = m.registry, *model = m.model;
	if (recorded && recorded->present && !recorded->from_default) {
		registry = recorded->registry_name;
		model = recorded->model_name;
		dim = atoi(recorded->dim_size);
	}
	if (override && strcmp(override, "hashing") == 0)
		return use_hashing(c, dim, "--embedder hashing");
	if (override && *override)
		return vb_err_set(err, VB_ERR_INVALID, "--embedder '%s': the only embedder to choose by name is 'hashing'; "
		                                       "other models come from agent.yml (docs/embeddings.md)", override);
	if (!cfg->path)
		return use_hashing(c, dim, "no agent.yml");
	if (strcmp(registry, "hashing") == 0)
		return use_hashing(c, dim, recorded && recorded->present ? "the store's record" : m.source);
	set_model(c, registry, model, dim);
	c->opt.label = NULL;
	if (strcmp(registry, "openai") == 0) {
		if (m.unset_var) {
			vb_err_set(err, VB_ERR_INVALID, "embedding model openai/%.120s for [%s] needs ${%.60s}, which is not set",
			           c->name, section, m.unset_var);
			snprintf(err->hint, sizeof err->hint, "export %.60s (or put it in ./.env) and run the command again",
			         m.unset_var);
			return VB_ERR_INVALID;
		}
		c->opt.kind = "openai";
		c->opt.base_url = m.base_url && *m.base_url ? m.base_url : OPENAI_DEFAULT_BASE_URL;
		c->opt.model = c->name;
		c->opt.api_key = m.api_key;
		/* datus/storage/embedding_openai.py generate_embeddings: "dimensions" = dim_size for
		 * every model but text-embedding-ada-002 (which has no such parameter) */
		c->opt.dimensions = strcmp(c->name, "text-embedding-ada-002") != 0 ? dim : 0;
		snprintf(c->why, sizeof c->why, "%s", m.source ? m.source : "agent.storage");
		return VB_OK;
	}
	if (strcmp(registry, "sentence-transformers") == 0 || strcmp(registry, "fastembed") == 0)
		return via_endpoint(cfg, section, c, err);
	/* Datus's EmbeddingModel.init_model wording */
	vb_err_set(err, VB_ERR_UNSUPPORTED, "Unsupported EmbeddingModel registration by `%.60s` (model %.120s of [%s])",
	           registry, model, section);
	snprintf(err->hint, sizeof err->hint, "use registry_name sentence-transformers, fastembed or openai, as Datus "
	                                      "does, or hashing for vbadmin's offline embedder");
	return VB_ERR_UNSUPPORTED;
}

void embed_store_of(const struct config *cfg, const struct vb_config *vc, const char *backend_override,
                    struct embed_store *s)
{
	memset(s, 0, sizeof *s);
	const char *backend = vc->backend ? vc->backend : "embedded";
	int lance = config_names_backend(backend, "lancedb");
	s->backend = config_names_backend(backend, "pgvector") ? "pgvector" : lance ? "lancedb" : backend;
	s->home = cfg->home;
	s->data_dir = vc->data_dir ? vc->data_dir : cfg->data_dir;
	s->database = vc->database;
	s->schema = vc->schema;
	s->ns = vc->namespace;
	/* Datus stores vectors in PostgreSQL only through its storage namespace, and in LanceDB in
	 * {agent.home}/data/datus_db_<namespace> (vc->data_dir is {home}/data): those are Datus's
	 * stores, recorded in Datus's datus_db.cfg; any other store is vbadmin's own and keeps its
	 * own record */
	(void)backend_override;
	s->datus_owned = (lance && cfg->home) || (cfg->path && strcmp(s->backend, "pgvector") == 0 &&
	                                          cfg->storage_namespace && config_connection_db(cfg, vc->namespace));
}

/* Length of "scheme://" of url, and the rest of url after any "user:password@". */
static int url_host_at(const char *url)
{
	const char *p = strstr(url, "://");
	return p ? (int)(p + 3 - url) : 0;
}

static const char *url_after_userinfo(const char *url)
{
	const char *host = url + url_host_at(url);
	const char *at = strchr(host, '@'), *slash = strchr(host, '/');
	return at && (!slash || at < slash) ? at + 1 : host;
}

void embed_choice_describe(const struct embed_choice *c, char *buf, size_t size)
{
	if (c->hashing)
		snprintf(buf, size, "hashing (built in, %d dimensions; chosen by %s)", c->model.dim_size, c->why);
	else /* the URL without user:password@ */
		snprintf(buf, size, "%s/%s via %.*s%s (%d dimensions)", c->registry, c->name, url_host_at(c->opt.base_url),
		         c->opt.base_url, url_after_userinfo(c->opt.base_url), c->model.dim_size);
}
