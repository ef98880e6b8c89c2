/* cli/cli_config.c - `vbadmin config show [--json]`: the configuration as vbadmin resolved it.
 * Secrets (password, api key) are printed only as "********" or "(unset)".
 * JSON shape (stable; docs/configuration.md):
 *   {"config_file": str|null, "config_source": str, "env_file": str|null, "namespace_key": str|null,
 *    "namespaces": [{"name", "line", "dbs": [{"name", "type", "uri", "host", "port", "database",
 *                    "username", "password", "schema", "sslmode", "timeout",
 *                    "enable_vector_search", "line"}]}],
 *    "storage": {"namespace", "db", "relational_namespace", "relational_db", "vector_backend"},
 *    "resolved": {"namespace", "backend", "backend_source", "host", "port", "database", "user",
 *                 "password", "schema", "sslmode", "connect_timeout", "data_dir", "dim",
 *                 "unset": [{"field", "var", "line"}]},   (fields shown as defaults; commands refuse)
 *    "embedding": {"source", "embedder", "registry_name", "model", "dim", "batch_size",
 *                  "base_url", "api_key"},          (the semantic_model store, as older code reads it)
 *    "embeddings": [{"section", "tables": [str], "registry_name", "model_name", "dim_size",
 *                    "batch_size", "target_model", "endpoint_from", "endpoint": model|null,
 *                    "configured": bool, "shared_with", "source", "line"}],
 *    "target": str|null, "models": [{"name", "type", "base_url", "model", "api_key", "line",
 *                                    "unset": [{"field", "var", "line"}]}],
 *    "unknown_keys": [str], "unset_vars": [str],   (each db also has "unset": [...])
 *    "home": str, "data_dir": str, "data_dir_source": str, "warnings": [str],
 *    "refused": null | {"commands": str, "message": str}}  (an unset ${VAR} in a namespace in use) */
#include <stdlib.h>
#include <string.h>

#include "../engine/embedding.h"
#include "cli.h"
#include "cli_config_stores.h"
#include "../config/config.h"
#include "../engine/engine.h"
#include "../config/config_options.h"
#include "../backends/vb_util.h"

#define MASK(s) ((s) && *(s) ? "********" : "(unset)")

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* A uri, options string or URL with every password masked (config_secret_masked). */
static char *uri_masked(const char *uri)
{
	return config_secret_masked(uri);
}

/* Where the semantic_model store's model comes from: "agent.storage.<key>" or "default". */
static const char *embedding_source(const struct config *c)
{
	const struct config_embedding *e = config_embedding_by_section(c, "semantic_model");
	return e && e->source ? e->source : "default";
}

static void text_files(FILE *o, const struct config *c)
{
	if (c->path)
		fprintf(o, "config file:   %s (found via %s)\n", c->path, c->path_source);
	else
		fprintf(o, "config file:   none: embedded default\n");
	if (c->env_file)
		fprintf(o, "env file:      ./%s (fills ${VAR} not set in the environment)\n", c->env_file);
	fprintf(o, "home:          %s\n", c->home);
	fprintf(o, "data dir:      %s (from %s)\n", c->data_dir, c->data_dir_source);
}

/* Only PostgreSQL entries have host/port/...; any other entry is listed by its uri so the user
 * sees it was read, and why vbadmin does not connect to it. */
static void text_db(FILE *o, const struct config_db *d)
{
	if (config_db_is_postgres(d)) {
		fprintf(o, "    %-16s %-10s %s:%d database=%s user=%s password=%s schema=%s sslmode=%s\n",
		        d->logic_name, d->type, d->host, d->port, d->database ? d->database : "postgres",
		        or_dash(d->username), MASK(d->password), d->schema, d->sslmode);
	} else {
		char *u = uri_masked(d->uri);
		fprintf(o, "    %-16s %-10s uri=%s database=%s (not a PostgreSQL entry)\n", d->logic_name, d->type,
		        or_dash(u), or_dash(d->database));
		free(u);
	}
	cli_config_unset_text(o, d->unset, d->nunset);
}

static void text_namespaces(FILE *o, const struct config *c)
{
	fprintf(o, "\nnamespaces%s%s%s:%s\n", c->namespace_key ? " (under agent." : "",
	        c->namespace_key ? c->namespace_key : "", c->namespace_key ? ")" : "", c->nnamespaces ? "" : " none");
	for (int i = 0; i < c->nnamespaces; i++) {
		const struct config_namespace *ns = &c->namespaces[i];
		fprintf(o, "  %s (line %d)\n", ns->name, ns->line);
		for (int j = 0; j < ns->ndbs; j++)
			text_db(o, &ns->dbs[j]);
	}
}

