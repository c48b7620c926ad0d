// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "version.h"

extern char **environ;

void lbx_msg(const struct lbx_opts *o, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", o->tool);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void lbx_verbose(const struct lbx_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->verbose)
		return;
	fprintf(stderr, "%s: ", o->tool);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(const struct lbx_opts *o, FILE *f)
{
	bool kernel = !strcmp(o->tool, "lbx-launch");

	fprintf(f,
"Usage: %s [OPTIONS] PROGRAM [ARGS...]\n"
"\n"
"Runs PROGRAM, an unmodified Linux x86-64 program, inside a LiteBox sandbox:\n"
"%s"
"\n"
"Options:\n"
"  --rootfs TAR        use TAR (a tar image) as the read-only root file system;\n"
"                      without it the root holds PROGRAM, its ELF interpreter\n"
"                      and its shared libraries as found on the host, plus /tmp,\n"
"                      /dev and /proc\n"
"  --add HOST[:GUEST]  copy a host file or directory into the sandbox at GUEST\n"
"                      (default: the same path); repeatable\n"
"  --env K=V           set an environment variable; repeatable\n"
"  --clear-env         start from an empty environment instead of the host's\n"
"  --cwd DIR           initial working directory in the sandbox (default /)\n"
"  --mem-limit SIZE    file-system memory limit, e.g. 64M, 1G (default 256M)\n"
"  --max-procs N       most guest processes at once (default 64)\n"
"  --max-fds N         most open files per guest process (default 1024)\n"
"  --user UID[:GID]    run as UID (and GID; by default the user's group in\n"
"                      the sandbox's /etc/passwd, else 0) instead of root;\n"
"                      NAME[:GROUP] looks the names up in the sandbox's\n"
"                      /etc/passwd and /etc/group, which also give a named\n"
"                      user its supplementary groups\n"
"  --no-rewrite        do not rewrite the guest's syscall sites: every system\n"
"                      call traps (slower; for comparison and debugging)\n"
"%s"
"  -v, --verbose       say what LiteBox is doing\n"
"  -h, --help          show this help\n"
"  -V, --version       show the version\n"
"\n"
"Exit status: the guest's exit status, or 128+N if a signal N killed it;\n"
"2 for a usage error, 125 if LiteBox could not set up the sandbox, 126 if\n"
"PROGRAM cannot be executed, 127 if it was not found.\n",
		o->tool,
		kernel ?
"its system calls are served in the kernel by litebox.ko (/dev/litebox).\n" :
"its system calls are served in this process by LiteBox's userland platform.\n"
"Userland mode shares one address space between LiteBox and the guest: it is\n"
"a compatibility and development runner, not a security boundary.\n",
		kernel ?
"  --net ADDR/PREFIX[,gw=GW][,mtu=N]\n"
"                      give the guest the IPv4 or IPv6 address ADDR on a network\n"
"                      device lbx<N> in the host's network stack (-v names it);\n"
"                      the host side is yours to configure, e.g.\n"
"                        ip addr add 10.99.0.1/24 dev lbx0; ip link set lbx0 up\n"
"                      with gw=GW the guest reaches destinations beyond PREFIX\n"
"                      through the host. Needs CAP_NET_ADMIN. Without --net the\n"
"                      guest has loopback only\n"
"  --copy-image        hand the root image to litebox.ko as a buffer it copies\n"
"                      (the ABI 1.0 way) rather than as a file it maps from\n"
"                      (a sealed memfd, or the --rootfs file itself)\n"
"  --no-cache          build the default root image afresh, without the image\n"
"                      cache ($LBX_CACHE_DIR, else $XDG_CACHE_HOME/litebox,\n"
"                      else ~/.cache/litebox: built roots kept as tar files\n"
"                      that the next start of the same program hands to\n"
"                      litebox.ko unchanged; -v says hit or stored)\n" :
"  --net tun=NAME,ADDR/PREFIX[,gw=GW][,mtu=N]\n"
"                      give the guest the IPv4 or IPv6 address ADDR behind the\n"
"                      host TUN device NAME: an existing persistent one you own\n"
"                        (ip tuntap add dev NAME mode tun user $USER), or a new\n"
"                      one (needs CAP_NET_ADMIN). The host side is yours to\n"
"                      configure (ip addr add, ip link set NAME up). Without\n"
"                      --net the guest has loopback only\n");
}

static unsigned long long parse_size(const struct lbx_opts *o, const char *s)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		goto bad;
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	case '\0': break;
	default: goto bad;
	}
	if ((*end == 'i' || *end == 'B') && mul > 1)
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end || v > ~0ULL / mul)
		goto bad;
	return v * mul;
