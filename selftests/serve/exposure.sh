#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What ktls-serve gives away that it should not: a folder
# redirect to another host (an open redirect through "//host/../folder"),
# a 304 for an If-Modified-Since in the future (RFC 9110 13.1.3: ignore
# it), and dotfiles (.git/config, .env, .htpasswd), which are answered 404
# unless --allow-dotfiles, while /.well-known/ (RFC 8615) stays reachable.
#
#   curl --path-as-is --TLS--> ktls-serve (127.0.0.1)

. "$(dirname "$0")/serve.bash"
need_serve
setup_root
mkdir -p "$R/evil.example.com" "$R/.git" "$R/.well-known/acme-challenge"
echo "[core]" > "$R/.git/config"
echo "PASSWORD=x" > "$R/.env"
echo "user:hash" > "$R/sub/.htpasswd"
echo "Contact: mailto:security@example.com" > "$R/.well-known/security.txt"
echo "token" > "$R/.well-known/acme-challenge/tok"
echo "hidden" > "$R/.well-known/.secret"
start_serve

# location TARGET: the Location header of a HEAD, target sent as is
location()
{
	curl_c -sI --path-as-is "$U$1" | tr -d '\r' |
		sed -n 's/^Location: //p'
}
check "//evil.example.com/../sub redirects to /sub/" \
	[ "$(location //evil.example.com/../sub)" = /sub/ ]
check "//evil.example.com (a folder here) redirects to /evil.example.com/" \
	[ "$(location //evil.example.com)" = /evil.example.com/ ]
check "/%2f%2fevil.example.com/../sub redirects to /sub/" \
	[ "$(location /%2f%2fevil.example.com/../sub)" = /sub/ ]
check "///sub?x redirects to /sub/" [ "$(location '///sub?x')" = /sub/ ]
check "/sub still redirects to /sub/" [ "$(location /sub)" = /sub/ ]

# If-Modified-Since: the past and now are honoured, the future ignored
lm=$(curl_c -sI "$U/hello.txt" | tr -d '\r' | sed -n 's/^Last-Modified: //p')
future=$(LC_ALL=C date -u -d '+1 year' '+%a, %d %b %Y %H:%M:%S GMT')
check "If-Modified-Since Last-Modified: 304" \
	[ "$(status "$U/hello.txt" -H "If-Modified-Since: $lm")" = 304 ]
check "If-Modified-Since a year ahead ($future): 200" \
	[ "$(status "$U/hello.txt" -H "If-Modified-Since: $future")" = 200 ]

# dotfiles: 404 like a missing file, folders too (no 301 or 403); one
# curl, one connection for all
hidden="/.git/config /.env /sub/.htpasswd /.git /.git/ /%2egit/config
	/.well-known/.secret /sub/../.env"
urls=()
for p in $hidden; do
	urls+=(-o /dev/null "$U$p")
done
curl_c --path-as-is -w '%{http_code}\n' "${urls[@]}" > "$T/hidden"
i=0
for p in $hidden; do
	i=$((i + 1))
	check "$p: 404" [ "$(sed -n "${i}p" "$T/hidden")" = 404 ]
done
check "/.well-known/security.txt: 200" \
	[ "$(curl_c "$U/.well-known/security.txt")" = "Contact: mailto:security@example.com" ]
check "/.well-known/acme-challenge/tok: 200" \
	[ "$(curl_c "$U/.well-known/acme-challenge/tok")" = token ]
check "/.well-known redirects to /.well-known/" \
	[ "$(location /.well-known)" = /.well-known/ ]
stop_serve

start_serve --allow-dotfiles
check "--allow-dotfiles: /.git/config served" \
	[ "$(curl_c "$U/.git/config")" = "[core]" ]
check "--allow-dotfiles: /.env served" [ "$(curl_c "$U/.env")" = "PASSWORD=x" ]
check "--allow-dotfiles: /sub/.htpasswd served" \
	[ "$(curl_c "$U/sub/.htpasswd")" = "user:hash" ]
check "--allow-dotfiles: /.well-known/.secret served" \
	[ "$(curl_c "$U/.well-known/.secret")" = hidden ]
stop_serve
finish
