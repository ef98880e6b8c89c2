/* config/config.c - Datus agent.yml: discovery, parsing into struct config, validation, free.
 * Resolution (which backend, which connection) is in config_resolve.c. */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../backends/vb_util.h"
#include "config_endpoints.h"
#include "config_env.h"
#include "config_internal.h"
#include "config_uri.h"

static const struct {
	const char *name;
	int is_postgres;
} db_types[] = {
#define CONFIG_DB_TYPE(name, pg) {name, pg},
#include "config_types.def"
#undef CONFIG_DB_TYPE
};
#define N_DB_TYPES (sizeof db_types / sizeof db_types[0])

static const char *const sslmodes[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};

#define NS_KEYS_N 3
static const char *const ns_keys[NS_KEYS_N] = {"namespace", "datasource", "datasources"};

const char *config_db_types(void)
{
	static char list[256];
	if (!list[0]) {
		size_t off = 0;
		for (size_t i = 0; i < N_DB_TYPES; i++)
			off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", db_types[i].name);
	}
	return list;
}

int config_valid_name(const char *name)
{
	if (!name || !*name)
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

int config_db_is_postgres(const struct config_db *db)
{
	if (!db || !db->type)
		return 0;
	for (size_t i = 0; i < N_DB_TYPES; i++)
		if (strcmp(db->type, db_types[i].name) == 0)
			return db_types[i].is_postgres;
	return 0;
}

const struct config_namespace *config_find_namespace(const struct config *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	for (int i = 0; i < cfg->nnamespaces; i++)
		if (strcmp(cfg->namespaces[i].name, name) == 0)
			return &cfg->namespaces[i];
	return NULL;
}

const struct config_db *config_find_db(const struct config_namespace *ns, const char *db)
{
	if (!ns || ns->ndbs == 0)
		return NULL;
	if (!db || !*db)
		return &ns->dbs[0];
	for (int i = 0; i < ns->ndbs; i++)
		if (strcmp(ns->dbs[i].logic_name, db) == 0)
			return &ns->dbs[i];
	return NULL;
}

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return h;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : "/";
}

/* "~" and "~/x" => $HOME based; anything else is kept. */
static char *expand_tilde(const char *p)
{
	if (p[0] == '~' && (p[1] == '\0' || p[1] == '/'))
		return vb_xasprintf("%s%s", home_dir(), p + 1);
	return vb_xstrdup(p);
}

/* ---- parsing --------------------------------------------------------------------------- */

/* Replaces *dst with a substituted string field of node (or of parent when node lacks it).
 * Empty strings count as absent so defaults apply, like Datus's `host or "127.0.0.1"`. */
static int read_str(struct loader *L, yaml_node_t *node, yaml_node_t *parent, const char *key,
                    const char *prefix, char **dst, int keep_empty)
{
	yaml_node_t *v = config_map_get(&L->src, node, key);
	if (!v && parent)
		v = config_map_get(&L->src, parent, key);
	if (!v)
		return VB_OK;
	char *where = vb_xasprintf("%s.%s", prefix, key);
	char *s;
	int rc = config_str(&L->src, v, where, &s, L->err);
	free(where);
	if (rc != VB_OK)
		return rc;
	if (!s || (!*s && !keep_empty)) {
		free(s);
		return VB_OK;
	}
	free(*dst);
	*dst = s;
	return VB_OK;
}

static yaml_node_t *get2(struct loader *L, yaml_node_t *node, yaml_node_t *parent, const char *key)
{
	yaml_node_t *v = config_map_get(&L->src, node, key);
	return v || !parent ? v : config_map_get(&L->src, parent, key);
}

static int check_type(struct loader *L, yaml_node_t *tnode, const char *prefix, struct config_db *db)
{
	for (char *p = db->type; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < N_DB_TYPES; i++)
		if (strcmp(db->type, db_types[i].name) == 0)
			return VB_OK;
	return config_err_at(&L->src, tnode, L->err, "unknown database type '%s' in %s.type; accepted: %s.",
	                     db->type, prefix, config_db_types());
}

/* One database entry: node's own keys, falling back to parent's (a `dbs:` list inherits the
 * namespace's fields). */
