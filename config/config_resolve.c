/* config/config_resolve.c - from a loaded agent.yml to the vb_config a command opens:
 * row namespace, backend name and connection settings. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../backends/vb_util.h"
#include "config_options.h"

/* The storage namespace's entry decides the backend; Datus's get_default_backend does the same
 * with backends.vector. */
static const struct config_db *storage_db(const struct config *cfg)
{
	return config_find_db(config_find_namespace(cfg, cfg->storage_namespace), cfg->storage_db);
}

const struct config_db *config_connection_db(const struct config *cfg, const char *ns)
{
	const struct config_db *db;
	if (cfg->storage_namespace)
		db = storage_db(cfg);
	else /* a --backend pgvector run without storage: the row namespace's own entry */
		db = config_find_db(config_find_namespace(cfg, ns), NULL);
	/* a sqlite/duckdb/... entry is a Datus data source, not a place for the knowledge base */
	return config_db_is_postgres(db) ? db : NULL;
}

const char *config_backend_source(const struct config *cfg, const char *backend_override)
{
	if (backend_override)
		return "--backend";
	if (cfg->vector_backend)
		return cfg->vector_backend_from_type ? "agent.storage.backends.vector.type" : "agent.storage.vector_backend";
	const struct config_db *db = storage_db(cfg);
	if (config_db_is_postgres(db))
		return strcmp(db->type, "postgres") == 0 ? "storage namespace type postgres"
		                                          : "storage namespace type postgresql";
	if (cfg->path)
		return "Datus's default: no PostgreSQL storage namespace, so LanceDB";
	return "default: no agent.yml, vbadmin's embedded store";
}

static int unknown_namespace(const struct config *cfg, const char *ns, struct vb_error *err)
{
	struct vb_buf b;
	vb_buf_init(&b);
	for (int i = 0; i < cfg->nnamespaces; i++)
		vb_buf_printf(&b, "%s%s", i ? ", " : "", cfg->namespaces[i].name);
	vb_err_set(err, VB_ERR_INVALID,
	           "namespace '%s' is not in %s; namespaces there: %s. Pass one of them with --namespace, or add "
	           "agent.namespace.%s to the file.",
	           ns, cfg->path, b.data, ns);
	vb_buf_free(&b);
	return VB_ERR_INVALID;
}

static const struct config_unset *first_unset(const struct config_namespace *n)
{
	for (int i = 0; n && i < n->ndbs; i++)
		if (n->dbs[i].nunset)
			return &n->dbs[i].unset[0];
	return NULL;
}

const struct config_unset *config_namespace_unset(const struct config *cfg, const char *ns, const char **ns_name)
{
	/* the row namespace, then the storage namespaces (vector, relational) */
	const char *used[] = {ns ? ns : cfg->storage_namespace, cfg->storage_namespace, cfg->storage_rel_namespace};
	for (int i = 0; i < 3; i++) {
		const struct config_unset *u = first_unset(config_find_namespace(cfg, used[i]));
		if (u) {
			if (ns_name)
				*ns_name = used[i];
			return u;
		}
	}
	return NULL;
}

static int resolve(const struct config *cfg, const char *ns, const char *backend_override, struct vb_config *out,
                   struct vb_error *err, int refuse_unset);

int config_names_backend(const char *name, const char *backend)
{
	if (!name)
		return 0;
	if (strcasecmp(name, backend) == 0)
		return 1;
#define VB_ALIAS(alias, target) if (strcasecmp(name, alias) == 0) return strcmp(target, backend) == 0;
#include "../backends/aliases.def"
#undef VB_ALIAS
	return 0;
}

int config_resolve(const struct config *cfg, const char *ns, const char *backend_override,
                   struct vb_config *out, struct vb_error *err)
{
	return resolve(cfg, ns, backend_override, out, err, 1);
}

int config_resolve_to_show(const struct config *cfg, const char *ns, const char *backend_override,
                           struct vb_config *out, struct vb_error *err)
{
	return resolve(cfg, ns, backend_override, out, err, 0);
}

int config_unset_refusal(const struct config *cfg, const char *ns, struct vb_error *err)
{
	const char *uns;
	const struct config_unset *u = config_namespace_unset(cfg, ns, &uns);
	if (!u)
		return VB_OK;
	return vb_err_set(err, VB_ERR_INVALID,
	                  "%s:%d: environment variable %s is not set%s (used by %s), and this command uses "
	                  "namespace '%s'. Export it (export %s=...), add it to ./.env, or write the value into the "
	                  "file%s.",
	                  cfg->path, u->line, u->var, cfg->env_file ? ", nor in ./.env" : "", u->field, uns, u->var,
	                  strstr(u->var, ":-") ? "; ${VAR:-default} is not supported (Datus has no such syntax)" : "");
}

static int resolve(const struct config *cfg, const char *ns, const char *backend_override, struct vb_config *out,
                   struct vb_error *err, int refuse_unset)
{
	*out = (struct vb_config){0};
	if (ns) {
		/* the name also becomes a file name (<data_dir>/<ns>.db), so the Datus rule is a must */
		if (!config_valid_name(ns))
			return vb_err_set(err, VB_ERR_INVALID,
			                  "Invalid namespace name '%s'. Only alphanumeric characters, underscores, and hyphens "
			                  "are allowed.",
			                  ns);
		/* with no namespaces configured (embedded default) any valid name is a fresh store */
		if (cfg->nnamespaces > 0 && !config_find_namespace(cfg, ns))
			return unknown_namespace(cfg, ns, err);
	}
	if (refuse_unset && config_unset_refusal(cfg, ns, err) != VB_OK)
		return VB_ERR_INVALID;
	if (backend_override && !*backend_override)
		return vb_err_set(err, VB_ERR_INVALID, "--backend needs a name, for example pgvector or embedded.");

	out->namespace = ns ? ns : cfg->storage_namespace ? cfg->storage_namespace : "default";
	if (backend_override)
		out->backend = backend_override;
	else if (cfg->vector_backend)
		out->backend = cfg->vector_backend;
	else if (config_db_is_postgres(storage_db(cfg)))
		out->backend = "pgvector";
	else /* Datus's own default is LanceDB; with no agent.yml at all, vbadmin's embedded store */
		out->backend = cfg->path ? "lancedb" : "embedded";

	const struct config_db *db = config_connection_db(cfg, out->namespace);
	if (db) {
		out->host = db->host;
		out->port = db->port;
		out->database = db->database ? db->database : "postgres";
		out->username = db->username;
		out->password = db->password;
		out->schema = db->schema;
		out->sslmode = db->sslmode;
		out->connect_timeout = db->timeout;
		out->options = db->options;
		int rc = config_options_check(db, cfg->path, err);
		if (rc != VB_OK)
			return rc;
		/* PostgreSQL cuts identifiers at 63 bytes, so a longer schema would be another schema and
		 * every table in it reported missing */
		if (db->schema && strlen(db->schema) > 63)
			return vb_err_set(err, VB_ERR_INVALID, "%s:%d: schema '%.20s...' is %zu bytes long; PostgreSQL names "
			                                       "are at most 63 bytes: shorten it",
			                  cfg->path ? cfg->path : "agent.yml", db->line, db->schema, strlen(db->schema));
	} else {
		out->schema = "public";
	}
	/* LanceDB stores live where Datus keeps them, not in vbadmin's own data dir */
	out->data_dir = config_names_backend(out->backend, "lancedb") ? cfg->lance_data_dir : cfg->data_dir;
	out->dim = cfg->dim;
	return VB_OK;
}
