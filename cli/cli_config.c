/* cli/cli_config.c - `vbadmin config show [--json]`: the configuration as vbadmin resolved it.
 * Secrets (password, api key) are printed only as "********" or "(unset)".
 * JSON shape (stable; docs/configuration.md):
 *   {"config_file": str|null, "config_source": str, "env_file": str|null, "namespace_key": str|null,
 *    "namespaces": [{"name", "line", "dbs": [{"name", "type", "uri", "host", "port", "database",
 *                    "username", "password", "schema", "sslmode", "timeout",
 *                    "enable_vector_search", "line"}]}],
 *    "storage": {"namespace", "db", "relational_namespace", "relational_db", "vector_backend"},
 *    "resolved": {"namespace", "backend", "backend_source", "host", "port", "database", "user",
 *                 "password", "schema", "sslmode", "connect_timeout", "data_dir", "dim"},
 *    "embedding": {"source", "embedder", "registry_name", "model", "dim", "batch_size",
 *                  "base_url", "api_key"},          (the semantic_model store, as older code reads it)
 *    "embeddings": [{"section", "tables": [str], "registry_name", "model_name", "dim_size",
 *                    "batch_size", "target_model", "endpoint_from", "endpoint": model|null,
 *                    "configured": bool, "shared_with", "source", "line"}],
 *    "target": str|null, "models": [{"name", "type", "base_url", "model", "api_key", "line",
 *                                    "unset": [{"field", "var", "line"}]}],
 *    "unknown_keys": [str], "unset_vars": [str],   (each db also has "unset": [...])
 *    "home": str, "data_dir": str, "data_dir_source": str, "warnings": [str]} */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_config_stores.h"
#include "../config/config.h"
#include "../backends/vb_util.h"

#define MASK(s) ((s) && *(s) ? "********" : "(unset)")

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* A uri with its password (the part between ':' and '@' after "://") masked. */
static char *uri_masked(const char *uri)
{
	if (!uri)
		return NULL;
	const char *sep = strstr(uri, "://");
	const char *auth = sep ? sep + 3 : NULL;
	const char *end = auth ? auth + strcspn(auth, "/?#") : NULL;
	const char *at = NULL, *colon = NULL;
	for (const char *p = auth; p && p < end; p++)
		if (*p == '@')
			at = p;
	for (const char *p = auth; at && p < at; p++)
		if (*p == ':') {
			colon = p;
			break;
		}
	if (!colon)
		return vb_xstrdup(uri);
	return vb_xasprintf("%.*s********%s", (int)(colon + 1 - uri), uri, at);
}