static int parse_db_fields(struct loader *L, yaml_node_t *node, yaml_node_t *parent, const char *prefix,
                           const char *logic_name, struct config_db *db);

/* Datus resolves a namespace's ${VAR} only when it is used: an unset one is recorded in the
 * entry and warned about; config_resolve() refuses it for the namespaces a command uses. */
static int parse_db(struct loader *L, yaml_node_t *node, yaml_node_t *parent, const char *prefix,
                    const char *logic_name, struct config_db *db, const char *ns_name)
{
	char *scope = vb_xasprintf("only commands that use namespace '%s' need it", ns_name);
	L->src.on_unset = config_ignore_unset;
	int rc = parse_db_fields(L, node, parent, prefix, logic_name, db);
	L->src.on_unset = NULL;
	if (rc == VB_OK) {
		/* every field Datus substitutes, read by vbadmin or not (account, warehouse, ...) */
		L->unset = &db->unset;
		L->nunset = &db->nunset;
		L->unset_scope = scope;
		config_scan_unset(L, node, prefix, NULL);
		if (parent) /* a dbs: item inherits the namespace's own fields */
			config_scan_unset(L, parent, prefix, node);
		L->unset = NULL;
		L->nunset = NULL;
		L->unset_scope = NULL;
	}
	free(scope);
	return rc;
}

/* Set before the reads, so a field agent.yml leaves out keeps its default and one it gives replaces it. */
static void db_defaults(struct config_db *db, yaml_node_t *node, const char *logic_name)
{
	db->host = vb_xstrdup("127.0.0.1");
	db->port = 5432;
	db->schema = vb_xstrdup("public");
	db->sslmode = vb_xstrdup("prefer");
	db->timeout = 30;
	db->enable_vector_search = 1;
	db->line = (int)node->start_mark.line + 1;
	db->logic_name = vb_xstrdup(logic_name);
}

static int db_type(struct loader *L, yaml_node_t *node, yaml_node_t *parent, const char *prefix,
                   struct config_db *db)
{
	int rc;
	yaml_node_t *tnode = get2(L, node, parent, "type");
	if ((rc = read_str(L, node, parent, "type", prefix, &db->type, 0)) != VB_OK)
		return rc;
	/* `type: ${VAR}` with VAR unset: Datus resolves it only when the namespace is used, so keep the
	 * text (config_scan_unset records it and config_resolve refuses the namespace) */
	int type_unset = !db->type && tnode && strstr(config_scalar(tnode) ? config_scalar(tnode) : "", "${");
	if (type_unset)
		db->type = vb_xstrdup(config_scalar(tnode));
	if (!db->type)
		return config_err_at(&L->src, tnode ? tnode : node, L->err,
		                     "%s has no 'type'; add a line like 'type: postgresql' (accepted: %s).", prefix,
		                     config_db_types());
	if (!type_unset && (rc = check_type(L, tnode, prefix, db)) != VB_OK)
		return rc;
	return VB_OK;
}

static int db_texts(struct loader *L, yaml_node_t *node, yaml_node_t *parent, const char *prefix,
                    struct config_db *db)
{
	int rc;
	if ((rc = read_str(L, node, parent, "uri", prefix, &db->uri, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "host", prefix, &db->host, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "database", prefix, &db->database, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "username", prefix, &db->username, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "password", prefix, &db->password, 1)) != VB_OK ||
	    (rc = read_str(L, node, parent, "schema_name", prefix, &db->schema, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "schema", prefix, &db->schema, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "sslmode", prefix, &db->sslmode, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "options", prefix, &db->options, 0)) != VB_OK)
		return rc;
	/* the table context Datus gives semantic rows: DbConfig's fields as written, no defaults */
	if ((rc = read_str(L, node, parent, "catalog", prefix, &db->ctx_catalog, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "database", prefix, &db->ctx_database, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "schema", prefix, &db->ctx_schema, 0)) != VB_OK ||
	    (rc = read_str(L, node, parent, "path_pattern", prefix, &db->path_pattern, 0)) != VB_OK)
		return rc;
	return VB_OK;
}

