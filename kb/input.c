/* kb/input.c - open an input once; spool what cannot be re-read (see input.h). */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../backends/vb_util.h"

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies src to a new 0600 file in $TMPDIR (or /tmp); returns its fd and path. */
static int spool(int src, const char *path, const char *what, int *out, char **spool_path, struct vb_error *err)
{
	const char *dir = getenv("TMPDIR");
	char *tmpl = vb_xasprintf("%s/vbadmin-input.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkostemp(tmpl, O_CLOEXEC); /* mkstemp creates 0600 and never follows a symlink */
	if (fd < 0) {
		int e = errno;
		vb_err_set(err, VB_ERR_IO, "cannot spool %s %s to a temporary file %s: %s", what, path, tmpl, strerror(e));
		snprintf(err->hint, sizeof err->hint, "set TMPDIR to a writable directory, or pass a regular file");
		free(tmpl);
		return VB_ERR_IO;
	}
	char buf[65536];
	long long total = 0;
	int rc = VB_OK;
	for (;;) {
		ssize_t n = read(src, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = vb_err_set(err, VB_ERR_IO, "%s %s cannot be read: %s", what, path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		total += n;
		if (total > KB_INPUT_SPOOL_MAX) {
			rc = vb_err_set(err, VB_ERR_INVALID, "%s %s is larger than %lld MiB", what, path,
			                KB_INPUT_SPOOL_MAX >> 20);
			snprintf(err->hint, sizeof err->hint, "split the file, or check that the pipe ends");
			break;
		}
		if (write_all(fd, buf, (size_t)n) != 0) {
			rc = vb_err_set(err, VB_ERR_IO, "cannot spool %s %s to %s: %s", what, path, tmpl, strerror(errno));
			break;
		}
	}
	if (rc != VB_OK) {
		close(fd);
		unlink(tmpl);
		free(tmpl);
		return rc;
	}
	*out = fd;
	*spool_path = tmpl;
	return VB_OK;
}

int kb_input_open(const char *path, const char *what, struct kb_input *in, struct vb_error *err)
{
	memset(in, 0, sizeof *in);
	in->fd = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return vb_err_set(err, VB_ERR_NOT_FOUND, "%s %s not found", what, path);
		return vb_err_set(err, VB_ERR_IO, "%s %s cannot be read: %s", what, path, strerror(errno));
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
		close(fd);
		return vb_err_set(err, VB_ERR_INVALID, "%s %s is a directory; pass the file itself", what, path);
	}
	char *spool_path = NULL;
	if (!S_ISREG(sb.st_mode)) {
		int copy;
		int rc = spool(fd, path, what, &copy, &spool_path, err);
		close(fd);
		if (rc != VB_OK)
			return rc;
		fd = copy;
		in->spooled = 1;
	}
	in->fd = fd;
	char *via_proc = vb_xasprintf("/proc/self/fd/%d", fd);
	if (access(via_proc, R_OK) == 0) {
		in->read_path = via_proc;
		if (spool_path)
			unlink(spool_path); /* the open fd keeps it readable; nothing is left behind */
		free(spool_path);
	} else {
		free(via_proc);
		in->read_path = spool_path ? spool_path : vb_xstrdup(path);
		in->unlink_at_close = spool_path ? vb_xstrdup(spool_path) : NULL;
	}
	return VB_OK;
}

void kb_input_close(struct kb_input *in)
{
	if (in->unlink_at_close)
		unlink(in->unlink_at_close);
	if (in->fd >= 0)
		close(in->fd);
	free(in->read_path);
	free(in->unlink_at_close);
	memset(in, 0, sizeof *in);
	in->fd = -1;
}
