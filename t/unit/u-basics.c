/* Unit tests for the small pieces: strbuf, sha256, utf8, hashset, ids. */
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fsutil.h"
#include "lib/hashset.h"
#include "lib/intern.h"
#include "lib/entry-id.h"
#include "lib/mempool.h"
#include "lib/sha256.h"
#include "lib/strbuf.h"
#include "lib/table.h"
#include "lib/utf8.h"

static int adduint_differs(struct strbuf *sb, uint64_t v)
{
	char want[32];

	snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
	strbuf_reset(sb);
	strbuf_adduint(sb, v);
	return strcmp(sb->buf, want) != 0;
}

/* A file of n bytes, 'a' to 'z' over and over; read back whole or not. */
static int read_file_differs(size_t n)
{
	char path[] = "/tmp/u-basics.XXXXXX";
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	int fd = mkstemp(path), differs;

	for (size_t i = 0; i < n; i++)
		strbuf_addch(&want, 'a' + (int)(i % 26));
	differs = fd < 0 || write(fd, want.buf, want.len) != (ssize_t)want.len;
	if (fd >= 0)
		close(fd);
	strbuf_addstr(&got, "kept:");
	differs = differs || strbuf_read_file(&got, path) ||
		got.len != n + 5 || memcmp(got.buf, "kept:", 5) ||
		memcmp(got.buf + 5, want.buf, n) || got.buf[got.len] != '\0';
	unlink(path);
	strbuf_release(&want);
	strbuf_release(&got);
	return differs;
}

