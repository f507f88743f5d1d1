/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Packet parsing for the endpoint programs: Ethernet, IPv4 or IPv6 (with up to
 * four extension headers), then TCP, UDP, SCTP, ICMP or ICMPv6. The result is
 * the connection tuple and what flow events need; nothing here touches a map.
 *
 * Direct packet access only: the caller pulls non-linear headers in first.
 */
#ifndef HEDGEROW_PARSE_H
#define HEDGEROW_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hedgerow_abi.h"

#define HEDGEROW_IPPROTO_ICMPV6 58
#define HEDGEROW_IPV6_EXT_MAX 4
/* Extension headers beyond this many bytes after the IPv6 header are refused. */
#define HEDGEROW_IPV6_EXT_BYTES 256
/* Headers the programs may read: Ethernet, outer IP with options or IPv6 extension
 * headers, ICMP, the inner IP header of an ICMP error and its ports. */
#define HEDGEROW_HEADER_BYTES 384

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

/* What parse_packet found, besides a drop reason (enum hedgerow_drop_reason). */
enum parse_status {
	PARSE_OK = 0,
	PARSE_NOT_IP = 1,    /* ARP and other non-IP frames: never policed */
	PARSE_UNPOLICED = 2, /* IPv6 neighbour discovery and MLD: the link needs them */
	PARSE_TRUNCATED = 3, /* a header runs past the linear data (maybe pull and retry) */
};

enum parse_fragment {
	FRAGMENT_NONE = 0,
	FRAGMENT_FIRST = 1, /* offset 0, more to come: carries the L4 header */
	FRAGMENT_LATER = 2, /* no L4 header: ports come from the first fragment */
};

union hedgerow_addr {
	__u8 bytes[16];
	__u32 words[4];
};

struct hedgerow_packet {
	union hedgerow_addr saddr;
	union hedgerow_addr daddr;
	/* An ICMP error: the packet it reports on (inner_protocol 0 when unusable). */
	union hedgerow_addr inner_saddr;
	union hedgerow_addr inner_daddr;
	__u32 fragment_id;
	__be16 sport; /* conntrack ports: for ICMP echo, the identifier on one side */
	__be16 dport;
	__be16 inner_sport;
	__be16 inner_dport;
	__be16 policy_port; /* the port policy matches: dport, or the ICMP type */
	__u8 ip_version;    /* enum hedgerow_ip_version */
	__u8 protocol;
	__u8 inner_protocol;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 flow_flags; /* HEDGEROW_FLOW_F_TCP_NS */
	__u8 fragment;   /* enum parse_fragment */
	__u8 _pad[2];
};

static __always_inline void addr_set_ipv4(union hedgerow_addr *addr, __be32 ipv4)
{
	addr->words[0] = 0;
	addr->words[1] = 0;
	addr->words[2] = bpf_htonl(0x0000ffff);
	addr->words[3] = ipv4;
}

static __always_inline void addr_set_ipv6(union hedgerow_addr *addr, const struct in6_addr *ipv6)
{
	addr->words[0] = ipv6->in6_u.u6_addr32[0];
	addr->words[1] = ipv6->in6_u.u6_addr32[1];
	addr->words[2] = ipv6->in6_u.u6_addr32[2];
	addr->words[3] = ipv6->in6_u.u6_addr32[3];
}