static void text_storage(struct cli_ctx *ctx, const struct config *c, const struct vb_config *r)
{
	FILE *o = ctx->out;
	fprintf(o, "\nstorage:\n");
	fprintf(o, "  namespace:     %s\n", c->storage_namespace ? c->storage_namespace : c->path ? "(none: Datus's LanceDB default)" : "(none: embedded store)");
	fprintf(o, "  db:            %s\n", c->storage_db ? c->storage_db : "(first entry)");
	if (c->storage_rel_namespace)
		fprintf(o, "  relational:    %s%s%s\n", c->storage_rel_namespace, c->storage_rel_db ? " / " : "",
		        c->storage_rel_db ? c->storage_rel_db : "");
	fprintf(o, "  backend:       %s (%s)\n", r->backend, config_backend_source(c, ctx->backend));
}

static void text_pg_connection(FILE *o, const struct config *c, const struct vb_config *r)
{
	fprintf(o, "  host:          %s\n", r->host);
	fprintf(o, "  port:          %d\n", r->port);
	fprintf(o, "  database:      %s\n", r->database);
	fprintf(o, "  user:          %s\n", or_dash(r->username));
	fprintf(o, "  password:      %s\n", MASK(r->password));
	fprintf(o, "  schema:        %s\n", r->schema);
	fprintf(o, "  sslmode:       %s\n", r->sslmode);
	fprintf(o, "  timeout:       %ds\n", r->connect_timeout);
	if (r->options) {
		char *m = uri_masked(r->options);
		fprintf(o, "  options:       %s\n", m);
		free(m);
	}
	const struct config_db *cd = config_connection_db(c, r->namespace);
	for (int i = 0; cd && i < cd->nunset; i++) /* the value above is a default, not what Datus would use */
		fprintf(o, "  unset:         ${%s} (%s, line %d): shown as its default; commands on it refuse\n",
		        cd->unset[i].var, strrchr(cd->unset[i].field, '.') + 1, cd->unset[i].line);
}

static void text_connection(FILE *o, const struct config *c, const struct vb_config *r)
{
	fprintf(o, "\nresolved connection:\n");
	fprintf(o, "  namespace:     %s\n", r->namespace);
	if (r->host)
		text_pg_connection(o, c, r);
	else if (strcmp(r->backend, "lancedb") == 0 || strcmp(r->backend, "lance") == 0)
		fprintf(o, "  (no database entry: Datus's LanceDB store %s/datus_db_%s)\n", r->data_dir, r->namespace);
	else
		fprintf(o, "  (no database entry: the embedded store in %s)\n", r->data_dir);
}

/* what actually runs, by the rules of docs/embeddings.md (never a silent hashing) */
static void text_embedding(struct cli_ctx *ctx, const struct config *c)
{
	FILE *o = ctx->out;
	struct embed_choice ch;
	struct vb_error eerr;
	char runs[400];
	int est = eng_embedding_configured(c, "semantic_model", ctx->embedder, &ch, runs, sizeof runs, &eerr);
	fprintf(o, "\nembedding (from %s):\n", embedding_source(c));
	fprintf(o, "  embedder:      %s\n", runs);
	if (est != VB_OK && eerr.hint[0])
		fprintf(o, "  to run it:     %s\n", eerr.hint);
	char *model = vb_text_printable(ch.name, 0); /* shown, never obeyed: no raw line breaks */
	fprintf(o, "  model:         %s\n", ch.name[0] ? model : "-");
	free(model);
	fprintf(o, "  dim:           %d\n", ch.model.dim_size);
	fprintf(o, "  batch size:    %d\n", ch.opt.batch_size);
	if (est == VB_OK && !ch.hashing) {
		char *u = uri_masked(ch.opt.base_url);
		fprintf(o, "  base url:      %s\n", or_dash(u));
		free(u);
		fprintf(o, "  api key:       %s\n", MASK(ch.opt.api_key));
	}
}

static void show_text(struct cli_ctx *ctx, const struct config *c, const struct vb_config *r)
{
	FILE *o = ctx->out;
	text_files(o, c);
	text_namespaces(o, c);
	text_storage(ctx, c, r);
	text_connection(o, c, r);
	text_embedding(ctx, c);
	cli_config_stores_text(o, c, ctx->embedder);
	if (c->nwarnings) {
		fprintf(o, "\nwarnings:\n");
		for (int i = 0; i < c->nwarnings; i++)
			fprintf(o, "  %s\n", c->warnings[i]);
	}
}

