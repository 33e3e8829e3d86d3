// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Slot accounting: how many handshakes run (max_handshakes), how many each
 * uid runs (max_per_uid) and how many of its connections wait for an
 * answer (max_pending_per_uid), and when each uid was last served, which
 * the queue reads to serve the least recently served uid first. Shared by
 * every worker, under one lock.
 */
#include <errno.h>
#include <stdlib.h>

#include "ktlsd.h"

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * What each uid holds, so that no uid can starve the others: handshakes
 * in flight (max_per_uid), connections accepted and not yet answered
 * (max_pending_per_uid, each worth up to two descriptors), and when it
 * was last given a slot (the queue serves the least recently served uid
 * first). An entry lives while the uid holds anything.
 */
struct uid_count {
	struct uid_count *next;
	uid_t uid;
	unsigned int n;
	unsigned int pending;
	unsigned long served;
	bool capped;		/* at max_pending_per_uid: logged once */
};

static struct uid_count *uid_counts;
static unsigned int slots_used;
static unsigned long serve_clock;

/* Under slot_lock. */
static struct uid_count **uid_find(uid_t uid)
{
	struct uid_count **pp;

	for (pp = &uid_counts; *pp; pp = &(*pp)->next)
		if ((*pp)->uid == uid)
			break;
	return pp;
}

/* Under slot_lock: the entry for @uid, made if missing; NULL: no memory. */
static struct uid_count *uid_get(uid_t uid)
{
	struct uid_count **pp = uid_find(uid);

	if (!*pp) {
		*pp = calloc(1, sizeof(**pp));
		if (*pp)
			(*pp)->uid = uid;
	}
	return *pp;
}

/* Under slot_lock: forget @uid when it holds nothing any more. */
static void uid_drop_idle(uid_t uid)
{
	struct uid_count **pp = uid_find(uid), *u = *pp;

	if (u && !u->n && !u->pending) {
		*pp = u->next;
		free(u);
	}
}

/* A handshake slot (@slot) or a pending connection is given back. */
static void uid_release(uid_t uid, bool slot)
{
	struct uid_count *u;
	unsigned int *held;

	pthread_mutex_lock(&slot_lock);
	u = *uid_find(uid);
	held = !u ? NULL : slot ? &u->n : &u->pending;
	if (held && *held)
		(*held)--;
	uid_drop_idle(uid);
	if (slot)
		slots_used--;
	pthread_mutex_unlock(&slot_lock);
}

/**
 * ktlsd_slot_get() - take a handshake slot for @uid
 * @conf: limits
 * @uid: asking uid
 *
 * Return: 0, -EBUSY when max_handshakes are in flight, -EUSERS when @uid
 * has max_per_uid in flight, -ENOMEM.
 */
int ktlsd_slot_get(const struct ktlsd_conf *conf, uid_t uid)
{
	struct uid_count *u;
	int ret = 0;

	pthread_mutex_lock(&slot_lock);
	u = *uid_find(uid);
	if (slots_used >= conf->max_handshakes) {
		ret = -EBUSY;
	} else if (u && u->n >= conf->max_per_uid) {
		ret = -EUSERS;
	} else {
		u = uid_get(uid);
		if (!u) {
			ret = -ENOMEM;
			goto out;
		}
		u->n++;
		u->served = ++serve_clock;
		slots_used++;
	}
out:
	pthread_mutex_unlock(&slot_lock);
	if (!ret)
		atomic_fetch_add(&ktlsd_stats.in_flight, 1);
	return ret;
}

/**
 * ktlsd_slot_put() - give a handshake slot back
 * @uid: the uid that took it
 */
void ktlsd_slot_put(uid_t uid)
{
	uid_release(uid, true);
	atomic_fetch_sub(&ktlsd_stats.in_flight, 1);
	/* the queue may be another worker's: each serves its own */
	if (atomic_load(&ktlsd_stats.queued))
		ktlsd_workers_wake();
}

/**
 * ktlsd_uid_served() - when @uid was last given a handshake slot
 * @uid: uid
 *
 * Return: a stamp that grows with every slot given, 0 for never (or not
 * since @uid last held nothing).
 */
unsigned long ktlsd_uid_served(uid_t uid)
{
	struct uid_count *u;
	unsigned long v;

	pthread_mutex_lock(&slot_lock);
	u = *uid_find(uid);
	v = u ? u->served : 0;
	pthread_mutex_unlock(&slot_lock);
	return v;
}

/**
 * ktlsd_pending_get() - count an accepted connection against its uid
 * @conf: limits
 * @uid: the connection's uid
 * @first: set the first time since @uid last held nothing, so that a
 *	refusal is logged once per episode, not once per connection
 *
 * Return: 0, -EUSERS at max_pending_per_uid, -ENOMEM.
 */
int ktlsd_pending_get(const struct ktlsd_conf *conf, uid_t uid, bool *first)
{
	struct uid_count *u;
	int ret = 0;

	*first = false;
	pthread_mutex_lock(&slot_lock);
	u = uid_get(uid);
	if (!u) {
		ret = -ENOMEM;
	} else if (u->pending >= conf->max_pending_per_uid) {
		*first = !u->capped;
		u->capped = true;
		ret = -EUSERS;
	} else {
		u->pending++;
	}
	if (ret)
		uid_drop_idle(uid);
	pthread_mutex_unlock(&slot_lock);
	return ret;
}

/**
 * ktlsd_pending_put() - an accepted connection was answered (or dropped)
 * @uid: its uid
 */
void ktlsd_pending_put(uid_t uid)
{
	uid_release(uid, false);
}