static int db_numbers(struct loader *L, yaml_node_t *node, yaml_node_t *parent, const char *prefix,
                      struct config_db *db)
{
	char *where = vb_xasprintf("%s.port", prefix);
	int rc = config_int(&L->src, get2(L, node, parent, "port"), where, 1, 65535,
	                    "use a whole number 1..65535 (PostgreSQL listens on 5432 by default)", &db->port, L->err);
	free(where);
	if (rc != VB_OK)
		return rc;
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "timeout" : "timeout_seconds";
		where = vb_xasprintf("%s.%s", prefix, key);
		rc = config_int(&L->src, get2(L, node, parent, key), where, 0, 86400,
		                "use whole seconds (0 waits forever)", &db->timeout, L->err);
		free(where);
		if (rc != VB_OK)
			return rc;
	}
	where = vb_xasprintf("%s.enable_vector_search", prefix);
	rc = config_bool(&L->src, get2(L, node, parent, "enable_vector_search"), where, &db->enable_vector_search,
	                 L->err);
	free(where);
	return rc;
}

/* A uri overrides the separate fields, and libpq would refuse an unknown sslmode only at connect
 * time: both are settled here so the error names the agent.yml line. */
static int db_postgres(struct loader *L, yaml_node_t *node, yaml_node_t *parent, const char *prefix,
                       struct config_db *db)
{
	int rc;
	if (db->uri && (rc = config_uri_apply(db->uri, db, prefix, L->err)) != VB_OK) {
		yaml_node_t *u = get2(L, node, parent, "uri");
		char msg[sizeof L->err->message];
		snprintf(msg, sizeof msg, "%s", L->err->message);
		return config_err_at(&L->src, u, L->err, "%s", msg);
	}
	int ok = 0;
	for (size_t i = 0; i < sizeof sslmodes / sizeof sslmodes[0]; i++)
		ok |= strcmp(db->sslmode, sslmodes[i]) == 0;
	if (!ok)
		return config_err_at(&L->src, get2(L, node, parent, "sslmode"), L->err,
		                     "%s.sslmode '%s' is not a libpq sslmode; use one of disable, allow, prefer, "
		                     "require, verify-ca, verify-full.",
		                     prefix, db->sslmode);
	return VB_OK;
}

static int parse_db_fields(struct loader *L, yaml_node_t *node, yaml_node_t *parent, const char *prefix,
                           const char *logic_name, struct config_db *db)
{
	int rc;
	db_defaults(db, node, logic_name);
	if ((rc = db_type(L, node, parent, prefix, db)) != VB_OK || (rc = db_texts(L, node, parent, prefix, db)) != VB_OK ||
	    (rc = db_numbers(L, node, parent, prefix, db)) != VB_OK)
		return rc;
	if (config_db_is_postgres(db) && (rc = db_postgres(L, node, parent, prefix, db)) != VB_OK)
		return rc;
	config_check_keys(L, node, prefix, CONFIG_KEYS_DB, NULL);
	return VB_OK;
}

static struct config_db *ns_add_db(struct config_namespace *ns)
{
	ns->dbs = vb_xrealloc(ns->dbs, (size_t)(ns->ndbs + 1) * sizeof *ns->dbs);
	struct config_db *db = &ns->dbs[ns->ndbs++];
	memset(db, 0, sizeof *db);
	return db;
}

static int check_dup_db(struct loader *L, struct config_namespace *ns, yaml_node_t *at, const char *name)
{
	for (int i = 0; i < ns->ndbs; i++)
		if (strcmp(ns->dbs[i].logic_name, name) == 0)
			return config_err_at(&L->src, at, L->err,
			                     "database '%s' appears twice in namespace '%s' (also at line %d); rename one.",
			                     name, ns->name, ns->dbs[i].line);
	return VB_OK;
}

