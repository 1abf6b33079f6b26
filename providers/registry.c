#include "provider.h"

#include <string.h>

#include "../lib/banned.h"

/* Keep alphabetized. */
const struct provider *const provider_table[] = {
	&provider_anthropic,
	&provider_gemini,
	&provider_openai,
	&provider_openrouter,
	NULL,
};

const struct provider *provider_by_id(const char *id)
{
	for (const struct provider *const *p = provider_table; *p; p++)
		if (!strcmp((*p)->id, id))
			return *p;
	return NULL;
}

const struct provider *provider_detect(struct json_object *root)
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
	return best;
}

int provider_can_sync(const char *id)
{
	const struct provider *p = provider_by_id(id);

	return p && p->sync_kind != SYNC_NONE;
}
