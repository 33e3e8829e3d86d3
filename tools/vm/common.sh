# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the tools/vm scripts: where the cache lives and how to talk
# to the user. Sourced, never run.

KTLSKIT_CACHE=${KTLSKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktlskit}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$VM_DIR/../.." && pwd)

die()
{
	echo "${0##*/}: $*" >&2
	exit 2
}

note()
{
	[ -n "$VM_QUIET" ] || echo "${0##*/}: $*" >&2
}
