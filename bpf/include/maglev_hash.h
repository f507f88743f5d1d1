/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The flow hash that picks a Maglev table entry: Bob Jenkins' lookup3 final mix
 * over three words (as the kernel's jhash_3words), so that every node maps a
 * flow to the same entry. The agent computes the same function
 * (Sources/HedgerowDatapath/Services/MaglevFlowHash.swift); changing either
 * side alone moves flows between nodes' choices.
 *
 *   a = source address, b = destination address (IPv4, host order)
 *   c = source port << 16 | destination port (host order)
 *   seed = the IP protocol number
 *   entry = hash % M
 */
#ifndef HEDGEROW_MAGLEV_HASH_H
#define HEDGEROW_MAGLEV_HASH_H

#include <linux/types.h>

#define MAGLEV_HASH_INIT 0xdeadbeefu

static __always_inline __u32 maglev_rotl(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> (32 - shift));
}

static __always_inline __u32 maglev_hash3(__u32 a, __u32 b, __u32 c, __u32 seed)
{
	__u32 init = MAGLEV_HASH_INIT + (3u << 2) + seed;

	a += init;
	b += init;
	c += init;
	c ^= b; c -= maglev_rotl(b, 14);
	a ^= c; a -= maglev_rotl(c, 11);
	b ^= a; b -= maglev_rotl(a, 25);
	c ^= b; c -= maglev_rotl(b, 16);
	a ^= c; a -= maglev_rotl(c, 4);
	b ^= a; b -= maglev_rotl(a, 14);
	c ^= b; c -= maglev_rotl(b, 24);
	return c;
}

static __always_inline __u32 maglev_flow_hash4(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, __u8 protocol)
{
	return maglev_hash3(bpf_ntohl(saddr), bpf_ntohl(daddr),
			    ((__u32)bpf_ntohs(sport) << 16) | bpf_ntohs(dport), protocol);
}

#endif /* HEDGEROW_MAGLEV_HASH_H */
