/* config/config_options.h - the `options:` string of a database entry ("k=v;k=v": libpq
 * keywords such as sslrootcert, or server settings such as statement_timeout), and masking of
 * secrets inside any configured string (URLs with user:password@, password=... pairs). */
#ifndef CONFIG_CONFIG_OPTIONS_H
#define CONFIG_CONFIG_OPTIONS_H

#include "../backends/vb.h"

struct config_db;

/* Refuses an option that would silently override a field of the entry itself (host, hostaddr,
 * port, dbname, user, password, passfile, service, sslmode, requiressl): what config show
 * prints must be what is used, and options must not downgrade TLS or redirect the connection.
 * VB_ERR_INVALID names the option, the entry's field and the file line; never a password. */
int config_options_check(const struct config_db *db, const char *file, struct vb_error *err);

/* Heap copy of s with secrets replaced by "********": the password of every
 * scheme://user:password@ and the value of every password-like key=value pair
 * (password, sslpassword, passfile, api_key, apikey, token, secret).  NULL stays NULL. */
char *config_secret_masked(const char *s);

#endif
