// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/litebox: the misc device. Its ioctls answer the ABI version and
 * create sandboxes; everything else happens on a sandbox fd (sandbox.c).
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "device.h"
#include "ioctl_util.h"
#include "sandbox.h"

static ushort dev_mode = 0600;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode, "Permission bits of /dev/litebox (default 0600; grant a group with a udev rule, see README)");

static long lbx_ioctl_version(void __user *arg)
{
	struct lbx_version v;
	int ret;

	ret = lbx_copy_sized_arg(&v, sizeof(v), offsetofend(struct lbx_version, reserved), arg);
	if (ret)
		return ret;
	if (v.abi_version || v.features || v.reserved[0] || v.reserved[1])
		return -EINVAL;
	v.abi_version = LBX_ABI_VERSION;
	v.features = LBX_FEATURE_DIRECT | LBX_FEATURE_NETDEV | LBX_FEATURE_CRED |
		     LBX_FEATURE_LOWER_FD;
	return lbx_copy_sized_out(arg, &v, sizeof(v));
}

static long lbx_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case LBX_IOC_VERSION:
		return lbx_ioctl_version(uarg);
	case LBX_IOC_SANDBOX_CREATE:
		return lbx_sandbox_ioctl_create(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations lbx_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = lbx_dev_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice lbx_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "litebox",
	.fops = &lbx_dev_fops,
};

int lbx_device_init(void)
{
	lbx_misc.mode = dev_mode & 0777;
	return misc_register(&lbx_misc);
}

void lbx_device_exit(void)
{
	misc_deregister(&lbx_misc);
}