/* A `dbs:` list: each item a mapping with `name`, inheriting the namespace's fields. */
static int parse_dbs_list(struct loader *L, struct config_namespace *ns, yaml_node_t *nsnode, yaml_node_t *dbs,
                          const char *prefix)
{
	if (dbs->type != YAML_SEQUENCE_NODE)
		return config_err_at(&L->src, dbs, L->err,
		                     "%s.dbs must be a list of entries ('- name: ...'), found %s.", prefix,
		                     config_kind_name(dbs));
	config_check_keys(L, nsnode, prefix, CONFIG_KEYS_DB, NULL); /* the fields the entries inherit */
	int n = config_seq_len(dbs);
	for (int i = 0; i < n; i++) {
		yaml_node_t *item = config_seq_item(&L->src, dbs, i);
		if (item->type != YAML_MAPPING_NODE)
			return config_err_at(&L->src, item, L->err,
			                     "%s.dbs[%d] must be a mapping with 'name' and connection fields, found %s.", prefix,
			                     i, config_kind_name(item));
		char *name = NULL;
		char *where = vb_xasprintf("%s.dbs[%d]", prefix, i);
		int rc = read_str(L, item, NULL, "name", where, &name, 0);
		if (rc == VB_OK && !name)
			rc = config_err_at(&L->src, item, L->err, "%s has no 'name'; give every entry of dbs a name.", where);
		if (rc == VB_OK)
			rc = check_dup_db(L, ns, item, name);
		if (rc == VB_OK) {
			char *p = vb_xasprintf("%s.dbs[%s]", prefix, name);
			rc = parse_db(L, item, nsnode, p, name, ns_add_db(ns), ns->name);
			free(p);
		}
		free(where);
		free(name);
		if (rc != VB_OK)
			return rc;
	}
	return VB_OK;
}

/* A namespace that is one entry: its logical name is its own `name:` or else the namespace's. */
static int parse_single_db(struct loader *L, struct config_namespace *ns, yaml_node_t *v, const char *prefix)
{
	char *logic = NULL;
	int rc = read_str(L, v, NULL, "name", prefix, &logic, 0);
	if (rc == VB_OK)
		rc = parse_db(L, v, NULL, prefix, logic ? logic : ns->name, ns_add_db(ns), ns->name);
	free(logic);
	return rc;
}

/* No type: several named entries, each a mapping of its own.  Anything else (a scalar value, a
 * `<<` merge key) is read as one entry whose type is missing, and the error says both ways out. */
static int parse_named_entries(struct loader *L, struct config_namespace *ns, yaml_node_t *v, const char *prefix)
{
	int n = config_map_len(v);
	int all_maps = n > 0;
	for (int i = 0; i < n; i++)
		all_maps &= config_map_value(&L->src, v, i)->type == YAML_MAPPING_NODE &&
		            !(config_scalar(config_map_key(&L->src, v, i)) &&
		              strcmp(config_scalar(config_map_key(&L->src, v, i)), "<<") == 0);
	if (!all_maps)
		return config_err_at(&L->src, v, L->err,
		                     "%s has no 'type'; add a line like 'type: postgresql' (accepted: %s), or list "
		                     "several named entries each with its own type.",
		                     prefix, config_db_types());
	int rc = VB_OK;
	for (int i = 0; rc == VB_OK && i < n; i++) {
		yaml_node_t *k = config_map_key(&L->src, v, i);
		const char *logic = config_scalar(k);
		if (!logic || !*logic)
			return config_err_at(&L->src, k, L->err, "%s has an entry without a plain name.", prefix);
		if ((rc = check_dup_db(L, ns, k, logic)) != VB_OK)
			break;
		char *p = vb_xasprintf("%s.%s", prefix, logic);
		rc = parse_db(L, config_map_value(&L->src, v, i), NULL, p, logic, ns_add_db(ns), ns->name);
		free(p);
	}
	return rc;
}