static json_t *db_json(const struct config_db *d)
{
	int pg = config_db_is_postgres(d);
	char *u = uri_masked(d->uri);
	json_t *o = json_object();
	json_object_set_new(o, "name", cli_json_str(d->logic_name));
	json_object_set_new(o, "type", cli_json_str(d->type));
	json_object_set_new(o, "host", cli_json_str(d->host));
	json_object_set_new(o, "port", json_integer(d->port));
	json_object_set_new(o, "uri", cli_json_str(u));
	json_object_set_new(o, "database", cli_json_str(d->database ? d->database : pg ? "postgres" : NULL));
	json_object_set_new(o, "username", cli_json_str(d->username));
	json_object_set_new(o, "password", cli_json_str(MASK(d->password)));
	json_object_set_new(o, "schema", cli_json_str(d->schema));
	json_object_set_new(o, "sslmode", cli_json_str(d->sslmode));
	json_object_set_new(o, "timeout", json_integer(d->timeout));
	json_object_set_new(o, "enable_vector_search", json_boolean(d->enable_vector_search));
	json_object_set_new(o, "line", json_integer(d->line));
	json_object_set_new(o, "unset", cli_config_unset_json(d->unset, d->nunset));
	free(u);
	return o;
}

static json_t *namespaces_json(const struct config *c)
{
	json_t *list = json_array();
	for (int i = 0; i < c->nnamespaces; i++) {
		const struct config_namespace *ns = &c->namespaces[i];
		json_t *dbs = json_array();
		for (int j = 0; j < ns->ndbs; j++)
			json_array_append_new(dbs, db_json(&ns->dbs[j]));
		json_array_append_new(list, json_pack("{s:o, s:i, s:o}", "name", cli_json_str(ns->name), "line", ns->line,
		                                      "dbs", dbs));
	}
	return list;
}

static json_t *resolved_json(struct cli_ctx *ctx, const struct config *c, const struct vb_config *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "namespace", cli_json_str(r->namespace));
	json_object_set_new(o, "backend", cli_json_str(r->backend));
	json_object_set_new(o, "backend_source", cli_json_str(config_backend_source(c, ctx->backend)));
	json_object_set_new(o, "host", cli_json_str(r->host));
	json_object_set_new(o, "port", r->host ? json_integer(r->port) : json_null());
	json_object_set_new(o, "database", cli_json_str(r->database));
	json_object_set_new(o, "user", cli_json_str(r->username));
	json_object_set_new(o, "password", cli_json_str(MASK(r->password)));
	json_object_set_new(o, "schema", cli_json_str(r->schema));
	json_object_set_new(o, "sslmode", cli_json_str(r->sslmode));
	json_object_set_new(o, "connect_timeout", json_integer(r->connect_timeout));
	char *mo = uri_masked(r->options);
	json_object_set_new(o, "options", cli_json_str(mo));
	free(mo);
	json_object_set_new(o, "data_dir", cli_json_str(r->data_dir));
	json_object_set_new(o, "dim", json_integer(r->dim));
	const struct config_db *cd = r->host ? config_connection_db(c, r->namespace) : NULL;
	json_object_set_new(o, "unset", cli_config_unset_json(cd ? cd->unset : NULL, cd ? cd->nunset : 0));
	return o;
}

/* What runs for the semantic_model store (kb/embed_choose.h), as the "embedding" object. */
static json_t *embedding_json(struct cli_ctx *ctx, const struct config *c)
{
	struct embed_choice ch;
	struct vb_error eerr;
	char runs[400];
	int est = eng_embedding_configured(c, "semantic_model", ctx->embedder, &ch, runs, sizeof runs, &eerr);
	int http = est == VB_OK && !ch.hashing;
	json_t *em = json_object();
	json_object_set_new(em, "source", cli_json_str(embedding_source(c)));
	/* "hashing", "http" (an OpenAI-compatible server), or null: the model is not served */
	json_object_set_new(em, "embedder", cli_json_str(est != VB_OK ? NULL : ch.hashing ? "hashing" : "http"));
	json_object_set_new(em, "runs", cli_json_str(runs));
	json_object_set_new(em, "registry_name", cli_json_str(ch.registry[0] ? ch.registry : NULL));
	json_object_set_new(em, "model", cli_json_str(ch.name[0] ? ch.name : NULL));
	json_object_set_new(em, "dim", json_integer(ch.model.dim_size));
	json_object_set_new(em, "batch_size", json_integer(ch.opt.batch_size));
	char *mu = http ? uri_masked(ch.opt.base_url) : NULL;
	json_object_set_new(em, "base_url", cli_json_str(mu));
	free(mu);
	json_object_set_new(em, "api_key", cli_json_str(MASK(http ? ch.opt.api_key : NULL)));
	return em;
}

