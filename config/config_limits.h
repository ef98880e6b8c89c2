/* config/config_limits.h - bounds on what agent.yml and .env may make vbadmin do.  A config
 * file is a few KB; a hostile one (a merge bomb, 100,000 nested brackets, a .env pointing at
 * /dev/zero) must end in a clear error at once, never in minutes of CPU or unbounded memory.
 * Every limit here is a VB_ERR_INVALID (exit 2) naming the file, line and the limit. */
#ifndef CONFIG_CONFIG_LIMITS_H
#define CONFIG_CONFIG_LIMITS_H

#include <stddef.h>
#include <yaml.h>

#include "../backends/vb.h"

#define CONFIG_MAX_FILE_BYTES (4L << 20) /* agent.yml */
#define CONFIG_MAX_ENV_BYTES (1L << 20)  /* ./.env */
#define CONFIG_MAX_DEPTH 64              /* nested mappings/lists, block or flow */
#define CONFIG_MAX_MERGE_FANOUT 256      /* mappings one `<<:` may pull in, counted through chains */

/* Reads at most max bytes of path into a NUL-terminated heap buffer; anything longer (a huge
 * file, /dev/zero) is refused after max + 1 bytes, a directory at once.  what names it
 * ("config file"). */
int config_read_bounded(const char *path, const char *what, long max, char **out, size_t *len,
                        struct vb_error *err);

/* Before libyaml sees the text: flow nesting ([ and {) deeper than CONFIG_MAX_DEPTH, whose
 * parsing time grows with the square of the depth in libyaml. */
int config_prescan(const char *path, const char *text, size_t len, struct vb_error *err);

/* After loading: nesting depth, scalars holding a NUL character (C strings would silently cut
 * them), and `<<:` merge keys that refer back to their own mapping or fan out beyond the limit. */
int config_check_document(const char *path, yaml_document_t *doc, struct vb_error *err);

#endif