static int parse_namespace(struct loader *L, const char *key, yaml_node_t *knode, yaml_node_t *v)
{
	struct config *c = L->c;
	const char *name = config_scalar(knode);
	if (!name || config_is_null(knode))
		return config_err_at(&L->src, knode, L->err, "agent.%s has a key that is not a plain name.", key);
	if (!config_valid_name(name))
		return config_err_at(&L->src, knode, L->err,
		                     "Invalid namespace name '%s'. Only alphanumeric characters, underscores, and hyphens "
		                     "are allowed.",
		                     name);
	const struct config_namespace *dup = config_find_namespace(c, name);
	if (dup)
		return config_err_at(&L->src, knode, L->err,
		                     "namespace '%s' is defined twice (also at line %d); keep one of them.", name, dup->line);
	char *prefix = vb_xasprintf("agent.%s.%s", key, name);
	int rc = VB_OK;
	if (config_is_null(v) || v->type != YAML_MAPPING_NODE) {
		rc = config_err_at(&L->src, v, L->err,
		                   "%s must be a mapping with 'type:' and connection fields, found %s.", prefix,
		                   config_kind_name(v));
		free(prefix);
		return rc;
	}
	c->namespaces = vb_xrealloc(c->namespaces, (size_t)(c->nnamespaces + 1) * sizeof *c->namespaces);
	struct config_namespace *ns = &c->namespaces[c->nnamespaces++];
	memset(ns, 0, sizeof *ns);
	ns->name = vb_xstrdup(name);
	ns->line = (int)knode->start_mark.line + 1;

	yaml_node_t *dbs = config_map_get(&L->src, v, "dbs");
	if (!config_map_get(&L->src, v, "type"))
		rc = parse_named_entries(L, ns, v, prefix);
	else if (dbs && !config_is_null(dbs))
		rc = parse_dbs_list(L, ns, v, dbs, prefix);
	else
		rc = parse_single_db(L, ns, v, prefix);
	free(prefix);
	return rc;
}

static int parse_namespaces(struct loader *L, yaml_node_t *agent)
{
	struct vb_buf keys;
	vb_buf_init(&keys);
	int rc = VB_OK;
	for (int k = 0; rc == VB_OK && k < NS_KEYS_N; k++) {
		yaml_node_t *m = config_map_get(&L->src, agent, ns_keys[k]);
		if (!m)
			continue;
		char *where = vb_xasprintf("agent.%s", ns_keys[k]);
		rc = config_want_map(&L->src, m, where, "write one 'name:' block per namespace", L->err);
		free(where);
		int n = config_map_len(m);
		for (int i = 0; rc == VB_OK && i < n; i++)
			rc = parse_namespace(L, ns_keys[k], config_map_key(&L->src, m, i), config_map_value(&L->src, m, i));
		if (n > 0)
			vb_buf_printf(&keys, "%s%s", keys.len ? ", " : "", ns_keys[k]);
	}
	if (keys.len)
		L->c->namespace_key = vb_buf_steal(&keys);
	vb_buf_free(&keys);
	return rc;
}

static char *namespace_list(const struct config *c)
{
	struct vb_buf b;
	vb_buf_init(&b);
	for (int i = 0; i < c->nnamespaces; i++)
		vb_buf_printf(&b, "%s%s", i ? ", " : "", c->namespaces[i].name);
	if (!b.len)
		vb_buf_add(&b, "(none)");
	return vb_buf_steal(&b);
}

/* Datus resolve_storage_db_config checks, for one kind ("vector" / "relational"). */
static int check_storage_ref(struct loader *L, const char *kind, const char *ns, yaml_node_t *ns_node,
                             const char *db, yaml_node_t *db_node)
{
	(void)kind;
	if (!ns)
		return VB_OK;
	const struct config_namespace *n = config_find_namespace(L->c, ns);
	if (!n) {
		char *list = namespace_list(L->c);
		int rc = config_err_at(&L->src, ns_node, L->err,
		                       "Storage backend namespace '%s' not found in configuration. Namespaces defined: %s. "
		                       "Fix agent.storage.backends or add agent.namespace.%s.",
		                       ns, list, ns);
		free(list);
		return rc;
	}
	if (n->ndbs == 0)
		return config_err_at(&L->src, ns_node, L->err,
		                     "No databases configured under namespace '%s'. Add an entry with type and host.", ns);
	if (db && *db && !config_find_db(n, db)) {
		struct vb_buf b;
		vb_buf_init(&b);
		for (int i = 0; i < n->ndbs; i++)
			vb_buf_printf(&b, "%s%s", i ? ", " : "", n->dbs[i].logic_name);
		int rc = config_err_at(&L->src, db_node, L->err,
		                       "Database '%s' not found in namespace '%s'. Entries there: %s.", db, ns, b.data);
		vb_buf_free(&b);
		return rc;
	}
	return VB_OK;
}

