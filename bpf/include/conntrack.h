/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Connection tracking for the endpoint programs: one LRU entry per connection
 * and endpoint, keyed by the pod's side and the remote side of the tuple, so
 * both directions find it with one lookup. Established traffic and replies are
 * recognised here and skip the policy lookups. Later fragments of
 * a datagram borrow the ports of its first fragment.
 */
#ifndef HEDGEROW_CONNTRACK_H
#define HEDGEROW_CONNTRACK_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"
#include "config.h"
#include "parse.h"

#define HEDGEROW_CT4_MAX_ENTRIES 65536
#define HEDGEROW_CT6_MAX_ENTRIES 16384
#define HEDGEROW_FRAGMENT_MAX_ENTRIES 8192

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEDGEROW_CT4_MAX_ENTRIES);
	__type(key, struct hedgerow_ct4_key);
	__type(value, struct hedgerow_ct_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_ct4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEDGEROW_CT6_MAX_ENTRIES);
	__type(key, struct hedgerow_ct6_key);
	__type(value, struct hedgerow_ct_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_ct6 SEC(".maps");

/* A packet's conntrack key in the map of its family. */
struct ct_key {
	union {
		struct hedgerow_ct4_key v4;
		struct hedgerow_ct6_key v6;
	};
	int ipv6;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEDGEROW_FRAGMENT_MAX_ENTRIES);
	__type(key, struct hedgerow_frag_key);
	__type(value, struct hedgerow_frag_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_fragments SEC(".maps");

static __always_inline void ct_key_fill(struct ct_key *key, const union hedgerow_addr *local,
					const union hedgerow_addr *remote, __be16 local_port, __be16 remote_port,
					__u32 endpoint_id, __u8 protocol)
{
	if (key->ipv6) {
		__builtin_memcpy(key->v6.local_addr, local->bytes, sizeof(key->v6.local_addr));
		__builtin_memcpy(key->v6.remote_addr, remote->bytes, sizeof(key->v6.remote_addr));
		key->v6.local_port = local_port;
		key->v6.remote_port = remote_port;
		key->v6.endpoint_id = endpoint_id;
		key->v6.protocol = protocol;
		key->v6._pad = 0;
	} else {
		key->v4.local_addr = local->words[3];
		key->v4.remote_addr = remote->words[3];
		key->v4.local_port = local_port;
		key->v4.remote_port = remote_port;
		key->v4.endpoint_id = endpoint_id;
		key->v4.protocol = protocol;
		key->v4._pad = 0;
	}
}

/*
 * Keeps clang from merging the identical calls that precede it on two branches
 * into one call. The verifier inlines a map lookup only at a call site that
 * always sees the same map: one call taking either conntrack map cost every
 * packet the generic helper and an indirect (retpoline) call.
 */
#define keep_call_site() __asm__ __volatile__("" ::: "memory")

static __always_inline struct hedgerow_ct_entry *ct_find(const struct ct_key *key, __u64 now)
{
	struct hedgerow_ct_entry *entry;

	if (key->ipv6) {
		entry = bpf_map_lookup_elem(&hedgerow_ct6, &key->v6);
		keep_call_site();
	} else {
		entry = bpf_map_lookup_elem(&hedgerow_ct4, &key->v4);
	}
	return entry && entry->expires > now ? entry : 0;
}

/* The packet's key: the pod's side is the source leaving it (egress), the destination entering it. */
static __always_inline void ct_key_for_packet(struct ct_key *key, const struct hedgerow_packet *pkt,
					      __u32 endpoint_id, int egress)
{
	key->ipv6 = pkt->ip_version == HEDGEROW_IPV6;
	if (egress)
		ct_key_fill(key, &pkt->saddr, &pkt->daddr, pkt->sport, pkt->dport, endpoint_id, pkt->protocol);
	else
		ct_key_fill(key, &pkt->daddr, &pkt->saddr, pkt->dport, pkt->sport, endpoint_id, pkt->protocol);
}

/*
 * Finds the packet's connection with one lookup (two for an ICMP error).
 * `state` becomes the trace reason: ESTABLISHED (a packet in the direction of
 * the connection's first one), REPLY, RELATED (an ICMP error about the
 * connection) or NEW (then the result is null). `key` is left holding the
 * packet's own key, ready for ct_create.
 */
static __always_inline struct hedgerow_ct_entry *ct_lookup(const struct hedgerow_packet *pkt, __u32 endpoint_id,
							   __u8 direction, __u64 now, struct ct_key *key, __u8 *state)
{
	struct hedgerow_ct_entry *entry;
	int egress = direction == HEDGEROW_DIR_EGRESS;

	ct_key_for_packet(key, pkt, endpoint_id, egress);
	entry = ct_find(key, now);
	if (entry) {
		*state = entry->direction == direction ? HEDGEROW_TRACE_ESTABLISHED : HEDGEROW_TRACE_REPLY;
		return entry;
	}
	if (pkt->inner_protocol) {
		/* An error entering the pod reports on a packet the pod sent; one leaving it, on a
		 * packet the pod received: either way the quoted packet's pod side is known. */
		if (egress)
			ct_key_fill(key, &pkt->inner_daddr, &pkt->inner_saddr, pkt->inner_dport, pkt->inner_sport,
				    endpoint_id, pkt->inner_protocol);
		else
			ct_key_fill(key, &pkt->inner_saddr, &pkt->inner_daddr, pkt->inner_sport, pkt->inner_dport,
				    endpoint_id, pkt->inner_protocol);
		entry = ct_find(key, now);
		if (entry) {
			*state = HEDGEROW_TRACE_RELATED;
			return entry;
		}
		ct_key_for_packet(key, pkt, endpoint_id, egress);
	}
	*state = HEDGEROW_TRACE_NEW;
	return 0;
}

/* How long (in ticks) an idle connection in this state lives. */
static __always_inline __u64 ct_lifetime(__u8 protocol, __u8 ct_flags, const struct hedgerow_config *config)
{
	__u32 seconds = or_default(config->ct_other_lifetime_s, DEFAULT_CT_OTHER_LIFETIME_S);

	if (protocol == IPPROTO_TCP) {
		if (ct_flags & HEDGEROW_CT_F_CLOSING)
			seconds = or_default(config->ct_close_lifetime_s, DEFAULT_CT_CLOSE_LIFETIME_S);
		else if (ct_flags & HEDGEROW_CT_F_REPLY_SEEN)
			seconds = or_default(config->ct_tcp_lifetime_s, DEFAULT_CT_TCP_LIFETIME_S);
		else
			seconds = or_default(config->ct_syn_lifetime_s, DEFAULT_CT_SYN_LIFETIME_S);
	}
	return (__u64)seconds * config_ticks_per_second(config);
}

/* The first packet's facts for a new entry. */
struct ct_origin {
	__u32 policy_revision;
	__u32 policy_cookie;
	__u32 remote_identity;
	__u32 packet_length;
	__u16 rev_nat_id; /* the service it goes to (0: none) */
	__u8 translation_point;
	__u8 policy_match_type;
	__u8 direction; /* the hook that saw it */
	__u8 reported;  /* the packet goes out as a flow event */
};

static __always_inline int ct_create(const struct ct_key *key, const struct hedgerow_packet *pkt, __u64 now,
				     const struct hedgerow_config *config, const struct ct_origin *origin)
{
	struct hedgerow_ct_entry entry = {
		.created = now,
		.last_report_forward = origin->reported ? now : 0,
		.packets_forward = 1,
		.bytes_forward = origin->packet_length,
		.policy_revision = origin->policy_revision,
		.policy_cookie = origin->policy_cookie,
		.remote_identity = origin->remote_identity,
		.rev_nat_id = origin->rev_nat_id,
		.translation_point = origin->translation_point,
		.tcp_flags_forward = pkt->tcp_flags,
		.policy_match_type = origin->policy_match_type,
		.direction = origin->direction,
	};

	if (pkt->protocol == IPPROTO_TCP && (pkt->tcp_flags & TCP_FLAG_RST))
		entry.flags = HEDGEROW_CT_F_CLOSING;
	entry.expires = now + ct_lifetime(pkt->protocol, entry.flags, config);
	return key->ipv6 ? bpf_map_update_elem(&hedgerow_ct6, &key->v6, &entry, BPF_ANY)
			 : bpf_map_update_elem(&hedgerow_ct4, &key->v4, &entry, BPF_ANY);
}

/* What a packet changed about its connection, for flow aggregation. */
struct ct_change {
	__u8 new_tcp_flags;  /* SYN, FIN or RST seen for the first time in this direction */
	__u8 became_closing; /* this packet started the close */
};

/* Accounts a packet of an existing connection and renews the entry's lifetime. */
static __always_inline void ct_update(struct hedgerow_ct_entry *entry, const struct hedgerow_packet *pkt, int forward,
				      __u64 now, __u32 packet_length, const struct hedgerow_config *config,
				      struct ct_change *change)
{
	__u8 seen, tcp_flags = pkt->tcp_flags, ct_flags = entry->flags, updated = ct_flags;

	if (forward) {
		entry->packets_forward += 1;
		entry->bytes_forward += packet_length;
		seen = entry->tcp_flags_forward;
		if (tcp_flags & ~seen)
			entry->tcp_flags_forward = seen | tcp_flags;
	} else {
		entry->packets_reply += 1;
		entry->bytes_reply += packet_length;
		seen = entry->tcp_flags_reply;
		if (tcp_flags & ~seen)
			entry->tcp_flags_reply = seen | tcp_flags;
		updated |= HEDGEROW_CT_F_REPLY_SEEN;
	}
	change->new_tcp_flags = tcp_flags & ~seen & (TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_RST);

	if (pkt->protocol == IPPROTO_TCP) {
		if ((tcp_flags & TCP_FLAG_RST) || (entry->tcp_flags_forward & entry->tcp_flags_reply & TCP_FLAG_FIN))
			updated |= HEDGEROW_CT_F_CLOSING;
	}
	change->became_closing = (updated & HEDGEROW_CT_F_CLOSING) && !(ct_flags & HEDGEROW_CT_F_CLOSING);
	if (updated != ct_flags)
		entry->flags = updated;
	entry->expires = now + ct_lifetime(pkt->protocol, updated, config);
}

/*
 * First fragments record their ports; later fragments take them (or are
 * dropped when the first never came by). Returns 0 or a drop reason.
 */
static __always_inline int fragment_ports(struct hedgerow_packet *pkt)
{
	struct hedgerow_frag_key key;
	struct hedgerow_frag_value *found;

	if (pkt->fragment == FRAGMENT_NONE)
		return 0;
	__builtin_memset(&key, 0, sizeof(key));
	key.id = pkt->fragment_id;
	key.protocol = pkt->protocol;
	__builtin_memcpy(key.saddr, pkt->saddr.bytes, sizeof(key.saddr));
	__builtin_memcpy(key.daddr, pkt->daddr.bytes, sizeof(key.daddr));
	if (pkt->fragment == FRAGMENT_FIRST) {
		struct hedgerow_frag_value ports = { .sport = pkt->sport, .dport = pkt->dport };

		bpf_map_update_elem(&hedgerow_fragments, &key, &ports, BPF_ANY);
		return 0;
	}
	found = bpf_map_lookup_elem(&hedgerow_fragments, &key);
	if (!found)
		return HEDGEROW_DROP_FRAGMENT_NOT_FOUND;
	pkt->sport = found->sport;
	pkt->dport = found->dport;
	pkt->policy_port = found->dport;
	pkt->flow_flags |= HEDGEROW_FLOW_F_FRAGMENT;
	return 0;
}

#endif /* HEDGEROW_CONNTRACK_H */
