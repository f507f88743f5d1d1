/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Services seen from an endpoint's (pod's) veth, before conntrack and policy:
 *
 *   - Socket-level LB already translated the packet (it carries a backend): for
 *     a new connection, the socket's reverse record (hedgerow_sock_rev_nat, by
 *     socket cookie and backend) names the service. Conntrack keeps it with the
 *     connection, so every later flow event of it (replies too) names it.
 *   - A packet leaving the pod for a VIP that escaped socket-level LB (a
 *     process outside the cgroup, raw sockets): translated here, per packet,
 *     to a backend chosen as sock.bpf.c chooses (ClientIP affinity by the
 *     client's address), with hedgerow_nat4 entries for both directions;
 *     replies entering the pod are rewritten back to the VIP.
 *
 * Policy and conntrack then see the backend: a pod's connection is allowed or
 * denied for where it really goes, whichever way it was translated. IPv4 TCP
 * and UDP are translated; attribution works for both families.
 *
 * Stack: the endpoint program's path through conntrack and policy nearly fills
 * the 512 bytes, and a subprogram's frame adds to its caller's. So the work is
 * split in two subprograms with small frames (deciding, then rewriting), and
 * their working values live in a per-CPU scratch slot (tc programs never nest
 * on a CPU).
 */
#ifndef HEDGEROW_SERVICE_FALLBACK_H
#define HEDGEROW_SERVICE_FALLBACK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"
#include "config.h"
#include "events.h"
#include "parse.h"
#include "service_maps.h"
#include "service_lookup.h"
#include "nat_maps.h"
#include "nat4.h"

struct service_scratch {
	struct hedgerow_service_key service_key;
	struct hedgerow_service_value service; /* the frontend's slot 0 */
	struct hedgerow_affinity_key client;
	struct hedgerow_backend backend;
	struct hedgerow_sock_rev_nat_key sock_key;
	struct hedgerow_affinity_value pin;
	struct hedgerow_affinity_match_key match;
	struct hedgerow_nat4_key key;
	struct hedgerow_nat4_entry forward;
	struct hedgerow_nat4_entry reply;
	union hedgerow_addr frontend; /* for the flow event (event_source.orig_daddr points here) */
	struct nat4_tuple from;       /* the packet's tuple before the rewrite */
	struct nat4_tuple to;         /* and after */
	__u32 backend_id;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct service_scratch);
} hedgerow_service_scratch SEC(".maps");

/* Steps of endpoint_services (drop reasons are >= 130). */
/* Set (to 1) by the first translation on any endpoint and never cleared: until
 * then packets skip the NAT table, so pods that only ever use socket-level LB
 * pay nothing for the fallback. Pinned, so programs of a restarted agent keep
 * rewriting the replies of connections translated before. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_endpoint_nat_used SEC(".maps");

static __always_inline int endpoint_nat_used(void)
{
	__u32 zero = 0;
	const __u32 *used = bpf_map_lookup_elem(&hedgerow_endpoint_nat_used, &zero);

	return used && *used;
}

static __always_inline void mark_endpoint_nat_used(void)
{
	__u32 zero = 0;
	__u32 *used = bpf_map_lookup_elem(&hedgerow_endpoint_nat_used, &zero);

	if (used && !*used)
		*used = 1;
}

#define SERVICES_PASS 0    /* nothing (more) to do */
#define SERVICES_REWRITE 1 /* rewrite scratch->from to scratch->to */
#define SERVICES_CHOOSE 2  /* a new connection to the frontend in scratch->service_key/service */
#define SERVICES_RECORD 3  /* scratch->backend was chosen: record the connection */

static __always_inline struct service_scratch *service_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&hedgerow_service_scratch, &zero);
}

/* Copies a 4-byte aligned 16-byte address word by word (bytewise copies spill to the stack). */
static __always_inline void copy_addr(void *to, const void *from)
{
	__u32 *dst = to;
	const __u32 *src = from;

	dst[0] = src[0];
	dst[1] = src[1];
	dst[2] = src[2];
	dst[3] = src[3];
}

