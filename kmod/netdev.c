// SPDX-License-Identifier: GPL-2.0
/*
 * A sandbox's network device, lbx<N> (lbx_sandbox_create.net): an L3
 * device (no link-layer header, no ARP) in the creator's network namespace
 * whose far end is the sandbox's interface in LiteBox's lwIP
 * (core/net/inet.c, lbx_inet_if_*). The host routes and filters the guest's
 * traffic with its own tools; addresses and routes on the host side are the
 * operator's (docs/net.md).
 *
 * Host to guest: ndo_start_xmit (atomic) only queues the packet (bounded)
 * and schedules a work item on lbx_wq, which feeds the queue to lwIP under
 * its sleeping lock. Guest to host: lwIP's output for the interface runs
 * in process context under that lock; it builds an skb and hands it to the
 * host stack with netif_rx().
 *
 * Teardown (with the sandbox fd): wait (5 s at most) for TCP data the
 * guests left in flight, detach the lwIP interface (no more output), unregister the device (no more xmit), cancel the work (no more
 * input), drop what is queued, free. The open sandbox fd holds the module.
 */
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <linux/rtnetlink.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <uapi/linux/in.h>
#include <uapi/linux/in6.h>

#include <litebox/inet.h>
#include <litebox/net.h>
#include "ioctl_util.h"
#include "netdev.h"
#include "sandbox.h"

#define LBX_NETDEV_QLEN		1024	/* packets queued for the guest */
#define LBX_NETDEV_BUDGET	64	/* packets per run of the work */

struct lbx_netdev {
	struct net_device *dev;
	struct lbx_inet_if *ifp;
	struct sk_buff_head rxq;	/* from the host, for the guest */
	struct work_struct work;
	bool dying;
	atomic64_t tx_packets, tx_bytes, tx_dropped;	/* host to guest */
	atomic64_t rx_packets, rx_bytes, rx_dropped;	/* guest to host */
};

static netdev_tx_t lbx_netdev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct lbx_netdev *nd = netdev_priv(dev);

	if (READ_ONCE(nd->dying) || skb_queue_len(&nd->rxq) >= LBX_NETDEV_QLEN) {
		atomic64_inc(&nd->tx_dropped);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	/* Held for a while: no route (a reference on this device), no
	 * socket memory, no conntrack entry. */
	skb_dst_drop(skb);
	skb_orphan(skb);
	nf_reset_ct(skb);
	skb_queue_tail(&nd->rxq, skb);
	queue_work(lbx_wq, &nd->work);
	return NETDEV_TX_OK;
}

static void lbx_netdev_work(struct work_struct *work)
{
	struct lbx_netdev *nd = container_of(work, struct lbx_netdev, work);
	struct sk_buff *skb;
	int n;

	for (n = 0; n < LBX_NETDEV_BUDGET; n++) {
		skb = skb_dequeue(&nd->rxq);
		if (!skb)
			return;
		if (READ_ONCE(nd->dying) || skb_linearize(skb)) {
			atomic64_inc(&nd->tx_dropped);
			kfree_skb(skb);
			continue;
		}
		atomic64_inc(&nd->tx_packets);
		atomic64_add(skb->len, &nd->tx_bytes);
		lbx_inet_if_input(nd->ifp, skb->data, skb->len);
		consume_skb(skb);
	}
	if (!skb_queue_empty(&nd->rxq))
		queue_work(lbx_wq, &nd->work);
}

static void lbx_netdev_get_stats64(struct net_device *dev,
				   struct rtnl_link_stats64 *s)
{
	struct lbx_netdev *nd = netdev_priv(dev);

	s->tx_packets = atomic64_read(&nd->tx_packets);
	s->tx_bytes = atomic64_read(&nd->tx_bytes);
	s->tx_dropped = atomic64_read(&nd->tx_dropped);
	s->rx_packets = atomic64_read(&nd->rx_packets);
	s->rx_bytes = atomic64_read(&nd->rx_bytes);
	s->rx_dropped = atomic64_read(&nd->rx_dropped);
}

static const struct net_device_ops lbx_netdev_ops = {
	.ndo_start_xmit = lbx_netdev_xmit,
	.ndo_get_stats64 = lbx_netdev_get_stats64,
};

static void lbx_netdev_setup(struct net_device *dev)
{
	dev->netdev_ops = &lbx_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->flags = IFF_NOARP | IFF_POINTOPOINT;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX;
	dev->mtu = 1500;
	dev->min_mtu = 576;
	dev->max_mtu = 65535;
}

/* ---- guest to host (lwIP's output, under its lock, process context) ---- */

static void *lbx_netdev_tx_alloc(void *ctx, u32 len, void **token)
{
	struct lbx_netdev *nd = ctx;
	struct sk_buff *skb;

	skb = __netdev_alloc_skb(nd->dev, len, GFP_KERNEL);
	if (!skb) {
		atomic64_inc(&nd->rx_dropped);
		return NULL;
	}
	*token = skb;
	return skb_put(skb, len);
}

static void lbx_netdev_tx_send(void *ctx, void *token)
{
	struct lbx_netdev *nd = ctx;
	struct sk_buff *skb = token;

	switch (skb->data[0] >> 4) {
	case 4:
		skb->protocol = htons(ETH_P_IP);
		break;
	case 6:
		skb->protocol = htons(ETH_P_IPV6);
		break;
	default:
		atomic64_inc(&nd->rx_dropped);
		kfree_skb(skb);
		return;
	}
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_NONE;	/* lwIP made them */
	atomic64_inc(&nd->rx_packets);
	atomic64_add(skb->len, &nd->rx_bytes);
	netif_rx(skb);
}

