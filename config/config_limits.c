/* config/config_limits.c - bounded reading and checking of agent.yml / .env (see the header). */
#include "config_limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../backends/vb_util.h"

int config_read_bounded(const char *path, const char *what, long max, char **out, size_t *len,
                        struct vb_error *err)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vb_err_set(err, errno == ENOENT ? VB_ERR_NOT_FOUND : VB_ERR_INVALID,
		                  "%s: cannot read %s: %s. Check the path and its permissions.", path, what, strerror(errno));
	/* pipes and <(...) are fine (and /dev/null, an empty config): the byte limit bounds them */
	struct stat sb;
	if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
		close(fd);
		return vb_err_set(err, VB_ERR_INVALID, "%s: the %s is a directory; point it at the file", path, what);
	}
	char *buf = vb_xmalloc((size_t)max + 2);
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, (size_t)max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			free(buf);
			return vb_err_set(err, VB_ERR_INVALID, "%s: cannot read %s: %s", path, what, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)max) {
			close(fd);
			free(buf);
			return vb_err_set(err, VB_ERR_INVALID, "%s: the %s is larger than %ld KiB, the limit; is it the right "
			                                       "file?", path, what, max >> 10);
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return VB_OK;
}

int config_prescan(const char *path, const char *text, size_t len, struct vb_error *err)
{
	int depth = 0, line = 1;
	char quote = 0, prev = '\n'; /* last non-blank character outside quotes and comments */
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n')
			line++;
		if (quote) {
			if (c == '\\' && quote == '"' && i + 1 < len)
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
			while (i + 1 < len && text[i + 1] != '\n')
				i++;
			continue;
		}
		if ((c == '"' || c == '\'') && strchr("\n:-,[{?", prev))
			quote = c;
		/* an opener only where a flow collection may start, not inside a plain scalar */
		if ((c == '[' || c == '{') && strchr("\n:-,[{?", prev) && ++depth > CONFIG_MAX_DEPTH)
			return vb_err_set(err, VB_ERR_INVALID, "%s:%d: lists and mappings nest deeper than %d levels; no "
			                                       "configuration needs that, is it the right file?",
			                  path, line, CONFIG_MAX_DEPTH);
		if ((c == ']' || c == '}') && depth > 0)
			depth--;
		if (c != ' ' && c != '\t' && c != '\r')
			prev = c;
	}
	return VB_OK;
}

struct walk {
	const char *path;
	yaml_document_t *doc;
	unsigned char *state;   /* per node: 0 new, 1 on the merge path, 2 done */
	long *fanout;           /* per node: mappings its merges pull in */
	unsigned char *checked; /* per node: its subtree was checked (aliases share nodes) */
	struct vb_error *err;
};

static yaml_node_t *node_at(struct walk *w, int id)
{
	return yaml_document_get_node(w->doc, id);
}

static int at(struct walk *w, yaml_node_t *n, const char *fmt, const char *what)
{
	return vb_err_set(w->err, VB_ERR_INVALID, fmt, w->path, (int)n->start_mark.line + 1, what);
}

static int merge_value(struct walk *w, yaml_node_t *map)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(w, p->key);
		if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, "<<") == 0)
			return p->value;
	}
	return 0;
}

/* Mappings the merge keys of mapping id pull in, counted through chains; a cycle is an error. */
static int merge_fanout(struct walk *w, int id, long *out)
{
	yaml_node_t *n = node_at(w, id);
	*out = 0;
	if (!n || n->type != YAML_MAPPING_NODE)
		return VB_OK;
	if (w->state[id] == 2) {
		*out = w->fanout[id];
		return VB_OK;
	}
	if (w->state[id] == 1)
		return at(w, n, "%s:%d: the merge key '<<' leads back to this mapping%s (a cycle); merge only mappings "
		                "defined before, not the one being defined", "");
	w->state[id] = 1;
	int m = merge_value(w, n);
	yaml_node_t *mv = m ? node_at(w, m) : NULL;
	long total = 0;
	int rc = VB_OK;
	if (mv && mv->type == YAML_MAPPING_NODE) {
		long sub;
		rc = merge_fanout(w, m, &sub);
		total = 1 + sub;
	} else if (mv && mv->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = mv->data.sequence.items.start; rc == VB_OK && it < mv->data.sequence.items.top;
		     it++) {
			long sub;
			rc = merge_fanout(w, *it, &sub);
			total += 1 + sub;
			if (total > CONFIG_MAX_MERGE_FANOUT)
				break;
		}
	}
	if (rc == VB_OK && total > CONFIG_MAX_MERGE_FANOUT)
		rc = vb_err_set(w->err, VB_ERR_INVALID, "%s:%d: the merge key '<<' pulls in more than %d mappings "
		                                        "(counting merges of merges); merge fewer, or write the keys out",
		                w->path, (int)n->start_mark.line + 1, CONFIG_MAX_MERGE_FANOUT);
	w->state[id] = 2;
	w->fanout[id] = total;
	*out = total;
	return rc;
}

/* Depth of the node tree and NUL characters in scalars; each node once, however many aliases
 * point at it (so a "billion laughs" document costs its size, not its expansion). */
static int check_node(struct walk *w, int id, int depth)
{
	yaml_node_t *n = node_at(w, id);
	if (!n)
		return VB_OK;
	if (depth > CONFIG_MAX_DEPTH)
		return vb_err_set(w->err, VB_ERR_INVALID, "%s:%d: lists and mappings nest deeper than %d levels; no "
		                                          "configuration needs that, is it the right file?",
		                  w->path, (int)n->start_mark.line + 1, CONFIG_MAX_DEPTH);
	if (w->checked[id])
		return VB_OK;
	w->checked[id] = 1;
	int rc = VB_OK;
	if (n->type == YAML_SCALAR_NODE) {
		if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
			rc = vb_err_set(w->err, VB_ERR_INVALID, "%s:%d:%d: the value holds a NUL character (\\0), which would "
			                                        "cut it short; remove it",
			                w->path, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1);
	} else if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; rc == VB_OK && it < n->data.sequence.items.top; it++)
			rc = check_node(w, *it, depth + 1);
	} else if (n->type == YAML_MAPPING_NODE) {
		long fan;
		if (w->state[id] != 2)
			rc = merge_fanout(w, id, &fan);
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; rc == VB_OK && p < n->data.mapping.pairs.top; p++) {
			rc = check_node(w, p->key, depth + 1);
			if (rc == VB_OK)
				rc = check_node(w, p->value, depth + 1);
		}
	}
	return rc;
}

int config_check_document(const char *path, yaml_document_t *doc, struct vb_error *err)
{
	size_t nnodes = (size_t)(doc->nodes.top - doc->nodes.start);
	if (nnodes == 0)
		return VB_OK;
	struct walk w = {path, doc, vb_xcalloc(nnodes + 1, 1), vb_xcalloc(nnodes + 1, sizeof(long)),
	                 vb_xcalloc(nnodes + 1, 1), err};
	int rc = check_node(&w, 1, 0);
	free(w.state);
	free(w.fanout);
	free(w.checked);
	return rc;
}
