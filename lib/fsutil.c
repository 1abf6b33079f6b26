#include "fsutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"

int mkdir_p(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	if (!stat(dir, &st)) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return -1;
	}
	strbuf_addstr(&sb, dir);
	for (char *p = sb.buf + 1; ; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(sb.buf, 0700) == 0) {
			/* The umask may have removed bits we need. */
			chmod(sb.buf, 0700);
		} else if (errno != EEXIST) {
			ret = -1;
			break;
		} else if (stat(sb.buf, &st) || !S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			ret = -1;
			break;
		}
		*p = c;
		if (!c)
			break;
	}
	strbuf_release(&sb);
	return ret;
}

int open_private(const char *path, int flags)
{
	int fd;

	flags |= O_CLOEXEC | O_NOFOLLOW;
	fd = open(path, flags | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		if (fchmod(fd, 0600)) {
			int saved = errno;

			close(fd);
			unlink(path);
			errno = saved;
			return -1;
		}
		return fd;
	}
	if (errno != EEXIST)
		return -1;
	return open(path, flags);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t pread_all(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got,
				off + (off_t)got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int fsync_parent_dir(const char *path)
{
	struct strbuf dir = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int fd, ret;

	if (slash == path)
		strbuf_addstr(&dir, "/");
	else if (slash)
		strbuf_add(&dir, path, (size_t)(slash - path));
	else
		strbuf_addstr(&dir, ".");
	fd = open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	strbuf_release(&dir);
	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/* The pid of a "<base>.tmp.<pid>" name, or 0 when it is not one. */
static pid_t temp_owner(const char *name, const char *base, size_t blen)
{
	const char *p = name + blen + 5;
	char *end;
	long pid;

	if (strncmp(name, base, blen) || strncmp(name + blen, ".tmp.", 5) ||
	    !isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	pid = strtol(p, &end, 10);
	return *end || errno || pid <= 0 || pid > INT_MAX ? 0 : (pid_t)pid;
}

void remove_stale_temps(const char *path)
{
	struct strbuf dir = STRBUF_INIT, p = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t blen = strlen(base);
	struct dirent *de;
	DIR *d;

	if (slash)
		strbuf_add(&dir, path, (size_t)(slash - path) + (slash == path));
	else
		strbuf_addch(&dir, '.');
	d = opendir(dir.buf);
	while (d && (de = readdir(d))) {
		pid_t pid = temp_owner(de->d_name, base, blen);

		/* A live owner (ours, or a concurrent writer) keeps its file. */
		if (!pid || pid == getpid() || !kill(pid, 0) || errno != ESRCH)
			continue;
		strbuf_reset(&p);
		path_join(&p, dir.buf, de->d_name);
		unlink(p.buf);
	}
	if (d)
		closedir(d);
	strbuf_release(&dir);
	strbuf_release(&p);
}

static int write_atomic(const char *path, const void *data, size_t len,
		int do_sync)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd, saved;

	remove_stale_temps(path);
	strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	unlink(tmp.buf);
	fd = open_private(tmp.buf, O_WRONLY | O_TRUNC);
	if (fd < 0)
		goto fail;
	if (write_all(fd, data, len) || (do_sync && fsync(fd))) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	if (close(fd) || rename(tmp.buf, path))
		goto fail;
	strbuf_release(&tmp);
	if (do_sync)
		fsync_parent_dir(path);
	return 0;
fail:
	saved = errno;
	unlink(tmp.buf);
	strbuf_release(&tmp);
	errno = saved;
	return -1;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	return write_atomic(path, data, len, 1);
}

int write_file_atomic_nosync(const char *path, const void *data, size_t len)
{
	return write_atomic(path, data, len, 0);
}

void path_join(struct strbuf *sb, const char *dir, const char *name)
{
	strbuf_addstr(sb, dir);
	if (sb->len && sb->buf[sb->len - 1] != '/')
		strbuf_addch(sb, '/');
	strbuf_addstr(sb, name);
}

int file_map_open(struct file_map *m, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	struct stat st;
	void *p;

	m->data = "";
	m->len = 0;
	if (fd < 0)
		return -1;
	saved = fstat(fd, &st) ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
	if (saved) {
		close(fd);
		errno = saved;
		return -1;
	}
	if (st.st_size > 0) {
		if ((uint64_t)st.st_size > SIZE_MAX) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		m->data = p;
		m->len = (size_t)st.st_size;
	}
	close(fd);
	return 0;
}

void file_map_release(struct file_map *m)
{
	if (m->len)
		munmap((void *)m->data, m->len);
	m->data = "";
	m->len = 0;
}
