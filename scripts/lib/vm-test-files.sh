# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What the VM test lane (tests/vm/run-all.sh) needs in the VM beyond what
# scripts/vm-run always carries, for both kernels (scripts/check's vm lane
# and scripts/kunit --vm-tests): sourced, then
#
#   lbx_vm_test_adds BUILD_DIR    fills the array lbx_adds with --add options
#
# Run scripts/vm-run with LBX_VM_HOSTLIBS=auto so that the libraries of
# these programs come along.
lbx_vm_test_adds() {
	local b=$1 f py
	lbx_adds=()
	# Dynamically linked guests need their libraries in the VM.
	for f in "$b"/guest/*_dyn; do
		[[ -x $f ]] && lbx_adds+=(--add "$f:/opt/litebox/guest/${f##*/}")
	done
	# musl's guests need its interpreter (which is its libc), found by the
	# path they name.
	if compgen -G "$b/guest/*_musl" > /dev/null && [[ -e /lib/ld-musl-x86_64.so.1 ]]; then
		lbx_adds+=(--add "$(readlink -f /lib/ld-musl-x86_64.so.1):/lib/ld-musl-x86_64.so.1")
	fi
	# A real interpreter, when the host has one: python3 and its stdlib.
	py=$(readlink -f /usr/bin/python3 2>/dev/null || true)
	if [[ -x $py && -d /usr/lib/${py##*/} ]]; then
		lbx_adds+=(--add "/usr/bin/python3:/usr/bin/python3" --add "$py:$py"
			   --add "/usr/lib/${py##*/}:/usr/lib/${py##*/}")
	fi
	for f in /usr/bin/lua5.4 /usr/bin/sqlite3 /usr/bin/redis-server /usr/bin/redis-cli; do
		[[ -x $f ]] && lbx_adds+=(--add "$f:$f")
	done
	return 0
}
