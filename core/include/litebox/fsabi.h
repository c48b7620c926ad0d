/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux x86-64 file-system ABI values core works in: open flags, file
 * types and modes, *at() flags, seek modes, dirent types. Prefixed LX_ so
 * they clash with neither a kernel nor a libc header.
 */
#ifndef LITEBOX_FSABI_H
#define LITEBOX_FSABI_H

#define LX_PATH_MAX		4096
#define LX_NAME_MAX		255
#define LX_MAXSYMLINKS		40

/* open(2) */
#define LX_O_ACCMODE		00000003
#define LX_O_RDONLY		00000000
#define LX_O_WRONLY		00000001
#define LX_O_RDWR		00000002
#define LX_O_CREAT		00000100
#define LX_O_EXCL		00000200
#define LX_O_NOCTTY		00000400
#define LX_O_TRUNC		00001000
#define LX_O_APPEND		00002000
#define LX_O_NONBLOCK		00004000
#define LX_O_DSYNC		00010000
#define LX_O_ASYNC		00020000
#define LX_O_DIRECT		00040000
#define LX_O_LARGEFILE		00100000
#define LX_O_DIRECTORY		00200000
#define LX_O_NOFOLLOW		00400000
#define LX_O_NOATIME		01000000
#define LX_O_CLOEXEC		02000000
#define LX_O_SYNC		04010000
#define LX_O_PATH		010000000
#define LX___O_TMPFILE		020000000
#define LX_O_TMPFILE		(LX___O_TMPFILE | LX_O_DIRECTORY)

/* File types and permission bits. */
#define LX_S_IFMT		0170000
#define LX_S_IFSOCK		0140000
#define LX_S_IFLNK		0120000
#define LX_S_IFREG		0100000
#define LX_S_IFBLK		0060000
#define LX_S_IFDIR		0040000
#define LX_S_IFCHR		0020000
#define LX_S_IFIFO		0010000
#define LX_S_ISUID		0004000
#define LX_S_ISGID		0002000
#define LX_S_ISVTX		0001000
#define LX_S_IALLUGO		0007777
#define LX_S_ISREG(m)		(((m) & LX_S_IFMT) == LX_S_IFREG)
#define LX_S_ISDIR(m)		(((m) & LX_S_IFMT) == LX_S_IFDIR)
#define LX_S_ISLNK(m)		(((m) & LX_S_IFMT) == LX_S_IFLNK)
#define LX_S_ISCHR(m)		(((m) & LX_S_IFMT) == LX_S_IFCHR)
#define LX_S_ISBLK(m)		(((m) & LX_S_IFMT) == LX_S_IFBLK)
#define LX_S_ISFIFO(m)		(((m) & LX_S_IFMT) == LX_S_IFIFO)
#define LX_S_ISSOCK(m)		(((m) & LX_S_IFMT) == LX_S_IFSOCK)

/* *at(2) */
#define LX_AT_FDCWD		(-100)
#define LX_AT_SYMLINK_NOFOLLOW	0x100
#define LX_AT_EACCESS		0x200
#define LX_AT_REMOVEDIR		0x200
#define LX_AT_SYMLINK_FOLLOW	0x400
#define LX_AT_NO_AUTOMOUNT	0x800
#define LX_AT_EMPTY_PATH	0x1000

/* renameat2(2) */
#define LX_RENAME_NOREPLACE	(1 << 0)
#define LX_RENAME_EXCHANGE	(1 << 1)
#define LX_RENAME_WHITEOUT	(1 << 2)

/* access(2) */
#define LX_F_OK			0
#define LX_X_OK			1
#define LX_W_OK			2
#define LX_R_OK			4

/* lseek(2) */
#define LX_SEEK_SET		0
#define LX_SEEK_CUR		1
#define LX_SEEK_END		2
#define LX_SEEK_DATA		3
#define LX_SEEK_HOLE		4

/* utimensat(2) */
#define LX_UTIME_NOW		((1L << 30) - 1L)
#define LX_UTIME_OMIT		((1L << 30) - 2L)

/* getdents64(2) d_type */
#define LX_DT_UNKNOWN		0
#define LX_DT_FIFO		1
#define LX_DT_CHR		2
#define LX_DT_DIR		4
#define LX_DT_BLK		6
#define LX_DT_REG		8
#define LX_DT_LNK		10
#define LX_DT_SOCK		12
#define LX_DT_WHT		14

/* fcntl(2), close_range(2) */
#define LX_FD_CLOEXEC		1
#define LX_CLOSE_RANGE_UNSHARE	(1U << 1)
#define LX_CLOSE_RANGE_CLOEXEC	(1U << 2)

/* The kernel's internal dev_t layout (MKDEV): 12-bit major, 20-bit minor. */
#define LBX_MINORBITS		20
#define LBX_MKDEV(ma, mi)	(((u32)(ma) << LBX_MINORBITS) | (u32)(mi))
#define LBX_MAJOR(dev)		((u32)(dev) >> LBX_MINORBITS)
#define LBX_MINOR(dev)		((u32)(dev) & ((1U << LBX_MINORBITS) - 1))

#endif