static __always_inline int is_icmpv4_error(__u8 type)
{
	/* destination unreachable, source quench, redirect, time exceeded, parameter problem */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static __always_inline int is_icmpv6_error(__u8 type)
{
	/* destination unreachable, packet too big, time exceeded, parameter problem */
	return type >= 1 && type <= 4;
}

static __always_inline int is_icmpv6_link_control(__u8 type)
{
	/* MLD query/report/done (130-132), router/neighbour discovery (133-137), MLDv2 report (143) */
	return (type >= 130 && type <= 137) || type == 143;
}

static __always_inline int has_ports(__u8 protocol)
{
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP || protocol == IPPROTO_SCTP;
}

/* The ports of the packet an ICMP error quotes, when they are in the packet. */
static __always_inline void parse_inner_ports(void *l4, void *data_end, struct hedgerow_packet *pkt)
{
	__be16 *ports = l4;

	if (!has_ports(pkt->inner_protocol) || (void *)(ports + 2) > data_end) {
		pkt->inner_protocol = 0;
		return;
	}
	pkt->inner_sport = ports[0];
	pkt->inner_dport = ports[1];
}

static __always_inline void parse_icmpv4_inner(void *inner, void *data_end, struct hedgerow_packet *pkt)
{
	struct iphdr *ip = inner;
	__u32 ihl;

	if ((void *)(ip + 1) > data_end)
		return;
	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return;
	pkt->inner_protocol = ip->protocol;
	addr_set_ipv4(&pkt->inner_saddr, ip->saddr);
	addr_set_ipv4(&pkt->inner_daddr, ip->daddr);
	parse_inner_ports(inner + ihl, data_end, pkt);
}

static __always_inline void parse_icmpv6_inner(void *inner, void *data_end, struct hedgerow_packet *pkt)
{
	struct ipv6hdr *ip6 = inner;

	if ((void *)(ip6 + 1) > data_end)
		return;
	pkt->inner_protocol = ip6->nexthdr; /* extension headers inside an error: not followed */
	addr_set_ipv6(&pkt->inner_saddr, &ip6->saddr);
	addr_set_ipv6(&pkt->inner_daddr, &ip6->daddr);
	parse_inner_ports(inner + sizeof(*ip6), data_end, pkt);
}

/* ICMP and ICMPv6 share the first 8 bytes: type, code, checksum, identifier, sequence. */
static __always_inline int parse_icmp(void *l4, void *data_end, struct hedgerow_packet *pkt, int v6)
{
	__u8 *icmp = l4;
	__be16 identifier;
	__u8 request = v6 ? 128 : 8, reply = v6 ? 129 : 0;

	if ((void *)(icmp + 8) > data_end)
		return PARSE_TRUNCATED;
	pkt->icmp_type = icmp[0];
	pkt->icmp_code = icmp[1];
	pkt->policy_port = bpf_htons(icmp[0]);
	identifier = *(__be16 *)(icmp + 4);
	if (icmp[0] == request) {
		pkt->sport = identifier;
	} else if (icmp[0] == reply) {
		pkt->dport = identifier;
	} else if (v6) {
		if (is_icmpv6_link_control(icmp[0]))
			return PARSE_UNPOLICED;
		if (is_icmpv6_error(icmp[0]))
			parse_icmpv6_inner(icmp + 8, data_end, pkt);
	} else if (is_icmpv4_error(icmp[0])) {
		parse_icmpv4_inner(icmp + 8, data_end, pkt);
	}
	return PARSE_OK;
}

static __always_inline int parse_l4(void *l4, void *data_end, struct hedgerow_packet *pkt)
{
	__u8 *bytes = l4;
	__be16 *ports = l4;

	if (pkt->fragment == FRAGMENT_LATER)
		return PARSE_OK; /* no L4 header: the conntrack step fills the ports in */

	switch (pkt->protocol) {
	case IPPROTO_TCP:
		if ((void *)(bytes + 20) > data_end)
			return PARSE_TRUNCATED;
		pkt->tcp_flags = bytes[13];
		if (bytes[12] & 0x01)
			pkt->flow_flags |= HEDGEROW_FLOW_F_TCP_NS;
		break;
	case IPPROTO_UDP:
		if ((void *)(bytes + 8) > data_end)
			return PARSE_TRUNCATED;
		break;
	case IPPROTO_SCTP:
		/* The common header: source port, destination port, verification tag, checksum. */
		if ((void *)(bytes + 12) > data_end)
			return PARSE_TRUNCATED;
		break;
	case IPPROTO_ICMP:
		return pkt->ip_version == HEDGEROW_IPV4 ? parse_icmp(l4, data_end, pkt, 0) : PARSE_OK;
	case HEDGEROW_IPPROTO_ICMPV6:
		return pkt->ip_version == HEDGEROW_IPV6 ? parse_icmp(l4, data_end, pkt, 1) : PARSE_OK;
	default:
		return PARSE_OK; /* other protocols: policy by protocol only, no ports */
	}
	pkt->sport = ports[0];
	pkt->dport = ports[1];
	pkt->policy_port = ports[1];
	return PARSE_OK;
}

static __always_inline int parse_ipv4(void *data, void *data_end, struct hedgerow_packet *pkt)
{
	struct iphdr *ip = data + ETH_HLEN;
	__u32 ihl;
	__u16 fragment;

	if ((void *)(ip + 1) > data_end)
		return PARSE_TRUNCATED;
	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return HEDGEROW_DROP_INVALID_PACKET;
	pkt->ip_version = HEDGEROW_IPV4;
	pkt->protocol = ip->protocol;
	addr_set_ipv4(&pkt->saddr, ip->saddr);
	addr_set_ipv4(&pkt->daddr, ip->daddr);

	fragment = bpf_ntohs(ip->frag_off);
	if (fragment & 0x1fff)
		pkt->fragment = FRAGMENT_LATER;
	else if (fragment & 0x2000)
		pkt->fragment = FRAGMENT_FIRST;
	pkt->fragment_id = bpf_ntohs(ip->id);

	return parse_l4((void *)ip + ihl, data_end, pkt);
}

static __always_inline int parse_ipv6(void *data, void *data_end, struct hedgerow_packet *pkt)
{
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	__u32 offset = ETH_HLEN + sizeof(*ip6);
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > data_end)
		return PARSE_TRUNCATED;
	pkt->ip_version = HEDGEROW_IPV6;
	addr_set_ipv6(&pkt->saddr, &ip6->saddr);
	addr_set_ipv6(&pkt->daddr, &ip6->daddr);
	next = ip6->nexthdr;

#pragma unroll
	for (i = 0; i < HEDGEROW_IPV6_EXT_MAX; i++) {
		__u8 *ext = data + offset;

		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS &&
		    next != IPPROTO_FRAGMENT && next != IPPROTO_AH)
			break;
		if ((void *)(ext + 8) > data_end)
			return PARSE_TRUNCATED;
		if (next == IPPROTO_FRAGMENT) {
			__u16 fragment = bpf_ntohs(*(__be16 *)(ext + 2));

			if (fragment & 0xfff8)
				pkt->fragment = FRAGMENT_LATER;
			else if (fragment & 0x0001)
				pkt->fragment = FRAGMENT_FIRST;
			pkt->fragment_id = bpf_ntohl(*(__be32 *)(ext + 4));
			offset += 8;
		} else if (next == IPPROTO_AH) {
			offset += ((__u32)ext[1] + 2) * 4;
		} else {
			offset += ((__u32)ext[1] + 1) * 8;
		}
		next = ext[0];
		if (offset > ETH_HLEN + sizeof(*ip6) + HEDGEROW_IPV6_EXT_BYTES)
			return HEDGEROW_DROP_INVALID_IPV6_EXTENSION_HEADER;
	}
	if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS ||
	    next == IPPROTO_FRAGMENT || next == IPPROTO_AH)
		return HEDGEROW_DROP_INVALID_IPV6_EXTENSION_HEADER;

	pkt->protocol = next;
	return parse_l4(data + offset, data_end, pkt);
}

/*
 * Fills `pkt` from the packet. Returns PARSE_OK, another enum parse_status, or
 * a drop reason (>= 130) for a packet the datapath refuses.
 */
static __always_inline int parse_packet(struct __sk_buff *skb, struct hedgerow_packet *pkt)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return PARSE_NOT_IP;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(data, data_end, pkt);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(data, data_end, pkt);
	return PARSE_NOT_IP;
}

#endif /* HEDGEROW_PARSE_H */
