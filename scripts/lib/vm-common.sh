# shellcheck shell=bash
# scripts/lib/vm-common.sh: helpers shared by the LiteBox VM scripts
# (scripts/vm-run and friends). Source it from bash; it defines functions and
# a few variables and has no side effects besides that.
#
#   LBX_REPO_ROOT    the repository root (derived from this file's location)
#   lbx_cache_dir    ${LBX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/litebox}
#
# Functions are prefixed lbx_; messages go to stderr prefixed with the
# calling program's name ($LBX_PROG, default the script name).

# Repository root: this file lives in <root>/scripts/lib/.
LBX_REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
: "${LBX_PROG:=${0##*/}}"

lbx_say() { printf '%s: %s\n' "$LBX_PROG" "$*" >&2; }
lbx_die() {
	printf '%s: error: %s\n' "$LBX_PROG" "$*" >&2
	exit 2
}

# lbx_cache_dir: print (and create) the per-user cache directory.
lbx_cache_dir() {
	local d=${LBX_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/litebox}
	mkdir -p -- "$d" || lbx_die "cannot create cache directory $d"
	printf '%s\n' "$d"
}

# lbx_kernel_version: the kernel ABI version to boot. $KERNEL_VERSION if set,
# else the newest /boot/vmlinuz-*-amd64 (version sort).
lbx_kernel_version() {
	if [[ -n ${KERNEL_VERSION:-} ]]; then
		printf '%s\n' "$KERNEL_VERSION"
		return
	fi
	local f newest=
	newest=$(for f in /boot/vmlinuz-*-amd64; do
		[[ -e $f ]] && printf '%s\n' "${f#/boot/vmlinuz-}"
	done | sort -V | tail -n 1)
	[[ -n $newest ]] ||
		lbx_die "no /boot/vmlinuz-*-amd64 found: install linux-image-amd64 (scripts/setup)"
	printf '%s\n' "$newest"
}

# lbx_file_stamp FILE: a cheap identity of FILE (size and mtime), used to
# notice that a cached artifact derived from it is stale.
lbx_file_stamp() { stat -L -c '%s-%Y' -- "$1"; }

# lbx_is_elf FILE: true if FILE is a regular file starting with the ELF
# magic (read with a builtin: no fork, so cheap on thousands of files).
lbx_is_elf() {
	local magic=
	[[ -f $1 && -r $1 ]] || return 1
	LC_ALL=C IFS= read -r -N 4 magic <"$1" 2>/dev/null || true
	[[ $magic == $'\x7fELF' ]]
}

# lbx_stock_vmlinux KVER: print the path of the uncompressed ELF vmlinux of
# Debian kernel KVER, extracting it from /boot/vmlinuz-KVER into the cache
# on first use (or when the bzImage changed).
lbx_stock_vmlinux() {
	local kver=$1 cache bz dir stamp
	cache=$(lbx_cache_dir)
	bz=/boot/vmlinuz-$kver
	[[ -r $bz ]] || lbx_die "kernel image $bz not found or not readable (KERNEL_VERSION=$kver?)"
	dir=$cache/kernel-$kver
	stamp=$(lbx_file_stamp "$bz")
	if [[ -s $dir/vmlinux && $(cat -- "$dir/stamp" 2>/dev/null) == "$stamp" ]]; then
		printf '%s\n' "$dir/vmlinux"
		return
	fi
	mkdir -p -- "$dir"
	lbx_say "extracting vmlinux from $bz (once per kernel) ..."
	"$LBX_REPO_ROOT/scripts/extract-vmlinux" "$bz" "$dir/vmlinux" ||
		lbx_die "could not extract vmlinux from $bz"
	printf '%s\n' "$stamp" >"$dir/stamp"
	printf '%s\n' "$dir/vmlinux"
}

# lbx_shquote STRING: print STRING single-quoted for a POSIX shell.
lbx_shquote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}
