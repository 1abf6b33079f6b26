#ifndef TALLY_LOCK_H
#define TALLY_LOCK_H

#include <stdint.h>

#include "strbuf.h"

/*
 * The ledger lock: an exclusive flock(2) on a file that is never renamed
 * or removed while tally runs (usage-ledger.lock), so every writer and
 * every rewrite of the ledger serialises on the same inode.
 *
 * Calling sequence: struct file_lock lk = FILE_LOCK_INIT;
 * lock_acquire(&lk, path, timeout, &err); ...; lock_release(&lk).
 * lock_release() is a no-op on a lock that is not held.
 *
 * Error handling: lock_acquire() returns 0, or T_ELEDGER with a message
 * when the lock file cannot be opened (errno says why) or the wait times
 * out (errno is EWOULDBLOCK).
 */
struct file_lock {
	int fd;
};
#define FILE_LOCK_INIT { -1 }

int lock_acquire(struct file_lock *lk, const char *path, int64_t timeout_ms,
		struct strbuf *err);
void lock_release(struct file_lock *lk);

#endif
