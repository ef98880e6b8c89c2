/* config/config_yaml.c - libyaml document access for the agent.yml loader. */
#include "config_yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../backends/vb_util.h"
#include "config_limits.h"

/* PyYAML's safe_load, which Datus reads agent.yml with, refuses a second document ("expected a
 * single document in the stream"); silently ignoring it would hide half of a pasted file. */
static int single_document(yaml_parser_t *p, const char *path, struct vb_error *err)
{
	yaml_document_t next;
	if (!yaml_parser_load(p, &next))
		return VB_OK; /* a syntax error after the first document: PyYAML reports the stream */
	yaml_node_t *root = yaml_document_get_root_node(&next);
	int line = root ? (int)root->start_mark.line + 1 : 0;
	yaml_document_delete(&next);
	if (!root)
		return VB_OK;
	return vb_err_set(err, VB_ERR_INVALID, "%s:%d: a second YAML document (after '---'); agent.yml holds one "
	                                       "document, as Datus reads it: merge the two or remove the '---'",
	                  path, line);
}

int config_src_open(struct config_src *s, const char *path, struct vb_error *err)
{
	memset(s, 0, sizeof *s);
	s->path = path;
	char *text;
	size_t len;
	int rc = config_read_bounded(path, "config file", CONFIG_MAX_FILE_BYTES, &text, &len, err);
	if (rc == VB_OK)
		rc = config_prescan(path, text, len, err);
	if (rc != VB_OK) {
		free(text);
		return rc == VB_ERR_NOT_FOUND ? VB_ERR_INVALID : rc;
	}
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		free(text);
		return vb_err_set(err, VB_ERR_INTERNAL, "%s: cannot initialise the YAML parser", path);
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &s->doc)) {
		/* libyaml marks are 0-based; editors count from 1 */
		const char *problem = p.problem ? p.problem : "malformed YAML";
		if (p.context)
			rc = vb_err_set(err, VB_ERR_INVALID,
			                "%s:%zu:%zu: YAML syntax error: %s (%s, which starts at line %zu). "
			                "Fix the indentation or quoting there; a value containing ': ' or '#' needs quotes.",
			                path, p.problem_mark.line + 1, p.problem_mark.column + 1, problem, p.context,
			                p.context_mark.line + 1);
		else
			rc = vb_err_set(err, VB_ERR_INVALID,
			                "%s:%zu:%zu: YAML syntax error: %s. "
			                "Fix the indentation or quoting there; a value containing ': ' or '#' needs quotes.",
			                path, p.problem_mark.line + 1, p.problem_mark.column + 1, problem);
	} else {
		s->have_doc = 1;
		rc = config_check_document(path, &s->doc, err);
		if (rc == VB_OK)
			rc = single_document(&p, path, err);
	}
	yaml_parser_delete(&p);
	free(text);
	return rc;
}

void config_src_close(struct config_src *s)
{
	if (s->have_doc)
		yaml_document_delete(&s->doc);
	s->have_doc = 0;
}

yaml_node_t *config_root(struct config_src *s)
{
	return s->have_doc ? yaml_document_get_root_node(&s->doc) : NULL;
}

int config_map_len(yaml_node_t *map)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return 0;
	return (int)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
}

yaml_node_t *config_map_key(struct config_src *s, yaml_node_t *map, int i)
{
	return yaml_document_get_node(&s->doc, map->data.mapping.pairs.start[i].key);
}

yaml_node_t *config_map_value(struct config_src *s, yaml_node_t *map, int i)
{
	return yaml_document_get_node(&s->doc, map->data.mapping.pairs.start[i].value);
}

static yaml_node_t *map_get(struct config_src *s, yaml_node_t *map, const char *key, int depth)
{
	/* the last occurrence wins, as in PyYAML, which Datus reads the file with */
	yaml_node_t *found = NULL, *merge = NULL;
	int n = config_map_len(map);
	for (int i = 0; i < n; i++) {
		const char *k = config_scalar(config_map_key(s, map, i));
		if (k && strcmp(k, key) == 0)
			found = config_map_value(s, map, i);
		else if (k && strcmp(k, "<<") == 0)
			merge = config_map_value(s, map, i);
	}
	if (found || !merge || depth > 16) /* the bound stops self-referencing anchors */
		return found;
	/* YAML merge key (`<<: *base` or `<<: [*a, *b]`), which PyYAML honours: explicit keys win,
	 * then the merged mappings in order */
	if (merge->type == YAML_MAPPING_NODE)
		return map_get(s, merge, key, depth + 1);
	for (int i = 0; i < config_seq_len(merge); i++) {
		yaml_node_t *m = config_seq_item(s, merge, i);
		yaml_node_t *v = map_get(s, m, key, depth + 1);
		if (v)
			return v;
	}
	return NULL;
}

yaml_node_t *config_map_get(struct config_src *s, yaml_node_t *map, const char *key)
{
	return map_get(s, map, key, 0);
}

