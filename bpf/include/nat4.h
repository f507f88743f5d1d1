/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Per-packet IPv4 NAT for services: rewriting addresses and ports with their
 * checksums fixed incrementally, and the entries of hedgerow_nat4 (one per
 * direction of a translated connection, see hedgerow_abi.h) with lifetimes
 * like conntrack's. TCP and UDP only: SCTP's checksum is a CRC that cannot be
 * patched incrementally.
 */
#ifndef HEDGEROW_NAT4_H
#define HEDGEROW_NAT4_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hedgerow_abi.h"
#include "config.h"
#include "nat_maps.h"
#include "parse.h"

#define NAT4_IP_CSUM_OFF (ETH_HLEN + 10)
#define NAT4_SADDR_OFF (ETH_HLEN + 12)
#define NAT4_DADDR_OFF (ETH_HLEN + 16)
#define NAT4_SNAT_ATTEMPTS 8

/* The tuple a packet carries, as a key of the hook that sees it. */
struct nat4_tuple {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
};

static __always_inline int nat4_translatable(const struct hedgerow_packet *pkt)
{
	return pkt->ip_version == HEDGEROW_IPV4 && (pkt->protocol == IPPROTO_TCP || pkt->protocol == IPPROTO_UDP) &&
	       pkt->fragment == FRAGMENT_NONE;
}

static __always_inline void nat4_key(struct hedgerow_nat4_key *key, __be32 saddr, __be32 daddr, __be16 sport,
				     __be16 dport, __u8 protocol, __u8 hook)
{
	key->saddr = saddr;
	key->daddr = daddr;
	key->sport = sport;
	key->dport = dport;
	key->protocol = protocol;
	key->hook = hook;
	key->_pad = 0;
}

static __always_inline void nat4_key_of_packet(struct hedgerow_nat4_key *key, const struct hedgerow_packet *pkt, __u8 hook)
{
	nat4_key(key, pkt->saddr.words[3], pkt->daddr.words[3], pkt->sport, pkt->dport, pkt->protocol, hook);
}