/* One kind of agent.storage.backends: the kind's own map wins over the shared keys. */
static int parse_backend_kind(struct loader *L, yaml_node_t *backends, const char *kind, char **ns, char **db,
                              char **type)
{
	yaml_node_t *k = config_map_get(&L->src, backends, kind);
	char *where = vb_xasprintf("agent.storage.backends.%s", kind);
	int rc = config_want_map(&L->src, k, where, "write namespace: and db: under it", L->err);
	if (rc == VB_OK)
		rc = read_str(L, backends, NULL, "namespace", "agent.storage.backends", ns, 0);
	if (rc == VB_OK)
		rc = read_str(L, backends, NULL, "db", "agent.storage.backends", db, 0);
	if (rc == VB_OK && k && k->type == YAML_MAPPING_NODE) {
		rc = read_str(L, k, NULL, "namespace", where, ns, 0);
		if (rc == VB_OK)
			rc = read_str(L, k, NULL, "db", where, db, 0);
		if (rc == VB_OK && type)
			rc = read_str(L, k, NULL, "type", where, type, 0);
	}
	yaml_node_t *ns_node = NULL, *db_node = NULL;
	if (rc == VB_OK) {
		ns_node = k ? config_map_get(&L->src, k, "namespace") : NULL;
		if (!ns_node || config_is_null(ns_node))
			ns_node = config_map_get(&L->src, backends, "namespace");
		db_node = k ? config_map_get(&L->src, k, "db") : NULL;
		if (!db_node || config_is_null(db_node))
			db_node = config_map_get(&L->src, backends, "db");
		rc = check_storage_ref(L, kind, *ns, ns_node, *db, db_node);
	}
	free(where);
	return rc;
}

static int parse_storage(struct loader *L, yaml_node_t *agent)
{
	struct config *c = L->c;
	yaml_node_t *st = config_map_get(&L->src, agent, "storage");
	int rc = config_want_map(&L->src, st, "agent.storage", "write backends:, vector_backend: and the embedding "
	                         "settings under it", L->err);
	if (rc != VB_OK || !st || config_is_null(st))
		return rc;
	if ((rc = read_str(L, st, NULL, "vector_backend", "agent.storage", &c->vector_backend, 0)) != VB_OK)
		return rc;
	if (c->vector_backend && !config_valid_name(c->vector_backend))
		return config_err_at(&L->src, config_map_get(&L->src, st, "vector_backend"), L->err,
		                     "agent.storage.vector_backend '%s' is not a backend name; use letters, digits, '_' "
		                     "or '-' (for example pgvector or embedded).",
		                     c->vector_backend);
	yaml_node_t *b = config_map_get(&L->src, st, "backends");
	rc = config_want_map(&L->src, b, "agent.storage.backends", "write namespace: (and optionally db:) under it",
	                     L->err);
	if (rc == VB_OK && b && b->type == YAML_MAPPING_NODE) {
		char *vtype = NULL;
		rc = parse_backend_kind(L, b, "vector", &c->storage_namespace, &c->storage_db, &vtype);
		if (rc == VB_OK)
			rc = parse_backend_kind(L, b, "relational", &c->storage_rel_namespace, &c->storage_rel_db, NULL);
		/* the newer Datus layout names the vector store type here (lance, pgvector) */
		if (rc == VB_OK && vtype && !c->vector_backend) {
			if (!config_valid_name(vtype)) {
				yaml_node_t *vk = config_map_get(&L->src, b, "vector");
				rc = config_err_at(&L->src, config_map_get(&L->src, vk, "type"), L->err,
				                   "agent.storage.backends.vector.type '%s' is not a backend name.", vtype);
			} else {
				c->vector_backend = vtype;
				c->vector_backend_from_type = 1;
				vtype = NULL;
			}
		}
		free(vtype);
	}
	if (rc == VB_OK) {
		config_check_keys(L, st, "agent.storage", CONFIG_KEYS_STORAGE, NULL);
		config_check_keys(L, b, "agent.storage.backends", CONFIG_KEYS_BACKENDS, NULL);
		static const char *const kinds[] = {"vector", "relational"};
		for (int i = 0; i < 2; i++) {
			char *w = vb_xasprintf("agent.storage.backends.%s", kinds[i]);
			config_check_keys(L, config_map_get(&L->src, b, kinds[i]), w, CONFIG_KEYS_BACKEND_KIND, NULL);
			free(w);
		}
		rc = config_parse_embeddings(L, st);
	}
	return rc;
}

