/* kb/yamltree.h - builds a small in-memory tree for ONE YAML node from a libyaml event
 * stream, so a streaming reader can materialise a bounded piece (a list entry, a metric
 * document) and walk the rest event by event.  Also: skip a node, YAML 1.1 scalar helpers.
 *
 * Limits (deliberate, they keep memory bounded and messages clear):
 *  - aliases (*x) are rejected (anchors are accepted and ignored);
 *  - nesting deeper than YAMLTREE_MAX_DEPTH is rejected;
 *  - a mapping with the same key twice is rejected (YAML says keys are unique; PyYAML would
 *    silently keep the last one, which hides typos). */
#ifndef KB_YAMLTREE_H
#define KB_YAMLTREE_H

#include <stddef.h>
#include <yaml.h>

#define YAMLTREE_MAX_DEPTH 64

enum yamltree_kind { YT_SCALAR = 0, YT_MAP, YT_SEQ };

struct yt_node {
	int kind;         /* enum yamltree_kind */
	int line, col;    /* 1-based start of the node in the file */
	int plain;        /* scalar written without quotes (only plain scalars can be null/bool) */
	char *s;          /* scalar text (NUL-terminated), NULL for collections */
	size_t len;
	/* YT_MAP: kids[2i] = key (a scalar), kids[2i+1] = value; n = number of pairs.
	 * YT_SEQ: kids[i]; n = number of items. */
	struct yt_node **kids;
	int n;
};

/* Why a walk stopped; message is "L:C: text" (no file name, the caller adds it). */
struct yamltree_error {
	int line, col;    /* 0 when the position is unknown (bad UTF-8 gives a byte offset) */
	int syntax;       /* 1: the YAML itself is malformed (libyaml); 0: a shape rule above */
	char message[256];
};

/* Pulls the next event into *ev (deleting the previous one first is the caller's job).
 * Returns 0, or -1 with e filled from the parser's problem/context marks. */
int yamltree_next(yaml_parser_t *p, yaml_event_t *ev, struct yamltree_error *e);

/* Builds the node that starts with *first (already pulled; it is consumed and deleted here).
 * Returns the tree (free with yamltree_free) or NULL with e filled. */
struct yt_node *yamltree_build(yaml_parser_t *p, yaml_event_t *first, struct yamltree_error *e);
void yamltree_free(struct yt_node *n);

/* Consumes the node that starts with *first without keeping it (bounded memory). */
int yamltree_skip(yaml_parser_t *p, yaml_event_t *first, struct yamltree_error *e);

/* Mapping lookup; NULL when n is not a mapping or has no such key. */
const struct yt_node *yamltree_get(const struct yt_node *map, const char *key);
/* YAML 1.1 as PyYAML reads it: plain ~, null, Null, NULL or empty. */
int yamltree_is_null(const struct yt_node *n);
/* 1 true / 0 false / -1 not a boolean (plain true/yes/on and false/no/off, any case form
 * PyYAML accepts). */
int yamltree_bool(const struct yt_node *n);
/* "a mapping" / "a list" / "a text value" for messages. */
const char *yamltree_kind_name(const struct yt_node *n);
/* Same, for the event that starts a node. */
const char *yamltree_event_kind_name(const yaml_event_t *ev);

#endif