static const struct lbx_inet_if_ops lbx_netdev_if_ops = {
	.tx_alloc = lbx_netdev_tx_alloc,
	.tx_send = lbx_netdev_tx_send,
};

/* ---- the configuration ---- */

static bool v4_unicast(const u8 *a, u8 prefix)
{
	u32 host, mask;

	if (memchr_inv(a + 4, 0, 12))
		return false;
	if (a[0] == 0 || a[0] == 127 || a[0] >= 224)
		return false;
	/* Not the network or broadcast address of a shared prefix. */
	if (prefix <= 30) {
		mask = ~0U >> prefix;
		host = ((u32)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]) & mask;
		if (!host || host == mask)
			return false;
	}
	return true;
}

static bool v6_unicast(const u8 *a)
{
	struct in6_addr in;
	int type;

	memcpy(&in, a, sizeof(in));
	type = ipv6_addr_type(&in);
	/* Global or unique-local unicast only: no link-local (zones), no
	 * loopback, no IPv4-mapped. */
	return (type & IPV6_ADDR_UNICAST) &&
	       !(type & (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_LOOPBACK |
			 IPV6_ADDR_MAPPED | IPV6_ADDR_SITELOCAL));
}

int lbx_netdev_check(const struct lbx_net_config *c)
{
	static const u8 zero[16];
	bool v6 = c->family == AF_INET6;

	if (memchr_inv(c->reserved, 0, sizeof(c->reserved)))
		return -EINVAL;
	if (!c->flags)
		return memchr_inv(c, 0, sizeof(*c)) ? -EINVAL : 0;
	if (c->flags != LBX_NET_DEVICE)
		return -EINVAL;
	if (c->family != AF_INET && !v6)
		return -EINVAL;
	if (!c->prefix || c->prefix > (v6 ? 128 : 32))
		return -EINVAL;
	if (c->mtu && (c->mtu < (v6 ? IPV6_MIN_MTU : 576)))
		return -EINVAL;
	if (v6 ? !v6_unicast(c->addr) : !v4_unicast(c->addr, c->prefix))
		return -EINVAL;
	if (memcmp(c->gw, zero, 16)) {
		if (!memcmp(c->gw, c->addr, 16))
			return -EINVAL;
		if (v6 ? !v6_unicast(c->gw) : !v4_unicast(c->gw, 32))
			return -EINVAL;
	}
	return 0;
}

/* ---- life cycle ---- */

int lbx_netdev_create(const struct lbx_net_config *c, u32 owner,
		      struct lbx_netdev **out)
{
	struct net *net = current->nsproxy->net_ns;
	struct lbx_inet_if_config cfg = {
		.family = c->family == AF_INET6 ? LX_AF_INET6 : LX_AF_INET,
		.prefix = c->prefix,
		.mtu = c->mtu ? c->mtu : 1500,
	};
	struct net_device *dev;
	struct lbx_netdev *nd;
	int ret;

	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	memcpy(cfg.addr, c->addr, 16);
	memcpy(cfg.gw, c->gw, 16);
	dev = alloc_netdev(sizeof(*nd), "lbx%d", NET_NAME_ENUM, lbx_netdev_setup);
	if (!dev)
		return -ENOMEM;
	dev->mtu = cfg.mtu;
	dev_net_set(dev, net);
	nd = netdev_priv(dev);
	nd->dev = dev;
	skb_queue_head_init(&nd->rxq);
	INIT_WORK(&nd->work, lbx_netdev_work);
	ret = lbx_inet_if_add(owner, &cfg, &lbx_netdev_if_ops, nd, &nd->ifp);
	if (ret)
		goto err_free;
	ret = register_netdev(dev);
	if (ret)
		goto err_if;
	*out = nd;
	return 0;
err_if:
	lbx_inet_if_detach(nd->ifp);
	lbx_inet_if_free(nd->ifp);
err_free:
	free_netdev(dev);
	return ret;
}

/* How long a sandbox's end waits for TCP data its guests left in flight. */
#define LBX_NETDEV_LINGER_MS	5000

void lbx_netdev_destroy(struct lbx_netdev *nd)
{
	struct net_device *dev = nd->dev;
	unsigned long end = jiffies + msecs_to_jiffies(LBX_NETDEV_LINGER_MS);

	/*
	 * The guests have closed their sockets; as Linux goes on sending
	 * after a process exits, let lwIP deliver what they left (the device
	 * still takes the ACKs, the timer work still runs), for a bounded
	 * time: detaching resets what is still in flight.
	 */
	while (lbx_inet_if_sending(nd->ifp) && time_before(jiffies, end))
		msleep(10);
	WRITE_ONCE(nd->dying, true);
	lbx_inet_if_detach(nd->ifp);	/* no more output */
	unregister_netdev(dev);		/* no more xmit */
	cancel_work_sync(&nd->work);	/* no more input */
	skb_queue_purge(&nd->rxq);
	lbx_inet_if_free(nd->ifp);
	free_netdev(dev);
}

long lbx_netdev_ioctl_info(struct lbx_netdev *nd, void __user *uarg)
{
	struct lbx_net_info info;
	int ret;

	ret = lbx_copy_sized_arg(&info, sizeof(info),
				 offsetofend(struct lbx_net_info, reserved), uarg);
	if (ret)
		return ret;
	if (info.ifindex || memchr_inv(info.ifname, 0, sizeof(info.ifname)) ||
	    info.reserved[0] || info.reserved[1])
		return -EINVAL;
	if (!nd)
		return -ENODEV;
	rtnl_lock();	/* against a rename */
	info.ifindex = nd->dev->ifindex;
	strscpy(info.ifname, nd->dev->name, sizeof(info.ifname));
	rtnl_unlock();
	return lbx_copy_sized_out(uarg, &info, sizeof(info));
}