int config_seq_len(yaml_node_t *seq)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	return (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

yaml_node_t *config_seq_item(struct config_src *s, yaml_node_t *seq, int i)
{
	return yaml_document_get_node(&s->doc, seq->data.sequence.items.start[i]);
}

int config_is_null(const yaml_node_t *n)
{
	if (!n)
		return 1;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	const char *v = (const char *)n->data.scalar.value;
	return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	       strcmp(v, "NULL") == 0;
}

const char *config_kind_name(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_SCALAR_NODE: return config_is_null(n) ? "an empty value" : "a scalar";
	default: return "nothing";
	}
}

const char *config_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int config_err_at(struct config_src *s, const yaml_node_t *n, struct vb_error *err, const char *fmt, ...)
{
	char msg[sizeof err->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n)
		return vb_err_set(err, VB_ERR_INVALID, "%s:%zu:%zu: %s", s->path, n->start_mark.line + 1,
		                  n->start_mark.column + 1, msg);
	return vb_err_set(err, VB_ERR_INVALID, "%s: %s", s->path, msg);
}

int config_str(struct config_src *s, yaml_node_t *n, const char *where, char **out, struct vb_error *err)
{
	*out = NULL;
	if (config_is_null(n))
		return VB_OK;
	if (n->type != YAML_SCALAR_NODE)
		return config_err_at(s, n, err, "%s must be a single value, found %s.", where, config_kind_name(n));
	const char *v = (const char *)n->data.scalar.value;
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "");
	for (const char *p = v; *p;) {
		const char *open = strstr(p, "${");
		const char *close = open ? strchr(open + 2, '}') : NULL;
		/* like Datus's \$\{([^}]+)\}: "${}" and an unclosed "${" stay literal */
		if (!open || !close || close == open + 2) {
			vb_buf_add(&b, p);
			break;
		}
		vb_buf_addn(&b, p, (size_t)(open - p));
		char *name = vb_xstrndup(open + 2, (size_t)(close - open - 2));
		const char *val = config_env_get(s->env, name);
		if (!val && s->on_unset) {
			s->on_unset(s->on_unset_ctx, name, where, (int)n->start_mark.line + 1);
			free(name);
			vb_buf_free(&b);
			return VB_OK;
		}
		if (!val) {
			int rc = config_err_at(s, n, err,
			                       "environment variable %s is not set (used by %s)%s. "
			                       "Export it (export %s=...) or write the value into the file%s.",
			                       name, where, s->env && s->env->path ? ", nor in ./.env" : "", name,
			                       strstr(name, ":-") ? "; ${VAR:-default} is not supported (Datus has no such syntax)" : "");
			free(name);
			vb_buf_free(&b);
			return rc;
		}
		vb_buf_add(&b, val);
		free(name);
		p = close + 1;
	}
	*out = vb_buf_steal(&b);
	return VB_OK;
}

int config_int(struct config_src *s, yaml_node_t *n, const char *where, long lo, long hi,
               const char *what_to_do, int *out, struct vb_error *err)
{
	char *v;
	int rc = config_str(s, n, where, &v, err);
	if (rc != VB_OK)
		return rc;
	if (!v)
		return VB_OK;
	if (!*v) { /* "${PORT}" with PORT="" behaves like an absent value, as Datus's `port or 5432` */
		free(v);
		return VB_OK;
	}
	const char *p = v;
	if (*p == '+')
		p++;
	int digits = *p != '\0';
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			digits = 0;
	if (!digits) {
		rc = config_err_at(s, n, err, "%s '%s' is not a number; %s.", where, v, what_to_do);
		free(v);
		return rc;
	}
	errno = 0;
	long x = strtol(p, NULL, 10);
	if (errno == ERANGE || x < lo || x > hi) {
		rc = config_err_at(s, n, err, "%s %s is out of range %ld..%ld; %s.", where, v, lo, hi, what_to_do);
		free(v);
		return rc;
	}
	*out = (int)x;
	free(v);
	return VB_OK;
}

int config_bool(struct config_src *s, yaml_node_t *n, const char *where, int *out, struct vb_error *err)
{
	char *v;
	int rc = config_str(s, n, where, &v, err);
	if (rc != VB_OK || !v)
		return rc;
	static const char *const yes[] = {"true", "yes", "on", "y", "1"};
	static const char *const no[] = {"false", "no", "off", "n", "0"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			free(v);
			return VB_OK;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			free(v);
			return VB_OK;
		}
	}
	rc = config_err_at(s, n, err, "%s '%s' is not a boolean; write true or false.", where, v);
	free(v);
	return rc;
}

int config_want_map(struct config_src *s, yaml_node_t *n, const char *where, const char *what_to_do,
                    struct vb_error *err)
{
	if (config_is_null(n) || n->type == YAML_MAPPING_NODE)
		return VB_OK;
	return config_err_at(s, n, err, "%s must be a mapping (key: value lines), found %s; %s.", where,
	                     config_kind_name(n), what_to_do);
}