static int parse_file(struct loader *L)
{
	struct config *c = L->c;
	yaml_node_t *root = config_root(&L->src);
	if (config_is_null(root))
		return VB_OK; /* an empty file is an empty config */
	if (root->type != YAML_MAPPING_NODE)
		return config_err_at(&L->src, root, L->err,
		                     "the file must be a mapping with a top-level 'agent:' key, found %s.",
		                     config_kind_name(root));
	yaml_node_t *agent = config_map_get(&L->src, root, "agent");
	if (!agent)
		return config_err_at(&L->src, root, L->err,
		                     "no top-level 'agent:' key; a Datus agent.yml keeps namespace:, storage: and home: "
		                     "under 'agent:'.");
	int rc = config_want_map(&L->src, agent, "agent", "indent namespace:, storage: and home: under it", L->err);
	if (rc != VB_OK || config_is_null(agent))
		return rc;
	char *home = NULL;
	if ((rc = read_str(L, agent, NULL, "home", "agent", &home, 0)) != VB_OK)
		return rc;
	if (home) {
		free(c->home);
		c->home = expand_tilde(home);
		free(home);
	}
	yaml_node_t *vb = config_map_get(&L->src, agent, "vbadmin");
	if ((rc = config_want_map(&L->src, vb, "agent.vbadmin", "write data_dir: under it", L->err)) != VB_OK)
		return rc;
	if ((rc = config_endpoints_parse(&L->src, vb, c, L->err)) != VB_OK)
		return rc;
	char *dd = NULL;
	if ((rc = read_str(L, vb, NULL, "data_dir", "agent.vbadmin", &dd, 0)) != VB_OK)
		return rc;
	if (dd) {
		free(c->data_dir);
		c->data_dir = expand_tilde(dd);
		free(dd);
		free(c->data_dir_source);
		c->data_dir_source = vb_xstrdup("agent.vbadmin.data_dir");
	}
	config_check_keys(L, agent, "agent", CONFIG_KEYS_AGENT, NULL);
	config_check_keys(L, vb, "agent.vbadmin", CONFIG_KEYS_VBADMIN, NULL);
	if ((rc = parse_namespaces(L, agent)) != VB_OK)
		return rc;
	if ((rc = config_parse_models(L, agent)) != VB_OK)
		return rc;
	return parse_storage(L, agent);
}

/* The dim of the resolved store (vb_config.dim): the semantic_model store's, the store
 * bootstrap-kb fills first; without a section of its own, Datus's default 384. */
static void derive_dim(struct config *c)
{
	const struct config_embedding *e = &c->embeddings[CONFIG_EMB_SEMANTIC_MODEL];
	if (e->configured)
		c->dim = e->dim_size;
}

/* ---- discovery and defaults ------------------------------------------------------------ */

static int file_usable(const char *path, const char *how, struct vb_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return vb_err_set(err, VB_ERR_INVALID,
		                  "config file %s (from %s) does not exist. Check the path, or leave %s out to use the "
		                  "normal search (./agent.yml, ./conf/agent.yml, ~/.datus/conf/agent.yml).",
		                  path, how, how);
	if (S_ISDIR(st.st_mode))
		return vb_err_set(err, VB_ERR_INVALID, "config file %s (from %s) is a directory; name the agent.yml inside it.",
		                  path, how);
	return VB_OK;
}