/*
 * A new connection leaving the pod: when socket-level LB translated its socket to
 * the packet's destination, notes the service in `source` (conntrack keeps it for
 * the connection's later packets, so the lookup runs once per connection).
 */
static __noinline int services_socket(struct __sk_buff *skb, const struct hedgerow_packet *pkt,
				      struct event_source *source)
{
	struct service_scratch *scratch = service_scratch();
	struct hedgerow_sock_rev_nat_key *key;
	const struct hedgerow_sock_rev_nat_value *frontend;

	if (!scratch || (pkt->protocol != IPPROTO_TCP && pkt->protocol != IPPROTO_UDP))
		return 0;
	key = &scratch->sock_key;
	__builtin_memset(key, 0, sizeof(*key));
	key->cookie = bpf_get_socket_cookie(skb);
	if (!key->cookie)
		return 0;
	copy_addr(key->backend_addr, pkt->daddr.bytes);
	key->backend_port = pkt->dport;
	key->protocol = pkt->protocol;
	frontend = bpf_map_lookup_elem(&hedgerow_sock_rev_nat, key);
	if (!frontend)
		return 0;
	copy_addr(scratch->frontend.bytes, frontend->addr);
	source->translation_point = HEDGEROW_TRANSLATION_SOCKET;
	source->rev_nat_id = frontend->service_id;
	source->orig_daddr = scratch->frontend.bytes;
	source->orig_dport = frontend->port;
	return 1;
}

/*
 * Chooses a backend of the frontend in scratch->service (found with
 * scratch->service_key) for the client in scratch->client, as service_choose
 * does (a fresh ClientIP affinity pin first, else a random slot), into
 * scratch->backend. Returns SERVICES_RECORD or a drop reason.
 */
static __noinline int services_choose(void)
{
	struct service_scratch *scratch = service_scratch();
	const struct hedgerow_service_value *slot;
	const struct hedgerow_backend *backend;
	struct hedgerow_affinity_value *pin;
	__u32 flags;
	__u16 count;
	__u64 now = 0;

	if (!scratch)
		return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
	flags = scratch->service.flags;
	count = scratch->service.backend_count;
	if (count == 0 || (flags & HEDGEROW_SVC_F_NO_BACKENDS))
		return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
	if (flags & HEDGEROW_SVC_F_AFFINITY) {
		now = bpf_ktime_get_ns();
		pin = bpf_map_lookup_elem(&hedgerow_affinity, &scratch->client);
		if (pin && (now <= pin->last_used_ns ||
			    now - pin->last_used_ns < (__u64)scratch->service.affinity_timeout_s * NSEC_PER_SEC)) {
			scratch->match.backend_id = pin->backend_id;
			scratch->match.service_id = scratch->service.service_id;
			scratch->match._pad = 0;
			backend = bpf_map_lookup_elem(&hedgerow_affinity_match, &scratch->match)
					  ? bpf_map_lookup_elem(&hedgerow_backends, &scratch->match.backend_id)
					  : 0;
			if (backend) {
				pin->last_used_ns = now;
				scratch->backend = *backend;
				return SERVICES_RECORD;
			}
		}
	}
	scratch->service_key.slot = (__u16)(bpf_get_prandom_u32() % count) + 1;
	slot = bpf_map_lookup_elem(&hedgerow_services, &scratch->service_key);
	if (!slot)
		return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
	scratch->backend_id = slot->backend_id;
	backend = bpf_map_lookup_elem(&hedgerow_backends, &scratch->backend_id);
	if (!backend)
		return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
	scratch->backend = *backend;
	if (flags & HEDGEROW_SVC_F_AFFINITY) {
		scratch->pin.last_used_ns = now;
		scratch->pin.backend_id = scratch->backend_id;
		scratch->pin._pad = 0;
		bpf_map_update_elem(&hedgerow_affinity, &scratch->client, &scratch->pin, BPF_ANY);
	}
	return SERVICES_RECORD;
}

