// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-cat: addresses, connecting and listening.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cat.h"

/* Split "HOST:PORT", "[V6]:PORT" or "PORT" (host may stay NULL). */
static int split(const char *s, char **host, char **port)
{
	const char *colon = strrchr(s, ':');

	*host = NULL;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		*host = strndup(s + 1, end - s - 1);
		*port = strdup(end + 2);
	} else if (colon) {
		*host = strndup(s, colon - s);
		*port = strdup(colon + 1);
	} else {
		*port = strdup(s);
	}
	if (!*port || !**port) {
		free(*host);
		free(*port);
		return -EINVAL;
	}
	return 0;
}

/**
 * cat_connect() - resolve HOST:PORT and connect a TCP socket
 * @hostport: address
 * @host: set to the host part (caller frees), used as default SNI
 *
 * Return: socket or a negative errno.
 */
int cat_connect(const char *hostport, char **host)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char *port;
	int fd = -1, err, ret;

	ret = split(hostport, host, &port);
	if (ret || !*host) {
		fprintf(stderr, "ktls-cat: \"%s\" is not HOST:PORT\n",
			hostport);
		return -EINVAL;
	}
	err = getaddrinfo(*host, port, &hints, &res);
	free(port);
	if (err) {
		fprintf(stderr, "ktls-cat: cannot resolve %s: %s\n", *host,
			gai_strerror(err));
		return -EHOSTUNREACH;
	}
	ret = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			ret = fd;
			break;
		}
		ret = -errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (ret < 0)
		fprintf(stderr, "ktls-cat: cannot connect to %s: %s\n",
			hostport, strerror(-ret));
	return ret;
}

/**
 * cat_listen() - listening TCP socket on [ADDR:]PORT
 * @addrport: address
 *
 * Return: socket or a negative errno.
 */
int cat_listen(const char *addrport)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	}, *res;
	char *host, *port;
	int fd, err, one = 1;

	if (split(addrport, &host, &port)) {
		fprintf(stderr, "ktls-cat: \"%s\" is not [ADDR:]PORT\n",
			addrport);
		return -EINVAL;
	}
	if (!host)
		hints.ai_family = AF_INET6;
	err = getaddrinfo(host, port, &hints, &res);
	if (err && !host) {
		hints.ai_family = AF_INET;
		err = getaddrinfo(host, port, &hints, &res);
	}
	free(host);
	free(port);
	if (err) {
		fprintf(stderr, "ktls-cat: cannot use %s: %s\n", addrport,
			gai_strerror(err));
		return -EINVAL;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 16)) {
		close(fd);
		goto err;
	}
	freeaddrinfo(res);
	return fd;
err:
	err = errno;
	freeaddrinfo(res);
	fprintf(stderr, "ktls-cat: cannot listen on %s: %s\n", addrport,
		strerror(err));
	return -err;
}
