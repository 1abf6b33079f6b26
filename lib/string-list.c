#include "string-list.h"

#include <stdlib.h>

#include "strbuf.h"
#include "banned.h"

void string_list_append(struct string_list *l, const char *s)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr++] = s;
}

void string_list_release(struct string_list *l)
{
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}