/* What the packet becomes (scratch->to, from `entry`) and what its flow event says. */
static __always_inline void services_note(struct service_scratch *scratch, struct hedgerow_packet *pkt,
					  struct event_source *source, const struct hedgerow_nat4_entry *entry, int egress)
{
	nat4_tuple_of_packet(&scratch->from, pkt);
	nat4_tuple_of_entry(&scratch->to, entry);
	/* Leaving: the VIP the pod named. Entering: the VIP the reply comes back from. */
	addr_set_ipv4(&scratch->frontend, egress ? scratch->from.daddr : scratch->to.saddr);
	source->translation_point = HEDGEROW_TRANSLATION_ENDPOINT;
	source->rev_nat_id = entry->service_id;
	source->orig_daddr = scratch->frontend.bytes;
	source->orig_dport = egress ? scratch->from.dport : scratch->to.sport;
	/* Leaving, policy and conntrack see the backend; entering, conntrack keeps
	 * seeing the backend it saw leave. */
	if (egress) {
		addr_set_ipv4(&pkt->daddr, scratch->to.daddr);
		pkt->dport = scratch->to.dport;
		pkt->policy_port = scratch->to.dport;
	}
}

/* A pod's first packet to a VIP, its backend chosen: records both directions.
 * Returns SERVICES_REWRITE or a drop reason. */
static __noinline int services_record(struct hedgerow_packet *pkt, struct event_source *source)
{
	struct service_scratch *scratch = service_scratch();
	const struct hedgerow_config *config = config_get();
	struct hedgerow_nat4_entry *forward, *reply;
	__u64 now = bpf_jiffies64();

	if (!scratch || !addr_is_v4_mapped(scratch->backend.addr))
		return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
	forward = &scratch->forward;
	reply = &scratch->reply;
	nat4_entry_init(forward, pkt, now, config, 0);
	forward->saddr = pkt->saddr.words[3];
	forward->sport = pkt->sport;
	forward->daddr = addr_v4(scratch->backend.addr);
	forward->dport = scratch->backend.port;
	forward->service_id = scratch->service.service_id;
	nat4_entry_init(reply, pkt, now, config, HEDGEROW_NAT_F_REPLY);
	reply->saddr = pkt->daddr.words[3];
	reply->sport = pkt->dport;
	reply->daddr = pkt->saddr.words[3];
	reply->dport = pkt->sport;
	reply->service_id = scratch->service.service_id;

	nat4_key(&scratch->key, forward->daddr, forward->saddr, forward->dport, forward->sport, pkt->protocol,
		 HEDGEROW_NAT_HOOK_ENDPOINT_INGRESS);
	if (bpf_map_update_elem(&hedgerow_nat4, &scratch->key, reply, BPF_ANY) < 0)
		return HEDGEROW_DROP_CT_MAP_INSERTION_FAILED;
	nat4_key_of_packet(&scratch->key, pkt, HEDGEROW_NAT_HOOK_ENDPOINT_EGRESS);
	if (bpf_map_update_elem(&hedgerow_nat4, &scratch->key, forward, BPF_ANY) < 0)
		return HEDGEROW_DROP_CT_MAP_INSERTION_FAILED;
	mark_endpoint_nat_used();
	services_note(scratch, pkt, source, forward, 1);
	return SERVICES_REWRITE;
}

/* Only a connection's first packet leaving the pod may open a translation: a TCP
 * packet other than a SYN skips the service lookup (most packets, so most of the cost). */