/* The same through a pipe, whose size nobody knows in advance. */
static int read_pipe_differs(size_t n)
{
	struct strbuf got = STRBUF_INIT;
	int fds[2], differs = pipe(fds) != 0;
	pid_t pid;

	if (differs)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (size_t i = 0; i < n; i++) {
			char c = (char)('a' + (int)(i % 26));

			if (write(fds[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	differs = pid < 0 || strbuf_read_fd(&got, fds[0]) || got.len != n;
	for (size_t i = 0; !differs && i < n; i++)
		differs = got.buf[i] != 'a' + (int)(i % 26);
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	strbuf_release(&got);
	return differs;
}

static void file_map_cases(void)
{
	char path[] = "/tmp/u-basics-map.XXXXXX";
	struct file_map m;
	int fd = mkstemp(path), ok_empty, ok_full, ok_missing, ok_dir;

	ok_empty = fd >= 0 && !file_map_open(&m, path) && m.len == 0 &&
		m.data && !*m.data;
	file_map_release(&m);
	ok_full = fd >= 0 && write(fd, "hello\n", 6) == 6 &&
		!file_map_open(&m, path) && m.len == 6 &&
		!memcmp(m.data, "hello\n", 6);
	file_map_release(&m);
	ok(ok_empty && ok_full && m.len == 0, "file_map maps a file whole, "
			"an empty one as \"\"");
	if (fd >= 0)
		close(fd);
	unlink(path);
	ok_missing = file_map_open(&m, path) < 0 && errno == ENOENT;
	ok_dir = file_map_open(&m, "/tmp") < 0 && errno == EINVAL;
	ok(ok_missing && ok_dir, "file_map: ENOENT for a missing file, EINVAL "
			"for a directory");
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	char hex[65];

	ok(sb.buf && sb.buf[0] == '\0' && sb.len == 0, "STRBUF_INIT is empty");
	strbuf_addf(&sb, "%s-%d", "a", 42);
	strbuf_addch(&sb, '!');
	is_str(sb.buf, "a-42!", "strbuf_addf and addch");
	strbuf_addchars(&sb, 'x', 3);
	is_int(sb.len, 8, "length tracks appends");
	strbuf_reset(&sb);
	for (int i = 0; i < 10000; i++)
		strbuf_addstr(&sb, "0123456789");
	is_int(sb.len, 100000, "strbuf grows");
	strbuf_reset(&sb);
	strbuf_addint(&sb, 0);
	strbuf_addch(&sb, ' ');
	strbuf_addint(&sb, -42);
	strbuf_addch(&sb, ' ');
	strbuf_addint(&sb, INT64_MAX);
	strbuf_addch(&sb, ' ');
	strbuf_addint(&sb, INT64_MIN);
	strbuf_addch(&sb, ' ');
	strbuf_adduint(&sb, UINT64_MAX);
	is_str(sb.buf, "0 -42 9223372036854775807 -9223372036854775808 "
			"18446744073709551615", "strbuf_addint at the limits");
	{
		/* Every digit count, the pairs' edges, and a stretch in full. */
		int bad = 0;
		uint64_t v = 1;

		for (uint64_t i = 0; i < 20000; i++)
			bad += adduint_differs(&sb, i);
		for (int k = 0; k < 20; k++, v *= 10)
			bad += adduint_differs(&sb, v - 1) +
				adduint_differs(&sb, v) +
				adduint_differs(&sb, v + 1) +
				adduint_differs(&sb, v * 9 + 99);
		is_int(bad, 0, "strbuf_adduint agrees with printf");
	}
	{
		static const size_t sizes[] = { 0, 1, 63, 64, 65535, 65536,
			65537, 200000 };
		int bad = 0;

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			bad += read_file_differs(sizes[i]);
		is_int(bad, 0, "strbuf_read_file appends files of every size");
		bad = read_pipe_differs(0) + read_pipe_differs(70000);
		is_int(bad, 0, "strbuf_read_fd reads a pipe to its end");
	}
	file_map_cases();
	strbuf_release(&sb);
	ok(sb.buf[0] == '\0' && sb.len == 0, "release leaves it empty");

	sha256_hex("", 0, hex, 64);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
			"sha256 of nothing");
	sha256_hex("abc", 3, hex, 64);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			"sha256 of abc");
	{
		char big[1000];

		memset(big, 'a', sizeof(big));
		sha256_hex(big, sizeof(big), hex, 16);
		is_str(hex, "41edece42d63e8d9", "sha256 over several blocks, "
				"first 16 hex digits");
	}
	{
		/* The lengths at which the padding spills into another block. */
		static const struct { size_t n; const char *want; } pads[] = {
			{ 55, "9f4390f8d30c2dd9" }, { 56, "b35439a4ac6f0948" },
			{ 63, "7d3e74a05d7db15b" }, { 64, "ffe054fe7ae0cb6d" },
			{ 119, "31eba51c313a5c08" }, { 120, "2f3d335432c70b58" },
		};
		char as[120];

		memset(as, 'a', sizeof(as));
		for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
			sha256_hex(as, pads[i].n, hex, 16);
			is_str(hex, pads[i].want, "sha256 of %zu bytes", pads[i].n);
		}
	}

	ok(utf8_valid("caf\xc3\xa9", 5), "valid UTF-8");
	ok(!utf8_valid("\xc3", 1), "a cut sequence is invalid");
	ok(!utf8_valid("\xf4\x90\x80\x80", 4), "past U+10FFFF is invalid");
	is_int(utf8_width("caf\xc3\xa9", 5), 4, "width counts code points");

	{
		struct hashset set = { 0 };
		int all = 1;

		for (uint64_t i = 1; i <= 5000; i++)
			all &= hashset_add(&set, i * 0x9e3779b97f4a7c15ULL);
		ok(all && set.nr == 5000, "hashset adds 5000 distinct hashes");
		ok(!hashset_add(&set, 3 * 0x9e3779b97f4a7c15ULL),
				"adding one again is refused");
		ok(hashset_add(&set, 0) && hashset_has(&set, 0),
				"the zero hash is a member like any other");
		ok(!hashset_has(&set, 12345), "absent hashes are absent");
		hashset_release(&set);
	}
	{
		/* Hashes that all probe the same slot still stay apart. */
		struct hashset set = { 0 };
		int all = 1, found = 1;

		for (uint64_t i = 1; i <= 300; i++)
			all &= hashset_add(&set, i << 40);
		for (uint64_t i = 1; i <= 300; i++)
			found &= hashset_has(&set, i << 40);
		ok(all && found && set.nr == 300 && set.ix.nr == 300,
				"300 colliding hashes across growth");
		ok(set.ix.nslots * 3 >= set.nr * 4,
				"the index stays at most 3/4 full");
		ok(!hashset_has(&set, 301ULL << 40), "a collider not added is absent");
		hashset_release(&set);
	}
	{
		struct intern t;
		uint32_t a, b;
		int stable = 1;
		char name[32];

		intern_init(&t);
		is_int(intern_find(&t, ""), 0, "id 0 is the empty string");
		a = intern_id(&t, "openai", 6);
		b = intern_id(&t, "openai-extra", 6);
		ok(a == b && a == 1, "a prefix of len bytes is the same string");
		for (int i = 0; i < 1000; i++) {
			snprintf(name, sizeof(name), "model-%d", i);
			intern_id(&t, name, strlen(name));
		}
		for (int i = 0; i < 1000; i++) {
			snprintf(name, sizeof(name), "model-%d", i);
			stable &= intern_find(&t, name) == (uint32_t)i + 2;
		}
		ok(stable && intern_find(&t, "openai") == 1,
				"ids stay the same as the table grows");
		ok(intern_find(&t, "model-1000") == UINT32_MAX,
				"an unknown string has no id");
		intern_release(&t);
	}
	{
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		const char *parts[] = { "openai", "req_1", NULL };
		const char *parts2[] = { "openai", "req_2", NULL };

		id_derived(&a, "u_", parts);
		id_derived(&b, "u_", parts);
		ok(!strcmp(a.buf, b.buf) && a.len == 22,
				"derived ids are stable and 22 characters");
		strbuf_reset(&b);
		id_derived(&b, "u_", parts2);
		ok(strcmp(a.buf, b.buf), "different keys, different ids");
		strbuf_reset(&a);
		strbuf_reset(&b);
		id_random(&a, "u_");
		id_random(&b, "u_");
		ok(strcmp(a.buf, b.buf) && a.len == 22, "random ids differ");
		strbuf_release(&a);
		strbuf_release(&b);
	}
	{
		struct mempool pool = MEMPOOL_INIT;
		char *x = mempool_strdup(&pool, "first");
		char *big;

		for (int i = 0; i < 5000; i++)
			mempool_strdup(&pool, "some string that fills blocks");
		big = mempool_alloc(&pool, 100000);
		memset(big, 1, 100000);
		is_str(x, "first", "pool strings never move");
		mempool_reset(&pool);
		x = mempool_strdup(&pool, "again");
		is_str(x, "again", "a reset pool is reusable");
		mempool_release(&pool);
	}
	{
		struct strbuf out = STRBUF_INIT;

		fmt_count(&out, 35857);
		strbuf_addch(&out, ' ');
		fmt_count(&out, -1234567);
		strbuf_addch(&out, ' ');
		fmt_count(&out, 999);
		is_str(out.buf, "35,857 -1,234,567 999", "thousands separators");
		strbuf_reset(&out);
		fmt_count_short(&out, 950);
		strbuf_addch(&out, ' ');
		fmt_count_short(&out, 12345);
		strbuf_addch(&out, ' ');
		fmt_count_short(&out, 64000);
		strbuf_addch(&out, ' ');
		fmt_count_short(&out, 4500000);
		strbuf_addch(&out, ' ');
		fmt_count_short(&out, 999999);
		is_str(out.buf, "950 12.3k 64.0k 4.5M 999k", "short counts");
		strbuf_release(&out);
	}
	return tap_done();
}
