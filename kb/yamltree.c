/* kb/yamltree.c - one-node YAML trees from a libyaml event stream. */
#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"

static void yt_err(struct yamltree_error *e, int line, int col, const char *fmt, const char *arg)
{
	e->line = line;
	e->col = col;
	e->syntax = 0;
	snprintf(e->message, sizeof e->message, fmt, arg ? arg : "");
}

int yamltree_next(yaml_parser_t *p, yaml_event_t *ev, struct yamltree_error *e)
{
	if (yaml_parser_parse(p, ev))
		return 0;
	memset(ev, 0, sizeof *ev);
	e->syntax = 1;
	e->line = (int)p->problem_mark.line + 1;
	e->col = (int)p->problem_mark.column + 1;
	if (p->error == YAML_READER_ERROR) {
		/* reader errors (bad UTF-8) carry a byte offset, not a line */
		snprintf(e->message, sizeof e->message, "%s (byte %zu)", p->problem ? p->problem : "cannot read",
		         p->problem_offset);
		e->line = 0;
		e->col = 0;
	} else if (p->context) {
		snprintf(e->message, sizeof e->message, "%s %s (line %d, column %d)",
		         p->problem ? p->problem : "syntax error", p->context,
		         (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
	} else {
		snprintf(e->message, sizeof e->message, "%s", p->problem ? p->problem : "syntax error");
	}
	return -1;
}

static struct yt_node *node_new(int kind, const yaml_event_t *ev)
{
	struct yt_node *n = vb_xcalloc(1, sizeof *n);
	n->kind = kind;
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	return n;
}

static void seq_add(struct yt_node *n, struct yt_node *kid, int *cap)
{
	if (n->n + 1 > *cap) {
		*cap = *cap ? *cap * 2 : 8;
		n->kids = vb_xrealloc(n->kids, (size_t)*cap * sizeof *n->kids);
	}
	n->kids[n->n++] = kid;
}

static struct yt_node *build(yaml_parser_t *p, yaml_event_t *ev, int depth, struct yamltree_error *e);

/* ev is the collection start event (consumed by the caller after return). */
static struct yt_node *build_collection(yaml_parser_t *p, struct yt_node *n, int depth, struct yamltree_error *e)
{
	int cap = 0;
	yaml_event_type_t end = n->kind == YT_MAP ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
	struct yt_node *key = NULL;
	int replace = -1; /* pair index whose value the next node replaces (a repeated key) */
	for (;;) {
		yaml_event_t ev;
		if (yamltree_next(p, &ev, e) < 0)
			goto fail;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return n;
		}
		struct yt_node *kid = build(p, &ev, depth + 1, e);
		if (!kid)
			goto fail;
		if (n->kind == YT_SEQ) {
			seq_add(n, kid, &cap);
			continue;
		}
		if (!key) {
			if (kid->kind != YT_SCALAR) {
				yt_err(e, kid->line, kid->col, "a mapping key must be a text value, found %s",
				       yamltree_kind_name(kid));
				yamltree_free(kid);
				goto fail;
			}
			/* a repeated key keeps its last value, as PyYAML's safe_load (Datus) does */
			for (int i = 0; i < n->n && replace < 0; i++)
				if (!strcmp(n->kids[2 * i]->s, kid->s))
					replace = i;
			key = kid;
			continue;
		}
		if (replace >= 0) {
			yamltree_free(n->kids[2 * replace + 1]);
			n->kids[2 * replace + 1] = kid;
			yamltree_free(key);
			key = NULL;
			replace = -1;
			continue;
		}
		/* store the pair */
		int want = 2 * n->n + 2;
		if (want > cap) {
			cap = cap ? cap * 2 : 8;
			n->kids = vb_xrealloc(n->kids, (size_t)cap * sizeof *n->kids);
		}
		n->kids[2 * n->n] = key;
		n->kids[2 * n->n + 1] = kid;
		n->n++;
		key = NULL;
	}
fail:
	yamltree_free(key);
	yamltree_free(n);
	return NULL;
}

static struct yt_node *build(yaml_parser_t *p, yaml_event_t *ev, int depth, struct yamltree_error *e)
{
	struct yt_node *n = NULL;
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
	if (depth > YAMLTREE_MAX_DEPTH) {
		yt_err(e, line, col, "nesting is deeper than %s levels", "64");
		yaml_event_delete(ev);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(YT_SCALAR, ev);
		n->s = vb_xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		yaml_event_delete(ev);
		return n;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		n = node_new(ev->type == YAML_MAPPING_START_EVENT ? YT_MAP : YT_SEQ, ev);
		yaml_event_delete(ev);
		return build_collection(p, n, depth, e);
	case YAML_ALIAS_EVENT:
		yt_err(e, line, col, "YAML aliases (*%s) are not supported here; write the value out",
		       (const char *)ev->data.alias.anchor);
		yaml_event_delete(ev);
		return NULL;
	default:
		yt_err(e, line, col, "unexpected YAML event%s", NULL);
		yaml_event_delete(ev);
		return NULL;
	}
}

struct yt_node *yamltree_build(yaml_parser_t *p, yaml_event_t *first, struct yamltree_error *e)
{
	return build(p, first, 0, e);
}

void yamltree_free(struct yt_node *n)
{
	if (!n)
		return;
	int nk = n->kind == YT_MAP ? 2 * n->n : n->kind == YT_SEQ ? n->n : 0;
	for (int i = 0; i < nk; i++)
		yamltree_free(n->kids[i]);
	free(n->kids);
	free(n->s);
	free(n);
}

int yamltree_skip(yaml_parser_t *p, yaml_event_t *first, struct yamltree_error *e)
{
	int depth = 0;
	yaml_event_t ev = *first;
	for (;;) {
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (depth == 0)
			return 0;
		if (yamltree_next(p, &ev, e) < 0)
			return -1;
	}
}

const struct yt_node *yamltree_get(const struct yt_node *map, const char *key)
{
	if (!map || map->kind != YT_MAP)
		return NULL;
	for (int i = 0; i < map->n; i++)
		if (strcmp(map->kids[2 * i]->s, key) == 0)
			return map->kids[2 * i + 1];
	return NULL;
}

int yamltree_is_null(const struct yt_node *n)
{
	if (!n || n->kind != YT_SCALAR || !n->plain)
		return 0;
	return !strcmp(n->s, "") || !strcmp(n->s, "~") || !strcmp(n->s, "null") || !strcmp(n->s, "Null") ||
	       !strcmp(n->s, "NULL");
}

int yamltree_bool(const struct yt_node *n)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", NULL};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", NULL};
	if (!n || n->kind != YT_SCALAR || !n->plain)
		return -1;
	for (int i = 0; yes[i]; i++)
		if (!strcmp(n->s, yes[i]))
			return 1;
	for (int i = 0; no[i]; i++)
		if (!strcmp(n->s, no[i]))
			return 0;
	return -1;
}

const char *yamltree_kind_name(const struct yt_node *n)
{
	if (!n)
		return "nothing";
	return n->kind == YT_MAP ? "a mapping" : n->kind == YT_SEQ ? "a list" : "a text value";
}

const char *yamltree_event_kind_name(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_ALIAS_EVENT:
		return "an alias";
	default:
		return "a text value";
	}
}