static __always_inline int services_may_open(const struct hedgerow_packet *pkt, int egress)
{
	return egress && nat4_translatable(pkt) &&
	       (pkt->protocol != IPPROTO_TCP || (pkt->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN);
}

/*
 * Decides what the fallback means for the packet: finds its NAT entry
 * (SERVICES_REWRITE) or, leaving the pod for a frontend, asks for a backend
 * (SERVICES_CHOOSE).
 */
static __noinline int services_decide(struct hedgerow_packet *pkt, struct event_source *source)
{
	struct service_scratch *scratch = service_scratch();
	const struct hedgerow_service_value *frontend;
	struct hedgerow_nat4_entry *entry;
	int egress = source->direction == HEDGEROW_DIR_EGRESS;
	__u64 now;

	if (!scratch)
		return SERVICES_PASS;
	if (!nat4_translatable(pkt))
		return SERVICES_PASS;
	/* The NAT table is only worth a lookup once some endpoint translated. */
	if (endpoint_nat_used()) {
		now = bpf_jiffies64();
		nat4_key_of_packet(&scratch->key, pkt,
				   egress ? HEDGEROW_NAT_HOOK_ENDPOINT_EGRESS : HEDGEROW_NAT_HOOK_ENDPOINT_INGRESS);
		entry = nat4_find(&scratch->key, now);
		if (entry) {
			nat4_refresh(entry, pkt, now, config_get());
			services_note(scratch, pkt, source, entry, egress);
			return SERVICES_REWRITE;
		}
	}
	if (!services_may_open(pkt, egress))
		return SERVICES_PASS;
	__builtin_memset(&scratch->service_key, 0, sizeof(scratch->service_key));
	copy_addr(scratch->service_key.addr, pkt->daddr.bytes);
	scratch->service_key.port = pkt->dport;
	scratch->service_key.protocol = pkt->protocol;
	frontend = service_frontend(&scratch->service_key);
	if (!frontend)
		return SERVICES_PASS;
	scratch->service = *frontend;
	__builtin_memset(&scratch->client, 0, sizeof(scratch->client));
	copy_addr(scratch->client.client, pkt->saddr.bytes);
	scratch->client.service_id = frontend->service_id;
	scratch->client.client_kind = HEDGEROW_AFFINITY_CLIENT_ADDR;
	return SERVICES_CHOOSE;
}

/*
 * Before a flow event: a connection whose service came from its conntrack entry
 * (not from this packet's translation) gets the frontend from hedgerow_rev_nat,
 * so only reported packets pay the lookup. A service removed meanwhile leaves
 * the frontend unknown (zero) while the event still names its id.
 */
static __always_inline void services_frontend_for_event(struct event_source *source)
{
	__u32 id = source->rev_nat_id;
	const struct hedgerow_rev_nat *frontend;

	if (!id || source->orig_daddr)
		return;
	frontend = bpf_map_lookup_elem(&hedgerow_rev_nat, &id);
	if (!frontend)
		return;
	source->orig_daddr = frontend->addr;
	source->orig_dport = frontend->port;
}

/* Rewrites the packet as services_decide said. Returns 0 or a drop reason. */
static __noinline int services_rewrite(struct __sk_buff *skb, __u8 protocol)
{
	struct service_scratch *scratch = service_scratch();

	if (!scratch || nat4_rewrite(skb, protocol, &scratch->from, &scratch->to) < 0)
		return HEDGEROW_DROP_ERROR_WRITING_TO_PACKET;
	return 0;
}

/*
 * Called for every parsed packet of an endpoint, before conntrack and policy.
 * Returns 0, or a drop reason. May rewrite the packet (see above). Each step is
 * a subprogram called from here, so only one small frame at a time sits on top
 * of the caller's.
 */
static __always_inline int endpoint_services(struct __sk_buff *skb, struct hedgerow_packet *pkt, struct event_source *source)
{
	int status;

	/* Most packets: no endpoint ever translated and this one opens nothing. */
	if (!endpoint_nat_used() && !services_may_open(pkt, source->direction == HEDGEROW_DIR_EGRESS))
		return 0;
	status = services_decide(pkt, source);

	if (status == SERVICES_CHOOSE)
		status = services_choose();
	if (status == SERVICES_RECORD)
		status = services_record(pkt, source);
	return status == SERVICES_REWRITE ? services_rewrite(skb, pkt->protocol) : status;
}

#endif /* HEDGEROW_SERVICE_FALLBACK_H */
