#ifndef TALLY_PUBLISH_H
#define TALLY_PUBLISH_H

#include <stdint.h>

#include "strbuf.h"

/*
 * Publish and pull through a shared folder (remote.h has the layout,
 * tally-publish(1) the contract). Both return 0 or T_* with a message
 * in err.
 */

struct publish_opts {
	const char *root;         /* the data root */
	const char *folder;
	const char *device_name;  /* device_name, or NULL */
	int64_t now;
	int fsync;
	int64_t lock_timeout_ms;
};

struct publish_stats {
	uint64_t rows;            /* written in the new segment */
	uint64_t others;          /* rows of other devices, not this one's */
	uint64_t first, last;     /* the segment's numbers, when rows */
	char device[32];          /* this device's id */
};

/*
 * Writes this device's rows of every local scope that the folder has
 * not had yet as one segment in <folder>/<device id>/ (none when there
 * are none), and the device's device.json.
 */
int publish_run(const struct publish_opts *o, struct publish_stats *st,
		struct strbuf *err);

struct pull_stats {
	uint64_t devices;         /* other devices in the folder */
	uint64_t segments;        /* segments read */
	uint64_t rows;            /* rows added to the remote parts */
	uint64_t waiting;         /* segments not whole (yet), or after a gap */
	uint64_t superseded;      /* entries a device's rollups replaced */
};

/*
 * Adds every other device's segments that this data root has not read
 * from the folder to that device's remote part. A segment that is not
 * complete (still being copied, damaged) and those after it wait for
 * the next pull.
 */
int pull_run(const struct publish_opts *o, struct pull_stats *st,
		struct strbuf *err);

#endif
