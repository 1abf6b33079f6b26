#include "scope.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fsutil.h"
#include "jsonscan.h"
#include "jsonw.h"
#include "sha256.h"
#include "banned.h"

int data_root(struct strbuf *out, struct strbuf *err)
{
	const char *env = getenv("TALLY_HOME");

	if (env && *env) {
		strbuf_addstr(out, env);
		return 0;
	}
	env = getenv("XDG_DATA_HOME");
	if (env && *env == '/') {
		path_join(out, env, "tally");
		return 0;
	}
	env = getenv("HOME");
	if (!env || !*env)
		return fail(err, T_ECONFIG, "cannot find the data directory: "
				"neither TALLY_HOME nor HOME is set");
	path_join(out, env, ".local/share/tally");
	return 0;
}

static int is_ceiling(const char *dir)
{
	const char *env = getenv("TALLY_CEILING_DIRECTORIES");
	const char *p;

	if (!env)
		return 0;
	for (p = env; *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		if (n && strlen(dir) == n && !strncmp(dir, p, n))
			return 1;
		if (!colon)
			break;
		p = colon + 1;
	}
	return 0;
}

static int has_marker(const char *dir)
{
	static const char *const markers[] = { ".git", ".tally.yaml", NULL };
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int found = 0;

	for (const char *const *m = markers; *m && !found; m++) {
		strbuf_reset(&path);
		path_join(&path, dir, *m);
		found = !stat(path.buf, &st);
	}
	strbuf_release(&path);
	return found;
}

static int search_upwards(struct strbuf *out)
{
	char cwd[PATH_MAX], *slash;

	if (!getcwd(cwd, sizeof(cwd)))
		return 0;
	for (;;) {
		if (is_ceiling(cwd))
			return 0;
		if (has_marker(cwd)) {
			strbuf_addstr(out, cwd);
			return 0;
		}
		slash = strrchr(cwd, '/');
		if (!slash || slash == cwd) {
			if (!strcmp(cwd, "/") || is_ceiling("/") ||
			    !has_marker("/"))
				return 0;
			strbuf_addstr(out, "/");
			return 0;
		}
		*slash = '\0';
	}
}

int workspace_find(const char *explicit_dir, struct strbuf *out,
		struct strbuf *err)
{
	char real[PATH_MAX];
	const char *what = "--workspace";

	if (!explicit_dir || !*explicit_dir) {
		explicit_dir = getenv("TALLY_WORKSPACE");
		what = "TALLY_WORKSPACE";
	}
	if (!explicit_dir || !*explicit_dir)
		return search_upwards(out);
	if (!realpath(explicit_dir, real))
		return fail_errno(err, T_EUSAGE, "%s: cannot use '%s'", what,
				explicit_dir);
	strbuf_addstr(out, real);
	return 0;
}

void workspace_id(const char *real_path, char out[17])
{
	sha256_hex(real_path, strlen(real_path), out, 16);
}

static char *join(const char *dir, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	path_join(&sb, dir, name);
	return strbuf_detach(&sb, NULL);
}

void scope_init(struct scope *sc, const char *root, const char *workspace)
{
	struct strbuf dir = STRBUF_INIT;

	memset(sc, 0, sizeof(*sc));
	sc->root = xstrdup(root);
	if (workspace) {
		char id[17];

		workspace_id(workspace, id);
		sc->is_workspace = 1;
		sc->workspace = xstrdup(workspace);
		sc->workspace_id = xstrdup(id);
		path_join(&dir, root, "workspaces/");
		strbuf_addstr(&dir, id);
	} else {
		path_join(&dir, root, "profile");
	}
	sc->dir = strbuf_detach(&dir, NULL);
	sc->ledger_path = join(sc->dir, "usage-ledger.jsonl");
	sc->lock_path = join(sc->dir, "usage-ledger.lock");
	sc->summary_path = join(sc->dir, "usage-summary.json");
}

void scope_init_dir(struct scope *sc, const char *root, const char *dir)
{
	const char *slash = strrchr(dir, '/');

	memset(sc, 0, sizeof(*sc));
	sc->root = xstrdup(root);
	sc->dir = xstrdup(dir);
	sc->is_workspace = 1;
	sc->workspace_id = xstrdup(slash ? slash + 1 : dir);
	sc->ledger_path = join(sc->dir, "usage-ledger.jsonl");
	sc->lock_path = join(sc->dir, "usage-ledger.lock");
	sc->summary_path = join(sc->dir, "usage-summary.json");
}

