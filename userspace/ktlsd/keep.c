// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * State kept after a handshake, bounded in count and time:
 *  - TLS 1.3 sessions, so an application can hand a KeyUpdate or a
 *    NewSessionTicket back, or ask for a rekey; they hold the wolfSSL
 *    object with its traffic keys, so they are few and short-lived;
 *  - client tickets, per profile and server name, for resumption.
 * Both are small lists under one lock: lookups are rare next to handshakes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ktlsd.h"

static pthread_mutex_t keep_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ktlsd_kept *kept;		/* newest first */
static unsigned int nkept;

struct ticket {
	struct ticket *next;
	char profile[64];
	char sni[256];
	long long expires;
	struct ktls_ticket *t;
};

static struct ticket *tickets;
static unsigned int ntickets;

/**
 * ktlsd_kept_free() - release a kept session
 * @k: entry, not in the list
 */
void ktlsd_kept_free(struct ktlsd_kept *k)
{
	if (!k)
		return;
	ktls_session_free(k->s);
	ktlsd_conf_put(k->conf);
	free(k);
	atomic_fetch_sub(&ktlsd_stats.kept, 1);
}

/* Unlink the oldest entry (the list is newest first); under keep_lock. */
static struct ktlsd_kept *unlink_oldest(void)
{
	struct ktlsd_kept **pp = &kept, *k;

	if (!kept)
		return NULL;
	while ((*pp)->next)
		pp = &(*pp)->next;
	k = *pp;
	*pp = NULL;
	nkept--;
	return k;
}

#define MAX_TALLY	64

/*
 * Which kept session must go to make room for one of @uid's; under
 * keep_lock. A uid at keep_sessions_per_uid loses its own oldest. When the
 * store is full, the uid holding the most sessions loses its oldest, so
 * that one busy uid evicts its own sessions and never another uid's
 * (with more uids than the tally holds, the oldest of all goes).
 */
static struct ktlsd_kept *unlink_victim(uid_t uid, unsigned int max,
					unsigned int per_uid)
{
	struct {
		uid_t uid;
		unsigned int n;
		struct ktlsd_kept **oldest;
	} t[MAX_TALLY];
	struct ktlsd_kept **pp, *k;
	unsigned int nt = 0, i, heavy = 0;

	for (pp = &kept; *pp; pp = &(*pp)->next) {
		for (i = 0; i < nt && t[i].uid != (*pp)->uid; i++)
			;
		if (i == nt) {
			if (nt == MAX_TALLY)
				return nkept >= max ? unlink_oldest() : NULL;
			t[nt].uid = (*pp)->uid;
			t[nt++].n = 0;
		}
		t[i].n++;
		/* the list is newest first: the last one seen is the oldest */
		t[i].oldest = pp;
	}
	for (i = 0; i < nt; i++) {
		if (t[i].uid == uid && t[i].n >= per_uid)
			break;
		if (t[i].n > t[heavy].n)
			heavy = i;
	}
	if (i == nt) {
		if (nkept < max || !nt)
			return NULL;
		i = heavy;
	}
	pp = t[i].oldest;
	k = *pp;
	*pp = k->next;
	k->next = NULL;
	nkept--;
	return k;
}

/**
 * ktlsd_keep_add() - keep a session for later post-handshake work
 * @k: entry with @s, @conf (a reference), @uid and names set; owned by
 *	the store afterwards, whatever the result
 * @ms: how long
 * @max: at most this many sessions (and at most keep_sessions_per_uid of
 *	@k's conf per uid); then the oldest session of the uid that holds
 *	the most is dropped
 * @idp: the session id (@k may be evicted by another thread at once, so
 *	it is not to be read after this call)
 *
 * Return: 0, or a negative errno (@k was freed).
 */
int ktlsd_keep_add(struct ktlsd_kept *k, unsigned int ms, unsigned int max,
		   uint64_t *idp)
{
	struct ktlsd_kept *old = NULL;

	atomic_fetch_add(&ktlsd_stats.kept, 1);
	if (!max || !ms) {
		ktlsd_kept_free(k);
		return -ENOSPC;
	}
	do {
		if (getrandom(&k->id, sizeof(k->id), 0) != sizeof(k->id)) {
			ktlsd_kept_free(k);
			return -EIO;
		}
	} while (!k->id);
	k->expires = ktlsd_now_ms() + ms;
	pthread_mutex_lock(&keep_lock);
	old = unlink_victim(k->uid, max, k->conf->keep_per_uid);
	k->next = kept;
	kept = k;
	nkept++;
	*idp = k->id;
	pthread_mutex_unlock(&keep_lock);
	ktlsd_kept_free(old);
	return 0;
}

/**
 * ktlsd_keep_take() - take a kept session out of the store to use it
 * @id: session id from the handshake reply
 * @uid: the asking peer; only the uid that ran the handshake may
 *
 * Return: the entry (now owned by the caller) or NULL.
 */
struct ktlsd_kept *ktlsd_keep_take(uint64_t id, uid_t uid)
{
	struct ktlsd_kept **pp, *k = NULL;
	long long now = ktlsd_now_ms();

	pthread_mutex_lock(&keep_lock);
	for (pp = &kept; *pp; pp = &(*pp)->next) {
		if ((*pp)->id != id)
			continue;
		if ((*pp)->uid != uid || (*pp)->expires <= now)
			break;
		k = *pp;
		*pp = k->next;
		k->next = NULL;
		nkept--;
		break;
	}
	pthread_mutex_unlock(&keep_lock);
	return k;
}