bad:
	lbx_msg(o, "invalid size '%s' (use a number with an optional K, M or G)", s);
	exit(LBX_EXIT_USAGE);
}

static unsigned int parse_count(const struct lbx_opts *o, const char *opt, const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > 1u << 20) {
		lbx_msg(o, "invalid %s '%s' (use a number from 1 to 1048576)", opt, s);
		exit(LBX_EXIT_USAGE);
	}
	return v;
}

static void *grow(void *p, size_t n, size_t size)
{
	p = realloc(p, (n + 1) * size);
	if (!p) {
		perror("realloc");
		exit(LBX_EXIT_SETUP);
	}
	return p;
}

enum { OPT_ROOTFS = 256, OPT_ADD, OPT_ENV, OPT_CLEAR_ENV, OPT_CWD, OPT_MEM,
	OPT_PROCS, OPT_FDS, OPT_NO_REWRITE, OPT_NET, OPT_USER, OPT_COPY_IMAGE,
	OPT_NO_CACHE };

/* A unicast address a host may use (prefix: its network's, for IPv4). */
static bool net_unicast(int family, const unsigned char *a, unsigned int prefix)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const unsigned char zero[16];

	if (family == AF_INET) {
		uint32_t v = (uint32_t)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
		uint32_t mask = prefix >= 32 ? 0 : ~0U >> prefix;

		if (a[0] == 0 || a[0] == 127 || a[0] >= 224)
			return false;
		return prefix > 30 || ((v & mask) && (v & mask) != mask);
	}
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) || !memcmp(a, mapped, 12))
		return false;		/* multicast, link/site-local, mapped */
	if (!memcmp(a, zero, 15) && (a[15] == 0 || a[15] == 1))
		return false;		/* unspecified, loopback */
	return true;
}