static json_t *show_json(struct cli_ctx *ctx, const struct config *c, const struct vb_config *r)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "config_file", cli_json_str(c->path));
	json_object_set_new(doc, "config_source", cli_json_str(c->path_source ? c->path_source : "none"));
	json_object_set_new(doc, "env_file", cli_json_str(c->env_file));
	json_object_set_new(doc, "namespace_key", cli_json_str(c->namespace_key));
	json_object_set_new(doc, "namespaces", namespaces_json(c));
	json_t *st = json_object();
	json_object_set_new(st, "namespace", cli_json_str(c->storage_namespace));
	json_object_set_new(st, "db", cli_json_str(c->storage_db));
	json_object_set_new(st, "relational_namespace", cli_json_str(c->storage_rel_namespace));
	json_object_set_new(st, "relational_db", cli_json_str(c->storage_rel_db));
	json_object_set_new(st, "vector_backend", cli_json_str(c->vector_backend));
	json_object_set_new(doc, "storage", st);
	json_object_set_new(doc, "resolved", resolved_json(ctx, c, r));
	json_object_set_new(doc, "embedding", embedding_json(ctx, c));
	cli_config_stores_json(doc, c);
	json_object_set_new(doc, "home", cli_json_str(c->home));
	json_object_set_new(doc, "data_dir", cli_json_str(c->data_dir));
	json_object_set_new(doc, "data_dir_source", cli_json_str(c->data_dir_source));
	json_t *w = json_array();
	for (int i = 0; i < c->nwarnings; i++)
		json_array_append_new(w, cli_json_str(c->warnings[i]));
	json_object_set_new(doc, "warnings", w);
	return doc;
}

/* Every command that opens the namespace refuses; config show, backends and help do not. */
#define CONFIG_REFUSING_COMMANDS                                                                             \
	"check, extension, verify, ddl, dba-packet, index, bootstrap-kb and search refuse (exit 2) until it is set:"

static json_t *refused_json(const char *message)
{
	if (!message)
		return json_null();
	return json_pack("{s:s, s:s}", "commands", CONFIG_REFUSING_COMMANDS, "message", message);
}

int cli_config(struct cli_ctx *ctx, int argc, char **argv)
{
	int json = 0;
	if (argc < 2 || strcmp(argv[1], "show") != 0)
		return cli_usage_error(ctx, "config", "config needs a subcommand: show");
	/* argv[1] is "show": parse from there as getopt's argv[0] */
	int rc = cli_parse_json_flag(ctx, "config", argc - 1, argv + 1, &json);
	if (rc)
		return rc;
	rc = cli_load_config(ctx);
	if (rc != VB_EXIT_OK)
		return rc;
	/* an unset ${VAR} in a namespace in use is shown, not refused: this is where one looks for it */
	struct vb_config r;
	struct vb_error err, refusal;
	vb_err_clear(&err);
	vb_err_clear(&refusal);
	if (config_resolve_to_show(ctx->cfg, ctx->namespace, ctx->backend, &r, &err) != VB_OK) {
		fprintf(ctx->err, "vbadmin: %s\n", err.message);
		if (err.hint[0])
			fprintf(ctx->err, "hint: %s\n", err.hint);
		return engine_exit_for_status(err.status);
	}
	const char *refused = config_unset_refusal(ctx->cfg, ctx->namespace, &refusal) != VB_OK ? refusal.message : NULL;
	if (json) {
		json_t *doc = show_json(ctx, ctx->cfg, &r);
		json_object_set_new(doc, "refused", refused_json(refused));
		cli_json_emit(ctx->out, doc);
	} else {
		show_text(ctx, ctx->cfg, &r);
		if (refused)
			fprintf(ctx->out, "\nrefused:\n  %s\n  %s\n", CONFIG_REFUSING_COMMANDS, refused);
	}
	return VB_EXIT_OK;
}
