#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/error.h"
#include "../providers/http.h"
#include "../lib/banned.h"

void routes_init(struct routes *r)
{
	memset(r, 0, sizeof(*r));
}

void routes_release(struct routes *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].upstream);
	free(r->v);
	routes_init(r);
}

int routes_add(struct routes *r, const char *name, const char *upstream,
		const struct provider *p, struct strbuf *err)
{
	struct route *slot = NULL;
	size_t len = strlen(upstream);
	int ret;

	if (strlen(name) >= ROUTE_NAME_MAX || strchr(name, '/'))
		BUG("route name '%s'", name);
	ret = http_check_url(upstream, err);
	if (ret)
		return ret;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].name, name))
			slot = &r->v[i];
	if (!slot) {
		ALLOC_GROW(r->v, r->n + 1, r->alloc);
		slot = &r->v[r->n++];
		memset(slot, 0, sizeof(*slot));
		memcpy(slot->name, name, strlen(name) + 1);
	}
	free(slot->upstream);
	while (len && upstream[len - 1] == '/')
		len--;
	slot->upstream = xstrndup(upstream, len);
	slot->provider = p;
	return 0;
}

const struct route *routes_match(const struct routes *r, const char *path,
		const char **rest)
{
	const char *end;
	size_t len;

	if (*path != '/')
		return NULL;
	path++;
	end = strchr(path, '/');
	len = end ? (size_t)(end - path) : strlen(path);
	for (size_t i = 0; i < r->n; i++) {
		if (strlen(r->v[i].name) == len &&
		    !strncmp(r->v[i].name, path, len)) {
			*rest = path + len;
			return &r->v[i];
		}
	}
	return NULL;
}