/**
 * ktlsd_keep_put_back() - return a session after use, kept @ms from now
 * @k: entry from ktlsd_keep_take()
 * @ms: how long
 */
void ktlsd_keep_put_back(struct ktlsd_kept *k, unsigned int ms)
{
	k->expires = ktlsd_now_ms() + ms;
	pthread_mutex_lock(&keep_lock);
	k->next = kept;
	kept = k;
	nkept++;
	pthread_mutex_unlock(&keep_lock);
}

/**
 * ktlsd_keep_sweep() - drop expired sessions and tickets
 * @all: drop everything (shutdown, or a reload that changed profiles)
 */
void ktlsd_keep_sweep(bool all)
{
	struct ktlsd_kept **pp, *k, *dead = NULL;
	struct ticket **tp, *t, *tdead = NULL;
	long long now = ktlsd_now_ms();

	pthread_mutex_lock(&keep_lock);
	for (pp = &kept; *pp;) {
		k = *pp;
		if (all || k->expires <= now) {
			*pp = k->next;
			k->next = dead;
			dead = k;
			nkept--;
		} else {
			pp = &k->next;
		}
	}
	for (tp = &tickets; *tp;) {
		t = *tp;
		if (all || t->expires <= now) {
			*tp = t->next;
			t->next = tdead;
			tdead = t;
			ntickets--;
		} else {
			tp = &t->next;
		}
	}
	pthread_mutex_unlock(&keep_lock);
	while (dead) {
		k = dead;
		dead = k->next;
		ktlsd_kept_free(k);
	}
	while (tdead) {
		t = tdead;
		tdead = t->next;
		ktls_ticket_free(t->t);
		free(t);
		atomic_fetch_sub(&ktlsd_stats.tickets, 1);
	}
}

/**
 * ktlsd_tickets_flush() - forget every ticket (profiles were reloaded)
 */
void ktlsd_tickets_flush(void)
{
	struct ticket *t;

	pthread_mutex_lock(&keep_lock);
	t = tickets;
	tickets = NULL;
	ntickets = 0;
	pthread_mutex_unlock(&keep_lock);
	while (t) {
		struct ticket *n = t->next;

		ktls_ticket_free(t->t);
		free(t);
		atomic_fetch_sub(&ktlsd_stats.tickets, 1);
		t = n;
	}
}

/**
 * ktlsd_ticket_put() - keep a client ticket for profile and server name
 * @profile: profile name
 * @sni: server name ("" when none)
 * @t: ticket; owned by the store afterwards
 * @ms: lifetime
 * @max: at most this many tickets
 *
 * A newer ticket for the same pair replaces the older one.
 */
void ktlsd_ticket_put(const char *profile, const char *sni,
		      struct ktls_ticket *t, unsigned int ms,
		      unsigned int max)
{
	struct ticket *n, **pp, *old = NULL;

	if (!max || !ms) {
		ktls_ticket_free(t);
		return;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		ktls_ticket_free(t);
		return;
	}
	snprintf(n->profile, sizeof(n->profile), "%s", profile);
	snprintf(n->sni, sizeof(n->sni), "%s", sni);
	n->expires = ktlsd_now_ms() + ms;
	n->t = t;
	atomic_fetch_add(&ktlsd_stats.tickets, 1);
	pthread_mutex_lock(&keep_lock);
	for (pp = &tickets; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->profile, profile) &&
		    !strcmp((*pp)->sni, sni))
			break;
	if (!*pp && ntickets >= max) {
		/* replace the oldest: the list is newest first */
		for (pp = &tickets; (*pp)->next; pp = &(*pp)->next)
			;
	}
	if (*pp) {
		old = *pp;
		*pp = old->next;
		ntickets--;
	}
	n->next = tickets;
	tickets = n;
	ntickets++;
	pthread_mutex_unlock(&keep_lock);
	if (old) {
		ktls_ticket_free(old->t);
		free(old);
		atomic_fetch_sub(&ktlsd_stats.tickets, 1);
	}
}

/**
 * ktlsd_ticket_use() - offer the kept ticket for profile and name
 * @profile: profile name
 * @sni: server name ("" when none)
 * @s: client session before the handshake
 *
 * Return: 1 when a ticket is offered, else 0.
 */
int ktlsd_ticket_use(const char *profile, const char *sni,
		     struct ktls_session *s)
{
	long long now = ktlsd_now_ms();
	struct ticket *t;
	int ret = 0;

	pthread_mutex_lock(&keep_lock);
	for (t = tickets; t; t = t->next)
		if (!strcmp(t->profile, profile) && !strcmp(t->sni, sni) &&
		    t->expires > now) {
			ret = ktls_session_set_ticket(s, t->t) == 0;
			break;
		}
	pthread_mutex_unlock(&keep_lock);
	return ret;
}

/**
 * ktlsd_ticket_drop() - forget the ticket for profile and name
 * @profile: profile name
 * @sni: server name ("" when none)
 *
 * Called when a handshake that offered it failed: a stale ticket must not
 * make every later handshake fail too.
 */
void ktlsd_ticket_drop(const char *profile, const char *sni)
{
	struct ticket **pp, *t = NULL;

	pthread_mutex_lock(&keep_lock);
	for (pp = &tickets; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->profile, profile) &&
		    !strcmp((*pp)->sni, sni)) {
			t = *pp;
			*pp = t->next;
			ntickets--;
			break;
		}
	pthread_mutex_unlock(&keep_lock);
	if (t) {
		ktls_ticket_free(t->t);
		free(t);
		atomic_fetch_sub(&ktlsd_stats.tickets, 1);
	}
}
