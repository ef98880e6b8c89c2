/* config/config_uri.h - a PostgreSQL `uri:` of an agent.yml entry split into its fields.
 * Datus uses such a uri verbatim instead of host/port/...; vbadmin reads it into the entry so
 * every later step (and `config show`) sees the same connection. */
#ifndef CONFIG_CONFIG_URI_H
#define CONFIG_CONFIG_URI_H

#include "../backends/vb.h"

struct config_db;

/* postgresql[+driver]://[user[:password]@][host][:port][/database][?sslmode=..&connect_timeout=..]
 * (also postgres://).  Percent-escapes are decoded.  Fields present in the uri replace the
 * entry's.  Errors (VB_ERR_INVALID) name `prefix` and never quote the uri, which may hold a
 * password. */
int config_uri_apply(const char *uri, struct config_db *db, const char *prefix, struct vb_error *err);

#endif
