#ifndef TALLY_DEVICE_H
#define TALLY_DEVICE_H

#include <stddef.h>
#include <stdint.h>

struct entry;
struct config;

/*
 * This machine's device id: made once, at random ("d_" and 20 hex
 * digits), and kept in the data root's device-id file, so that every row
 * written here says where it was recorded when ledgers of several
 * machines meet. Not the hostname, which changes and says too much.
 * Rows without one (older releases') belong to this device.
 */

/*
 * The id, read from the device-id file or made and kept there when there
 * is none (a second process making one at the same moment loses and
 * reads the winner's). NULL when the data root cannot hold it: rows then
 * go without, and are this device's all the same.
 */
const char *device_id(void);

/* Whether a row's device id (NULL: none) is this device's. */
int device_is_self(const char *id);

/*
 * The same for readers, which never make the id: with no device-id
 * file, no row can carry this device's id, so any id is another's.
 */
int device_is_self_peek(const char *id);

/*
 * Stamps a row this device is about to write: when it was recorded and
 * by which device.
 */
void entry_stamp(struct entry *e, int64_t now);

/* Whether s (n bytes) is a device id: d_ and 20 hex digits. */
int device_id_valid(const char *s, size_t n);

/* Forgets the id read (for tests that change TALLY_HOME). */
void device_forget(void);

#endif
