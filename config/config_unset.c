/* config/config_unset.c - warnings, and ${VAR} that are not set: Datus resolves a variable only
 * when its value is used (agent_config.py resolve_env leaves "<MISSING:VAR>"), so the loader
 * records each unset one with its field and line instead of failing; config_resolve() refuses
 * the namespaces a command uses, config show marks the others. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

void config_warn(struct config *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = vb_xvasprintf(fmt, ap);
	va_end(ap);
	c->warnings = vb_xrealloc(c->warnings, (size_t)(c->nwarnings + 1) * sizeof *c->warnings);
	c->warnings[c->nwarnings++] = msg;
}

void config_note_unset(void *loader, const char *var, const char *where, int line)
{
	struct loader *L = loader;
	if (L->unset) {
		*L->unset = vb_xrealloc(*L->unset, (size_t)(*L->nunset + 1) * sizeof **L->unset);
		(*L->unset)[(*L->nunset)++] = (struct config_unset){vb_xstrdup(where), vb_xstrdup(var), line};
	}
	struct config *c = L->c;
	char *msg = vb_xasprintf("%s:%d: ${%s} is not set%s (%s); %s%s.", L->src.path, line, var,
	                         L->src.env && L->src.env->path ? ", nor in ./.env" : "", where,
	                         L->unset_scope ? L->unset_scope : "it is left unset",
	                         strstr(var, ":-") ? "; ${VAR:-default} is not supported (Datus has no such syntax)" : "");
	config_warn(c, "%s", msg);
	c->unset_vars = vb_xrealloc(c->unset_vars, (size_t)(c->nunset_vars + 1) * sizeof *c->unset_vars);
	c->unset_vars[c->nunset_vars++] = msg;
}

void config_ignore_unset(void *loader, const char *var, const char *where, int line)
{
	(void)loader, (void)var, (void)where, (void)line;
}

void config_scan_value(struct loader *L, yaml_node_t *v, const char *where)
{
	const char *text = config_scalar(v);
	for (const char *p = text; p && (p = strstr(p, "${")) != NULL;) {
		const char *close = strchr(p + 2, '}');
		if (!close)
			break;
		if (close > p + 2) { /* "${}" stays literal: Datus's regex needs one character */
			char *var = vb_xstrndup(p + 2, (size_t)(close - p - 2));
			if (!config_env_get(L->src.env, var))
				config_note_unset(L, var, where, (int)v->start_mark.line + 1);
			free(var);
		}
		p = close + 1;
	}
}

void config_scan_unset(struct loader *L, yaml_node_t *map, const char *prefix, yaml_node_t *except)
{
	int n = map && map->type == YAML_MAPPING_NODE ? config_map_len(map) : 0;
	for (int i = 0; i < n; i++) {
		const char *key = config_scalar(config_map_key(&L->src, map, i));
		if (!key || (except && config_map_get(&L->src, except, key)))
			continue;
		char *where = vb_xasprintf("%s.%s", prefix, key);
		config_scan_value(L, config_map_value(&L->src, map, i), where);
		free(where);
	}
}

void config_unset_free(struct config_unset *u, int n)
{
	for (int i = 0; i < n; i++) {
		free(u[i].field);
		free(u[i].var);
	}
	free(u);
}
