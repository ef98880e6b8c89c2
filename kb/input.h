/* kb/input.h - an input file read exactly once per command.
 *
 * The semantic YAML is parsed more than once (validate pass, rows pass, once per component),
 * so reading it by path would see a different file each time when the path is a pipe, a
 * process substitution <(...) or /dev/stdin (drained after the first pass) or a file that is
 * replaced meanwhile.  kb_input_open therefore opens the path once: a regular file is held
 * open and every pass re-opens that same inode through /proc/self/fd; anything else is copied
 * once into a private temporary file (mode 0600, unlinked at once) that the passes read. */
#ifndef KB_INPUT_H
#define KB_INPUT_H

#include <stddef.h>

#include "../backends/vb.h"

/* Largest non-regular input that is spooled (a pipe that never ends is refused, not buffered). */
#define KB_INPUT_SPOOL_MAX ((long long)256 << 20)

struct kb_input {
	int fd;          /* the inode every pass reads, open for the whole command */
	char *read_path; /* what the readers open: "/proc/self/fd/N", or the spool file's path */
	char *unlink_at_close; /* the spool file when /proc is not mounted */
	int spooled;     /* the input was a pipe, FIFO or device and was copied */
};

/* what names the input in messages ("Semantic YAML file").  Errors: VB_ERR_NOT_FOUND
 * "<what> PATH not found", VB_ERR_INVALID for a directory or an input over the spool limit,
 * VB_ERR_IO when it cannot be read or spooled (reason named). */
int kb_input_open(const char *path, const char *what, struct kb_input *in, struct vb_error *err);
void kb_input_close(struct kb_input *in);

#endif