int scope_read_workspace(struct scope *sc)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct mempool pool = MEMPOOL_INIT;
	struct jscan s;
	struct js_span key, v;
	int ret = -1;

	path_join(&path, sc->dir, "workspace.json");
	if (strbuf_read_file(&text, path.buf))
		goto out;
	js_init(&s, text.buf, text.len);
	if (js_object_begin(&s) < 0)
		goto out;
	while (js_member(&s, &key) > 0) {
		if (!js_key_is(&key, "path")) {
			if (js_skip(&s) < 0)
				goto out;
			continue;
		}
		if (js_string(&s, &v) < 0)
			goto out;
		free(sc->workspace);
		sc->workspace = xstrdup(js_unescape(&v, &pool));
		ret = *sc->workspace == '/' ? 0 : -1;
		break;
	}
out:
	mempool_release(&pool);
	strbuf_release(&path);
	strbuf_release(&text);
	return ret;
}

static int write_workspace_json(const struct scope *sc, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, json = STRBUF_INIT;
	struct jsonw w;
	struct stat st;
	int ret = 0;

	path_join(&path, sc->dir, "workspace.json");
	if (!lstat(path.buf, &st))
		goto out;
	jw_init(&w, &json, JW_PRETTY);
	jw_object_begin(&w);
	jw_kv_string(&w, "path", sc->workspace);
	jw_kv_string(&w, "id", sc->workspace_id);
	jw_object_end(&w);
	if (write_file_atomic(path.buf, json.buf, json.len))
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'", path.buf);
out:
	strbuf_release(&path);
	strbuf_release(&json);
	return ret;
}

int scope_prepare(const struct scope *sc, struct strbuf *err)
{
	if (mkdir_p(sc->dir))
		return fail_errno(err, T_ELEDGER, "cannot create '%s'", sc->dir);
	if (sc->is_workspace)
		return write_workspace_json(sc, err);
	return 0;
}

void scope_release(struct scope *sc)
{
	free(sc->root);
	free(sc->dir);
	free(sc->workspace);
	free(sc->workspace_id);
	free(sc->ledger_path);
	free(sc->lock_path);
	free(sc->summary_path);
	memset(sc, 0, sizeof(*sc));
}

static int is_workspace_id(const char *name)
{
	size_t n = strspn(name, "0123456789abcdef");

	return n == 16 && !name[n];
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int workspace_ids(const char *root, struct strbuf *dir,
		char ***ids, size_t *nr, struct strbuf *err)
{
	size_t alloc = 0;
	struct dirent *de;
	DIR *d;

	strbuf_addf(dir, "%s/workspaces", root);
	if (!(d = opendir(dir->buf)))
		return errno == ENOENT ? 0 : fail_errno(err, T_ELEDGER,
				"cannot list '%s'", dir->buf);
	while ((errno = 0, de = readdir(d))) {
		if (!is_workspace_id(de->d_name))
			continue;
		ALLOC_GROW(*ids, *nr + 1, alloc);
		(*ids)[(*nr)++] = xstrdup(de->d_name);
	}
	if (errno) {
		closedir(d);
		return fail_errno(err, T_ELEDGER, "cannot list '%s'", dir->buf);
	}
	closedir(d);
	if (*nr)
		qsort(*ids, *nr, sizeof(**ids), compare_names);
	return 0;
}

int scope_list_all(struct scope_list *list, const char *root,
		struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	char **ids = NULL;
	size_t nr = 0;
	int ret = workspace_ids(root, &dir, &ids, &nr, err);

	ALLOC_GROW(list->v, list->nr + nr + 1, list->alloc);
	scope_init(&list->v[list->nr++], root, NULL);
	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/workspaces/%s", root, ids[i]);
		if (!ret)
			scope_init_dir(&list->v[list->nr++], root, dir.buf);
		free(ids[i]);
	}
	free(ids);
	strbuf_release(&dir);
	return ret;
}

void scope_list_release(struct scope_list *list)
{
	for (size_t i = 0; i < list->nr; i++)
		scope_release(&list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}
