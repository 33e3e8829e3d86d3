// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Content-Type by file name extension: the types a static file and media
 * server meets, everything else application/octet-stream.
 */
#include <string.h>
#include <strings.h>

#include "serve.h"

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "xml", "application/xml" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "mp4", "video/mp4" },
	{ "m4v", "video/mp4" },
	{ "webm", "video/webm" },
	{ "mkv", "video/x-matroska" },
	{ "mov", "video/quicktime" },
	{ "ts", "video/mp2t" },
	{ "m3u8", "application/vnd.apple.mpegurl" },
	{ "mpd", "application/dash+xml" },
	{ "mp3", "audio/mpeg" },
	{ "m4a", "audio/mp4" },
	{ "ogg", "audio/ogg" },
	{ "opus", "audio/ogg" },
	{ "flac", "audio/flac" },
	{ "wav", "audio/wav" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "zip", "application/zip" },
	{ "gz", "application/gzip" },
	{ "tar", "application/x-tar" },
	{ "xz", "application/x-xz" },
	{ "zst", "application/zstd" },
	{ "iso", "application/x-iso9660-image" },
};

/**
 * mime_type() - Content-Type for a file name
 * @path: file name or path
 *
 * Return: a media type, never NULL.
 */
const char *mime_type(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	size_t i;

	if (!dot || !dot[1])
		return "application/octet-stream";
	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcasecmp(dot + 1, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}
