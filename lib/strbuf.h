#ifndef TALLY_STRBUF_H
#define TALLY_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A growable string.
 *
 * Invariants: buf is never NULL (an empty strbuf points at a shared empty
 * string, so STRBUF_INIT needs no allocation) and buf[len] is always '\0'.
 * The bytes may contain NULs; len is authoritative.
 *
 * Calling sequence: struct strbuf sb = STRBUF_INIT; strbuf_add*(&sb, ...);
 * use sb.buf; strbuf_release(&sb). strbuf_detach() hands the memory over to
 * the caller. Allocation failure aborts: there is no sensible recovery for
 * a command-line tool that cannot allocate a few bytes.
 */
struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow_slow(struct strbuf *sb, size_t extra);
/* Room for extra more bytes and the NUL; inline as it is nearly always there. */
static inline void strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (sb->alloc <= sb->len || extra >= sb->alloc - sb->len)
		strbuf_grow_slow(sb, extra);
}
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_reset(struct strbuf *sb);

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
/* Inline: writers append characters one at a time by the million. */
static inline void strbuf_addch(struct strbuf *sb, int c)
{
	if (sb->len + 2 > sb->alloc)
		strbuf_grow_slow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}
void strbuf_addchars(struct strbuf *sb, int c, size_t n);

/* Replaces len bytes at pos with the n bytes of data. */
void strbuf_splice(struct strbuf *sb, size_t pos, size_t len,
		const void *data, size_t n);
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
/* Decimal digits of v, without printf: rows are written by the million. */
void strbuf_addint(struct strbuf *sb, int64_t v);
void strbuf_adduint(struct strbuf *sb, uint64_t v);
__attribute__((format(printf, 2, 3)))
void strbuf_addf(struct strbuf *sb, const char *fmt, ...);

/* Appends "1 row" or "3 rows": n and the noun that agrees with it. */
void strbuf_add_counted(struct strbuf *sb, uint64_t n, const char *one,
		const char *many);
__attribute__((format(printf, 2, 0)))
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

/* Appends strerror(errno) text for the given errno value. */
void strbuf_adderr(struct strbuf *sb, int errnum);

void strbuf_rtrim(struct strbuf *sb);

/*
 * Reads the whole of fd (or of the file at path) and appends it.
 * Returns 0, or -1 with errno set.
 */
int strbuf_read_fd(struct strbuf *sb, int fd);
int strbuf_read_file(struct strbuf *sb, const char *path);

/* Allocation helpers that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grows an array to hold at least nr elements, doubling as git's ALLOC_GROW. */
#define ALLOC_GROW(x, nr, alloc)                                              \
	do {                                                                  \
		if ((nr) > (alloc)) {                                         \
			(alloc) = (alloc) ? (alloc) * 2 : 16;                 \
			if ((alloc) < (nr))                                   \
				(alloc) = (nr);                               \
			(x) = xrealloc((x), sizeof(*(x)) * (alloc));          \
		}                                                             \
	} while (0)

#endif
