# SPDX-License-Identifier: GPL-2.0
#
# bench/table.awk: the comparison table of two benchmark outputs (POSIX awk;
# busybox awk in the VM).
#
#   awk -v a=native -v b=lbx-run [-v targets="getpid=2.5 stat=2"] \
#       -f bench/table.awk A.out B.out
#
# Reads "bench: NAME VALUE ns" / "bench: NAME n/a" / "bench: NAME error"
# lines from A.out (the reference) then B.out, and prints one row per
# measurement: NAME, A ns, B ns, ratio B/A and, when targets names it, the
# target ratio (a ceiling) and whether this run meets it.

FNR == 1 { file++ }
$1 == "bench:" && NF >= 3 {
	name = $2
	if (!(name in seen)) { seen[name] = 1; order[++n] = name }
	if (file == 1) va[name] = $3; else vb[name] = $3
}

function fmt(v) {
	if (v == "") return "-"
	if (v !~ /^[0-9.]+$/) return v
	if (v + 0 >= 100000) return sprintf("%.0f", v)
	return sprintf("%.1f", v)
}

END {
	nt = split(targets, tl, " ")
	for (i = 1; i <= nt; i++) {
		split(tl[i], kv, "=")
		tgt[kv[1]] = kv[2]
	}
	printf "%-16s %14s %14s %9s  %s\n", "measurement", a " ns", b " ns", "ratio", "target"
	for (i = 1; i <= n; i++) {
		k = order[i]
		r = "-"
		if (va[k] ~ /^[0-9.]+$/ && vb[k] ~ /^[0-9.]+$/ && va[k] + 0 > 0)
			r = sprintf("%.2fx", vb[k] / va[k])
		t = ""
		if (k in tgt) {
			t = "<=" tgt[k] "x"
			if (r != "-")
				t = t ((vb[k] / va[k] <= tgt[k] + 0) ? " met" : " NOT met")
		}
		printf "%-16s %14s %14s %9s  %s\n", k, fmt(va[k]), fmt(vb[k]), r, t
	}
}