static void parse_net(struct lbx_opts *o, char *arg)
{
	struct lbx_net_opt *n = &o->net;
	char *save = NULL, *tok, *slash, *end;
	bool userland = !strcmp(o->tool, "lbx-run");
	const char *why = userland ? "use tun=NAME,ADDR/PREFIX[,gw=ADDR][,mtu=N]" :
		"use ADDR/PREFIX[,gw=ADDR][,mtu=N]";
	char buf[256];
	unsigned long v;

	n->arg = arg;
	if (strlen(arg) >= sizeof(buf))
		goto bad;
	strcpy(buf, arg);
	tok = strtok_r(buf, ",", &save);
	if (tok && !strncmp(tok, "tun=", 4)) {
		size_t len = strlen(tok + 4);

		if (!userland) {
			why = "tun= is for lbx-run; lbx-launch makes its own device lbx<N>";
			goto bad;
		}
		/* The kernel's rules for a device name (dev_valid_name()). */
		if (!len || len >= sizeof(n->tun) || !strcmp(tok + 4, ".") ||
		    !strcmp(tok + 4, "..") || strpbrk(tok + 4, "/: \t\n")) {
			why = "tun=NAME: a device name of 1 to 15 characters, no '/', ':' or spaces";
			goto bad;
		}
		memcpy(n->tun, tok + 4, len + 1);
		tok = strtok_r(NULL, ",", &save);
	} else if (userland) {
		why = "userland mode needs a host TUN device: tun=NAME,ADDR/PREFIX[,gw=ADDR][,mtu=N]";
		goto bad;
	}
	if (!tok || !(slash = strchr(tok, '/')))
		goto bad;
	*slash = '\0';
	if (inet_pton(AF_INET, tok, n->addr) == 1) {
		n->family = AF_INET;
	} else if (inet_pton(AF_INET6, tok, n->addr) == 1) {
		n->family = AF_INET6;
	} else {
		why = "ADDR is not an IPv4 or IPv6 address";
		goto bad;
	}
	errno = 0;
	v = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || !v ||
	    v > (n->family == AF_INET ? 32UL : 128UL)) {
		why = n->family == AF_INET ? "PREFIX must be 1..32" : "PREFIX must be 1..128";
		goto bad;
	}
	n->prefix = v;
	if (!net_unicast(n->family, n->addr, n->prefix)) {
		why = "ADDR is not a usable unicast host address";
		goto bad;
	}
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strncmp(tok, "gw=", 3)) {
			if (inet_pton(n->family, tok + 3, n->gw) != 1) {
				why = "gw= is not an address of ADDR's family";
				goto bad;
			}
			if (!net_unicast(n->family, n->gw, 128) ||
			    !memcmp(n->gw, n->addr, 16)) {
				why = "gw= is not a usable unicast address (other than ADDR)";
				goto bad;
			}
		} else if (!strncmp(tok, "mtu=", 4)) {
			unsigned long lo = n->family == AF_INET ? 576 : 1280;

			errno = 0;
			v = strtoul(tok + 4, &end, 10);
			if (errno || end == tok + 4 || *end || v < lo || v > 65535) {
				why = n->family == AF_INET ? "mtu= must be 576..65535" :
					"mtu= must be 1280..65535 for IPv6";
				goto bad;
			}
			n->mtu = v;
		} else {
			goto bad;
		}
	}
	return;
bad:
	lbx_msg(o, "invalid --net '%s' (%s)", arg, why);
	exit(LBX_EXIT_USAGE);
}

