// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzzing ktlsd's request decoder (userspace/ktlsd/request.c), the code
 * that reads what any local user may send to the daemon.
 *
 * Built two ways:
 *  - with libFuzzer (make fuzz): LLVMFuzzerTestOneInput() is the target,
 *    run from the seeds of every request type in
 *    selftests/fuzz/corpus/ktlsd-request (written by the unit test build:
 *    ktlsd-request --seeds DIR);
 *  - as a host unit test (make check): main() mutates the same seeds
 *    itself (byte flips, length and attribute edits, truncations) for a
 *    fixed number of rounds under AddressSanitizer and UBSan.
 * Either way every accepted request must satisfy the decoder's promises:
 * strings NUL-terminated, printable where required, within their arrays,
 * the message inside the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/ktlsd/ktlsd.h"

static void check(const unsigned char *data, size_t size,
		  const struct ktlsd_request *r)
{
	if (memchr(r->profile, 0, sizeof(r->profile)) == NULL ||
	    memchr(r->sni, 0, sizeof(r->sni)) == NULL ||
	    memchr(r->alpn, 0, sizeof(r->alpn)) == NULL)
		abort();
	if (r->type == KTLSD_MSG_HANDSHAKE && (!r->profile[0] ||
					       r->role > KTLS_SERVER))
		abort();
	if (r->message && (r->message < data ||
			   r->message + r->message_len > data + size ||
			   r->message_len < 4))
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct ktlsd_request r;
	const char *why;

	if (!ktlsd_request_parse(data, size, &r, &why))
		check(data, size, &r);
	return 0;
}

#ifndef KTLSD_LIBFUZZER
static size_t seed(unsigned char *m, unsigned int which)
{
	unsigned char *a = m + sizeof(struct ktlsd_hdr);
	size_t cap = KTLSD_MAX_MSG - sizeof(struct ktlsd_hdr), off = 0;
	struct ktlsd_hdr h = { .magic = KTLSD_MAGIC,
			       .version = KTLSD_PROTO_VERSION };
	unsigned char ku[5] = { 24, 0, 0, 1, 1 };
	__u64 id = 0x1234;

	switch (which % 4) {
	case 0:
		h.type = KTLSD_MSG_HANDSHAKE;
		ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_ROLE, 1);
		ktlsd_attr_put_str(a, cap, &off, KTLSD_A_PROFILE, "web");
		ktlsd_attr_put_str(a, cap, &off, KTLSD_A_SERVER_NAME,
				   "example.test");
		ktlsd_attr_put_str(a, cap, &off, KTLSD_A_ALPN, "h2,http/1.1");
		ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_TIMEOUT_MS, 5000);
		break;
	case 1:
		h.type = KTLSD_MSG_POST_HANDSHAKE;
		ktlsd_attr_put(a, cap, &off, KTLSD_A_SESSION_ID, &id,
			       sizeof(id));
		ktlsd_attr_put(a, cap, &off, KTLSD_A_MESSAGE, ku, sizeof(ku));
		break;
	case 2:
		h.type = KTLSD_MSG_REKEY;
		ktlsd_attr_put(a, cap, &off, KTLSD_A_SESSION_ID, &id,
			       sizeof(id));
		ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_REKEY_FLAGS, 1);
		break;
	default:
		h.type = KTLSD_MSG_STATS;
		break;
	}
	h.len = off;
	memcpy(m, &h, sizeof(h));
	return sizeof(h) + off;
}

static void mutate(unsigned char *m, size_t *len)
{
	unsigned int k, edits = 1 + rand() % 4;

	for (k = 0; k < edits; k++) {
		size_t at = *len ? (size_t)rand() % *len : 0;

		switch (rand() % 6) {
		case 0:	/* flip a byte */
			if (*len)
				m[at] ^= 1u << (rand() % 8);
			break;
		case 1:	/* random byte */
			if (*len)
				m[at] = rand();
			break;
		case 2:	/* truncate */
			*len = at;
			break;
		case 3:	/* grow with junk */
			if (*len < KTLSD_MAX_MSG - 16) {
				memset(m + *len, rand(), 16);
				*len += 16;
			}
			break;
		case 4:	/* an attribute length or type near the end */
			if (*len >= sizeof(struct ktlsd_hdr) + 4) {
				at = sizeof(struct ktlsd_hdr) +
				     (rand() % ((*len - sizeof(struct ktlsd_hdr)) / 4)) * 4;
				m[at + 2 + rand() % 2] = rand();
			}
			break;
		default: /* make the header length agree again */
			if (*len >= sizeof(struct ktlsd_hdr)) {
				__u32 l = *len - sizeof(struct ktlsd_hdr);

				memcpy(m + 8, &l, sizeof(l));
			}
			break;
		}
	}
}

int main(int argc, char **argv)
{
	static unsigned char m[KTLSD_MAX_MSG];
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;
	unsigned long i, accepted = 0;
	struct ktlsd_request r;
	const char *why;
	size_t len;

	if (argc == 3 && !strcmp(argv[1], "--seeds")) {
		/* starting points for the libFuzzer run (make fuzz) */
		for (i = 0; i < 4; i++) {
			char path[4096];
			FILE *f;

			snprintf(path, sizeof(path), "%s/seed-%lu", argv[2], i);
			f = fopen(path, "w");
			if (!f)
				return 1;
			len = seed(m, i);
			fwrite(m, 1, len, f);
			fclose(f);
		}
		return 0;
	}
	srand(argc > 2 ? atoi(argv[2]) : 1);
	for (i = 0; i < 4; i++) {
		len = seed(m, i);
		if (ktlsd_request_parse(m, len, &r, &why)) {
			printf("not ok 1 seed %lu refused: %s\n", i, why);
			return 1;
		}
	}
	for (i = 0; i < rounds; i++) {
		unsigned char *copy;

		len = seed(m, i);
		mutate(m, &len);
		/* an exact-size heap copy, so ASan sees any over-read */
		copy = malloc(len ? len : 1);
		if (!copy)
			return 1;
		memcpy(copy, m, len);
		if (!ktlsd_request_parse(copy, len, &r, &why)) {
			check(copy, len, &r);
			accepted++;
		}
		free(copy);
	}
	printf("1..1\nok 1 %lu mutated requests decoded, %lu accepted, no fault\n",
	       rounds, accepted);
	printf("# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n");
	return 0;
}
#endif