/* How long an idle entry lives, in ticks: conntrack's lifetimes (hedgerow_config). */
static __always_inline __u64 nat4_lifetime(__u8 protocol, __u8 nat_flags, __u8 tcp_flags,
					   const struct hedgerow_config *config)
{
	__u32 seconds = or_default(config->ct_other_lifetime_s, DEFAULT_CT_OTHER_LIFETIME_S);

	if (protocol == IPPROTO_TCP) {
		if (nat_flags & HEDGEROW_NAT_F_CLOSING)
			seconds = or_default(config->ct_close_lifetime_s, DEFAULT_CT_CLOSE_LIFETIME_S);
		else if ((tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN)
			seconds = or_default(config->ct_syn_lifetime_s, DEFAULT_CT_SYN_LIFETIME_S);
		else
			seconds = or_default(config->ct_tcp_lifetime_s, DEFAULT_CT_TCP_LIFETIME_S);
	}
	return (__u64)seconds * config_ticks_per_second(config);
}

static __always_inline struct hedgerow_nat4_entry *nat4_find(const struct hedgerow_nat4_key *key, __u64 now)
{
	struct hedgerow_nat4_entry *entry = bpf_map_lookup_elem(&hedgerow_nat4, key);

	return entry && entry->expires > now ? entry : 0;
}

/*
 * A client's SYN on the tuple of a connection that is closing starts a new connection (the
 * client reused its port): it is translated afresh and reported, as conntrack does on endpoints.
 */
static __always_inline int nat4_reopened_by(const struct hedgerow_nat4_entry *entry, const struct hedgerow_packet *pkt)
{
	__u8 closing_forward = entry->flags & (HEDGEROW_NAT_F_CLOSING | HEDGEROW_NAT_F_REPLY);

	return pkt->protocol == IPPROTO_TCP && closing_forward == HEDGEROW_NAT_F_CLOSING &&
	       (pkt->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

/* A packet of the entry's connection passed: keep the entry alive (shorter once it closes). */
static __always_inline void nat4_refresh(struct hedgerow_nat4_entry *entry, const struct hedgerow_packet *pkt, __u64 now,
					 const struct hedgerow_config *config)
{
	__u8 flags = entry->flags;

	if (pkt->protocol == IPPROTO_TCP && (pkt->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) &&
	    !(flags & HEDGEROW_NAT_F_CLOSING)) {
		flags |= HEDGEROW_NAT_F_CLOSING;
		entry->flags = flags;
	}
	entry->expires = now + nat4_lifetime(pkt->protocol, flags, pkt->tcp_flags, config);
}

static __always_inline void nat4_entry_init(struct hedgerow_nat4_entry *entry, const struct hedgerow_packet *pkt,
					    __u64 now, const struct hedgerow_config *config, __u8 flags)
{
	__builtin_memset(entry, 0, sizeof(*entry));
	entry->created = now;
	entry->flags = flags;
	entry->expires = now + nat4_lifetime(pkt->protocol, flags, pkt->tcp_flags, config);
}

/*
 * Inserts the reply entry of a source-NATed connection under a free source port
 * of [port_min, port_max] (the key's dport), trying a few ports derived from
 * `hash`. Returns the port (network order), or 0 when every try was taken.
 */
static __always_inline __be16 nat4_insert_snat_reply(struct hedgerow_nat4_key *key, const struct hedgerow_nat4_entry *entry,
						     __u32 hash, __u16 port_min, __u16 port_max, __u64 now)
{
	__u32 range = (__u32)port_max - port_min + 1;
	int i;

	for (i = 0; i < NAT4_SNAT_ATTEMPTS; i++) {
		__u16 port = port_min + (__u16)((hash + (__u32)i * 2654435761u) % range);

		key->dport = bpf_htons(port);
		if (nat4_find(key, now))
			continue; /* in use by a live connection */
		if (bpf_map_update_elem(&hedgerow_nat4, key, entry, BPF_ANY) == 0)
			return key->dport;
	}
	return 0;
}

/* Byte offset of the IPv4 packet's L4 header, or a negative error. */
static __always_inline int nat4_l4_offset(struct __sk_buff *skb)
{
	__u8 version_ihl;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &version_ihl, 1) < 0)
		return -1;
	return ETH_HLEN + (version_ihl & 0x0f) * 4;
}

/* New values are read through pointers (a map value, or the caller's tuple) so
 * that no copy of them needs the stack, which the endpoint program nearly fills. */
static __always_inline int nat4_replace_addr(struct __sk_buff *skb, int l4_csum_off, __u64 l4_flags, int offset,
					     __be32 old, const __be32 *new)
{
	if (old == *new)
		return 0;
	if (bpf_l4_csum_replace(skb, l4_csum_off, old, *new, l4_flags | BPF_F_PSEUDO_HDR | sizeof(*new)) < 0 ||
	    bpf_l3_csum_replace(skb, NAT4_IP_CSUM_OFF, old, *new, sizeof(*new)) < 0)
		return -1;
	return bpf_skb_store_bytes(skb, offset, new, sizeof(*new), 0);
}

static __always_inline int nat4_replace_port(struct __sk_buff *skb, int l4_csum_off, __u64 l4_flags, int offset,
					     __be16 old, const __be16 *new)
{
	if (old == *new)
		return 0;
	if (bpf_l4_csum_replace(skb, l4_csum_off, old, *new, l4_flags | sizeof(*new)) < 0)
		return -1;
	return bpf_skb_store_bytes(skb, offset, new, sizeof(*new), 0);
}

/*
 * Rewrites the packet's tuple `from` (what it carries) to `to` (unchanged fields
 * are left alone), fixing the IP header checksum and the TCP/UDP checksum, whose
 * pseudo header covers the addresses. A UDP checksum of zero (none) stays zero.
 * Returns 0, or a negative error (the packet may be half rewritten: drop it).
 */
static __always_inline int nat4_rewrite(struct __sk_buff *skb, __u8 protocol, const struct nat4_tuple *from,
					const struct nat4_tuple *to)
{
	int l4 = nat4_l4_offset(skb);
	int csum_off;
	__u64 l4_flags = 0;

	if (l4 < 0)
		return -1;
	if (protocol == IPPROTO_TCP) {
		csum_off = l4 + 16;
	} else {
		csum_off = l4 + 6;
		l4_flags = BPF_F_MARK_MANGLED_0;
	}
	if (nat4_replace_addr(skb, csum_off, l4_flags, NAT4_SADDR_OFF, from->saddr, &to->saddr) < 0 ||
	    nat4_replace_addr(skb, csum_off, l4_flags, NAT4_DADDR_OFF, from->daddr, &to->daddr) < 0 ||
	    nat4_replace_port(skb, csum_off, l4_flags, l4, from->sport, &to->sport) < 0 ||
	    nat4_replace_port(skb, csum_off, l4_flags, l4 + 2, from->dport, &to->dport) < 0)
		return -1;
	return 0;
}

static __always_inline void nat4_tuple_of_packet(struct nat4_tuple *tuple, const struct hedgerow_packet *pkt)
{
	tuple->saddr = pkt->saddr.words[3];
	tuple->daddr = pkt->daddr.words[3];
	tuple->sport = pkt->sport;
	tuple->dport = pkt->dport;
}

static __always_inline void nat4_tuple_of_entry(struct nat4_tuple *tuple, const struct hedgerow_nat4_entry *entry)
{
	tuple->saddr = entry->saddr;
	tuple->daddr = entry->daddr;
	tuple->sport = entry->sport;
	tuple->dport = entry->dport;
}

#endif /* HEDGEROW_NAT4_H */
