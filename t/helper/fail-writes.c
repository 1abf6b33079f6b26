/*
 * fail-writes.so: an LD_PRELOAD helper for the tests, standing in for a
 * full disk without one. Writes to files whose path holds the text of
 * $FAIL_WRITES_PATH fail with $FAIL_WRITES_ERRNO (ENOSPC, EDQUOT, EFBIG
 * or EIO; ENOSPC when unset) once $FAIL_WRITES_AFTER bytes (0 when unset)
 * went to such files in this process; the write that crosses that mark is
 * cut short there, as a real file system does. fsync and fdatasync of
 * such files fail the same way when $FAIL_WRITES_SYNC is set.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long long written;

static int targeted(int fd)
{
	const char *want = getenv("FAIL_WRITES_PATH");
	char link[64], path[4096];
	ssize_t n;

	if (!want || !*want)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return strstr(path, want) != NULL;
}

static int chosen_errno(void)
{
	const char *e = getenv("FAIL_WRITES_ERRNO");

	if (!e || !strcmp(e, "ENOSPC"))
		return ENOSPC;
	if (!strcmp(e, "EDQUOT"))
		return EDQUOT;
	if (!strcmp(e, "EFBIG"))
		return EFBIG;
	return EIO;
}

/* How many of n bytes may still go through. */
static size_t allowed(size_t n)
{
	const char *a = getenv("FAIL_WRITES_AFTER");
	long long limit = a ? atoll(a) : 0;
	long long left = limit - written;

	if (left <= 0)
		return 0;
	return (size_t)left < n ? (size_t)left : n;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	size_t ok;
	ssize_t r;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))
			dlsym(RTLD_NEXT, "write");
	if (!n || !targeted(fd))
		return real(fd, buf, n);
	ok = allowed(n);
	if (!ok) {
		errno = chosen_errno();
		return -1;
	}
	r = real(fd, buf, ok);
	if (r > 0)
		written += r;
	return r;
}

static int sync_fails(int fd)
{
	if (!getenv("FAIL_WRITES_SYNC") || !targeted(fd))
		return 0;
	errno = chosen_errno();
	return 1;
}

int fsync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	return sync_fails(fd) ? -1 : real(fd);
}

int fdatasync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	return sync_fails(fd) ? -1 : real(fd);
}
