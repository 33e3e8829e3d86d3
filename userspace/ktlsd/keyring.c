// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keys the kernel names by serial (keyutils): a consumer's certificate and
 * private key ("user" keys holding DER), NVMe's TLS PSKs ("psk" keys whose
 * description is the PSK identity), and the keyrings they live in. ACCEPT
 * links the consumer's keyring into our process keyring, which all worker
 * threads share, and keys reached through it count as ours ("possessed"),
 * so reading them needs no permission for our uid. Keyrings named in
 * [kernel] keyrings are linked the same way at start and on reload, and
 * again when a PSK is not found (the module that creates .nvme may load
 * after ktlsd starts).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>

#include "ktlsd.h"

static pthread_mutex_t link_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint peer_keys;

/* A keyring's serial from /proc/keys, which lists those we may view. */
static int32_t find_keyring(const char *name)
{
	char line[512], type[64], desc[256], *colon, *end;
	unsigned int serial;
	long v;
	FILE *f;

	v = strtol(name, &end, 0);
	if (*name && !*end && v > 0 && v <= INT32_MAX)
		return (int32_t)v;
	f = fopen("/proc/keys", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%x %*s %*s %*s %*s %*s %*s %63s %255[^\n]",
			   &serial, type, desc) != 3 ||
		    strcmp(type, "keyring"))
			continue;
		colon = strrchr(desc, ':');
		if (colon)
			*colon = '\0';
		if (!strcmp(desc, name)) {
			fclose(f);
			return (int32_t)serial;
		}
	}
	fclose(f);
	return -ENOENT;
}

static void link_keyrings(const struct ktlsd_kernel *k, bool log)
{
	int32_t id;
	size_t i;

	pthread_mutex_lock(&link_lock);
	for (i = 0; k && i < k->nkeyrings; i++) {
		id = find_keyring(k->keyrings[i]);
		if (id > 0 && keyctl_link(id, KEY_SPEC_PROCESS_KEYRING))
			id = -errno;
		if (id < 0 && log)
			ktlsd_log(LOG_WARNING,
				  "kernel: keyring %s not linked (%s): PSKs in it are found only once it exists (ktlsd retries when a PSK is missing)",
				  ktlsd_quote(k->keyrings[i]), strerror(-id));
		else if (id > 0)
			ktlsd_log(LOG_DEBUG, "kernel: keyring %s is %08x",
				  ktlsd_quote(k->keyrings[i]), (unsigned int)id);
	}
	pthread_mutex_unlock(&link_lock);
}

/**
 * ktlsd_keyring_init() - our process keyring, with the configured keyrings
 * @k: the [kernel] section
 *
 * Return: 0 or a negative errno (no process keyring: kernel consumers'
 * keyrings could not be linked for us).
 */
int ktlsd_keyring_init(const struct ktlsd_kernel *k)
{
	if (keyctl_get_keyring_ID(KEY_SPEC_PROCESS_KEYRING, 1) < 0)
		return -errno;
	link_keyrings(k, true);
	return 0;
}

/**
 * ktlsd_key_read() - a key's payload
 * @serial: key
 * @data: set to a buffer to wipe and free
 * @len: its length
 *
 * Return: 0 or a negative errno (-ENOKEY, -EKEYREVOKED, -EACCES, ...).
 */
int ktlsd_key_read(int32_t serial, unsigned char **data, size_t *len)
{
	void *buf;
	int n = keyctl_read_alloc(serial, &buf);

	if (n < 0)
		return -errno;
	*data = buf;
	*len = n;
	return 0;
}

/**
 * ktlsd_key_description() - a key's description, checking its type
 * @serial: key
 * @type: expected type ("psk", "user")
 * @buf: description
 * @len: size of @buf
 *
 * Return: 0, -EKEYREJECTED for another type, or a negative errno.
 */
int ktlsd_key_description(int32_t serial, const char *type, char *buf,
			  size_t len)
{
	char *d, *p;
	int i;

	if (keyctl_describe_alloc(serial, &d) < 0)
		return -errno;
	/* "type;uid;gid;perm;description" */
	p = d;
	for (i = 0; i < 4 && p; i++) {
		if (i == 0 && (strncmp(p, type, strlen(type)) ||
			       p[strlen(type)] != ';')) {
			free(d);
			return -EKEYREJECTED;
		}
		p = strchr(p, ';');
		if (p)
			p++;
	}
	if (!p) {
		free(d);
		return -EPROTO;
	}
	snprintf(buf, len, "%s", p);
	free(d);
	return 0;
}

/**
 * ktlsd_key_copy() - a secret key's payload into the caller's buffer
 * @serial: key
 * @key: where it goes; the caller wipes it
 * @cap: size of @key
 *
 * Return: the payload's length, or a negative errno (-EMSGSIZE when it
 * does not fit).
 */
int ktlsd_key_copy(int32_t serial, unsigned char *key, size_t cap)
{
	unsigned char *data = NULL;
	size_t n = 0;
	int ret = ktlsd_key_read(serial, &data, &n);

	if (ret)
		return ret;
	ret = n <= cap ? (int)n : -EMSGSIZE;
	if (ret > 0)
		memcpy(key, data, n);
	explicit_bzero(data, n);
	free(data);
	return ret;
}

static int32_t psk_search(const char *identity, unsigned char *key,
			  size_t cap, int *len)
{
	long id = keyctl_search(KEY_SPEC_PROCESS_KEYRING, "psk", identity, 0);

	if (id < 0)
		return -errno;
	*len = ktlsd_key_copy((int32_t)id, key, cap);
	return *len < 0 ? *len : (int32_t)id;
}

/**
 * ktlsd_psk_find() - a TLS PSK by identity, from the keyrings we hold
 * @identity: the identity the peer offered (its description)
 * @key: the key; the caller wipes it
 * @cap: size of @key
 * @len: the key's length
 *
 * Return: the key's serial, or a negative errno (-ENOKEY: no such key).
 */
int32_t ktlsd_psk_find(const char *identity, unsigned char *key,
		       size_t cap, int *len)
{
	struct ktlsd_conf *c;
	int32_t id = psk_search(identity, key, cap, len);

	if (id != -ENOKEY)
		return id;
	c = ktlsd_current_conf();
	link_keyrings(c->kernel, false);
	ktlsd_conf_put(c);
	return psk_search(identity, key, cap, len);
}

/**
 * ktlsd_key_remember_cert() - a key for DONE's remote_auth
 * @der: the peer's certificate
 * @len: its length
 *
 * The kernel keeps only the serial (nfsd reads "non-zero" as mutual TLS),
 * so the key holds the certificate for anyone who looks it up, and expires
 * after an hour so that they do not pile up.
 *
 * Return: the serial, or a negative errno.
 */
int32_t ktlsd_key_remember_cert(const unsigned char *der, size_t len)
{
	char desc[64];
	int32_t id;

	snprintf(desc, sizeof(desc), "ktlsd:peer-certificate:%u",
		 atomic_fetch_add(&peer_keys, 1));
	id = add_key("user", desc, der, len, KEY_SPEC_PROCESS_KEYRING);
	if (id < 0)
		return -errno;
	keyctl_set_timeout(id, 3600);
	return id;
}
