#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fsutil.h"
#include "banned.h"

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int lock_acquire(struct file_lock *lk, const char *path, int64_t timeout_ms,
		struct strbuf *err)
{
	int64_t deadline = monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	long backoff_us = 100;
	int fd;

	if (lk->fd >= 0)
		return 0;
	fd = open_private(path, O_RDWR);
	if (fd < 0)
		return fail_errno(err, T_ELEDGER, "cannot open lock file '%s'",
				path);
	for (;;) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			fail_errno(err, T_ELEDGER, "cannot lock '%s'", path);
			close(fd);
			return T_ELEDGER;
		}
		if (monotonic_ms() >= deadline) {
			close(fd);
			fail(err, T_ELEDGER, "ledger is locked by another "
					"process: gave up after %lld ms waiting "
					"for '%s' (lock_timeout_ms)",
					(long long)timeout_ms, path);
			errno = EWOULDBLOCK;
			return T_ELEDGER;
		}
		sleep_us(backoff_us);
		if (backoff_us < 10000)
			backoff_us *= 2;
	}
	lk->fd = fd;
	return 0;
}

void lock_release(struct file_lock *lk)
{
	if (lk->fd < 0)
		return;
	/* Closing drops the flock. */
	close(lk->fd);
	lk->fd = -1;
}
