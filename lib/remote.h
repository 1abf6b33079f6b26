#ifndef TALLY_REMOTE_H
#define TALLY_REMOTE_H

#include <stdint.h>

#include "scope.h"
#include "strbuf.h"
#include "string-list.h"

/*
 * One history across machines through a shared folder (tally-publish(1)):
 *
 *   <folder>/<device id>/<first>-<last>.ndjson   a segment: rows numbered
 *                                                first to last, NDJSON
 *   <folder>/<device id>/device.json             the device's name
 *
 * Each device writes only its own directory, a segment at a time (under
 * a temporary name, then renamed), so any tool that copies files can
 * carry them. What a device pulls from another lands in a remote part
 * of its data root, <root>/remotes/<device id>/, a scope of its own
 * (ledger, lock, summary cache) that only pull and forget change.
 *
 * Functions return 0 or T_* with a message in err, as scope.h's.
 */

/* The name of a segment of rows first to last (1-based, inclusive). */
void segment_name(struct strbuf *out, uint64_t first, uint64_t last);

/* Whether name is a segment's, and its numbers. */
int segment_name_parse(const char *name, uint64_t *first, uint64_t *last);

/* A segment found in a device's directory. */
struct segment {
	uint64_t first, last;
	char *path;
};

struct segment_list {
	struct segment *v;
	size_t nr, alloc;
};
#define SEGMENT_LIST_INIT { NULL, 0, 0 }

/*
 * The segments in dir, by their first row: files only (no links), named
 * as segments; a sync tool's temporary copies are other names and are
 * left out. A missing directory holds none.
 */
int segments_list(const char *dir, struct segment_list *out,
		struct strbuf *err);
void segment_list_release(struct segment_list *l);

/* The device directories of a folder (valid ids), sorted. */
int folder_devices(const char *folder, struct string_list *out,
		struct strbuf *err);

/* <root>/remotes/<id>: a remote part's directory. */
void remote_dir(struct strbuf *out, const char *root, const char *id);

/*
 * Appends the scope of every remote part of root (sorted by device id)
 * to list. A missing remotes directory has none.
 */
int scope_list_remotes(struct scope_list *list, const char *root,
		struct strbuf *err);

/* Appends the name in dir's device.json (a part's, or a folder's). */
void remote_device_name(const char *dir, struct strbuf *name);

/*
 * What reports call each device pulled into root: its name, or its id
 * when it has none or shares it with another (this device's name
 * self_name among them); pairs of id and label in ids and labels.
 */
int remote_device_labels(const char *root, const char *self_name,
		struct string_list *ids, struct string_list *labels,
		struct strbuf *err);

/*
 * The device id a remote part's scope belongs to (the last component of
 * its directory), or NULL when the scope is not a remote part.
 */
const char *scope_remote_device(const struct scope *sc);

#endif
