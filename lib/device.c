#include "device.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "entry.h"
#include "entry-id.h"
#include "fsutil.h"
#include "scope.h"
#include "strbuf.h"
#include "banned.h"

#define DEVICE_ID_LEN 22   /* "d_" and 20 hex digits */

static char id[DEVICE_ID_LEN + 1];
static int looked;   /* device_id() ran: id is made or cannot be */
static int peeked;   /* the file was read, made or not */

int device_id_valid(const char *s, size_t n)
{
	if (n != DEVICE_ID_LEN || s[0] != 'd' || s[1] != '_')
		return 0;
	for (size_t i = 2; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* The id kept in path: 0 with id set, -1 when there is none (or junk). */
static int read_id(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	n = pread_all(fd, buf, sizeof(buf), 0);
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n <= 0 || !device_id_valid(buf, (size_t)n))
		return -1;
	memcpy(id, buf, DEVICE_ID_LEN);
	id[DEVICE_ID_LEN] = '\0';
	return 0;
}

/*
 * Makes an id and keeps it: written whole to a file of its own, then
 * linked to its name, which fails when another process got there first.
 */
static int make_id(const char *root, const char *path)
{
	struct strbuf tmp = STRBUF_INIT, line = STRBUF_INIT;
	int fd, ret = -1;

	if (mkdir_p(root))
		return -1;
	id_random(&line, "d_");
	strbuf_addch(&line, '\n');
	strbuf_addf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	fd = open_private(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd >= 0) {
		if (!write_all(fd, line.buf, line.len) && !fsync(fd) &&
		    !close(fd)) {
			fd = -1;
			if (!link(tmp.buf, path) || errno == EEXIST)
				ret = 0;
			fsync_parent_dir(path);
		}
		if (fd >= 0)
			close(fd);
		unlink(tmp.buf);
	}
	strbuf_release(&tmp);
	strbuf_release(&line);
	return ret ? -1 : read_id(path);
}

const char *device_id(void)
{
	struct strbuf root = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT;

	if (looked)
		return id[0] ? id : NULL;
	looked = 1;
	if (!data_root(&root, &err)) {
		path_join(&path, root.buf, "device-id");
		if (read_id(path.buf) && make_id(root.buf, path.buf))
			id[0] = '\0';
	}
	strbuf_release(&root);
	strbuf_release(&err);
	strbuf_release(&path);
	return id[0] ? id : NULL;
}

int device_is_self(const char *other)
{
	const char *self;

	if (!other || !*other)
		return 1;
	self = device_id();
	return self && !strcmp(self, other);
}

int device_is_self_peek(const char *other)
{
	struct strbuf root = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT;

	if (!other || !*other)
		return 1;
	/* Read once; not "looked": a writer later may still make one. */
	if (!looked && !peeked && !data_root(&root, &err)) {
		path_join(&path, root.buf, "device-id");
		if (read_id(path.buf))
			id[0] = '\0';
	}
	peeked = 1;
	strbuf_release(&root);
	strbuf_release(&err);
	strbuf_release(&path);
	return id[0] && !strcmp(id, other);
}

void entry_stamp(struct entry *e, int64_t now)
{
	const char *self = device_id();

	entry_set_int(e, EF_RECORDED_AT, now);
	if (self)
		entry_set_str(e, EF_DEVICE_ID, self);
}

void device_forget(void)
{
	looked = peeked = 0;
	id[0] = '\0';
}