static void show_text(struct cli_ctx *ctx, const struct config *c, const struct vb_config *r)
{
	FILE *o = ctx->out;
	if (c->path)
		fprintf(o, "config file:   %s (found via %s)\n", c->path, c->path_source);
	else
		fprintf(o, "config file:   none: embedded default\n");
	if (c->env_file)
		fprintf(o, "env file:      ./%s (fills ${VAR} not set in the environment)\n", c->env_file);
	fprintf(o, "home:          %s\n", c->home);
	fprintf(o, "data dir:      %s (from %s)\n", c->data_dir, c->data_dir_source);

	fprintf(o, "\nnamespaces%s%s%s:%s\n", c->namespace_key ? " (under agent." : "",
	        c->namespace_key ? c->namespace_key : "", c->namespace_key ? ")" : "", c->nnamespaces ? "" : " none");
	for (int i = 0; i < c->nnamespaces; i++) {
		const struct config_namespace *ns = &c->namespaces[i];
		fprintf(o, "  %s (line %d)\n", ns->name, ns->line);
		for (int j = 0; j < ns->ndbs; j++) {
			const struct config_db *d = &ns->dbs[j];
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
	}

	fprintf(o, "\nstorage:\n");
	fprintf(o, "  namespace:     %s\n", c->storage_namespace ? c->storage_namespace : "(none: embedded store)");
	fprintf(o, "  db:            %s\n", c->storage_db ? c->storage_db : "(first entry)");
	if (c->storage_rel_namespace)
		fprintf(o, "  relational:    %s%s%s\n", c->storage_rel_namespace, c->storage_rel_db ? " / " : "",
		        c->storage_rel_db ? c->storage_rel_db : "");
	fprintf(o, "  backend:       %s (%s)\n", r->backend, config_backend_source(c, ctx->backend));

	fprintf(o, "\nresolved connection:\n");
	fprintf(o, "  namespace:     %s\n", r->namespace);
	if (r->host) {
		fprintf(o, "  host:          %s\n", r->host);
		fprintf(o, "  port:          %d\n", r->port);
		fprintf(o, "  database:      %s\n", r->database);
		fprintf(o, "  user:          %s\n", or_dash(r->username));
		fprintf(o, "  password:      %s\n", MASK(r->password));
		fprintf(o, "  schema:        %s\n", r->schema);
		fprintf(o, "  sslmode:       %s\n", r->sslmode);
		fprintf(o, "  timeout:       %ds\n", r->connect_timeout);
		if (r->options)
			fprintf(o, "  options:       %s\n", r->options);
	} else {
		fprintf(o, "  (no database entry: the embedded store in %s)\n", r->data_dir);
	}

	fprintf(o, "\nembedding (from %s):\n", c->embed_source);
	fprintf(o, "  embedder:      %s\n", c->embedder);
	fprintf(o, "  model:         %s\n", or_dash(c->embed_model));
	fprintf(o, "  dim:           %d\n", c->dim);
	fprintf(o, "  batch size:    %d\n", c->embed_batch_size);
	if (strcmp(c->embedder, "openai") == 0) {
		fprintf(o, "  base url:      %s\n", or_dash(c->embed_base_url));
		fprintf(o, "  api key:       %s\n", MASK(c->embed_api_key));
	}
	cli_config_stores_text(o, c);
	if (c->nwarnings) {
		fprintf(o, "\nwarnings:\n");
		for (int i = 0; i < c->nwarnings; i++)
			fprintf(o, "  %s\n", c->warnings[i]);
	}
}

static void jkey(struct vb_buf *b, const char *k)
{
	vb_buf_json_str(b, k);
	vb_buf_addc(b, ':');
}

static void jstr(struct vb_buf *b, const char *k, const char *v, int comma)
{
	jkey(b, k);
	vb_buf_json_str(b, v);
	if (comma)
		vb_buf_addc(b, ',');
}

static void jint(struct vb_buf *b, const char *k, int v, int comma)
{
	jkey(b, k);
	vb_buf_printf(b, "%d%s", v, comma ? "," : "");
}

static char *show_json(struct cli_ctx *ctx, const struct config *c, const struct vb_config *r)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_addc(&b, '{');
	jstr(&b, "config_file", c->path, 1);
	jstr(&b, "config_source", c->path_source ? c->path_source : "none", 1);
	jstr(&b, "env_file", c->env_file, 1);
	jstr(&b, "namespace_key", c->namespace_key, 1);
	jkey(&b, "namespaces");
	vb_buf_addc(&b, '[');
	for (int i = 0; i < c->nnamespaces; i++) {
		const struct config_namespace *ns = &c->namespaces[i];
		vb_buf_add(&b, i ? ",{" : "{");
		jstr(&b, "name", ns->name, 1);
		jint(&b, "line", ns->line, 1);
		jkey(&b, "dbs");
		vb_buf_addc(&b, '[');
		for (int j = 0; j < ns->ndbs; j++) {
			const struct config_db *d = &ns->dbs[j];
			vb_buf_add(&b, j ? ",{" : "{");
			jstr(&b, "name", d->logic_name, 1);
			jstr(&b, "type", d->type, 1);
			jstr(&b, "host", d->host, 1);
			jint(&b, "port", d->port, 1);
			int pg = config_db_is_postgres(d);
			char *u = uri_masked(d->uri);
			jstr(&b, "uri", u, 1);
			free(u);
			jstr(&b, "database", d->database ? d->database : pg ? "postgres" : NULL, 1);
			jstr(&b, "username", d->username, 1);
			jstr(&b, "password", MASK(d->password), 1);
			jstr(&b, "schema", d->schema, 1);
			jstr(&b, "sslmode", d->sslmode, 1);
			jint(&b, "timeout", d->timeout, 1);
			jkey(&b, "enable_vector_search");
			vb_buf_add(&b, d->enable_vector_search ? "true," : "false,");
			jint(&b, "line", d->line, 1);
			jkey(&b, "unset");
			cli_config_unset_json(&b, d->unset, d->nunset);
			vb_buf_addc(&b, '}');
		}
		vb_buf_add(&b, "]}");
	}
	vb_buf_add(&b, "],");
	jkey(&b, "storage");
	vb_buf_addc(&b, '{');
	jstr(&b, "namespace", c->storage_namespace, 1);
	jstr(&b, "db", c->storage_db, 1);
	jstr(&b, "relational_namespace", c->storage_rel_namespace, 1);
	jstr(&b, "relational_db", c->storage_rel_db, 1);
	jstr(&b, "vector_backend", c->vector_backend, 0);
	vb_buf_add(&b, "},");
	jkey(&b, "resolved");
	vb_buf_addc(&b, '{');
	jstr(&b, "namespace", r->namespace, 1);
	jstr(&b, "backend", r->backend, 1);
	jstr(&b, "backend_source", config_backend_source(c, ctx->backend), 1);
	jstr(&b, "host", r->host, 1);
	if (r->host)
		jint(&b, "port", r->port, 1);
	else
		vb_buf_add(&b, "\"port\":null,");
	jstr(&b, "database", r->database, 1);
	jstr(&b, "user", r->username, 1);
	jstr(&b, "password", MASK(r->password), 1);
	jstr(&b, "schema", r->schema, 1);
	jstr(&b, "sslmode", r->sslmode, 1);
	jint(&b, "connect_timeout", r->connect_timeout, 1);
	jstr(&b, "data_dir", r->data_dir, 1);
	jint(&b, "dim", r->dim, 0);
	vb_buf_add(&b, "},");
	jkey(&b, "embedding");
	vb_buf_addc(&b, '{');
	jstr(&b, "source", c->embed_source, 1);
	jstr(&b, "embedder", c->embedder, 1);
	jstr(&b, "registry_name", c->embed_registry, 1);
	jstr(&b, "model", c->embed_model, 1);
	jint(&b, "dim", c->dim, 1);
	jint(&b, "batch_size", c->embed_batch_size, 1);
	jstr(&b, "base_url", c->embed_base_url, 1);
	jstr(&b, "api_key", MASK(c->embed_api_key), 0);
	vb_buf_add(&b, "},");
	cli_config_stores_json(&b, c);
	jstr(&b, "home", c->home, 1);
	jstr(&b, "data_dir", c->data_dir, 1);
	jstr(&b, "data_dir_source", c->data_dir_source, 1);
	jkey(&b, "warnings");
	vb_buf_addc(&b, '[');
	for (int i = 0; i < c->nwarnings; i++) {
		if (i)
			vb_buf_addc(&b, ',');
		vb_buf_json_str(&b, c->warnings[i]);
	}
	vb_buf_add(&b, "]}\n");
	return vb_buf_steal(&b);
}

int cli_config(struct cli_ctx *ctx, int argc, char **argv)
{
	int json = 0;
	if (argc < 2 || strcmp(argv[1], "show") != 0)
		return cli_usage_error(ctx, "config", "config needs a subcommand: show");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return cli_usage_error(ctx, "config", "config show: unknown argument '%s'", argv[i]);
	}
	struct vb_config r;
	int rc = cli_resolve(ctx, NULL, &r);
	if (rc != VB_EXIT_OK)
		return rc;
	if (json) {
		char *s = show_json(ctx, ctx->cfg, &r);
		fputs(s, ctx->out);
		free(s);
	} else {
		show_text(ctx, ctx->cfg, &r);
	}
	return VB_EXIT_OK;
}
