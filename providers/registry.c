#include "provider.h"

#include <string.h>
#include <strings.h>

#include "curl-load.h"
#include "http.h"
#include "reconcile.h"
#include "../lib/error.h"
#include "../lib/banned.h"

/* Keep alphabetized. */
const struct provider *const provider_table[] = {
	&provider_anthropic,
	&provider_azure,
	&provider_deepseek,
	&provider_gemini,
	&provider_groq,
	&provider_mistral,
	&provider_openai,
	&provider_openrouter,
	&provider_xai,
	NULL,
};

/* Ids are lower case; "OpenAI" on a command line means openai. */
const struct provider *provider_by_id(const char *id)
{
	for (const struct provider *const *p = provider_table; *p; p++)
		if (!strcasecmp((*p)->id, id))
			return *p;
	return NULL;
}

const struct provider *provider_detect(struct json_object *root)
{
	int score;

	return provider_detect_scored(root, &score);
}

const struct provider *provider_detect_scored(struct json_object *root,
		int *score_out)
{
	const struct provider *best = NULL;
	int best_score = 0;

	for (const struct provider *const *p = provider_table; *p; p++) {
		int score;

		if (!(*p)->detect_response)
			continue;
		score = (*p)->detect_response(root);
		if (score > best_score) {
			best = *p;
			best_score = score;
		}
	}
	*score_out = best_score;
	return best;
}

int provider_can_sync(const char *id)
{
	const struct provider *p = provider_by_id(id);

	return p && p->sync_kind != SYNC_NONE;
}

int provider_sync(const struct provider *p, struct sync_run *run,
		struct strbuf *err)
{
	if (p->reports)
		return reconcile_reports(run, p->reports, err);
	return p->sync ? p->sync(run, err) : 1;
}

/* ---- base URLs ---- */

/*
 * The host and path (without trailing slashes) of url, as libcurl reads
 * it; -1 also for a URL with a query or a fragment, which a base URL
 * cannot have: paths are appended to it
 * (http://localhost#@192.0.2.2/ would send them to localhost's "/").
 */
static int host_and_path(const char *url, struct strbuf *host,
		struct strbuf *path)
{
	struct strbuf ignored = STRBUF_INIT;
	char *h = NULL, *p = NULL, *q = NULL, *f = NULL;
	CURLU *u = NULL;
	int ret = -1;

	if (!curl_load(&ignored) && (u = curl_api.url()) &&
	    !curl_api.url_set(u, CURLUPART_URL, url, 0) &&
	    !curl_api.url_get(u, CURLUPART_HOST, &h, 0) &&
	    !curl_api.url_get(u, CURLUPART_PATH, &p, 0) &&
	    curl_api.url_get(u, CURLUPART_QUERY, &q, 0) &&
	    curl_api.url_get(u, CURLUPART_FRAGMENT, &f, 0)) {
		strbuf_addstr(host, h);
		strbuf_addstr(path, p);
		while (path->len && path->buf[path->len - 1] == '/')
			strbuf_setlen(path, path->len - 1);
		ret = 0;
	}
	if (h)
		curl_api.free(h);
	if (p)
		curl_api.free(p);
	if (q)
		curl_api.free(q);
	if (f)
		curl_api.free(f);
	if (u)
		curl_api.url_cleanup(u);
	strbuf_release(&ignored);
	return ret;
}

/* Whether path ends with the segment seg. */
static int ends_with_segment(const char *path, const char *seg)
{
	size_t n = strlen(path), m = strlen(seg);

	return n > m && path[n - m - 1] == '/' && !strcmp(path + n - m, seg);
}

static int check_path(const struct provider *p, const char *host,
		const char *path, const char *sdk_host, const char *sdk_path)
{
	struct strbuf twice = STRBUF_INIT;
	int bad;

	if (!strcasecmp(host, sdk_host))
		return strcmp(path, sdk_path) != 0;
	for (int i = 0; i < 4 && p->request_roots[i]; i++)
		if (ends_with_segment(path, p->request_roots[i]))
			return 1;
	strbuf_addf(&twice, "%s%s", sdk_path, sdk_path);
	bad = *sdk_path && strstr(path, twice.buf) != NULL;
	strbuf_release(&twice);
	return bad;
}

/* Whether host is suffix or ends with "." suffix. */
static int host_within(const char *host, const char *suffix)
{
	size_t n = strlen(host), m = strlen(suffix);

	if (n == m)
		return !strcasecmp(host, suffix);
	return n > m && host[n - m - 1] == '.' &&
		!strcasecmp(host + n - m, suffix);
}

const struct provider *provider_from_base_url(const char *url)
{
	struct strbuf host = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf sdk_host = STRBUF_INIT, sdk_path = STRBUF_INIT;
	const struct provider *found = NULL;

	if (host_and_path(url, &host, &path))
		goto out;
	if (host_within(host.buf, "openai.azure.com")) {
		found = &provider_azure;
		goto out;
	}
	for (const struct provider *const *p = provider_table; *p; p++) {
		strbuf_reset(&sdk_host);
		strbuf_reset(&sdk_path);
		if ((*p)->base_url &&
		    !host_and_path((*p)->base_url, &sdk_host, &sdk_path) &&
		    host_within(host.buf, sdk_host.buf)) {
			found = *p;
			break;
		}
	}
out:
	strbuf_release(&host);
	strbuf_release(&path);
	strbuf_release(&sdk_host);
	strbuf_release(&sdk_path);
	return found;
}

int provider_check_base_url(const struct provider *p, const char *url,
		struct strbuf *err)
{
	struct strbuf host = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf sdk_host = STRBUF_INIT, sdk_path = STRBUF_INIT;
	struct strbuf shown = STRBUF_INIT;
	int ret = 0;

	if (host_and_path(p->base_url, &sdk_host, &sdk_path))
		return 0; /* no libcurl: the request itself will say so */
	if (host_and_path(url, &host, &path) ||
	    check_path(p, host.buf, path.buf, sdk_host.buf, sdk_path.buf)) {
		http_url_redacted(url, &shown);
		ret = fail(err, T_ECONFIG, "providers.%s.base_url: '%s' is not "
				"a base URL as %s's SDK writes it; expected "
				"the form %s", p->id, shown.buf, p->name,
				p->base_url);
	}
	strbuf_release(&shown);
	strbuf_release(&host);
	strbuf_release(&path);
	strbuf_release(&sdk_host);
	strbuf_release(&sdk_path);
	return ret;
}