static int discover(const char *explicit_path, char **path, char **source, struct vb_error *err)
{
	*path = NULL;
	*source = NULL;
	const char *env = getenv("VBADMIN_CONFIG");
	if (explicit_path || (env && *env)) {
		const char *how = explicit_path ? "--config" : "$VBADMIN_CONFIG";
		const char *p = explicit_path ? explicit_path : env;
		int rc = file_usable(p, how, err);
		if (rc != VB_OK)
			return rc;
		*path = vb_xstrdup(p);
		*source = vb_xstrdup(how);
		return VB_OK;
	}
	char *homecfg = vb_xasprintf("%s/.datus/conf/agent.yml", home_dir());
	const char *const cand[] = {"agent.yml", "conf/agent.yml", homecfg};
	const char *const label[] = {"./agent.yml", "./conf/agent.yml", "~/.datus/conf/agent.yml"};
	for (int i = 0; i < 3; i++) {
		struct stat st;
		if (stat(cand[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
			*path = vb_xstrdup(cand[i]);
			*source = vb_xstrdup(label[i]);
			break;
		}
	}
	free(homecfg);
	return VB_OK;
}

static void set_defaults(struct config *c)
{
	c->dim = 384;
	config_embeddings_defaults(c);
	c->home = vb_xasprintf("%s/.datus", home_dir());
	const char *v = getenv("VBADMIN_DATA_DIR");
	const char *x = getenv("XDG_DATA_HOME");
	if (v && *v) {
		c->data_dir = expand_tilde(v);
		c->data_dir_source = vb_xstrdup("$VBADMIN_DATA_DIR");
	} else if (x && x[0] == '/') { /* the XDG spec ignores relative values */
		c->data_dir = vb_xasprintf("%s/vbadmin", x);
		c->data_dir_source = vb_xstrdup("$XDG_DATA_HOME");
	} else {
		c->data_dir = vb_xasprintf("%s/.local/share/vbadmin", home_dir());
		c->data_dir_source = vb_xstrdup("~/.local/share");
	}
}

int config_load(const char *explicit_path, struct config **out, struct vb_error *err)
{
	*out = NULL;
	char *path, *source;
	int rc = discover(explicit_path, &path, &source, err);
	if (rc != VB_OK)
		return rc;
	struct config *c = vb_xcalloc(1, sizeof *c);
	set_defaults(c);
	c->path = path;
	c->path_source = source;
	if (path) {
		struct loader L = {.c = c, .err = err};
		struct config_env env;
		/* Datus loads .env (python-dotenv) before the config; do the same so ${VAR} agrees */
		rc = config_env_load(&env, ".env", err);
		if (rc == VB_OK) {
			c->env_file = vb_xstrdup(env.path);
			rc = config_src_open(&L.src, path, err);
			L.src.env = &env;
			if (rc == VB_OK)
				rc = parse_file(&L);
			if (rc == VB_OK)
				derive_dim(c);
			config_src_close(&L.src);
			config_env_free(&env);
		}
		if (rc != VB_OK) {
			config_free(&c);
			return rc;
		}
	}
	c->lance_data_dir = vb_xasprintf("%s/data", c->home); /* Datus's storage root (datus-spec 5.3) */
	*out = c;
	return VB_OK;
}

static void db_free(struct config_db *d)
{
	free(d->logic_name);
	free(d->type);
	free(d->uri);
	free(d->host);
	free(d->database);
	free(d->username);
	if (d->password) /* do not leave the secret in freed heap memory */
		memset(d->password, 0, strlen(d->password));
	free(d->password);
	free(d->schema);
	free(d->sslmode);
	free(d->options);
	config_unset_free(d->unset, d->nunset);
	free(d->ctx_catalog);
	free(d->ctx_database);
	free(d->ctx_schema);
	free(d->path_pattern);
}

void config_free(struct config **cfg)
{
	if (!cfg || !*cfg)
		return;
	struct config *c = *cfg;
	for (int i = 0; i < c->nnamespaces; i++) {
		for (int j = 0; j < c->namespaces[i].ndbs; j++)
			db_free(&c->namespaces[i].dbs[j]);
		free(c->namespaces[i].dbs);
		free(c->namespaces[i].name);
	}
	free(c->namespaces);
	free(c->path);
	free(c->storage_namespace);
	free(c->storage_db);
	free(c->vector_backend);
	free(c->home);
	free(c->lance_data_dir);
	free(c->data_dir);
	free(c->path_source);
	free(c->namespace_key);
	free(c->storage_rel_namespace);
	free(c->storage_rel_db);
	config_endpoints_free(c);
	free(c->data_dir_source);
	free(c->env_file);
	for (int i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	for (int i = 0; i < c->nunknown_keys; i++)
		free(c->unknown_keys[i]);
	free(c->unknown_keys);
	for (int i = 0; i < c->nunset_vars; i++)
		free(c->unset_vars[i]);
	free(c->unset_vars);
	config_models_free(c);
	config_embeddings_free(c);
	free(c);
	*cfg = NULL;
}
