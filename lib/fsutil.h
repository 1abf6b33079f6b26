#ifndef TALLY_FSUTIL_H
#define TALLY_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "strbuf.h"

/*
 * File-system helpers that apply tally's rules everywhere: directories are
 * created 0700 and files 0600 whatever the umask, symlinks are never
 * followed at the last component of a data file, and whole buffers are
 * written or the call fails.
 */

/* Creates dir and its missing parents (0700). Returns 0 or -1 (errno). */
int mkdir_p(const char *dir);

/*
 * Opens path with flags (O_CREAT implied), creating it 0600. Refuses a
 * symlink (ELOOP). Returns the fd or -1 (errno).
 */
int open_private(const char *path, int flags);

/* Writes all len bytes; retries short writes and EINTR. 0 or -1 (errno). */
int write_all(int fd, const void *buf, size_t len);

/* Reads up to len bytes at off; retries EINTR. Bytes read or -1. */
ssize_t pread_all(int fd, void *buf, size_t len, off_t off);

/* fsync of the directory holding path (after a create or rename). */
int fsync_parent_dir(const char *path);

/*
 * Removes the "<path>.tmp.<pid>" files beside path whose process is gone:
 * what a writer killed between creating its temporary file and renaming
 * it left behind. write_file_atomic*() call it first.
 */
void remove_stale_temps(const char *path);

/*
 * Writes data to path atomically: a temporary file next to it (0600),
 * fsync, rename over path, fsync of the directory. 0 or -1 (errno).
 */
int write_file_atomic(const char *path, const void *data, size_t len);

/* write_file_atomic() without the fsyncs, for caches that can be rebuilt. */
int write_file_atomic_nosync(const char *path, const void *data, size_t len);

/*
 * A file's bytes mapped read-only, for large files read whole and once:
 * the page cache is used in place instead of copied into fresh memory.
 * Only for files that are replaced by rename, never truncated in place
 * (a mapping past a truncated end faults). data is "" for an empty file.
 */
struct file_map {
	const char *data;
	size_t len;
};

/* 0, or -1 with errno (ENOENT when there is no such file). */
int file_map_open(struct file_map *m, const char *path);
void file_map_release(struct file_map *m);

/* Appends dir + "/" + name to sb. */
void path_join(struct strbuf *sb, const char *dir, const char *name);

#endif