void lbx_opts_parse(struct lbx_opts *o, const char *tool, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "add", required_argument, NULL, OPT_ADD },
		{ "env", required_argument, NULL, OPT_ENV },
		{ "clear-env", no_argument, NULL, OPT_CLEAR_ENV },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "mem-limit", required_argument, NULL, OPT_MEM },
		{ "max-procs", required_argument, NULL, OPT_PROCS },
		{ "max-fds", required_argument, NULL, OPT_FDS },
		{ "no-rewrite", no_argument, NULL, OPT_NO_REWRITE },
		{ "copy-image", no_argument, NULL, OPT_COPY_IMAGE },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "net", required_argument, NULL, OPT_NET },
		{ "user", required_argument, NULL, OPT_USER },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->tool = tool;
	opterr = 0;
	/* "+": options end at PROGRAM, whose own options are its business. */
	while ((c = getopt_long(argc, argv, "+vhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOTFS:
			o->rootfs = optarg;
			break;
		case OPT_ADD: {
			char *colon = strchr(optarg, ':');

			o->adds = grow(o->adds, o->nadds, sizeof(*o->adds));
			o->adds[o->nadds].host = optarg;
			o->adds[o->nadds].guest = NULL;
			if (colon) {
				*colon = '\0';
				o->adds[o->nadds].guest = colon + 1;
			}
			if (!*o->adds[o->nadds].host ||
			    (colon && colon[1] != '/')) {
				if (colon)
					*colon = ':';	/* show it as given */
				lbx_msg(o, "invalid --add '%s' (HOST[:GUEST], GUEST absolute)", optarg);
				exit(LBX_EXIT_USAGE);
			}
			o->nadds++;
			break;
		}
		case OPT_ENV:
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				lbx_msg(o, "invalid --env '%s' (use K=V)", optarg);
				exit(LBX_EXIT_USAGE);
			}
			o->env = grow(o->env, o->nenv, sizeof(*o->env));
			o->env[o->nenv++] = optarg;
			break;
		case OPT_CLEAR_ENV:
			o->clear_env = true;
			break;
		case OPT_CWD:
			if (optarg[0] != '/') {
				lbx_msg(o, "invalid --cwd '%s' (must be absolute)", optarg);
				exit(LBX_EXIT_USAGE);
			}
			o->cwd = optarg;
			break;
		case OPT_MEM:
			o->mem_limit = parse_size(o, optarg);
			if (o->mem_limit < (1ULL << 20)) {
				lbx_msg(o, "--mem-limit %s is too small (at least 1M)", optarg);
				exit(LBX_EXIT_USAGE);
			}
			break;
		case OPT_PROCS:
			o->max_procs = parse_count(o, "--max-procs", optarg);
			break;
		case OPT_FDS:
			o->max_fds = parse_count(o, "--max-fds", optarg);
			if (o->max_fds < 3) {
				lbx_msg(o, "--max-fds %s is too small (the guest needs 3 for stdio)", optarg);
				exit(LBX_EXIT_USAGE);
			}
			break;
		case OPT_NO_REWRITE:
			o->no_rewrite = true;
			break;
		case OPT_COPY_IMAGE:
			o->copy_image = true;	/* lbx-run always serves its own buffer */
			break;
		case OPT_NO_CACHE:
			o->no_cache = true;	/* lbx-run has no cache */
			break;
		case OPT_NET:
			if (o->net.arg) {
				lbx_msg(o, "--net given twice (one device per sandbox)");
				exit(LBX_EXIT_USAGE);
			}
			parse_net(o, optarg);
			break;
		case OPT_USER:
			/* Names need the sandbox's /etc/passwd: lbx_user_resolve(). */
			o->user = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(o, stdout);
			exit(0);
		case 'V':
			printf("%s %s (LiteBox ABI %d.%d)\n", tool, LBX_VERSION,
			       LBX_ABI_MAJOR, LBX_ABI_MINOR);
			exit(0);
		default:
			if (optopt)
				lbx_msg(o, "unknown or incomplete option '-%c' (see --help)", optopt);
			else
				lbx_msg(o, "unknown or incomplete option '%s' (see --help)",
					argv[optind - 1]);
			exit(LBX_EXIT_USAGE);
		}
	}
	if (optind >= argc) {
		lbx_msg(o, "no PROGRAM given (see --help)");
		exit(LBX_EXIT_USAGE);
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
}

void lbx_opts_free(struct lbx_opts *o)
{
	free(o->adds);
	free(o->env);
}

char **lbx_opts_environ(const struct lbx_opts *o)
{
	size_t n = 0, i, j;
	char **env;

	if (!o->clear_env)
		while (environ[n])
			n++;
	env = calloc(n + o->nenv + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		env[i] = environ[i];
	/* --env replaces a variable of the same name. */
	for (j = 0; j < o->nenv; j++) {
		size_t klen = strchr(o->env[j], '=') - o->env[j] + 1, k;

		for (k = 0; k < n; k++)
			if (!strncmp(env[k], o->env[j], klen))
				break;
		env[k] = (char *)o->env[j];
		if (k == n)
			n++;
	}
	env[n] = NULL;
	return env;
}

int lbx_exec_error(const struct lbx_opts *o, const char *prog, int err)
{
	switch (err) {
	case ENOENT:
		if (o->cwd)
			lbx_msg(o, "%s or --cwd %s: not found in the sandbox (or the program's interpreter is missing)",
				prog, o->cwd);
		else
			lbx_msg(o, "%s: not found in the sandbox (or its interpreter is missing)", prog);
		return LBX_EXIT_NOENT;
	case ENOEXEC:
		lbx_msg(o, "%s: not an executable x86-64 ELF file or script", prog);
		return LBX_EXIT_NOEXEC;
	case EACCES:
		lbx_msg(o, "%s: permission denied", prog);
		return LBX_EXIT_NOEXEC;
	case EEXIST:
		lbx_msg(o, "%s: its load address collides with %s's own memory", prog, o->tool);
		return LBX_EXIT_NOEXEC;
	default:
		lbx_msg(o, "%s: cannot execute: %s", prog, strerror(err));
		return LBX_EXIT_NOEXEC;
	}
}
