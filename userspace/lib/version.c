// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The version of the library running, which may be newer than the header a
 * program was built with.
 */
#include "internal.h"

/**
 * ktls_major_version() - major version of the library running
 *
 * Return: KTLS_VERSION_MAJOR of the library's own build.
 */
KTLS_EXPORT int ktls_major_version(void)
{
	return KTLS_VERSION_MAJOR;
}

/**
 * ktls_minor_version() - minor version of the library running
 *
 * Return: KTLS_VERSION_MINOR of the library's own build.
 */
KTLS_EXPORT int ktls_minor_version(void)
{
	return KTLS_VERSION_MINOR;
}

/**
 * ktls_check_version() - whether the library running has what a version has
 * @major: major version the caller needs
 * @minor: minor version the caller needs
 *
 * A later minor version of the same major only adds to the API, so it
 * qualifies; another major version does not.
 *
 * Return: true when the library is @major.@minor or a later minor version
 * of @major.
 */
KTLS_EXPORT bool ktls_check_version(int major, int minor)
{
	return major == KTLS_VERSION_MAJOR && minor <= KTLS_VERSION_MINOR;
}
